"""The class report renders in a browser; the LMS exports follow each system's columns."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT, read_csv, run_grader
from .submissions import fill, released, write_student

pytestmark = pytest.mark.xdist_group("report")
NB = "01a_date_translation"
BUG = {"masked_softmax": "def masked_softmax(scores, mask):\n    return torch.softmax(scores, dim=-1) * mask\n"}


@pytest.fixture(scope="session")  # session: xdist may interleave other modules, which would rebuild a module fixture
def graded(tmp_path_factory, env):
    base = tmp_path_factory.mktemp("report")
    write_student(base / "subs", "ada", {NB: fill("ch01_attention", NB)})
    write_student(base / "subs", "bo", {NB: fill("ch01_attention", NB, BUG)})
    write_student(base / "subs", "cy", {NB: fill("ch01_attention", NB, BUG)})
    write_student(base / "subs", "dee", {NB: released("ch01_attention", NB)})
    write_student(base / "subs", "eve", {NB: b"not a notebook"})
    result = run_grader("ch01_attention", base / "subs", base / "out", env, "--workers", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return base / "out"


def test_report_renders_with_plots_and_tables(graded, browser):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto((graded / "report.html").as_uri())
    images = page.evaluate("() => Array.from(document.images).map(i => i.naturalWidth)")
    assert len(images) == 3 and all(w > 200 for w in images), images
    diagnoses = page.inner_text("#diagnoses")
    assert "2× the mask is applied after the softmax" in diagnoses.replace("masked positions still get weight: ", "")
    assert "eve" in page.inner_text("#flagged") and "invalid JSON" in page.inner_text("#flagged")
    assert len(page.query_selector_all("#timing tr")) == 1 + 5
    shot = ROOT / "_build" / "screenshots" / "class_report.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 30_000
    page.close()


def _export(graded, fmt, roster, env):
    cmd = [sys.executable, "-m", "autograder", "export", str(graded), "--format", fmt, "--roster", str(roster)]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student_id", "name", "lms_id", "sis_user_id", "login_id", "section", "email"])
        for sid, name, lms in [("ada", "Lovelace, Ada", "101"), ("bo", "Bo, Bo", "102"), ("cy", "Cy, Cy", "103"),
                               ("dee", "Dee, Dee", "104"), ("fay", "Fay, Fay", "106")]:  # eve missing, fay absent
            w.writerow([sid, name, lms, f"S{lms}", sid, "A", f"{sid}@uni.example"])
    return path


def test_canvas_export_columns_and_mismatches(graded, roster, env):
    result = _export(graded, "canvas", roster, env)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(open(graded / "export-canvas.csv", newline="")))
    assert rows[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert rows[0][5] == "ch01_attention"
    # the assignment has 1a (10 points) and 1b (6 points); these students only handed in 1a
    assert rows[1][0].strip() == "Points Possible" and float(rows[1][5]) == 16
    body = {r[1]: r for r in rows[2:]}
    assert float(body["101"][5]) == 10 and float(body["104"][5]) == 0
    assert body["106"][5] == ""  # on the roster, no submission: blank, reported
    assert "eve" in result.stderr and "not on the roster" in result.stderr
    assert "fay" in result.stderr and "no submission" in result.stderr


def test_moodle_export_columns_and_mismatches(graded, roster, env):
    result = _export(graded, "moodle", roster, env)
    assert result.returncode == 0, result.stderr
    rows = read_csv(graded / "export-moodle.csv")
    assert list(rows[0])[:3] == ["Email address", "ID number", "Full name"]
    by_email = {r["Email address"]: r for r in rows}
    assert float(by_email["ada@uni.example"]["ch01_attention"]) == 10
    assert by_email["fay@uni.example"]["ch01_attention"] == ""
    assert "eve" in result.stderr and "fay" in result.stderr


def test_export_refuses_a_roster_without_the_needed_columns(graded, tmp_path, env):
    bad = tmp_path / "bad.csv"
    bad.write_text("name\nAda\n")
    result = _export(graded, "canvas", bad, env)
    assert result.returncode == 2 and "student_id" in result.stderr
