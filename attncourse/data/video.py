"""Short clips of moving shapes: a motion set and an appearance set (chapter 6).

The **motion** set is Something-Something in miniature: the class is what happens
over time.  Its ten classes come in five pairs, each the time reversal of the other
(move left / move right, move up / move down, grow / shrink, appear / disappear,
approach / separate); ``classes=14`` adds two more pairs (move up-left / move down-right,
turn clockwise / turn anticlockwise), as the full scale does.  Every clip is drawn from one
of the "forward" processes
and then, with probability 1/2, reversed in time and given the paired label.  So a clip
and its reversal are equally likely under the two labels of a pair, and any model
whose output does not depend on the order of the frames is right at most half the
time: its ceiling is exactly 0.5.

The **appearance** set is Kinetics in miniature: the class is the moving object's colour,
which one frame shows; its shape and its motion are random and say nothing.

Both sets put a static grey distractor in every clip.  Clips are (3, T, H, W) in
[0, 1], PyTorch's (C, T, H, W) video layout (``Conv3d``, the official TimeSformer).
"""
from __future__ import annotations

import numpy as np
import torch

from .shapes import SHAPES, _shape_mask

MOTIONS = ("move left", "move right", "move up", "move down", "grow", "shrink", "appear", "disappear",
           "approach", "separate")  # the default set: ten classes
# Every motion class, the default ten first: ``motion_clips(classes=c)`` labels index ALL_MOTIONS[:c].
ALL_MOTIONS = MOTIONS + ("move up-left", "move down-right", "turn clockwise", "turn anticlockwise")
REVERSED = {i: i ^ 1 for i in range(len(ALL_MOTIONS))}  # class 2k and 2k + 1 are each other's time reversal
PALETTE = {"red": (1.0, 0.15, 0.1), "yellow": (1.0, 0.8, 0.1), "green": (0.1, 0.8, 0.2), "blue": (0.2, 0.35, 1.0)}
APPEARANCES = tuple(PALETTE)  # the appearance set's classes: the moving object's colour
GREY = (0.55, 0.55, 0.55)
KINDS = ("motion", "appearance")


def _paint(frame: np.ndarray, shape: str, cx: float, cy: float, r: float, color, alpha: float = 1.0) -> None:
    mask = _shape_mask(shape, cx, cy, r, frame.shape[-1])
    frame[:, mask] = (1 - alpha) * frame[:, mask] + alpha * np.asarray(color, dtype=np.float32)[:, None]


def _between(rng: np.random.Generator, low: float, high: float) -> float:
    """Uniform on [low, high]; the middle when the interval is empty (an object may then touch the edge)."""
    return float(rng.uniform(low, high)) if low < high else (low + high) / 2


def _forward_process(rng: np.random.Generator, process: int, frames: int, size: int) -> list[list[dict]]:
    """One clip of forward process ``process`` (0 move left, 1 move up, 2 grow, 3 appear, 4 approach,
    5 move up-left, 6 turn clockwise): a list per frame of the objects to draw."""
    s = size / 24  # every distance scales with the frame
    speed = rng.uniform(1.6, 2.4) * s
    r = rng.uniform(2.6, 3.6) * s
    travel = speed * (frames - 1)
    t = np.arange(frames)

    def obj(**kw):
        return dict(shape=kw.pop("shape", None), color=kw.pop("color", None), **kw)

    if process in (0, 1):  # a move: start near one edge, travel towards the other
        along0 = _between(rng, r + travel, size - r)  # the start, far enough from the edge it travels to
        across = rng.uniform(r, size - r)
        pos = along0 - speed * t
        return [[obj(cx=p, cy=across, r=r) if process == 0 else obj(cx=across, cy=p, r=r)] for p in pos]
    if process == 5:  # a diagonal move, up and to the left, at the same speed
        step = speed / np.sqrt(2)
        x0, y0 = (_between(rng, r + step * (frames - 1), size - r) for _ in range(2))
        return [[obj(cx=x0 - step * k, cy=y0 - step * k, r=r)] for k in t]
    if process == 6:  # clockwise on screen (y points down) around the frame's centre, a quarter turn or so
        radius = rng.uniform(0.22, 0.3) * size
        turn = speed * (frames - 1) / radius  # radians: the same path length as a move
        angles = rng.uniform(0, 2 * np.pi) + turn * t / (frames - 1)
        return [[obj(cx=size / 2 + radius * np.cos(a), cy=size / 2 + radius * np.sin(a), r=0.8 * r)] for a in angles]
    cx, cy = rng.uniform(0.3 * size, 0.7 * size, size=2)
    if process == 2:  # grow
        r0 = rng.uniform(1.5, 2.2) * s
        growth = rng.uniform(0.9, 1.3) * s
        return [[obj(cx=cx, cy=cy, r=r0 + growth * k)] for k in t]
    if process == 3:  # appear: fade in from nothing
        return [[obj(cx=cx, cy=cy, r=r, alpha=k / (frames - 1))] for k in t]
    # approach: two objects on a horizontal or vertical line, moving towards each other
    horizontal = rng.random() < 0.5
    r2 = 0.8 * r
    gap0 = 2 * r2 + travel + rng.uniform(0, 2 * s)  # they end up touching, or nearly
    centre = _between(rng, r2 + gap0 / 2, size - r2 - gap0 / 2)
    across = rng.uniform(r, size - r)
    clip = []
    for k in t:
        half = gap0 / 2 - speed * k / 2
        a, b = centre - half, centre + half
        pts = [(a, across), (b, across)] if horizontal else [(across, a), (across, b)]
        clip.append([obj(cx=x, cy=y, r=r2, second=j == 1) for j, (x, y) in enumerate(pts)])
    return clip


def motion_clips(n: int, *, kind: str = "motion", frames: int = 6, size: int = 24, seed: int = 0,
                 noise: float = 0.03, classes: int = len(MOTIONS)) -> tuple[torch.Tensor, torch.Tensor]:
    """``n`` clips (n, 3, frames, size, size) in [0, 1] and their labels (n,), from ``seed``.

    ``kind="motion"``: labels index :data:`ALL_MOTIONS` ``[:classes]`` (pairs 2k, 2k+1 are time
    reversals of each other; the default ten are :data:`MOTIONS`); ``kind="appearance"``: labels
    index :data:`APPEARANCES`, and ``classes`` only widens the motions the objects make.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if classes not in range(2, len(ALL_MOTIONS) + 1, 2):
        raise ValueError(f"classes must be an even number from 2 to {len(ALL_MOTIONS)}, not {classes!r}")
    if n < 1 or frames < 2 or size < 12:
        raise ValueError(f"need n >= 1, frames >= 2 and size >= 12, not n={n}, frames={frames}, size={size}")
    rng = np.random.default_rng(seed)
    video = np.zeros((n, 3, frames, size, size), dtype=np.float32)
    labels = np.zeros(n, dtype=np.int64)
    palette = list(PALETTE.values())
    for i in range(n):
        process = int(rng.integers(classes // 2))
        clip = _forward_process(rng, process, frames, size)
        reverse = rng.random() < 0.5
        if kind == "motion":
            shape, color = str(rng.choice(SHAPES)), palette[rng.integers(len(palette))]
            labels[i] = 2 * process + int(reverse)
        else:  # the class is the look, the object's colour; its shape and motion are noise
            labels[i] = int(rng.integers(len(palette)))
            shape, color = str(rng.choice(SHAPES)), palette[labels[i]]
        second = (str(rng.choice(SHAPES)), palette[rng.integers(len(palette))])
        if kind == "appearance":  # two objects approaching: both have the class's look
            second = (shape, color)
        distractor = (str(rng.choice(SHAPES)), *rng.uniform(3, size - 3, size=2), rng.uniform(2, 3) * size / 24)
        for k, objects in enumerate(clip):
            frame = video[i, :, k]
            _paint(frame, distractor[0], distractor[1], distractor[2], distractor[3], GREY)
            for o in objects:
                sh, col = second if o.get("second") else (shape, color)
                _paint(frame, sh, o["cx"], o["cy"], o["r"], col, o.get("alpha", 1.0))
        if reverse:
            video[i] = video[i, :, ::-1].copy()
    if noise:
        video += noise * rng.standard_normal(video.shape).astype(np.float32)
    return torch.from_numpy(np.clip(video, 0.0, 1.0)), torch.from_numpy(labels)
