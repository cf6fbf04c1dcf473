"""The machinery shared by every hidden check.

A :class:`Spec` says, for one graded function or module:

* ``cases(gen)``: the inputs, built from a seeded ``torch.Generator`` (no
  golden tensors, nothing that depends on the order of other RNG calls);
* ``call``: how to call the student's object on one case, as plain data (see
  :func:`autograder.kernel_side.invoke`), so that a sandboxed kernel can do it
  without seeing any oracle;
* ``reference(case)``: the trusted oracle's outputs for that case;
* ``mistakes``: diagnosis -> function giving the outputs of that known mistake;
* ``properties(case, outputs)``: a fallback message about a broken property;
* ``forbidden``: names the student's solution cell must not use, for tasks that
  say "write it yourself" (a course rule read from the source with ``ast``, not a
  security boundary: a determined student can hide a call, a human reviewer cannot miss it).

The same :func:`evaluate` runs in the kernel (for the message the student sees
at once) and in the grading command (for the score).
"""
from __future__ import annotations

import ast
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..kernel_side import run_student, save_record

SPECS: dict[str, "Spec"] = {}
_MAX_RECORD_BYTES = 20_000_000


class CheckFailed(AssertionError):
    """A failed hidden check.  IPython shows only the message, never this
    module's source (``_render_traceback_`` replaces the traceback)."""

    def _render_traceback_(self):
        return [f"CheckFailed: {self}"]


@dataclass
class Spec:
    name: str
    what: str  # how the message names the student's object, e.g. "masked_softmax"
    cases: Callable[[torch.Generator], list[dict]]
    call: dict
    reference: Callable[[dict], dict]
    mistakes: dict[str, Callable[[dict], dict]] = field(default_factory=dict)
    properties: Callable[[dict, dict], str | None] | None = None
    atol: float = 1e-4
    seed: int = 0
    forbidden: tuple[str, ...] = ()


def register(spec: Spec) -> Spec:
    if spec.name in SPECS:
        raise ValueError(f"check {spec.name!r} registered twice")
    SPECS[spec.name] = spec
    return spec


def make_cases(spec: Spec) -> list[dict]:
    gen = torch.Generator().manual_seed(int.from_bytes(spec.name.encode()[:6], "little") + spec.seed)
    with torch.no_grad():
        return spec.cases(gen)


# ----------------------------------------------------------------- comparing
def _matches(actual: dict, expected: dict, atol: float) -> bool:
    for key, exp in expected.items():
        act = actual.get(key)
        exp = np.asarray(exp, dtype=np.float64)
        if act is None or act.shape != exp.shape:
            return False
        if not np.allclose(act, exp, atol=atol, rtol=1e-4, equal_nan=False):
            return False
    return True


def _reference_arrays(fn: Callable[[dict], dict], case: dict) -> dict:
    with torch.no_grad():
        return {k: np.asarray(v.detach().double().numpy() if isinstance(v, torch.Tensor) else v)
                for k, v in fn(case).items()}


def evaluate(spec: Spec, cases: list[dict], outputs: list[dict] | str) -> tuple[bool, str]:
    """Compare the student's outputs with the oracle; return (passed, message).

    ``outputs`` is one dict of arrays per case, or a string saying why the
    student's code produced none.  The message never contains expected values.
    """
    if isinstance(outputs, str):
        return False, f"{spec.what} {outputs}"
    if len(outputs) != len(cases):
        return False, f"{spec.what}: the check's record is incomplete"
    for case, actual in zip(cases, outputs):
        expected = _reference_arrays(spec.reference, case)
        if _matches(actual, expected, spec.atol):
            continue
        for diagnosis, mistake in spec.mistakes.items():
            try:
                if _matches(actual, _reference_arrays(mistake, case), spec.atol):
                    return False, f"{spec.what}: {diagnosis}"
            except Exception:  # a mistake that cannot apply to this case
                continue
        return False, f"{spec.what}: {_describe_difference(spec, case, actual, expected)}"
    return True, f"{spec.what}: passed on {len(cases)} fresh test cases"


def _describe_difference(spec: Spec, case: dict, actual: dict, expected: dict) -> str:
    for key, exp in expected.items():
        act = actual.get(key)
        if act is None:
            return f"returned no {key}"
        if act.shape != np.shape(exp):
            return f"{key} has shape {tuple(act.shape)} but should have shape {tuple(np.shape(exp))}"
    if spec.properties is not None:
        try:
            message = spec.properties(case, actual)
        except Exception:  # a property that does not apply to these outputs: fall back below
            message = None
        if message:
            return message
    worst = max(float(np.nanmax(np.abs(actual[k] - np.asarray(v)))) if np.isfinite(actual[k]).all()
                else math.inf for k, v in expected.items())
    names = " and ".join(expected)
    return f"{names} differ from the reference by up to {worst:.2g} (tolerance {spec.atol:g})"


# ------------------------------------------------- instructor's own kernel
def check(name: str, obj) -> None:
    """Run hidden check ``name`` on ``obj`` and judge it here; raise CheckFailed if it fails.

    This is what a solution notebook runs on an instructor's machine.  Under the
    grading command the sandbox sees :mod:`autograder.kernel_side` instead.
    """
    spec = SPECS[name]
    cases = make_cases(spec)
    outputs = run_student(spec.call, obj, cases)
    folder = os.environ.get("AUTOGRADER_RECORDS")
    if folder:
        save_record(Path(folder) / f"{name}.npz", outputs)
    passed, message = evaluate(spec, cases, outputs)
    if not passed:
        raise CheckFailed(message)
    print(message)


# ----------------------------------------------------------- trusted side
def load_record(path: Path, n_cases: int) -> list[dict] | str:
    """Read a record written by a kernel, treating it as hostile input."""
    if not path.is_file():
        return "was never checked (the kernel did not reach or finish this test)"
    if path.stat().st_size > _MAX_RECORD_BYTES:
        return "produced a record too large to check"
    try:
        with np.load(path, allow_pickle=False) as data:
            error = str(data["__error__"]) if "__error__" in data.files else ""
            if error:
                return error[:300]
            outputs: list[dict] = [{} for _ in range(n_cases)]
            for key in data.files:
                m = re.fullmatch(r"(\d+)/(\w+)", key)
                if not m or int(m.group(1)) >= n_cases:
                    continue
                arr = data[key]
                if arr.dtype.kind not in "fiub":
                    return "produced a record that is not numeric"
                outputs[int(m.group(1))][m.group(2)] = arr.astype(np.float64)
            return outputs
    except Exception:
        return "produced a record that could not be read"


def write_inputs(names: list[str], folder: Path) -> None:
    """Save the call description and the cases of each check for the kernel to load."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        spec = SPECS[name]
        torch.save({"call": spec.call, "cases": make_cases(spec)}, folder / f"{name}.pt")


def verify(name: str, record_dir: Path) -> tuple[bool, str]:
    """The trusted verdict for check ``name`` from the kernel's record."""
    spec = SPECS.get(name)
    if spec is None:
        return False, f"unknown check {name!r}"
    cases = make_cases(spec)
    try:
        return evaluate(spec, cases, load_record(Path(record_dir) / f"{name}.npz", len(cases)))
    except Exception as err:  # never let a check's own failure stop the scoring of a student
        return False, f"{spec.what}: the check could not judge these outputs ({type(err).__name__}); flagged for review"


def forbidden_uses(name: str, solution_source: str | None) -> list[str]:
    """The names of ``SPECS[name].forbidden`` that the student's solution cell uses:
    as an attribute (``F.layer_norm``, ``x.var``), an imported name, or a free name."""
    spec = SPECS.get(name)
    if spec is None or not spec.forbidden or not solution_source:
        return []
    try:
        tree = ast.parse(solution_source)
    except SyntaxError:
        return []  # the kernel already failed on it
    bound = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    bound |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    bound |= {n.arg for n in ast.walk(tree) if isinstance(n, ast.arg)}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.Name) and node.id not in bound:  # a free name, e.g. an imported function
            found.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update(alias.name.rsplit(".", 1)[-1] for alias in node.names)
    return sorted(found & set(spec.forbidden))


def verify_solution(name: str, record_dir: Path, solution_source: str | None) -> tuple[bool, str]:
    """:func:`verify`, then the task's rule on what the solution may not call."""
    ok, message = verify(name, record_dir)
    used = forbidden_uses(name, solution_source)
    if used:
        what = SPECS[name].what
        return False, (f"{what}: uses {', '.join(used)}, which this task asks you not to use; "
                       "write it with elementary tensor operations")
    return ok, message


CHECK_CALL = re.compile(r"""check\(\s*["']([\w.]+)["']""")


def checks_called(source: str) -> list[str]:
    """The check names a (trusted) test cell's source calls."""
    return CHECK_CALL.findall(source)
