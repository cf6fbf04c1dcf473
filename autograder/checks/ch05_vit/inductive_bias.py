"""Hidden checks for ``05b_inductive_bias.ipynb``.

The oracle of the fixed 2-D sine-cosine position embedding is a NumPy transcription
of the layout of MAE's official code (``util/pos_embed.py``,
``get_2d_sincos_pos_embed``): the first half of the columns encodes the column
index x, the second half the row index y; within each half the sines, then the
cosines; frequencies 10000^(-k / (D/4)).
"""
from __future__ import annotations

import numpy as np

from ..core import Spec, register


def _sincos_cases(gen):
    return [{"gh": gh, "gw": gw, "dim": d} for gh, gw, d in [(3, 5, 8), (4, 4, 16), (2, 7, 12), (1, 1, 4), (6, 2, 32)]]


def _one_axis(positions: np.ndarray, dim: int, *, per: float, layout: str, sign: int = -1) -> np.ndarray:
    """(M,) positions -> (M, dim): dim/2 frequencies, sines and cosines."""
    omega = 10000.0 ** (sign * np.arange(dim // 2, dtype=np.float64) / per)
    angles = positions[:, None].astype(np.float64) * omega[None]  # (M, dim/2)
    if layout == "interleaved":  # chapter 2's 1-D layout: sin, cos, sin, cos, ...
        return np.stack([np.sin(angles), np.cos(angles)], -1).reshape(len(positions), dim)
    if layout == "cos_first":
        return np.concatenate([np.cos(angles), np.sin(angles)], 1)
    return np.concatenate([np.sin(angles), np.cos(angles)], 1)


def _sincos(c, *, first="x", per="quarter", layout="concat", order="rows", start=0, sign=-1):
    gh, gw, d = c["gh"], c["gw"], c["dim"]
    if order == "rows":
        ys, xs = np.meshgrid(np.arange(gh), np.arange(gw), indexing="ij")  # (gh, gw): row y, column x
    else:  # positions numbered column by column
        xs, ys = np.meshgrid(np.arange(gw), np.arange(gh), indexing="ij")
    xs, ys = xs.reshape(-1) + start, ys.reshape(-1) + start
    per_value = {"quarter": d / 4, "half": d / 2, "whole": d}[per]
    ex = _one_axis(xs, d // 2, per=per_value, layout=layout, sign=sign)
    ey = _one_axis(ys, d // 2, per=per_value, layout=layout, sign=sign)
    return {"pos_embed": np.concatenate([ex, ey] if first == "x" else [ey, ex], 1)}


register(Spec(
    name="ch05.sincos_2d_pos_embed", what="sincos_2d_pos_embed",
    cases=_sincos_cases,
    call={"args": ["gh", "gw", "dim"], "outputs": ["pos_embed"]},
    reference=_sincos,
    mistakes={
        "interleaves sines and cosines (chapter 2's 1-D layout); here each half is all its sines, then all its "
        "cosines (concatenated, as in MAE's code)":
            lambda c: _sincos(c, layout="interleaved"),
        "puts the cosines before the sines; within each half the D/4 sines come first":
            lambda c: _sincos(c, layout="cos_first"),
        "swaps the halves: the first D/2 columns encode the column index x, the second D/2 the row index y":
            lambda c: _sincos(c, first="y"),
        "spaces the frequencies over D/2 (the width of a half); each half has D/4 frequencies, "
        "omega_k = 10000^(-k / (D/4))":
            lambda c: _sincos(c, per="half"),
        "spaces the frequencies over D; each half has D/4 frequencies, omega_k = 10000^(-k / (D/4))":
            lambda c: _sincos(c, per="whole"),
        "numbers the positions column by column; row r, column x is row r * gw + x of the table (row-major)":
            lambda c: _sincos(c, order="columns"),
        "counts positions from 1; the first row and column have index 0":
            lambda c: _sincos(c, start=1),
        "raises 10000 to +k/F: the frequencies omega_k = 10000^(-k/F) fall from 1 as k grows":
            lambda c: _sincos(c, sign=1),
    },
))
