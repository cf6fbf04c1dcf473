"""Hidden checks for ``01b_show_attend_tell.ipynb``.

Oracles are independent formulas written with einsum and by-hand GRU and
group-norm arithmetic, so that a check never shares the solution's code path.
The check of the decoding loop swaps the student's attention for the kernel's
uniform stand-in (``uniform_spatial_attention``): a wrong ``SpatialAttention``
then costs the points of its own task only.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from ..core import Spec, register
from ...kernel_side import after_first_eos, state_attention_weights
from ..oracles import gru_cell as _gru_cell, randn as _randn



# --------------------------------------------------------- spatial attention
ATTENTION_CONFIG = dict(feature_dim=6, hidden_dim=5, attn_dim=4)


def _attention_cases(gen):
    cfg = ATTENTION_CONFIG
    cases = []
    # batch and grid sizes all differ from each other and from C, H and A, so
    # that a reduction over the wrong axis shows up as a wrong shape or value.
    for b, n in [(3, 9), (2, 16), (4, 12)]:
        state = {
            "W_f.weight": _randn(gen, cfg["attn_dim"], cfg["feature_dim"]) / math.sqrt(cfg["feature_dim"]),
            "W_h.weight": _randn(gen, cfg["attn_dim"], cfg["hidden_dim"]) / math.sqrt(cfg["hidden_dim"]),
            "W_h.bias": 0.3 * _randn(gen, cfg["attn_dim"]),
            "v.weight": 2.0 * _randn(gen, 1, cfg["attn_dim"]),  # large enough for peaked weights
        }
        cases.append({"state": state, "features": _randn(gen, b, n, cfg["feature_dim"]),
                      "hidden": _randn(gen, b, cfg["hidden_dim"])})
    return cases


def _softmax(scores, dim=-1):
    e = torch.exp(scores - scores.max(dim, keepdim=True).values)
    return e / e.sum(dim, keepdim=True)


def _scores(c, *, act=torch.tanh, use_hidden=True):
    s = c["state"]
    keys = torch.einsum("ac,bnc->bna", s["W_f.weight"], c["features"])  # (B, N, A)
    query = torch.einsum("ah,bh->ba", s["W_h.weight"], c["hidden"]) + s["W_h.bias"]  # (B, A)
    if not use_hidden:
        query = torch.zeros_like(query)
    return torch.einsum("bna,a->bn", act(keys + query[:, None, :]), s["v.weight"][0])  # (B, N)


def _pool(c, weights):
    return {"context": torch.einsum("bn,bnc->bc", weights, c["features"]), "weights": weights}


def _attend(c, **kw):
    return _pool(c, _softmax(_scores(c, **kw)))


def _one_hot_argmax(scores):
    return torch.zeros_like(scores).scatter_(-1, scores.argmax(-1, keepdim=True), 1.0)


def _attention_properties(case, out):
    w, ctx = out.get("weights"), out.get("context")
    if w is None or ctx is None:
        return None
    sums = w.sum(-1)
    if (np.abs(sums - 1) > 1e-4).any() or (w < -1e-6).any():
        return (f"the weights should be a probability distribution over the N positions of each image "
                f"(non-negative, summing to 1); yours sum to values from {sums.min():.2f} to {sums.max():.2f}")
    feats = case["features"].double().numpy()
    if (ctx < feats.min(1) - 1e-4).any() or (ctx > feats.max(1) + 1e-4).any():
        return "the context should be a weighted average of the feature vectors, Σ_i α_i a_i"
    return None


SPATIAL_ATTENTION_HINT = (  # the likely cause of a RuntimeError in this task
    "usually shapes that do not fit: the projected state (B, A) must broadcast over the N projected "
    "positions (B, N, A)")


register(Spec(
    name="ch01.spatial_attention", what="SpatialAttention.forward",
    cases=_attention_cases,
    call={"construct": ATTENTION_CONFIG, "state": "state", "method": None,
          "args": ["features", "hidden"], "outputs": ["context", "weights"],
          "hints": {"RuntimeError": SPATIAL_ATTENTION_HINT}},
    reference=_attend,
    properties=_attention_properties,
    mistakes={
        "the softmax is taken over the batch (dim 0) instead of over the N positions of each image":
            lambda c: _pool(c, _softmax(_scores(c), dim=0)),
        "every weight is 1: the softmax ran over a dimension of size 1. Squeeze the scores to (B, N) "
        "before the softmax over the positions":
            lambda c: _pool(c, torch.ones_like(_scores(c))),
        "the tanh is missing: without it the score is linear in the features and the hidden state":
            lambda c: _attend(c, act=lambda x: x),
        "you used ReLU where the additive score uses tanh":
            lambda c: _attend(c, act=torch.relu),
        "the scores ignore the hidden state, so every step of a caption would look at the same places":
            lambda c: _attend(c, use_hidden=False),
        "the context averages the projected features W_f(features); it should average the features themselves":
            lambda c: {"context": torch.einsum("bn,bna->ba", _softmax(_scores(c)),
                                               torch.einsum("ac,bnc->bna", c["state"]["W_f.weight"], c["features"])),
                       "weights": _softmax(_scores(c))},
        "the context is divided by N: it is the weighted sum Σ_i α_i a_i (the weights already sum to 1), "
        "not a mean":
            lambda c: {"context": _attend(c)["context"] / c["features"].shape[1], "weights": _softmax(_scores(c))},
        "the context uses the raw scores instead of the softmax weights":
            lambda c: {"context": _pool(c, _scores(c))["context"], "weights": _softmax(_scores(c))},
        "the weights are one-hot (hard attention, an argmax); this task asks for soft attention, a softmax":
            lambda c: _pool(c, _one_hot_argmax(_scores(c))),
        "context and weights are returned in the wrong order: return (context, weights)":
            lambda c: {"context": _softmax(_scores(c)), "weights": _attend(c)["context"]},
    },
))


# ------------------------------------------------------------ greedy decoding
PAD, BOS, EOS = 0, 1, 2  # fixed by attncourse.data.Vocab
CAPTIONER_CONFIG = dict(vocab_size=14, feature_dim=8, embed_dim=6, hidden_dim=10, attn_dim=7)
ENCODER_LAYERS = [  # ConvEncoder.layers: (conv, its group norm, in channels, out channels, stride)
    ("encoder.layers.0", "encoder.layers.1", 3 + 2, 32, 2),
    ("encoder.layers.3", "encoder.layers.4", 32, 32, 2),
    ("encoder.layers.6", "encoder.layers.7", 32, CAPTIONER_CONFIG["feature_dim"], 1),
]
NORM_GROUPS = 4
# Scales of the random weights, chosen (with the spec's seed) so that the captions
# vary in content and length and every known mistake changes them in every case.
GEN_SCALES = dict(init=10.0, embed=2.0, ih=1.0, hh=2.5, out=4.0, eos=2.0)


def _blocky_images(gen, b, size):
    """Random 4x4 colour blocks, upsampled, plus noise: images that differ in layout, so their
    (group-normalised) features differ too."""
    low = torch.rand(b, 3, 4, 4, generator=gen)
    images = low.repeat_interleave(size // 4, 2).repeat_interleave(size // 4, 3)
    return (images + 0.1 * torch.rand(b, 3, size, size, generator=gen)).clamp(0, 1)


def _captioner_cases(gen):
    cfg, k = CAPTIONER_CONFIG, GEN_SCALES
    V, C, E, H, A = (cfg[key] for key in ("vocab_size", "feature_dim", "embed_dim", "hidden_dim", "attn_dim"))
    cases = []
    for b, size, max_len in [(6, 16, 7), (5, 12, 9), (6, 16, 8)]:
        state = {}
        for conv, norm, c_in, c_out, _ in ENCODER_LAYERS:
            state[f"{conv}.weight"] = _randn(gen, c_out, c_in, 3, 3) / math.sqrt(9 * c_in)
            state[f"{conv}.bias"] = 0.1 * _randn(gen, c_out)
            state[f"{norm}.weight"] = 1 + 0.2 * _randn(gen, c_out)
            state[f"{norm}.bias"] = 0.2 * _randn(gen, c_out)
        state |= {
            # Group norm leaves little difference between the mean features of two
            # images; a large init_h turns what is left into different first states.
            "init_h.weight": k["init"] * _randn(gen, H, C) / math.sqrt(C), "init_h.bias": 0.5 * _randn(gen, H),
            # A strong embedding makes the fed-back token matter, so a loop that
            # feeds the wrong token gives different captions.
            "embedding.weight": k["embed"] * _randn(gen, V, E),
            # The student's attention layers must load (strict) before the swap.
            "attention.W_f.weight": _randn(gen, A, C), "attention.W_h.weight": _randn(gen, A, H),
            "attention.W_h.bias": _randn(gen, A), "attention.v.weight": _randn(gen, 1, A),
            "gru.weight_ih": k["ih"] * _randn(gen, 3 * H, E + C) / math.sqrt(E + C),
            "gru.weight_hh": k["hh"] * _randn(gen, 3 * H, H) / math.sqrt(H),
            "gru.bias_ih": 0.1 * _randn(gen, 3 * H), "gru.bias_hh": 0.1 * _randn(gen, 3 * H),
            "out.weight": k["out"] * _randn(gen, V, H + C) / math.sqrt(H + C),
            "out.bias": 0.3 * _randn(gen, V),
        }
        state["out.bias"][EOS] += k["eos"]  # so that captions end, at different steps
        cases.append({"state": state, "images": _blocky_images(gen, b, size), "max_len": max_len})
    return cases


def _group_norm(x, weight, bias, groups=NORM_GROUPS, eps=1e-5):
    B, C, h, w = x.shape
    g = x.reshape(B, groups, -1)
    g = (g - g.mean(-1, keepdim=True)) / torch.sqrt(g.var(-1, unbiased=False, keepdim=True) + eps)
    return g.reshape(B, C, h, w) * weight[None, :, None, None] + bias[None, :, None, None]


def _encode(state, images):
    """ConvEncoder written out: coordinate channels, then conv -> group norm -> ReLU three times."""
    B, _, S, _ = images.shape
    ramp = torch.linspace(-1, 1, S)
    coords = torch.stack([ramp[None, :].expand(S, S), ramp[:, None].expand(S, S)])  # x varies along a row
    x = torch.cat([images, coords.expand(B, 2, S, S)], 1)
    for conv, norm, _, _, stride in ENCODER_LAYERS:
        x = torch.nn.functional.conv2d(x, state[f"{conv}.weight"], state[f"{conv}.bias"], stride=stride, padding=1)
        x = torch.clamp(_group_norm(x, state[f"{norm}.weight"], state[f"{norm}.bias"]), min=0)
    return torch.einsum("bchw->bhwc", x).reshape(B, -1, x.shape[1])  # (B, N, C), row-major grid



def _greedy(c, *, feed_bos=False, carry_hidden=True, zero_start=False, pad_after_eos=True,
            pad_eos_too=False, bos_first=False, attend=None):
    """Greedy decoding with the uniform stand-in attention (context = mean feature), or, with
    attend="state", the stand-in whose weights depend on the state (attend="first": on the first one)."""
    s = c["state"]
    features = _encode(s, c["images"])
    B, N, _ = features.shape
    context = features.mean(1)  # what the uniform stand-in returns at every step
    h0 = torch.tanh(features.mean(1) @ s["init_h.weight"].T + s["init_h.bias"])
    h = torch.zeros_like(h0) if zero_start else h0
    token = torch.full((B,), BOS, dtype=torch.long)
    tokens, weights = [], [torch.full((B, N), 1.0 / N)] * c["max_len"]
    for step in range(c["max_len"]):
        if attend is not None:
            weights[step] = state_attention_weights(features, h if attend == "state" else h0)
            context = (weights[step][..., None] * features).sum(1)
        x = torch.cat([s["embedding.weight"][token], context], -1)
        h_new = _gru_cell(x, h, s)
        logits = torch.cat([h_new, context], -1) @ s["out.weight"].T + s["out.bias"]
        prediction = logits.argmax(-1)
        tokens.append(prediction)
        h = h_new if carry_hidden else h
        token = torch.full_like(prediction, BOS) if feed_bos else prediction
    tokens = torch.stack(tokens, 1)  # (B, L)
    if bos_first:
        tokens = torch.cat([torch.full((B, 1), BOS, dtype=torch.long), tokens[:, :-1]], 1)
    seen = torch.cumsum((tokens == EOS).long(), 1)
    if pad_after_eos:
        tokens = tokens.masked_fill(after_first_eos(tokens, EOS), PAD)
    if pad_eos_too:
        tokens = tokens.masked_fill(seen > 0, PAD)
    return {"tokens": tokens, "weights": torch.stack(weights, 1)}


def _decoding_properties(case, out):
    tokens = out.get("tokens")
    if tokens is None:
        return None
    if (tokens != np.round(tokens)).any() or (tokens < 0).any() or (tokens >= CAPTIONER_CONFIG["vocab_size"]).any():
        return "tokens should be word ids (integers from 0 to vocab_size - 1), not scores or probabilities"
    for row in tokens:
        ends = np.flatnonzero(row == EOS)
        if len(ends) and (row[ends[0] + 1:] != PAD).any():
            return "tokens after the first <eos> of a caption should be <pad> (0)"
    expected = _greedy(case)["tokens"].numpy()
    if (tokens != expected).any():
        b, t = map(int, np.argwhere(tokens != expected)[0])
        return (f"the tokens are not the greedy decoding of the model: caption {b} first differs at step {t}. "
                f"Start from self.init_state(features) and <bos>, and feed each step's argmax to the next")
    return None


register(Spec(
    name="ch01.generate_caption", what="Captioner.generate",
    cases=_captioner_cases,
    call={"construct": CAPTIONER_CONFIG, "state": "state", "swap": {"attention": "uniform_spatial_attention"},
          "method": "generate", "args": ["images", "max_len"], "outputs": ["tokens", "weights"]},
    reference=_greedy,
    properties=_decoding_properties,
    seed=2,  # with GEN_SCALES: captions of different lengths, and every mistake shows in every case
    mistakes={
        "each step is fed <bos> instead of the previous prediction":
            lambda c: _greedy(c, feed_bos=True),
        "the hidden state is not carried from one step to the next":
            lambda c: _greedy(c, carry_hidden=False),
        "the first hidden state should be self.init_state(features), not zeros":
            lambda c: _greedy(c, zero_start=True),
        "tokens after <eos> should be <pad> (0): yours keep whatever the decoder predicted after the caption ended":
            lambda c: _greedy(c, pad_after_eos=False),
        "the <eos> token itself became <pad>: keep <eos>, and replace only the tokens after it":
            lambda c: _greedy(c, pad_eos_too=True),
        "the tokens start with <bos>: return the max_len predicted words, not the first input":
            lambda c: _greedy(c, bos_first=True),
    },
))


# The cases above use an attention that ignores the state, and every caption ends: two rules of the task
# that they cannot observe.  These two can.
register(Spec(
    name="ch01.generate_caption_state_attention",
    what="Captioner.generate with a stand-in attention whose weights depend on the decoder state",
    cases=_captioner_cases,
    call={"construct": CAPTIONER_CONFIG, "state": "state", "swap": {"attention": "state_spatial_attention"},
          "method": "generate", "args": ["images", "max_len"], "outputs": ["tokens", "weights"],
          "adapter": "caption_until_eos"},  # the weights after a caption's <eos> are not judged
    reference=lambda c: _until_eos(_greedy(c, attend="state")),
    seed=2,
    mistakes={"each step attends with the first state: the attention's query is the state before this step, "
              "carried from step to step": lambda c: _until_eos(_greedy(c, attend="first"))},
))


def _until_eos(out):
    """The weights of the steps after a caption's first <eos> set to 0, as the check's adapter does."""
    return out | {"weights": out["weights"].masked_fill(after_first_eos(out["tokens"], EOS)[..., None], 0.0)}


def _cut_short(case):
    """The case with a max_len (and, if need be, a lower <eos> bias) at which some captions have ended
    and some have not; None if there is none."""
    for lower in (0.0, 1.0, 2.0, 3.0):
        state = case["state"] | {"out.bias": case["state"]["out.bias"].clone()}
        state["out.bias"][EOS] -= lower
        for max_len in range(2, 10):
            candidate = case | {"state": state, "max_len": max_len}
            ended = (_greedy(candidate)["tokens"] == EOS).any(1)
            if 0 < int(ended.sum()) < len(ended):
                return candidate
    return None


def _unfinished_cases(gen):
    """Two captioner cases cut short: in each, some captions reach max_len without an <eos>."""
    cases = []
    for _ in range(20):  # draws until two are found, whatever the seed
        cases += [c for c in map(_cut_short, _captioner_cases(gen)) if c is not None]
        if len(cases) >= 2:
            return cases[:2]
    return cases


register(Spec(
    name="ch01.generate_caption_unfinished",
    what="Captioner.generate on captions that do not all end within max_len",
    cases=_unfinished_cases,
    call={"construct": CAPTIONER_CONFIG, "state": "state", "swap": {"attention": "uniform_spatial_attention"},
          "method": "generate", "args": ["images", "max_len"], "outputs": ["tokens", "weights"]},
    reference=_greedy,
    seed=2,
))
