"""Public self-checks for the visible tests in the notebooks.

They check *properties* (shapes, rows that sum to one, zero weight where the
mask says so) and fail with a message that says what is wrong.  The graded
checks that compare against reference implementations are not released.
"""
from __future__ import annotations

import torch


def check_shape(t, shape: tuple, name: str = "output") -> None:
    assert isinstance(t, torch.Tensor), f"{name} should be a torch.Tensor, got {type(t).__name__}"
    assert tuple(t.shape) == tuple(shape), f"{name} should have shape {tuple(shape)}, got {tuple(t.shape)}"


def check_finite(t, name: str = "output") -> None:
    assert torch.isfinite(t).all(), f"{name} contains NaN or infinite values"


def check_rows_sum_to_one(weights, dim: int = -1, name: str = "attention weights") -> None:
    sums = weights.sum(dim=dim)
    assert torch.allclose(sums, torch.ones_like(sums), atol=1e-5), (
        f"{name} should sum to 1 along dim {dim}; they sum to "
        f"{sums.min().item():.3g}-{sums.max().item():.3g}")
    assert (weights >= 0).all(), f"{name} should be non-negative"


def check_zero_where_masked(weights, mask, name: str = "attention weights") -> None:
    """``mask`` is True where a key is valid; masked keys must get exactly 0."""
    leaked = weights.masked_select(~mask.bool()).abs().max() if (~mask.bool()).any() else torch.tensor(0.0)
    assert leaked.item() == 0.0, f"{name} give up to {leaked.item():.3g} weight to padded keys; they should give 0"


def check_close(actual, expected, *, atol: float = 1e-5, name: str = "output") -> None:
    check_shape(actual, tuple(expected.shape), name)
    diff = (actual - expected).abs().max().item()
    assert diff <= atol, f"{name} differs from the expected value by up to {diff:.3g} (tolerance {atol})"
