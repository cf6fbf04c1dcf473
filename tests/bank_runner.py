"""Run many submissions of one notebook in seconds: the reference once, a fork at each changed cell.

``python -m tests.bank_runner PLAN.json``

The bank proves the hidden checks with hundreds of snippets.  Grading each snippet as a whole
submission costs a kernel start and a notebook run; but every snippet of solution cell X shares
the notebook up to X with the reference.  So this runner executes the reference notebook once,
as the sandbox would (``NBGRADER_EXECUTION`` set, one thread, the kernel's ``check`` that only
records), and just before cell X it forks: each child runs a snippet in place of X, then the
cells after it (up to X's test cell for a mistake, up to the last test cell for a correct
alternative or a stub: what follows yields no verdict), and writes what the grader reads back
from a sandbox: the record files of the checks and the error each cell raised.  The verdicts are not computed here (this process runs student code):
the test side judges the records with the grading command's own function
(:func:`autograder.preprocessors.judge`).

The plan (JSON, written by ``tests/test_bank.py``)::

    {"cells": [{"grade_id": "masked_softmax" | null, "source": "..."}, ...],   # code cells, in order
     "jobs": [{"name": "...", "replace": {grade_id: source}, "until": [cell index, ...] | null}],
     "inputs": "folder of the checks' inputs", "out": "folder", "timeout": seconds per job}

Writes ``out/<job>/result.json`` (``errors``: cell index -> ename/evalue, ``ran``: the cell
indices run, ``check_seconds``: check name -> seconds) and ``out/<job>/records/``.  The job
``reference`` is the parent's own run; it also reports ``cell_seconds``.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

# As in the sandbox (autograder/sandbox.py): one thread, so that a fork never inherits an
# OpenMP pool it cannot use, and grading-scale training.
os.environ.update({"NBGRADER_EXECUTION": "autograde", "ATTNCOURSE_SCALE": "small", "OMP_NUM_THREADS": "1",
                   "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg", "TQDM_DISABLE": "1",
                   "IPYTHONDIR": tempfile.mkdtemp(prefix="bank-ipython-")})


class _Job:
    def __init__(self, spec: dict, out: Path):
        self.name, self.replace, self.until = spec["name"], spec["replace"], spec.get("until")
        self.folder = out / spec["name"]
        self.errors: dict[int, dict] = {}
        self.ran: list[int] = []
        self.check_seconds: dict[str, float] = {}
        self.cell_seconds: dict[int, float] = {}

    def write(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "result.json").write_text(json.dumps({
            "errors": self.errors, "ran": self.ran, "check_seconds": self.check_seconds,
            "cell_seconds": self.cell_seconds}))


def _shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no SQLite file or saving thread to share across forks
    return InteractiveShell.instance(config=config)


def _install_kernel_side(job_box: list) -> None:
    """``from autograder.checks import check`` finds the sandbox's recorder, timed per check."""
    import autograder
    from autograder import kernel_side

    record = kernel_side.check

    def check(name, obj):
        started = time.perf_counter()
        try:
            record(name, obj)
        finally:
            job_box[0].check_seconds[name] = round(time.perf_counter() - started, 4)

    module = type(sys)("autograder.checks")
    module.check = check
    sys.modules["autograder.checks"] = module
    autograder.checks = module


def _run_cell(shell, job: _Job, index: int, source: str) -> None:
    # CPU time, not wall time: the kernel runs on one thread, and the suite's other worker shares the
    # machine's cores, so a wall clock would charge this notebook for whatever that worker runs.
    started = time.process_time()
    result = shell.run_cell(source, store_history=False)
    job.cell_seconds[index] = round(time.process_time() - started, 4)
    job.ran.append(index)
    err = result.error_before_exec or result.error_in_exec
    if err is not None:
        job.errors[index] = {"ename": type(err).__name__, "evalue": str(err)}


def _child(shell, job: _Job, cells: list[dict], start: int, job_box: list) -> None:
    # The cells before the fork ran in this very state: the child inherits their errors and records.
    parent = job_box[0]
    job.errors, job.ran = dict(parent.errors), list(parent.ran)
    if (parent.folder / "records").is_dir():
        shutil.copytree(parent.folder / "records", job.folder / "records", dirs_exist_ok=True)
    job_box[0] = job
    os.environ["AUTOGRADER_RECORDS"] = str(job.folder / "records")
    log = os.open(job.folder / "log.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    sys.stdout.flush(), sys.stderr.flush()
    os.dup2(log, 1), os.dup2(log, 2)
    last = max(job.until) if job.until is not None else len(cells) - 1
    for index in range(start, last + 1):
        gid = cells[index]["grade_id"]
        _run_cell(shell, job, index, job.replace.get(gid, cells[index]["source"]))
    job.write()


def _fork(shell, job: _Job, cells: list[dict], start: int, job_box: list, timeout: float) -> None:
    job.folder.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush(), sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run the job, then leave without running the parent's exit handlers
        code = 0
        try:
            _child(shell, job, cells, start, job_box)
        except BaseException:  # noqa: BLE001 - report by the missing result.json
            code = 1
        os._exit(code)
    fd = os.pidfd_open(pid)
    try:
        if not select.select([fd], [], [], timeout)[0]:
            os.kill(pid, signal.SIGKILL)
            (job.folder / "timeout").write_text(f"ran past {timeout} s")
    finally:
        os.waitpid(pid, 0)
        os.close(fd)


def main(plan_path: str) -> None:
    plan = json.loads(Path(plan_path).read_text())
    out, cells = Path(plan["out"]), plan["cells"]
    os.environ["AUTOGRADER_INPUTS"] = plan["inputs"]
    index_of = {c["grade_id"]: i for i, c in enumerate(cells) if c["grade_id"]}
    jobs_at: dict[int, list[_Job]] = {}
    for spec in plan["jobs"]:
        job = _Job(spec, out)
        jobs_at.setdefault(min(index_of[g] for g in job.replace), []).append(job)
    reference = _Job({"name": "reference", "replace": {}}, out)
    job_box = [reference]
    _install_kernel_side(job_box)
    shell = _shell()
    os.environ["AUTOGRADER_RECORDS"] = str(reference.folder / "records")
    for index, cell in enumerate(cells):
        for job in jobs_at.get(index, []):
            _fork(shell, job, cells, index, job_box, plan["timeout"])
        _run_cell(shell, reference, index, cell["source"])
    reference.write()


if __name__ == "__main__":
    main(sys.argv[1])
