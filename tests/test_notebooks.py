"""Every solution notebook runs end to end at the small scale, on time, and meets its targets."""
from __future__ import annotations

import json
import os
import time

import nbformat
import pytest
from nbclient import NotebookClient

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "solutions").glob("ch*/*.ipynb"))
SMALL_SCALE_BUDGET_S = 180  # per notebook on 2 cores, as promised to students


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_solution_runs_and_meets_small_targets(path, tmp_path, monkeypatch):
    monkeypatch.setenv("ATTNCOURSE_RESULTS", str(tmp_path))
    monkeypatch.setenv("ATTNCOURSE_SCALE", "small")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    monkeypatch.setenv("TQDM_DISABLE", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    nb = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=SMALL_SCALE_BUDGET_S, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.perf_counter() - started
    assert seconds <= SMALL_SCALE_BUDGET_S * (os.cpu_count() or 2) / 2
    record = json.loads((tmp_path / path.parent.name / f"{path.stem}-small.json").read_text())
    assert record["targets"], "the notebook must state its targets"
    for metric, target in record["targets"].items():
        assert record["metrics"][metric] >= target, f"{metric} = {record['metrics'][metric]} < target {target}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_small_results_exist_and_meet_targets(path):
    record_path = ROOT / "results" / path.parent.name / f"{path.stem}-small.json"
    assert record_path.is_file(), f"run `make results` and commit {record_path.relative_to(ROOT)}"
    record = json.loads(record_path.read_text())
    for key in ("metrics", "targets", "wall_time_s", "device", "scale", "commit"):
        assert key in record
    assert record["scale"] == "small"
    for metric, target in record["targets"].items():
        assert record["metrics"][metric] >= target
