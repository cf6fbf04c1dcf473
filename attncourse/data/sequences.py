"""Order-dependent toy sequences for chapter 2 (self-attention and positions).

In the *look-back* task every output is the token that stood ``offset``
places earlier: ``y[t] = x[t - offset]``.  Which tokens a sequence holds says
nothing about the answer, only where they are does, so a model that cannot
see positions is stuck at :func:`position_blind_accuracy`.  The first
``offset`` positions have no answer and are labelled :data:`IGNORE`.
"""
from __future__ import annotations

import torch
from torch.utils.data import TensorDataset

IGNORE = -100  # label of positions without an answer (F.cross_entropy's default ignore_index)


def lookback_task(n: int, *, length: int, vocab_size: int = 32, offset: int = 3, seed: int = 0) -> TensorDataset:
    """``n`` sequences of ``length`` tokens drawn uniformly from ``range(vocab_size)``.

    Returns a TensorDataset of ``x`` (n, length) and ``y`` (n, length), both
    long, with ``y[:, t] = x[:, t - offset]`` and ``y[:, :offset] = IGNORE``.
    """
    if not 0 < offset < length:
        raise ValueError(f"offset must lie in 1..length-1, got offset={offset}, length={length}")
    gen = torch.Generator().manual_seed(seed)
    x = torch.randint(0, vocab_size, (n, length), generator=gen)
    y = torch.full_like(x, IGNORE)
    y[:, offset:] = x[:, :-offset]
    return TensorDataset(x, y)


def position_blind_accuracy(x: torch.Tensor, y: torch.Tensor, vocab_size: int) -> float:
    """The accuracy of the best guess that ignores positions (the task's chance level).

    Without positions, an output can only depend on its own token and on the
    multiset of the sequence's tokens; the answer is then equally likely to be
    any of the *other* tokens, so the best guess is the most frequent of them.
    """
    counts = torch.zeros(x.shape[0], vocab_size, dtype=torch.long).scatter_add_(1, x, torch.ones_like(x))
    others = counts[:, None, :] - torch.nn.functional.one_hot(x, vocab_size)  # (n, length, V)
    guess = others.argmax(-1)  # ties go to the smallest id, any choice is as good
    valid = y != IGNORE
    return ((guess == y) & valid).sum().item() / valid.sum().item()
