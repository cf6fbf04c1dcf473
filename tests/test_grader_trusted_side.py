"""The grader's trusted side, attacked: what crosses the sandbox's wall is data, bounded, and never trusted.

A red-team review found that the sandbox held but what crossed its wall did not: record files
that were links to a classmate's, statuses a kernel forged, text from the kernel shown in
feedback, formulas in spreadsheets, live markup in the formgrader, one malformed notebook that
stopped the batch.  Each class of attack is one student of a single class here, graded once by
the real command, or a bounded unit test of the piece that reads what the sandbox wrote.
"""
from __future__ import annotations

import csv
import io
import json
import os
import resource
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest

import autograder.checks  # noqa: F401  (registers the checks)
from autograder.checks.core import SPECS, load_record, make_cases
from autograder.collect import extract_zip
from autograder.safe_csv import FORMULA_START

from .conftest import ROOT, read_csv, run_grader
from .submissions import fill, write_student

pytestmark = pytest.mark.xdist_group("trusted-side")
NB = "01a_date_translation"
STUB_DOT = "def dot_product_score(query, keys):\n    raise NotImplementedError\n"
CORRECT_DOT = "def dot_product_score(query, keys):\n    return torch.bmm(keys, query.unsqueeze(-1)).squeeze(-1)\n"
CHECKS_1A = ["ch01.dot_product_score", "ch01.scaled_dot_product_score", "ch01.additive_score",
             "ch01.masked_softmax", "ch01.attention_pool", "ch01.decoder_step"]


def _with_cells(nb, *extra):
    nb = nbformat.from_dict(json.loads(nbformat.writes(nb)))
    nb.cells.extend(extra)
    return nb


def _forged_records(folder: Path) -> Path:
    """Records that pass every check of 1a (the reference's outputs), at a path on the host."""
    from autograder.checks.core import _reference_arrays
    from autograder.kernel_side import save_record

    folder.mkdir(parents=True, exist_ok=True)
    for name in CHECKS_1A:
        spec = SPECS[name]
        outputs = [{k: np.asarray(v) for k, v in _reference_arrays(spec.reference, case).items()}
                   for case in make_cases(spec, 0)]
        save_record(folder / f"{name}.npz", outputs)
    return folder


@pytest.fixture(scope="session")
def attacked(tmp_path_factory, env):
    base = tmp_path_factory.mktemp("trusted")
    subs, out = base / "subs", base / "out"
    forged = _forged_records(base / "forged")
    stub_nb = fill("ch01_attention", NB, solve=False)  # the released notebook, nothing implemented
    students = {}
    # (1) records are data, never paths: links to records that would pass, made before each check runs
    link = "import os\nos.makedirs(os.environ['AUTOGRADER_RECORDS'], exist_ok=True)\n" + "".join(
        f"os.symlink({str(forged / (n + '.npz'))!r}, os.path.join(os.environ['AUTOGRADER_RECORDS'], "
        f"{n + '.npz'!r}))\n" for n in CHECKS_1A) + "import autograder.checks as C\nC.check = lambda *a, **k: None\n"
    students["links-records"] = _with_cells(stub_nb)
    students["links-records"].cells.insert(2, nbformat.v4.new_code_cell(link))
    # (4) a status forged by the kernel, then the runner killed
    forge = ("import json, os, signal\nfor p in ('.status.json', os.path.expanduser('~/.status.json')):\n"
             "    try:\n        json.dump({'status': 'ok', 'detail': '=HYPERLINK(\"http://x\")'}, open(p, 'w'))\n"
             "    except OSError:\n        pass\nos.kill(os.getppid(), signal.SIGKILL)\n")
    students["forges-status"] = fill("ch01_attention", NB, {"dot_product_score": CORRECT_DOT + "\n" + forge})
    # (4) text from the kernel into feedback: an exception message carrying a hidden-test line
    leak = ("def dot_product_score(query, keys):\n    import inspect\n"
            "    raise RuntimeError('LEAK ' + ' | '.join(l.strip() for f in inspect.stack() for l in (f.code_context or [])))\n")
    students["leaks-text"] = fill("ch01_attention", NB, {"dot_product_score": leak})
    # (5) markup and script for the formgrader
    markup = fill("ch01_attention", NB)
    markup.cells.insert(2, nbformat.v4.new_markdown_cell("<script>alert('md')</script><img src=x onerror=alert(1)>"
                                                         "[click](javascript:alert(2))"))
    markup.cells.insert(3, nbformat.v4.new_code_cell(
        "from IPython.display import HTML, Javascript, SVG, display\n"
        "display(HTML('<script>alert(3)</script>'))\ndisplay(Javascript('alert(4)'))\n"
        "display(SVG('<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(5)</script></svg>'))\nprint('plain text stays')"))
    students["markup"] = markup
    # (3) malformed notebooks: one student can never stop the batch
    good = json.loads(nbformat.writes(fill("ch01_attention", NB)))
    for name, mutate in MALFORMED.items():
        nb = json.loads(json.dumps(good))
        mutate(nb)
        students[name] = json.dumps(nb) if not isinstance(nb, str) else nb
    students["deep-json"] = '{"cells": ' + "[" * 200_000 + "]" * 200_000 + ', "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    # (7) a table of the outputs for the inputs of a run with a fixed seed
    students["table"] = fill("ch01_attention", NB, {"dot_product_score": _lookup_table()})
    students["reference"] = fill("ch01_attention", NB)
    for student, nb in students.items():
        write_student(subs, student, {NB: nb})
    # (5) formula-leading names reach the CSVs through folder names
    write_student(subs, "=HYPERLINK(\"evil.example\")", {NB: fill("ch01_attention", NB)})
    write_student(subs, "@SUM(A1)", {NB: stub_nb})
    result = run_grader("ch01_attention", subs, out, env, "--workers", "2", "--cell-timeout", "30")
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def _lookup_table() -> str:
    spec = SPECS["ch01.dot_product_score"]
    table = [(case["query"].tolist(), case["keys"].tolist()) for case in make_cases(spec, 0)]
    return ("TABLE = " + repr(table) + "\n"
            "def dot_product_score(query, keys):\n"
            "    for q, k in TABLE:\n"
            "        if torch.tensor(q).shape == query.shape and torch.allclose(torch.tensor(q), query):\n"
            "            return torch.bmm(torch.tensor(k), torch.tensor(q).unsqueeze(-1)).squeeze(-1)\n"
            "    return torch.zeros(keys.shape[:2])\n")


def _meta_string(nb):
    nb["cells"][next(i for i, c in enumerate(nb["cells"]) if "nbgrader" in c["metadata"])]["metadata"]["nbgrader"] = "x"


def _meta_list_everywhere(nb):
    for c in nb["cells"]:
        if "nbgrader" in c["metadata"]:
            c["metadata"]["nbgrader"] = ["solution"]


def _grade_id_int(nb):
    for c in nb["cells"]:
        if isinstance(c["metadata"].get("nbgrader"), dict):
            c["metadata"]["nbgrader"]["grade_id"] = 7


def _points_text(nb):
    for c in nb["cells"]:
        if c["metadata"].get("nbgrader", {}).get("grade"):
            c["metadata"]["nbgrader"]["points"] = "lots"


MALFORMED = {
    "meta-string": _meta_string,
    "meta-list": _meta_list_everywhere,
    "grade-id-int": _grade_id_int,
    "points-text": _points_text,
    "metadata-not-dict": lambda nb: nb.update(metadata=["x"]),
    "cells-not-list": lambda nb: nb.update(cells={"0": nb["cells"][0]}),
}


def _grades(out):
    return {r["student_id"]: r for r in read_csv(out / "grades.csv")}


def _tests(out, student):
    return {r["grade_id"]: r for r in read_csv(out / "tests.csv") if r["student_id"] == student and r["notebook"] == NB}


# ------------------------------------------------------------------------------- records
def test_linked_records_earn_nothing(attacked):
    tests = _tests(attacked, "links-records")
    assert tests and all(float(r["score"]) == 0 for r in tests.values()), tests


def _npz(members: dict[str, bytes], *, compress=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=compress) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _npy(array: np.ndarray, *, shape=None) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": np.lib.format.dtype_to_descr(array.dtype),
                                               "fortran_order": False, "shape": shape or array.shape})
    return buf.getvalue() + array.tobytes()


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("attack", ["compressed-bomb", "header-lies", "object-dtype", "symlink", "fifo", "many-members"])
def test_hostile_records_are_refused_before_anything_is_allocated(attack, tmp_path):
    spec = SPECS["ch01.dot_product_score"]
    cases = make_cases(spec, 0)
    path = tmp_path / "ch01.dot_product_score.npz"
    err = _npy(np.array(""))
    if attack == "compressed-bomb":  # 2 MB on disk, 1.6 GB once inflated
        path.write_bytes(_npz({"__error__.npy": err, "0/scores.npy": _npy(np.zeros(200_000_000))},
                              compress=zipfile.ZIP_DEFLATED))
    elif attack == "header-lies":  # a header that announces 10^10 values
        path.write_bytes(_npz({"__error__.npy": err, "0/scores.npy": _npy(np.zeros(4), shape=(10 ** 10,))}))
    elif attack == "object-dtype":
        path.write_bytes(_npz({"__error__.npy": err, "0/scores.npy": b"\x93NUMPY\x01\x00v\x00{'descr': '|O', "
                                                                     b"'fortran_order': False, 'shape': (3, 5), }"
                                                                     + b" " * 50 + b"\n"}))
    elif attack == "symlink":
        target = tmp_path / "elsewhere.npz"
        np.savez(target, __error__=np.array(""))
        path.symlink_to(target)
    elif attack == "fifo":
        os.mkfifo(path)
    elif attack == "many-members":
        path.write_bytes(_npz({f"{i}/x.npy": _npy(np.zeros(1)) for i in range(5000)}))
    before = _peak_rss_mib()
    outputs = load_record(path, cases, spec)
    assert isinstance(outputs, str), f"{attack}: the record was accepted"
    assert _peak_rss_mib() - before < 200, f"{attack}: reading the record allocated memory"


def test_a_record_of_the_wrong_shape_still_gets_its_shape_message(tmp_path):
    """Refusing to load a wrong shape must not cost the student the message that names it."""
    spec = SPECS["ch01.dot_product_score"]
    cases = make_cases(spec, 0)
    from autograder.kernel_side import save_record

    save_record(tmp_path / "r.npz", [{"scores": np.zeros((7, 1))} for _ in cases])
    outputs = load_record(tmp_path / "r.npz", cases, spec)
    from autograder.checks.core import evaluate

    ok, message = evaluate(spec, cases, outputs)
    assert not ok and "has shape (7, 1) but should have shape" in message


# ------------------------------------------------------------------------- batch survival
@pytest.mark.parametrize("student", [*MALFORMED, "deep-json"])
def test_a_malformed_notebook_gets_a_row_and_the_batch_goes_on(attacked, student):
    grades = _grades(attacked)
    assert student in grades, f"{student} has no row"
    assert float(grades["reference"]["score"]) == 10
    assert grades[student]["status"], grades[student]


def test_every_student_of_the_batch_has_a_row(attacked):
    grades = _grades(attacked)
    assert float(grades["reference"]["score"]) == 10
    assert len(grades) == len({r["student_id"] for r in read_csv(attacked / "student_ids.csv")})


# ----------------------------------------------------------------- statuses and text from the kernel
def test_a_forged_status_and_a_killed_runner_are_flagged(attacked):
    grade = _grades(attacked)["forges-status"]
    assert grade["flags"].startswith("REVIEW"), grade
    assert "did not finish cleanly" in grade["flags"]
    assert "HYPERLINK" not in grade["flags"]


def test_feedback_shows_only_text_the_grader_composed(attacked):
    tests = _tests(attacked, "leaks-text")
    assert "raised RuntimeError" in tests["test_dot_product_score"]["status"]
    page = (attacked / "feedback" / "leaks-text" / f"{NB}.html").read_text()
    status = tests["test_dot_product_score"]["status"]
    assert "LEAK" not in status
    for hidden in ('check("ch01', "BEGIN HIDDEN"):  # the restored hidden-test lines the exception carried
        assert hidden not in page and hidden not in status


# ------------------------------------------------------------------------ the instructor's tools
def _all_csv_cells(out: Path):
    for path in out.glob("*.csv"):
        with open(path, newline="") as f:
            for row in csv.reader(f):
                yield path.name, row


def test_no_csv_cell_starts_a_formula(attacked, env):
    roster = attacked.parent / "roster.csv"
    roster.write_text("student_id,name,lms_id,email\n=HYPERLINK(\"evil.example\"),+cmd|' /C calc'!A0,1,-x@example.org\n")
    for fmt in ("canvas", "moodle"):
        subprocess.run([sys.executable, "-m", "autograder", "export", str(attacked), "--format", fmt,
                        "--roster", str(roster)], cwd=ROOT, env=env, check=True, capture_output=True)
    seen = set()
    for name, row in _all_csv_cells(attacked):
        seen.add(name)
        for value in row:
            assert not value.startswith(FORMULA_START), f"{name}: {value!r}"
    assert {"grades.csv", "tests.csv", "student_ids.csv", "export-canvas.csv", "export-moodle.csv"} <= seen
    # and the neutralised names still match their rows
    from autograder import safe_csv

    ids = safe_csv.read(attacked / "student_ids.csv")
    assert any(r["submitted_as"] == "=HYPERLINK(\"evil.example\")" for r in ids)  # read back as it was named
    canvas = safe_csv.read(attacked / "export-canvas.csv")
    assert any(r["Student"] == "+cmd|' /C calc'!A0" and r["ch01_attention"] == "10" for r in canvas), canvas


def test_formgrader_notebooks_keep_only_plain_text_and_images(attacked):
    path = attacked / "nbgrader" / "autograded" / "markup" / "ch01_attention" / f"{NB}.ipynb"
    nb = json.loads(path.read_text())
    # what the formgrader renders as markup: outputs and text cells (code sources show as escaped code)
    text = json.dumps([c.get("outputs", []) if c["cell_type"] == "code" else c for c in nb["cells"]])
    for bad in ("<script", "<img", "text/html", "application/javascript", "image/svg+xml", "javascript:"):
        assert bad not in text, bad
    assert "plain text stays" in text
    assert float(_grades(attacked)["markup"]["score"]) == 10


# ------------------------------------------- the rule, fresh inputs, grading from a plain environment
SDPA = ("def self_attention(q, k, v, mask=None):\n"
        "    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)\n"
        "    scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5\n"
        "    if mask is not None:\n        scores = scores.masked_fill(~mask, float('-inf'))\n"
        "    return out, torch.softmax(scores, dim=-1)\n")


@pytest.fixture(scope="session")
def plain(tmp_path_factory):
    """Chapter 2a graded from an environment made like an instructor's own: the packages installed
    somewhere, none of `make venv`'s .pth files (course root, editable install).  The sandbox must
    find the course from the grader's own root.  In the class: the reference, and a student whose
    solution cell lost its nbgrader metadata and uses the forbidden fused attention."""
    import site
    import sysconfig

    base = tmp_path_factory.mktemp("plain")
    venv = base / "plain"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(sysconfig.get_paths(vars={"base": str(venv), "platbase": str(venv)})["purelib"])
    (purelib / "packages.pth").write_text(site.getsitepackages()[0] + "\n")  # a plain path: its .pth files do not apply
    python = venv / "bin" / "python"
    probe = subprocess.run([str(python), "-c", "import attncourse"], cwd=base, capture_output=True)
    assert probe.returncode != 0, "the plain environment should not find the course by itself"
    chapter, nb = "ch02_self_attention", "02a_self_attention_layers"
    stripped = fill(chapter, nb, {"self_attention": SDPA})
    for cell in stripped.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "self_attention":
            del cell.metadata["nbgrader"]
    write_student(base / "subs", "ok", {nb: fill(chapter, nb)})
    write_student(base / "subs", "stripped", {nb: stripped})
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:{os.environ['PATH']}"
    result = subprocess.run([str(python), "-m", "autograder", "grade", chapter, str(base / "subs"),
                             "--out", str(base / "out"), "--workers", "2"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return base / "out"


def test_grading_works_from_an_environment_without_the_course_pth(plain):
    tests = [r for r in read_csv(plain / "tests.csv")
             if r["student_id"] == "ok" and r["notebook"] == "02a_self_attention_layers"]
    assert tests and all(r["status"] == "passed" for r in tests), tests


def test_stripped_metadata_does_not_escape_the_write_it_yourself_rule(plain):
    test = next(r for r in read_csv(plain / "tests.csv")
                if r["student_id"] == "stripped" and r["grade_id"] == "test_self_attention")
    assert float(test["score"]) == 0 and "scaled_dot_product_attention" in test["status"], test
    flags = next(r for r in read_csv(plain / "grades.csv") if r["student_id"] == "stripped")["flags"]
    assert flags.startswith("REVIEW") and "lost its nbgrader metadata" in flags


def test_inputs_are_fresh_each_run_and_the_seed_is_recorded(attacked, plain):
    """A table of the outputs for a fixed seed's inputs passes no check; each run has its seed."""
    assert float(_tests(attacked, "table")["test_dot_product_score"]["score"]) == 0
    seeds = []
    for out in (attacked, plain):
        with sqlite3.connect(out / "gradebook.db") as db:
            seeds += [row[0] for row in db.execute("select seed from autograder_runs")]
    assert len(seeds) == 2 and seeds[0] != seeds[1]
    assert json.loads((attacked / "batch.json").read_text())["seed"] == seeds[0]


# --------------------------------------------------------------------------------- resources
def test_zip_extraction_takes_only_notebooks_within_caps(tmp_path):
    archive = tmp_path / "work.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("01a_date_translation.ipynb", "{}")
        zf.writestr("big.bin", b"\0" * 50_000_000)
        zf.writestr("sub/more.ipynb", b"\0" * 30_000_000)
    folder, refused = extract_zip(archive, tmp_path / "x", max_bytes=10_000_000, only=(".ipynb",))
    files = {p.relative_to(folder).as_posix(): p.stat().st_size for p in folder.rglob("*") if p.is_file()}
    assert files == {"01a_date_translation.ipynb": 2}
    assert any("size limit" in r for r in refused)


def test_scratch_folders_are_removed_even_when_a_student_locks_them(attacked):
    leftovers = [p for p in (attacked / "runs").iterdir() if p.is_dir() and p.name not in _grades(attacked)
                 and not (attacked / "runs" / "staged") == p]
    assert not leftovers, leftovers
    assert not (attacked / "work").exists() or not any((attacked / "work").rglob("*.ipynb"))
