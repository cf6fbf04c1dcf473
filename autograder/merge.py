"""``python -m autograder merge OUT SHARD_DIR...``: one class's results from the shards that graded it.

A class too large for one machine is graded in shards (``grade ... --shard K/N``, one per array
task of a cluster scheduler), each into its own ``--out`` folder.  This joins them into what a
single run would have written: the gradebook (every grade and comment, so the formgrader sees the
whole class), ``grades.csv``, ``tests.csv``, ``student_ids.csv``, the feedback pages, the sandbox
results, the autograded notebooks and ``report.html``.  It refuses shards of different
assignments, and a student graded by two shards.
"""
from __future__ import annotations

import json
import shutil
import sqlite3
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from . import report, safe_csv

TABLES = {"grades.csv": ["student_id", "score", "max_score", "status", "flags"],
          "tests.csv": ["student_id", "notebook", "grade_id", "score", "max_score", "status"],
          "student_ids.csv": ["student_id", "submitted_as"]}
FOLDERS = ("feedback", "runs", "state", "nbgrader/autograded", "nbgrader/submitted")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def merge(out: Path, shards: list[Path]) -> int:
    batches = []
    for shard in shards:
        try:
            batches.append(json.loads((shard / "batch.json").read_text()))
        except (OSError, ValueError):
            return _fail(f"{shard} is not the --out folder of a finished grading run (no batch.json)")
    assignments = {b["assignment"] for b in batches}
    if len(assignments) != 1:
        return _fail(f"the shards grade different assignments: {', '.join(sorted(assignments))}")
    assignment = assignments.pop()
    owner: dict[str, Path] = {}
    for shard in shards:
        for row in safe_csv.read(shard / "grades.csv"):
            if row["student_id"] in owner:
                return _fail(f"{row['student_id']} was graded by both {owner[row['student_id']]} and {shard}")
            owner[row["student_id"]] = shard
    if out.exists() and any(out.iterdir()):
        return _fail(f"{out} is not empty")
    out.mkdir(parents=True, exist_ok=True)

    from .grade import Grader
    from .sandbox import Limits

    Grader(assignment, out.resolve(), limits=Limits(), sandbox=False, workers=1, seed=batches[0]["seed"]
           ).prepare_gradebook()  # the assignment's structure, exactly as a grading run records it
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as merged:
        for shard in shards:
            _copy_grades(shard, merged, assignment)
    with sqlite3.connect(out / "gradebook.db") as db:
        db.execute("create table if not exists autograder_runs (started text, assignment text, seed integer)")
        for shard in shards:
            with sqlite3.connect(shard / "gradebook.db") as src:
                db.executemany("insert into autograder_runs values (?, ?, ?)",
                               src.execute("select started, assignment, seed from autograder_runs").fetchall())

    for name, header in TABLES.items():
        rows = [[r[h] for h in header] for shard in shards if (shard / name).is_file()
                for r in safe_csv.read(shard / name)]
        safe_csv.write(out / name, header, sorted(rows, key=lambda r: r[0]))
    for folder in FOLDERS:
        for shard in shards:
            if (shard / folder).is_dir():
                shutil.copytree(shard / folder, out / folder, symlinks=True, dirs_exist_ok=True)
    seconds = {}
    for path in (out / "state").glob("*.json"):
        try:
            outcome = json.loads(path.read_text())["outcome"]
            seconds[outcome["student_id"]] = outcome["seconds"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
    (out / "batch.json").write_text(json.dumps({
        "assignment": assignment, "students": len(owner), "seed": batches[0]["seed"],
        "seeds": [b["seed"] for b in batches], "problems": [p for b in batches for p in b.get("problems", [])],
        "merged_from": [str(s) for s in shards]}, indent=1))
    report.write(out, assignment, seconds)
    print(f"merged {len(shards)} shards, {len(owner)} submissions of {assignment}: {out / 'grades.csv'}")
    return 0


def _copy_grades(shard: Path, merged: Gradebook, assignment: str) -> None:
    with Gradebook(f"sqlite:///{shard / 'gradebook.db'}") as gb:
        for submission in gb.find_assignment(assignment).submissions:
            sid = submission.student.id
            merged.update_or_create_student(sid)
            merged.add_submission(assignment, sid, timestamp=submission.timestamp)
            for nb in submission.notebooks:
                for grade in nb.grades:
                    mine = merged.find_grade(grade.name, nb.name, assignment, sid)
                    mine.auto_score, mine.manual_score = grade.auto_score, grade.manual_score
                    mine.extra_credit, mine.needs_manual_grade = grade.extra_credit, grade.needs_manual_grade
                for comment in nb.comments:
                    mine = merged.find_comment(comment.name, nb.name, assignment, sid)
                    mine.auto_comment, mine.manual_comment = comment.auto_comment, comment.manual_comment
    merged.db.commit()
