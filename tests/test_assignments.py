"""assignments/ is exactly what nbgrader generates from solutions/, and leaks nothing."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

CHAPTERS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name.startswith("ch"))
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "autograder")


def _normalised(path: Path) -> dict:
    nb = json.loads(path.read_text())
    return {"cells": [{k: c.get(k) for k in ("cell_type", "source", "metadata")} for c in nb["cells"]],
            "metadata": nb.get("metadata")}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_assignments_in_sync_with_solutions(chapter, tmp_path, env):
    shutil.copytree(ROOT / "solutions" / chapter, tmp_path / "source" / chapter)
    cmd = [str(Path(sys.executable).parent / "nbgrader"), "generate_assignment", chapter, "--force",
           f"--CourseDirectory.root={tmp_path}", "--CourseDirectory.source_directory=source",
           "--CourseDirectory.release_directory=release", f"--CourseDirectory.db_url=sqlite:///{tmp_path}/gb.db"]
    result = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    generated = sorted((tmp_path / "release" / chapter).glob("*.ipynb"))
    committed = sorted((ROOT / "assignments" / chapter).glob("*.ipynb"))
    assert [p.name for p in generated] == [p.name for p in committed], "run `make assignments` and commit"
    for new, old in zip(generated, committed):
        assert _normalised(new) == _normalised(old), f"{old.relative_to(ROOT)} is stale: run `make assignments`"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_released_notebooks_carry_no_solution_or_hidden_test(chapter):
    for path in (ROOT / "assignments" / chapter).glob("*.ipynb"):
        text = path.read_text()
        for marker in LEAK_MARKERS:
            assert marker not in text, f"{path.name} contains {marker!r}"
        nb = json.loads(text)
        assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code"), "released with outputs"
        stubs = [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")]
        assert stubs and all("raise NotImplementedError" in "".join(c["source"]) for c in stubs)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_notebooks_install_the_helper_package_where_it_is_missing(chapter):
    """On Colab the first code cell installs attncourse from the repository the site's Colab buttons use."""
    import yaml

    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]
    for path in (ROOT / "assignments" / chapter).glob("*.ipynb"):
        first = next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")
        source = "".join(first["source"])
        assert "except ImportError:" in source and f"install -q git+{url}" in source, \
            f"{path.name}: the first code cell must install attncourse from {url} when it is missing"
