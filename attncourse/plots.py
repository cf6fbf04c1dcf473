"""Plots the notebooks share: attention heat maps, attention over images, curves."""
from __future__ import annotations

from typing import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch


def _np(x) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def attention_heatmap(weights, *, keys: Sequence[str], queries: Sequence[str], ax=None,
                      title: str | None = None):
    """Heat map of a (queries, keys) weight matrix; each row is one output step."""
    w = _np(weights)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.32 * len(keys) + 1.5, 0.32 * len(queries) + 1.2))
    ax.imshow(w, cmap="viridis", vmin=0.0, vmax=max(float(w.max()), 1e-6), aspect="auto")
    ax.set_xticks(range(len(keys)), labels=list(keys), fontsize=8)
    ax.set_yticks(range(len(queries)), labels=list(queries), fontsize=8)
    ax.set_xlabel("source (keys)")
    ax.set_ylabel("output (queries)")
    if title:
        ax.set_title(title, fontsize=9)
    return ax


def image_attention(image, weights, words: Sequence[str], *, title: str | None = None):
    """One panel per generated word: the image with that step's attention on top.

    ``image`` is (3, H, W); ``weights`` is (L, h, w), upsampled to the image.
    """
    img = _np(image).transpose(1, 2, 0)
    w = _np(weights)
    n = len(words) + 1
    fig, axes = plt.subplots(1, n, figsize=(1.6 * n, 1.9))
    axes[0].imshow(img)
    axes[0].set_title("image", fontsize=8)
    h, wd = img.shape[:2]
    for ax, word, att in zip(axes[1:], words, w):
        ax.imshow(img)
        ax.imshow(att, cmap="magma", alpha=0.6, extent=(0, wd, h, 0), interpolation="bilinear")
        ax.set_title(word, fontsize=8)
    for ax in axes:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    return fig


def loss_curves(histories: dict, *, ax=None, ylabel: str = "training loss"):
    """One line per named training history (objects with a ``loss`` list)."""
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3))
    for name, hist in histories.items():
        ax.plot(range(1, len(hist.loss) + 1), hist.loss, marker="o", label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_yscale("log")
    ax.legend()
    return ax
