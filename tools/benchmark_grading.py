"""Time the grading command against plain, serial ``nbgrader autograde`` on the same class.

    python tools/benchmark_grading.py [--students 40] [--workers N] [--chapter ch01_attention]

The class is generated: a third correct, a third buggy (a plausible mistake in
one function), a third empty (the released stub).  Both graders start from
scratch (no gradebook), so each pays its own set-up.  Prints both wall times,
their ratio, and whether the two gave every student the same score (they must:
the same class, graded twice); exits 1 when they did not.
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.submissions import fill, released, write_student  # noqa: E402

BUGS = {"01a_date_translation": {"masked_softmax": "def masked_softmax(scores, mask):\n"
                                                   "    return torch.softmax(scores, dim=-1) * mask\n"}}


def make_class(chapter: str, n: int, folder: Path) -> None:
    notebooks = sorted(p.stem for p in (ROOT / "solutions" / chapter).glob("*.ipynb"))
    for i in range(n):
        kind = ("correct", "buggy", "empty")[i % 3]
        nbs = {}
        for nb in notebooks:
            if kind == "empty":
                nbs[nb] = released(chapter, nb)
            else:
                nbs[nb] = fill(chapter, nb, BUGS.get(nb, {}) if kind == "buggy" else {})
        write_student(folder, f"{kind}{i:03d}", nbs)


def time_ours(chapter: str, subs: Path, out: Path, workers: int, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", chapter, str(subs), "--out", str(out),
                    "--workers", str(workers)], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def time_plain_nbgrader(chapter: str, subs: Path, course: Path, env: dict) -> float:
    shutil.copytree(ROOT / "solutions" / chapter, course / "source" / chapter)
    for student in subs.iterdir():
        shutil.copytree(student, course / "submitted" / student.name / chapter)
    nbgrader = str(Path(sys.executable).parent / "nbgrader")
    common = [f"--CourseDirectory.root={course}", f"--CourseDirectory.db_url=sqlite:///{course}/gradebook.db"]
    start = time.perf_counter()
    subprocess.run([nbgrader, "generate_assignment", chapter, "--force", *common], cwd=course, env=env,
                   check=True, capture_output=True)
    subprocess.run([nbgrader, "autograde", chapter, "--force", *common], cwd=course, env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - start


def scores_ours(out: Path) -> dict[str, float]:
    with open(out / "grades.csv", newline="") as f:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}


def scores_plain(chapter: str, course: Path, students: list[str]) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course}/gradebook.db") as gb:
        return {sid: float(gb.find_submission(chapter, sid).score) for sid in students}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--students", type=int, default=40)
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    p.add_argument("--chapter", default="ch01_attention")
    a = p.parse_args()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT),
           "TQDM_DISABLE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_class(a.chapter, a.students, tmp / "subs")
        ours = time_ours(a.chapter, tmp / "subs", tmp / "ours", a.workers, env)
        plain = time_plain_nbgrader(a.chapter, tmp / "subs", tmp / "plain", env)
        mine = scores_ours(tmp / "ours")
        theirs = scores_plain(a.chapter, tmp / "plain", sorted(mine))
    print(f"class: {a.students} submissions of {a.chapter} (correct / buggy / empty), {os.cpu_count()} cores")
    print(f"grading command (sandboxed, {a.workers} workers): {ours:7.1f} s")
    print(f"plain serial nbgrader autograde (no sandbox):  {plain:7.1f} s")
    print(f"speed-up: {plain / ours:.2f}x")
    differ = {sid: (mine[sid], theirs[sid]) for sid in mine if abs(mine[sid] - theirs[sid]) > 1e-9}
    print(f"same scores: {'yes' if not differ else 'NO'} ({len(mine) - len(differ)} of {len(mine)} students)")
    for sid, (m, t) in sorted(differ.items()):
        print(f"  {sid}: grading command {m:g}, plain nbgrader {t:g}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
