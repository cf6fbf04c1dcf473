"""Read a class's submissions: a folder with one sub-folder per student, or a zip of one.

Nothing here trusts its input: student ids are made safe for paths, zip
entries that point outside their folder are refused, huge or unreadable files
are reported, and every problem becomes a status line instead of an exception.
"""
from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

MAX_NOTEBOOK_BYTES = 50_000_000
MAX_CLASS_ZIP_BYTES = 4_000_000_000      # extracted from a class's zip, in all
MAX_STUDENT_BYTES = 200_000_000          # extracted for one student (their part of the class zip, their own zips)
MAX_STUDENT_ARCHIVE_BYTES = 100_000_000  # a zip a student handed in
MAX_ZIP_ENTRIES = 20_000


@dataclass
class Submission:
    student_id: str              # safe for paths and for the gradebook
    original_id: str             # as the folder was named
    folder: Path | None
    notebooks: dict[str, Path] = field(default_factory=dict)  # expected name -> file
    parsed: dict[str, object] = field(default_factory=dict)    # expected name -> notebook, nbgrader metadata sanitised
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


def extract_zip(archive: Path, dest: Path, *, max_bytes: int, only: tuple[str, ...] = (".ipynb",),
                per_folder_bytes: int | None = None) -> tuple[Path, list[str]]:
    """Extract a zip safely; return (folder, refused entries).

    Only entries whose names end in ``only`` are written; entries with absolute paths, '..', or
    links are refused and reported, never written.  The bytes actually written are counted (a
    zip's declared sizes can lie) and stop at ``max_bytes`` in all and, when given, at
    ``per_folder_bytes`` per folder (one student's part of a class zip).
    """
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    total, per_folder, refused = 0, {}, []
    with zipfile.ZipFile(archive) as zf:
        for n, info in enumerate(zf.infolist()):
            name = info.filename.replace("\\", "/")
            if n >= MAX_ZIP_ENTRIES:
                refused.append(f"the rest: more than {MAX_ZIP_ENTRIES} entries")
                break
            if info.is_dir() or not name.lower().endswith(only):
                continue  # only what grading reads is ever written
            target = (root / name).resolve()
            if name.startswith("/") or ".." in Path(name).parts or not str(target).startswith(str(root) + "/"):
                refused.append(f"{info.filename!r} points outside its folder")
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                refused.append(f"{info.filename!r} is a symbolic link")
                continue
            top = str(Path(name).parent)  # one student's folder
            budget = max_bytes - total
            if per_folder_bytes is not None:
                budget = min(budget, per_folder_bytes - per_folder.get(top, 0))
            target.parent.mkdir(parents=True, exist_ok=True)
            written = _copy_capped(zf, info, target, budget)
            if written is None:
                target.unlink(missing_ok=True)
                refused.append(f"{info.filename!r}: over the size limit; not extracted")
                continue
            total += written
            per_folder[top] = per_folder.get(top, 0) + written
    # A zip of one folder holding the student folders: descend into it.
    entries = [p for p in root.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    if len(entries) == 1 and entries[0].is_dir() and any(p.is_dir() for p in entries[0].iterdir()):
        return entries[0], refused
    return root, refused


def _copy_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int) -> int | None:
    """Bytes written, or None when the entry would pass ``budget`` (the file is then incomplete)."""
    if info.file_size > budget:
        return None
    written = 0
    with zf.open(info) as src, open(target, "wb") as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > budget:
                return None
            out.write(chunk)
    return written


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
    except RecursionError:
        return None, "not a notebook: JSON nested too deeply"
    except Exception as err:  # noqa: BLE001 - whatever the file holds, the batch goes on
        return None, f"not a notebook: {type(err).__name__}"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as err:
        return None, f"not a valid notebook: {type(err).__name__}"
    return nb, ""


def nbgrader_meta(cell) -> dict:
    """A cell's nbgrader metadata, or {} when it is missing or malformed."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


_META_TYPES = {"grade_id": str, "solution": bool, "grade": bool, "locked": bool, "task": bool,
               "points": (int, float), "schema_version": int, "cell_type": str, "checksum": str}


def sanitise_nbgrader_metadata(nb) -> list[str]:
    """Remove nbgrader metadata that is not what nbgrader writes (a string where a dict belongs,
    an id that is not a string, …): the cell becomes an ordinary cell, and nbgrader restores the
    graded cells it lost.  Returns one line per cell changed, for the instructor."""
    changed = []
    for i, cell in enumerate(nb.cells):
        meta = cell.get("metadata", {})
        if "nbgrader" not in meta:
            continue
        value = meta["nbgrader"]
        ok = isinstance(value, dict) and all(
            isinstance(value[k], t) and not (t == (int, float) and isinstance(value[k], bool))
            for k, t in _META_TYPES.items() if k in value)
        if not ok:
            del meta["nbgrader"]
            changed.append(f"cell {i}: malformed nbgrader metadata removed")
    return changed


def _grade_ids(nb) -> set[str]:
    return {nbgrader_meta(c).get("grade_id") for c in nb.cells if isinstance(nbgrader_meta(c).get("grade_id"), str)}


def match_notebooks(folder: Path, expected: dict[str, set[str]], scratch: Path | None = None) -> tuple[dict, dict, list, dict]:
    """Find each expected notebook in a student's folder; returns (found paths, problems, flags, the
    found notebooks as read).

    ``expected`` maps a notebook name to its grade cell ids.  An exact file name
    wins; a renamed copy ("Copy of …", "… (1)") is recognised by its cells.
    """
    found, problems, flags = {}, {}, []
    # A student who handed in a zip of their notebooks: look inside it (safely, within caps).
    if scratch is not None and not any(folder.rglob("*.ipynb")):
        budget = MAX_STUDENT_BYTES
        for i, archive in enumerate(sorted(p for p in folder.glob("*.zip") if p.is_file() and not p.is_symlink())):
            if archive.stat().st_size > MAX_STUDENT_ARCHIVE_BYTES:
                flags.append(f"{archive.name}: larger than {MAX_STUDENT_ARCHIVE_BYTES // 10**6} MB; not opened")
                continue
            try:
                _, refused = extract_zip(archive, scratch / f"zip{i}", max_bytes=budget)
            except Exception as err:  # noqa: BLE001 - a broken zip is that student's problem only
                refused = [f"unreadable zip ({type(err).__name__})"]
            budget -= sum(p.stat().st_size for p in (scratch / f"zip{i}").rglob("*") if p.is_file()) \
                if (scratch / f"zip{i}").is_dir() else 0
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
    return found, problems, flags, {name: readable[path] for name, path in found.items()}


def collect(submissions: Path, expected: dict[str, set[str]], scratch: Path) -> tuple[list[Submission], list[str]]:
    """All submissions found, and batch-level problems (e.g. a refused zip)."""
    batch_problems: list[str] = []
    if submissions.is_file() and zipfile.is_zipfile(submissions):
        try:
            submissions, refused = extract_zip(submissions, scratch / "unzipped", max_bytes=MAX_CLASS_ZIP_BYTES,
                                               only=(".ipynb", ".zip"), per_folder_bytes=MAX_STUDENT_BYTES)
        except Exception as err:  # noqa: BLE001
            return [], [f"zip refused: {type(err).__name__}"]
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
        found, problems, flags, parsed = match_notebooks(folder, expected, scratch / "students" / sid)
        for name, nb in parsed.items():  # read once, by match_notebooks
            flags += [f"{name}: {c}" for c in sanitise_nbgrader_metadata(nb)]
        subs.append(Submission(sid, folder.name, folder, notebooks=found, parsed=parsed, problems=problems, flags=flags))
    return subs, batch_problems
