"""`make publish` pushes the built site to a gh-pages branch (here: a local bare repository)."""
from __future__ import annotations

import subprocess

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.xdist_group("site")


def _git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def test_make_publish_to_a_local_bare_repository(tmp_path, env):
    bare = tmp_path / "site.git"
    _git("init", "--bare", "-q", str(bare), cwd=tmp_path)
    clone = tmp_path / "course"
    _git("clone", "-q", str(ROOT), str(clone), cwd=tmp_path)  # the committed course, as a fork would have it
    for key, value in (("user.name", "Test"), ("user.email", "test@example.com")):
        _git("config", key, value, cwd=clone)
    venv = ROOT / ".venv"  # reuse the suite's venv as it is (-o: never reinstall it from the clone)
    result = subprocess.run(["make", "publish", f"PUBLISH_REMOTE={bare}", f"VENV={venv}", "-o", f"{venv}/.installed"],
                            cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    files = _git("ls-tree", "-r", "--name-only", "gh-pages", cwd=bare).split()
    assert "index.html" in files and ".nojekyll" in files
    assert "book/ch01_attention/lecture.html" in files
    assert not [f for f in files if f.startswith(("solutions/", "autograder/"))]
    log = _git("log", "--format=%s", "gh-pages", cwd=bare)
    assert log.startswith("Publish the course site from")
