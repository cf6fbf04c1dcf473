"""The full configurations, smoke-tested on a CPU.

A chapter's `full` scale runs on a GPU, which the suite never has.  Here its notebooks run with
ATTNCOURSE_SCALE=full and ATTNCOURSE_SMOKE=1: the full models, data and evaluation code, but every
training loop stops after two steps (``attncourse.train.fit``) and nothing is recorded
(``attncourse.results.Run``).  A full configuration that cannot even start (a shape that only the
larger model has, a data set that does not build, a name used only at full scale) fails here, not
on the GPU.  Chapters list their notebooks as their full configuration is written.
"""
from __future__ import annotations

import pytest

from .conftest import ROOT

SMOKE_NOTEBOOKS = [
    "ch04_bert/04a_wordpiece_and_pairs.ipynb",
    "ch04_bert/04b_pretraining_and_finetuning.ipynb",
]


@pytest.mark.parametrize("name", SMOKE_NOTEBOOKS, ids=[n.split("/")[1].removesuffix(".ipynb") for n in SMOKE_NOTEBOOKS])
def test_full_configuration_runs_two_steps(name, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "solutions" / name
    monkeypatch.setenv("ATTNCOURSE_SCALE", "full")
    monkeypatch.setenv("ATTNCOURSE_SMOKE", "1")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "scale=full" in printed, "the notebook did not run at full scale"
    assert "smoke test of the full configuration" in printed, "the notebook never reached Run.save"
