"""The one CSV writer of the grader: every CSV it writes goes through :func:`write`.

A spreadsheet reads a cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) as a formula.  Student ids, folder names, statuses and roster names reach our
CSVs, so such a cell is neutralised as OWASP's CSV-injection advice says: prefixed with a single
quote, which spreadsheets show as text.  Numbers are written as numbers.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> object:
    """A value safe to put in a CSV cell (numbers untouched, formula-like text quoted)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write(path: Path, header: list[str], rows: list[list]) -> None:
    """Write atomically: a reader never sees half a file, an interrupted run leaves the old one."""
    path = Path(path)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([cell(h) for h in header])
        writer.writerows([cell(v) for v in row] for row in rows)
    os.replace(tmp, path)


def read(path: Path) -> list[dict]:
    """Rows of a CSV written by :func:`write` (or by a spreadsheet), with the neutralising quote removed."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [{k: _unquote(v) for k, v in row.items()} for row in csv.DictReader(f)]


def _unquote(value):
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value
