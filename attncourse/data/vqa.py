"""Scenes of two to four coloured shapes, with a caption and questions about them (chapter 8, full scale).

Larger than chapter 1's scenes: 2 to 4 objects, every (colour, shape) at most once, on a 64 x 64
canvas, never overlapping.  Each scene has a caption listing its objects from left to right
("a red circle a blue square a green triangle"), for ViLT's pre-training, and questions with
one-word answers computed from the objects, for a VQA-style fine-tune:

- ``count``:     "how many red objects"                    -> "zero" ... "four"
- ``exists``:    "is there a blue square"                  -> "yes" / "no" (half of each)
- ``relation``:  "is the red circle left of the blue square" (also "right of", "above") -> "yes" / "no"
- ``colour``:    "what color is the square" (a shape the scene holds once)   -> a colour
- ``shape``:     "what shape is the red object" (a colour the scene holds once) -> a shape

"left of" means the first object's centre is further left by more than its margin; "above" the
same for rows; the generator only asks relation questions whose answer is not borderline.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .shapes import COLORS, SHAPES, draw_scene
from .vocab import Vocab

NUMBERS = ("zero", "one", "two", "three", "four")
RELATIONS = ("left of", "right of", "above")
KINDS = ("count", "exists", "relation", "colour", "shape")
ANSWERS = ("yes", "no", *NUMBERS, *COLORS, *SHAPES)
WORDS = ["a", "how", "many", "objects", "is", "there", "the", "left", "right", "of", "above", "what", "color", "shape",
         "object", *COLORS, *SHAPES]
MARGIN = 6.0  # pixels: relation questions are asked only when the centres differ by more than this


@dataclass
class VQAScenes:
    """``images`` (N, 3, S, S); ``captions`` (N, Lc) ids; ``questions`` (N, Lq) ids; ``answers`` (N,) indices into
    :data:`ANSWERS`; ``kinds`` (N,) indices into :data:`KINDS`; the texts and objects for inspection."""
    images: torch.Tensor
    captions: torch.Tensor
    questions: torch.Tensor
    answers: torch.Tensor
    kinds: torch.Tensor
    caption_texts: list[str]
    question_texts: list[str]
    objects: list[list[dict]]
    vocab: Vocab

    def __len__(self) -> int:
        return len(self.caption_texts)


def vqa_vocab() -> Vocab:
    return Vocab(WORDS, joiner=" ")


def _place(rng: np.random.Generator, size: int) -> list[dict]:
    n = int(rng.integers(2, 5))
    kinds = rng.permutation([(c, s) for c in COLORS for s in SHAPES])[:n]
    objects = []
    while len(objects) < n:
        r = float(rng.uniform(5.0, 7.0)) * size / 64
        cx, cy = (float(v) for v in rng.uniform(r + 1, size - r - 1, size=2))
        if all((cx - o["cx"]) ** 2 + (cy - o["cy"]) ** 2 > (r + o["r"] + 2) ** 2 for o in objects):
            color, shape = kinds[len(objects)]
            objects.append({"color": str(color), "shape": str(shape), "cx": cx, "cy": cy, "r": r})
    return objects


def _holds(a: dict, relation: str, b: dict) -> bool | None:
    """Whether ``a relation b`` holds; None when the answer would be borderline (not asked)."""
    d = {"left of": b["cx"] - a["cx"], "right of": a["cx"] - b["cx"], "above": b["cy"] - a["cy"]}[relation]
    return None if abs(d) <= MARGIN else d > 0


def _question(rng: np.random.Generator, objects: list[dict]) -> tuple[str, str, str]:
    """(question, answer, kind) for one scene."""
    while True:
        kind = str(rng.choice(KINDS))
        colors = [o["color"] for o in objects]
        shapes = [o["shape"] for o in objects]
        if kind == "count":
            color = str(rng.choice(list(COLORS)))
            return f"how many {color} objects", NUMBERS[colors.count(color)], kind
        if kind == "exists":
            if rng.random() < 0.5:
                o = objects[int(rng.integers(len(objects)))]
                color, shape = o["color"], o["shape"]
            else:
                absent = [(c, s) for c in COLORS for s in SHAPES if (c, s) not in zip(colors, shapes)]
                color, shape = absent[int(rng.integers(len(absent)))]
            present = (color, shape) in zip(colors, shapes)
            return f"is there a {color} {shape}", "yes" if present else "no", kind
        if kind == "relation":
            i, j = rng.choice(len(objects), size=2, replace=False)
            relation = str(rng.choice(RELATIONS))
            holds = _holds(objects[i], relation, objects[j])
            if holds is None:
                continue
            a, b = objects[i], objects[j]
            return (f"is the {a['color']} {a['shape']} {relation} the {b['color']} {b['shape']}",
                    "yes" if holds else "no", kind)
        if kind == "colour":
            once = [s for s in SHAPES if shapes.count(s) == 1]
            if not once:
                continue
            shape = str(rng.choice(once))
            return f"what color is the {shape}", colors[shapes.index(shape)], kind
        once = [c for c in COLORS if colors.count(c) == 1]  # kind == "shape"
        if not once:
            continue
        color = str(rng.choice(once))
        return f"what shape is the {color} object", shapes[colors.index(color)], kind


def load_vqa_scenes(n: int, *, seed: int, size: int = 64) -> VQAScenes:
    """``n`` seeded scenes, one question each; different seeds give independent sets."""
    if n < 0 or size < 32:
        raise ValueError(f"need n >= 0 and size >= 32, not n={n}, size={size}")
    rng = np.random.default_rng([seed, 4242])
    vocab = vqa_vocab()
    images, captions, questions, answers, kinds, objects_all = [], [], [], [], [], []
    for _ in range(n):
        objects = _place(rng, size)
        images.append(draw_scene(objects, size=size, rng=rng))
        captions.append(" ".join(f"a {o['color']} {o['shape']}" for o in sorted(objects, key=lambda o: o["cx"])))
        q, a, k = _question(rng, objects)
        questions.append(q)
        answers.append(ANSWERS.index(a))
        kinds.append(KINDS.index(k))
        objects_all.append(objects)
    cap_ids = vocab.pad_batch([vocab.encode(t, bos=True, eos=True) for t in captions], 3 * 4 + 2) if n else \
        torch.zeros(0, 14, dtype=torch.long)
    q_ids = vocab.pad_batch([vocab.encode(t, bos=True, eos=True) for t in questions], 12) if n else \
        torch.zeros(0, 12, dtype=torch.long)
    pixels = torch.from_numpy(np.stack(images)) if n else torch.zeros(0, 3, size, size)
    return VQAScenes(pixels, cap_ids, q_ids, torch.tensor(answers, dtype=torch.long),
                     torch.tensor(kinds, dtype=torch.long), captions, questions, objects_all, vocab)
