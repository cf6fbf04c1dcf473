"""Hidden checks for ``09b_small_detr.ipynb``.

The criterion's oracle walks the queries one by one in float64: the class each query should
predict, PyTorch's weighted mean of the negative log-likelihoods, and the box terms of the matched
pairs; it is judged on matchings drawn at random (any one-to-one matching is a valid input), with
the grader's own GIoU and box conversion.  NMS's oracle is a plain loop over Python floats; besides
random clusters its cases hold exact ties with the threshold and a diagonal chain of boxes (IoU above
the threshold, GIoU below it; every other box kept), where suppressing by GIoU, or against every
better box rather than the kept ones, shows.

Not seen here: a criterion whose losses are right but detached (the outputs are recorded without
their graph); the visible test's backward pass catches it.
"""
from __future__ import annotations

import numpy as np
import torch

from ..core import Spec, register
from ..oracles import only_when
from .set_prediction import _boxes, _giou_pair, _xyxy

LOSSES = ["loss_ce", "loss_bbox", "loss_giou"]


# ----------------------------------------------------------------- task 5
def _criterion_cases(gen):
    cases = []
    for counts, q, classes, eos in [((2, 1), 4, 3, 0.1), ((3, 0, 2), 5, 4, 0.25), ((1, 1, 1, 1), 3, 2, 0.1),
                                    ((0, 0), 4, 3, 0.1), ((4,), 6, 5, 0.5)]:
        b = len(counts)
        labels, boxes, pred_idx, tgt_idx = [], [], [], []
        for m in counts:
            labels.append(torch.randint(0, classes, (m,), generator=gen))
            boxes.append(torch.cat([torch.rand(m, 2, generator=gen) * 0.6 + 0.2,
                                    torch.rand(m, 2, generator=gen) * 0.3 + 0.05], -1))
            pred_idx.append(torch.randperm(q, generator=gen)[:m].sort().values)
            tgt_idx.append(torch.randperm(m, generator=gen))
        cases.append({"pred_logits": 2 * torch.randn(b, q, classes + 1, generator=gen),
                      "pred_boxes": torch.cat([torch.rand(b, q, 2, generator=gen) * 0.6 + 0.2,
                                               torch.rand(b, q, 2, generator=gen) * 0.3 + 0.05], -1),
                      "labels": labels, "boxes": boxes, "pred_idx": pred_idx, "tgt_idx": tgt_idx,
                      "num_classes": classes, "eos_coef": eos})
    return cases


def _criterion(c, *, eos_index="last", eos=None, ce="weighted_mean", norm="boxes", boxes_of="matched",
               l1="sum", giou_on="xyxy", giou_of="pairs", clamp=True, given_order=()):
    """The three losses, query by query.  The keywords make the known mistakes: ``eos_index`` "first" (no-object
    at index 0, the classes shifted up) or "zero" (the unmatched queries labelled 0, a real class);
    ``given_order`` ("labels", "boxes"): the k-th matched prediction paired with the k-th object, not
    object ``tgt_idx[k]``; ``giou_of="every_pair"``: 1 - GIoU summed over the whole (M, M) matrix of the batch's
    matched predictions and objects, not its diagonal."""
    logits, pred = c["pred_logits"].double(), c["pred_boxes"].double()
    b, q, k = logits.shape
    classes, eos = c["num_classes"], c["eos_coef"] if eos is None else eos
    none = 0 if eos_index in ("first", "zero") else classes
    weight = [1.0] * (classes + 1)
    weight[0 if eos_index == "first" else classes] = eos
    want = [[none] * q for _ in range(b)]
    pairs = []  # (image, query, object)
    for i in range(b):
        for n, (r, j) in enumerate(zip(c["pred_idx"][i].tolist(), c["tgt_idx"][i].tolist())):
            label = int(c["labels"][i][n if "labels" in given_order else j])
            want[i][r] = label + 1 if eos_index == "first" else label
            pairs.append((i, r, n if "boxes" in given_order else j))
    if given_order:  # only where the order makes a difference to what the mistake mixes up
        order = [(i, n, j) for i in range(b) for n, j in enumerate(c["tgt_idx"][i].tolist())]
        only_when("labels" not in given_order or any(int(c["labels"][i][n]) != int(c["labels"][i][j])
                                                     for i, n, j in order))
        only_when("boxes" not in given_order or any(n != j for _, n, j in order))
    log_p = (logits - torch.logsumexp(logits, -1, keepdim=True)).tolist()
    matched = {(i, r) for i, r, _ in pairs}
    num, den = 0.0, 0.0
    for i in range(b):
        for r in range(q):
            if ce == "matched_only" and (i, r) not in matched:
                continue
            w = weight[want[i][r]]
            num, den = num + w * -log_p[i][r][want[i][r]], den + w
    if ce == "matched_only":
        only_when(den > 0)
    loss_ce = num / (den if ce in ("weighted_mean", "matched_only") else b * q)
    n_boxes = sum(len(t) for t in c["labels"])
    divisor = {"boxes": max(n_boxes, 1) if clamp else n_boxes, "queries": b * q, "batch": b, "per_image": 1}[norm]
    box_of = {(i, r): c["boxes"][i][j].double().tolist() for i, r, j in pairs}
    if boxes_of == "all":  # a (B, Q, 4) target like the classes': the unmatched queries against an all-zero box
        box_pairs = [(i, pred[i, r].tolist(), box_of.get((i, r), [0.0] * 4)) for i in range(b) for r in range(q)]
    else:
        box_pairs = [(i, pred[i, r].tolist(), box_of[(i, r)]) for i, r, _ in pairs]
    if giou_of == "every_pair":
        giou_pairs = [(i, p, t) for i, p, _ in box_pairs for _, _, t in box_pairs]
    else:
        giou_pairs = box_pairs
    l1_terms, giou_terms = [0.0] * b, [0.0] * b
    for i, p, t in box_pairs:
        l1_terms[i] += sum(abs(x - y) for x, y in zip(p, t))
    for i, p, t in giou_pairs:
        giou_terms[i] += 1 - (_giou_pair(p, t) if giou_on == "cxcywh" else _giou_pair(_xyxy(p), _xyxy(t)))
    if norm == "per_image":  # each image's sum over its own objects, then the mean over the images
        per_image = [max(len(t), 1) for t in c["labels"]]
        l1_total = sum(x / m for x, m in zip(l1_terms, per_image)) / b
        giou_total = sum(x / m for x, m in zip(giou_terms, per_image)) / b
    else:
        l1_total, giou_total = sum(l1_terms), sum(giou_terms)
    with np.errstate(invalid="ignore", divide="ignore"):
        if l1 == "mean":  # F.l1_loss's default: the mean over the 4 numbers of every pair as well
            l1_total /= 4
        elif l1 == "mean_divided":  # F.l1_loss's mean over the M pairs and their 4 numbers, then divided by M
            l1_total = np.float64(l1_total) / (4 * len(box_pairs))
        return {"loss_ce": torch.tensor(loss_ce), "loss_bbox": torch.tensor(np.float64(l1_total) / divisor),
                "loss_giou": torch.tensor(np.float64(giou_total) / divisor), "carries_grad": torch.ones(3)}


def _needs(c, condition):
    only_when(condition)
    return c


def _criterion_properties(c, out):
    cut = [name for name, connected in zip(LOSSES, out["carries_grad"]) if not connected]
    if cut:
        return (f"returns {' and '.join(cut)} without a gradient to the predictions (detached, or rebuilt from "
                "numbers): the right values, but nothing trains; keep the losses in the autograd graph")
    if sum(len(t) for t in c["labels"]) == 0 and not (np.isfinite(out["loss_bbox"]) and np.isfinite(out["loss_giou"])):
        return ("returns NaN box losses for a batch without objects: divide by the number of objects, at least 1 "
                "(max(num_boxes, 1))")
    return None


register(Spec(
    name="ch09.set_criterion", what="SetCriterion.forward",
    cases=_criterion_cases,
    call={"construct": {}, "construct_kwargs": ["num_classes", "eos_coef"], "adapter": "detr_criterion",
          "args": ["outputs", "targets", "indices"], "outputs": [*LOSSES, "carries_grad"],
          "returns": 'should return a dict with the three losses "loss_ce", "loss_bbox" and "loss_giou"',
          "given": {"generalized_box_iou": "generalized_box_iou", "box_cxcywh_to_xyxy": "box_cxcywh_to_xyxy"}},
    reference=_criterion,
    mistakes={
        "labels the unmatched queries 0 (and shifts the classes up); no-object is the last class, index C = "
        "self.num_classes, which self.empty_weight down-weights":
            lambda c: _criterion(c, eos_index="first"),
        "labels the unmatched queries 0, a real class (the first); fill the class targets with self.num_classes, "
        "the no-object class, then write the matched queries' labels in":
            lambda c: _criterion(c, eos_index="zero"),
        "does not down-weight no-object: pass weight=self.empty_weight to the cross-entropy (eos_coef on the last class)":
            lambda c: _criterion(_needs(c, c["eos_coef"] != 1.0), eos=1.0),
        "averages the weighted cross-entropy over all B*Q queries; PyTorch's weighted mean divides by the sum of "
        "the weights (what F.cross_entropy(..., weight=self.empty_weight) gives)":
            lambda c: _criterion(c, ce="plain_mean"),
        "computes the cross-entropy on the matched queries only; every query gets a class target, the unmatched "
        "ones no-object (the last class)":
            lambda c: _criterion(c, ce="matched_only"),
        "divides the box losses by the number of queries (B*Q); divide by the number of objects in the batch":
            lambda c: _criterion(c, norm="queries"),
        "divides the box losses by the batch size; divide by the number of objects in the batch":
            lambda c: _criterion(_needs(c, sum(len(t) for t in c["labels"]) not in (0, len(c["labels"]))), norm="batch"),
        "averages the box losses image by image (each image's sum divided by its own number of objects); divide the "
        "batch's sums by the number of objects in the whole batch, so that every object weighs the same":
            lambda c: _criterion(_needs(c, len({len(t) for t in c["labels"]}) > 1), norm="per_image"),
        "takes the mean of the L1 over the four numbers too (F.l1_loss's default reduction); sum the absolute "
        "differences over the matched pairs, then divide by the number of objects":
            lambda c: _criterion(c, l1="mean"),
        "divides F.l1_loss's mean (over the pairs and their four numbers) by the number of objects again; use "
        "reduction=\"sum\", then divide by the number of objects":
            lambda c: _criterion(c, l1="mean_divided"),
        "computes the GIoU on the (cx, cy, w, h) boxes; convert both to corners first":
            lambda c: _criterion(c, giou_on="cxcywh"),
        "sums 1 - GIoU over every pair of matched predictions and objects (the whole matrix generalized_box_iou "
        "returns); the matched pairs are its diagonal":
            lambda c: _criterion(c, giou_of="every_pair"),
        "pairs the matched predictions with the objects in the targets' own order; index each image's labels and "
        "boxes with tgt_idx, the objects its predictions are matched to":
            lambda c: _criterion(c, given_order=("labels", "boxes")),
        "gives the matched predictions the labels in the targets' own order; index each image's labels with "
        "tgt_idx, the objects its predictions are matched to":
            lambda c: _criterion(c, given_order=("labels",)),
        "pairs the matched predictions with the boxes in the targets' own order; index each image's boxes with "
        "tgt_idx, the objects its predictions are matched to":
            lambda c: _criterion(c, given_order=("boxes",)),
        "puts a box loss on every query (the unmatched ones against an all-zero box); only the matched predictions "
        "have a box to match":
            lambda c: _criterion(c, boxes_of="all"),
    },
    properties=_criterion_properties,
))


# ----------------------------------------------------------------- task 6
def _nms_cases(gen):
    cases = []
    for k, threshold, span in [(12, 0.5, 1.0), (20, 0.3, 1.0), (8, 0.7, 40.0), (1, 0.5, 1.0), (0, 0.5, 1.0)]:
        base = _boxes(gen, max(k // 2, 1), 0, span)[: (k + 1) // 2] if k else torch.zeros(0, 4)
        # each box of the first half copied with a jitter of a few percent of its own size: clusters of two, most
        # of them above the threshold, so that the visiting order decides which box of a cluster survives
        size = (base[: k // 2, 2:] - base[: k // 2, :2]).repeat(1, 2)
        jitter = base[: k // 2] + 0.06 * size * torch.randn(k // 2, 4, generator=gen)
        jitter[:, 2:] = torch.maximum(jitter[:, 2:], jitter[:, :2] + 0.01 * span)
        boxes = torch.cat([base, jitter])[:k]
        cases.append({"boxes": boxes, "scores": torch.rand(k, generator=gen), "iou_threshold": threshold})
    cases.append(_chain_case(gen, 7))
    # Exact ties with the threshold: IoU 0.5 (half a box) must be kept
    cases.append({"boxes": torch.tensor([[0.0, 0.0, 2.0, 2.0], [0.0, 0.0, 2.0, 1.0], [0.0, 0.0, 1.0, 2.0],
                                         [4.0, 4.0, 5.0, 5.0], [4.0, 4.0, 5.0, 5.0]]),
                  "scores": torch.tensor([0.9, 0.8, 0.7, 0.6, 0.65]), "iou_threshold": 0.5})
    return cases


def _chain_case(gen, n):
    """A diagonal chain of n equal squares, each overlapping the next one by an IoU above the threshold and a
    GIoU below it (a diagonal shift leaves a corner of the enclosing box uncovered), and the one after it by
    far less; scores decrease along the chain, the boxes in shuffled order.  Greedy NMS keeps every other box of
    the chain; suppressing against every better box keeps only the first, and GIoU keeps them all."""
    side = 0.1 + 0.1 * float(torch.rand((), generator=gen))
    shift = (0.2 + 0.06 * float(torch.rand((), generator=gen))) * side
    direction = torch.where(torch.rand(2, generator=gen) < 0.5, -1.0, 1.0)
    start = 0.5 - direction * (n - 1) * shift / 2 - side / 2
    corners = start + torch.arange(n, dtype=torch.float32)[:, None] * shift * direction
    chain = torch.cat([corners, corners + side], -1)
    inter, hull = (side - shift) ** 2, (side + shift) ** 2
    union = 2 * side ** 2 - inter
    iou = inter / union
    giou = iou - (hull - union) / hull
    scores = (torch.rand(n, generator=gen) * 0.8 + 0.1).sort(descending=True).values
    shuffle = torch.randperm(n, generator=gen)
    return {"boxes": chain[shuffle], "scores": scores[shuffle], "iou_threshold": (iou + giou) / 2}


def _iou(a, b):
    iw, ih = max(0.0, min(a[2], b[2]) - max(a[0], b[0])), max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def _nms(c, *, order="score", strict=True, overlap=_iou, output="score"):
    """Greedy NMS over Python floats.  ``output``: "index" (the kept indices sorted), "mask" (a (K,) 0/1 mask of
    the kept boxes) or "rank" (the kept boxes' positions in the score-sorted list, not their indices)."""
    boxes, scores, t = c["boxes"].double().tolist(), c["scores"].tolist(), c["iou_threshold"]
    visit = sorted(range(len(boxes)), key=lambda i: -scores[i]) if order == "score" else list(range(len(boxes)))
    keep = []
    for i in visit:
        if all((overlap(boxes[i], boxes[j]) <= t) if strict else (overlap(boxes[i], boxes[j]) < t) for j in keep):
            keep.append(i)
    if output == "index":
        keep = sorted(keep)
    elif output == "mask":
        keep = [float(i in keep) for i in range(len(boxes))]
    elif output == "rank":
        rank = {i: n for n, i in enumerate(sorted(range(len(boxes)), key=lambda i: -scores[i]))}
        keep = [rank[i] for i in keep]
    return {"kept": torch.tensor(keep, dtype=torch.float64)}


def _visits_in_index_order(c):
    """Greedy NMS in index order (the kept indices come out sorted); only where it keeps other boxes than NMS by
    score, since with the same boxes kept it is the mistake of sorting the kept indices (diagnosed below)."""
    kept = _nms(c, order="index", output="index")
    only_when(set(kept["kept"].tolist()) != set(_nms(c)["kept"].tolist()))
    return kept


def _giou_overlap(a, b):
    return _giou_pair(a, b)


def _suppress_against_all(c):
    """Drops a box when it overlaps any better box, kept or not (no greedy chain)."""
    boxes, scores, t = c["boxes"].double().tolist(), c["scores"].tolist(), c["iou_threshold"]
    keep = [i for i in sorted(range(len(boxes)), key=lambda i: -scores[i])
            if not any(scores[j] > scores[i] and _iou(boxes[i], boxes[j]) > t for j in range(len(boxes)))]
    return {"kept": torch.tensor(keep, dtype=torch.float64)}


def _nms_properties(c, out):
    kept = out["kept"]
    if len(kept) and (kept != np.round(kept)).any():
        return "returns values that are not indices: return the kept boxes' indices (long)"
    if len(set(kept.tolist())) < len(kept):
        return "returns an index twice"
    return None


register(Spec(
    name="ch09.nms", what="nms",
    cases=_nms_cases,
    call={"args": ["boxes", "scores", "iou_threshold"], "outputs": ["kept"], "given": {"box_iou": "box_iou"}},
    reference=_nms,
    mistakes={
        "visits the boxes in index order; NMS visits them by decreasing score, so the best box of a cluster survives":
            _visits_in_index_order,
        "suppresses a box whose IoU equals the threshold; suppress only when the IoU is greater than iou_threshold":
            lambda c: _nms(c, strict=False),
        "suppresses by GIoU; NMS compares the IoU with the threshold":
            lambda c: _nms(c, overlap=_giou_overlap),
        "returns the kept indices in increasing index order; return them by decreasing score":
            lambda c: _nms(c, output="index"),
        "drops every box that overlaps any better box, even one that was itself dropped; only the kept boxes "
        "suppress (greedy, one box at a time)":
            _suppress_against_all,
        "returns a mask of the kept boxes; return their indices (long), by decreasing score":
            lambda c: _nms(_needs(c, len(c["scores"]) > 0), output="mask"),
        "returns positions in the score-sorted order; map them back to the boxes' own indices (order[i])":
            lambda c: _nms(c, output="rank"),
    },
    properties=_nms_properties,
))
