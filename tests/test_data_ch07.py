"""Chapter 7's data: crops of a photograph that ships with matplotlib, split by rows into train and test."""
from __future__ import annotations

import pytest
import torch

from attncourse.data import load_photo, photo_crops


def test_photo_is_bundled_rgb_in_unit_range():
    photo = load_photo()
    assert photo.shape == (3, 600, 512) and photo.dtype == torch.float32
    assert 0 <= photo.min() and photo.max() <= 1 and photo.max() > 0.9
    assert (photo[0] - photo[2]).abs().mean() > 0.01  # a colour photograph, not three equal channels
    with pytest.raises(ValueError, match="unknown photograph"):
        load_photo("lena.png")


def _locate(crop, photo):
    """The (row, column) where `crop` sits in `photo` (exact match), searched by its top-left pixel."""
    size = crop.shape[-1]
    hits = ((photo - crop[:, :1, :1]).abs().sum(0) < 1e-6).nonzero().tolist()
    for y, x in hits:
        if y + size <= photo.shape[1] and x + size <= photo.shape[2] and torch.equal(photo[:, y:y + size, x:x + size], crop):
            return y, x
    raise AssertionError("crop not found in the photograph")


def test_crops_are_seeded_pieces_of_the_photo_and_parts_do_not_overlap():
    photo = load_photo()
    train, test = photo_crops(20, size=32, part="train", seed=0), photo_crops(20, size=32, part="test", seed=0)
    assert train.shape == test.shape == (20, 3, 32, 32)
    assert torch.equal(photo_crops(20, size=32, part="train", seed=0), train)  # seeded
    assert not torch.equal(photo_crops(20, size=32, part="train", seed=1), train)
    cut = 2 * 600 // 3
    for crop in train[:6]:
        y, _ = _locate(crop, photo)
        assert y + 32 <= cut  # wholly in the top two thirds
    for crop in test[:6]:
        y, _ = _locate(crop, photo)
        assert y >= cut       # wholly in the bottom third
    assert len({tuple(c.flatten()[:8].tolist()) for c in train}) > 15  # different places, not one crop repeated


def test_crops_reject_bad_arguments():
    assert photo_crops(0, size=16).shape == (0, 3, 16, 16)
    with pytest.raises(ValueError, match="part"):
        photo_crops(2, part="validation")
    with pytest.raises(ValueError, match="size"):
        photo_crops(2, size=300, part="test")  # the bottom third is only 200 rows high
    with pytest.raises(ValueError, match="n must be"):
        photo_crops(-1)
