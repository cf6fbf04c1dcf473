"""nbgrader preprocessors that plug the sandbox and the trusted verdicts into
``nbgrader autograde``: the gradebook, the checksums, the restored cells and
the scores stay nbgrader's own."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader import utils
from traitlets import Unicode

from .checks.core import checks_called, verify_solution

MAX_EXECUTED_BYTES = 60_000_000


class StageForSandbox(NbGraderPreprocessor):
    """Autograde pass 1: save the sanitised notebook (cells restored from the
    gradebook, outputs cleared) for the sandbox to execute."""

    stage_dir = Unicode("").tag(config=True)

    def preprocess(self, nb, resources):
        folder = Path(self.stage_dir) / resources["nbgrader"]["student"]
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{resources['nbgrader']['notebook']}.ipynb")
        return nb, resources


def _error(ename: str, evalue: str):
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


class ApplySandboxRun(NbGraderPreprocessor):
    """Autograde pass 2, instead of ``Execute``: take the outputs of the
    sandboxed run, cell by cell, and judge every test cell by the trusted
    verdicts of the checks it calls.

    The executed notebook came out of the sandbox, so it is hostile input: only
    outputs are taken from it, and only for cells whose source is unchanged.
    """

    run_dir = Unicode("").tag(config=True)

    def preprocess(self, nb, resources):
        student, notebook = resources["nbgrader"]["student"], resources["nbgrader"]["notebook"]
        folder = Path(self.run_dir) / student / notebook
        executed = self._load(folder / "executed.ipynb")
        status = self._status(folder / "status.json")
        outputs = {}
        if executed is not None:
            for cell in executed.cells:
                if cell.get("cell_type") == "code":
                    outputs.setdefault(cell.get("source", ""), []).append(cell.get("outputs", []))
        verdicts = {}
        # a test cell test_X judges the solution cell X (the student's code, for the checks' rules)
        solutions = {c.metadata.nbgrader["grade_id"]: c.source for c in nb.cells if utils.is_solution(c)}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            produced = outputs.get(cell.source)
            cell.outputs = produced.pop(0) if produced else [_error("NotRun", status.get("detail") or "this cell was not run")]
            if utils.is_grade(cell):
                grade_id = cell.metadata.nbgrader["grade_id"]
                verdicts[grade_id] = self._judge(cell, folder / "records", solutions.get(grade_id.removeprefix("test_")))
        resources["autograder_verdicts"] = verdicts
        (folder / "verdicts.json").write_text(json.dumps(verdicts, indent=1))
        return nb, resources

    @staticmethod
    def _load(path: Path):
        try:
            if path.is_file() and path.stat().st_size <= MAX_EXECUTED_BYTES:
                nb = nbformat.read(path, as_version=4)
                nbformat.validate(nb)
                return nb
        except Exception:
            pass
        return None

    @staticmethod
    def _status(path: Path) -> dict:
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):
            return {"status": "error", "detail": "no record of the sandboxed run"}

    @staticmethod
    def _judge(cell, records: Path, solution_source: str | None) -> dict:
        """Replace a test cell's outputs by the verdict; nbgrader scores the result."""
        error = next((o for o in cell.outputs if o.get("output_type") == "error"), None)
        verdict = judge(cell.source, error and {"ename": error.get("ename"), "evalue": error.get("evalue")},
                        records, solution_source)
        cell.outputs = ([nbformat.v4.new_output("stream", name="stdout", text=f"passed: {verdict['message']}\n")]
                        if verdict["passed"] else [_error("TestFailed", verdict["message"])])
        return verdict


def judge(test_source: str, kernel_error: dict | None, records: Path, solution_source: str | None) -> dict:
    """The trusted verdict on one test cell.

    A test passes when every hidden check it calls passes, judged here from the kernel's
    records, and its visible tests raised no error (``kernel_error``: the ``ename`` and
    ``evalue`` of the error the cell raised in the kernel, or None).  The grading command and
    the bank's fast path (``tests/bank_runner.py``) both judge through this one function.
    """
    names = checks_called(test_source)
    verdicts = [verify_solution(name, records, solution_source) for name in names]
    passed = kernel_error is None and all(ok for ok, _ in verdicts)
    messages = [message for ok, message in verdicts if not ok or passed]
    if kernel_error is not None and not any(not ok for ok, _ in verdicts):
        evalue = str(kernel_error.get("evalue") or "").strip()[:300]
        messages.append(f"visible test: {kernel_error.get('ename') or 'Error'}" + (f": {evalue}" if evalue else ""))
    if not names:
        messages.append("(visible tests only)")
    return {"passed": passed, "message": "; ".join(dict.fromkeys(messages)), "checks": names}


def status_line(verdict: dict) -> str:
    """A test's status as tests.csv writes it."""
    return "passed" if verdict["passed"] else "failed: " + verdict["message"][:300]
