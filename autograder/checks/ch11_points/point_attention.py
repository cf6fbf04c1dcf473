"""Hidden checks for ``11a_point_attention.ipynb``.

The oracles are independent of the tasks' natural solutions: SciPy's k-d tree for the neighbours, a
NumPy loop over the steps of farthest point sampling, and loops in float64 over points and neighbours
for the attention layer and the transition down.  Random clouds are redrawn until no two candidate
distances that decide a verdict are within 1e-3 of each other, so rounding never picks between
near-ties.  One case of the attention layer holds a cloud and the same cloud relabelled; an answer
that treats the two differently is told it is not permutation-equivariant.  ``TransitionDown`` is
judged with the grader's own ``knn`` and ``farthest_point_sample``, so a mistake there costs points
once.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from scipy.spatial import cKDTree

from ..core import Spec, register
from ..oracles import only_when, randn

GAP = 1e-3  # the smallest margin between distances that decide an answer


# ----------------------------------------------------------------- clouds without near-ties
def _knn_gaps_ok(query: np.ndarray, points: np.ndarray, k: int) -> bool:
    d = np.sort(np.linalg.norm(query[:, None] - points[None], axis=-1), axis=-1)[:, :min(k + 1, points.shape[0])]
    return bool((np.diff(d, axis=-1) > GAP).all())


def _fps_np(points: np.ndarray, m: int, *, update="min", pick="argmax", start=0, running=True) -> tuple[list, float]:
    """Farthest point sampling in float64, and the smallest margin between the best and second-best choice."""
    chosen, margin = [start], math.inf
    nearest = np.full(len(points), np.inf)
    for _ in range(1, m):
        d = np.linalg.norm(points - points[chosen[-1]], axis=-1)
        if not running:
            nearest = d
        else:
            nearest = np.minimum(nearest, d) if update == "min" else np.where(np.isinf(nearest), d, np.maximum(nearest, d))
        order = np.argsort(-nearest if pick == "argmax" else nearest, kind="stable")
        if len(order) > 1:
            margin = min(margin, abs(nearest[order[0]] - nearest[order[1]]))
        chosen.append(int(order[0]))
    return chosen, margin


def _cloud(gen, n, *, flat=False):
    p = randn(gen, n, 3)
    if flat:  # a 2-D set, as the digits are
        p[:, 2] = 0
    return p


def _fps_cloud(gen, n, m, **kw):
    for _ in range(100):
        p = _cloud(gen, n, **kw)
        if _fps_np(p.double().numpy(), m)[1] > GAP:
            return p
    raise RuntimeError("no tie-free cloud found")


# ----------------------------------------------------------------- task 1
def _knn_cases(gen):
    cases = []
    for b, m, n, k, same, flat in [(2, 5, 12, 3, False, False), (3, 16, 16, 4, True, False), (1, 7, 9, 9, False, False),
                                   (2, 10, 10, 1, True, True), (2, 6, 20, 5, False, True)]:
        while True:
            points = torch.stack([_cloud(gen, n, flat=flat) for _ in range(b)])
            query = points.clone() if same else torch.stack([_cloud(gen, m, flat=flat) for _ in range(b)])
            if all(_knn_gaps_ok(query[i].double().numpy(), points[i].double().numpy(), k) for i in range(b)):
                break
        cases.append({"query": query, "points": points, "k": k})
    return cases


def _knn(c, *, drop_self=False, farthest=False, flat_batch=False, reverse=False):
    q, p, k = c["query"].double().numpy(), c["points"].double().numpy(), int(c["k"])
    b, n = p.shape[0], p.shape[1]
    if flat_batch:  # one search over every cloud's points together: indices into the concatenation
        tree = cKDTree(p.reshape(-1, 3))
        return {"idx": torch.from_numpy(np.stack([tree.query(q[i], k=[j + 1 for j in range(k)])[1] for i in range(b)]))}
    out = []
    for i in range(b):
        if farthest:
            d = np.linalg.norm(q[i][:, None] - p[i][None], axis=-1)
            out.append(np.argsort(-d, axis=-1)[:, :k])
            continue
        kk = k + 1 if drop_self else k
        only_when(kk <= n)
        idx = cKDTree(p[i]).query(q[i], k=list(range(1, kk + 1)))[1]
        idx = idx[:, 1:] if drop_self else idx
        out.append(idx[:, ::-1] if reverse else idx)
    return {"idx": torch.from_numpy(np.stack(out).copy())}


def _needs(c, condition):
    only_when(condition)
    return c


register(Spec(
    name="ch11.knn", what="knn",
    cases=_knn_cases,
    call={"args": ["query", "points", "k"], "outputs": ["idx"], "integer": ["idx"]},
    reference=_knn,
    mistakes={
        "returns the k farthest points (topk picks the largest by default): pass largest=False, or sort ascending":
            lambda c: _knn(c, farthest=True),
        "returns the k nearest points farthest first; the task wants the nearest first (ascending distance)":
            lambda c: _knn(_needs(c, int(c["k"]) > 1), reverse=True),
        "leaves out each query point itself (k + 1 neighbours, the first dropped); a point of the set is its own "
        "nearest neighbour, at distance 0, and counts as one of the k":
            lambda c: _knn(c, drop_self=True),
        "searches the clouds of the batch together (indices into the flattened batch); each cloud must be searched "
        "on its own, with indices into its own points":
            lambda c: _knn(_needs(c, c["points"].shape[0] > 1), flat_batch=True),
    },
    forbidden=("cKDTree", "KDTree", "NearestNeighbors", "scipy", "sklearn"),
))


# ----------------------------------------------------------------- task 2
def _fps_cases(gen):
    cases = []
    for b, n, m, flat in [(2, 12, 5, False), (1, 8, 8, False), (3, 20, 6, True), (2, 9, 1, False), (1, 30, 10, False)]:
        cases.append({"points": torch.stack([_fps_cloud(gen, n, m, flat=flat) for _ in range(b)]), "m": m})
    return cases


def _fps(c, **kw):
    p, m = c["points"].double().numpy(), int(c["m"])
    return {"idx": torch.tensor([_fps_np(cloud, m, **kw)[0] for cloud in p])}


def _fps_one_short(c):
    idx = _fps(c)["idx"].clone()
    idx[:, -1] = 0
    return {"idx": idx}


def _fps_properties(case, actual):
    idx = actual["idx"]
    if idx.ndim == 2 and idx.shape[1] > 0 and (idx[:, 0] != 0).any():
        return "does not start from index 0: the first centre of every cloud is its point 0, idx[:, 0] == 0"
    if idx.ndim == 2 and any(len(set(row.tolist())) < len(row) for row in idx):
        return "chooses a point twice; every step adds the point whose distance to the chosen set is the largest"
    return None


register(Spec(
    name="ch11.farthest_point_sample", what="farthest_point_sample",
    cases=_fps_cases,
    call={"args": ["points", "m"], "outputs": ["idx"], "integer": ["idx"]},
    reference=_fps,
    mistakes={
        "keeps each point's distance to the farthest chosen point (max); the distance to a set is the distance to "
        "its nearest member: update the running distance with a minimum":
            lambda c: _fps(_needs(c, int(c["m"]) > 2), update="max"),
        "chooses point 0 again at every step: the running distances never single out a new point; check the "
        "value they start from, how each step updates them, and whether the farthest point or the nearest is "
        "picked":
            lambda c: _fps(_needs(c, int(c["m"]) > 1), pick="argmin"),  # the argmin is point 0 at every step
        "measures the distance to the point chosen last only; keep a running minimum over all chosen points":
            lambda c: _fps(_needs(c, int(c["m"]) > 2), running=False),
        "leaves the last centre at its initial 0: the loop stops one step short; after the first point come m - 1 "
        "steps, for s in range(1, m)":
            lambda c: _fps_one_short(_needs(c, int(c["m"]) > 2)),
    },
    properties=_fps_properties,
))


# ----------------------------------------------------------------- task 3
def _pt_state(gen, dim):
    s = {}
    for name in ("phi", "psi", "alpha"):
        s[f"{name}.weight"], s[f"{name}.bias"] = randn(gen, dim, dim) / math.sqrt(dim), 0.2 * randn(gen, dim)
    s["theta.0.weight"], s["theta.0.bias"] = randn(gen, dim, 3), 0.2 * randn(gen, dim)
    for name in ("theta.2", "gamma.0", "gamma.2"):
        s[f"{name}.weight"], s[f"{name}.bias"] = randn(gen, dim, dim) / math.sqrt(dim), 0.2 * randn(gen, dim)
    return s


def _pt_cases(gen):
    cases = []
    for b, n, dim, k, kind in [(2, 10, 6, 4, "permuted"), (1, 12, 5, 3, "knn"), (2, 8, 4, 8, "knn"),
                               (2, 9, 3, 5, "random"), (1, 6, 7, 1, "knn")]:
        x, pos = randn(gen, b, n, dim), randn(gen, b, n, 3)
        if kind == "random":  # any lists must work, repeated neighbours included
            idx = torch.randint(n, (b, n, k), generator=gen)
        else:
            idx = torch.cdist(pos, pos).topk(k, dim=-1, largest=False).indices
        if kind == "permuted":  # cloud 1 is cloud 0 relabelled: point n of cloud 1 is point perm[n] of cloud 0
            perm = torch.randperm(n, generator=gen)
            x[1], pos[1] = x[0, perm], pos[0, perm]
            idx[1] = torch.argsort(perm)[idx[0, perm]]
        cases.append({"dim": dim, "x": x, "pos": pos, "idx": idx, "state": _pt_state(gen, dim), "kind": kind})
    return cases


def _mlp(s, name, v):
    return F.relu(v @ s[f"{name}.0.weight"].T + s[f"{name}.0.bias"]) @ s[f"{name}.2.weight"].T + s[f"{name}.2.bias"]


def _lin(s, name, v):
    return v @ s[f"{name}.weight"].T + s[f"{name}.bias"]


def _pt(c, *, signs="paper", softmax_over="neighbours", delta_in_values=True, weights="vector", gamma=True,
        scale=False, relative=True, delta_in_weights=True, own_value=False):
    """The layer point by point, in float64 (each point's k neighbours as the rows of a (k, C) matrix)."""
    s = {k: v.double() for k, v in c["state"].items()}
    x, pos, idx = c["x"].double(), c["pos"].double(), c["idx"]
    b, n, dim = x.shape
    out = torch.zeros(b, n, dim, dtype=torch.float64)
    for bi in range(b):
        logits, values = [], []
        for i in range(n):
            js = idx[bi, i]
            q, keys, p_j = _lin(s, "phi", x[bi, i]), _lin(s, "psi", x[bi, js]), pos[bi, js]    # (C,), (k, C), (k, 3)
            if signs == "paper":
                delta = _mlp(s, "theta", pos[bi, i] - p_j if relative else p_j)               # (k, C)
                pre = q - keys + (delta if delta_in_weights else 0)
            else:  # the official code's: psi(x_j) - phi(x_i) + theta(p_j - p_i)
                delta = _mlp(s, "theta", p_j - pos[bi, i])
                pre = keys - q + delta
            if weights == "dot":  # one weight per neighbour
                w = ((q * (keys + delta)).sum(-1, keepdim=True)).expand(-1, dim)
            else:
                w = _mlp(s, "gamma", pre) if gamma else pre                                       # (k, C)
                if weights == "mean":
                    w = w.mean(-1, keepdim=True).expand(-1, dim)
            if scale:
                w = w / math.sqrt(dim)
            logits.append(w)
            v = _lin(s, "alpha", x[bi, i]).expand(len(js), -1) if own_value else _lin(s, "alpha", x[bi, js])
            values.append(v + (delta if delta_in_values else 0))
        # (N, k, C): the softmax over the k neighbours (the task's), the C channels, or the N points
        a = torch.softmax(torch.stack(logits), dim={"neighbours": 1, "channels": 2, "points": 0}[softmax_over])
        out[bi] = (a * torch.stack(values)).sum(1)
    return {"y": out}


def _pt_properties(case, actual):
    if case["kind"] != "permuted":
        return None
    y = actual["y"]
    # point n of cloud 1 is point perm[n] of cloud 0; perm is recovered from the positions
    p0, p1 = case["pos"][0].double().numpy(), case["pos"][1].double().numpy()
    perm = np.array([int(np.argmin(np.linalg.norm(p0 - q, axis=-1))) for q in p1])
    if not np.allclose(y[1], y[0][perm], atol=1e-4, rtol=1e-4):
        return ("is not permutation-equivariant: relabelling the points (and the neighbour lists with them) should "
                "relabel the outputs the same way, and yours changed otherwise; the layer may only combine each "
                "point with the neighbours idx lists for it (softmax over dim 2, the k neighbours)")
    return None


register(Spec(
    name="ch11.point_transformer_layer", what="PointTransformerLayer",
    cases=_pt_cases,
    call={"construct": {}, "construct_kwargs": ["dim"], "state": "state", "mode": "eval", "args": ["x", "pos", "idx"],
          "outputs": ["y"],
          "init_changed": "has layers whose names or shapes differ from the given ones: self.phi, self.psi, "
                          "self.alpha = nn.Linear(dim, dim); self.theta = nn.Sequential(nn.Linear(3, dim), nn.ReLU(), "
                          "nn.Linear(dim, dim)); self.gamma = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), "
                          "nn.Linear(dim, dim)); keep them as they are"},
    reference=_pt,
    mistakes={
        "normalises the attention over the channels; the softmax runs over the k neighbours (dim 2 of (B, N, k, C)), "
        "separately for every channel":
            lambda c: _pt(c, softmax_over="channels"),
        "normalises the attention over the points (dim 1 of (B, N, k, C)); the softmax runs over the k neighbours of "
        "each point (dim 2), separately for every channel":
            lambda c: _pt(c, softmax_over="points"),
        "uses the official code's signs, psi(x_j) - phi(x_i) and theta(p_j - p_i): with the same weights that is a "
        "different function (it equals the paper's only after negating phi, psi and the first layer of theta); the "
        "task follows the paper, phi(x_i) - psi(x_j) + theta(p_i - p_j)":
            lambda c: _pt(c, signs="official"),
        "leaves the position encoding out of the values; the paper adds delta_ij to both: "
        "sum_j a_ij * (alpha(x_j) + delta_ij)":
            lambda c: _pt(c, delta_in_values=False),
        "leaves the position encoding out of the attention weights; the paper adds delta_ij to both: "
        "gamma(phi(x_i) - psi(x_j) + delta_ij)":
            lambda c: _pt(c, delta_in_weights=False),
        "takes the point's own value alpha(x_i) for every neighbour; the values are the neighbours' features, "
        "alpha(x_j) + delta_ij, gathered with index_points(value, idx)":
            lambda c: _pt(c, own_value=True),
        "computes scalar attention (one dot-product weight per neighbour, shared by all channels); vector attention "
        "gives every channel its own weight, gamma(phi(x_i) - psi(x_j) + delta_ij)":
            lambda c: _pt(c, weights="dot"),
        "computes scaled dot-product attention (one weight per neighbour, phi(x_i) . (psi(x_j) + delta_ij) / sqrt(C), "
        "shared by all channels); vector attention gives every channel its own weight, gamma(phi(x_i) - psi(x_j) + "
        "delta_ij), without scaling":
            lambda c: _pt(c, weights="dot", scale=True),
        "averages gamma's output over the channels (one weight per neighbour); vector attention keeps a weight per "
        "channel: softmax over the neighbours of each channel of gamma(...)":
            lambda c: _pt(c, weights="mean"),
        "skips the attention MLP: the weights are gamma(phi(x_i) - psi(x_j) + delta_ij), not the difference itself":
            lambda c: _pt(c, gamma=False),
        "divides the attention logits by sqrt(C); Point Transformer's vector attention has no such scaling":
            lambda c: _pt(c, scale=True),
        "encodes the neighbour's absolute position, theta(p_j); the encoding is of the relative position, "
        "theta(p_i - p_j)":
            lambda c: _pt(c, relative=False),
        "encodes p_j - p_i; with the paper's signs the encoding is theta(p_i - p_j), the point minus its neighbour":
            lambda c: _pt_pos_flipped(c),
        "finds the neighbours itself (knn(pos, pos, k)) instead of using the given idx; the layer attends over the "
        "lists idx holds, whatever they are":
            lambda c: _pt_own_neighbours(c),
    },
    properties=_pt_properties,
))


def _pt_own_neighbours(c):
    only_when(c["kind"] == "random")  # elsewhere idx is the k nearest already
    return _pt({**c, "idx": _knn({"query": c["pos"], "points": c["pos"], "k": c["idx"].shape[-1]})["idx"]})


def _pt_pos_flipped(c):
    flipped = dict(c)
    flipped["state"] = dict(c["state"])
    flipped["state"]["theta.0.weight"] = -c["state"]["theta.0.weight"]  # theta(-r) with the same weights
    return _pt(flipped)


# ----------------------------------------------------------------- task 4
def bn_state(gen, prefix, dim):
    """Random statistics and affine weights of the BatchNormPoints at ``<prefix>.1`` (checks run in eval mode)."""
    return {f"{prefix}.1.weight": 1 + 0.2 * randn(gen, dim), f"{prefix}.1.bias": 0.2 * randn(gen, dim),
            f"{prefix}.1.running_mean": 0.3 * randn(gen, dim), f"{prefix}.1.running_var": 0.5 + torch.rand(dim, generator=gen),
            f"{prefix}.1.num_batches_tracked": torch.tensor(10)}


def linear_bn_relu(s, prefix, x):
    """nn.Sequential(nn.Linear, BatchNormPoints, nn.ReLU) at ``prefix`` in eval mode, from its float64 state ``s``."""
    h = x @ s[f"{prefix}.0.weight"].T + s[f"{prefix}.0.bias"]
    h = (h - s[f"{prefix}.1.running_mean"]) / torch.sqrt(s[f"{prefix}.1.running_var"] + 1e-5)
    return F.relu(h * s[f"{prefix}.1.weight"] + s[f"{prefix}.1.bias"])


def _td_cloud(gen, n, m, k, *, flat=False):
    """A cloud whose FPS choices and whose centres' k nearest neighbours are all free of near-ties."""
    for _ in range(100):
        p = _fps_cloud(gen, n, m, flat=flat)
        centres = p[_fps_np(p.double().numpy(), m)[0]]
        if _knn_gaps_ok(centres.double().numpy(), p.double().numpy(), k):
            return p
    raise RuntimeError("no tie-free cloud found")


def _td_cases(gen):
    cases = []
    for b, n, cin, cout, m, k, flat in [(2, 12, 4, 5, 5, 3, False), (1, 16, 3, 6, 4, 4, False), (2, 10, 5, 5, 3, 1, True),
                                        (3, 9, 2, 4, 9, 2, False), (1, 20, 3, 3, 6, 5, False)]:
        pos = torch.stack([_td_cloud(gen, n, m, k, flat=flat) for _ in range(b)])
        state = {"mlp.0.weight": randn(gen, cout, 3 + cin) / math.sqrt(3 + cin), "mlp.0.bias": 0.2 * randn(gen, cout),
                 **bn_state(gen, "mlp", cout)}
        cases.append({"x": randn(gen, b, n, cin), "pos": pos, "m": m, "in_dim": cin, "out_dim": cout, "k": k,
                      "state": state})
    return cases


def _td(c, *, pool="max", among="all", positions="relative", order="pos_first", centres_from="fps"):
    s = {k: v.double() for k, v in c["state"].items()}
    x, pos, m, k = c["x"].double(), c["pos"].double(), int(c["m"]), int(c["k"])
    xs, ps = [], []
    for bi in range(x.shape[0]):
        chosen = _fps_np(pos[bi].numpy(), m)[0] if centres_from == "fps" else list(range(m))
        centres = pos[bi, chosen]
        candidates = list(range(pos.shape[1])) if among == "all" else chosen
        only_when(k <= len(candidates))
        tree = cKDTree(pos[bi, candidates].numpy())
        rows = []
        for centre in centres:
            near = [candidates[j] for j in tree.query(centre.numpy(), k=list(range(1, k + 1)))[1]]
            rel = pos[bi, near] - centre if positions == "relative" else pos[bi, near]
            if positions == "centre_minus":
                rel = centre - pos[bi, near]
            v = torch.cat([rel, x[bi, near]], -1) if order == "pos_first" else torch.cat([x[bi, near], rel], -1)
            if pool == "before":  # the inputs pooled over the neighbours, then the shared layer
                v = v.max(0).values
            h = linear_bn_relu(s, "mlp", v)
            rows.append(h if pool == "before" else h.max(0).values if pool == "max" else h.mean(0) if pool == "mean"
                        else h.sum(0))
        xs.append(torch.stack(rows))
        ps.append(centres)
    return {"x_new": torch.stack(xs), "pos_new": torch.stack(ps)}


register(Spec(
    name="ch11.transition_down", what="TransitionDown",
    cases=_td_cases,
    call={"construct": {}, "construct_kwargs": ["in_dim", "out_dim", "k"], "state": "state", "mode": "eval",
          "args": ["x", "pos", "m"], "outputs": ["x_new", "pos_new"],
          "given": {"knn": "knn", "farthest_point_sample": "farthest_point_sample"},
          "init_changed": "has layers whose names or shapes differ from the given ones: self.mlp = "
                          "nn.Sequential(nn.Linear(3 + in_dim, out_dim), BatchNormPoints(out_dim), nn.ReLU()); keep it "
                          "as it is"},
    reference=_td,
    mistakes={
        "pools the neighbours with a mean; transition down takes the maximum over the k neighbours":
            lambda c: _td(c, pool="mean"),
        "pools the neighbours with a sum; transition down takes the maximum over the k neighbours":
            lambda c: _td(c, pool="sum"),
        "takes the maximum over the neighbours before the shared layer; the layer maps every neighbour's vector, "
        "then the maximum over the k neighbours pools its outputs":
            lambda c: _td(c, pool="before"),
        "takes the first m points as the centres; the centres are chosen by farthest point sampling, "
        "farthest_point_sample(pos, m)":
            lambda c: _td(_needs(c, int(c["m"]) < c["pos"].shape[1]), centres_from="first"),
        "returns the first m points as pos_new; pos_new holds the centres' positions, the points farthest point "
        "sampling chose (the same centres whose features x_new holds)":
            lambda c: {**_td(_needs(c, int(c["m"]) < c["pos"].shape[1])), "pos_new": c["pos"][:, :int(c["m"])]},
        "searches the neighbours among the sampled centres only; each centre gathers its k nearest among all N "
        "points of the stage":
            lambda c: _td(c, among="centres"),
        "feeds the neighbours' absolute positions; the layer sees each neighbour's position relative to its "
        "centre, pos_j - pos_centre":
            lambda c: _td(c, positions="absolute"),
        "feeds pos_centre - pos_j; the relative position is the neighbour's minus the centre's, pos_j - pos_centre":
            lambda c: _td(c, positions="centre_minus"),
        "concatenates the features before the relative positions; the relative position comes first, then the "
        "features":
            lambda c: _td(c, order="features_first"),
    },
))
