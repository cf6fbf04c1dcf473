"""Shared fixtures.  Tests run inside the course venv (``make test``)."""
from __future__ import annotations

import collections
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# As the Makefile does, so that a bare `pytest` behaves like `make test`: idle OpenMP threads sleep
# instead of spinning, or a notebook training beside the sandboxed gradings slows down tenfold.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
BANK_REPORT = ROOT / "_build" / "bank-diagnoses.txt"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="session")
def env() -> dict[str, str]:
    """The environment a course command runs in: the venv's bin first (nbgrader calls alembic)."""
    return {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "PYTHONPATH": str(ROOT)}


def run_grader(assignment: str, submissions: Path, out: Path, env: dict, *extra: str, timeout: int = 1200):
    """Run the real grading command; return the CompletedProcess."""
    cmd = [sys.executable, "-m", "autograder", "grade", assignment, str(submissions), "--out", str(out), *extra]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def read_csv(path: Path) -> list[dict]:
    """Rows of a CSV the grader wrote, read as a spreadsheet user sees them (formula guard removed)."""
    from autograder.safe_csv import read

    return read(path)


CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by .ci/run; never a downloaded browser
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium driven by playwright (no browser download, no network)."""
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: .ci/run installs Debian's chromium"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# ------------------------------------------------------------ the solution notebooks, with nbval
# `pytest --nbval-lax` (in pyproject.toml's addopts) runs every notebook under solutions/ at the small
# scale; each notebook asserts its own targets (attncourse.results.Run.save).  Its kernel inherits
# this environment.
SMALL_SCALE_BUDGET_S = 180  # per notebook on 2 cores, as promised to students
NOTEBOOK_RESULTS = ROOT / "_build" / "test-results"
_notebook_seconds: collections.Counter = collections.Counter()


def pytest_addoption(parser):
    parser.addoption("--chapter", default=None,
                     help="run only one chapter's tests (its notebooks, bank, checks, data and sync), "
                          "e.g. --chapter ch02_self_attention; `make test CHAPTER=...` passes it")


def pytest_configure(config):
    if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):  # a core per worker: threads beyond it only fight
        os.environ.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 2) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))))
    os.environ.update({"ATTNCOURSE_SCALE": "small", "MPLBACKEND": "Agg", "TQDM_DISABLE": "1",
                       "ATTNCOURSE_RESULTS": str(NOTEBOOK_RESULTS / os.environ.get("PYTEST_XDIST_WORKER", "main"))})
    os.environ.pop("NBGRADER_EXECUTION", None)


def _chapter_tokens(chapter: str) -> set[str]:
    folder = ROOT / "solutions" / chapter
    if not folder.is_dir():
        known = ", ".join(sorted(p.name for p in (ROOT / "solutions").glob("ch*")))
        raise pytest.UsageError(f"--chapter {chapter!r}: no such chapter under solutions/ ({known})")
    return {chapter, chapter.split("_")[0] + ".py", chapter.split("_")[0] + "_"} | \
        {p.stem for p in folder.glob("*.ipynb")}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    for item in items:  # one notebook's cells share its kernel: they must run on one xdist worker
        if item.path.suffix == ".ipynb":
            item.add_marker(pytest.mark.xdist_group(f"notebook-{item.path.stem}"))
    if getattr(config.option, "loadgroup", False):
        # pytest-xdist 3.8 tags a grouped test by setting `item._nodeid`, which pytest 9 no longer
        # reads: every group was silently spread over the workers, and each worker rebuilt the
        # group's expensive fixture (a whole grading run).  Tag the node id the way pytest 9 keeps it.
        from _pytest.nodeid import coerce_node_id

        for item in items:
            groups = sorted({str(m.args[0] if m.args else m.kwargs.get("name", "default"))
                             for m in item.iter_markers("xdist_group")})
            if groups and "@" not in item.nodeid:
                item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(groups)}")
    chapter = config.getoption("--chapter")
    if chapter:
        tokens = _chapter_tokens(chapter)
        keep = [i for i in items if any(t in i.nodeid for t in tokens)]
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A notebook's cell fails when it takes the notebook past its small-scale time budget."""
    outcome = yield
    report = outcome.get_result()
    if call.when == "call" and item.path.suffix == ".ipynb":
        _notebook_seconds[item.path] += call.duration
        budget = SMALL_SCALE_BUDGET_S * max(1, (os.cpu_count() or 2) / 2)
        if _notebook_seconds[item.path] > budget and report.passed:
            report.outcome = "failed"
            report.longrepr = (f"{item.path.name} ran {_notebook_seconds[item.path]:.0f} s, past its small-scale "
                               f"budget of {budget:.0f} s")


# ----------------------------------------------------------------- where the suite's time goes
AREAS = (("notebooks", ("solutions/", "test_notebooks.py")),
         ("bank and checks", ("test_bank", "test_check_rules.py", "test_checks_fresh_inputs.py")),
         ("grader security and robustness", ("test_grader_", "test_grading.py", "test_report_export.py",
                                             "test_benchmark.py", "test_shards.py")),
         ("site", ("test_site.py", "test_publish.py")))
_area_seconds: collections.Counter = collections.Counter()
_started = [time.monotonic()]


def _area(nodeid: str) -> str:
    return next((name for name, marks in AREAS if any(m in nodeid for m in marks)), "other")


def pytest_runtest_logreport(report):
    _area_seconds[_area(report.nodeid)] += report.duration  # the controller sees every worker's reports


def pytest_sessionstart(session):
    _started[0] = time.monotonic()
    if not hasattr(session.config, "workerinput"):  # the controller, once: forget an older run's report
        BANK_REPORT.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter):
    if BANK_REPORT.exists():
        terminalreporter.section("diagnosed bank mistakes, per chapter")
        terminalreporter.write(BANK_REPORT.read_text())
    if _area_seconds:
        total = sum(_area_seconds.values())
        terminalreporter.section("time by area (test seconds, summed over workers)")
        for name in [a for a, _ in AREAS] + ["other"]:
            seconds = _area_seconds.get(name, 0.0)
            terminalreporter.write_line(f"{name:>32}: {seconds:7.1f} s  {seconds / total:4.0%}")
        terminalreporter.write_line(f"{'all':>32}: {total:7.1f} s  in {time.monotonic() - _started[0]:.1f} s of wall time")
