"""Run one notebook's execution inside a bubblewrap sandbox.

What the kernel can see: the Python interpreter and the folders its packages
come from (read-only), the helper package ``attncourse`` (read-only), the few
grader files a kernel needs (``runner.py`` and ``kernel_side.py``, never the
checks' oracles), the check inputs and the submission (read-only), and a
private home, a size-limited tmpfs that is the only place it can write and that
vanishes with the sandbox.  No network, no other process, no view of
solutions/, the gradebook or other students.  Memory, processes, file sizes,
disk and time are bounded; when the sandbox ends, everything it started ends.

What comes back is read from one pipe (see ``autograder.runner``) with caps on
every frame, and only under names the grader expects: the executed notebook,
the records of this notebook's checks, the status.  Nothing on a disk the
student could write is ever opened by the grader, so no record can be a link.
The sandbox finds the course by itself: the grader passes its own course root
(``PYTHONPATH``) and the folders its own interpreter imports from, whatever
environment the packages were installed in.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import autograder

GRADER_DIR = Path(autograder.__file__).resolve().parent
REPO = GRADER_DIR.parent
HOME = "/home/student"
SUBMISSION = "/grader/submission.ipynb"
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
    disk_bytes: int = 512 << 20          # the sandbox's writable home (a tmpfs of this size)


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


PYTHON = str(Path(sys.executable).absolute())  # the grader's own interpreter, as a path (no PATH look-up)


def _python_roots() -> list[Path]:
    """Folders the grader's interpreter imports from: its environment, the base installation, and
    every folder on its import path (packages installed anywhere, .pth files included), except the
    course root itself and its ancestors (only attncourse and the kernel's grader files are shown)."""
    roots = {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent.parent}
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        if path.is_dir() and path != REPO and path not in REPO.parents and not path.is_relative_to(REPO / "autograder"):
            roots.add(path)
    # a folder inside another root is already shown
    return sorted(r for r in roots if not any(r != o and r.is_relative_to(o) for o in roots))


def prepare_matplotlib_cache(folder: Path) -> None:
    """Build matplotlib's font cache once, so that no sandbox spends seconds rebuilding it."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([PYTHON, "-c", "import matplotlib.font_manager"],
                   env={**os.environ, "MPLCONFIGDIR": str(folder)}, check=False, capture_output=True, timeout=300)
    for p in [folder, *folder.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)


def _environment(inputs_dir: str, records_dir: str) -> dict[str, str]:
    return {
        "HOME": HOME, "USER": "student", "LANG": "C.UTF-8", "PYTHONPATH": str(REPO),
        "PATH": f"{Path(PYTHON).parent}:{Path(sys.prefix) / 'bin'}:/usr/bin:/bin",
        "NBGRADER_EXECUTION": "autograde", "ATTNCOURSE_SCALE": "small",
        "AUTOGRADER_INPUTS": inputs_dir, "AUTOGRADER_RECORDS": records_dir,
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": str(Path(inputs_dir) / "matplotlib"), "PYTHONDONTWRITEBYTECODE": "1",
        "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "TQDM_DISABLE": "1",
        "JUPYTER_PLATFORM_DIRS": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def bwrap_command(*, notebook: Path, inputs: Path, runner_args: list[str], limits: Limits, uid: int | None) -> list[str]:
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
    cmd += ["--ro-bind", str(inputs), "/grader/inputs", "--ro-bind", str(notebook), SUBMISSION]
    # The only writable place: a tmpfs of bounded size, gone when the sandbox ends.
    cmd += ["--perms", "1777", "--size", str(limits.disk_bytes), "--tmpfs", HOME, "--chdir", HOME]
    for key, value in _environment("/grader/inputs", f"{HOME}/.records").items():
        cmd += ["--setenv", key, value]
    if uid is not None:  # a user of its own per worker, so that the process limit counts this sandbox only
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all"]
    cmd += ["prlimit", f"--as={limits.memory_bytes}", f"--nproc={limits.processes}",
            f"--fsize={limits.max_file_bytes}", "--core=0", "--nofile=512", "--"]
    return cmd + runner_args


# What may come back from a sandbox, and how much (bytes).
MAX_FRAME = {"executed.ipynb": 20_000_000, "status.json": 10_000, "records/": 20_000_000}
MAX_TOTAL = 100_000_000
STATUSES = {"ok", "timeout", "cell-timeout", "kernel-died", "error"}


class _Results(threading.Thread):
    """Reads the runner's frames from the pipe into ``folder``, refusing anything unexpected.

    Runs beside the sandbox (a full pipe would stall the runner).  Each frame's name must be one
    the grader expects and appear once, its size within its cap; files are created fresh in a
    folder only the grader writes.  On the first violation it stops reading: the status becomes
    an error flagged for review.
    """

    def __init__(self, fd: int, folder: Path, records: set[str]):
        super().__init__(daemon=True)
        self.fd, self.folder, self.records = fd, folder, records
        self.status: dict | None = None
        self.problem = ""

    def run(self) -> None:
        with os.fdopen(self.fd, "rb") as pipe:
            try:
                self._read(pipe)
            except Exception as err:  # noqa: BLE001 - any malformed stream is refused
                self.problem = f"refused the sandbox's output ({type(err).__name__})"

    def _read(self, pipe) -> None:
        seen, total = set(), 0
        while True:
            line = pipe.readline(200)
            if not line:
                return
            m = re.fullmatch(rb"(executed\.ipynb|status\.json|records/[\w.]{1,100}\.npz) (\d{1,12})\n", line)
            if not m:
                raise ValueError("malformed frame")
            name, size = m.group(1).decode(), int(m.group(2))
            cap = MAX_FRAME.get(name) or MAX_FRAME["records/"]
            total += size
            if name in seen or size > cap or total > MAX_TOTAL:
                raise ValueError("frame refused")
            if name.startswith("records/") and name[len("records/"):-len(".npz")] not in self.records:
                raise ValueError("unexpected record")
            seen.add(name)
            data = pipe.read(size)
            if len(data) != size:
                raise ValueError("truncated frame")
            if name == "status.json":
                self.status = json.loads(data)
            else:
                target = self.folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644), "wb") as f:
                    f.write(data)


def _trusted_status(reported: dict | None, returncode: int | None, problem: str, limits: Limits) -> dict:
    """The status the grader believes: known values only, every sentence composed here."""
    if problem:
        return {"status": "error", "detail": problem}
    if returncode != 0 or not isinstance(reported, dict) or reported.get("status") not in STATUSES:
        return {"status": "error", "detail": "the sandboxed run did not finish cleanly"}
    cell = reported.get("cell")
    at = f" at cell {cell}" if isinstance(cell, int) and not isinstance(cell, bool) and 0 <= cell < 100_000 else ""
    detail = {"ok": "", "error": "the notebook could not be run",
              "timeout": f"the notebook time limit was reached{at}",
              "cell-timeout": f"a cell ran past the {limits.cell_timeout} s cell time limit{at}",
              "kernel-died": f"the kernel died{at} (memory limit, a crash or an exit)"}[reported["status"]]
    return {"status": reported["status"], "detail": detail, "output_truncated": reported.get("output_truncated") is True}


def remove_tree(path: Path) -> None:
    """Remove a folder whatever a student did to its permissions."""
    if not os.path.lexists(path):
        return
    def retry(func, target, _exc):
        try:
            os.chmod(os.path.dirname(target), 0o700)
            if os.path.isdir(target) and not os.path.islink(target):
                os.chmod(target, 0o700)
            func(target)
        except OSError:
            pass
    shutil.rmtree(path, onerror=retry)


def run_notebook(notebook: Path, *, folder: Path, records: set[str], workdir: Path, inputs: Path, limits: Limits,
                 time_left: float, sandbox: bool, uid: int | None) -> dict:
    """Execute ``notebook``; write the executed notebook and the records into ``folder``; return the status."""
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        return _run(notebook, folder, records, workdir, inputs, limits, time_left, sandbox, uid)
    finally:
        remove_tree(workdir)


def _run(notebook, folder, records, workdir, inputs, limits, time_left, sandbox, uid) -> dict:
    nb_timeout = max(1, int(time_left))
    staged = workdir / "submission.ipynb"
    shutil.copyfile(notebook, staged)
    staged.chmod(0o644)
    read_end, write_end = os.pipe()
    if sandbox:
        runner = [PYTHON, "-m", "autograder.runner", SUBMISSION, f"--records={HOME}/.records"]
        cmd, cwd, env = None, None, None
    else:  # the developer's escape hatch (--no-sandbox): the home is a folder on the disk
        home = workdir / "home"
        home.mkdir()
        runner = [PYTHON, "-m", "autograder.runner", str(staged), f"--records={home / '.records'}"]
        env = {**os.environ, **_environment(str(inputs), str(home / ".records")), "HOME": str(home)}
        cwd = home
    runner += [f"--result-fd={write_end}", f"--cell-timeout={limits.cell_timeout}",
               f"--notebook-timeout={nb_timeout}", f"--max-output-bytes={limits.max_output_bytes}"]
    if sandbox:
        cmd = bwrap_command(notebook=staged, inputs=inputs, runner_args=runner, limits=limits, uid=uid)
    else:
        cmd = (["prlimit", f"--as={limits.memory_bytes}", "--core=0", "--"] if shutil.which("prlimit") else []) + runner
    reader = _Results(read_end, folder, records)
    started = time.monotonic()
    try:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True, pass_fds=(write_end,))
    finally:
        os.close(write_end)  # the runner holds the only writer now
    reader.start()
    _running.add(proc)
    timed_out = False
    try:
        proc.wait(timeout=nb_timeout + 60)  # the runner enforces limits; this is the backstop
    except subprocess.TimeoutExpired:
        timed_out = True
    try:  # ends the sandbox, and anything the run left behind
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    _running.discard(proc)
    reader.join(timeout=30)
    if timed_out:
        status = {"status": "timeout", "detail": f"submission time limit ({limits.submission_timeout} s) reached"}
    else:
        status = _trusted_status(reader.status, proc.returncode, reader.problem or ("" if not reader.is_alive()
                                 else "the sandbox's output did not end"), limits)
    status["seconds"] = round(time.monotonic() - started, 1)  # the grader's own fields, last
    return status
