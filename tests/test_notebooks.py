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
