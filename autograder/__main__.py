"""Command line: ``python -m autograder grade ASSIGNMENT SUBMISSIONS --out DIR``."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _size(text: str) -> int:
    units = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
    text = text.strip().lower().rstrip("ib").rstrip("b")
    return int(float(text[:-1]) * units[text[-1]]) if text[-1:] in units else int(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description="Grade a class's notebooks.")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grade", help="grade a folder (or zip) of submissions")
    g.add_argument("assignment", help="a folder name under solutions/, e.g. ch01_attention")
    g.add_argument("submissions", type=Path, help="folder with one sub-folder per student id, or a .zip of one")
    g.add_argument("--out", type=Path, required=True, help="where grades.csv, tests.csv and feedback/ go")
    g.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="parallel submissions (default: cores)")
    g.add_argument("--no-sandbox", action="store_true", help="run student code without bubblewrap (unsafe)")
    g.add_argument("--memory", default="4G", help="memory limit per process (default 4G)")
    g.add_argument("--processes", type=int, default=64, help="process/thread limit per sandbox (default 64)")
    g.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell (default 120)")
    g.add_argument("--submission-timeout", type=int, default=900, help="seconds per submission (default 900)")
    g.add_argument("--max-output", default="2M", help="notebook output kept per notebook (default 2M)")
    g.add_argument("--disk", default="512M", help="writable space per sandbox, a tmpfs (default 512M)")
    g.add_argument("--seed", type=int, default=None,
                   help="the checks' inputs (default: drawn afresh; each run's seed is in the gradebook "
                        "table autograder_runs, and --seed reproduces that run)")
    g.add_argument("--shard", default=None, metavar="K/N",
                   help="grade only shard K of N (K from 0; e.g. $SLURM_ARRAY_TASK_ID/4 or $JOB_COMPLETION_INDEX/4); "
                        "give every shard the same --seed, then join them with `merge`")
    m = sub.add_parser("merge", help="join the --out folders of shards into one")
    m.add_argument("out", type=Path, help="the merged folder (new or empty)")
    m.add_argument("shards", type=Path, nargs="+", help="the shards' --out folders")
    e = sub.add_parser("export", help="write grades.csv as a Canvas or Moodle gradebook import")
    e.add_argument("out", type=Path, help="the --out folder of a grading run")
    e.add_argument("--format", choices=["canvas", "moodle"], required=True)
    e.add_argument("--roster", type=Path, required=True, help="CSV mapping student_id to the LMS's identifiers")
    a = parser.parse_args(argv)
    if a.command == "export":
        from .export import export

        return export(a.out, a.format, a.roster)
    if a.command == "merge":
        from .merge import merge

        return merge(a.out, a.shards)

    import warnings

    warnings.filterwarnings("ignore", module="nbgrader")  # nbgrader's SQLAlchemy chatter
    warnings.filterwarnings("ignore", message=".*not in session.*")
    from .grade import grade
    from .sandbox import Limits, bwrap_available

    if not a.no_sandbox and not bwrap_available():
        print("error: bubblewrap (bwrap) is not available, so student code cannot be sandboxed.\n"
              "Install it (Debian/Ubuntu: apt-get install bubblewrap) or pass --no-sandbox to run "
              "submissions with your own rights (only for code you trust).", file=sys.stderr)
        return 2
    shard = None
    if a.shard is not None:
        try:
            k, n = (int(x) for x in a.shard.split("/"))
            if not 0 <= k < n:
                raise ValueError
        except ValueError:
            print(f"error: --shard wants K/N with 0 <= K < N, not {a.shard!r}", file=sys.stderr)
            return 2
        shard = (k, n)
    limits = Limits(memory_bytes=_size(a.memory), processes=a.processes, cell_timeout=a.cell_timeout,
                    submission_timeout=a.submission_timeout, max_output_bytes=_size(a.max_output),
                    disk_bytes=_size(a.disk))
    return grade(a.assignment, a.submissions, a.out, limits=limits, sandbox=not a.no_sandbox,
                 workers=max(1, a.workers), seed=a.seed, shard=shard)


if __name__ == "__main__":
    sys.exit(main())
