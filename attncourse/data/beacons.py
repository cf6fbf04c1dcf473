"""Feature maps where every pixel must look far away: chapter 2's non-local task.

Each map holds weak noise in ``n_colors`` channels and, at one random pixel,
a *beacon*: a value of 1 in the channel of its colour.  Every pixel's label
is the beacon's colour, so a pixel can only be right if information reaches
it from wherever the beacon is.  A stack of small convolutions sees a few
pixels around itself; a non-local block sees the whole map in one step.
"""
from __future__ import annotations

import torch
from torch.utils.data import TensorDataset


def beacon_maps(n: int, *, size: int = 12, n_colors: int = 4, noise: float = 0.1, seed: int = 0) -> TensorDataset:
    """A TensorDataset of ``maps`` (n, n_colors, size, size) float, ``labels`` (n, size, size)
    long (every pixel labelled with the beacon's colour) and ``where`` (n, 2) long (row, column)."""
    gen = torch.Generator().manual_seed(seed)
    maps = noise * torch.randn(n, n_colors, size, size, generator=gen)
    colors = torch.randint(0, n_colors, (n,), generator=gen)
    where = torch.randint(0, size, (n, 2), generator=gen)
    maps[torch.arange(n), colors, where[:, 0], where[:, 1]] = 1.0
    labels = colors[:, None, None].expand(n, size, size).clone()
    return TensorDataset(maps, labels, where)
