"""The bank of plausible mistakes and correct alternatives proves the checks.

``tests/bank/<chapter>/<notebook>/<solution grade_id>/`` holds snippets of that
solution cell as a student might write it, either complete (``.py``) or, for a mistake
that is a small change of the reference solution, as that change (``.edit``: ``- old``
lines replaced by ``+ new`` lines, see ``submissions.apply_edit``; it fails loudly when the
reference no longer holds the old lines):

* ``mistake_*`` starts with ``# diagnosis: <text>``: the test of that cell
  (``test_<grade_id>``) must fail, and the feedback must contain <text>
  (``# diagnosis: none`` for a mistake with no specific diagnosis: it must still fail);
* ``correct_*.py``: every test of the notebook must pass.

All snippets, the reference solution and the released stub go through the real
grading command as one class, graded once.
"""
from __future__ import annotations

import collections
import fcntl
import os
import re
import shutil
from pathlib import Path

import pytest

from .conftest import BANK_REPORT, ROOT, read_csv, run_grader
from .submissions import bank_source, fill, released, write_student

pytestmark = pytest.mark.xdist_group("bank")
BANK = ROOT / "tests" / "bank"
SNIPPETS = sorted(p for p in BANK.glob("ch*/*/*/*") if p.suffix in (".py", ".edit"))


def _student(snippet: Path) -> str:
    chapter, notebook, gid = snippet.parts[-4:-1]
    return f"{notebook.split('_')[0]}.{gid}.{snippet.stem}"


def _diagnosis(snippet: Path) -> str | None:
    m = re.match(r"#\s*diagnosis:\s*(.+)", snippet.read_text().splitlines()[0])
    text = m.group(1).strip() if m else None
    return None if text in (None, "none") else text


class _Batches(dict):
    """Grades a chapter's bank (one class) the first time a test asks for it."""

    def __init__(self, factory, env):
        super().__init__()
        self.factory, self.env = factory, env

    def __missing__(self, chapter: str) -> Path:
        # One grading per chapter and test session, even when several xdist workers ask for it:
        # the first grades under a lock in the session's shared folder, the others reuse its output.
        shared = self.factory.getbasetemp()
        if os.environ.get("PYTEST_XDIST_WORKER"):
            shared = shared.parent
        base = shared / f"bank-{chapter}"
        with open(shared / f"bank-{chapter}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (base / "out" / "grades.csv").is_file():
                shutil.rmtree(base, ignore_errors=True)
                self._grade(chapter, base)
        self[chapter] = base / "out"
        return self[chapter]

    def _grade(self, chapter: str, base: Path) -> None:
        for nb in sorted(p.stem for p in (ROOT / "solutions" / chapter).glob("*.ipynb")):
            write_student(base / "subs", f"{nb.split('_')[0]}.reference", {nb: fill(chapter, nb)})
            write_student(base / "subs", f"{nb.split('_')[0]}.stub", {nb: released(chapter, nb)})
        for snippet in (s for s in SNIPPETS if s.parts[-4] == chapter):
            nb, gid = snippet.parts[-3], snippet.parts[-2]
            write_student(base / "subs", _student(snippet), {nb: fill(chapter, nb, {gid: bank_source(snippet)})})
        result = run_grader(chapter, base / "subs", base / "out", self.env, "--workers", "2", timeout=2400)
        assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="session")
def graded(tmp_path_factory, env):
    """{chapter: out folder}, each chapter's bank graded as one class, on first use."""
    return _Batches(tmp_path_factory, env)


def _tests(out: Path, student: str, notebook: str) -> dict[str, dict]:
    return {r["grade_id"]: r for r in read_csv(out / "tests.csv")
            if r["student_id"] == student and r["notebook"] == notebook}


NOTEBOOKS = sorted((ROOT / "solutions").glob("ch*/*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_reference_passes_and_stub_fails_every_test(graded, path):
    out, short = graded[path.parent.name], path.stem.split("_")[0]
    reference, stub = _tests(out, f"{short}.reference", path.stem), _tests(out, f"{short}.stub", path.stem)
    assert reference and all(r["status"] == "passed" for r in reference.values()), reference
    assert stub.keys() == reference.keys()
    assert all(float(r["score"]) == 0 and r["status"].startswith("failed") for r in stub.values()), stub


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[str(s.relative_to(BANK)) for s in SNIPPETS])
def test_bank_snippet(graded, snippet):
    chapter, notebook, gid = snippet.parts[-4:-1]
    out, student = graded[chapter], _student(snippet)
    tests = _tests(out, student, notebook)
    assert f"test_{gid}" in tests, f"no test cell test_{gid} for solution cell {gid}"
    if snippet.stem.startswith("correct"):
        failed = {k: r["status"] for k, r in tests.items() if r["status"] != "passed"}
        assert not failed, f"a correct alternative failed: {failed}"
    else:
        target = tests[f"test_{gid}"]
        assert float(target["score"]) == 0 and target["status"].startswith("failed"), "the mistake was not caught"
        diagnosis = _diagnosis(snippet)
        if diagnosis:
            assert diagnosis in target["status"], f"expected diagnosis {diagnosis!r}, got {target['status']!r}"
            page = (out / "feedback" / student.replace("/", "_") / f"{notebook}.html").read_text()
            import html
            assert html.escape(diagnosis) in page


def test_bank_covers_every_graded_function_and_diagnoses_most_mistakes():
    report = []
    for path in NOTEBOOKS:
        import nbformat

        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if not meta.get("solution"):
                continue
            folder = BANK / path.parent.name / path.stem / meta["grade_id"]
            mistakes, correct = sorted(folder.glob("mistake_*")), sorted(folder.glob("correct_*.py"))
            assert len(mistakes) >= 3, f"{folder.relative_to(ROOT)}: fewer than 3 mistakes"
            assert len(correct) >= 1, f"{folder.relative_to(ROOT)}: no correct alternative"
    per_chapter = collections.defaultdict(lambda: [0, 0])
    for snippet in (s for s in SNIPPETS if s.stem.startswith("mistake")):
        counts = per_chapter[snippet.parts[-4]]
        counts[1] += 1
        counts[0] += _diagnosis(snippet) is not None
    for chapter, (diagnosed, total) in sorted(per_chapter.items()):
        share = diagnosed / total
        report.append(f"{chapter}: {diagnosed}/{total} bank mistakes get their own diagnosis ({share:.0%})")
        assert share >= 0.8, report[-1]
    # pytest-xdist swallows a worker's output: the controller prints this file in its summary (conftest.py)
    BANK_REPORT.parent.mkdir(parents=True, exist_ok=True)
    BANK_REPORT.write_text("\n".join(report) + "\n")
