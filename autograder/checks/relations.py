"""Generic diagnoses: what is wrong with an output, when no known mistake matches.

The checks diagnose in three levels: a *known mistake* (the spec lists wrong formulas and the
student's outputs match one); a *probed property or relation* (this module, and a spec's own
``properties``); and the *fallback* ("differ from the reference by up to …").  The relations here
hold for any check, in every chapter: they compare the student's output with the oracle's on the
same inputs and say how the two relate, never what the right values are, beyond naming one
position.

:func:`describe` returns the first relation found, or None.
"""
from __future__ import annotations

import numpy as np

RTOL = 1e-4


def _close(a: np.ndarray, b: np.ndarray, atol: float) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, atol=atol, rtol=RTOL))


def _index(i: tuple) -> str:
    return "[" + ", ".join(str(int(x)) for x in i) + "]"


def _is_discrete(x: np.ndarray) -> bool:
    return bool(np.all(np.isin(x, (0.0, 1.0)))) or bool(np.all(x == np.round(x)))


def _permuted_axis(act: np.ndarray, exp: np.ndarray, atol: float) -> int | None:
    """An axis along which the student's slices are the right slices in another order."""
    for axis in range(act.ndim):
        n = act.shape[axis]
        if n < 2 or n > 64:
            continue
        a, e = np.moveaxis(act, axis, 0), np.moveaxis(exp, axis, 0)
        if all(_close(a[i], e[i], atol) for i in range(n)):
            continue
        unused = list(range(n))
        for i in range(n):
            j = next((j for j in unused if _close(a[i], e[j], atol)), None)
            if j is None:
                break
            unused.remove(j)
        else:
            return axis
    return None


def _relation(key: str, act: np.ndarray, exp: np.ndarray, atol: float) -> str | None:
    if act.shape != exp.shape:
        return None
    if not np.isfinite(act).all():
        bad = tuple(np.argwhere(~np.isfinite(act))[0])
        return f"{key} contains NaN or infinite values (the first at index {_index(bad)})"
    if exp.size == 1:  # one number: any wrong value is "scaled" by something, so only a simple ratio tells
        ratio = float(act.flat[0]) / float(exp.flat[0]) if abs(float(exp.flat[0])) > atol else 0.0
        if any(abs(ratio - p / q) < 1e-3 for p in (1, 2, 3, 4) for q in (1, 2, 3, 4) if p != q):
            return f"{key} is the right answer scaled by a constant (about {ratio:.3g}): check the scaling"
        return None
    if np.abs(exp).max(initial=0) > atol and _close(act, -exp, atol):
        return f"{key} has the opposite sign: check the sign of your formula"
    norm = float((exp * exp).sum())
    if norm > 0:
        scale = float((act * exp).sum()) / norm
        if abs(scale - 1) > 1e-3 and abs(scale) > 1e-6 and _close(act, scale * exp, atol):
            return f"{key} is the right answer scaled by a constant (about {scale:.3g}): check the scaling"
    if act.ndim >= 2 and act.shape[-1] == act.shape[-2] and _close(act, np.swapaxes(exp, -1, -2), atol):
        return f"{key} equals the right answer transposed (its last two axes swapped)"
    axis = _permuted_axis(act, exp, atol)
    if axis is not None:
        return f"{key} holds the right values in the wrong order along axis {axis} (shape {act.shape})"
    shift = act - exp
    if exp.size > 1 and np.ptp(shift) <= atol and abs(float(shift.flat[0])) > atol:
        return f"{key} is off by a constant (about {float(shift.flat[0]):.3g}) everywhere"
    wrong = ~np.isclose(act, exp, atol=atol, rtol=RTOL)
    count, first = int(wrong.sum()), tuple(np.argwhere(wrong)[0])
    if _is_discrete(exp) and count <= max(1, exp.size // 4):
        got = act[first]
        return (f"{key} is wrong at {count} of {exp.size} entries; for example at index {_index(first)} "
                f"yours is {got:g}")
    if count <= max(1, exp.size // 10):
        return f"{key} is right except at {count} of {exp.size} entries (the first at index {_index(first)})"
    return None


def describe(actual: dict, expected: dict, atol: float) -> str | None:
    """How the student's outputs relate to the oracle's: the first relation found in any wrong
    output, led by the outputs that are right when there are several (None: nothing to say)."""
    expected = {k: np.asarray(v, dtype=np.float64) for k, v in expected.items()}
    present = [k for k in expected if actual.get(k) is not None]
    wrong = [k for k in present if not _close(actual[k], expected[k], atol)]
    if not wrong:
        return None
    right = [k for k in present if k not in wrong]
    lead = f"{' and '.join(right)} {'is' if len(right) == 1 else 'are'} right but " if right else ""
    for key in wrong:
        message = _relation(key, actual[key], expected[key], atol)
        if message:
            return lead + message
    if lead:
        act, exp = actual[wrong[0]], expected[wrong[0]]
        worst = float(np.abs(act - exp).max()) if act.shape == exp.shape and np.isfinite(act).all() else float("inf")
        return lead + f"{wrong[0]} differs from the reference by up to {worst:.2g}"
    return None


def dropout_left_on(actual: np.ndarray | None, expected: np.ndarray, p: float, module: str) -> str | None:
    """The diagnosis for dropout that still acts after ``.eval()``: about ``p`` of the values zeroed and
    the others scaled by 1 / (1 - p), against the oracle's ``expected`` (computed without dropout)."""
    if actual is None or p == 0 or actual.shape != expected.shape:
        return None
    zero = np.isclose(actual, 0, atol=1e-7) & ~np.isclose(expected, 0, atol=1e-7)
    if 0.5 * p < zero.mean() < 1.5 * p and np.allclose(actual[~zero], expected[~zero] / (1 - p), atol=1e-4, rtol=RTOL):
        return (f"dropout is active in evaluation mode: apply {module} (an nn.Dropout, off after .eval()), "
                "not F.dropout with its default training=True")
    return None
