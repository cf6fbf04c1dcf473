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


# A released notebook's given code must not hold a line of any solution (the same notebook's or another
# chapter's: the site publishes every chapter at once).  Lines are compared without their comments.
# A line shorter than the site scan's MIN_LEAK_LINE is trivial; so are these, which a task statement
# spells out or which no answer hinges on.
TRIVIAL_SHARED_LINES = {
    "gh, gw = H // patch, W // patch": "the patch grid's size, written in every ViT chapter's docstring",
    "features = self.encoder(images)": "01b's task statement gives this call",
    "hidden = self.init_state(features)": "01b's task statement gives this call",
    "return x + self.mlp(self.norm2(x))": "the ViT block's MLP sub-layer, given since chapter 5; 6a's block ends "
                                          "with it unchanged",
}


def _without_comment(line: str) -> str:
    for i, ch in enumerate(line):
        if ch == "#" and line[:i].count('"') % 2 == 0 and line[:i].count("'") % 2 == 0:
            line = line[:i]
            break
    return " ".join(line.split())


def _solution_lines() -> dict[str, str]:
    from .test_site import MIN_LEAK_LINE, _code_cells, _regions

    lines = {}
    for path in sorted((ROOT / "solutions").rglob("*.ipynb")):
        for source in _code_cells(path):
            for line, inside in _regions(source):
                code = _without_comment(line)
                if inside and len(code) > MIN_LEAK_LINE and code not in TRIVIAL_SHARED_LINES:
                    lines.setdefault(code, path.name)
    return lines


def _repeated_solution_lines(released: list[Path], solution_lines: dict[str, str]) -> list[str]:
    from .test_site import _code_cells

    found = []
    for path in released:
        for source in _code_cells(path):
            for line in source.splitlines():
                code = _without_comment(line)
                if code in solution_lines:
                    found.append(f"{path.relative_to(path.parents[1])}: {code!r} (a line of "
                                 f"{solution_lines[code]}'s solution)")
    return found


def test_given_code_repeats_no_line_of_any_solution(tmp_path):
    lines = _solution_lines()
    assert len(lines) > 100, "too few solution lines found: has the solution marker format changed?"
    released = sorted((ROOT / "assignments").rglob("*.ipynb"))
    found = _repeated_solution_lines(released, lines)
    assert not found, "given code shows a line of a solution:\n" + "\n".join(found)
    # the scan itself can fail: a solution line planted in a copy of a released notebook is found
    planted = tmp_path / "chX" / "planted.ipynb"
    planted.parent.mkdir()
    nb = json.loads(released[0].read_text())
    line = sorted(lines)[0]
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": "    " + line + "  # given", "outputs": [],
                        "execution_count": None})
    planted.write_text(json.dumps(nb))
    assert _repeated_solution_lines([planted], lines), "the scan missed a planted solution line"
