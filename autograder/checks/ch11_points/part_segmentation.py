"""Hidden checks for ``11b_part_segmentation.ipynb``.

``interpolate``'s oracle finds the neighbours with SciPy's k-d tree and weighs them in float64;
random clouds are redrawn until the neighbours' distances are at least 1e-3 apart, and one case puts
the coarse points among the fine ones (each such fine point must get its coarse point's features).
``TransitionUp`` is judged with the grader's own ``interpolate``, so a mistake there costs points once.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy.spatial import cKDTree

from ..core import Spec, register
from ..oracles import randn
from .point_attention import _cloud, _knn_gaps_ok, _needs, bn_state, linear_bn_relu

EPS = 1e-8


# ----------------------------------------------------------------- task 5
def _interp_cases(gen):
    cases = []
    for b, n, m, c, k, nested in [(2, 12, 5, 4, 3, False), (1, 10, 4, 3, 3, True), (2, 8, 6, 2, 1, False),
                                  (3, 9, 3, 5, 3, False), (1, 15, 7, 3, 5, False), (2, 7, 3, 4, 2, True)]:
        while True:
            fine = torch.stack([_cloud(gen, n) for _ in range(b)])
            coarse = fine[:, :m].clone() if nested else torch.stack([_cloud(gen, m) for _ in range(b)])
            if all(_knn_gaps_ok(fine[i].double().numpy(), coarse[i].double().numpy(), k) for i in range(b)):
                break
        cases.append({"pos_fine": fine, "pos_coarse": coarse, "features": randn(gen, b, m, c), "k": k})
    return cases


def _interp(c, *, power=2, normalise=True, weights="inverse", k=None, over="neighbours"):
    fine, coarse = c["pos_fine"].double().numpy(), c["pos_coarse"].double().numpy()
    feats, k = c["features"].double().numpy(), int(k or c["k"])
    out = []
    for f, p, x in zip(fine, coarse, feats):
        dist, near = cKDTree(p).query(f, k=list(range(1, k + 1)))                  # (N, k) each
        if weights == "inverse":
            w = 1.0 / (dist ** power + EPS)
        elif weights == "equal":
            w = np.ones_like(dist)
        elif weights == "softmax":  # a softmax of minus the squared distances
            w = np.exp(-(dist ** 2) + (dist ** 2).min(1, keepdims=True))
        else:  # weights that grow with the distance
            w = dist ** 2 + EPS
        if normalise:  # over each fine point's k neighbours, or (a mistake) over the fine points
            w = w / w.sum(1 if over == "neighbours" else 0, keepdims=True)
        out.append((w[..., None] * x[near]).sum(1))
    return {"out": torch.from_numpy(np.stack(out))}


def _interp_properties(c, outputs):
    """NaN or inf exactly at the fine points that are coarse points: a division by their zero distance."""
    hit = (c["pos_fine"][:, :, None] == c["pos_coarse"][:, None]).all(-1).any(-1).numpy()   # (B, N)
    bad = ~np.isfinite(outputs["out"]).all(-1)
    if hit.any() and bad.any() and not (bad & ~hit).any():
        return ("gives NaN or inf at the fine points that are coarse points (distance 0): add the 1e-8 to the "
                "squared distance before dividing: 1 / (d^2 + 1e-8)")
    return None


register(Spec(
    name="ch11.interpolate", what="interpolate",
    cases=_interp_cases,
    call={"args": ["pos_fine", "pos_coarse", "features"], "kwargs": ["k"], "outputs": ["out"], "grad_from": ["features"],
          "hints": {"IndexError": "an index out of range, often the two position sets swapped: the fine points are the "
                                  "queries, knn(pos_fine, pos_coarse, k), and the indices point into the coarse set"}},
    reference=_interp,
    properties=_interp_properties,
    forbidden=("cKDTree", "KDTree", "NearestNeighbors", "scipy", "sklearn"),
    mistakes={
        "does not normalise the weights: divide by their sum over the k neighbours, so that they sum to 1":
            lambda c: _interp(c, normalise=False),
        "weighs by the inverse distance, 1 / d; PointNet++'s interpolation (and this task) uses the inverse squared "
        "distance, 1 / (d^2 + 1e-8)":
            lambda c: _interp(c, power=1),
        "weighs by the inverse fourth power of the distance, 1 / (d^4 + 1e-8): the squared distance squared again; "
        "the weights are 1 / (d^2 + 1e-8)":
            lambda c: _interp(c, power=4),
        "normalises the weights over the fine points (dim 1); each fine point's k weights must sum to 1 (the last dim)":
            lambda c: _interp(c, over="points"),
        "copies the nearest coarse point's features only; the task averages over the k nearest, weighted by "
        "inverse squared distance":
            lambda c: _interp(_needs(c, int(c["k"]) > 1), k=1),
        "averages the k nearest with equal weights; nearer points must weigh more: 1 / (d^2 + 1e-8), normalised":
            lambda c: _interp(_needs(c, int(c["k"]) > 1), weights="equal"),
        "weighs by a softmax of minus the squared distances; the weights are inverse squared distances, "
        "1 / (d^2 + 1e-8), normalised to sum to 1":
            lambda c: _interp(_needs(c, int(c["k"]) > 1), weights="softmax"),
        "gives the farther points the larger weights (d^2 instead of 1 / d^2)":
            lambda c: _interp(_needs(c, int(c["k"]) > 1), weights="growing"),
        "ignores k and always uses the 3 nearest; the number of neighbours is the argument k":
            lambda c: _interp(_needs(c, int(c["k"]) != 3 and c["pos_coarse"].shape[1] >= 3), k=3),
    },
))


# ----------------------------------------------------------------- task 6
def _up_cases(gen):
    cases = []
    for b, n, m, cc, cf, co in [(2, 12, 4, 6, 4, 5), (1, 10, 5, 3, 3, 3), (2, 9, 3, 5, 6, 4), (1, 16, 6, 4, 2, 4)]:
        while True:
            fine = torch.stack([_cloud(gen, n) for _ in range(b)])
            coarse = fine[:, :m].clone()  # as after farthest point sampling: the coarse points are fine points
            coarse[:, 1:] += 0.3 * randn(gen, b, m - 1, 3)  # ... most of them moved, so the weights matter
            if all(_knn_gaps_ok(fine[i].double().numpy(), coarse[i].double().numpy(), 3) for i in range(b)):
                break
        state = {"up.0.weight": randn(gen, co, cc) / math.sqrt(cc), "up.0.bias": 0.2 * randn(gen, co),
                 "skip.0.weight": randn(gen, co, cf) / math.sqrt(cf), "skip.0.bias": 0.2 * randn(gen, co)}
        state.update(bn_state(gen, "up", co))
        state.update(bn_state(gen, "skip", co))
        cases.append({"coarse_dim": cc, "fine_dim": cf, "out_dim": co, "state": state, "x_coarse": randn(gen, b, m, cc),
                      "pos_coarse": coarse, "x_fine": randn(gen, b, n, cf), "pos_fine": fine})
    return cases


def _up(c, *, skip="layer", order="layer_first", k=3, resize=None):
    s = {key: v.double() for key, v in c["state"].items()}
    xc, xf = c["x_coarse"].double(), c["x_fine"].double()

    def interp(features):
        return _interp({"pos_fine": c["pos_fine"], "pos_coarse": c["pos_coarse"], "features": features, "k": k})["out"]

    if resize is not None:  # F.interpolate along the point axis, as for a 1-D signal
        up = F.interpolate(linear_bn_relu(s, "up", xc).transpose(1, 2), size=xf.shape[1], mode=resize).transpose(1, 2)
    elif order == "layer_first":
        up = interp(linear_bn_relu(s, "up", xc))
    else:  # interpolated first, the layer after
        up = linear_bn_relu(s, "up", interp(xc))
    if skip == "none":
        return {"out": up}
    if skip == "concat":
        return {"out": torch.cat([up, linear_bn_relu(s, "skip", xf)], -1)}
    return {"out": up + linear_bn_relu(s, "skip", xf)}


register(Spec(
    name="ch11.transition_up", what="TransitionUp",
    cases=_up_cases,
    call={"construct": {}, "construct_kwargs": ["coarse_dim", "fine_dim", "out_dim"], "state": "state", "mode": "eval",
          "args": ["x_coarse", "pos_coarse", "x_fine", "pos_fine"], "outputs": ["out"],
          "given": {"interpolate": "interpolate"}, "grad_from": ["x_coarse"],
          "hints": {"IndexError": "an index out of range, often the two position sets swapped: interpolate takes "
                                  "the fine positions first, then the coarse ones",
                    "RuntimeError": "often shapes that do not fit: self.up takes x_coarse (coarse_dim channels), "
                                    "self.skip takes x_fine (fine_dim), both give out_dim, and the interpolation "
                                    "goes from pos_coarse to pos_fine"},
          "init_changed": "has layers whose names or shapes differ from the given ones: self.up = nn.Sequential("
                          "nn.Linear(coarse_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU()); self.skip = the same "
                          "from fine_dim; keep them as they are"},
    reference=_up,
    mistakes={
        "leaves out the skip connection: the encoder's features at the fine points, through self.skip, are the "
        "second branch of the sum":
            lambda c: _up(c, skip="none"),
        "concatenates the two branches; transition up sums them":
            lambda c: _up(c, skip="concat"),
        "interpolates the coarse features before self.up; the paper applies the layer at the coarse points, then "
        "interpolates":
            lambda c: _up(c, order="interpolate_first"),
        "interpolates from the single nearest coarse point; use interpolate's default k = 3":
            lambda c: _up(c, k=1),
        "resizes the coarse features along the point axis with F.interpolate (mode='nearest'), as for an image; "
        "points have no grid order: interpolate onto the fine points from their nearest coarse points in space":
            lambda c: _up(c, resize="nearest"),
        "resizes the coarse features along the point axis with F.interpolate (mode='linear'), as for a signal; "
        "points have no grid order: interpolate onto the fine points from their nearest coarse points in space":
            lambda c: _up(c, resize="linear"),
    },
))
