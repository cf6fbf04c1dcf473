"""The grading benchmark runs, prints both times and their ratio, and both graders agree on every score."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.xdist_group("benchmark")


def test_benchmark_times_both_graders_and_they_agree(env):
    cmd = [sys.executable, "tools/benchmark_grading.py", "--students", "1", "--workers", "2"]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    ours = re.search(r"grading command \(sandboxed, 2 workers\):\s+([\d.]+) s", result.stdout)
    plain = re.search(r"plain serial nbgrader autograde \(no sandbox\):\s+([\d.]+) s", result.stdout)
    ratio = re.search(r"speed-up: ([\d.]+)x", result.stdout)
    assert ours and plain and ratio, result.stdout
    assert float(ratio.group(1)) == pytest.approx(float(plain.group(1)) / float(ours.group(1)), rel=0.05)
    assert "same scores: yes (1 of 1 students)" in result.stdout, result.stdout
