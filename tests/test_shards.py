"""A class graded in shards on several machines, then merged, equals the class graded at once."""
from __future__ import annotations

import subprocess
import sys

import pytest
from nbgrader.api import Gradebook

from autograder.grade import shard_of

from .conftest import ROOT, read_csv, run_grader
from .submissions import fill, released, write_student

pytestmark = pytest.mark.xdist_group("shards")
NB = "01a_date_translation"
MASK_AFTER_SOFTMAX = "def masked_softmax(scores, mask):\n    return torch.softmax(scores, dim=-1) * mask\n"


def _scores(out):
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        return {(s.student.id, nb.name, g.name): (g.score, g.max_score)
                for s in gb.find_assignment("ch01_attention").submissions for nb in s.notebooks for g in nb.grades}


def test_shards_merged_equal_a_single_run(tmp_path, env):
    subs = tmp_path / "subs"
    students = {"ada": fill("ch01_attention", NB), "bo": fill("ch01_attention", NB, {"masked_softmax": MASK_AFTER_SOFTMAX}),
                "cy": released("ch01_attention", NB), "di": fill("ch01_attention", NB)}
    for sid, nb in students.items():
        write_student(subs, sid, {NB: nb})
    assert {shard_of(s, 2) for s in students} == {0, 1}, "pick ids that land in both shards"
    for out, extra in [("single", []), ("shard0", ["--shard", "0/2"]), ("shard1", ["--shard", "1/2"])]:
        result = run_grader("ch01_attention", subs, tmp_path / out, env, "--workers", "2", "--seed", "5", *extra)
        assert result.returncode == 0, result.stderr[-3000:]
    shard_ids = [{r["student_id"] for r in read_csv(tmp_path / f"shard{k}" / "grades.csv")} for k in (0, 1)]
    assert not shard_ids[0] & shard_ids[1] and shard_ids[0] | shard_ids[1] == set(students)
    merged = tmp_path / "merged"
    cmd = [sys.executable, "-m", "autograder", "merge", str(merged), str(tmp_path / "shard0"), str(tmp_path / "shard1")]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    for table in ("grades.csv", "tests.csv", "student_ids.csv"):
        single = sorted(tuple(r.values()) for r in read_csv(tmp_path / "single" / table))
        assert sorted(tuple(r.values()) for r in read_csv(merged / table)) == single, table
    assert _scores(merged) == _scores(tmp_path / "single")
    for sid in students:
        assert (merged / "feedback" / sid / f"{NB}.html").is_file()
        assert (merged / "nbgrader" / "autograded" / sid / "ch01_attention" / f"{NB}.ipynb").is_file()
    assert "<html" in (merged / "report.html").read_text()
    # a shard merged twice is refused: no student is counted twice
    again = subprocess.run([sys.executable, "-m", "autograder", "merge", str(tmp_path / "twice"),
                            str(tmp_path / "shard0"), str(tmp_path / "shard0")], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 2 and "graded by both" in again.stderr
