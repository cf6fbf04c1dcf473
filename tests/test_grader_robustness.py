"""Bad input gets a clear row and loses nothing; re-runs and interrupted runs are safe."""
from __future__ import annotations

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile

import nbformat
import pytest

from .conftest import ROOT, read_csv, run_grader
from .submissions import fill, released, write_student

pytestmark = pytest.mark.xdist_group("robustness")
NB1, NB2 = "01a_date_translation", "01b_show_attend_tell"
ODD_IDS = ["José Ñúñez", "a b; rm -rf ~", "--help", "名前"]


def _both(**replacements):
    out = {NB1: fill("ch01_attention", NB1, replacements)}
    if (ROOT / "solutions" / "ch01_attention" / f"{NB2}.ipynb").is_file():
        out[NB2] = fill("ch01_attention", NB2)
    return out


@pytest.fixture(scope="session")  # session: xdist may interleave other modules, which would rebuild a module fixture
def graded(tmp_path_factory, env):
    base = tmp_path_factory.mktemp("robust")
    subs = base / "subs"
    good = nbformat.writes(fill("ch01_attention", NB1))
    write_student(subs, "ok", _both())
    write_student(subs, "invalid-json", {NB1: b'{"cells": [ oops'})
    write_student(subs, "empty-file", {NB1: b""})
    write_student(subs, "binary-file", {NB1: bytes(range(256)) * 64})
    write_student(subs, "old-nbformat", {NB1: nbformat.writes(nbformat.convert(fill("ch01_attention", NB1), 3))})
    write_student(subs, "huge-file", {NB1: good[:-3] + ', "padding": "' + "x" * 60_000_000 + '"}'})
    (subs / "missing").mkdir()
    (subs / "missing" / "README.txt").write_text("I forgot")
    renamed = write_student(subs, "renamed", {})
    nbformat.write(fill("ch01_attention", NB1), renamed / f"Copy of {NB1}.ipynb")
    dup = write_student(subs, "duplicated", {NB1: fill("ch01_attention", NB1)})
    nbformat.write(released("ch01_attention", NB1), dup / f"{NB1} (1).ipynb")
    for sid in ODD_IDS:
        write_student(subs, sid, {NB1: fill("ch01_attention", NB1)})
    zipped = subs / "zipped-evil"
    zipped.mkdir()
    with zipfile.ZipFile(zipped / "work.zip", "w") as zf:
        zf.writestr(f"{NB1}.ipynb", good)
        zf.writestr("../../escaped.ipynb", good)
    result = run_grader("ch01_attention", subs, base / "out", env, "--workers", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return base


def _grades(base):
    return {r["student_id"]: r for r in read_csv(base / "out" / "grades.csv")}


def _score_1a(base, sid):
    return sum(float(r["score"]) for r in read_csv(base / "out" / "tests.csv")
               if r["student_id"] == sid and r["notebook"] == NB1)


def test_every_student_gets_exactly_one_row(graded):
    rows = read_csv(graded / "out" / "grades.csv")
    ids = [r["student_id"] for r in rows]
    assert len(ids) == len(set(ids)) == 10 + len(ODD_IDS)


@pytest.mark.parametrize("sid,why", [("invalid-json", "invalid JSON"), ("empty-file", "empty file"),
                                     ("binary-file", "binary file"), ("huge-file", "too large"),
                                     ("missing", "missing notebook")])
def test_unreadable_submissions_get_a_clear_status_and_zero(graded, sid, why):
    row = _grades(graded)[sid]
    assert why in row["status"], row
    assert _score_1a(graded, sid) == 0


def test_good_submission_in_the_same_batch_is_graded_normally(graded):
    assert _score_1a(graded, "ok") == 10
    assert _grades(graded)["ok"]["status"] == "graded"


def test_old_nbformat_is_upgraded_and_graded(graded):
    assert _score_1a(graded, "old-nbformat") == 10


def test_renamed_notebook_is_found_and_flagged(graded):
    assert _score_1a(graded, "renamed") == 10
    assert "renamed file" in _grades(graded)["renamed"]["flags"]


def test_duplicated_notebook_grades_the_exact_name(graded):
    assert _score_1a(graded, "duplicated") == 10


def test_odd_student_ids_become_safe_distinct_ids(graded):
    safe = [sid for sid in _grades(graded) if sid not in {"ok", "invalid-json", "empty-file", "binary-file",
            "old-nbformat", "huge-file", "missing", "renamed", "duplicated", "zipped-evil"}]
    assert len(safe) == len(ODD_IDS)
    for sid in safe:
        assert all(c.isalnum() and c.isascii() or c in "._-" for c in sid), sid
        assert _score_1a(graded, sid) == 10
        assert (graded / "out" / "feedback" / sid / f"{NB1}.html").is_file()
    mapping = {r["submitted_as"]: r["student_id"] for r in read_csv(graded / "out" / "student_ids.csv")}
    assert set(ODD_IDS) <= set(mapping) and {mapping[o] for o in ODD_IDS} == set(safe)


def test_zip_entries_outside_the_folder_are_refused(graded):
    row = _grades(graded)["zipped-evil"]
    assert "points outside its folder" in row["flags"]
    assert _score_1a(graded, "zipped-evil") == 10  # the safe entry is graded
    assert not list(graded.rglob("escaped.ipynb"))


def test_batch_zip_is_accepted(tmp_path, env):
    subs = tmp_path / "class"
    write_student(subs, "zipper", {NB1: released("ch01_attention", NB1)})
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(subs / "zipper" / f"{NB1}.ipynb", f"class/zipper/{NB1}.ipynb")
        zf.writestr("../evil.ipynb", "{}")
        zf.writestr("class/zipper/big.bin", "only notebooks are extracted")
    result = run_grader("ch01_attention", archive, tmp_path / "out", env, "--workers", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert [r["student_id"] for r in read_csv(tmp_path / "out" / "grades.csv")] == ["zipper"]
    assert "points outside its folder" in result.stderr
    assert not (tmp_path.parent / "evil.ipynb").exists()
    assert not list((tmp_path / "out").rglob("big.bin"))


def _count_grades(db):
    with sqlite3.connect(db) as con:
        return con.execute("select count(*) from grade").fetchone()[0], \
            con.execute("select count(*) from submitted_assignment").fetchone()[0]


def test_rerun_is_idempotent_and_interrupt_loses_nothing(tmp_path, env):
    subs = tmp_path / "subs"
    for i in range(4):
        write_student(subs, f"s{i}", {NB1: fill("ch01_attention", NB1) if i % 2 == 0 else released("ch01_attention", NB1)})
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "autograder", "grade", "ch01_attention", str(subs), "--out", str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not list((out / "state").glob("*.json")) and proc.poll() is None:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 130), err[-2000:]
    done_first = len(list((out / "state").glob("*.json")))
    assert 1 <= done_first <= 4
    # The next run finishes the job ...
    result = run_grader("ch01_attention", subs, out, env, "--workers", "2")
    assert result.returncode == 0, result.stderr[-2000:]
    first = read_csv(out / "grades.csv")
    assert [float(r["score"]) for r in first] == [10, 0, 10, 0]
    counts = _count_grades(out / "gradebook.db")
    # ... and one more run changes nothing, counts nothing twice.
    result = run_grader("ch01_attention", subs, out, env, "--workers", "2")
    assert result.returncode == 0
    assert read_csv(out / "grades.csv") == first
    assert _count_grades(out / "gradebook.db") == counts


def test_refuses_to_run_unsandboxed_without_the_flag(tmp_path, env):
    write_student(tmp_path / "subs", "x", {NB1: released("ch01_attention", NB1)})
    no_bwrap = {**env, "PATH": str(ROOT / ".venv" / "bin")}
    result = run_grader("ch01_attention", tmp_path / "subs", tmp_path / "out", no_bwrap)
    assert result.returncode == 2 and "--no-sandbox" in result.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_submission_time_limit_stops_the_run_and_is_flagged(tmp_path, env):
    slow = "import time\ntime.sleep(20)\n\n" + "def dot_product_score(query, keys):\n    return keys.sum(-1)\n"
    write_student(tmp_path / "subs", "slow", {NB1: fill("ch01_attention", NB1, {"dot_product_score": slow})})
    result = run_grader("ch01_attention", tmp_path / "subs", tmp_path / "out", env,
                        "--submission-timeout", "12", "--cell-timeout", "60")
    assert result.returncode == 0, result.stderr[-2000:]
    row = read_csv(tmp_path / "out" / "grades.csv")[0]
    assert float(row["score"]) == 0
    assert "timeout" in row["flags"] and row["flags"].startswith("REVIEW"), row
