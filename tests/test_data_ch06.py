"""Chapter 6's clips: deterministic, the right layout, and labels that say what happens in them."""
from __future__ import annotations

import pytest
import torch

from attncourse.data.video import ALL_MOTIONS, APPEARANCES, MOTIONS, PALETTE, REVERSED, motion_clips


def _coloured(clips):
    """(n, T, H, W): pixels of the moving objects (saturated colour), not the grey distractor or the noise."""
    return (clips.amax(1) - clips.amin(1)) > 0.4


def test_clips_are_seeded_and_in_the_video_layout():
    v, y = motion_clips(40, seed=3, frames=5, size=20)
    assert v.shape == (40, 3, 5, 20, 20) and v.dtype == torch.float32 and y.dtype == torch.int64
    assert 0 <= v.min() and v.max() <= 1
    v2, y2 = motion_clips(40, seed=3, frames=5, size=20)
    assert torch.equal(v, v2) and torch.equal(y, y2)
    assert not torch.equal(motion_clips(40, seed=4, frames=5, size=20)[0], v)
    with pytest.raises(ValueError, match="kind"):
        motion_clips(3, kind="colour")
    with pytest.raises(ValueError):
        motion_clips(3, frames=1)
    for classes in (0, 9, 16):
        with pytest.raises(ValueError, match="classes must be an even number"):
            motion_clips(3, classes=classes)


def test_every_class_is_present_and_pairs_are_time_reversals():
    _, y = motion_clips(1000, seed=0)
    counts = torch.bincount(y, minlength=len(MOTIONS))
    assert counts.min() > 60
    assert all(MOTIONS[REVERSED[2 * k]] == MOTIONS[2 * k + 1] for k in range(5))
    assert [MOTIONS[REVERSED[REVERSED[i]]] for i in range(10)] == list(MOTIONS)
    _, y = motion_clips(600, kind="appearance", seed=0)
    assert torch.bincount(y, minlength=len(APPEARANCES)).min() > 50


def test_motion_labels_describe_the_motion():
    v, y = motion_clips(400, seed=1, noise=0.0)
    ink = _coloured(v).float()                                     # (n, T, H, W)
    mass = ink.sum((2, 3))                                         # (n, T)
    rows, cols = torch.arange(v.shape[-2]).float(), torch.arange(v.shape[-1]).float()
    cx = (ink.sum(2) * cols).sum(-1) / mass.clamp(min=1)           # (n, T) centroid column
    cy = (ink.sum(3) * rows).sum(-1) / mass.clamp(min=1)
    spread = ((ink * ((cols - cx[..., None, None]) ** 2 + (rows[:, None] - cy[..., None, None]) ** 2)).sum((2, 3))
              / mass.clamp(min=1))
    intensity = (v.amax(1) - v.amin(1)).sum((2, 3))                # colour saturation, fading included

    def trend(series, cls):  # last frame minus first, for the clips of one class
        sel = series[y == MOTIONS.index(cls)]
        return sel[:, -1] - sel[:, 0]

    assert (trend(cx, "move left") < -5).all() and (trend(cx, "move right") > 5).all()
    assert (trend(cy, "move up") < -5).all() and (trend(cy, "move down") > 5).all()
    assert (trend(mass, "grow") > 0).all() and (trend(mass, "shrink") < 0).all()
    assert (trend(intensity, "appear") > 0).all() and (trend(intensity, "disappear") < 0).all()
    assert (trend(spread, "approach") < 0).all() and (trend(spread, "separate") > 0).all()


def test_appearance_labels_describe_the_look():
    v, y = motion_clips(300, kind="appearance", seed=2, noise=0.0)
    ink = _coloured(v)                                              # (n, T, H, W)
    palette = torch.tensor(list(PALETTE.values()))                  # (K, 3)
    for i in range(len(y)):
        pixels = v[i].permute(1, 2, 3, 0)[ink[i] & (v[i].amax(0) > 0.9)]  # fully painted pixels, (M, 3)
        if len(pixels):
            nearest = torch.cdist(pixels, palette).argmin(1)
            assert torch.bincount(nearest, minlength=len(palette)).argmax() == y[i]
    assert APPEARANCES == tuple(PALETTE)


def test_the_full_scale_classes_describe_their_motion():
    """classes=14 (the full scale) adds a diagonal move and a turn, each with its time reversal."""
    _, y = motion_clips(1400, classes=14, seed=0)
    assert torch.bincount(y, minlength=14).min() > 60 and y.max() == 13
    assert ALL_MOTIONS[:10] == MOTIONS and REVERSED[12] == 13
    v, y = motion_clips(600, classes=14, seed=1, noise=0.0)
    ink = _coloured(v).float()
    mass = ink.sum((2, 3)).clamp(min=1)
    centre = (v.shape[-1] - 1) / 2
    cols = torch.arange(v.shape[-1]).float() - centre
    cx = (ink.sum(2) * cols).sum(-1) / mass                       # (n, T), from the frame's centre
    cy = (ink.sum(3) * cols).sum(-1) / mass

    def moved(cls):
        sel = y == ALL_MOTIONS.index(cls)
        return cx[sel, -1] - cx[sel, 0], cy[sel, -1] - cy[sel, 0]

    dx, dy = moved("move up-left")
    assert (dx < -4).all() and (dy < -4).all()
    dx, dy = moved("move down-right")
    assert (dx > 4).all() and (dy > 4).all()
    for cls, sign in (("turn clockwise", 1), ("turn anticlockwise", -1)):  # y points down: clockwise on screen
        sel = y == ALL_MOTIONS.index(cls)
        cross = cx[sel, 0] * cy[sel, -1] - cy[sel, 0] * cx[sel, -1]
        assert (sign * cross > 0).all(), cls
