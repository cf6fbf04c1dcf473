"""Hidden checks for ``02b_cost_and_nonlocal.ipynb``.

The non-local oracle is ``F.scaled_dot_product_attention`` (scale 1, the
embedded Gaussian has none) over the flattened positions, with the 1x1
convolutions written as einsums; the weights come from an explicit softmax.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ..core import Spec, register
from ..oracles import randn as _randn



# ---------------------------------------------------------------- count
def _pairs(T: int, radius) -> torch.Tensor:
    """Pairs (i, j) with |i - j| <= radius (all of them for None), counted by brute force."""
    if radius is None:
        return torch.tensor(float(T * T), dtype=torch.float64)
    i, j = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    return torch.tensor(float((np.abs(i - j) <= radius).sum()), dtype=torch.float64)


def _count(c, *, ends=True, clamp=True, one_sided=False, causal_full=False):
    T, r = c["T"], c["radius"]
    if r is None:
        return {"count": torch.tensor(float(T * (T + 1) // 2 if causal_full else T * T), dtype=torch.float64)}
    if one_sided:
        n = T * (r + 1) - r * (r + 1) // 2 if r < T else T * (T + 1) // 2
    elif not ends:
        n = T * (2 * r + 1)
    elif not clamp:
        n = T * (2 * r + 1) - r * (r + 1)
    else:
        return {"count": _pairs(T, r)}
    return {"count": torch.tensor(float(n), dtype=torch.float64)}


register(Spec(
    name="ch02.attention_weight_count", what="attention_weight_count",
    cases=lambda gen: [{"T": 9, "radius": 3}, {"T": 9, "radius": None}, {"T": 7, "radius": 0},
                       {"T": 4, "radius": 6}, {"T": 12, "radius": 11}, {"T": 1, "radius": None},
                       {"T": 300, "radius": 16}, {"T": 2, "radius": 1}],
    call={"args": ["T", "radius"], "outputs": ["count"]},
    reference=lambda c: {"count": _pairs(c["T"], c["radius"])},
    mistakes={
        "T * (2·radius + 1) counts keys beyond the ends: the first and last radius queries have fewer keys in the window":
            lambda c: _count(c, ends=False),
        "a window wider than the sequence holds every pair, T * T, and no more":
            lambda c: _count(c, clamp=False),
        "radius is the distance on each side: the window reaches radius keys before and radius keys after the query":
            lambda c: _count(c, one_sided=True),
        "full attention (radius None) holds all T * T pairs, not only those with j <= i":
            lambda c: _count(c, causal_full=True),
    },
))


# --------------------------------------------------------------- window
def _window(T: int, radius: int, *, strict=False, causal=False) -> torch.Tensor:
    i, j = torch.meshgrid(torch.arange(T), torch.arange(T), indexing="ij")
    near = (i - j).abs() < radius if strict else (i - j).abs() <= radius
    return near & (j <= i) if causal else near


register(Spec(
    name="ch02.local_window_mask", what="local_window_mask",
    cases=lambda gen: [{"T": 9, "radius": 3}, {"T": 7, "radius": 2}, {"T": 5, "radius": 0}, {"T": 4, "radius": 6}],
    call={"args": ["T", "radius"], "outputs": ["mask"]},
    reference=lambda c: {"mask": _window(c["T"], c["radius"]).double()},
    mistakes={
        "the window is one too narrow: |i - j| <= radius includes the keys exactly radius away":
            lambda c: {"mask": _window(c["T"], c["radius"], strict=True).double()},
        "the window only looks back (j <= i); it reaches radius keys on both sides":
            lambda c: {"mask": _window(c["T"], c["radius"], causal=True).double()},
        "the mask is inverted: True must mark the keys inside the window":
            lambda c: {"mask": (~_window(c["T"], c["radius"])).double()},
        "radius is the distance on each side, not the total width: the window holds 2·radius + 1 keys":
            lambda c: {"mask": _window(c["T"], c["radius"] // 2).double()},
    },
))


# ------------------------------------------------------------ non-local
NONLOCAL_CONFIG = dict(channels=6, inner_channels=4)


def _nonlocal_cases(gen):
    C, Ci = NONLOCAL_CONFIG["channels"], NONLOCAL_CONFIG["inner_channels"]
    cases = []
    for b, h, w in [(2, 3, 4), (1, 5, 2), (2, 4, 4)]:
        state = {}
        for name, (cout, cin) in {"theta": (Ci, C), "phi": (Ci, C), "g": (Ci, C), "out": (C, Ci)}.items():
            state[f"{name}.weight"] = _randn(gen, cout, cin, 1, 1) * 0.6
            state[f"{name}.bias"] = _randn(gen, cout) * 0.1
        cases.append({"state": state, "x": _randn(gen, b, C, h, w)})
    return cases


def _conv1x1(s, name, x):
    """A 1x1 convolution as an einsum: (B, C_in, H, W) -> (B, C_out, H, W)."""
    return torch.einsum("oc,bchw->bohw", s[f"{name}.weight"][:, :, 0, 0].double(), x) \
        + s[f"{name}.bias"].double()[None, :, None, None]


def _nonlocal(c, *, scale=1.0, dim=-1, swap=False, residual=True, merge="transpose", order="rows"):
    s, x = c["state"], c["x"].double()
    B, C, H, W = x.shape
    flat = (lambda t: t.flatten(2)) if order == "rows" else (lambda t: t.transpose(2, 3).flatten(2))
    theta, phi, g = (flat(_conv1x1(s, n, x)).transpose(1, 2) for n in ("theta", "phi", "g"))  # (B, HW, C')
    if swap:
        theta, phi = phi, theta
    scores = torch.einsum("bic,bjc->bij", theta, phi) * scale
    weights = torch.softmax(scores, dim=dim)
    if dim == -1 and scale == 1.0 and not swap:  # the reference path: an independent fused kernel
        y = F.scaled_dot_product_attention(theta[:, None], phi[:, None], g[:, None], scale=1.0)[:, 0]
    else:
        y = torch.einsum("bij,bjc->bic", weights, g)
    if merge == "transpose":
        y = y.transpose(1, 2)
        y = y.reshape(B, -1, H, W) if order == "rows" else y.reshape(B, -1, W, H).transpose(2, 3)
    else:  # (B, HW, C') read as (B, C', H, W) without moving the channel axis
        y = y.reshape(B, -1, H, W)
    z = _conv1x1(s, "out", y) + (x if residual else 0)
    return {"z": z, "weights": weights}


def _nonlocal_message(case, out):
    w = out.get("weights")
    if w is None:
        return None
    if not np.isfinite(w).all() or not np.isfinite(out["z"]).all():
        return "z or the weights contain NaN or infinite values"
    sums = w.sum(-1)
    if (abs(sums - 1) > 1e-4).any():
        return (f"each position's weights should sum to 1 over all positions j (the last axis); "
                f"yours sum to values from {sums.min():.2f} to {sums.max():.2f}")
    return None


NON_LOCAL_BLOCK_HINT = (  # the likely cause of a RuntimeError in this task
    "usually shapes that do not fit: y has the inner channels C' and x has C; the output convolution "
    "W_z maps C' back to C before the residual is added")


register(Spec(
    name="ch02.non_local_block", what="NonLocalBlock",
    cases=_nonlocal_cases,
    call={"construct": NONLOCAL_CONFIG, "state": "state", "args": ["x"], "outputs": ["z", "weights"],
          "hints": {"RuntimeError": NON_LOCAL_BLOCK_HINT}},
    reference=_nonlocal,
    properties=_nonlocal_message,
    mistakes={
        "the residual connection is missing: the block returns W_z y + x":
            lambda c: _nonlocal(c, residual=False),
        "the embedded Gaussian has no 1/√d scaling: f(x_i, x_j) = exp(θ(x_i)ᵀ φ(x_j))":
            lambda c: _nonlocal(c, scale=1 / math.sqrt(NONLOCAL_CONFIG["inner_channels"])),
        "the softmax normalises over the queries i (dim 1); C(x) sums over the positions j (the last axis)":
            lambda c: _nonlocal(c, dim=1),
        "θ embeds the query x_i and φ the keys x_j; yours are swapped (the weight matrix is transposed)":
            lambda c: _nonlocal(c, swap=True),
        "y was reshaped from (B, HW, C') to (B, C', H, W) without moving the channel axis first (transpose(1, 2))":
            lambda c: _nonlocal(c, merge="reshape"),
        "number the positions row by row (x.flatten(2)): position i = h * W + w":
            lambda c: _nonlocal(c, order="columns"),
    },
))
