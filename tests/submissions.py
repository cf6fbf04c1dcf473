"""Build student submissions for tests: the released notebook, filled in.

``fill(chapter, notebook, {grade_id: source})`` starts from the released
student version in assignments/ (what a student downloads), puts the
reference solution into every solution cell, then applies the replacements.
``apply_edit`` turns a bank ``.edit`` file (a mistake written as a small change of
the reference solution) into the cell source a student would hand in.
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


class EditError(ValueError):
    """A bank edit no longer fits the reference solution (its "-" lines are gone or ambiguous)."""


def apply_edit(reference: str, edit: str) -> str:
    """Apply a bank edit to a reference cell.

    The edit's lines after its ``#`` header are hunks: a run of ``- old`` lines, then a run of
    ``+ new`` lines.  The old lines must stand, together and exactly once, in the reference; they
    are replaced by the new ones.  A ``-``/``+`` is followed by one space, then the line as written.
    """
    lines = reference.splitlines()
    hunks, old, new = [], [], []
    for raw in edit.splitlines():
        if raw.startswith("#") and not old and not new and not hunks:
            continue  # the header: diagnosis and comments
        tag, text = raw[:1], raw[2:]
        if tag == "-" and new:
            hunks.append((old, new))
            old, new = [], []
        if tag == "-":
            old.append(text)
        elif tag == "+":
            new.append(text)
        elif raw.strip():
            raise EditError(f"a line of an edit starts with '-' or '+': {raw!r}")
    if old or new:
        hunks.append((old, new))
    for old, new in hunks:
        if not old:
            raise EditError(f"a hunk replaces nothing: {new!r}")
        at = [i for i in range(len(lines) - len(old) + 1) if lines[i:i + len(old)] == old]
        if len(at) != 1:
            raise EditError(f"{old[0]!r} stands {len(at)} times in the reference, not once")
        lines[at[0]:at[0] + len(old)] = new
    return "\n".join(lines) + ("\n" if reference.endswith("\n") else "")


def bank_source(path: Path) -> str:
    """The solution-cell source of a bank snippet (``.py``: as written; ``.edit``: the reference, edited)."""
    text = path.read_text()
    if path.suffix == ".edit":
        chapter, notebook, grade_id = path.parts[-4:-1]
        return apply_edit(reference_code(chapter, notebook)[grade_id], text)
    return text
