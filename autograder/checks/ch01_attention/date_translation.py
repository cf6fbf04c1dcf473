"""Hidden checks for ``01a_date_translation.ipynb``.

Oracles are independent formulas (einsum where the reference solution uses
matmul) so that the check does not share the solution's code path.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..core import Spec, register
from ..oracles import gru_cell as _gru_cell, randn as _randn



def _mask(gen, batch: int, keys: int) -> torch.Tensor:
    """(B, T) bool, True for valid keys; every row keeps at least one key and
    most rows lose some at the end, as padding does."""
    lengths = torch.randint(1, keys + 1, (batch,), generator=gen)
    lengths[0] = keys  # one row with no padding at all
    return torch.arange(keys)[None, :] < lengths[:, None]


def _score_cases(gen):
    return [{"query": _randn(gen, b, h), "keys": _randn(gen, b, t, h)}
            for b, t, h in [(3, 5, 8), (2, 7, 16), (1, 4, 32)]]


# ----------------------------------------------------------------- scores
def _dot(c):
    return torch.einsum("bh,bth->bt", c["query"], c["keys"])


register(Spec(
    name="ch01.dot_product_score", what="dot_product_score",
    cases=_score_cases,
    call={"args": ["query", "keys"], "outputs": ["scores"]},
    reference=lambda c: {"scores": _dot(c)},
    mistakes={
        "your scores are divided by √d: that is the scaled score of the next task":
            lambda c: {"scores": _dot(c) / math.sqrt(c["query"].shape[-1])},
        "you returned softmax weights, not raw scores":
            lambda c: {"scores": torch.softmax(_dot(c), -1)},
        "you multiplied every query with the keys of every sequence in the batch (keys @ query.T); use a batched product":
            lambda c: {"scores": c["keys"] @ c["query"].T},
        "you summed over the time axis instead of the feature axis":
            lambda c: {"scores": (c["keys"] * c["query"][:, None]).sum(1)},
    },
))


register(Spec(
    name="ch01.scaled_dot_product_score", what="scaled_dot_product_score",
    cases=_score_cases,
    call={"args": ["query", "keys"], "outputs": ["scores"]},
    reference=lambda c: {"scores": _dot(c) / math.sqrt(c["query"].shape[-1])},
    mistakes={
        "your scores match attention without the 1/√d_k scaling":
            lambda c: {"scores": _dot(c)},
        "you divided by d_k instead of √d_k":
            lambda c: {"scores": _dot(c) / c["query"].shape[-1]},
        "you multiplied by √d_k instead of dividing":
            lambda c: {"scores": _dot(c) * math.sqrt(c["query"].shape[-1])},
        "you scaled by the number of keys T instead of the feature size d_k":
            lambda c: {"scores": _dot(c) / math.sqrt(c["keys"].shape[1])},
    },
))


# --------------------------------------------------------------- additive
def _additive_cases(gen):
    cases = []
    for b, t, hq, hk, a in [(3, 5, 6, 10, 7), (2, 6, 12, 8, 5)]:
        cases.append({"query": _randn(gen, b, hq), "keys": _randn(gen, b, t, hk),
                      "W_q": _randn(gen, a, hq) / math.sqrt(hq), "W_k": _randn(gen, a, hk) / math.sqrt(hk),
                      "v": _randn(gen, a)})
    return cases


def _additive(c, act=torch.tanh):
    features = act(torch.einsum("ah,bh->ba", c["W_q"], c["query"])[:, None, :]
                   + torch.einsum("ah,bth->bta", c["W_k"], c["keys"]))
    return torch.einsum("bta,a->bt", features, c["v"])


ADDITIVE_SCORE_HINT = (  # the likely cause of a RuntimeError in this task
    "usually shapes that do not fit: W_q is (A, H_q) and W_k is (A, H_k), output size first as in "
    "nn.Linear, and the projected query (B, A) must broadcast over the T projected keys (B, T, A)")


register(Spec(
    name="ch01.additive_score", what="additive_score",
    cases=_additive_cases,
    call={"args": ["query", "keys", "W_q", "W_k", "v"], "outputs": ["scores"],
          "hints": {"RuntimeError": ADDITIVE_SCORE_HINT}},
    reference=lambda c: {"scores": _additive(c)},
    mistakes={
        "the tanh is missing: without it the score is linear in query and key":
            lambda c: {"scores": _additive(c, act=lambda x: x)},
        "you used ReLU where the additive score uses tanh":
            lambda c: {"scores": _additive(c, act=torch.relu)},
        "you summed the hidden units instead of projecting them with v":
            lambda c: {"scores": _additive({**c, "v": torch.ones_like(c["v"])})},
        "tanh is applied after the projection by v instead of before it":
            lambda c: {"scores": torch.tanh(_additive(c, act=lambda x: x))},
    },
))


# ---------------------------------------------------------- masked softmax
def _softmax_cases(gen):
    cases = []
    for b, t in [(4, 6), (3, 9), (5, 3)]:
        cases.append({"scores": 3 * _randn(gen, b, t), "mask": _mask(gen, b, t)})
    return cases


def _masked_softmax(scores, mask):
    e = torch.exp(scores - scores.max(-1, keepdim=True).values) * mask
    return e / e.sum(-1, keepdim=True)


def _rows_message(case, out):
    w = out.get("weights")
    if w is None:
        return None
    sums = w.sum(-1)
    if (abs(sums - 1) > 1e-4).any():
        return (f"the rows of the attention weights should sum to 1 over the keys; "
                f"yours sum to values from {sums.min():.2f} to {sums.max():.2f}")
    masked = ~(case["mask"] if "mask" in case else case["enc_mask"]).numpy()
    if masked.any() and abs(w[masked]).max() > 1e-6:
        return f"padded keys get up to {abs(w[masked]).max():.2g} weight; they should get exactly 0"
    return None


register(Spec(
    name="ch01.masked_softmax", what="masked_softmax",
    cases=_softmax_cases,
    call={"args": ["scores", "mask"], "outputs": ["weights"]},
    reference=lambda c: {"weights": _masked_softmax(c["scores"], c["mask"])},
    properties=_rows_message,
    mistakes={
        "masked positions still get weight: the mask is applied after the softmax, so rows no longer sum to 1":
            lambda c: {"weights": torch.softmax(c["scores"], -1) * c["mask"]},
        "the weights sum to 1 over the batch (dim 0), not over the keys":
            lambda c: {"weights": torch.softmax(c["scores"].masked_fill(~c["mask"], -1e9), 0)},
        "masked scores were set to 0 instead of -inf, so padded keys still get weight":
            lambda c: {"weights": torch.softmax(c["scores"].masked_fill(~c["mask"], 0.0), -1)},
        "the mask is inverted: True marks a valid key, and it is the padded keys that must get 0":
            lambda c: {"weights": torch.softmax(c["scores"].masked_fill(c["mask"], -1e9), -1)},
        "the mask is ignored: padded keys get weight":
            lambda c: {"weights": torch.softmax(c["scores"], -1)},
    },
))


# ---------------------------------------------------------- attention pool
def _pool_cases(gen):
    cases = []
    for b, t, dv in [(3, 6, 5), (2, 4, 9)]:
        cases.append({"scores": 2 * _randn(gen, b, t), "values": _randn(gen, b, t, dv), "mask": _mask(gen, b, t)})
    return cases


def _pool(c, weights):
    return {"context": torch.einsum("bt,btd->bd", weights, c["values"]), "weights": weights}


register(Spec(
    name="ch01.attention_pool", what="attention_pool",
    cases=_pool_cases,
    call={"args": ["scores", "values", "mask"], "outputs": ["context", "weights"]},
    reference=lambda c: _pool(c, _masked_softmax(c["scores"], c["mask"])),
    properties=_rows_message,
    mistakes={
        "the context uses the raw scores instead of the softmax weights":
            lambda c: {"context": torch.einsum("bt,btd->bd", c["scores"], c["values"]),
                       "weights": _masked_softmax(c["scores"], c["mask"])},
        "the context is a plain average of the valid values: the weights are not used":
            lambda c: _pool(c, _masked_softmax(torch.zeros_like(c["scores"]), c["mask"]))
            | {"weights": _masked_softmax(c["scores"], c["mask"])},
        "the mask is ignored: padded keys get weight":
            lambda c: _pool(c, torch.softmax(c["scores"], -1)),
        "context and weights are returned in the wrong order: return (context, weights)":
            lambda c: {"context": _masked_softmax(c["scores"], c["mask"]),
                       "weights": _pool(c, _masked_softmax(c["scores"], c["mask"]))["context"]},
    },
))


# ------------------------------------------------------------ decoder step
DECODER_CONFIG = dict(vocab_size=13, embed_dim=6, hidden_dim=10, enc_dim=8, attn_dim=7)


def _decoder_cases(gen):
    cfg = DECODER_CONFIG
    cases = []
    for b, t in [(3, 6), (2, 4)]:
        state = {
            "embedding.weight": _randn(gen, cfg["vocab_size"], cfg["embed_dim"]),
            "W_q.weight": _randn(gen, cfg["attn_dim"], cfg["hidden_dim"]) * 0.3,
            "W_k.weight": _randn(gen, cfg["attn_dim"], cfg["enc_dim"]) * 0.3,
            "v": _randn(gen, cfg["attn_dim"]),
            "gru.weight_ih": _randn(gen, 3 * cfg["hidden_dim"], cfg["embed_dim"] + cfg["enc_dim"]) * 0.3,
            "gru.weight_hh": _randn(gen, 3 * cfg["hidden_dim"], cfg["hidden_dim"]) * 0.3,
            "gru.bias_ih": _randn(gen, 3 * cfg["hidden_dim"]) * 0.1,
            "gru.bias_hh": _randn(gen, 3 * cfg["hidden_dim"]) * 0.1,
            "out.weight": _randn(gen, cfg["vocab_size"], cfg["hidden_dim"] + cfg["enc_dim"]) * 0.3,
            "out.bias": _randn(gen, cfg["vocab_size"]) * 0.1,
        }
        cases.append({"state": state,
                      "y_prev": torch.randint(0, cfg["vocab_size"], (b,), generator=gen),
                      "h_prev": _randn(gen, b, cfg["hidden_dim"]),
                      "enc_outputs": _randn(gen, b, t, cfg["enc_dim"]),
                      "enc_mask": _mask(gen, b, t)})
    return cases



def _decoder_step(c, *, swap_gru_input=False, feed_context=True, output_context=True, use_mask=True):
    s = c["state"]
    emb = s["embedding.weight"][c["y_prev"]]
    mask = c["enc_mask"] if use_mask else torch.ones_like(c["enc_mask"])
    scores = _additive({"query": c["h_prev"], "keys": c["enc_outputs"], "W_q": s["W_q.weight"],
                        "W_k": s["W_k.weight"], "v": s["v"]})
    weights = _masked_softmax(scores, mask)
    context = torch.einsum("bt,btd->bd", weights, c["enc_outputs"])
    fed = context if feed_context else torch.zeros_like(context)
    x = torch.cat([fed, emb] if swap_gru_input else [emb, fed], -1)
    h = _gru_cell(x, c["h_prev"], s)
    out_in = torch.cat([h, context if output_context else torch.zeros_like(context)], -1)
    logits = out_in @ s["out.weight"].T + s["out.bias"]
    return {"logits": logits, "h": h, "weights": weights}


DECODER_STEP_HINT = (  # the likely cause of a RuntimeError in this task
    "usually shapes that do not fit: check which projection goes with the decoder state (W_q) and "
    "which with the encoder outputs (W_k), and the input sizes the GRU cell and the output layer were "
    "built for")


register(Spec(
    name="ch01.decoder_step", what="AttentionDecoder.step",
    cases=_decoder_cases,
    call={"construct": DECODER_CONFIG, "state": "state", "method": "step",
          "args": ["y_prev", "h_prev", "enc_outputs", "enc_mask"], "outputs": ["logits", "h", "weights"],
          "hints": {"RuntimeError": DECODER_STEP_HINT}},
    reference=_decoder_step,
    properties=_rows_message,
    mistakes={
        "the GRU input must be the embedding followed by the context, torch.cat([embedded, context], -1)":
            lambda c: _decoder_step(c, swap_gru_input=True),
        "the context vector is not fed into the GRU":
            lambda c: _decoder_step(c, feed_context=False),
        "the context vector is not passed to the output layer":
            lambda c: _decoder_step(c, output_context=False),
        "the encoder mask is not passed on: padded source positions get attention weight":
            lambda c: _decoder_step(c, use_mask=False),
    },
))
