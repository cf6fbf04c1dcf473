"""The solution notebooks themselves run under nbval (``pytest --nbval-lax``, see pyproject.toml and
conftest.py): each one asserts its own small-scale targets.  Here: the committed records."""
from __future__ import annotations

import json

import pytest

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "solutions").glob("ch*/*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_small_results_exist_and_meet_targets(path):
    record_path = ROOT / "results" / path.parent.name / f"{path.stem}-small.json"
    assert record_path.is_file(), f"run `make results` and commit {record_path.relative_to(ROOT)}"
    record = json.loads(record_path.read_text())
    for key in ("metrics", "targets", "wall_time_s", "device", "scale", "commit"):
        assert key in record
    assert record["scale"] == "small"
    assert record["targets"], "the notebook must state its targets"
    for metric, target in record["targets"].items():
        assert record["metrics"][metric] >= target


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_records_its_results_with_targets(path):
    """nbval only fails a cell that raises: every notebook must reach Run.save with targets."""
    cells = json.loads(path.read_text())["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert ".save(metrics, targets=targets)" in source, f"{path.name} never saves its record with targets"


def test_a_students_run_leaves_the_recorded_results_untouched(tmp_path, monkeypatch):
    """A notebook run as a student runs it writes to my_results/, prints its run beside the
    recorded reference, and never touches results/ (only `make results` records there)."""
    import os
    import subprocess
    import sys

    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "solutions" / "ch02_self_attention" / "02b_cost_and_nonlocal.ipynb"  # the shortest run
    committed = {p: p.read_bytes() for p in (ROOT / "results").rglob("*") if p.is_file()}
    mine = ROOT / "my_results" / "ch02_self_attention" / "02b_cost_and_nonlocal-small.json"
    mine.unlink(missing_ok=True)
    monkeypatch.delenv("ATTNCOURSE_RESULTS", raising=False)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    assert {p: p.read_bytes() for p in (ROOT / "results").rglob("*") if p.is_file()} == committed
    assert json.loads(mine.read_text())["notebook"] == "02b_cost_and_nonlocal"
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Your run beside the recorded reference" in printed and "beacon_accuracy_non_local" in printed
    status = subprocess.run(["git", "status", "--porcelain", "--", "results", "my_results"], cwd=ROOT,
                            capture_output=True, text=True).stdout
    assert status == "", f"a student's run shows up in git: {status}"
