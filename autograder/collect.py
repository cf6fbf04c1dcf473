"""Read a class's submissions: a folder with one sub-folder per student, or a zip of one.

Nothing here trusts its input: student ids are made safe for paths, zip
entries that point outside their folder are refused, huge or unreadable files
are reported, and every problem becomes a status line instead of an exception.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 50_000_000
MAX_ZIP_BYTES = 2_000_000_000


@dataclass
class Submission:
    student_id: str              # safe for paths and for the gradebook
    original_id: str             # as the folder was named
    folder: Path | None
    notebooks: dict[str, Path] = field(default_factory=dict)  # expected name -> file
    problems: dict[str, str] = field(default_factory=dict)    # expected name -> why it cannot be graded
    flags: list[str] = field(default_factory=list)

    def fingerprint(self) -> str:
        """Changes whenever any submitted notebook changes (for re-run idempotency)."""
        h = hashlib.sha256()
        for name in sorted(self.notebooks):
            h.update(name.encode() + b"\0" + self.notebooks[name].read_bytes())
        for name in sorted(self.problems):
            h.update(f"{name}:{self.problems[name]}".encode())
        return h.hexdigest()


def safe_student_id(name: str) -> str:
    """Letters, digits, '.', '_' and '-' only; anything else becomes '_'.

    A hash suffix keeps two different odd names from colliding.
    """
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name).strip("._-")[:64] or "student"
    if safe != name:
        safe += "-" + hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()[:6]
    return safe


def extract_zip(archive: Path, dest: Path) -> tuple[Path, list[str]]:
    """Extract a zip safely; return (folder, refused entries).

    Entries with absolute paths, '..', or links are refused and reported, never
    written; the total size is bounded.
    """
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    total, refused = 0, []
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = info.filename.replace("\\", "/")
            target = (root / name).resolve()
            if name.startswith("/") or ".." in Path(name).parts or not str(target).startswith(str(root) + "/"):
                refused.append(f"{info.filename!r} points outside its folder")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                refused.append(f"{info.filename!r} is a symbolic link")
                continue
            total += info.file_size
            if total > MAX_ZIP_BYTES:
                refused.append("the rest: the zip expands beyond the size limit")
                break
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    # A zip of one folder holding the student folders: descend into it.
    entries = [p for p in root.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir() and any(p.is_dir() for p in entries[0].iterdir()):
        return entries[0], refused
    return root, refused


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str]:
    """(notebook, "") or (None, why it cannot be read)."""
    try:
        size = path.stat().st_size
    except OSError as err:
        return None, f"cannot read file: {err.strerror}"
    if size == 0:
        return None, "empty file"
    if size > MAX_NOTEBOOK_BYTES:
        return None, f"file too large ({size / 1e6:.0f} MB > {MAX_NOTEBOOK_BYTES / 1e6:.0f} MB)"
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError:
        return None, "not a notebook: binary file"
    except json.JSONDecodeError as err:
        return None, f"not a notebook: invalid JSON ({err.msg} at line {err.lineno})"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as err:
        return None, f"not a valid notebook: {type(err).__name__}: {str(err).splitlines()[0][:120]}"
    return nb, ""


def _grade_ids(nb) -> set[str]:
    return {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def match_notebooks(folder: Path, expected: dict[str, set[str]], scratch: Path | None = None) -> tuple[dict, dict, list]:
    """Find each expected notebook in a student's folder.

    ``expected`` maps a notebook name to its grade cell ids.  An exact file name
    wins; a renamed copy ("Copy of …", "… (1)") is recognised by its cells.
    """
    found, problems, flags = {}, {}, []
    # A student who handed in a zip of their notebooks: look inside it (safely).
    if scratch is not None and not any(folder.rglob("*.ipynb")):
        for i, archive in enumerate(sorted(p for p in folder.glob("*.zip") if p.is_file() and not p.is_symlink())):
            try:
                _, refused = extract_zip(archive, scratch / f"zip{i}")
            except (zipfile.BadZipFile, OSError, ValueError) as err:
                refused = [f"unreadable zip ({err})"]
            flags += [f"{archive.name}: entry {r}; not extracted" for r in refused]
        if (scratch).is_dir():
            folder = scratch
    files = sorted(p for p in folder.rglob("*.ipynb")
                   if p.is_file() and not p.is_symlink() and ".ipynb_checkpoints" not in p.parts)
    readable: dict[Path, object] = {}
    unreadable: dict[Path, str] = {}
    for p in files:
        nb, why = read_notebook(p)
        (readable.__setitem__(p, nb) if nb is not None else unreadable.__setitem__(p, why))
    for name, ids in expected.items():
        exact = [p for p in files if p.name == f"{name}.ipynb"]
        if len(exact) > 1:
            flags.append(f"{name}: {len(exact)} files of that name; graded {exact[0].relative_to(folder)}")
        if exact:
            p = exact[0]
            if p in unreadable:
                problems[name] = unreadable[p]
            else:
                found[name] = p
            continue
        # Renamed: a readable notebook sharing most of this notebook's grade cells.
        candidates = [p for p, nb in readable.items() if p.name[:-6] not in expected
                      and len(_grade_ids(nb) & ids) >= max(1, len(ids) // 2)]
        if candidates:
            found[name] = candidates[0]
            flags.append(f"{name}: graded the renamed file {candidates[0].name}")
            if len(candidates) > 1:
                flags.append(f"{name}: {len(candidates)} renamed copies; graded the first")
        else:
            problems[name] = "missing notebook"
    return found, problems, flags


def collect(submissions: Path, expected: dict[str, set[str]], scratch: Path) -> tuple[list[Submission], list[str]]:
    """All submissions found, and batch-level problems (e.g. a refused zip)."""
    batch_problems: list[str] = []
    if submissions.is_file() and zipfile.is_zipfile(submissions):
        try:
            submissions, refused = extract_zip(submissions, scratch / "unzipped")
        except (zipfile.BadZipFile, OSError) as err:
            return [], [f"zip refused: {err}"]
        batch_problems += [f"zip entry {r}: not extracted" for r in refused]
    elif not submissions.is_dir():
        return [], [f"{submissions} is neither a folder nor a zip file"]
    subs, seen = [], {}
    for folder in sorted(p for p in submissions.iterdir() if not p.name.startswith((".", "__MACOSX"))):
        if folder.is_symlink() or not folder.is_dir():
            batch_problems.append(f"ignored {folder.name!r}: not a student folder")
            continue
        sid = safe_student_id(folder.name)
        if sid in seen:
            batch_problems.append(f"student folders {seen[sid]!r} and {folder.name!r} map to the same id")
            continue
        seen[sid] = folder.name
        found, problems, flags = match_notebooks(folder, expected, scratch / "students" / sid)
        subs.append(Submission(sid, folder.name, folder, found, problems, flags))
    return subs, batch_problems
