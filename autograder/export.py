"""``python -m autograder export DIR --format canvas|moodle --roster ROSTER.csv``

Turns ``DIR/grades.csv`` into a file the learning-management system's
gradebook imports as it is.  The roster maps the submission ids to the LMS's
identifiers; its columns are ``student_id`` (the submission folder name) and
``name``, ``lms_id`` (Canvas's user ID), ``sis_user_id``, ``login_id``,
``section``, ``email``, ``idnumber`` as the format needs.

Layouts:

* **canvas**: the Gradebook import layout: ``Student, ID, SIS User ID, SIS
  Login ID, Section`` then one column per assignment, and a ``Points
  Possible`` row under the header.  A blank cell leaves the grade unchanged.
* **moodle**: the CSV grade import: an identity column (``Email address``,
  or ``ID number``) to map in "Identify user by", ``Full name``, the grade
  column and a feedback column to map to the grade item.

Students graded but missing from the roster, and roster students with no
submission, are reported on stderr and in ``DIR/export-<format>-problems.txt``;
nobody is dropped silently (roster students without a submission get a blank).
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import safe_csv

NEEDS = {"canvas": ("name", "lms_id"), "moodle": ("email|idnumber",)}


def _read(path: Path) -> list[dict]:
    return safe_csv.read(path)


def _missing_columns(fmt: str, header: list[str]) -> list[str]:
    missing = [] if "student_id" in header else ["student_id"]
    for need in NEEDS[fmt]:
        if not any(alt in header for alt in need.split("|")):
            missing.append(need.replace("|", " or "))
    return missing


def export(out: Path, fmt: str, roster_path: Path) -> int:
    grades_path = out / "grades.csv"
    if not grades_path.is_file():
        print(f"error: {grades_path} not found: run `python -m autograder grade` first", file=sys.stderr)
        return 2
    roster = _read(roster_path)
    header = list(roster[0]) if roster else []
    missing = _missing_columns(fmt, header)
    if missing:
        print(f"error: the roster {roster_path} lacks the column(s) {', '.join(missing)} needed for {fmt}",
              file=sys.stderr)
        return 2
    grades = _read(grades_path)
    ids = {r["student_id"]: r["submitted_as"] for r in _read(out / "student_ids.csv")} \
        if (out / "student_ids.csv").is_file() else {}
    batch = (out / "batch.json")
    assignment = __import__("json").loads(batch.read_text())["assignment"] if batch.is_file() else "assignment"
    by_submission = {}
    for g in grades:
        by_submission[g["student_id"]] = g
        by_submission.setdefault(ids.get(g["student_id"], g["student_id"]), g)
    max_score = max((float(g["max_score"]) for g in grades), default=0.0)

    problems, used = [], set()
    rows = []
    for person in roster:
        grade = by_submission.get(person["student_id"])
        if grade is None:
            problems.append(f"{person['student_id']} ({person.get('name', '')}): on the roster, no submission "
                            "(exported blank)")
        else:
            used.add(grade["student_id"])
        rows.append((person, grade))
    for g in grades:
        if g["student_id"] not in used:
            problems.append(f"{ids.get(g['student_id'], g['student_id'])}: graded ({g['score']}/{g['max_score']}) "
                            "but not on the roster (not exported)")

    target = out / f"export-{fmt}.csv"
    if fmt == "canvas":
        header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", assignment]
        table = [["    Points Possible", "", "", "", "", f"{max_score:g}"]]
        table += [[person.get("name", ""), person.get("lms_id", ""), person.get("sis_user_id", ""),
                   person.get("login_id", ""), person.get("section", ""),
                   "" if grade is None else f"{float(grade['score']):g}"] for person, grade in rows]
    else:
        header = ["Email address", "ID number", "Full name", assignment, f"{assignment} (feedback)"]
        table = [[person.get("email", ""), person.get("idnumber") or person.get("sis_user_id", ""),
                  person.get("name", ""), "" if grade is None else f"{float(grade['score']):g}",
                  "" if grade is None else grade["status"]] for person, grade in rows]
    safe_csv.write(target, header, table)
    (out / f"export-{fmt}-problems.txt").write_text("".join(p + "\n" for p in problems))
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    print(f"wrote {target} ({len(rows)} roster rows, {len(problems)} problem(s))")
    return 0
