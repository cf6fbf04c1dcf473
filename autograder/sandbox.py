"""Run one notebook's execution inside a bubblewrap sandbox.

What the kernel can see: the Python interpreter and the course's venv
(read-only), the helper package ``attncourse`` (read-only), the few grader
files a kernel needs (``runner.py`` and ``kernel_side.py``, never the checks'
oracles), the check inputs (read-only) and one private scratch folder, its
home, which is the only place it can write.  No network, no other process, no
view of solutions/, the gradebook or other students.  Memory, processes, file
sizes and time are bounded; when the sandbox ends, everything it started ends.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import autograder

GRADER_DIR = Path(autograder.__file__).resolve().parent
REPO = GRADER_DIR.parent
HOME = "/home/student"
_running: set[subprocess.Popen] = set()  # sandboxes under way, for kill_all()


def kill_all() -> None:
    """End every sandbox still running (on Ctrl-C: their students are graded again next run)."""
    for proc in list(_running):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@dataclass
class Limits:
    memory_bytes: int = 4 << 30          # address space of every process in the sandbox
    processes: int = 64                  # processes and threads of the sandbox's user
    cell_timeout: int = 120              # seconds per cell
    submission_timeout: int = 900        # seconds for all of a student's notebooks
    max_output_bytes: int = 2_000_000    # notebook output kept per notebook
    max_file_bytes: int = 200 << 20      # largest file the kernel may write


def reserve_uids(count: int, *, first: int = 60000, last: int = 64999) -> tuple[list[int], list]:
    """Reserve ``count`` user ids no other grading run on this machine is using.

    Each id is held by an exclusive lock on a file in /tmp for as long as the returned handles
    stay open, so concurrent grading runs never give two sandboxes the same user (the process
    limit counts per user).
    """
    import fcntl

    uids, handles = [], []
    for uid in range(first, last + 1):
        if len(uids) == count:
            break
        handle = open(f"/tmp/autograder-uid-{uid}.lock", "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        uids.append(uid)
        handles.append(handle)
    if len(uids) < count:
        raise RuntimeError("no free sandbox user ids in 60000-64999")
    return uids, handles


def bwrap_available() -> bool:
    if not shutil.which("bwrap"):
        return False
    probe = subprocess.run(["bwrap", "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"],
                           capture_output=True, timeout=30)
    return probe.returncode == 0


def _python_roots() -> list[Path]:
    """Folders the venv's interpreter needs: the venv and the base installation."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent.parent}
    return sorted(roots)


def prepare_matplotlib_cache(folder: Path) -> None:
    """Build matplotlib's font cache once, so that no sandbox spends seconds rebuilding it."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(Path(sys.prefix) / "bin" / "python"), "-c", "import matplotlib.font_manager"],
                   env={**os.environ, "MPLCONFIGDIR": str(folder)}, check=False, capture_output=True, timeout=300)
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)


def _environment(inputs_dir: str, records_dir: str) -> dict[str, str]:
    return {
        "HOME": HOME, "USER": "student", "LANG": "C.UTF-8",
        "PATH": f"{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
        "NBGRADER_EXECUTION": "autograde", "ATTNCOURSE_SCALE": "small",
        "AUTOGRADER_INPUTS": inputs_dir, "AUTOGRADER_RECORDS": records_dir,
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(Path(inputs_dir) / "matplotlib"), "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TQDM_DISABLE": "1",
        "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def bwrap_command(*, scratch: Path, inputs: Path, runner_args: list[str], limits: Limits, uid: int | None) -> list[str]:
    if uid is None:  # an ordinary user: bwrap makes a user namespace and drops every capability
        cmd = ["bwrap", "--unshare-all"]
    else:  # root: no user namespace; keep only the right to switch to the per-worker user below
        cmd = ["bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
               "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    cmd += ["--die-with-parent", "--new-session", "--clearenv",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", "/var/tmp"]
    for d in ("/usr", "/lib", "/lib64", "/bin", "/sbin", "/etc/alternatives", "/etc/ssl",
              "/etc/ld.so.cache", "/etc/localtime", "/etc/fonts"):
        cmd += ["--ro-bind-try", d, d]
    package = REPO / "attncourse"
    # Parents of the mount points, readable by the sandbox's user (bwrap would make them 0700).
    parents = {a for p in [*_python_roots(), package, GRADER_DIR / "checks", Path(HOME), Path("/grader/inputs")]
               for a in p.parents if a != Path("/")}
    for d in sorted(parents, key=lambda a: len(a.parts)):
        cmd += ["--perms", "0755", "--dir", str(d)]
    for root in _python_roots():
        cmd += ["--ro-bind", str(root), str(root)]
    cmd += ["--ro-bind", str(package), str(package)]
    # The grader, as the kernel sees it: runner and recorder only.  kernel_side.py
    # stands in for the checks package, so no oracle is ever inside the sandbox.
    cmd += ["--perms", "0755", "--dir", str(GRADER_DIR / "checks")]
    for name in ("__init__.py", "runner.py", "kernel_side.py"):
        cmd += ["--ro-bind", str(GRADER_DIR / name), str(GRADER_DIR / name)]
    cmd += ["--ro-bind", str(GRADER_DIR / "kernel_side.py"), str(GRADER_DIR / "checks" / "__init__.py")]
    cmd += ["--ro-bind", str(inputs), "/grader/inputs", "--bind", str(scratch), HOME, "--chdir", HOME]
    for key, value in _environment("/grader/inputs", f"{HOME}/.records").items():
        cmd += ["--setenv", key, value]
    if uid is not None:  # a user of its own per worker, so that the process limit counts this sandbox only
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all"]
    cmd += ["prlimit", f"--as={limits.memory_bytes}", f"--nproc={limits.processes}",
            f"--fsize={limits.max_file_bytes}", "--core=0", "--nofile=512", "--"]
    return cmd + runner_args


def run_notebook(notebook: Path, *, workdir: Path, inputs: Path, limits: Limits, time_left: float,
                 sandbox: bool, uid: int | None) -> tuple[Path, Path, dict]:
    """Execute ``notebook`` in a fresh scratch folder; return (executed notebook, records, status)."""
    scratch = workdir / "home"
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    shutil.copy(notebook, scratch / "submission.ipynb")
    if uid is not None:
        for p in [scratch, *scratch.rglob("*")]:
            os.chown(p, uid, uid)
    nb_timeout = max(1, int(time_left))
    runner = ["python", "-m", "autograder.runner", "submission.ipynb", ".executed.ipynb", ".status.json",
              f"--cell-timeout={limits.cell_timeout}", f"--notebook-timeout={nb_timeout}",
              f"--max-output-bytes={limits.max_output_bytes}"]
    if sandbox:
        cmd, cwd, env = bwrap_command(scratch=scratch, inputs=inputs, runner_args=runner, limits=limits, uid=uid), None, None
    else:
        cmd = ["prlimit", f"--as={limits.memory_bytes}", "--core=0", "--"] if shutil.which("prlimit") else []
        cmd += [str(Path(sys.prefix) / "bin" / "python")] + runner[1:]
        env = {**os.environ, **_environment(str(inputs), str(scratch / ".records")), "HOME": str(scratch),
               "PYTHONPATH": str(REPO)}
        cwd = scratch
    started = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    _running.add(proc)
    try:
        log, _ = proc.communicate(timeout=nb_timeout + 60)  # the runner enforces limits; this is the backstop
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        log = b""
        status = {"status": "timeout", "detail": f"submission time limit ({limits.submission_timeout} s) reached"}
    else:
        status_file = scratch / ".status.json"
        try:
            status = json.loads(status_file.read_text()) if status_file.is_file() and status_file.stat().st_size < 10_000 else None
        except (OSError, ValueError):
            status = None
        if not isinstance(status, dict) or "status" not in status:
            tail = log.decode("utf-8", "replace")[-300:].strip().splitlines()[-1:] if log else []
            status = {"status": "error", "detail": "the sandboxed run ended without a result" + (f": {tail[0]}" if tail else "")}
    try:  # also ends anything the run left behind when not sandboxed
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    _running.discard(proc)
    status["seconds"] = round(time.monotonic() - started, 1)
    return scratch / ".executed.ipynb", scratch / ".records", status
