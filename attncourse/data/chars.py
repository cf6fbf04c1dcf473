"""Character-level language modelling data: a text as ids, split into train and validation.

The default text is CPython's bundled documentation (:func:`load_pydoc_corpus`),
so nothing is downloaded.  The split is contiguous: the last ``val_fraction`` of
the text (cut at a paragraph break) is held out, so validation text is prose the
model never saw, not interleaved windows of the training text.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils.data import TensorDataset

from .text import load_pydoc_corpus
from .vocab import Vocab


@dataclass
class CharCorpus:
    """A character corpus: ``train`` and ``val`` are 1-D long tensors of ids from ``vocab``."""
    vocab: Vocab
    train: torch.Tensor
    val: torch.Tensor

    def encode(self, text: str) -> torch.Tensor:
        """(len(text),) ids of a string made of the corpus' characters."""
        return torch.tensor(self.vocab.encode(text), dtype=torch.long)

    def decode(self, ids) -> str:
        return self.vocab.decode(ids)

    def windows(self, split: str, block_size: int, *, stride: int | None = None) -> TensorDataset:
        """Next-character pairs ``(x, y)``, each (N, block_size), with ``y`` one step ahead of ``x``.

        Windows start every ``stride`` characters (default: ``block_size``, so they do not
        overlap and, for validation, every character is predicted once).
        """
        if split not in ("train", "val"):
            raise ValueError(f"split must be 'train' or 'val', not {split!r}")
        ids = self.train if split == "train" else self.val
        stride = stride or block_size
        if len(ids) < block_size + 1:
            raise ValueError(f"the {split} split has {len(ids)} characters, fewer than block_size + 1")
        starts = torch.arange(0, len(ids) - block_size, stride)
        offsets = torch.arange(block_size + 1)
        chunks = ids[starts[:, None] + offsets[None, :]]  # (N, block_size + 1)
        return TensorDataset(chunks[:, :-1].contiguous(), chunks[:, 1:].contiguous())


def load_char_corpus(text: str | None = None, *, val_fraction: float = 0.1) -> CharCorpus:
    """The text (default: the pydoc corpus) as character ids, the last ``val_fraction`` held out."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError("val_fraction must lie strictly between 0 and 1")
    text = load_pydoc_corpus() if text is None else text
    cut = int(len(text) * (1.0 - val_fraction))
    paragraph = text.find("\n\n", cut)
    if 0 <= paragraph < len(text) - 2:  # start the validation text at a paragraph
        cut = paragraph + 2
    vocab = Vocab(text)
    ids = torch.tensor(vocab.encode(text), dtype=torch.long)
    return CharCorpus(vocab, ids[:cut].clone(), ids[cut:].clone())
