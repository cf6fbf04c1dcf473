"""Hidden checks for ``09a_set_prediction.ipynb``.

The oracles are loops in float64 over single boxes and pairs, and the matcher's is a brute force
over every injection of the objects into the predictions (no SciPy): it judges the total cost of a
matching, so ties between equally good matchings never decide a verdict.  Besides random images, the
matcher meets two built ones: one where every greedy matching loses, and one where the matcher's own
weights choose other pairs than DETR's defaults.  ``matching_cost`` and the matcher are judged with the
grader's own box functions and cost in place of the student's, so a mistake in an earlier task costs
points once.
"""
from __future__ import annotations

import itertools

import numpy as np
import torch

from ..core import Spec, register
from ..oracles import only_when


# ----------------------------------------------------------------- boxes, one at a time
def _xyxy(box):
    cx, cy, w, h = (float(v) for v in box)
    return [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2]


def _giou_pair(a, b, *, enclose="hull", clamp=True, subtract=True, penalty_over="hull"):
    """The GIoU of two xyxy boxes, written out; the keywords make the known mistakes (``clamp="area"``: the
    intersection's area clamped at 0 instead of its width and height)."""
    area_a, area_b = (a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])
    iw, ih = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
    if clamp == "area":
        inter = max(iw * ih, 0.0)
    else:
        inter = max(iw, 0.0) * max(ih, 0.0) if clamp else iw * ih
    union = area_a + area_b - (inter if subtract else 0.0)
    if enclose == "hull":
        hull = (max(a[2], b[2]) - min(a[0], b[0])) * (max(a[3], b[3]) - min(a[1], b[1]))
    elif enclose == "swapped":  # min and max swapped: the intersection's corners, unclamped
        hull = iw * ih
    else:  # plain IoU
        return inter / union
    return inter / union - (hull - union) / (hull if penalty_over == "hull" else union)


def _pairwise(b1, b2, **kw):
    return torch.tensor([[_giou_pair(a.tolist(), b.tolist(), **kw) for b in b2] for a in b1], dtype=torch.float64)


# ----------------------------------------------------------------- task 1
def _convert_cases(gen):
    cases = []
    for shape in [(4,), (5, 4), (2, 3, 4), (1, 4)]:
        centre = torch.rand(*shape[:-1], 2, generator=gen) * 0.6 + 0.2
        size = torch.rand(*shape[:-1], 2, generator=gen) * 0.3 + 0.05
        cases.append({"boxes": torch.cat([centre, size], -1)})
    return cases


def _to_xyxy(c, *, half=True, coco=False, swap_xy=False, order="x1y1x2y2", dim=-1):
    cx, cy, w, h = c["boxes"].double().unbind(-1)
    if swap_xy:
        cx, cy, w, h = cy, cx, h, w
    fw, fh = (w / 2, h / 2) if half else (w, h)
    if coco:
        return {"xyxy": torch.stack([cx - fw, cy - fh, w, h], dim)}
    if order == "x1x2y1y2":
        return {"xyxy": torch.stack([cx - fw, cx + fw, cy - fh, cy + fh], dim)}
    return {"xyxy": torch.stack([cx - fw, cy - fh, cx + fw, cy + fh], dim)}


# torch.stack's default dim: the four numbers first, (4, ...), which is right only for a single box
_STACKED_FIRST = ("stacks the four numbers along dimension 0 (torch.stack's default), so a batch of boxes comes "
                  "back as (4, ...): stack them on the last dimension, dim=-1, to keep the leading dimensions")


register(Spec(
    name="ch09.box_cxcywh_to_xyxy", what="box_cxcywh_to_xyxy",
    cases=_convert_cases,
    call={"args": ["boxes"], "outputs": ["xyxy"]},
    reference=_to_xyxy,
    mistakes={
        "moves the corners a whole width (height) from the centre: the box reaches w/2 to each side of cx":
            lambda c: _to_xyxy(c, half=False),
        "returns COCO's top-left (x, y, w, h); the task wants both corners, (x1, y1, x2, y2)":
            lambda c: _to_xyxy(c, coco=True),
        "swaps x and y: the four numbers are (cx, cy, w, h), x first":
            lambda c: _to_xyxy(c, swap_xy=True),
        "orders the corners (x1, x2, y1, y2); the task's order is (x1, y1, x2, y2)":
            lambda c: _to_xyxy(c, order="x1x2y1y2"),
        _STACKED_FIRST: lambda c: _to_xyxy(c, dim=0),
    },
))


def _xyxy_cases(gen):
    return [{"boxes": _to_xyxy(c)["xyxy"].float()} for c in _convert_cases(gen)]


def _to_cxcywh(c, *, half_size=False, corner=False, sign=1, swap_xy=False, dim=-1):
    x1, y1, x2, y2 = c["boxes"].double().unbind(-1)
    if swap_xy:
        x1, y1, x2, y2 = y1, x1, y2, x2
    w, h = sign * (x2 - x1), sign * (y2 - y1)
    if half_size:
        w, h = w / 2, h / 2
    cx, cy = (x1, y1) if corner else ((x1 + x2) / 2, (y1 + y2) / 2)
    return {"cxcywh": torch.stack([cx, cy, w, h], dim)}


register(Spec(
    name="ch09.box_xyxy_to_cxcywh", what="box_xyxy_to_cxcywh",
    cases=_xyxy_cases,
    call={"args": ["boxes"], "outputs": ["cxcywh"]},
    reference=_to_cxcywh,
    mistakes={
        "halves the width and height: w = x2 - x1 is the whole width (half of it is the distance from the centre)":
            lambda c: _to_cxcywh(c, half_size=True),
        "returns the top-left corner as the centre: cx = (x1 + x2) / 2, cy = (y1 + y2) / 2":
            lambda c: _to_cxcywh(c, corner=True),
        "gets negative widths and heights: w = x2 - x1 and h = y2 - y1 (x2 is the right edge)":
            lambda c: _to_cxcywh(c, sign=-1),
        "swaps x and y: the corners are (x1, y1, x2, y2), x first":
            lambda c: _to_cxcywh(c, swap_xy=True),
        _STACKED_FIRST: lambda c: _to_cxcywh(c, dim=0),
    },
))


# ----------------------------------------------------------------- task 2
def _boxes(gen, n, lo=0.0, span=1.0):
    """n random xyxy boxes inside [lo, lo + span]^2 with positive sides."""
    corner = torch.rand(n, 2, generator=gen) * span * 0.7 + lo
    size = torch.rand(n, 2, generator=gen) * span * 0.3 + 0.02 * span
    return torch.cat([corner, corner + size], -1)


def _giou_cases(gen):
    # N = M, or one of them 1, and never two other sizes: a student's code runs on every case or records only
    # its error, and an element-wise version (or one whose areas lack new axes) would raise on (4, 4) against
    # (3, 4) and get no diagnosis.  A mix-up of N and M still shows in the shapes of the 1 x M and N x 1 cases
    # (and the visible tests try N != M).
    cases = [{"boxes1": _boxes(gen, 5), "boxes2": _boxes(gen, 5)},
             {"boxes1": _boxes(gen, 4), "boxes2": _boxes(gen, 1)},
             {"boxes1": _boxes(gen, 6, 0, 20), "boxes2": _boxes(gen, 6, 0, 20)},  # pixels, not [0, 1]
             {"boxes1": _boxes(gen, 1), "boxes2": _boxes(gen, 3)}]
    # Special pairs: identical, nested, side by side (touching), far apart, overlapping only in x, overlapping
    # at a corner, diagonally apart
    a = torch.tensor([[0.1, 0.1, 0.4, 0.3], [0.2, 0.2, 0.3, 0.25], [0.5, 0.1, 0.7, 0.3], [0.7, 0.7, 0.85, 0.9],
                      [0.05, 0.75, 0.12, 0.95]])
    b = torch.tensor([[0.1, 0.1, 0.4, 0.3], [0.0, 0.0, 0.6, 0.6], [0.4, 0.1, 0.5, 0.3], [0.8, 0.8, 0.9, 0.95],
                      [0.15, 0.5, 0.35, 0.7]])
    cases.append({"boxes1": a, "boxes2": b})
    return cases


def _giou_ref(c, **kw):
    return {"giou": _pairwise(c["boxes1"].double(), c["boxes2"].double(), **kw)}


def _giou_elementwise(c):
    """boxes1[i] against boxes2[i] only, an (N,) vector (a single box broadcast against the other set)."""
    b1, b2 = c["boxes1"].double(), c["boxes2"].double()
    only_when(len(b1) == len(b2) or 1 in (len(b1), len(b2)))
    n = max(len(b1), len(b2))
    b1, b2 = b1.expand(n, 4), b2.expand(n, 4)
    return {"giou": torch.tensor([_giou_pair(a.tolist(), b.tolist()) for a, b in zip(b1, b2)], dtype=torch.float64)}


def _giou_areas_unbroadcast(c):
    """union = area1 + area2 - inter with (N,) and (M,) vectors: for N = M, area1[j] + area2[j] in column j."""
    b1, b2 = c["boxes1"].double(), c["boxes2"].double()
    only_when(len(b1) == len(b2) > 1)
    giou = torch.zeros(len(b1), len(b2), dtype=torch.float64)
    for i, a in enumerate(b1.tolist()):
        for j, b in enumerate(b2.tolist()):
            a_j = b1[j].tolist()  # the area added is boxes1[j]'s, not boxes1[i]'s
            iw, ih = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
            inter = max(iw, 0.0) * max(ih, 0.0)
            union = (a_j[2] - a_j[0]) * (a_j[3] - a_j[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
            hull = (max(a[2], b[2]) - min(a[0], b[0])) * (max(a[3], b[3]) - min(a[1], b[1]))
            giou[i, j] = inter / union - (hull - union) / hull
    return {"giou": giou}


def _giou_properties(c, out):
    g = out["giou"]
    if (g > 1 + 1e-4).any() or (g < -1 - 1e-4).any():
        return "some values lie outside [-1, 1], where GIoU always lies: check the union and the enclosing box"
    return None


register(Spec(
    name="ch09.generalized_box_iou", what="generalized_box_iou",
    cases=_giou_cases,
    call={"args": ["boxes1", "boxes2"], "outputs": ["giou"]},
    reference=_giou_ref,
    mistakes={
        "builds the enclosing box with min and max swapped: that is the intersection's box; the enclosing box takes "
        "the min of the top-left corners and the max of the bottom-right ones":
            lambda c: _giou_ref(c, enclose="swapped"),
        "does not clamp the intersection's width and height at 0: two disjoint boxes share no area, but a negative "
        "width times a negative height is positive":
            lambda c: _giou_ref(c, clamp=False),
        "clamps the intersection's area at 0, not its width and height: two boxes apart in x and in y have a "
        "negative width and a negative height, whose product is positive; clamp each side at 0, then multiply":
            lambda c: _giou_ref(c, clamp="area"),
        "does not subtract the intersection from the union: |A ∪ B| = |A| + |B| - |A ∩ B|":
            lambda c: _giou_ref(c, subtract=False),
        "returns the IoU: the generalised IoU subtracts the share of the enclosing box that neither box covers":
            lambda c: _giou_ref(c, enclose="none"),
        "divides the uncovered part of the enclosing box by the union; GIoU divides it by the enclosing box's area":
            lambda c: _giou_ref(c, penalty_over="union"),
        "pairs boxes1[i] only with boxes2[i] (an (N,) vector); the task wants every pair, an (N, M) matrix":
            _giou_elementwise,
        "adds the two areas without new axes (area1 + area2): row i of the union must use boxes1[i]'s area, "
        "area1[:, None] + area2[None, :]":
            _giou_areas_unbroadcast,
    },
    properties=_giou_properties,
))


# ----------------------------------------------------------------- task 3
def _cost_cases(gen):
    cases = []
    for q, classes, m, weights in [(5, 3, 2, (1.0, 5.0, 2.0)), (4, 6, 4, (2.0, 1.0, 3.0)), (6, 2, 3, (0.5, 3.0, 1.0)),
                                   (3, 4, 0, (1.0, 5.0, 2.0)), (7, 5, 1, (1.5, 2.5, 4.0))]:
        cx_cy = torch.rand(q, 2, generator=gen) * 0.6 + 0.2
        wh = torch.rand(q, 2, generator=gen) * 0.3 + 0.05
        t_cx_cy = torch.rand(m, 2, generator=gen) * 0.6 + 0.2
        t_wh = torch.rand(m, 2, generator=gen) * 0.3 + 0.05
        cases.append({"logits": 2 * torch.randn(q, classes + 1, generator=gen), "boxes": torch.cat([cx_cy, wh], -1),
                      "tgt_labels": torch.randint(0, classes, (m,), generator=gen),
                      "tgt_boxes": torch.cat([t_cx_cy, t_wh], -1),
                      "w_class": weights[0], "w_l1": weights[1], "w_giou": weights[2]})
    return cases


def _cost(c, *, prob="softmax", l1_on="cxcywh", giou_on="xyxy", giou_sign=-1, weights=None, p_norm=1, class_sign=-1):
    logits, boxes = c["logits"].double(), c["boxes"].double()
    labels, tgt = c["tgt_labels"], c["tgt_boxes"].double()
    w_class, w_l1, w_giou = weights or (c["w_class"], c["w_l1"], c["w_giou"])
    q, m = len(boxes), len(tgt)
    cost = torch.zeros(q, m, dtype=torch.float64)
    for i in range(q):
        if prob == "softmax":
            p = torch.exp(logits[i]) / torch.exp(logits[i]).sum()
        elif prob == "log_softmax":
            p = torch.log(torch.exp(logits[i]) / torch.exp(logits[i]).sum())
        elif prob == "no_eos":  # softmax over the C object classes only
            p = torch.exp(logits[i, :-1]) / torch.exp(logits[i, :-1]).sum()
        else:  # sigmoid
            p = 1 / (1 + torch.exp(-logits[i]))
        for j in range(m):
            a, b = boxes[i].tolist(), tgt[j].tolist()
            pa, pb = _xyxy(a), _xyxy(b)
            la, lb = (pa, pb) if l1_on == "xyxy" else (a, b)
            ga, gb = (a, b) if giou_on == "cxcywh" else (pa, pb)
            dist = sum(abs(x - y) ** p_norm for x, y in zip(la, lb)) ** (1 / p_norm)
            cost[i, j] = (class_sign * w_class * p[int(labels[j])] + w_l1 * dist
                          + giou_sign * w_giou * _giou_pair(ga, gb))
    return {"cost": cost}


def _default_weights(c):
    only_when((c["w_class"], c["w_l1"], c["w_giou"]) != (1.0, 5.0, 2.0))
    return _cost(c, weights=(1.0, 5.0, 2.0))


def _giou_on_cxcywh(c):
    # (cx, cy, w, h) read as corners only works while w > cx and h > cy; the cost is still defined
    return _cost(c, giou_on="cxcywh")


register(Spec(
    name="ch09.matching_cost", what="matching_cost",
    cases=_cost_cases,
    call={"args": ["logits", "boxes", "tgt_labels", "tgt_boxes"], "kwargs": ["w_class", "w_l1", "w_giou"],
          "outputs": ["cost"],
          "given": {"generalized_box_iou": "generalized_box_iou", "box_cxcywh_to_xyxy": "box_cxcywh_to_xyxy"}},
    reference=_cost,
    mistakes={
        "uses -log p (the loss's term) as the class cost; the matching cost uses -p, bounded like the box terms":
            lambda c: _cost(c, prob="log_softmax"),
        "takes the softmax over the C object classes only; it runs over all C + 1 logits, no-object included":
            lambda c: _cost(c, prob="no_eos"),
        "uses a sigmoid per class; DETR's class probabilities are a softmax over the C + 1 logits":
            lambda c: _cost(c, prob="sigmoid"),
        "computes the GIoU on the (cx, cy, w, h) boxes; convert both to corners first":
            _giou_on_cxcywh,
        "computes the L1 distance between the corners; it is taken between the (cx, cy, w, h) numbers":
            lambda c: _cost(c, l1_on="xyxy"),
        "adds the GIoU term; a good overlap must lower the cost: -w_giou * GIoU":
            lambda c: _cost(c, giou_sign=1),
        "adds the class probability; a likely class must lower the cost: -w_class * p":
            lambda c: _cost(c, class_sign=1),
        "uses the Euclidean distance between the boxes (torch.cdist's default, p=2); the box term is the L1 "
        "distance, the sum of the four absolute differences (p=1)":
            lambda c: _cost(c, p_norm=2),
        "ignores the weights passed in (w_class, w_l1, w_giou) and uses DETR's 1, 5 and 2":
            _default_weights,
    },
))


# ----------------------------------------------------------------- task 4
def _matcher_cases(gen):
    cases = []
    for counts, q, classes, weights in [((3, 1, 0), 5, 3, (1.0, 5.0, 2.0)), ((2, 2), 4, 4, (2.0, 2.0, 1.0)),
                                        ((3, 3, 1), 3, 2, (1.0, 5.0, 2.0)), ((0, 2, 3, 1), 6, 5, (1.0, 1.0, 4.0))]:
        b = len(counts)
        # Predictions near the objects in shuffled slots, so that the optimal matching is not the diagonal
        pred = torch.cat([torch.rand(b, q, 2, generator=gen) * 0.6 + 0.2, torch.rand(b, q, 2, generator=gen) * 0.3 + 0.05], -1)
        labels, boxes = [], []
        for k, m in enumerate(counts):
            t = torch.cat([torch.rand(m, 2, generator=gen) * 0.6 + 0.2, torch.rand(m, 2, generator=gen) * 0.3 + 0.05], -1)
            slots = torch.randperm(q, generator=gen)[:m]
            pred[k, slots] = t + 0.05 * torch.randn(m, 4, generator=gen)
            pred[k] = pred[k].clamp(0.02, 0.98)
            labels.append(torch.randint(0, classes, (m,), generator=gen))
            boxes.append(t)
        cases.append({"pred_logits": 2 * torch.randn(b, q, classes + 1, generator=gen), "pred_boxes": pred,
                      "labels": labels, "boxes": boxes, "w_class": weights[0], "w_l1": weights[1],
                      "w_giou": weights[2]})
    return cases + [_greedy_trap(gen), _weights_trap(gen)]


def _greedy_trap(gen):
    """One image where every greedy matching loses: two chains of two objects a, b (0.2 apart on a row), each with a
    prediction just right of a (the cheapest pair of the chain, and b's best) and one left of a (a's second best,
    far from b).  Greedy gives a the first and b the second; the optimum gives a the second and b the first.  The
    second chain lists b before a, so that matching object by object fails in either order.  Equal logits: the
    boxes decide."""
    x0 = 0.2 + 0.1 * float(torch.rand(1, generator=gen))
    objects, preds = [], []
    for n, cy in enumerate((0.25 + 0.1 * float(torch.rand(1, generator=gen)),
                            0.65 + 0.1 * float(torch.rand(1, generator=gen)))):
        a, b = [x0, cy], [x0 + 0.2, cy]
        objects += [a, b] if n == 0 else [b, a]
        preds += [[x0 + 0.05, cy], [x0 - 0.09, cy]]
    preds += [[0.85, 0.15], [0.85, 0.85]]
    boxes = torch.cat([torch.tensor(objects), 0.098 + 0.004 * torch.rand(4, 2, generator=gen)], -1)
    pred = torch.cat([torch.tensor(preds), 0.098 + 0.004 * torch.rand(6, 2, generator=gen)], -1)
    pred = pred[torch.randperm(6, generator=gen)]
    return {"pred_logits": torch.zeros(1, 6, 3), "pred_boxes": pred[None],
            "labels": [torch.randint(0, 2, (4,), generator=gen)], "boxes": [boxes],
            "w_class": 1.0, "w_l1": 5.0, "w_giou": 2.0}


def _weights_trap(gen):
    """One image where the matcher's weights decide: each object has a prediction on its box that is sure of
    another class, and one 0.1 off its box that is sure of its class.  DETR's weights (1, 5, 2) choose the first,
    this case's (6, 1, 0.5) the second."""
    m, q, classes = 2, 5, 3
    t = torch.cat([torch.rand(m, 2, generator=gen) * 0.4 + 0.3, torch.rand(m, 2, generator=gen) * 0.1 + 0.15], -1)
    labels = torch.randint(0, classes, (m,), generator=gen)
    slots = torch.randperm(q, generator=gen)
    pred = torch.cat([torch.rand(q, 2, generator=gen) * 0.6 + 0.2, torch.rand(q, 2, generator=gen) * 0.3 + 0.05], -1)
    logits = torch.randn(q, classes + 1, generator=gen)
    for j in range(m):
        on_box, sure = slots[2 * j], slots[2 * j + 1]
        pred[on_box] = t[j] + 0.01 * torch.randn(4, generator=gen)
        logits[on_box, labels[j]] = -6.0
        pred[sure] = t[j] + torch.tensor([0.1, 0.1, 0.0, 0.0])
        logits[sure, labels[j]] = 6.0
    return {"pred_logits": logits[None], "pred_boxes": pred[None], "labels": [labels], "boxes": [t],
            "w_class": 6.0, "w_l1": 1.0, "w_giou": 0.5}


def _image_cost(c, b, weights=None):
    case = {"logits": c["pred_logits"][b], "boxes": c["pred_boxes"][b], "tgt_labels": c["labels"][b],
            "tgt_boxes": c["boxes"][b], "w_class": c["w_class"], "w_l1": c["w_l1"], "w_giou": c["w_giou"]}
    return _cost(case, weights=weights)["cost"].numpy()


def _best(cost: np.ndarray, sign=1.0) -> tuple[float, tuple]:
    """The brute-force optimum: the lowest total of sign * cost over every injection of objects into predictions."""
    q, m = cost.shape
    if m == 0:
        return 0.0, ()
    injections = np.array(list(itertools.permutations(range(q), m)))  # (P, m): row p gives object j prediction [p, j]
    totals = sign * cost[injections, np.arange(m)].sum(1)
    first = int(np.argmin(totals))
    return float(totals[first]), tuple(int(r) for r in injections[first])


def _greedy_matchings(cost: np.ndarray) -> list[set]:
    """The matchings a greedy matcher finds, as sets of (prediction, object) pairs: the cheapest pair left, again
    and again; or object by object, in order or in reverse, each taking its cheapest prediction left."""
    q, m = cost.shape
    left, pairs = cost.copy(), set()
    for _ in range(m):
        i, j = np.unravel_index(int(np.argmin(left)), left.shape)
        pairs.add((int(i), int(j)))
        left[i, :], left[:, j] = np.inf, np.inf
    found = [pairs]
    for order in (range(m), reversed(range(m))):
        used, pairs = set(), set()
        for j in order:
            i = min((i for i in range(q) if i not in used), key=lambda i: cost[i, j])
            used.add(i)
            pairs.add((i, j))
        found.append(pairs)
    return found


def _total(cost: np.ndarray, rows, cols) -> float:
    return float(sum(cost[r, j] for r, j in zip(rows, cols)))


def _matcher_ref(c):
    b, q = c["pred_logits"].shape[:2]
    pred_idx, tgt_idx, count = torch.full((b, q), -1.0), torch.full((b, q), -1.0), torch.zeros(b)
    for k in range(b):
        _, rows = _best(_image_cost(c, k))
        pairs = sorted((r, j) for j, r in enumerate(rows))
        count[k] = len(pairs)
        for n, (r, j) in enumerate(pairs):
            pred_idx[k, n], tgt_idx[k, n] = r, j
    return {"pred_idx": pred_idx, "tgt_idx": tgt_idx, "count": count}


def _judge_matcher(c, out) -> str | None:
    b, q = c["pred_logits"].shape[:2]
    for k in range(b):
        m, n = len(c["labels"][k]), int(out["count"][k])
        if n != m:
            return (f"returned {n} matched pairs for an image with {m} objects: every object gets exactly one "
                    f"prediction" + (" (an image without objects gets two empty tensors)" if m == 0 else ""))
        rows, cols = out["pred_idx"][k, :n].astype(int), out["tgt_idx"][k, :n].astype(int)
        if n == 0:
            continue
        if rows.max() >= q or rows.min() < 0:
            return ("holds prediction indices outside 0 .. Q-1: index each image's own predictions (solve one "
                    "assignment per image, not one over the whole batch)")
        if cols.max() >= m or cols.min() < 0:
            if rows.max() < m and cols.max() < q:
                return "returns (tgt_idx, pred_idx); each pair is (pred_idx, tgt_idx), predictions first"
            return "holds object indices outside 0 .. M_b-1: tgt_idx indexes the image's own objects"
        if len(set(rows.tolist())) < n:
            return ("gives one prediction to several objects (a greedy choice per object?): the matching is one to "
                    "one, which linear_sum_assignment guarantees")
        if sorted(cols.tolist()) != list(range(m)):
            return "leaves an object unmatched and matches another twice: every object gets exactly one prediction"
        cost = _image_cost(c, k)
        total = _total(cost, rows, cols)
        best, _ = _best(cost)
        # the pairs read the other way round, (tgt_idx, pred_idx): an optimal matching when Q = M_b, or by chance
        swapped = (sorted(rows.tolist()) == list(range(m)) and abs(_total(cost, cols, rows) - best) < 1e-4)
        if total > best + 1e-4:
            if swapped:
                return "returns (tgt_idx, pred_idx); each pair is (pred_idx, tgt_idx), predictions first"
            if abs(total - _best(cost, -1.0)[0] * -1) < 1e-4:
                return "maximises the total cost; the best matching has the lowest cost"
            weights = (c["w_class"], c["w_l1"], c["w_giou"])
            default = _image_cost(c, k, weights=(1.0, 5.0, 2.0))
            if weights != (1.0, 5.0, 2.0) and abs(_total(default, rows, cols) - _best(default)[0]) < 1e-4:
                return "ignores the matcher's weights (self.w_class, self.w_l1, self.w_giou); pass them to matching_cost"
            if set(zip(rows.tolist(), cols.tolist())) in _greedy_matchings(cost):
                return ("matches greedily (the cheapest pair first, or object by object): each choice is the cheapest "
                        f"left, but the total cost is {total - best:.3g} above the lowest possible; the Hungarian "
                        "algorithm (linear_sum_assignment) finds the best total")
            return (f"found a matching whose total cost is {total - best:.3g} above the lowest possible: solve the "
                    f"assignment on the image's (Q, M_b) cost matrix with linear_sum_assignment")
        if list(rows) != sorted(rows.tolist()):
            if swapped and list(cols) == sorted(cols.tolist()):
                return "returns (tgt_idx, pred_idx); each pair is (pred_idx, tgt_idx), predictions first"
            return "returns pred_idx out of order; sort the pairs by prediction index (linear_sum_assignment does)"
    return None


register(Spec(
    name="ch09.hungarian_matcher", what="HungarianMatcher.forward",
    cases=_matcher_cases,
    call={"construct": {}, "construct_kwargs": ["w_class", "w_l1", "w_giou"], "adapter": "detr_matcher",
          "args": ["outputs", "targets"], "outputs": ["pred_idx", "tgt_idx", "count"],
          "returns": "should return a list with one (pred_idx, tgt_idx) pair of long tensors, of equal length, per image "
                     "(an image without objects too: two empty long tensors, torch.zeros(0, dtype=torch.long))",
          "given": {"matching_cost": "matching_cost"}},
    reference=_matcher_ref,
    judge=_judge_matcher,
))
