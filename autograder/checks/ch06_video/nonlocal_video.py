"""Hidden checks for ``06b_nonlocal_video.ipynb``.

The oracle is the non-local operator written with einsums over the state dict's
1x1x1 convolution weights in float64, the keys and values max-pooled by (1, 2, 2)
with ``F.max_pool3d`` when the case sub-samples.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..core import Spec, register
from ..oracles import only_when, randn as _randn


def _cases(gen):
    cases = []
    for b, c, inner, t, h, w, sub in [(2, 6, 3, 3, 4, 6, True), (1, 4, 4, 2, 6, 4, True), (2, 5, 2, 4, 3, 3, False),
                                      (1, 3, 2, 1, 4, 4, True)]:
        state = {}
        for name, (o, i) in {"theta": (inner, c), "phi": (inner, c), "g": (inner, c), "out": (c, inner)}.items():
            state[name + ".weight"] = _randn(gen, o, i, 1, 1, 1) / math.sqrt(i)
            state[name + ".bias"] = 0.3 * _randn(gen, o)
        cases.append({"x": _randn(gen, b, c, t, h, w), "state": state, "channels": c, "inner_channels": inner,
                      "sub_sample": sub})
    return cases


def _conv(s, name, x):
    """A 1x1x1 convolution: (B, C, T, H, W) -> (B, C', T, H, W)."""
    w, b = s[name + ".weight"].double()[:, :, 0, 0, 0], s[name + ".bias"].double()
    return torch.einsum("oc,bcthw->bothw", w, x) + b[None, :, None, None, None]


def _nonlocal(c, *, pool="max", pool_first=False, order="thw", softmax_dim=-1, scale=False, residual=True,
              transposed_weights=False, y_transposed=True):
    s, x = c["state"], c["x"].double()
    b, ch, t, h, w = x.shape

    def sub(v):
        if not c["sub_sample"]:
            return v
        return F.max_pool3d(v, (1, 2, 2)) if pool == "max" else F.avg_pool3d(v, (1, 2, 2))

    def flat(v):  # (B, C', T, H, W) -> (B, C', positions) in the chosen order
        return (v if order == "thw" else v.transpose(-2, -1)).flatten(2)

    q = flat(_conv(s, "theta", x))                                    # (B, C', THW)
    if pool_first:
        k, v = flat(_conv(s, "phi", sub(x))), flat(_conv(s, "g", sub(x)))
    else:
        k, v = flat(sub(_conv(s, "phi", x))), flat(sub(_conv(s, "g", x)))  # (B, C', TH'W')
    scores = torch.einsum("bci,bcj->bij", q, k)
    if scale:
        scores = scores / math.sqrt(q.shape[1])
    weights = scores.softmax(softmax_dim)                              # (B, THW, TH'W')
    y = torch.einsum("bij,bcj->bci", weights, v)                       # (B, C', THW)
    if not y_transposed:  # (B, THW, C')'s memory read as (B, C', T, H, W)
        y = y.transpose(1, 2).contiguous()
    y = y.reshape(b, -1, *((t, h, w) if order == "thw" else (t, w, h)))
    if order != "thw":
        y = y.transpose(-2, -1)
    z = _conv(s, "out", y) + (x if residual else 0)
    if transposed_weights:  # one row per key: (B, TH'W', THW)
        weights = weights.transpose(1, 2)
    return {"z": z, "weights": weights}  # in the mistaken order, the weights' rows and columns are in that order


def _when(cond_fn, fn):
    def run(c):
        only_when(cond_fn(c))
        return fn(c)
    return run


def _sub(c):
    return c["sub_sample"]


register(Spec(
    name="ch06.nonlocal_block_3d", what="NonLocalBlock3d",
    cases=_cases,
    call={"args": ["x", "state", "channels", "inner_channels", "sub_sample"], "outputs": ["z", "weights"]},
    reference=_nonlocal,
    mistakes={
        "normalises the weights over the queries (softmax over dim 1); each query's weights over the keys sum to "
        "1: softmax over the last dimension":
            lambda c: _nonlocal(c, softmax_dim=1),
        "scales the scores by 1/sqrt(C'); the embedded Gaussian of the non-local block uses exp(theta^T phi) as it "
        "is (chapter 2)":
            lambda c: _nonlocal(c, scale=True),
        "pools x before phi and g; the official block pools their outputs, phi(x) and g(x), by (1, 2, 2)":
            _when(_sub, lambda c: _nonlocal(c, pool_first=True)),
        "average-pools the keys and values; the non-local block max-pools them (nn.MaxPool3d((1, 2, 2)), the "
        "given self.pool)":
            _when(_sub, lambda c: _nonlocal(c, pool="avg")),
        "does not sub-sample: with sub_sample=True phi(x) and g(x) go through self.pool before they are flattened":
            _when(_sub, lambda c: _nonlocal({**c, "sub_sample": False})),
        "flattens the positions as (T, W, H); x.flatten(2) orders them (T, H, W), w fastest":
            _when(lambda c: c["x"].shape[-1] != c["x"].shape[-2], lambda c: _nonlocal(c, order="twh")),
        "leaves out the residual: z = W_z y + x":
            lambda c: _nonlocal(c, residual=False),
        "returns the weights transposed, one row per key; return them one row per query, (B, T·H·W, T·H'·W'), "
        "each row summing to 1":
            lambda c: _nonlocal(c, transposed_weights=True),
        "reshapes y from (B, T·H·W, C') straight to (B, C', T, H, W), which scrambles channels and positions; "
        "transpose it to (B, C', T·H·W) first":
            lambda c: _nonlocal(c, y_transposed=False),
    },
))
