"""nbgrader preprocessors that plug the sandbox and the trusted verdicts into
``nbgrader autograde``: the gradebook, the checksums, the restored cells and
the scores stay nbgrader's own."""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader import utils
from traitlets import Int, Unicode

from .checks.core import checks_called, verify_solution
from .runner import MAX_EXECUTED_BYTES

# What the formgrader may render of a student's outputs: plain text and images, nothing live.
SAFE_MIME = ("text/plain", "image/png", "image/jpeg")
IDENTIFIER = re.compile(r"[A-Za-z_]\w{0,63}")


class StageForSandbox(NbGraderPreprocessor):
    """Autograde pass 1: save the sanitised notebook (cells restored from the
    gradebook, outputs cleared) for the sandbox to execute."""

    stage_dir = Unicode("").tag(config=True)

    def preprocess(self, nb, resources):
        folder = Path(self.stage_dir) / resources["nbgrader"]["student"]
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{resources['nbgrader']['notebook']}.ipynb")
        return nb, resources


_NAME = re.compile(r"[A-Za-z_]\w{0,63}")  # an exception's name, as far as the grader repeats one


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
    seed = Int(0).tag(config=True)

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
        verdicts, experiments = {}, []
        # A test cell test_X judges the solution cell X (the student's code, for the checks' rules).  A
        # solution cell that lost its metadata is somewhere among the unlocked cells: check them all.
        solutions = {c.metadata.nbgrader["grade_id"]: c.source for c in nb.cells if utils.is_solution(c)}
        unlocked = "\n\n".join(c.source for c in nb.cells if c.cell_type == "code" and not utils.is_locked(c))
        for number, cell in enumerate(nb.cells, start=1):
            if cell.cell_type == "markdown" or cell.cell_type == "raw":
                _sanitise_text_cell(cell)
            if cell.cell_type != "code":
                continue
            produced = outputs.get(cell.source)
            cell.outputs = [o for o in map(_plain_output, produced.pop(0)) if o is not None] if produced else \
                [_error("NotRun", status.get("detail") or "this cell was not run")]
            if utils.is_grade(cell):
                grade_id = cell.metadata.nbgrader["grade_id"]
                solution = solutions.get(grade_id.removeprefix("test_"), unlocked)
                verdicts[grade_id] = self._judge(cell, folder / "records", solution, self.seed)
            elif not utils.is_solution(cell):  # an experiment cell: the notebook's own code, or the student's
                raised = [o for o in cell.outputs if o.get("output_type") == "error" and o.get("ename") != "NotRun"]
                if raised:
                    name = str(raised[0].get("ename", ""))
                    experiments.append({"cell": number, "ename": name if _NAME.fullmatch(name) else "an exception"})
        resources["autograder_verdicts"] = verdicts
        (folder / "verdicts.json").write_text(json.dumps(verdicts, indent=1))
        (folder / "experiments.json").write_text(json.dumps(experiments))  # grade.py flags them for review
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
    def _judge(cell, records: Path, solution_source: str | None, seed: int) -> dict:
        """Replace a test cell's outputs by the verdict; nbgrader scores the result."""
        error = next((o for o in cell.outputs if o.get("output_type") == "error"), None)
        verdict = judge(cell.source, error and {"ename": error.get("ename")}, records, solution_source, seed)
        cell.outputs = ([nbformat.v4.new_output("stream", name="stdout", text=f"passed: {verdict['message']}\n")]
                        if verdict["passed"] else [_error("TestFailed", verdict["message"])])
        return verdict


def judge(test_source: str, kernel_error: dict | None, records: Path, solution_source: str | None,
          seed: int = 0) -> dict:
    """The trusted verdict on one test cell.

    A test passes when every hidden check it calls passes, judged here from the kernel's
    records, and its visible tests raised no error (``kernel_error``: the error the cell raised
    in the kernel, or None).  Of that error only the exception's name is shown, and only when it
    is a plain identifier: its message is text the kernel wrote, and could carry anything the
    kernel could read (the student sees the message in their own notebook).  The grading
    command and the bank's fast path (``tests/bank_runner.py``) both judge through this function.
    """
    names = checks_called(test_source)
    verdicts = [verify_solution(name, records, solution_source, seed) for name in names]
    passed = kernel_error is None and all(ok for ok, _ in verdicts)
    messages = [message for ok, message in verdicts if not ok or passed]
    if kernel_error is not None and not any(not ok for ok, _ in verdicts):
        ename = kernel_error.get("ename")
        ename = ename if isinstance(ename, str) and IDENTIFIER.fullmatch(ename) else "an error"
        messages.append(f"visible test raised {ename} (run the test cell in your notebook to see why)")
    if not names:
        messages.append("(visible tests only)")
    return {"passed": passed, "message": "; ".join(dict.fromkeys(messages)), "checks": names}


def status_line(verdict: dict) -> str:
    """A test's status as tests.csv writes it."""
    return "passed" if verdict["passed"] else "failed: " + verdict["message"][:300]


def _plain_output(output) -> dict | None:
    """An output the formgrader can show without running anything: text and images only."""
    kind = output.get("output_type")
    if kind == "stream":
        return nbformat.v4.new_output("stream", name="stderr" if output.get("name") == "stderr" else "stdout",
                                      text=str(output.get("text", ""))[:MAX_EXECUTED_BYTES])
    if kind == "error":
        return nbformat.v4.new_output("error", ename=str(output.get("ename", ""))[:200],
                                      evalue=str(output.get("evalue", ""))[:2000],
                                      traceback=[str(t)[:5000] for t in output.get("traceback", [])[:100]])
    if kind in ("display_data", "execute_result"):
        data = {k: v for k, v in (output.get("data") or {}).items() if k in SAFE_MIME and isinstance(v, (str, list))}
        if not data:
            return None
        if kind == "execute_result":
            return nbformat.v4.new_output(kind, data=data, execution_count=None)
        return nbformat.v4.new_output(kind, data=data)
    return None


def _sanitise_text_cell(cell) -> None:
    """Student markdown shows as text in the formgrader: no tags, no script links, no attachments."""
    text = cell.source.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    cell.source = re.sub(r"(?i)(javascript|vbscript|data)\s*:", r"\1&#58;", text)
    cell.pop("attachments", None)
    if cell.cell_type == "raw":
        cell.metadata.pop("format", None)
        cell.metadata.pop("raw_mimetype", None)
