"""`make results-full`: the chapters' full scale as plain Python, for a GPU machine without Jupyter."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import preview_results  # noqa: E402
import run_full  # noqa: E402


@pytest.mark.parametrize("path", run_full.notebooks([], []), ids=lambda p: p.stem)
def test_every_notebook_becomes_a_plain_script_without_hidden_tests(path):
    script = run_full.to_script(path)
    compile(script, str(path), "exec")  # no magics, no IPython syntax
    assert "BEGIN HIDDEN TESTS" not in script and "autograder.checks" not in script
    assert path.stem in run_full.ESTIMATE_MIN, "give the notebook a planning estimate in tools/run_full.py"


def test_dry_run_writes_a_marked_record_and_a_table(tmp_path):
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "run_full.py"), "--dry-run", "--notebook",
                          "02b_cost_and_nonlocal", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=300, env={**__import__("os").environ, "TQDM_DISABLE": "1"})
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    record = json.loads((tmp_path / "ch02_self_attention" / "02b_cost_and_nonlocal-full.json").read_text())
    assert record["scale"] == "full" and record["smoke"] is True and record["metrics"]
    table = out.stdout[out.stdout.rindex("notebook"):]
    assert "ch02_self_attention/02b_cost_and_nonlocal" in table and " ok " in table
    assert f"preview_results.py {tmp_path}" in out.stdout

    # The results pages show the dry run's record in a preview, labelled; the course site's setting leaves it out.
    def text(html):
        return " ".join(re.sub(r"<[^>]+>", " ", html.read_text(encoding="utf-8")).split())

    page = preview_results.build(tmp_path).parent / "ch02_self_attention.html"  # the chapter's results page
    shown = text(page)
    assert "Chapter 2 · Results" in shown and "A preview, not the course site" in shown
    assert "02b_cost_and_nonlocal full (smoke test, two steps: not a result)" in shown
    assert all(name in shown for name in record["metrics"])
    preview_results.build(tmp_path, show_smoke=False)
    left_out = text(page)
    assert "02b_cost_and_nonlocal full (smoke test" not in left_out and "No results recorded yet" in left_out


def test_dry_run_never_writes_into_the_course_results():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "run_full.py"), "--dry-run", "--notebook",
                          "02b_cost_and_nonlocal"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "outside results/" in out.stderr


def test_list_plans_the_run():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "run_full.py"), "--list", "--chapter", "ch04_bert"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0
    assert "2 notebook(s) at full scale, about 9 min" in out.stdout and "04b_pretraining_and_finetuning" in out.stdout
