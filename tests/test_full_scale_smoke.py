"""The full configurations, smoke-tested on a CPU.

A chapter's `full` scale runs on a GPU, which the suite never has.  Here its notebooks run as
`make results-full --dry-run` runs them (plain Python scripts, ATTNCOURSE_SCALE=full and
ATTNCOURSE_SMOKE=1): the full models, data and evaluation code, but every training loop stops after
two steps (``attncourse.train.fit``) and the records go to a scratch folder, marked as smoke tests
(``attncourse.results.Run``).  A full configuration that cannot even start (a shape that only the
larger model has, a data set that does not build, a name used only at full scale) fails here, not
on the GPU.  Sizes that would only make it slow on a CPU (batch size, number of examples, evaluation
sets) take the notebooks' ``pick(..., smoke=...)`` values; the models are the full ones.  The GPU-only
paths (bf16 autocast, ``torch.compile``) cannot run here.
"""
from __future__ import annotations

import json
import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import run_full  # noqa: E402

SMOKE_NOTEBOOKS = sorted(str(p.relative_to(ROOT / "solutions")) for p in (ROOT / "solutions").glob("ch*/*.ipynb"))


@pytest.mark.parametrize("name", SMOKE_NOTEBOOKS, ids=[n.split("/")[1].removesuffix(".ipynb") for n in SMOKE_NOTEBOOKS])
def test_full_configuration_runs_two_steps(name, tmp_path, capfd):
    """Exactly what `make results-full` runs on a GPU machine (tools/run_full.py: the notebook's code
    cells as a plain script, hidden tests left out), with --dry-run."""
    path = ROOT / "solutions" / name
    status, _ = run_full.run(path, out=tmp_path, dry_run=True, timeout=300)
    printed = capfd.readouterr().out
    assert status == "ok", printed[-3000:]
    assert "scale=full" in printed, "the notebook did not run at full scale"
    record = json.loads((tmp_path / path.parent.name / f"{path.stem}-full.json").read_text())
    assert record["smoke"] is True and record["metrics"], "the notebook never reached Run.save"


@pytest.mark.parametrize("env, expected", [
    ({"ATTNCOURSE_SCALE": "small"}, "small"),
    ({"ATTNCOURSE_SCALE": "full"}, "full"),
    ({"ATTNCOURSE_SCALE": "full", "ATTNCOURSE_SMOKE": "1"}, "smoke"),
    ({"ATTNCOURSE_SCALE": "small", "ATTNCOURSE_SMOKE": "1"}, "small"),  # smoke changes only the full scale
    ({"ATTNCOURSE_SCALE": "full", "ATTNCOURSE_SMOKE": "1", "NBGRADER_EXECUTION": "autograde"}, "grading"),
])
def test_pick_and_fit_under_the_smoke_test(env, expected):
    """pick() takes `smoke` only in a smoke test of the full scale; fit() then stops after two steps."""
    import os
    import subprocess
    import sys

    code = (
        "import torch\n"
        "from torch.utils.data import DataLoader, TensorDataset\n"
        "from attncourse import pick\n"
        "from attncourse.train import fit\n"
        "print(pick(small='small', full='full', grading='grading', smoke='smoke'))\n"
        "class M(torch.nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__(); self.w = torch.nn.Linear(1, 1); self.calls = 0\n"
        "    def forward(self, x):\n"
        "        self.calls += 1; return None, self.w(x).pow(2).mean()\n"
        "m = M()\n"
        "fit(m, DataLoader(TensorDataset(torch.ones(10, 1)), batch_size=1), epochs=3)\n"
        "print(m.calls)\n")
    clean = {k: v for k, v in os.environ.items() if k not in ("ATTNCOURSE_SMOKE", "NBGRADER_EXECUTION")}
    out = subprocess.run([sys.executable, "-c", code], env=clean | env | {"TQDM_DISABLE": "1"}, capture_output=True,
                         text=True, cwd=ROOT, timeout=120, check=True).stdout.split()
    assert out[0] == expected
    smoke = env.get("ATTNCOURSE_SMOKE") == "1" and env["ATTNCOURSE_SCALE"] == "full"
    assert int(out[1]) == (2 if smoke else 30), out
