"""``python -m autograder grade ASSIGNMENT SUBMISSIONS --out DIR``

Grades a class on top of nbgrader: nbgrader's gradebook (``DIR/gradebook.db``,
usable from the formgrader), its cell restoring and its scoring; the course's
sandbox for execution, run in parallel; the course's trusted checks for the
verdicts.  Writes ``DIR/grades.csv``, ``DIR/tests.csv`` and
``DIR/feedback/<student_id>/<notebook>.html``.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import secrets
import shutil
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde, GenerateAssignment
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config
from tqdm import tqdm

from . import feedback, report, safe_csv
from .checks.core import checks_called, write_inputs
from .collect import Submission, collect, nbgrader_meta
from .preprocessors import status_line
from .sandbox import REPO, Limits, kill_all, prepare_matplotlib_cache, remove_tree, reserve_uids, run_notebook

log = logging.getLogger("autograder")
SOLUTIONS = REPO / "solutions"


@dataclass
class Outcome:
    student_id: str
    status: str = "graded"
    problems: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Grader:
    def __init__(self, assignment: str, out: Path, *, limits: Limits, sandbox: bool, workers: int, seed: int):
        self.assignment, self.out, self.limits, self.sandbox, self.workers = assignment, out, limits, sandbox, workers
        self.seed = seed                      # the checks' inputs of this run (fresh each run, recorded)
        self.shard: tuple[int, int] | None = None  # (index, count) when this run grades one shard of a class
        self.work = out / "nbgrader"          # nbgrader's course root (source/, submitted/, autograded/)
        self.runs = out / "runs"              # sandbox results per student and notebook
        self.state = out / "state"            # per-student record of what was graded (idempotent re-runs)
        self.db_url = f"sqlite:///{out / 'gradebook.db'}"
        self.source = SOLUTIONS / assignment
        self.notebooks = sorted(p.stem for p in self.source.glob("*.ipynb"))
        # the instructor's notebooks, read once: every student is compared with them
        self.sources = {name: nbformat.read(self.source / f"{name}.ipynb", as_version=4) for name in self.notebooks}

    # ------------------------------------------------------------ nbgrader
    def _coursedir(self, student: str = "*") -> CourseDirectory:
        return CourseDirectory(root=str(self.work), source_directory="source", release_directory="release",
                               submitted_directory="submitted", autograded_directory="autograded",
                               feedback_directory="nbgrader-feedback", db_url=self.db_url,
                               assignment_id=self.assignment, student_id=student, notebook_id="*")

    def prepare(self) -> None:
        """The gradebook, then the checks' inputs for this run's seed."""
        self.prepare_gradebook()
        self.prepare_inputs()

    def prepare_gradebook(self) -> None:
        """Copy the source notebooks and record the assignment in the gradebook (once per source version)."""
        digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(self.source.glob("*.ipynb")))).hexdigest()
        marker = self.work / "source.sha256"
        if not (marker.is_file() and marker.read_text() == digest):
            src = self.work / "source" / self.assignment
            shutil.rmtree(src, ignore_errors=True)
            src.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(self.source, src, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
            cfg = Config()
            cfg.GenerateAssignment.force = True
            cfg.GenerateAssignment.create_assignment = True
            GenerateAssignment(coursedir=self._coursedir("."), config=cfg).start()
            marker.write_text(digest)

    def prepare_inputs(self) -> None:
        """The checks' inputs, fresh for this run's seed (recorded in the gradebook to reproduce it)."""
        inputs = self.work / "inputs"
        write_inputs(self._check_names(), inputs, self.seed)
        prepare_matplotlib_cache(inputs / "matplotlib")
        for p in [inputs, *inputs.glob("*.pt")]:  # the sandbox's user must be able to read them
            p.chmod(0o755 if p.is_dir() else 0o644)
        with sqlite3.connect(self.out / "gradebook.db") as db:
            db.execute("create table if not exists autograder_runs (started text, assignment text, seed integer)")
            db.execute("insert into autograder_runs values (datetime('now'), ?, ?)", (self.assignment, self.seed))

    def _check_names(self, notebook: str | None = None) -> list[str]:
        names = []
        for name, nb in self.sources.items():
            for cell in nb.cells:
                if cell.metadata.get("nbgrader", {}).get("grade") and notebook in (None, name):
                    names += checks_called(cell.source)
        return names

    def expected_cells(self) -> dict[str, set[str]]:
        out = {}
        for name, nb in self.sources.items():
            out[name] = {c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id")}
        return out

    def _autograde(self, student: str, preprocessors: list, extra: dict) -> None:
        cfg = Config()
        cfg.Autograde.force = True
        cfg.Autograde.create_student = True
        cfg.Autograde.autograde_preprocessors = preprocessors
        cfg.OverwriteCells.add_missing_cells = True
        for key, value in extra.items():
            section, trait = key.split(".")
            cfg[section][trait] = value
        converter = Autograde(coursedir=self._coursedir(student), config=cfg)
        converter.start()

    # ------------------------------------------------------------- steps
    def _submit(self, sub: Submission) -> None:
        dest = self.work / "submitted" / sub.student_id / self.assignment
        shutil.rmtree(dest.parent, ignore_errors=True)
        dest.mkdir(parents=True)
        for name, path in sub.notebooks.items():
            nb = sub.parsed.get(name)  # as collect sanitised it (malformed nbgrader metadata removed)
            if nb is not None:
                nbformat.write(nb, dest / f"{name}.ipynb")
            else:
                shutil.copyfile(path, dest / f"{name}.ipynb")  # copyfile: no permissions or links carried over

    def _stage(self, sub: Submission) -> None:
        self._autograde(sub.student_id, ["autograder.preprocessors.StageForSandbox"],
                        {"StageForSandbox.stage_dir": str(self.runs / "staged")})

    def _execute(self, sub: Submission, slots: queue.Queue) -> list[dict]:
        """Run each staged notebook in the sandbox (worker thread; the heavy work is a subprocess).

        A slot is held for the whole submission, so that no two sandboxes running at the same time
        share a user (the process limit counts per user).
        """
        uid = slots.get()
        try:
            return self._execute_in_slot(sub, uid)
        finally:
            slots.put(uid)

    def _execute_in_slot(self, sub: Submission, uid: int | None) -> list[dict]:
        statuses, deadline = [], time.monotonic() + self.limits.submission_timeout
        for name in sorted(sub.notebooks):
            staged = self.runs / "staged" / sub.student_id / f"{name}.ipynb"
            folder = self.runs / sub.student_id / name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            if not staged.is_file():
                status = {"status": "error", "detail": "nbgrader could not prepare this notebook"}
            else:
                status = run_notebook(
                    staged, folder=folder, records=set(self._check_names(name)),
                    workdir=self.runs / "scratch" / f"{sub.student_id}-{name}", inputs=self.work / "inputs",
                    limits=self.limits, time_left=deadline - time.monotonic(), sandbox=self.sandbox, uid=uid)
            (folder / "status.json").write_text(json.dumps(status))
            statuses.append({"notebook": name, **status})
        return statuses

    def _score(self, sub: Submission) -> None:
        self._autograde(sub.student_id, [
            "autograder.preprocessors.ApplySandboxRun",
            "nbconvert.preprocessors.ClearMetadataPreprocessor",
            "nbgrader.preprocessors.SaveAutoGrades",
            "nbgrader.preprocessors.AssignLatePenalties",
            "nbgrader.preprocessors.CheckCellMetadata",
        ], {"ApplySandboxRun.run_dir": str(self.runs), "ApplySandboxRun.seed": self.seed,
            "ClearMetadataPreprocessor.enabled": True,
            "ClearMetadataPreprocessor.preserve_cell_metadata_mask": [("nbgrader")]})

    def grade_all(self, submissions: list[Submission]) -> list[Outcome]:
        self.state.mkdir(parents=True, exist_ok=True)
        outcomes: dict[str, Outcome] = {}
        todo = []
        for sub in submissions:
            previous = self._previous(sub)
            if previous is not None:
                outcomes[sub.student_id] = previous
                continue
            outcome = Outcome(sub.student_id, flags=list(sub.flags))
            outcome.problems = [f"{name}: {why}" for name, why in sorted(sub.problems.items())]
            outcomes[sub.student_id] = outcome
            try:  # one student's odd submission never stops the batch
                self._submit(sub)
                if sub.notebooks:
                    self._stage(sub)
            except Exception as err:  # nbgrader refused the notebook (malformed metadata, …)
                outcome.problems.append(f"nbgrader could not read the submission: {type(err).__name__}")
                log.debug("preparing %s", sub.student_id, exc_info=True)
            todo.append(sub)
        bar = tqdm(total=len(todo), desc=f"grading {self.assignment}", unit="student", disable=None)
        # As root, each worker's sandboxes run as a user of their own, reserved for this run.
        as_root = self.sandbox and os.geteuid() == 0
        uids, locks = reserve_uids(self.workers) if as_root else ([None] * self.workers, [])
        slots: queue.Queue = queue.Queue()
        for uid in uids:
            slots.put(uid)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = {pool.submit(self._execute, sub, slots): sub for sub in todo}
            try:
                for future in as_completed(futures):
                    sub = futures[future]
                    outcome = outcomes[sub.student_id]
                    self._finish(sub, outcome, future)
                    bar.update(1)
            except KeyboardInterrupt:
                for f in futures:
                    f.cancel()
                kill_all()
                raise
        bar.close()
        for lock in locks:
            lock.close()
        return [outcomes[s.student_id] for s in submissions]

    def _finish(self, sub: Submission, outcome: Outcome, future) -> None:
        started = time.monotonic()
        try:
            statuses = future.result()
        except Exception as err:
            statuses = []
            outcome.problems.append(f"execution failed: {type(err).__name__}: {err}")
        for st in statuses:
            if st.get("status") != "ok":
                outcome.flags.append(f"{st['notebook']}: {st['status']} ({st.get('detail', '')})")
            if st.get("output_truncated"):
                outcome.flags.append(f"{st['notebook']}: output limit reached")
            outcome.seconds += st.get("seconds", 0.0)
        try:
            if sub.notebooks:
                self._score(sub)
            feedback.write(self, sub)
        except Exception as err:
            outcome.problems.append(f"scoring failed: {type(err).__name__}")
            log.exception("scoring %s", sub.student_id)
        outcome.flags += self._experiment_errors(sub)
        try:
            outcome.flags += self._restored_cells(sub)
        except Exception as err:  # noqa: BLE001 - a check of the submission, never a reason to stop
            outcome.flags.append(f"could not compare the submission with the source ({type(err).__name__})")
        if outcome.problems:
            outcome.status = "not graded: " + "; ".join(outcome.problems) if not sub.notebooks else \
                "partly graded: " + "; ".join(outcome.problems)
        outcome.seconds = round(outcome.seconds + time.monotonic() - started, 1)
        # Written last: a run interrupted before this line grades the student again next time.
        (self.state / f"{sub.student_id}.json").write_text(json.dumps(
            {"fingerprint": sub.fingerprint(), "outcome": outcome.__dict__}))

    def _previous(self, sub: Submission) -> Outcome | None:
        path = self.state / f"{sub.student_id}.json"
        try:
            data = json.loads(path.read_text())
            if data["fingerprint"] == sub.fingerprint():
                return Outcome(**data["outcome"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        return None

    def _experiment_errors(self, sub: Submission) -> list[str]:
        """Notebooks whose every test passes but whose experiment cells (not graded) ended in errors:
        code that passes the checks yet breaks the notebook's own use of it deserves a human look."""
        flags = []
        for name in sub.notebooks:
            folder = self.runs / sub.student_id / name
            try:
                verdicts = json.loads((folder / "verdicts.json").read_text())
                raised = json.loads((folder / "experiments.json").read_text())
            except (OSError, ValueError):
                continue
            if raised and verdicts and all(v.get("passed") for v in verdicts.values()):
                first = raised[0]
                flags.append(f"{name}: every test passes, but {len(raised)} experiment cell(s) ended in an error "
                             f"(first: cell {int(first['cell'])}, {first['ename']})")
        return flags

    def _restored_cells(self, sub: Submission) -> list[str]:
        """Grade or read-only cells the student deleted or edited (nbgrader restored them)."""
        flags = []
        for name, path in sub.notebooks.items():
            source = self.sources[name]
            submitted = sub.parsed.get(name) or nbformat.read(path, as_version=4)
            theirs = {nbgrader_meta(c).get("grade_id"): c for c in submitted.cells}
            for cell in source.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("solution") and meta["grade_id"] not in theirs:
                    flags.append(f"{name}: solution cell {meta['grade_id']} lost its nbgrader metadata "
                                 "(its rules were checked on every unlocked cell)")
                if not (meta.get("locked") or meta.get("grade")) or meta.get("solution"):
                    continue
                mine = theirs.get(meta["grade_id"])
                visible = _strip_hidden(cell.source)
                if mine is None:
                    flags.append(f"{name}: deleted cell {meta['grade_id']} restored")
                elif mine.source.strip() != visible.strip() and mine.source.strip() != cell.source.strip():
                    flags.append(f"{name}: edited cell {meta['grade_id']} restored")
        return flags

    # ----------------------------------------------------------- reports
    def write_reports(self, outcomes: list[Outcome], batch_problems: list[str]) -> None:
        grades, tests = [], []
        with Gradebook(self.db_url) as gb:
            for outcome in outcomes:
                sid = outcome.student_id
                try:
                    submission = gb.find_submission(self.assignment, sid)
                    score, max_score = submission.score, submission.max_score
                    for nb in submission.notebooks:
                        for grade in sorted(nb.grades, key=lambda g: g.name):
                            if grade.cell_type != "code" or not grade.name:
                                continue
                            status = ("not submitted" if f"{nb.name}: missing notebook" in outcome.problems
                                      else self._test_status(sid, nb.name, grade.name))
                            tests.append([sid, nb.name, grade.name, _num(grade.score), _num(grade.max_score), status])
                except MissingEntry:
                    score, max_score = 0.0, self._max_score(gb)
                    for name in self.notebooks:
                        for grade_id, points in self._grade_cells(name):
                            tests.append([sid, name, grade_id, 0, _num(points), "not graded"])
                flags = list(outcome.flags)
                if any(word in f for f in flags for word in ("restored", "timeout", "kernel-died", "error",
                                                              "metadata", "did not finish", "refused", "could not")):
                    flags.insert(0, "REVIEW")
                grades.append([sid, _num(score), _num(max_score), outcome.status, " | ".join(flags)])
        safe_csv.write(self.out / "grades.csv", ["student_id", "score", "max_score", "status", "flags"], grades)
        safe_csv.write(self.out / "tests.csv", ["student_id", "notebook", "grade_id", "score", "max_score", "status"], tests)
        (self.out / "batch.json").write_text(json.dumps({"assignment": self.assignment, "problems": batch_problems,
                                                         "students": len(outcomes), "seed": self.seed,
                                                         "shard": list(self.shard) if self.shard else None}, indent=1))

    def _test_status(self, sid: str, notebook: str, grade_id: str) -> str:
        try:
            verdicts = json.loads((self.runs / sid / notebook / "verdicts.json").read_text())
            return status_line(verdicts[grade_id])
        except (OSError, ValueError, KeyError):
            return "not run"

    def _grade_cells(self, name: str) -> list[tuple[str, float]]:
        return [(c.metadata["nbgrader"]["grade_id"], float(c.metadata["nbgrader"]["points"]))
                for c in self.sources[name].cells if c.metadata.get("nbgrader", {}).get("grade")]

    def _max_score(self, gb) -> float:
        return float(gb.find_assignment(self.assignment).max_score)


def _strip_hidden(source: str) -> str:
    out, hidden = [], False
    for line in source.splitlines():
        if "### BEGIN HIDDEN TESTS" in line:
            hidden = True
        elif "### END HIDDEN TESTS" in line:
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out)


def _num(x) -> float:
    return round(float(x or 0.0), 3)


def shard_of(student_id: str, shards: int) -> int:
    """The shard (0 … shards-1) that grades this student: a hash of the id, the same on every machine."""
    return int(hashlib.sha256(student_id.encode()).hexdigest(), 16) % shards


def grade(assignment: str, submissions: Path, out: Path, *, limits: Limits, sandbox: bool, workers: int,
          seed: int | None = None, shard: tuple[int, int] | None = None) -> int:
    if not (SOLUTIONS / assignment).is_dir():
        print(f"error: no assignment {assignment!r} under {SOLUTIONS}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    logging.getLogger("traitlets").setLevel(logging.ERROR)
    seed = secrets.randbelow(2 ** 31) if seed is None else seed
    grader = Grader(assignment, out.resolve(), limits=limits, sandbox=sandbox, workers=workers, seed=seed)
    grader.prepare()
    try:  # the extracted zips and scratch folders go, whatever happens
        return _grade(grader, assignment, submissions, out, shard)
    finally:
        remove_tree(out / "work")
        remove_tree(out / "runs" / "scratch")


def _grade(grader: Grader, assignment: str, submissions: Path, out: Path, shard: tuple[int, int] | None) -> int:
    subs, batch_problems = collect(submissions, grader.expected_cells(), out / "work")
    if shard is not None:  # this machine's share of the class (python -m autograder merge joins the shards)
        subs = [s for s in subs if shard_of(s.student_id, shard[1]) == shard[0]]
        grader.shard = shard
    for problem in batch_problems:
        print(f"warning: {problem}", file=sys.stderr)
    try:
        outcomes = grader.grade_all(subs)
    except KeyboardInterrupt:
        print("interrupted: graded students are kept; run the same command again to finish", file=sys.stderr)
        outcomes = [o for o in (grader._previous(s) for s in subs) if o is not None]
        grader.write_reports(outcomes, batch_problems + ["interrupted"])
        report.write(out, assignment, {o.student_id: o.seconds for o in outcomes})
        return 130
    grader.write_reports(outcomes, batch_problems)
    safe_csv.write(out / "student_ids.csv", ["student_id", "submitted_as"], [[s.student_id, s.original_id] for s in subs])
    report.write(out, assignment, {o.student_id: o.seconds for o in outcomes})
    print(f"graded {len(outcomes)} submissions of {assignment}: {out / 'grades.csv'}")
    return 0
