"""Chapter 2's procedural data and cost measurement: deterministic, right shapes, right labels."""
from __future__ import annotations

import pytest
import torch

from attncourse.cost import saved_bytes, time_and_memory
from attncourse.data import IGNORE, beacon_maps, lookback_task, position_blind_accuracy


def test_lookback_is_deterministic_and_seed_dependent():
    a, b = lookback_task(50, length=12, seed=3).tensors, lookback_task(50, length=12, seed=3).tensors
    assert all(torch.equal(s, t) for s, t in zip(a, b))
    assert not torch.equal(a[0], lookback_task(50, length=12, seed=4).tensors[0])


@pytest.mark.parametrize("length,vocab_size,offset", [(16, 32, 3), (7, 5, 1), (40, 100, 6)])
def test_lookback_shapes_and_labels(length, vocab_size, offset):
    x, y = lookback_task(200, length=length, vocab_size=vocab_size, offset=offset, seed=0).tensors
    assert x.shape == y.shape == (200, length) and x.dtype == y.dtype == torch.long
    assert 0 <= x.min() and x.max() < vocab_size
    assert (y[:, :offset] == IGNORE).all()
    for t in range(offset, length):  # every answer is the token `offset` places earlier
        assert torch.equal(y[:, t], x[:, t - offset])


def test_lookback_rejects_impossible_offsets():
    with pytest.raises(ValueError):
        lookback_task(4, length=3, offset=3)
    with pytest.raises(ValueError):
        lookback_task(4, length=3, offset=0)


def test_position_blind_accuracy_is_the_best_guess_from_the_multiset():
    # tokens 0 0 1 2, offset 1: answers are x_0, x_1, x_2 = 0, 0, 1 at positions 1, 2, 3
    x = torch.tensor([[0, 0, 1, 2]])
    y = torch.tensor([[IGNORE, 0, 0, 1]])
    # position 1 (own token 0): others {0, 1, 2} -> tie, guess 0: right
    # position 2 (own token 1): others {0, 0, 2} -> 0: right
    # position 3 (own token 2): others {0, 0, 1} -> 0: wrong (answer 1)
    assert position_blind_accuracy(x, y, 3) == pytest.approx(2 / 3)
    # with many symbols and few tokens, chance is about 1 / (length - 1) or a little more
    x, y = lookback_task(2000, length=16, vocab_size=32, seed=1).tensors
    assert 1 / 15 < position_blind_accuracy(x, y, 32) < 0.25


def test_beacon_maps_deterministic_and_labelled():
    a, b = beacon_maps(30, seed=2).tensors, beacon_maps(30, seed=2).tensors
    assert all(torch.equal(s, t) for s, t in zip(a, b))
    assert not torch.equal(a[0], beacon_maps(30, seed=3).tensors[0])
    maps, labels, where = beacon_maps(100, size=9, n_colors=3, seed=0).tensors
    assert maps.shape == (100, 3, 9, 9) and labels.shape == (100, 9, 9) and where.shape == (100, 2)
    for m, lab, (r, c) in zip(maps, labels, where.tolist()):
        color = lab[0, 0].item()
        assert (lab == color).all(), "every pixel carries the beacon's colour"
        assert m[color, r, c] == 1.0, "the beacon sits in its colour's channel"
        assert m.abs().argmax() == color * 81 + r * 9 + c, "the beacon is the strongest value of the map"


def test_cost_counts_activations_not_parameters():
    layer = torch.nn.Linear(64, 64)
    x = torch.randn(8, 64, requires_grad=True)
    # a linear layer keeps its input (8 x 64 floats) for the weight's gradient; its weight is not counted
    assert saved_bytes(layer, x, params=layer.parameters()) == 8 * 64 * 4
    result = time_and_memory(layer, x, params=layer.parameters(), repeats=2)
    assert result["mib"] == pytest.approx(8 * 64 * 4 / 2**20) and result["seconds"] > 0


def test_cost_of_explicit_attention_grows_quadratically():
    attention = torch.nn.MultiheadAttention(16, 2, batch_first=True)
    mib = []
    for T in (128, 256):
        x = torch.randn(1, T, 16, requires_grad=True)
        mib.append(saved_bytes(lambda x: attention(x, x, x, need_weights=True)[0], x, params=attention.parameters()))
    assert 3.0 < mib[1] / mib[0] <= 4.0
