"""Run solution notebooks and record their results into results/ (``make results``).

    python tools/record_results.py [NOTEBOOK ...]      # default: every solutions/ch*/*.ipynb

The scale is the environment's ATTNCOURSE_SCALE (small by default); each
notebook writes results/<chapter>/<notebook>-<scale>.json and its figures
itself, through ``attncourse.results.Run``.  Commit them afterwards, so the
record names the commit the numbers came from (a dirty tree is marked so).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "solutions").glob("ch*/*.ipynb"))
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["PYTHONPATH"] = str(ROOT)
    os.environ.pop("NBGRADER_EXECUTION", None)
    os.environ["ATTNCOURSE_RESULTS"] = str(ROOT / "results")  # the course's records (students' runs go to my_results/)
    for path in paths:
        started = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        NotebookClient(nb, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
        print(f"{path.relative_to(ROOT)}: {time.perf_counter() - started:.0f} s "
              f"({os.environ.get('ATTNCOURSE_SCALE', 'small')} scale)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
