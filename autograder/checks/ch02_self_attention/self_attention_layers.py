"""Hidden checks for ``02a_self_attention_layers.ipynb``.

Oracles are independent of the reference solution: einsum formulas with an
explicit, max-shifted softmax for single-head attention and the masks, and
``torch.nn.MultiheadAttention`` with the student's layout of weights copied in
for the multi-head module.  The known mistakes are written as formulas too.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ..core import Probe, Spec, register
from ..oracles import randn as _randn



def _lengths(gen, batch: int, T: int) -> torch.Tensor:
    """(B,) lengths in 1..T; the first sequence is never padded, the others usually are."""
    lengths = torch.randint(1, T + 1, (batch,), generator=gen)
    lengths[0] = T
    if batch > 1 and (lengths[1:] == T).all():
        lengths[1] = max(1, T // 2)
    return lengths


def _causal(T: int) -> torch.Tensor:
    i, j = torch.meshgrid(torch.arange(T), torch.arange(T), indexing="ij")
    return j <= i


def _keys_real(lengths: torch.Tensor, T: int) -> torch.Tensor:
    return torch.arange(T)[None, :] < lengths[:, None]


def _softmax(scores: torch.Tensor, allowed: torch.Tensor | None, dim: int = -1) -> torch.Tensor:
    """Softmax with forbidden entries at exactly 0 (an explicit, max-shifted formula)."""
    if allowed is None:
        allowed = torch.ones_like(scores, dtype=torch.bool)
    allowed = allowed.expand_as(scores)
    shifted = scores.masked_fill(~allowed, -math.inf)
    e = torch.exp(shifted - shifted.amax(dim, keepdim=True)) * allowed
    return e / e.sum(dim, keepdim=True)


def _nan_message(case, out):
    for name, arr in out.items():
        if not np.isfinite(arr).all():
            return (f"{name} contains NaN or infinite values: a row of the scores was masked entirely "
                    "(is the mask inverted? True marks the keys a query MAY attend to)")
    return None


def _weights_message(case, out):
    message = _nan_message(case, out)
    if message:
        return message
    w = out.get("weights")
    if w is None:
        return None
    sums = w.sum(-1)
    if (abs(sums - 1) > 1e-4).any():
        return (f"each query's weights should sum to 1 over the keys (the last axis); "
                f"yours sum to values from {sums.min():.2f} to {sums.max():.2f}")
    mask = case.get("mask")
    if mask is not None:
        m = mask.numpy()
        if w.ndim == 4 and m.ndim == 3:
            m = m[:, None]  # one mask for every head
        try:
            forbidden = ~np.broadcast_to(m, w.shape)
        except ValueError:
            return None
        if forbidden.any() and abs(w[forbidden]).max() > 1e-6:
            return f"masked pairs get up to {abs(w[forbidden]).max():.2g} weight; they should get exactly 0"
    return None


# ---------------------------------------------------------- single head
def _mask_of_kind(gen, kind, b, t):
    """A (B, T, T) boolean mask, True = may attend: None, causal, padding or both."""
    if kind is None:
        return None
    if kind == "causal":
        return _causal(t)
    keys = _keys_real(_lengths(gen, b, t), t)[:, None, :].expand(b, t, t)
    return (keys & _causal(t)) if kind == "padding+causal" else keys.clone()


def _self_attention_cases(gen):
    cases = []
    for b, t, d, dk, dv, kind in [(2, 5, 6, 4, 3, None), (3, 6, 8, 4, 5, "causal"),
                                  (2, 7, 6, 3, 6, "padding+causal"), (3, 6, 5, 2, 4, "padding")]:
        x = _randn(gen, b, t, d)
        case = {"x": x, "W_q": _randn(gen, d, dk), "W_k": _randn(gen, d, dk), "W_v": _randn(gen, d, dv) / math.sqrt(d)}
        case["mask"] = _mask_of_kind(gen, kind, b, t)
        cases.append(case)
    return cases


def _single(c, *, scale=None, dim=-1, mask="as given", values=None, transpose=False, after=False):
    q = torch.einsum("btd,dk->btk", c["x"], c["W_q"])
    k = torch.einsum("btd,dk->btk", c["x"], c["W_k"])
    v = torch.einsum("btd,dk->btk", c["x"], c["W_v"]) if values is None else values
    scale = 1 / math.sqrt(c["W_q"].shape[1]) if scale is None else scale
    scores = torch.einsum("bik,bjk->bij", q, k) * scale
    if transpose:
        scores = scores.transpose(1, 2)
    m = c["mask"] if mask == "as given" else mask
    if after:
        weights = _softmax(scores, None, dim) * (m if m is not None else 1)
    elif m is not None and not isinstance(m, str):
        weights = _softmax(scores, m, dim)
    elif m == "fill zero":
        weights = _softmax(scores.masked_fill(~c["mask"], 0.0), None, dim)
    else:
        weights = _softmax(scores, None, dim)
    return {"out": torch.einsum("bij,bjd->bid", weights, v), "weights": weights}


def _with_mask(fn):
    """A mistake about masks only makes sense on a case that has one."""
    def wrapped(c):
        if c["mask"] is None:
            raise ValueError("no mask in this case")
        return fn(c)
    return wrapped


SCORES_PROBE_RIGHT = ("with every score equal ({zeroed} zeroed, so the weights are uniform) your output is right, "
                      "so the mistake is in the scores: how the queries and keys are formed, multiplied or scaled")
SCORES_PROBE_WRONG = ("even with every score equal ({zeroed} zeroed, so the weights are uniform) your output is "
                      "wrong, so the mistake is after the softmax: {after}")

SELF_ATTENTION_PROBES = (Probe(
    lambda c: c | {"W_q": torch.zeros_like(c["W_q"])},
    right=SCORES_PROBE_RIGHT.format(zeroed="W_q"),
    wrong=SCORES_PROBE_WRONG.format(zeroed="W_q", after="the values x @ W_v or the weighted sum over the keys")),)


register(Spec(
    name="ch02.self_attention", what="self_attention",
    forbidden=("scaled_dot_product_attention", "MultiheadAttention", "multi_head_attention_forward"),
    cases=_self_attention_cases,
    call={"args": ["x", "W_q", "W_k", "W_v", "mask"], "outputs": ["out", "weights"]},
    reference=_single,
    properties=_weights_message,
    probes=SELF_ATTENTION_PROBES,
    mistakes={
        "the scores are not divided by √d_k":
            lambda c: _single(c, scale=1.0),
        "you divided by √D, the width of x; the scale is √d_k, the width of the queries and keys":
            lambda c: _single(c, scale=1 / math.sqrt(c["x"].shape[-1])),
        "you divided by d_k instead of √d_k":
            lambda c: _single(c, scale=1 / c["W_q"].shape[1]),
        "the softmax runs over the queries (dim -2); each query's weights must sum to 1 over the keys (dim -1)":
            lambda c: _single(c, dim=-2),
        "the scores are transposed (K Qᵀ instead of Q Kᵀ): row i must hold query i's scores":
            lambda c: _single(c, transpose=True),
        "the values are not projected: use V = x @ W_v, not x itself":
            lambda c: _single(c, values=c["x"]),
        "the mask is ignored: forbidden pairs get weight":
            _with_mask(lambda c: _single(c, mask=None)),
        "masked scores were set to 0 instead of -inf, so forbidden pairs still get weight":
            _with_mask(lambda c: _single(c, mask="fill zero")),
        "the mask is applied after the softmax, so the rows no longer sum to 1":
            _with_mask(lambda c: _single(c, after=True)),
    },
))


# ---------------------------------------------------------------- masks
def _as_float(mask: torch.Tensor) -> torch.Tensor:
    return mask.to(torch.float64)


register(Spec(
    name="ch02.causal_mask", what="causal_mask",
    cases=lambda gen: [{"T": 4}, {"T": 7}, {"T": 1}],
    call={"args": ["T"], "outputs": ["mask"]},
    reference=lambda c: {"mask": _as_float(_causal(c["T"]))},
    mistakes={
        "the mask lets each query see the future (j >= i) instead of the past (j <= i)":
            lambda c: {"mask": _as_float(_causal(c["T"]).T)},
        "the diagonal is missing: a token may attend to itself (j <= i, not j < i)":
            lambda c: {"mask": _as_float(_causal(c["T"]) & ~torch.eye(c["T"], dtype=torch.bool))},
        "the mask is inverted: True must mark the pairs that MAY attend (j <= i)":
            lambda c: {"mask": _as_float(~_causal(c["T"]))},
        "you returned an additive mask (0 and -inf); return a bool mask, True where attending is allowed":
            lambda c: {"mask": torch.zeros(c["T"], c["T"], dtype=torch.float64).masked_fill(~_causal(c["T"]), -math.inf)},
    },
))


def _padding_cases(gen):
    cases = []
    for b, t in [(3, 5), (4, 8), (1, 3), (5, 6)]:
        cases.append({"lengths": _lengths(gen, b, t), "T": t})
    # a batch in which every sequence is shorter than T: the mask still has T columns
    cases.append({"lengths": torch.randint(1, 6, (3,), generator=gen), "T": 7})
    return cases


PADDING_MASK_HINT = (  # the likely cause of a RuntimeError in this task
    "usually shapes that do not fit: the T positions and the B lengths must broadcast against each "
    "other into (B, T)")


register(Spec(
    name="ch02.padding_mask", what="padding_mask",
    cases=_padding_cases,
    call={"args": ["lengths", "T"], "outputs": ["mask"],
          "hints": {"RuntimeError": PADDING_MASK_HINT}},
    reference=lambda c: {"mask": _as_float(_keys_real(c["lengths"], c["T"]))},
    mistakes={
        "the mask is inverted: True must mark the real tokens, not the padding":
            lambda c: {"mask": _as_float(~_keys_real(c["lengths"], c["T"]))},
        "one position too many: tokens 0 .. lengths[b] - 1 are real, position lengths[b] is already padding":
            lambda c: {"mask": _as_float(torch.arange(c["T"])[None, :] <= c["lengths"][:, None])},
        "the padding is at the end of each sequence, not at the start: real tokens come first":
            lambda c: {"mask": _as_float(torch.arange(c["T"])[None, :] >= c["T"] - c["lengths"][:, None])},
        "the mask should be (B, T), one row per sequence; yours is transposed":
            lambda c: {"mask": _as_float(_keys_real(c["lengths"], c["T"]).T)},
        "the mask has as many columns as the longest sequence; it must have T, even when every sequence is shorter":
            lambda c: {"mask": _as_float(_keys_real(c["lengths"], int(c["lengths"].max())))},
    },
))


def _attention_mask_cases(gen):
    cases = []
    for b, t, causal in [(3, 5, False), (4, 6, True), (2, 4, True), (3, 7, False)]:
        cases.append({"lengths": _lengths(gen, b, t), "T": t, "causal": causal})
    return cases


def _combined(c, *, rows=False, either=False, causal=None):
    keys = _keys_real(c["lengths"], c["T"])
    pad = keys[:, :, None] if rows else keys[:, None, :]
    pad = pad.expand(-1, c["T"], c["T"])
    use_causal = c["causal"] if causal is None else causal
    if not use_causal:
        return {"mask": _as_float(pad)}
    both = (pad | _causal(c["T"])) if either else (pad & _causal(c["T"]))
    return {"mask": _as_float(both)}


def _causal_only(fn, causal=True):
    """A mistake that shows only on the cases with (or, causal=False: without) the causal part."""
    def wrapped(c):
        if c["causal"] != causal:
            raise ValueError("this mistake does not apply to this case")
        return fn(c)
    return wrapped


def _no_padding_causal(c):
    """The probe's case: every sequence full length, causal=True, so the mask is the causal mask alone."""
    return c | {"lengths": torch.full_like(c["lengths"], c["T"]), "causal": True}


ATTENTION_MASK_PROBES = (Probe(
    _no_padding_causal,
    right="with no padding at all (every length = T, causal=True) your mask is right, so the mistake is in the "
          "padding part: key j of sequence b is real when j < lengths[b]",
    wrong="even with no padding at all (every length = T) your causal mask is wrong: with causal=True query i may "
          "attend to key j only when j <= i"),)


register(Spec(
    name="ch02.attention_mask", what="attention_mask",
    cases=_attention_mask_cases,
    # the reference masks of tasks 2 and 3 stand in for the student's: a mistake there costs those points only
    call={"args": ["lengths", "T", "causal"], "outputs": ["mask"],
          "given": {"causal_mask": "causal_mask", "padding_mask": "padding_mask"}},
    reference=_combined,
    probes=ATTENTION_MASK_PROBES,
    mistakes={
        "the padding masks the queries (rows) instead of the keys (columns): a padded token must not be read":
            lambda c: _combined(c, rows=True),
        "the masks are combined with OR; a key is allowed only when it is real AND not in the future":
            _causal_only(lambda c: _combined(c, either=True)),
        "with causal=True the causal part is missing: queries still see later keys":
            _causal_only(lambda c: _combined(c, causal=False)),
        "with causal=True the padding is dropped: only the causal mask is applied":
            _causal_only(lambda c: {"mask": _as_float(_causal(c["T"]).expand(len(c["lengths"]), -1, -1))}),
        "the causal mask was applied even though causal=False":
            _causal_only(lambda c: _combined(c, causal=True), causal=False),
    },
))


# ------------------------------------------------------------ multi-head
MHA_CONFIG = dict(dim=12, num_heads=3)


def _mha_cases(gen):
    C = MHA_CONFIG["dim"]
    cases = []
    for b, t, kind in [(2, 5, None), (3, 6, "causal"), (2, 7, "padding+causal"), (3, 4, "padding")]:
        state = {"qkv.weight": _randn(gen, 3 * C, C) / math.sqrt(C) * 1.5, "qkv.bias": 0.1 * _randn(gen, 3 * C),
                 "proj.weight": _randn(gen, C, C) / math.sqrt(C), "proj.bias": 0.1 * _randn(gen, C)}
        case = {"state": state, "x": _randn(gen, b, t, C)}
        case["mask"] = _mask_of_kind(gen, kind, b, t)
        cases.append(case)
    return cases


def _torch_mha(c):
    """The oracle: torch.nn.MultiheadAttention holding the same weights."""
    C, nh = MHA_CONFIG["dim"], MHA_CONFIG["num_heads"]
    s = c["state"]
    mha = torch.nn.MultiheadAttention(C, nh, bias=True, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(s["qkv.weight"])
        mha.in_proj_bias.copy_(s["qkv.bias"])
        mha.out_proj.weight.copy_(s["proj.weight"])
        mha.out_proj.bias.copy_(s["proj.bias"])
    mha.train()  # the reference math path, never a fast path
    x, mask = c["x"].double(), c["mask"]
    attn_mask = None
    if mask is not None:  # nn.MultiheadAttention's bool masks are True where attending is NOT allowed
        attn_mask = ~mask if mask.dim() == 2 else (~mask).repeat_interleave(nh, dim=0)
    out, weights = mha(x, x, x, attn_mask=attn_mask, need_weights=True, average_attn_weights=False)
    return {"out": out, "weights": weights}


def _mha_formula(c, *, split="heads", scale=None, dim=-1, use_mask=True, project=True, merge="transpose",
                 average=False):
    """Multi-head self-attention written out, with one knob per known mistake."""
    C, nh = MHA_CONFIG["dim"], MHA_CONFIG["num_heads"]
    hs = C // nh
    s, x = c["state"], c["x"].double()
    B, T, _ = x.shape
    qkv = x @ s["qkv.weight"].double().T + s["qkv.bias"].double()  # (B, T, 3C)
    if split == "per head":  # each head's q, k, v taken from one contiguous block of 3*hs outputs
        q, k, v = qkv.view(B, T, nh, 3 * hs).permute(0, 2, 1, 3).chunk(3, dim=-1)
    else:
        q, k, v = qkv.split(C, dim=-1)  # (B, T, C) each
        if split == "no transpose":
            q, k, v = (t.reshape(B, nh, T, hs) for t in (q, k, v))
        else:
            q, k, v = (t.view(B, T, nh, hs).transpose(1, 2) for t in (q, k, v))
    scale = hs ** -0.5 if scale is None else scale
    scores = torch.einsum("bhid,bhjd->bhij", q, k) * scale
    mask = c["mask"] if use_mask else None
    if mask is not None:
        mask = mask[:, None] if mask.dim() == 3 else mask
    weights = _softmax(scores, mask, dim)
    y = torch.einsum("bhij,bhjd->bhid", weights, v)
    y = y.transpose(1, 2).reshape(B, T, C) if merge == "transpose" else y.reshape(B, T, C)
    out = y @ s["proj.weight"].double().T + s["proj.bias"].double() if project else y
    return {"out": out, "weights": weights.mean(1) if average else weights}


def _uniform_heads(c):
    """The probe's case: the query rows of qkv (its first C outputs) zeroed, so every score is 0."""
    C = MHA_CONFIG["dim"]
    weight, bias = c["state"]["qkv.weight"].clone(), c["state"]["qkv.bias"].clone()
    weight[:C], bias[:C] = 0, 0
    return c | {"state": c["state"] | {"qkv.weight": weight, "qkv.bias": bias}}


MHA_PROBES = (Probe(
    _uniform_heads,
    right=SCORES_PROBE_RIGHT.format(zeroed="the query rows of qkv"),
    wrong=SCORES_PROBE_WRONG.format(zeroed="the query rows of qkv",
                                    after="the values, how the heads are merged, or the output projection")),)


register(Spec(
    name="ch02.multi_head_attention", what="MultiHeadSelfAttention",
    cases=_mha_cases,
    call={"construct": MHA_CONFIG, "state": "state", "args": ["x", "mask"], "outputs": ["out", "weights"]},
    reference=_torch_mha,
    properties=_weights_message,
    probes=MHA_PROBES,
    mistakes={
        "qkv's 3C outputs are all queries first, then all keys, then all values; you split them per head":
            lambda c: _mha_formula(c, split="per head"),
        "the heads are split with a plain reshape to (B, nh, T, hs); reshape to (B, T, nh, hs), then transpose(1, 2)":
            lambda c: _mha_formula(c, split="no transpose"),
        "the heads are merged with a plain reshape of (B, nh, T, hs); transpose(1, 2) back to (B, T, nh, hs) first":
            lambda c: _mha_formula(c, merge="reshape"),
        "the scores are scaled by 1/√C, the model width; each head's scale is 1/√head_dim":
            lambda c: _mha_formula(c, scale=MHA_CONFIG["dim"] ** -0.5),
        "the scores are not scaled by 1/√head_dim":
            lambda c: _mha_formula(c, scale=1.0),
        "the softmax runs over the queries (dim -2) instead of the keys (dim -1)":
            lambda c: _mha_formula(c, dim=-2),
        "the output projection proj is not applied to the concatenated heads":
            lambda c: _mha_formula(c, project=False),
        "return the weights of every head, (B, num_heads, T, T), not their average":
            lambda c: _mha_formula(c, average=True),
        "the mask is ignored: forbidden pairs get weight":
            _with_mask(lambda c: _mha_formula(c, use_mask=False)),
    },
))


# ------------------------------------------------------- sinusoidal code
def _sinusoid(c, *, layout="interleaved", column_freq=False, swap=False, start=0, grow=False):
    L, d = c["length"], c["dim"]
    t = torch.arange(start, start + L, dtype=torch.float64)[:, None]
    if column_freq:
        exps = torch.arange(d, dtype=torch.float64) / d  # one frequency per column
        ang = t * (10000.0 ** (exps if grow else -exps))
        even, odd = torch.sin(ang[:, 0::2]), torch.cos(ang[:, 1::2])
    else:
        two_i = torch.arange(0, d, 2, dtype=torch.float64)
        ang = t * (10000.0 ** ((two_i / d) if grow else -(two_i / d)))
        even, odd = torch.sin(ang), torch.cos(ang)
    if swap:
        even, odd = odd, even
    if layout == "concatenated":
        return {"pe": torch.cat([even, odd], dim=1)}
    pe = torch.empty(L, d, dtype=torch.float64)
    pe[:, 0::2], pe[:, 1::2] = even, odd
    return {"pe": pe}


def _pe_message(case, out):
    pe = out.get("pe")
    if pe is None:
        return None
    if not np.isfinite(pe).all():
        return "the code contains NaN or infinite values"
    if abs(pe).max() > 1 + 1e-4:
        return f"sines and cosines lie in [-1, 1]; your code reaches {abs(pe).max():.3g}"
    return None


SINUSOID_PROBES = (Probe(
    lambda c: c | {"dim": 2},
    right="with dim = 2 (one sine and one cosine, at frequency w_0 = 1) your encoding is right, so the mistake is "
          "in the frequencies of the other columns: w_i = 10000^(-2i/dim)"),)


register(Spec(
    name="ch02.sinusoidal_encoding", what="sinusoidal_encoding",
    cases=lambda gen: [{"length": 12, "dim": 8}, {"length": 50, "dim": 16}, {"length": 9, "dim": 6},
                       {"length": 100, "dim": 32}],
    call={"args": ["length", "dim"], "outputs": ["pe"]},
    reference=_sinusoid,
    properties=_pe_message,
    probes=SINUSOID_PROBES,
    mistakes={
        "the sines and cosines are concatenated ([sin | cos]); interleave them: sines in the even columns, cosines in the odd ones":
            lambda c: _sinusoid(c, layout="concatenated"),
        "every column has its own frequency 10000^(-j/dim); a sine and its cosine share one frequency, 10000^(-2i/dim)":
            lambda c: _sinusoid(c, column_freq=True),
        "sines and cosines are swapped: sines go in the even columns":
            lambda c: _sinusoid(c, swap=True),
        "the positions start at 1; the first position is 0":
            lambda c: _sinusoid(c, start=1),
        "the frequencies grow with i; they must shrink: t / 10000^(2i/dim), not t * 10000^(2i/dim)":
            lambda c: _sinusoid(c, grow=True),
    },
))
