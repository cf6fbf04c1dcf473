"""Scenes of two coloured shapes and a caption saying where they are.

The chapter-1 captioning task (Show, Attend and Tell in miniature).  Captions
name the left (or upper) object first, so each scene has exactly one caption:
"a red circle left of a blue square", "a green triangle above a yellow circle".
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .vocab import Vocab

COLORS = {"red": (1.0, 0.1, 0.1), "green": (0.1, 0.85, 0.1),
          "blue": (0.2, 0.3, 1.0), "yellow": (1.0, 0.9, 0.1)}
SHAPES = ("circle", "square", "triangle")
RELATIONS = ("left of", "above")
CAPTION_WORDS = ["a", "left", "of", "above", *COLORS, *SHAPES]
CAPTION_LEN = 8  # "a red circle left of a blue square" has 8 words; "above" captions 7


def _shape_mask(shape: str, cx: float, cy: float, r: float, size: int) -> np.ndarray:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    if shape == "circle":
        return (xx - cx) ** 2 + (yy - cy) ** 2 <= r ** 2
    if shape == "square":
        return (np.abs(xx - cx) <= r * 0.85) & (np.abs(yy - cy) <= r * 0.85)
    if shape == "triangle":  # pointing up, base at the bottom
        rel = (yy - (cy - r)) / (2 * r)  # 0 at the apex, 1 at the base
        return (rel >= 0) & (rel <= 1) & (np.abs(xx - cx) <= rel * r)
    raise ValueError(f"unknown shape {shape!r}")


def draw_scene(objects: list[dict], *, size: int = 32, noise: float = 0.05,
               rng: np.random.Generator | None = None) -> np.ndarray:
    """Render objects (dicts with color, shape, cx, cy, r) into a (3, size, size) array."""
    img = np.zeros((3, size, size), dtype=np.float32)
    for obj in objects:
        mask = _shape_mask(obj["shape"], obj["cx"], obj["cy"], obj["r"], size)
        img[:, mask] = np.asarray(COLORS[obj["color"]], dtype=np.float32)[:, None]
    if noise and rng is not None:
        img += noise * rng.standard_normal(img.shape).astype(np.float32)
    return np.clip(img, 0.0, 1.0)


def caption_of(first: dict, relation: str, second: dict) -> str:
    return f"a {first['color']} {first['shape']} {relation} a {second['color']} {second['shape']}"


def _random_scene(rng: np.random.Generator, size: int) -> tuple[list[dict], str, str]:
    while True:
        a, b = ({"color": str(rng.choice(list(COLORS))), "shape": str(rng.choice(SHAPES))} for _ in range(2))
        if (a["color"], a["shape"]) != (b["color"], b["shape"]):
            break
    relation = str(rng.choice(RELATIONS))
    r = size / 32
    # The first object sits in the left (upper) third, the second in the right
    # (lower) third, so the relation is never ambiguous; the other coordinate is free.
    near, far = rng.uniform(6 * r, 11 * r), rng.uniform(21 * r, 26 * r)
    # The other coordinate differs by at most 4 px, less than the 10 px gap along the relation's
    # axis, so a pair side by side is never also "above" (no scene has two right captions).
    free_a = rng.uniform(9 * r, 23 * r)
    free_b = free_a + rng.uniform(-4 * r, 4 * r)
    if relation == "left of":
        a.update(cx=near, cy=free_a), b.update(cx=far, cy=free_b)
    else:
        a.update(cx=free_a, cy=near), b.update(cx=free_b, cy=far)
    for obj in (a, b):
        obj["r"] = float(rng.uniform(4.0 * r, 5.5 * r))
    return [a, b], relation, caption_of(a, relation, b)


CHANGES = ("colour", "shape", "order")


def altered_caption(objects: list[dict], rng: np.random.Generator) -> tuple[str, str]:
    """A caption of the scene with one thing changed, and which: ``"colour"`` or ``"shape"`` (of one object,
    picked at random) or ``"order"`` (the two objects named the other way round).  A hard negative for
    image-text matching: never the scene's own caption, with the same relation word and two different objects."""
    relation = "left of" if abs(objects[0]["cx"] - objects[1]["cx"]) > abs(objects[0]["cy"] - objects[1]["cy"]) else "above"
    own = caption_of(objects[0], relation, objects[1])
    while True:  # a change can make the two objects alike, or (after the fix below) undo itself: draw again
        a, b = (dict(o) for o in objects)
        kind = str(rng.choice(CHANGES))
        target = a if rng.random() < 0.5 else b
        if kind == "colour":
            target["color"] = str(rng.choice([c for c in COLORS if c != target["color"]]))
        elif kind == "shape":
            target["shape"] = str(rng.choice([s for s in SHAPES if s != target["shape"]]))
        else:
            a, b = b, a
        text = caption_of(a, relation, b)
        if (a["color"], a["shape"]) != (b["color"], b["shape"]) and text != own:
            return text, kind


@dataclass
class ShapeScenes:
    """``images`` (N, 3, S, S) in [0, 1]; ``captions`` (N, 10) word ids:
    ``<bos>``, up to eight words, ``<eos>``, padding; ``texts`` the captions;
    ``objects`` the drawn objects, first-mentioned first."""
    images: torch.Tensor
    captions: torch.Tensor
    texts: list[str]
    objects: list[list[dict]]
    vocab: Vocab

    def __len__(self) -> int:
        return len(self.texts)


def caption_vocab() -> Vocab:
    return Vocab(CAPTION_WORDS, joiner=" ")


def load_shape_scenes(n: int, *, seed: int, size: int = 32) -> ShapeScenes:
    """``n`` seeded scenes; different seeds give independent sets."""
    rng = np.random.default_rng([seed, 1729])
    vocab = caption_vocab()
    images, texts, objects = [], [], []
    for _ in range(n):
        objs, _, text = _random_scene(rng, size)
        images.append(draw_scene(objs, size=size, rng=rng))
        texts.append(text)
        objects.append(objs)
    captions = vocab.pad_batch([vocab.encode(t, bos=True, eos=True) for t in texts], CAPTION_LEN + 2)
    return ShapeScenes(torch.from_numpy(np.stack(images)), captions, texts, objects, vocab)
