"""The grading command: a correct, a partly correct and an empty submission get the right scores."""
from __future__ import annotations

import nbformat
import pytest

from .conftest import read_csv, run_grader
from .submissions import fill, released, write_student

pytestmark = pytest.mark.xdist_group("grading-basic")
MASK_AFTER_SOFTMAX = "def masked_softmax(scores, mask):\n    return torch.softmax(scores, dim=-1) * mask\n"


@pytest.fixture(scope="session")  # session: xdist may interleave other modules, which would rebuild a module fixture
def graded(tmp_path_factory, env):
    base = tmp_path_factory.mktemp("basic")
    subs = base / "subs"
    write_student(subs, "correct", {"01a_date_translation": fill("ch01_attention", "01a_date_translation")})
    write_student(subs, "partial", {"01a_date_translation": fill("ch01_attention", "01a_date_translation",
                                                                  {"masked_softmax": MASK_AFTER_SOFTMAX})})
    write_student(subs, "empty", {"01a_date_translation": released("ch01_attention", "01a_date_translation")})
    broken = fill("ch01_attention", "01a_date_translation")  # every test passes; a cell of the student's own fails
    broken.cells.append(nbformat.v4.new_code_cell("raise ValueError('my experiment broke')"))
    write_student(subs, "broken_experiment", {"01a_date_translation": broken})
    result = run_grader("ch01_attention", subs, base / "out", env, "--workers", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return base / "out"


def _tests(out, student):
    return {r["grade_id"]: r for r in read_csv(out / "tests.csv")
            if r["student_id"] == student and r["notebook"] == "01a_date_translation"}


def test_grades_csv_scores(graded):
    rows = {r["student_id"]: r for r in read_csv(graded / "grades.csv")}
    assert set(rows) == {"correct", "partial", "empty", "broken_experiment"}
    max_1a = sum(float(r["max_score"]) for r in _tests(graded, "correct").values())
    assert max_1a == 10
    # 1b was not handed in: it counts as 0 of 6, so every row is out of the assignment's 16 points
    assert {float(r["max_score"]) for r in rows.values()} == {16}
    missing = [r for r in read_csv(graded / "tests.csv")
               if r["student_id"] == "correct" and r["notebook"] == "01b_show_attend_tell"]
    assert missing and all(r["status"] == "not submitted" and float(r["score"]) == 0 for r in missing)
    assert float(rows["empty"]["score"]) == 0
    assert 0 < float(rows["partial"]["score"]) < float(rows["correct"]["score"])


def test_correct_submission_passes_every_1a_test(graded):
    tests = _tests(graded, "correct")
    assert tests and all(r["status"] == "passed" and r["score"] == r["max_score"] for r in tests.values())


def test_partial_submission_loses_exactly_the_dependent_tests(graded):
    tests = _tests(graded, "partial")
    failed = {gid for gid, r in tests.items() if float(r["score"]) == 0}
    # attention_pool and the decoder step call masked_softmax, so they fail with it
    assert failed == {"test_masked_softmax", "test_attention_pool", "test_attention_decoder"}
    assert "mask is applied after the softmax" in tests["test_masked_softmax"]["status"]


def test_empty_submission_fails_every_test_as_not_implemented(graded):
    tests = _tests(graded, "empty")
    assert all(float(r["score"]) == 0 for r in tests.values())
    assert all("not implemented" in r["status"] for r in tests.values())


def test_feedback_pages_show_results_without_hidden_tests(graded):
    page = (graded / "feedback" / "partial" / "01a_date_translation.html").read_text()
    assert "test_masked_softmax" in page and "mask is applied after the softmax" in page
    for secret in ("BEGIN HIDDEN TESTS", "autograder", "check(", "einsum"):
        assert secret not in page


def test_experiment_cells_that_fail_after_every_test_passes_are_flagged(graded):
    rows = {r["student_id"]: r for r in read_csv(graded / "grades.csv")}
    flags = rows["broken_experiment"]["flags"]
    assert flags.startswith("REVIEW") and "every test passes, but 1 experiment cell(s) ended in an error" in flags
    assert "ValueError" in flags and "my experiment broke" not in flags  # the kernel's text stays out
    assert rows["broken_experiment"]["score"] == rows["correct"]["score"]
    assert "experiment" not in rows["correct"]["flags"]  # the reference's own cells run clean while grading
    assert "experiment" not in rows["empty"]["flags"]  # failing tests explain failing experiments
