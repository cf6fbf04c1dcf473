"""Chapter 9's data: detection scenes of shapes and canvases of digits, in DETR's and COCO's formats."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from attncourse.data.detection import coco_ground_truth, detection_scenes, digit_canvases
from attncourse.data.shapes import SHAPES


def _xyxy(boxes, size):
    cx, cy, w, h = (boxes * size).unbind(-1)
    return torch.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], -1)


def _iou(a, b):
    w = (min(a[2], b[2]) - max(a[0], b[0])).clamp(min=0)
    h = (min(a[3], b[3]) - max(a[1], b[1])).clamp(min=0)
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def test_scenes_are_seeded_and_shaped():
    a, b, c = (detection_scenes(40, seed=s) for s in (3, 3, 4))
    assert a.images.shape == (40, 3, 40, 40) and a.images.dtype == torch.float32
    assert torch.equal(a.images, b.images) and all(torch.equal(x["boxes"], y["boxes"]) for x, y in zip(a.targets, b.targets))
    assert not torch.equal(a.images, c.images)
    assert 0 <= a.images.min() and a.images.max() <= 1
    assert a.classes == SHAPES and len(a) == 40


def test_targets_follow_detr_format_and_the_rules():
    scenes = detection_scenes(300, seed=0, max_objects=3)
    counts = [len(t["labels"]) for t in scenes.targets]
    assert set(counts) == {1, 2, 3}
    for t in scenes.targets:
        assert t["labels"].dtype == torch.long and t["boxes"].shape == (len(t["labels"]), 4)
        assert ((t["labels"] >= 0) & (t["labels"] < 3)).all()
        assert (t["boxes"] > 0).all() and (t["boxes"] <= 1).all()
        corners = _xyxy(t["boxes"], 40)
        assert (corners >= -1e-4).all() and (corners <= 40 + 1e-4).all(), "boxes inside the image"
        sides = corners[:, 2:] - corners[:, :2]
        assert (sides >= 4).all() and (sides <= 16).all()
        for i in range(len(corners)):
            for j in range(i):
                assert _iou(corners[i], corners[j]) <= 0.3 + 1e-6


def test_boxes_fit_the_drawn_objects():
    """Each box is the object's tight box: the last-drawn object's pixels fill its box's edges, and
    outside every box there is only background (dim) and noise."""
    scenes = detection_scenes(50, seed=1, max_objects=1, noise=0.0)
    for image, t in zip(scenes.images, scenes.targets):
        x1, y1, x2, y2 = (int(round(v)) for v in _xyxy(t["boxes"], 40)[0].tolist())
        bright = image.max(0).values > 0.2  # objects have one saturated channel, the background stays below 0.16
        ys, xs = torch.nonzero(bright, as_tuple=True)
        assert (xs.min().item(), ys.min().item(), xs.max().item() + 1, ys.max().item() + 1) == (x1, y1, x2, y2)


def test_min_objects_and_bad_arguments():
    assert {len(t["labels"]) for t in detection_scenes(60, seed=2, min_objects=2, max_objects=2).targets} == {2}
    with pytest.raises(ValueError, match="min_objects"):
        detection_scenes(5, seed=0, min_objects=3, max_objects=2)
    with pytest.raises(ValueError, match="part"):
        digit_canvases(5, seed=0, part="val")


def test_digit_canvases_split_by_source_digit():
    train = digit_canvases(30, seed=0, part="train", size=64, max_objects=3, max_size=28)
    test = digit_canvases(30, seed=0, part="test", size=64, max_objects=3, max_size=28)
    assert train.images.shape == (30, 1, 64, 64) and train.classes == tuple("0123456789")
    assert not torch.equal(train.images, test.images)
    for t in train.targets:
        assert 1 <= len(t["labels"]) <= 3 and ((t["labels"] >= 0) & (t["labels"] <= 9)).all()
        corners = _xyxy(t["boxes"], 64)
        for i in range(len(corners)):
            for j in range(i):
                assert _iou(corners[i], corners[j]) <= 0.3 + 1e-6
    again = digit_canvases(30, seed=0, part="train", size=64, max_objects=3, max_size=28)
    assert torch.equal(train.images, again.images)


def test_coco_ground_truth_is_absolute_top_left():
    scenes = detection_scenes(5, seed=0)
    gt = coco_ground_truth(scenes.targets, size=40, classes=scenes.classes)
    assert [c["id"] for c in gt["categories"]] == [0, 1, 2] and len(gt["images"]) == 5
    assert len(gt["annotations"]) == sum(len(t["labels"]) for t in scenes.targets)
    ann, t = gt["annotations"][0], scenes.targets[0]
    cx, cy, w, h = (t["boxes"][0] * 40).tolist()
    assert np.allclose(ann["bbox"], [cx - w / 2, cy - h / 2, w, h]) and ann["category_id"] == int(t["labels"][0])
    assert len({a["id"] for a in gt["annotations"]}) == len(gt["annotations"]) and min(a["id"] for a in gt["annotations"]) >= 1


def test_pycocotools_scores_the_ground_truth_one():
    import contextlib
    import io

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    scenes = detection_scenes(20, seed=0)
    with contextlib.redirect_stdout(io.StringIO()):
        truth = COCO()
        truth.dataset = coco_ground_truth(scenes.targets, size=40, classes=scenes.classes)
        truth.createIndex()
        dets = [dict(a, score=1.0) for a in truth.dataset["annotations"]]
        ev = COCOeval(truth, truth.loadRes([{k: d[k] for k in ("image_id", "category_id", "bbox", "score")} for d in dets]), "bbox")
        ev.evaluate(), ev.accumulate(), ev.summarize()
    assert ev.stats[0] == pytest.approx(1.0) and ev.stats[1] == pytest.approx(1.0)
