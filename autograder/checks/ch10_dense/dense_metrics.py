"""Hidden checks for ``10a_dense_metrics.ipynb``.

The loss's oracle fits each image with ``numpy.linalg.lstsq`` in float64 (the normal equations are
the solution's path, not the oracle's); the mean IoU's oracle counts pixels in plain loops over a
NumPy confusion matrix.  A class absent from the data has no IoU: the kernel records the NaN the task
asks for as -1 (``nan_to``), which no IoU can be.
"""
from __future__ import annotations

import numpy as np
import torch

from ..core import Spec, register
from ..oracles import only_when

# scikit-learn's and torchmetrics' ready-made confusion matrices and IoUs (the task is to count the pixels)
SKLEARN_FORBIDDEN = ("sklearn", "torchmetrics", "confusion_matrix", "jaccard_score", "JaccardIndex",
                     "MulticlassJaccardIndex", "multiclass_jaccard_index", "jaccard_index", "MeanIoU")


# ----------------------------------------------------------------- task 1
def _ssi_cases(gen):
    cases = []
    for b, h, w, keep in [(3, 5, 6, 0.7), (2, 4, 4, 1.0), (4, 3, 7, 0.5), (1, 6, 5, 0.8)]:
        pred = torch.rand(b, h, w, generator=gen) * 2 + 0.1
        target = torch.rand(b, h, w, generator=gen) * 1.5 + 0.2
        mask = torch.rand(b, h, w, generator=gen) < keep
        mask[:, 0, :2] = True                                            # at least two valid pixels per image
        cases.append({"pred": pred, "target": target, "mask": mask})
    # An image with few valid pixels, and a target that is exactly a scaled and shifted prediction
    pred = torch.rand(3, 4, 5, generator=gen) + 0.1
    target = torch.rand(3, 4, 5, generator=gen) + 0.1
    mask = torch.ones(3, 4, 5, dtype=torch.bool)
    mask[1] = False
    mask[1, 2, 1:4] = True
    target[2] = 2.5 * pred[2] - 0.3
    cases.append({"pred": pred, "target": target, "mask": mask})
    return cases


def _fit(p, t, *, shift=True):
    """The least-squares (s, t) of one image (or s alone, with t = 0)."""
    if shift:
        design = np.stack([p, np.ones_like(p)], 1)
        (s, sh), *_ = np.linalg.lstsq(design, t, rcond=None)
        return s, sh
    denom = float(np.sum(p * p))
    return (float(np.sum(p * t)) / denom if denom else 0.0), 0.0


def _ssi(c, *, fit="image", fit_pixels="valid", shift=True, space="disparity", reduce="images", divide="valid",
         align=True):
    pred, target, mask = (c[k].double().numpy() for k in ("pred", "target", "mask"))
    mask = mask.astype(bool)
    if space == "depth":
        pred, target = 1 / pred, 1 / target
    b = len(pred)
    if fit == "batch":
        s_all, t_all = _fit(pred[mask], target[mask], shift=shift)
    errors, counts = [], []
    for i in range(b):
        m = mask[i] if fit_pixels == "valid" else np.ones_like(mask[i])
        if not align:
            s, t = 1.0, 0.0
        elif fit == "batch":
            s, t = s_all, t_all
        elif fit_pixels == "zeroed":  # the invalid pixels zeroed, yet counted: points at (0, 0) in the fit
            s, t = _fit(np.where(mask[i], pred[i], 0).ravel(), np.where(mask[i], target[i], 0).ravel(), shift=shift)
        else:
            s, t = _fit(pred[i][m], target[i][m], shift=shift)
        r = (s * pred[i] + t - target[i]) ** 2
        errors.append(r[mask[i]].sum())
        counts.append(mask[i].sum() if divide == "valid" else mask[i].size)
    errors, counts = np.array(errors), np.array(counts, dtype=np.float64)
    loss = errors.sum() / counts.sum() if reduce == "pixels" else np.mean(errors / counts)
    return {"loss": torch.tensor(loss)}


def _ssi_properties(c, out):
    if not np.isfinite(out["loss"]).all():
        return ("returns NaN or inf: solve each image's 2 x 2 system over its valid pixels (its determinant is "
                "Σ m p² · Σ m - (Σ m p)², over the valid pixels m)")
    return None


register(Spec(
    name="ch10.scale_shift_invariant_loss", what="scale_shift_invariant_loss",
    cases=_ssi_cases,
    call={"args": ["pred", "target", "mask"], "outputs": ["loss"]},
    reference=_ssi,
    mistakes={
        "fits one scale and shift for the whole batch; each image gets its own (its depth comes in its own units)":
            lambda c: _ssi(c, fit="batch"),
        "uses the invalid pixels in the fit; the sums of the normal equations run over the valid pixels only":
            lambda c: _ssi(c, fit_pixels="all"),
        "counts the invalid pixels in the fit as points (0, 0) (masked to zero, yet counted in |M|); the sums and "
        "the count run over the valid pixels only":
            lambda c: _ssi(c, fit_pixels="zeroed"),
        "fits the target to the prediction (s · target + t ≈ pred); the prediction is the one scaled and shifted "
        "onto the target, and the error is measured in the target's units":
            lambda c: _ssi({"pred": c["target"], "target": c["pred"], "mask": c["mask"]}),
        "fits a scale only; the alignment has a shift too (a line, not a ray through 0)":
            lambda c: _ssi(c, shift=False),
        "aligns depths (1 / disparity); the prediction and the target are disparities, aligned as they are":
            lambda c: _ssi(c, space="depth"),
        "averages the squared residuals over all valid pixels of the batch; the loss is the mean over images of "
        "each image's mean":
            lambda c: _ssi(c, reduce="pixels"),
        "divides each image's squared residuals by all its pixels; divide by its number of valid pixels":
            lambda c: _ssi(c, divide="all"),
        "does not align at all: the loss compares the prediction after the least-squares scale and shift":
            lambda c: _ssi(c, align=False),
    },
    properties=_ssi_properties,
    atol=1e-4,
))


# ----------------------------------------------------------------- task 2
def _miou_cases(gen):
    cases = []
    for n, h, w, classes, ignore in [(3, 4, 5, 4, 255), (2, 6, 6, 6, 255), (4, 3, 3, 3, -1), (1, 5, 4, 5, 255)]:
        target = torch.randint(0, classes - 1, (n, h, w), generator=gen)      # the last class never labelled
        pred = torch.randint(0, classes - 1, (n, h, w), generator=gen)
        right = torch.rand(n, h, w, generator=gen) < 0.5
        pred = torch.where(right, target, pred)
        ignored = torch.rand(n, h, w, generator=gen) < 0.15
        target = torch.where(ignored, torch.full_like(target, ignore), target)
        cases.append({"pred": pred, "target": target, "num_classes": classes, "ignore_index": ignore})
    # A class predicted only on ignored pixels (it must stay absent), a class only predicted (IoU 0), a class only
    # labelled (IoU 0), and images of unequal content (per-image averaging differs)
    target = torch.tensor([[[0, 0, 1, 1], [0, 255, 1, 1]], [[2, 2, 2, 2], [2, 2, 0, 255]]])
    pred = torch.tensor([[[0, 3, 1, 1], [0, 4, 1, 0]], [[2, 2, 2, 1], [2, 0, 0, 4]]])
    cases.append({"pred": pred, "target": target, "num_classes": 6, "ignore_index": 255})
    return cases


def _confusion(pred, target, classes, ignore, *, count_ignored=False):
    cm = np.zeros((classes, classes))
    extra_fp = np.zeros(classes)
    for p, t in zip(pred.reshape(-1).tolist(), target.reshape(-1).tolist()):
        if t == ignore:
            if count_ignored:
                extra_fp[p] += 1
            continue
        cm[t, p] += 1
    return cm, extra_fp


def _iou_from(cm, extra_fp, *, absent="nan", kind="iou"):
    tp = np.diag(cm)
    fp, fn = cm.sum(0) - tp + extra_fp, cm.sum(1) - tp
    denom = {"iou": tp + fp + fn, "precision": tp + fp, "recall": tp + fn, "tp_twice": 2 * tp + fp + fn}[kind]
    present = (tp + fp + fn) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(denom > 0, tp / np.where(denom > 0, denom, 1), 0.0)
    iou = np.where(present, iou, {"nan": np.nan, "zero": 0.0, "one": 1.0}[absent])
    return iou


def _miou(c, *, per_image=False, absent="nan", count_ignored=False, kind="iou", nan_mean=True, mean="nanmean"):
    pred, target = c["pred"].numpy(), c["target"].numpy()
    classes, ignore = c["num_classes"], c["ignore_index"]
    if per_image == "ious":  # each image's IoUs, averaged over the images class by class (NaN where never present)
        per = np.array([_iou_from(*_confusion(p, t, classes, ignore)) for p, t in zip(pred, target)])
        seen = np.isfinite(per).any(0)
        iou = np.where(seen, np.nansum(per, 0) / np.maximum(np.isfinite(per).sum(0), 1), np.nan)
        miou = np.nanmean(iou)
    elif per_image:
        per = []
        for p, t in zip(pred, target):
            iou = _iou_from(*_confusion(p, t, classes, ignore), absent=absent)
            per.append(np.nanmean(iou) if np.isfinite(iou).any() else np.nan)
        iou = _iou_from(*_confusion(pred, target, classes, ignore), absent=absent)  # the per-class part as asked
        miou = np.nanmean(per)
    else:
        iou = _iou_from(*_confusion(pred, target, classes, ignore, count_ignored=count_ignored), absent=absent, kind=kind)
        if not nan_mean:
            miou = np.mean(iou)
        elif mean == "over_all":  # the sum over every class, absent ones too, divided by num_classes
            miou = np.nansum(iou) / classes
        else:
            miou = np.nanmean(iou)
    # NaN (absent) recorded as -1, as the kernel records the student's
    return {"miou": torch.tensor(np.nan_to_num(miou, nan=-1.0)), "iou": torch.tensor(np.nan_to_num(iou, nan=-1.0))}


def _needs_absent(c):
    cm, _ = _confusion(c["pred"].numpy(), c["target"].numpy(), c["num_classes"], c["ignore_index"])
    only_when(((cm.sum(0) + cm.sum(1)) == 0).any())
    return c


register(Spec(
    name="ch10.mean_iou", what="mean_iou",
    cases=_miou_cases,
    call={"args": ["pred", "target", "num_classes"], "kwargs": ["ignore_index"], "outputs": ["miou", "iou"],
          "nan_to": -1.0},
    reference=_miou,
    mistakes={
        "averages per-image mIoUs; benchmarks accumulate one confusion matrix over the whole data set and divide once":
            lambda c: _miou(c, per_image=True),
        "averages per-image IoUs class by class (and their mean); benchmarks accumulate one confusion matrix over "
        "the whole data set and divide once":
            lambda c: _miou(c, per_image="ious"),
        "gives a class absent from the labels and the predictions an IoU of 0; it has none (0 / 0): NaN, left out of "
        "the mean":
            lambda c: _miou(_needs_absent(c), absent="zero"),
        "gives a class absent from the labels and the predictions an IoU of 1; it has none (0 / 0): NaN, left out of "
        "the mean":
            lambda c: _miou(_needs_absent(c), absent="one"),
        "averages with the NaN of absent classes (the mean is NaN); average the classes that have an IoU (nanmean)":
            lambda c: _miou(_needs_absent(c), nan_mean=False),
        "divides the sum of the IoUs by num_classes (absent classes count as 0 in the mean); average the classes "
        "that have an IoU (nanmean)":
            lambda c: _miou(_needs_absent(c), mean="over_all"),
        "counts what is predicted on ignored pixels as false positives; pixels labelled ignore_index take no part":
            lambda c: _miou(c, count_ignored=True),
        "divides by TP + FP (the precision); the IoU divides by TP + FP + FN":
            lambda c: _miou(c, kind="precision"),
        "divides by TP + FN (the recall); the IoU divides by TP + FP + FN":
            lambda c: _miou(c, kind="recall"),
        "adds the predicted and the labelled areas without taking the intersection off (TP counted twice); the "
        "IoU divides by TP + FP + FN":
            lambda c: _miou(c, kind="tp_twice"),
    },
    forbidden=SKLEARN_FORBIDDEN,
))
