"""Hidden checks for ``03a_transformer_blocks.ipynb``.

The references are PyTorch's own layers with the student's weight layout copied
in (``F.layer_norm``, ``nn.TransformerEncoderLayer``, ``nn.TransformerDecoderLayer``),
so the check does not share the solution's code path.  The known mistakes are
computed by a small functional transformer written here, with one thing changed.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..core import Probe, Spec, register


def _randn(gen, *shape):
    return torch.randn(*shape, generator=gen)


def _lengths_mask(gen, batch: int, length: int, low: int = 1) -> torch.Tensor:
    """(B, L) bool, True for real tokens; row 0 has no padding, the others random lengths >= low."""
    lengths = torch.randint(low, length + 1, (batch,), generator=gen)
    lengths[0] = length
    return torch.arange(length)[None, :] < lengths[:, None]


# ----------------------------------------------------------------- layer norm
def _ln_cases(gen):
    cases = []
    for shape, scale, eps in [((2, 3, 8), 2.0, 1e-5), ((5, 16), 1.0, 1e-5), ((2, 4, 6), 0.03, 1e-3),
                              ((3, 2, 10), 1.0, 0.1)]:
        c = shape[-1]
        x = scale * (_randn(gen, *shape) + 2 * _randn(gen, *shape[:-1], 1))  # every vector has its own mean
        cases.append({"x": x, "weight": 1 + 0.5 * _randn(gen, c), "bias": 0.5 * _randn(gen, c), "eps": eps})
    return cases


def _ln(x, w, b, eps=1e-5, *, unbiased=False, dim=-1, eps_outside=False, affine=True, shift_first=False,
        variance_only=False):
    mean = x.mean(dim, keepdim=True)
    var = x.var(dim, keepdim=True, unbiased=unbiased)
    if variance_only:
        xhat = (x - mean) / (var + eps)
    elif eps_outside:
        xhat = (x - mean) / (var.sqrt() + eps)
    else:
        xhat = (x - mean) / torch.sqrt(var + eps)
    if not affine:
        return xhat
    return (xhat + b) * w if shift_first else xhat * w + b


def _normalised(c):
    """The probe's inputs: every vector already normalised (mean 0, variance 1), so x_hat is x."""
    x = c["x"] - c["x"].mean(-1, keepdim=True)
    return c | {"x": x / x.pow(2).mean(-1, keepdim=True).sqrt(), "eps": 1e-6}


LN_PROBES = (Probe(
    _normalised,
    right="on vectors already normalised (mean 0, variance 1) your output is right, so the mistake is in the "
          "normalisation: the mean you subtract or the spread you divide by (which formula, over which axis)",
    wrong="even on vectors already normalised (mean 0, variance 1), where x_hat is x itself, your output is wrong, "
          "so the mistake is in the scale and shift: the output is weight * x_hat + bias"),)


def _ln_case(c, **kw):
    kw.setdefault("eps", c["eps"])
    return {"out": _ln(c["x"], c["weight"], c["bias"], **kw)}


register(Spec(
    name="ch03.layer_norm", what="layer_norm",
    forbidden=("layer_norm", "LayerNorm", "var", "var_mean", "std", "std_mean"),
    cases=_ln_cases,
    call={"args": ["x", "weight", "bias", "eps"], "outputs": ["out"]},
    reference=lambda c: {"out": F.layer_norm(c["x"], (c["x"].shape[-1],), c["weight"], c["bias"], c["eps"])},
    probes=LN_PROBES,
    mistakes={
        "you used the unbiased variance (dividing by C - 1); layer norm divides by C, the mean of the squared deviations":
            lambda c: _ln_case(c, unbiased=True),
        "eps is added to the standard deviation; it belongs under the square root, sqrt(var + eps)":
            lambda c: _ln_case(c, eps_outside=True),
        "you divided by the variance; divide by the standard deviation sqrt(var + eps)":
            lambda c: _ln_case(c, variance_only=True),
        "the mean and variance are taken over the batch (dim 0); layer norm normalises every vector over its own features, the last axis":
            lambda c: _ln_case(c, dim=0),
        "the learned scale (weight) and shift (bias) are not applied":
            lambda c: _ln_case(c, affine=False),
        "the shift is added before scaling; the output is weight * x_hat + bias":
            lambda c: _ln_case(c, shift_first=True),
        "eps is missing: without it a vector with (almost) no spread is divided by (almost) zero":
            lambda c: _ln_case(c, eps=0.0),
        "eps is fixed at 1e-5: use the eps argument":
            lambda c: _ln_case(c, eps=1e-5),
    },
))


# --------------------------------------------------------- weights of a block
D, NH, DFF = 16, 4, 24
BLOCK_CONFIG = dict(d_model=D, n_head=NH, d_ff=DFF, dropout=0.0, norm_first=False)


def _linear(gen, out_dim, in_dim, scale=1.0):
    return {"weight": scale * _randn(gen, out_dim, in_dim) / math.sqrt(in_dim), "bias": 0.2 * _randn(gen, out_dim)}


def _prefixed(prefix, params):
    return {f"{prefix}{k}": v for k, v in params.items()}


def _mha_state(gen, prefix):
    s = {}
    s |= _prefixed(prefix + "q_proj.", _linear(gen, D, D, 2.0))
    s |= _prefixed(prefix + "kv_proj.", _linear(gen, 2 * D, D, 2.0))
    s |= _prefixed(prefix + "out_proj.", _linear(gen, D, D))
    return s


def _ln_state(gen, prefix):
    return {prefix + "weight": 1 + 0.3 * _randn(gen, D), prefix + "bias": 0.2 * _randn(gen, D)}


def _ffn_state(gen, prefix):
    return _prefixed(prefix + "c_fc.", _linear(gen, DFF, D)) | _prefixed(prefix + "c_proj.", _linear(gen, D, DFF))


def _encoder_state(gen, prefix=""):
    return (_mha_state(gen, prefix + "attn.") | _ln_state(gen, prefix + "ln_1.") | _ffn_state(gen, prefix + "ffn.")
            | _ln_state(gen, prefix + "ln_2."))


def _decoder_state(gen, prefix=""):
    return (_mha_state(gen, prefix + "self_attn.") | _ln_state(gen, prefix + "ln_1.")
            | _mha_state(gen, prefix + "cross_attn.") | _ln_state(gen, prefix + "ln_2.")
            | _ffn_state(gen, prefix + "ffn.") | _ln_state(gen, prefix + "ln_3."))


# ------------------------------------------- PyTorch's layers as the oracle
def _copy_mha(torch_mha: nn.MultiheadAttention, s, p):
    torch_mha.in_proj_weight.copy_(torch.cat([s[p + "q_proj.weight"], s[p + "kv_proj.weight"]]))
    torch_mha.in_proj_bias.copy_(torch.cat([s[p + "q_proj.bias"], s[p + "kv_proj.bias"]]))
    torch_mha.out_proj.weight.copy_(s[p + "out_proj.weight"])
    torch_mha.out_proj.bias.copy_(s[p + "out_proj.bias"])


def _copy_common(layer, s, p):
    layer.linear1.weight.copy_(s[p + "ffn.c_fc.weight"])
    layer.linear1.bias.copy_(s[p + "ffn.c_fc.bias"])
    layer.linear2.weight.copy_(s[p + "ffn.c_proj.weight"])
    layer.linear2.bias.copy_(s[p + "ffn.c_proj.bias"])
    for i in (1, 2, 3):
        if hasattr(layer, f"norm{i}"):
            getattr(layer, f"norm{i}").weight.copy_(s[f"{p}ln_{i}.weight"])
            getattr(layer, f"norm{i}").bias.copy_(s[f"{p}ln_{i}.bias"])


def torch_encoder_layer(s, p="", *, norm_first):
    layer = nn.TransformerEncoderLayer(D, NH, DFF, dropout=0.0, batch_first=True, norm_first=norm_first)
    with torch.no_grad():
        _copy_mha(layer.self_attn, s, p + "attn.")
        _copy_common(layer, s, p)
    return layer.train()  # dropout is 0; train mode keeps PyTorch off its fused inference path


def torch_decoder_layer(s, p="", *, norm_first):
    layer = nn.TransformerDecoderLayer(D, NH, DFF, dropout=0.0, batch_first=True, norm_first=norm_first)
    with torch.no_grad():
        _copy_mha(layer.self_attn, s, p + "self_attn.")
        _copy_mha(layer.multihead_attn, s, p + "cross_attn.")
        _copy_common(layer, s, p)
    return layer.train()


def _causal(t):
    return nn.Transformer.generate_square_subsequent_mask(t)


# ------------------------------------ a functional transformer for the mistakes
def f_mha(s, p, x, ctx=None, *, key_mask=None, causal=False, head_scale=True):
    ctx = x if ctx is None else ctx
    b, t, c = x.shape
    n, hs = ctx.shape[1], c // NH
    q = F.linear(x, s[p + "q_proj.weight"], s[p + "q_proj.bias"]).view(b, t, NH, hs)
    k, v = F.linear(ctx, s[p + "kv_proj.weight"], s[p + "kv_proj.bias"]).split(c, -1)
    k, v = k.view(b, n, NH, hs), v.view(b, n, NH, hs)
    scores = torch.einsum("bthd,bshd->bhts", q, k) / math.sqrt(hs if head_scale else c)
    allowed = torch.ones(b, 1, t, n, dtype=torch.bool)
    if key_mask is not None:
        allowed = allowed & key_mask[:, None, None, :]
    if causal:
        allowed = allowed & torch.ones(t, n, dtype=torch.bool).tril()
    weights = scores.masked_fill(~allowed, float("-inf")).softmax(-1)
    y = torch.einsum("bhts,bshd->bthd", weights, v).reshape(b, t, c)
    return F.linear(y, s[p + "out_proj.weight"], s[p + "out_proj.bias"])


def f_ffn(s, p, x, act=F.relu):
    return F.linear(act(F.linear(x, s[p + "c_fc.weight"], s[p + "c_fc.bias"])), s[p + "c_proj.weight"], s[p + "c_proj.bias"])


def f_ln(s, p, x):
    return F.layer_norm(x, (x.shape[-1],), s[p + "weight"], s[p + "bias"])


def _sublayer(x, sub, ln, style):
    """One sub-layer with its Add & Norm in a given (right or wrong) style."""
    if style == "post":
        return ln(x + sub(x))
    if style == "pre":
        return x + sub(ln(x))
    if style == "no_residual_post":
        return ln(sub(x))
    if style == "no_residual_pre":
        return sub(ln(x))
    if style == "norm_output_only":
        return x + ln(sub(x))
    if style == "pre_normalised_residual":
        h = ln(x)
        return h + sub(h)
    raise ValueError(style)


def f_encoder(s, p, x, mask, *, styles, lns=("ln_1.", "ln_2."), use_mask=True):
    attn = lambda h: f_mha(s, p + "attn.", h, key_mask=mask if use_mask else None)  # noqa: E731
    ffn = lambda h: f_ffn(s, p + "ffn.", h)  # noqa: E731
    x = _sublayer(x, attn, lambda h: f_ln(s, p + lns[0], h), styles[0])
    return _sublayer(x, ffn, lambda h: f_ln(s, p + lns[1], h), styles[1])


def f_decoder(s, p, x, memory, mask, *, styles, causal=True, cross_from_self=False, use_mask=True,
              cross_causal=False, cross_first=False):
    self_attn = lambda h: f_mha(s, p + "self_attn.", h, causal=causal)  # noqa: E731
    cross_ctx = (lambda h: h) if cross_from_self else (lambda h: memory)
    cross_mask = mask if use_mask and not cross_from_self else None  # a source mask cannot apply to x
    cross = lambda h: f_mha(s, p + "cross_attn.", h, cross_ctx(h), key_mask=cross_mask, causal=cross_causal)  # noqa: E731
    ffn = lambda h: f_ffn(s, p + "ffn.", h)  # noqa: E731
    subs = [(self_attn, "ln_1."), (cross, "ln_2."), (ffn, "ln_3.")]
    if cross_first:
        subs = [(cross, "ln_1."), (self_attn, "ln_2."), (ffn, "ln_3.")]
    for (sub, ln), style in zip(subs, styles):
        x = _sublayer(x, sub, lambda h, ln=ln: f_ln(s, p + ln, h), style)
    return x


# ------------------------------------------- probes: one sub-layer switched off
def _zeroed(*sublayers):
    """A probe's case: the first case with the output projections of these sub-layers zeroed, so that
    each adds nothing to the residual stream (the rest of the block still runs)."""
    def derive(c):
        state = {k: torch.zeros_like(v) if k.split(".")[0] in sublayers and k.split(".")[-2] in ("out_proj", "c_proj")
                 else v for k, v in c["state"].items()}
        return c | {"state": state}
    return derive


def _sublayer_probes(named: dict[str, str]) -> tuple[Probe, ...]:
    """named: state prefix -> how the message names that sub-layer.  One probe per sub-layer (right on it:
    the mistake is in that sub-layer), then one with all of them off (wrong on it: the residual path)."""
    probes = [Probe(_zeroed(prefix), right=f"with the {name}'s output zeroed your block is right, so the mistake is in "
                                         f"the {name} sub-layer: what it reads, "
                                         f"{'its mask, ' if 'attention' in name else ''}or how its output joins "
                                         "the residual stream")
              for prefix, name in named.items()]
    probes.append(Probe(_zeroed(*named), wrong="even with every sub-layer's output zeroed your block is wrong, so the "
                                               "mistake is on the residual path: the residual connections or the "
                                               "layer norms (which one, and where it is applied)"))
    return tuple(probes)


ENCODER_PROBES = _sublayer_probes({"attn": "self-attention", "ffn": "feed-forward"})
DECODER_PROBES = _sublayer_probes({"self_attn": "masked self-attention", "cross_attn": "cross-attention",
                                   "ffn": "feed-forward"})


def _negative_hidden(c):
    """The probe's case: every hidden pre-activation far below 0, where ReLU gives 0."""
    return c | {"state": c["state"] | {"c_fc.bias": torch.full_like(c["state"]["c_fc.bias"], -100.0)}}


FFN_PROBES = (Probe(_negative_hidden, wrong="where every hidden pre-activation is negative, ReLU gives 0 and the "
                                            "output is c_proj's bias alone; yours is not: check the activation "
                                            "between the two linear layers"),)


# ----------------------------------------------------------------- FFN
def _ffn_cases(gen):
    return [{"state": _ffn_state(gen, ""), "x": _randn(gen, b, t, D)} for b, t in [(2, 5), (3, 4)]]


FEED_FORWARD_HINT = (  # the likely cause of a RuntimeError in this task
    "usually shapes that do not fit: c_fc maps d_model to d_ff and c_proj maps d_ff back to d_model")


register(Spec(
    name="ch03.feed_forward", what="FeedForward",
    cases=_ffn_cases,
    call={"construct": {"config": BLOCK_CONFIG}, "state": "state", "args": ["x"], "outputs": ["out"],
          "hints": {"RuntimeError": FEED_FORWARD_HINT}},
    reference=lambda c: {"out": nn.functional.linear(
        torch.relu(nn.functional.linear(c["x"], c["state"]["c_fc.weight"], c["state"]["c_fc.bias"])),
        c["state"]["c_proj.weight"], c["state"]["c_proj.bias"])},
    probes=FFN_PROBES,
    mistakes={
        "there is no non-linearity between the two linear layers, so the FFN collapses to one linear map":
            lambda c: {"out": f_ffn(c["state"], "", c["x"], act=lambda h: h)},
        "the paper's FFN uses ReLU, not GELU":
            lambda c: {"out": f_ffn(c["state"], "", c["x"], act=F.gelu)},
        "the FFN returns x + FFN(x): the residual connection belongs to the block, not to the FFN":
            lambda c: {"out": c["x"] + f_ffn(c["state"], "", c["x"])},
        "there is a ReLU after the second linear layer too: the FFN's output must be able to be negative":
            lambda c: {"out": torch.relu(f_ffn(c["state"], "", c["x"]))},
    },
))


# ------------------------------------------------------------ encoder block
def _encoder_cases(gen):
    return [{"state": _encoder_state(gen), "x": _randn(gen, b, t, D), "mask": _lengths_mask(gen, b, t)}
            for b, t in [(3, 6), (2, 5)]]


def _encoder_reference(norm_first):
    def reference(c):
        layer = torch_encoder_layer(c["state"], norm_first=norm_first)
        return {"out": layer(c["x"], src_key_padding_mask=~c["mask"])}
    return reference


def _enc(c, styles, **kw):
    return {"out": f_encoder(c["state"], "", c["x"], c["mask"], styles=styles, **kw)}


register(Spec(
    name="ch03.encoder_block", what="EncoderBlock (post-norm, norm_first=False)",
    cases=_encoder_cases,
    call={"construct": {"config": BLOCK_CONFIG}, "state": "state", "args": ["x", "mask"], "outputs": ["out"]},
    reference=_encoder_reference(False),
    probes=ENCODER_PROBES,
    mistakes={
        "you computed a pre-norm block: with norm_first=False (the paper's post-norm) each sub-layer is LayerNorm(x + Sublayer(x))":
            lambda c: _enc(c, ("pre", "pre")),
        "there is no residual connection around the self-attention: LayerNorm(x + Attention(x))":
            lambda c: _enc(c, ("no_residual_post", "post")),
        "there is no residual connection around the feed-forward network: LayerNorm(x + FFN(x))":
            lambda c: _enc(c, ("post", "no_residual_post")),
        "the layer norm is applied to the sub-layer's output only; post-norm normalises the sum, LayerNorm(x + Sublayer(x))":
            lambda c: _enc(c, ("norm_output_only", "norm_output_only")),
        "the padding mask is not passed to the self-attention (key_mask=mask), so real tokens attend to padding":
            lambda c: _enc(c, ("post", "post"), use_mask=False),
        "each sub-layer has its own layer norm: ln_1 for the attention, ln_2 for the FFN":
            lambda c: _enc(c, ("post", "post"), lns=("ln_1.", "ln_1.")),
    },
))

register(Spec(
    name="ch03.encoder_block_pre_norm", what="EncoderBlock (pre-norm, norm_first=True)",
    cases=_encoder_cases,
    call={"construct": {"config": BLOCK_CONFIG | {"norm_first": True}}, "state": "state", "args": ["x", "mask"],
          "outputs": ["out"]},
    reference=_encoder_reference(True),
    probes=ENCODER_PROBES,
    mistakes={
        "you computed a post-norm block: with norm_first=True each sub-layer is x + Sublayer(LayerNorm(x))":
            lambda c: _enc(c, ("post", "post")),
        "the pre-norm residual adds the normalised x; keep x itself on the residual path: x + Sublayer(LayerNorm(x))":
            lambda c: _enc(c, ("pre_normalised_residual", "pre_normalised_residual")),
        "there is no residual connection around the self-attention: x + Attention(LayerNorm(x))":
            lambda c: _enc(c, ("no_residual_pre", "pre")),
        "there is no residual connection around the feed-forward network: x + FFN(LayerNorm(x))":
            lambda c: _enc(c, ("pre", "no_residual_pre")),
        "the padding mask is not passed to the self-attention (key_mask=mask), so real tokens attend to padding":
            lambda c: _enc(c, ("pre", "pre"), use_mask=False),
        "each sub-layer has its own layer norm: ln_1 for the attention, ln_2 for the FFN":
            lambda c: _enc(c, ("pre", "pre"), lns=("ln_1.", "ln_1.")),
    },
))


# ------------------------------------------------- encoder block: dropout
# The checks above run with dropout 0.  These two reach what dropout > 0 changes: in eval mode the block
# must compute exactly what it computes without dropout; in training mode, stand-ins for self.dropout
# that halve their input (instead of dropping at random) show where the block applies it.
def _dropout_cases(gen):
    # pre-norm first: only there is a dropout on the residual sum told apart from none (layer norm
    # undoes a scale), and the first case that tells a mistake apart names it
    return [{"state": _encoder_state(gen), "x": _randn(gen, 2, 5, D), "mask": _lengths_mask(gen, 2, 5),
             "config": BLOCK_CONFIG | {"norm_first": norm_first}} for norm_first in (True, False)]


def _enc_dropped(c, *, factors=(0.5, 0.5), on_sum=False):
    """The block with the stand-in's factor on each sub-layer's output (or, wrongly, on the residual sum)."""
    s, x, pre = c["state"], c["x"], c["config"]["norm_first"]
    subs = [(lambda h: f_mha(s, "attn.", h, key_mask=c["mask"]), "ln_1."), (lambda h: f_ffn(s, "ffn.", h), "ln_2.")]
    for (sub, ln), factor in zip(subs, factors):
        norm = lambda h, ln=ln: f_ln(s, ln, h)  # noqa: E731
        if on_sum:
            x = 0.5 * (x + sub(norm(x))) if pre else norm(0.5 * (x + sub(x)))
        else:
            x = x + factor * sub(norm(x)) if pre else norm(x + factor * sub(x))
    return {"out": x}


register(Spec(
    name="ch03.encoder_block_dropout_eval", what="EncoderBlock with dropout=0.5, in eval mode (model.eval())",
    cases=lambda gen: [c | {"config": c["config"] | {"dropout": 0.5}} for c in _dropout_cases(gen)],
    call={"construct": "config", "state": "state", "mode": "eval", "args": ["x", "mask"],
          "outputs": ["out"]},
    reference=lambda c: {"out": torch_encoder_layer(c["state"], norm_first=c["config"]["norm_first"])(
        c["x"], src_key_padding_mask=~c["mask"])},
))

register(Spec(
    name="ch03.encoder_block_dropout", what="EncoderBlock in training mode, with a stand-in for self.dropout "
                                            "that halves its input",
    cases=_dropout_cases,
    call={"construct": "config", "state": "state", "swap": {"dropout": "half_dropout"}, "args": ["x", "mask"],
          "outputs": ["out"]},
    reference=_enc_dropped,
    mistakes={
        "the sub-layers' outputs do not go through self.dropout: each is dropped before it is added to x, "
        "x + Dropout(Sublayer(...))":
            lambda c: _enc_dropped(c, factors=(1.0, 1.0)),
        "dropout is applied to the residual sum; it belongs on the sub-layer's output, before the addition":
            lambda c: _enc_dropped(c, on_sum=True),
        "only the attention's output goes through self.dropout; the FFN's output does too":
            lambda c: _enc_dropped(c, factors=(0.5, 1.0)),
        "only the FFN's output goes through self.dropout; the attention's output does too":
            lambda c: _enc_dropped(c, factors=(1.0, 0.5)),
    },
))


# ------------------------------------------------------------ decoder block
def _decoder_cases(gen):
    return [{"state": _decoder_state(gen), "x": _randn(gen, b, t, D), "memory": _randn(gen, b, s, D),
             "memory_mask": _lengths_mask(gen, b, s)}
            for b, t, s in [(3, 5, 7), (2, 4, 3)]]


def _decoder_reference(norm_first):
    def reference(c):
        layer = torch_decoder_layer(c["state"], norm_first=norm_first)
        t = c["x"].shape[1]
        return {"out": layer(c["x"], c["memory"], tgt_mask=_causal(t), memory_key_padding_mask=~c["memory_mask"])}
    return reference


def _dec(c, styles, **kw):
    return {"out": f_decoder(c["state"], "", c["x"], c["memory"], c["memory_mask"], styles=styles, **kw)}


def _decoder_mistakes(style, other, no_residual, name):
    return {
        f"you computed a {other}-norm block: with norm_first={name == 'pre'} the paper's order is "
        + ("LayerNorm(x + Sublayer(x))" if style == "post" else "x + Sublayer(LayerNorm(x))"):
            lambda c: _dec(c, (other,) * 3),
        "the self-attention is not causal (causal=True): position t sees the target tokens after it":
            lambda c: _dec(c, (style,) * 3, causal=False),
        "the cross-attention reads the decoder's own states; its keys and values come from the encoder output, memory":
            lambda c: _dec(c, (style,) * 3, cross_from_self=True),
        "the memory padding mask is not passed to the cross-attention (key_mask=memory_mask)":
            lambda c: _dec(c, (style,) * 3, use_mask=False),
        "the cross-attention must not be causal: every target position may read the whole source":
            lambda c: _dec(c, (style,) * 3, cross_causal=True),
        "the sub-layers are in the wrong order: masked self-attention first, then cross-attention, then the FFN":
            lambda c: _dec(c, (style,) * 3, cross_first=True),
        "there is no residual connection around the cross-attention":
            lambda c: _dec(c, (style, no_residual, style)),
    }


DECODER_BLOCK_HINT = (  # the likely cause of a RuntimeError in this task
    "usually shapes that do not fit: the target stream is (B, T, C) and memory (B, S, C); "
    "the cross-attention's queries come from the target stream, its keys and values from memory")


register(Spec(
    name="ch03.decoder_block", what="DecoderBlock (post-norm, norm_first=False)",
    cases=_decoder_cases,
    call={"construct": {"config": BLOCK_CONFIG}, "state": "state", "args": ["x", "memory", "memory_mask"],
          "outputs": ["out"],
          "hints": {"RuntimeError": DECODER_BLOCK_HINT}},
    reference=_decoder_reference(False),
    probes=DECODER_PROBES,
    mistakes=_decoder_mistakes("post", "pre", "no_residual_post", "post"),
))

register(Spec(
    name="ch03.decoder_block_pre_norm", what="DecoderBlock (pre-norm, norm_first=True)",
    cases=_decoder_cases,
    call={"construct": {"config": BLOCK_CONFIG | {"norm_first": True}}, "state": "state",
          "args": ["x", "memory", "memory_mask"], "outputs": ["out"],
          "hints": {"RuntimeError": DECODER_BLOCK_HINT}},
    reference=_decoder_reference(True),
    probes=DECODER_PROBES,
    mistakes=_decoder_mistakes("pre", "post", "no_residual_pre", "pre"),
))


# ------------------------------------------------------------- whole model
SRC_V, TGT_V, N_LAYER, MAX_LEN = 11, 9, 2, 16
MODEL_CONFIG = BLOCK_CONFIG | dict(src_vocab_size=SRC_V, tgt_vocab_size=TGT_V, n_layer=N_LAYER, max_len=MAX_LEN,
                                   bos_id=1, pad_id=0)


def _model_state(gen, norm_first, head_scale=1.0):
    s = {"src_embed.weight": 0.3 * _randn(gen, SRC_V, D), "tgt_embed.weight": 0.3 * _randn(gen, TGT_V, D)}
    for i in range(N_LAYER):
        s |= _encoder_state(gen, f"encoder.{i}.")
    for i in range(N_LAYER):
        s |= _decoder_state(gen, f"decoder.{i}.")
    if norm_first:
        s |= _ln_state(gen, "enc_norm.") | _ln_state(gen, "dec_norm.")
    s |= _prefixed("lm_head.", _linear(gen, TGT_V, D, head_scale))
    return s


def _sequences(gen, batch, length, vocab, *, target):
    """Random token sequences padded with 0 at the end; targets are <bos> ... <eos> <pad>..."""
    if not target:
        mask = _lengths_mask(gen, batch, length, low=2)
        return torch.randint(3, vocab, (batch, length), generator=gen) * mask
    n = torch.randint(1, length - 1, (batch,), generator=gen)
    n[0] = length - 2
    out = torch.zeros(batch, length, dtype=torch.long)
    for i in range(batch):
        out[i, 0], out[i, n[i] + 1] = 1, 2
        out[i, 1:n[i] + 1] = torch.randint(3, vocab, (int(n[i]),), generator=gen)
    return out


def _model_cases(norm_first):
    def cases(gen):
        return [{"state": _model_state(gen, norm_first), "src": _sequences(gen, b, s, SRC_V, target=False),
                 "tgt": _sequences(gen, b, t, TGT_V, target=True)}
                for b, s, t in [(3, 7, 6), (4, 5, 7)]]
    return cases


def positions(n, d):
    """Sinusoidal encodings, written independently of the notebook's version."""
    pe = torch.zeros(n, d)
    for i in range(0, d, 2):
        angle = torch.arange(n, dtype=torch.float64) / (10000.0 ** (i / d))
        pe[:, i], pe[:, i + 1] = torch.sin(angle).float(), torch.cos(angle).float()
    return pe


def _ref_embed(s, table, ids):
    return F.embedding(ids, s[table]) * math.sqrt(D) + positions(MAX_LEN, D)[: ids.shape[1]]


def ref_encode(s, src, norm_first):
    mask = src != 0
    x = _ref_embed(s, "src_embed.weight", src)
    for i in range(N_LAYER):
        x = torch_encoder_layer(s, f"encoder.{i}.", norm_first=norm_first)(x, src_key_padding_mask=~mask)
    if norm_first:
        x = f_ln(s, "enc_norm.", x)
    return x, mask


def ref_decode(s, tgt_in, memory, mask, norm_first):
    y = _ref_embed(s, "tgt_embed.weight", tgt_in)
    for i in range(N_LAYER):
        layer = torch_decoder_layer(s, f"decoder.{i}.", norm_first=norm_first)
        y = layer(y, memory, tgt_mask=_causal(tgt_in.shape[1]), memory_key_padding_mask=~mask)
    if norm_first:
        y = f_ln(s, "dec_norm.", y)
    return F.linear(y, s["lm_head.weight"], s["lm_head.bias"])


def _model_reference(norm_first):
    def reference(c):
        s, tgt = c["state"], c["tgt"]
        memory, mask = ref_encode(s, c["src"], norm_first)
        logits = ref_decode(s, tgt[:, :-1], memory, mask, norm_first)
        return {"logits": logits, "loss": F.cross_entropy(logits.flatten(0, 1), tgt[:, 1:].flatten(), ignore_index=0)}
    return reference


def f_model(c, norm_first, *, scale=True, pos=True, pos_scaled=False, use_mask=True, keep_encoder=True,
            final_norm=True, full_target=False, unshifted_labels=False, ignore_pad=True):
    """The model written functionally, with one thing changed to give a known mistake's outputs."""
    s, src, tgt = c["state"], c["src"], c["tgt"]
    style = ("pre" if norm_first else "post",) * 3

    def embed(table, ids):
        e = F.embedding(ids, s[table])
        pe = positions(MAX_LEN, D)[: ids.shape[1]] if pos else 0.0
        if pos_scaled:
            return (e + pe) * math.sqrt(D)
        return e * (math.sqrt(D) if scale else 1.0) + pe

    mask = src != 0
    used_mask = mask if use_mask else torch.ones_like(mask)
    x = embed("src_embed.weight", src)
    h = x
    for i in range(N_LAYER):
        h = f_encoder(s, f"encoder.{i}.", h, used_mask, styles=style[:2])
    memory = h if keep_encoder else x
    if norm_first and final_norm:
        memory = f_ln(s, "enc_norm.", memory)
    tgt_in = tgt if full_target else tgt[:, :-1]
    y = embed("tgt_embed.weight", tgt_in)
    for i in range(N_LAYER):
        y = f_decoder(s, f"decoder.{i}.", y, memory, used_mask, styles=style)
    if norm_first and final_norm:
        y = f_ln(s, "dec_norm.", y)
    logits = F.linear(y, s["lm_head.weight"], s["lm_head.bias"])
    scored = logits[:, :-1] if full_target else logits
    labels = tgt[:, :-1] if unshifted_labels else tgt[:, 1:]
    loss = F.cross_entropy(scored.flatten(0, 1), labels.flatten(), ignore_index=0 if ignore_pad else -100)
    return {"logits": logits, "loss": loss}


def _model_mistakes(norm_first):
    m = {
        "the token embeddings are not multiplied by sqrt(d_model)":
            lambda c: f_model(c, norm_first, scale=False),
        "the positional encodings are not added: without them the model cannot tell the order of the tokens":
            lambda c: f_model(c, norm_first, pos=False),
        "the positional encodings are scaled by sqrt(d_model) too: scale the token embeddings, then add the positions":
            lambda c: f_model(c, norm_first, pos_scaled=True),
        "the source padding mask is not used: real tokens attend to padding in the encoder and in the cross-attention":
            lambda c: f_model(c, norm_first, use_mask=False),
        "memory is the embedded source: the encoder blocks' outputs are not kept (x = block(x, src_mask))":
            lambda c: f_model(c, norm_first, keep_encoder=False),
        "the decoder reads the whole target; with teacher forcing its input is tgt[:, :-1] and the labels tgt[:, 1:]":
            lambda c: f_model(c, norm_first, full_target=True),
        "the labels are not shifted: position t must predict the next token, tgt[:, 1:], not its own input":
            lambda c: f_model(c, norm_first, unshifted_labels=True),
        "padding counts in the loss: pass ignore_index=pad_id to the cross-entropy":
            lambda c: f_model(c, norm_first, ignore_pad=False),
    }
    if norm_first:
        m["the final layer norms of a pre-norm model (enc_norm after the encoder, dec_norm before lm_head) are not applied"] = \
            lambda c: f_model(c, norm_first, final_norm=False)
    return m


for _norm_first, _suffix, _label in [(False, "", "post-norm"), (True, "_pre_norm", "pre-norm")]:
    register(Spec(
        name=f"ch03.transformer{_suffix}", what=f"Transformer ({_label})",
        cases=_model_cases(_norm_first),
        call={"construct": {"config": MODEL_CONFIG | {"norm_first": _norm_first}}, "state": "state", "method": "forward",
              "args": ["src", "tgt"], "outputs": ["logits", "loss"],
              "hints": {"RuntimeError": "usually shapes that do not fit: ids are (B, T), so the positions follow "
                                        "axis 1, and F.cross_entropy takes (N, V) logits with (N,) labels"}},
        reference=_model_reference(_norm_first),
        mistakes=_model_mistakes(_norm_first),
    ))


# ----------------------------------------------------------------- greedy
def _ref_greedy(c, *, start=None, first_only=False, use_mask=True, with_bos=False):
    s = c["state"]
    memory, mask = ref_encode(s, c["src"], False)
    if not use_mask:
        mask = torch.ones_like(mask)
    start = c.get("config", MODEL_CONFIG)["bos_id"] if start is None else start
    ys = torch.full((c["src"].shape[0], 1), start, dtype=torch.long)
    gaps = []
    for _ in range(c["steps"]):
        logits = ref_decode(s, ys[:, :1] if first_only else ys, memory, mask, False)[:, -1]
        top = logits.topk(2, -1).values
        gaps.append((top[:, 0] - top[:, 1]).min())
        ys = torch.cat([ys, logits.argmax(-1, keepdim=True)], 1)
    return {"tokens": ys if with_bos else ys[:, 1:]}, min(gaps)


def _mistakes_show(case) -> bool:
    """Every known mistake decodes other tokens than the reference on this case (a fresh seed can
    draw a model whose first prediction is repeated anyway, hiding "predicts from <bos> only")."""
    tokens = _ref_greedy(case)[0]["tokens"]
    return all(not torch.equal(tokens, _ref_greedy(case, **variant)[0]["tokens"])
               for variant in ({"first_only": True}, {"start": 0}, {"use_mask": False}))


def _greedy_cases(gen):
    cases = []
    for b, s, steps in [(4, 6, 7), (3, 8, 5)]:
        while True:  # no near-ties between the two best tokens, so the argmax is robust to rounding
            case = {"state": _model_state(gen, False, head_scale=4.0), "src": _sequences(gen, b, s, SRC_V, target=False),
                    "steps": steps}
            if _ref_greedy(case)[1] > 0.05 and _mistakes_show(case):
                break
        cases.append(case)
    return cases


GREEDY_HINT = (  # the likely cause of a RuntimeError in this task
    "usually shapes that do not fit: each step's next tokens must be a (B, 1) column, appended to the "
    "(B, t) decoder input along axis 1")


register(Spec(
    name="ch03.greedy", what="Translator.greedy",
    cases=_greedy_cases,
    call={"construct": {"config": MODEL_CONFIG}, "state": "state", "method": "greedy", "args": ["src", "steps"],
          "outputs": ["tokens"],
          "hints": {"RuntimeError": GREEDY_HINT}},
    reference=lambda c: _ref_greedy(c)[0],
    mistakes={
        "the tokens include the <bos> you started from: return the steps predicted tokens only, (B, steps)":
            lambda c: _ref_greedy(c, with_bos=True)[0],
        "every step predicts from the <bos> position only: take the logits of the last position (logits[:, -1]) "
        "and append each prediction to the decoder's input":
            lambda c: _ref_greedy(c, first_only=True)[0],
        "decoding starts from padding (id 0); the decoder's first input is <bos> (config.bos_id)":
            lambda c: _ref_greedy(c, start=0)[0],
        "the source padding mask is not passed to decode, so the cross-attention reads padding":
            lambda c: _ref_greedy(c, use_mask=False)[0],
    },
))


def _greedy_bos_cases(gen):
    """A model whose <bos> is not id 1, where a literal 1 decodes other tokens than config.bos_id."""
    while True:
        case = {"state": _model_state(gen, False, head_scale=4.0), "src": _sequences(gen, 3, 6, SRC_V, target=False),
                "steps": 5, "config": MODEL_CONFIG | {"bos_id": 6}}
        reference, gap = _ref_greedy(case)
        if gap > 0.05 and not torch.equal(reference["tokens"], _ref_greedy(case, start=1)[0]["tokens"]):
            return [case]


register(Spec(
    name="ch03.greedy_bos_id", what="Translator.greedy with config.bos_id = 6",
    cases=_greedy_bos_cases,
    call={"construct": "config", "state": "state", "method": "greedy", "args": ["src", "steps"],
          "outputs": ["tokens"], "hints": {"RuntimeError": GREEDY_HINT}},
    reference=lambda c: _ref_greedy(c)[0],
    mistakes={"decoding starts from id 1 written in the code: the decoder's first input is config.bos_id, "
              "which need not be 1": lambda c: _ref_greedy(c, start=1)[0]},
))
