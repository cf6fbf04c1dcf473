"""Shared fixtures.  Tests run inside the course venv (``make test``)."""
from __future__ import annotations

import os
import subprocess
import sys
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
    import csv

    with open(path, newline="") as f:
        return list(csv.DictReader(f))


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


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller, once: forget an older run's report
        BANK_REPORT.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter):
    if BANK_REPORT.exists():
        terminalreporter.section("diagnosed bank mistakes, per chapter")
        terminalreporter.write(BANK_REPORT.read_text())
