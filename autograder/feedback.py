"""Per-student feedback: one self-contained HTML page per notebook.

It shows every test with its points and what the check found, and the
student's own code of each graded task.  It is built from the gradebook and
the trusted verdicts, never from the hidden tests: no hidden source, no
expected value, no output of the student's cells (which could print anything
the kernel could read).
"""
from __future__ import annotations

import html
import json
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from .collect import nbgrader_meta

STYLE = """
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;margin:1rem 0}td,th{border:1px solid #ccc;padding:.35rem .5rem;text-align:left;vertical-align:top}
.pass{color:#17622e;font-weight:600}.fail{color:#a11;font-weight:600}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;font-size:.85rem}h2{margin-top:2rem}
"""


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{body}</body></html>\n")


def write(grader, sub) -> None:
    """Write DIR/feedback/<student>/<notebook>.html for every expected notebook."""
    folder = grader.out / "feedback" / sub.student_id
    folder.mkdir(parents=True, exist_ok=True)
    with Gradebook(grader.db_url) as gb:
        for name in grader.notebooks:
            (folder / f"{name}.html").write_text(_notebook_page(grader, gb, sub, name))


def _notebook_page(grader, gb, sub, name: str) -> str:
    source = nbformat.read(grader.source / f"{name}.ipynb", as_version=4)
    try:
        verdicts = json.loads((grader.runs / sub.student_id / name / "verdicts.json").read_text())
    except (OSError, ValueError):
        verdicts = {}
    try:
        nb_grades = {g.name: g for g in gb.find_submission_notebook(name, grader.assignment, sub.student_id).grades}
    except MissingEntry:
        nb_grades = {}
    submitted = sub.parsed.get(name)  # read and sanitised once, by collect
    theirs = {}
    for cell in (submitted.cells if submitted else []):
        gid = nbgrader_meta(cell).get("grade_id")
        if isinstance(gid, str) and isinstance(cell.get("source"), str):
            theirs[gid] = cell.source

    rows, total, max_total = [], 0.0, 0.0
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        gid, points = meta["grade_id"], float(meta.get("points", 0))
        grade = nb_grades.get(gid)
        score = float(grade.score) if grade is not None and grade.score is not None else 0.0
        total, max_total = total + score, max_total + points
        verdict = verdicts.get(gid)
        if verdict is None:
            result, message = "fail", (sub.problems.get(name) or "not run")
        else:
            result, message = ("pass" if verdict["passed"] else "fail"), verdict["message"]
        rows.append(f"<tr><td>{html.escape(gid)}</td><td>{score:g} / {points:g}</td>"
                    f"<td class='{result}'>{'passed' if result == 'pass' else 'failed'}</td>"
                    f"<td>{html.escape(message)}</td></tr>")
    code = []
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            gid = meta["grade_id"]
            text = theirs.get(gid, "(this cell is missing from your notebook)")
            code.append(f"<h3>{html.escape(gid)}</h3><pre>{html.escape(text)}</pre>")
    head = (f"<h1>{html.escape(name)}</h1><p>Student <b>{html.escape(sub.student_id)}</b> · assignment "
            f"{html.escape(grader.assignment)} · score <b>{total:g} / {max_total:g}</b></p>")
    if name in sub.problems:
        head += f"<p class='fail'>This notebook could not be graded: {html.escape(sub.problems[name])}</p>"
    table = ("<h2>Tests</h2><table><tr><th>test</th><th>points</th><th>result</th><th>what the check found</th></tr>"
             + "".join(rows) + "</table>")
    return _page(f"{name} — feedback", head + table + "<h2>Your code</h2>" + "".join(code))
