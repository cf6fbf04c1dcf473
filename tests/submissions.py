"""Build student submissions for tests: the released notebook, filled in.

``fill(chapter, notebook, {grade_id: source})`` starts from the released
student version in assignments/ (what a student downloads), puts the
reference solution into every solution cell, then applies the replacements.
"""
from __future__ import annotations

import copy
import re
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_BLOCK = re.compile(r"^[ \t]*### BEGIN SOLUTION[ \t]*\n(.*?)^[ \t]*### END SOLUTION[ \t]*\n?", re.S | re.M)


def reference_code(chapter: str, notebook: str) -> dict[str, str]:
    """grade_id -> the solution cell's source with the solution markers removed."""
    nb = nbformat.read(ROOT / "solutions" / chapter / f"{notebook}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: SOLUTION_BLOCK.sub(lambda m: m.group(1), c.source)
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")}


def released(chapter: str, notebook: str):
    return nbformat.read(ROOT / "assignments" / chapter / f"{notebook}.ipynb", as_version=4)


def fill(chapter: str, notebook: str, replacements: dict[str, str] | None = None, *, solve: bool = True):
    nb = copy.deepcopy(released(chapter, notebook))
    code = reference_code(chapter, notebook) if solve else {}
    code.update(replacements or {})
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in code and cell.metadata["nbgrader"].get("solution"):
            cell.source = code[gid]
    return nb


def write_student(folder: Path, student: str, notebooks: dict[str, object]) -> Path:
    d = folder / student
    d.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        if isinstance(nb, (bytes, str)):
            (d / f"{name}.ipynb").write_bytes(nb if isinstance(nb, bytes) else nb.encode())
        else:
            nbformat.write(nb, d / f"{name}.ipynb")
    return d
