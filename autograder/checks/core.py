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
* ``judge(case, outputs)``: for a task whose outputs are random (it draws from a
  generator), the verdict itself: None when the outputs obey every rule, else the
  diagnosis; ``reference`` then only gives the outputs' shapes;
* ``probes``: derived cases that switch one part of the task off or to a simple form (a
  sub-layer's output zeroed, inputs already normalised); for a mistake no spec lists, whether
  the student is right on them says where the mistake is (see :class:`Probe`);
* ``forbidden``: names the student's solution cell must not use, for tasks that
  say "write it yourself" (a course rule read from the source with ``ast``, not a
  security boundary: a determined student can hide a call, a human reviewer cannot miss it).

The same :func:`evaluate` runs in the kernel (for the message the student sees
at once) and in the grading command (for the score).
"""
from __future__ import annotations

import ast
import functools
import math
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from ..kernel_side import describe, run_student, save_record
from . import relations

SPECS: dict[str, "Spec"] = {}
_MAX_RECORD_BYTES = 20_000_000
_MAX_RECORD_MEMBERS = 512


class CheckFailed(AssertionError):
    """A failed hidden check.  IPython shows only the message, never this
    module's source (``_render_traceback_`` replaces the traceback)."""

    def _render_traceback_(self):
        return [f"CheckFailed: {self}"]


@dataclass(frozen=True)
class Probe:
    """A case derived from a check's first case that switches one part of the task off (or to a
    simple form): ``derive(case)`` returns the new case.  The oracle answers it like any case, so a
    correct answer passes it; for a mistake no spec lists, ``right`` is the message when the
    student's output is right on it (the mistake is in the part switched off) and ``wrong`` the
    message when it is wrong there too.  Either may be None (the probe then says nothing)."""
    derive: Callable[[dict], dict]
    right: str | None = None
    wrong: str | None = None


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
    judge: Callable[[dict, dict], str | None] | None = None
    probes: tuple[Probe, ...] = ()


def register(spec: Spec) -> Spec:
    if spec.name in SPECS:
        raise ValueError(f"check {spec.name!r} registered twice")
    SPECS[spec.name] = spec
    return spec


def make_cases(spec: Spec, run_seed: int = 0) -> list[dict]:
    """The check's inputs.  ``run_seed`` is drawn afresh by each grading run (0: the instructor's
    notebooks and the bank), so no table of outputs for earlier inputs can pass."""
    gen = torch.Generator().manual_seed(int.from_bytes(spec.name.encode()[:6], "little") + spec.seed
                                        + 1_000_003 * int(run_seed))
    with torch.no_grad():
        cases = spec.cases(gen)
        return cases + [probe.derive(cases[0]) for probe in spec.probes]  # the probes come last


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


def _oracle_outputs(spec: Spec, cases: list[dict]) -> list[tuple[dict, dict[str, dict]]]:
    """Per case: the reference's outputs and each known mistake's (those that apply to the case)."""
    result = []
    for case in cases:
        mistaken = {}
        for diagnosis, mistake in spec.mistakes.items():
            try:
                mistaken[diagnosis] = _reference_arrays(mistake, case)
            except Exception:  # a mistake that cannot apply to this case
                continue
        result.append((_reference_arrays(spec.reference, case), mistaken))
    return result


def evaluate(spec: Spec, cases: list[dict], outputs: list[dict] | str, oracle=None) -> tuple[bool, str]:
    """Compare the student's outputs with the oracle; return (passed, message).

    ``outputs`` is one dict of arrays per case, or a sentence (composed by the grader) saying why
    the student's code produced none.  The message never contains expected values.
    """
    if isinstance(outputs, str):
        return False, f"{spec.what} {outputs}"
    if len(outputs) != len(cases):
        return False, f"{spec.what}: the check's record is incomplete"
    oracle = oracle or _oracle_outputs(spec, cases)
    for index, (case, actual, (expected, mistaken)) in enumerate(zip(cases, outputs, oracle)):
        if spec.judge is not None:
            message = _judged(spec, case, actual, expected)
            if message:
                return False, f"{spec.what}: {message}"
            continue
        if _matches(actual, expected, spec.atol):
            continue
        for diagnosis, outs in mistaken.items():
            if _matches(actual, outs, spec.atol):
                return False, f"{spec.what}: {diagnosis}"
        probed = _probed(spec, outputs, oracle) if index < len(cases) - len(spec.probes) else None
        return False, f"{spec.what}: {_describe_difference(spec, case, actual, expected, probed)}"
    return True, f"{spec.what}: passed on {len(cases)} fresh test cases"


def _probed(spec: Spec, outputs: list[dict], oracle) -> str | None:
    """Where the probes put a mistake: the first probe the student passes that has a ``right``
    message, else the first one failed that has a ``wrong`` message (None: they say nothing)."""
    first = len(outputs) - len(spec.probes)
    passed = [_matches(outputs[first + i], oracle[first + i][0], spec.atol) for i in range(len(spec.probes))]
    for probe, ok in zip(spec.probes, passed):
        if ok and probe.right:
            return probe.right
    for probe, ok in zip(spec.probes, passed):
        if not ok and probe.wrong:
            return probe.wrong
    return None


def _judged(spec: Spec, case: dict, actual: dict, expected: dict) -> str | None:
    """A random task's verdict on one case: shapes first, then the spec's own rules."""
    for key, exp in expected.items():
        act = actual.get(key)
        if act is None:
            return f"returned no {key}"
        if act.shape != np.shape(exp):  # the judge may know why (it reads shapes before values)
            try:
                message = spec.judge(case, actual)
            except Exception:
                message = None
            return message or f"{key} has shape {tuple(act.shape)} but should have shape {tuple(np.shape(exp))}"
        if not np.isfinite(act).all():
            return f"{key} contains NaN or infinite values"
    return spec.judge(case, actual)


def _describe_difference(spec: Spec, case: dict, actual: dict, expected: dict, probed: str | None = None) -> str:
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
    message = relations.describe(actual, expected, spec.atol)  # level 2: how the outputs relate to the oracle's
    if message:
        return message
    if probed:  # level 2 too: where the probes put the mistake
        return probed
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
    if os.environ.get("AUTOGRADER_INPUTS"):  # under the grading command (unsandboxed): record its inputs only
        from .. import kernel_side

        return kernel_side.check(name, obj)
    spec = SPECS[name]
    cases = make_cases(spec)
    outputs = run_student(spec.call, obj, cases)
    folder = os.environ.get("AUTOGRADER_RECORDS")
    if folder:
        save_record(Path(folder) / f"{name}.npz", outputs)
    passed, message = evaluate(spec, cases, describe(outputs, spec.call) if isinstance(outputs, str) else outputs)
    if not passed:
        raise CheckFailed(message)
    print(message)


# ----------------------------------------------------------- trusted side
def load_record(path: Path, cases: list[dict], spec: Spec, oracle=None) -> list[dict] | str:
    """Read a record written by a kernel, treating it as hostile input.

    Returns one dict of arrays per case, or a sentence saying why there are none.  The file is
    opened without following links and must be a regular file; the archive must hold only
    stored (uncompressed) members, few and small in total; each array's header is read first,
    and its data is read only for a numeric array of a shape the oracle can produce for that
    output (the reference's or a known mistake's).  Any other shape is kept as a stand-in that
    allocates nothing, so that the student still learns which shape was wrong.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return "was never checked (the kernel did not reach or finish this test)"
    except OSError:  # a symbolic link (ELOOP), or unreadable
        return "produced a record that is not a plain file"
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            return "produced a record that is not a plain file"
        if info.st_size > _MAX_RECORD_BYTES:
            return "produced a record too large to check"
        try:
            return _read_record(f, cases, spec, oracle or _oracle_outputs(spec, cases))
        except Exception:
            return "produced a record that could not be read"


def _read_record(f, cases: list[dict], spec: Spec, oracle) -> list[dict] | str:
    with zipfile.ZipFile(f) as zf:
        infos = zf.infolist()
        if (len(infos) > _MAX_RECORD_MEMBERS or sum(i.file_size for i in infos) > _MAX_RECORD_BYTES
                or any(i.compress_type != zipfile.ZIP_STORED for i in infos)):
            return "produced a record that could not be read"
        members = {i.filename.removesuffix(".npy"): i for i in infos}
        if "__error__" in members:
            with zf.open(members["__error__"]) as m:
                shape, dtype = _header(m)
                if dtype.kind != "U" or shape != () or dtype.itemsize > 400:
                    return "produced a record that could not be read"
                code = str(np.frombuffer(m.read(dtype.itemsize), dtype=dtype)[0]) if dtype.itemsize else ""
            if code:
                return describe(code, spec.call) or "produced a record that could not be read"
        outputs: list[dict] = [{} for _ in cases]
        for key, member in members.items():
            m = re.fullmatch(r"(\d{1,4})/(\w{1,64})", key)
            if not m or int(m.group(1)) >= len(cases):
                continue
            i, name = int(m.group(1)), m.group(2)
            expected, mistaken = oracle[i]
            if name not in expected:
                continue
            allowed = {np.shape(expected[name])} | {np.shape(o[name]) for o in mistaken.values() if name in o}
            with zf.open(member) as mf:
                shape, dtype = _header(mf)
                if dtype.kind not in "fiub" or dtype.itemsize > 8 or dtype.hasobject:
                    return "produced a record that is not numeric"
                count = math.prod(shape)
                if member.file_size - mf.tell() != count * dtype.itemsize:  # a header that lies about its data
                    return "produced a record that could not be read"
                if shape not in allowed:  # named in the message, never read
                    outputs[i][name] = np.broadcast_to(np.float64(np.nan), shape)
                    continue
                data = mf.read(count * dtype.itemsize)
                if len(data) != count * dtype.itemsize:
                    return "produced a record that could not be read"
                outputs[i][name] = np.frombuffer(data, dtype=dtype).reshape(shape).astype(np.float64)
        return outputs


def _header(member) -> tuple[tuple, np.dtype]:
    """The shape and dtype of a .npy member, from its header alone (no pickles, C order only)."""
    version = np.lib.format.read_magic(member)
    read = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}[version]
    shape, fortran_order, dtype = read(member, max_header_size=1000)
    if fortran_order or not all(isinstance(n, int) and n >= 0 for n in shape) or len(shape) > 8:
        raise ValueError("unexpected array layout")
    return tuple(shape), dtype


def write_inputs(names: list[str], folder: Path, run_seed: int = 0) -> None:
    """Save the call description and the cases of each check for the kernel to load."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        spec = SPECS[name]
        torch.save({"call": spec.call, "cases": make_cases(spec, run_seed)}, folder / f"{name}.pt")


def verify(name: str, record_dir: Path, run_seed: int = 0) -> tuple[bool, str]:
    """The trusted verdict for check ``name`` from the kernel's record."""
    spec = SPECS.get(name)
    if spec is None:
        return False, f"unknown check {name!r}"
    cases, oracle = _run_oracle(name, int(run_seed))
    try:
        return evaluate(spec, cases, load_record(Path(record_dir) / f"{name}.npz", cases, spec, oracle), oracle)
    except Exception as err:  # never let a check's own failure stop the scoring of a student
        return False, f"{spec.what}: the check could not judge these outputs ({type(err).__name__}); flagged for review"


@functools.lru_cache(maxsize=512)
def _run_oracle(name: str, run_seed: int) -> tuple[list[dict], list]:
    """A check's cases and the oracle's outputs on them, computed once per grading run (every
    student of a run gets the same inputs), not once per student."""
    spec = SPECS[name]
    cases = make_cases(spec, run_seed)
    return cases, _oracle_outputs(spec, cases)


def forbidden_uses(name: str, solution_source: str | None) -> list[str]:
    """The names of ``SPECS[name].forbidden`` that the student's solution cell uses:
    as an attribute (``F.layer_norm``, ``x.var``), an imported name or module, or a free name."""
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
            if isinstance(node, ast.ImportFrom) and node.module:  # `from sklearn.metrics import ...` uses sklearn
                found.update(node.module.split("."))
    return sorted(found & set(spec.forbidden))


def verify_solution(name: str, record_dir: Path, solution_source: str | None, run_seed: int = 0) -> tuple[bool, str]:
    """:func:`verify`, then the task's rule on what the solution may not call."""
    ok, message = verify(name, record_dir, run_seed)
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
