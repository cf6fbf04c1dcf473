"""Hidden checks for ``03b_char_lm.ipynb``.

The key/value cache is judged against PyTorch's ``nn.MultiheadAttention`` run
*without* a cache over the whole sequence (cached and new positions together),
with the student's ``c_attn``/``c_proj`` weights copied in: a correct cache gives
exactly the uncached outputs for the new positions.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..core import Spec, register

C, NH = 16, 4
HS = C // NH
ATTN_CONFIG = dict(n_embd=C, n_head=NH, block_size=32, vocab_size=20, dropout=0.0, bias=True, fused=False)


def _randn(gen, *shape):
    return torch.randn(*shape, generator=gen)


def _heads(t, nh=NH):
    """(B, T, C) -> (B, nh, T, hs)"""
    b, n, _ = t.shape
    return t.view(b, n, nh, C // nh).transpose(1, 2)


def _project(s, x, nh=NH):
    """q, k, v of x, each (B, nh, T, hs)."""
    q, k, v = F.linear(x, s["c_attn.weight"], s["c_attn.bias"]).split(C, -1)
    return _heads(q, nh), _heads(k, nh), _heads(v, nh)


# ------------------------------------------------------------ KV cache
def _kv_cases(gen, nh=NH):
    cases = []
    for b, p, t in [(2, 0, 5), (2, 4, 1), (3, 3, 3), (2, 6, 2)]:
        state = {"c_attn.weight": 2 * _randn(gen, 3 * C, C) / math.sqrt(C), "c_attn.bias": 0.2 * _randn(gen, 3 * C),
                 "c_proj.weight": _randn(gen, C, C) / math.sqrt(C), "c_proj.bias": 0.2 * _randn(gen, C)}
        x_past, x = _randn(gen, b, p, C), _randn(gen, b, t, C)
        case = {"state": state, "x_past": x_past, "x": x, "past_k": None, "past_v": None, "n_head": nh}
        if p:
            _, case["past_k"], case["past_v"] = _project(state, x_past, nh)
        cases.append(case)
    return cases


def _reference(c):
    """One uncached pass of PyTorch's multi-head attention over past + new positions."""
    s = c["state"]
    x_all = torch.cat([c["x_past"], c["x"]], 1)
    n, t, nh = x_all.shape[1], c["x"].shape[1], c["n_head"]
    mha = nn.MultiheadAttention(C, nh, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(s["c_attn.weight"])
        mha.in_proj_bias.copy_(s["c_attn.bias"])
        mha.out_proj.weight.copy_(s["c_proj.weight"])
        mha.out_proj.bias.copy_(s["c_proj.bias"])
    future = torch.ones(n, n, dtype=torch.bool).triu(1)  # True = may NOT attend (PyTorch's convention)
    y, _ = mha(x_all, x_all, x_all, attn_mask=future, need_weights=False)
    _, k, v = _project(s, x_all, nh)
    return {"y": y[:, n - t:], "k": k, "v": v}


def _variant(c, *, mask="offset", use_past=True, new_first=False, head_scale=True, return_new_only=False,
             attn_drop=1.0, resid_drop=1.0, n_head=None):
    """The attention written out, with one thing changed to give a known mistake's outputs.  attn_drop
    and resid_drop: the factors of the dropout stand-ins on the weights and on the output."""
    s, nh = c["state"], n_head or c["n_head"]
    q, k_new, v_new = _project(s, c["x"], nh)
    t, p = q.shape[2], c["x_past"].shape[1]
    if use_past and c["past_k"] is not None:
        pair = ((k_new, c["past_k"]), (v_new, c["past_v"])) if new_first else ((c["past_k"], k_new), (c["past_v"], v_new))
        k, v = torch.cat(pair[0], 2), torch.cat(pair[1], 2)
    else:
        k, v, p = k_new, v_new, 0
    n = k.shape[2]
    scores = torch.einsum("bhtd,bhsd->bhts", q, k) / math.sqrt(C // nh if head_scale else C)
    allowed = {"offset": torch.ones(t, n, dtype=torch.bool).tril(diagonal=n - t),
               "top_left": torch.ones(t, n, dtype=torch.bool).tril(),
               "none": torch.ones(t, n, dtype=torch.bool)}[mask]
    weights = scores.masked_fill(~allowed, float("-inf")).softmax(-1) * attn_drop
    y = torch.einsum("bhts,bhsd->bthd", weights, v).reshape(q.shape[0], t, C)
    y = F.linear(y, s["c_proj.weight"], s["c_proj.bias"]) * resid_drop
    if return_new_only:
        k, v = k_new, v_new
    return {"y": y, "k": k, "v": v}


def _shape_message(case, out):
    k = out.get("k")
    t, p = case["x"].shape[1], case["x_past"].shape[1]
    if k is not None and k.ndim == 4 and k.shape[2] != p + t:
        return f"the returned keys cover {k.shape[2]} positions; after {p} cached and {t} new ones they should cover {p + t}"
    return None


KV_MISTAKES = {
    "the causal mask is aligned to the top left: with P cached positions, new query i is position P + i and may see "
    "keys 0 .. P + i (tril(diagonal=P)); is_causal=True is right only without a cache":
        lambda c: _variant(c, mask="top_left"),
    "the cached keys and values are not used: concatenate them before the new ones along the time axis, "
    "torch.cat([past_k, k], dim=2)":
        lambda c: _variant(c, use_past=False),
    "the new keys and values are put before the cached ones; the cache comes first, torch.cat([past_k, k], dim=2)":
        lambda c: _variant(c, new_first=True),
    "there is no causal mask: a position attends to the positions after it":
        lambda c: _variant(c, mask="none"),
    "the scores are scaled by 1/sqrt(n_embd); scale by 1/sqrt(head size), the size of one head's queries and keys":
        lambda c: _variant(c, head_scale=False),
    "the returned keys and values must cover all P + T positions, the cached ones and the new ones: they are the next cache":
        lambda c: _variant(c, return_new_only=True),
}

for _fused, _suffix in [(False, ""), (True, "_fused")]:
    register(Spec(
        name=f"ch03.kv_cache_attention{_suffix}",
        what=f"CausalSelfAttention ({'fused path, fused=True' if _fused else 'explicit path, fused=False'})",
        cases=_kv_cases,
        call={"construct": {"config": ATTN_CONFIG | {"fused": _fused}}, "state": "state",
              "args": ["x", "past_k", "past_v"], "outputs": ["y", "k", "v"],
              "hints": {"RuntimeError": "usually shapes that do not fit: q, k and v are (B, nh, T, hs) once the heads "
                                        "are split, and the cache joins the new keys and values along the time "
                                        "axis (dim 2)"}},
        reference=_reference,
        mistakes=KV_MISTAKES,
        properties=_shape_message,
    ))

# The cases above fix n_head = 4 and dropout = 0; these vary what a fixed configuration cannot reach.
KV_HINTS = {"RuntimeError": "usually shapes that do not fit: split C into config.n_head heads of C // n_head "
                            "channels; nothing in the attention may assume a number of heads"}
register(Spec(
    name="ch03.kv_cache_attention_heads", what="CausalSelfAttention with n_head=2 (head size 8)",
    cases=lambda gen: _kv_cases(gen, nh=2)[:1],  # no cache: code with a fixed head count runs, and is named
    call={"construct": {"config": ATTN_CONFIG | {"n_head": 2}}, "state": "state",
          "args": ["x", "past_k", "past_v"], "outputs": ["y", "k", "v"], "hints": KV_HINTS},
    reference=_reference,
    mistakes={"the number of heads is fixed in the code: with n_head=2 there are 2 heads of 8 channels; "
              "use config.n_head": lambda c: _variant(c, n_head=NH)},
))
register(Spec(
    name="ch03.kv_cache_attention_eval", what="CausalSelfAttention with dropout=0.5, in eval mode (model.eval())",
    cases=lambda gen: _kv_cases(gen)[:2],
    call={"construct": {"config": ATTN_CONFIG | {"dropout": 0.5, "fused": True}}, "state": "state", "mode": "eval",
          "args": ["x", "past_k", "past_v"], "outputs": ["y", "k", "v"]},
    reference=_reference,
))


register(Spec(
    name="ch03.kv_cache_attention_dropout", what="CausalSelfAttention in training mode, with stand-ins for "
                                                 "attn_dropout and resid_dropout that halve their input",
    cases=lambda gen: _kv_cases(gen)[:3],
    call={"construct": {"config": ATTN_CONFIG}, "state": "state",
          "swap": {"attn_dropout": "half_dropout", "resid_dropout": "half_dropout"},
          "args": ["x", "past_k", "past_v"], "outputs": ["y", "k", "v"]},
    reference=lambda c: _variant(c, attn_drop=0.5, resid_drop=0.5),
    mistakes={
        "attn_dropout is not applied: it drops attention weights, softmax -> attn_dropout -> @ v":
            lambda c: _variant(c, resid_drop=0.5),
        "resid_dropout is not applied: it drops the output of c_proj":
            lambda c: _variant(c, attn_drop=0.5),
        "neither attn_dropout nor resid_dropout is applied in training mode":
            lambda c: _variant(c),
    },
))


# ------------------------------------------------------- parameter count
def _arch_cases(gen):
    def r(lo, hi):
        return int(torch.randint(lo, hi + 1, (1,), generator=gen))

    cases = []
    # The first cases switch every option on, so that each mistake gives its own number; an encoder
    # comes first, where an untied output layer and unshared embeddings do not give the same count.
    for i, (kind, extras) in enumerate([
        ("encoder", dict(n_positions=r(5, 20), n_segments=r(2, 3), embedding_norm=True, final_norm=True, pooler=True)),
        ("encoder-decoder", dict(n_positions=r(5, 20), n_segments=r(2, 3), embedding_norm=True, final_norm=True, pooler=True)),
        ("decoder", dict(n_positions=r(5, 20), final_norm=True)),
        ("encoder-decoder", dict()),
        ("encoder", dict(n_positions=r(5, 20), n_segments=2, embedding_norm=True, pooler=True)),
        ("decoder", dict()),
    ]):
        d = 4 * r(2, 6)
        cases.append({"config": dict(name=f"case {i}", kind=kind, n_layer=r(1, 4), d_model=d, n_head=[1, 2, 4][r(0, 2)],
                                     d_ff=r(2, 5) * d + r(0, 3), vocab_size=r(10, 60), **extras)})
    return cases


def _count(c, *, bias=True, out_proj=True, norms=2, cross=True, shared_embedding=True, tied=True,
           per_head=False, positions=True, decoder_cross=False, extras=True, final_norms_per_stack=True):
    """An independent count (summed module by module), with one thing changed for a known mistake."""
    cfg = dict(n_positions=0, n_segments=0, embedding_norm=False, final_norm=False, pooler=False) | c["config"]
    d, f, vocab = cfg["d_model"], cfg["d_ff"], cfg["vocab_size"]
    b = 1 if bias else 0

    def linear(i, o):
        return i * o + b * o

    ln = {2: 2 * d, 1: d, 0: 0}[norms]
    attn = (4 if out_proj else 3) * linear(d, d)
    if per_head:
        attn *= cfg["n_head"]
    ffn = linear(d, f) + linear(f, d)
    enc = attn + ffn + 2 * ln
    dec = (2 * attn if cross else attn) + ffn + (3 if cross else 2) * ln
    kind, n = cfg["kind"], cfg["n_layer"]
    if kind == "encoder-decoder":
        blocks = n * (enc + dec)
    elif kind == "decoder" and decoder_cross:
        blocks = n * (2 * attn + ffn + 3 * ln)
    else:
        blocks = n * enc
    tables = 1 if (shared_embedding or kind != "encoder-decoder") else 2
    emb = tables * vocab * d + (0 if tied else vocab * d)
    if positions:
        emb += (cfg["n_positions"] + cfg["n_segments"]) * d
    if extras:
        stacks = 2 if kind == "encoder-decoder" and final_norms_per_stack else 1
        emb += ln * cfg["embedding_norm"] + ln * cfg["final_norm"] * stacks + linear(d, d) * cfg["pooler"]
    return {"n_params": torch.tensor(float(blocks + emb), dtype=torch.float64)}


register(Spec(
    name="ch03.count_parameters", what="count_parameters",
    cases=_arch_cases,
    call={"args": ["config"], "outputs": ["n_params"]},
    reference=_count,
    atol=0.5,
    mistakes={
        "the biases are not counted: every linear layer has one, as many as its outputs":
            lambda c: _count(c, bias=False),
        "the attention's output projection W_O is missing: attention has four d x d matrices, W_Q, W_K, W_V and W_O":
            lambda c: _count(c, out_proj=False),
        "the layer norms are not counted: each has a scale and a shift, 2 d parameters":
            lambda c: _count(c, norms=0),
        "a layer norm has two vectors, the scale and the shift: 2 d parameters, not d":
            lambda c: _count(c, norms=1),
        "the decoder blocks of an encoder-decoder have a cross-attention and a third layer norm":
            lambda c: _count(c, cross=False),
        "a decoder-only model has no cross-attention: its blocks are like encoder blocks":
            lambda c: _count(c, decoder_cross=True),
        "encoder and decoder share one token embedding table":
            lambda c: _count(c, shared_embedding=False),
        "the output layer is tied to the token embedding: it adds no parameters":
            lambda c: _count(c, tied=False),
        "the attention parameters do not depend on the number of heads: the heads split the same d_model columns":
            lambda c: _count(c, per_head=True),
        "the position and segment embeddings (n_positions x d_model, n_segments x d_model) are not counted":
            lambda c: _count(c, positions=False),
        "the extras are not counted: embedding_norm and final_norm are layer norms, pooler a d x d layer with bias":
            lambda c: _count(c, extras=False),
        "one final layer norm per stack: an encoder-decoder with final_norm has two, after the encoder and after the decoder":
            lambda c: _count(c, final_norms_per_stack=False),
    },
))
