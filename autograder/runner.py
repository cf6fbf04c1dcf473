"""Execute one sanitised notebook; this process runs inside the sandbox.

``python -m autograder.runner IN.ipynb --result-fd FD --records DIR --cell-timeout S
--notebook-timeout S --max-output-bytes N``

Every cell runs, errors included, like ``nbgrader autograde``.  The limits are
enforced here and, as a backstop, by the grading command around the sandbox:
a cell past its time limit, a kernel that dies, or a notebook past its time
limit stops execution; the cells not run get an error output saying why.

Nothing is left on a disk for the grader to pick up: the runner sends what the grader reads
back (the executed notebook, the checks' records, then the status) as frames on file
descriptor FD, a pipe the grader reads with its own caps (``autograder.sandbox``).  The kernel
never holds that descriptor; what it writes lives in the sandbox's size-limited home and is
gone when the sandbox ends.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import stat
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError


class LimitedClient(NotebookClient):
    """A NotebookClient that keeps at most ``max_output_bytes`` of output per notebook."""

    def __init__(self, *args, max_output_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_output_bytes = max_output_bytes
        self.output_bytes = 0
        self.truncated = False

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {})))
        if self.output_bytes + size > self.max_output_bytes:
            if not self.truncated:
                self.truncated = True
                outs.append(nbformat.v4.new_output(
                    "stream", name="stderr", text="[output limit reached: further output was dropped]\n"))
            return None
        self.output_bytes += size
        return super().output(outs, msg, display_id, cell_index)


def _not_run(cell, reason: str) -> None:
    cell.outputs = [nbformat.v4.new_output("error", ename="NotRun", evalue=reason, traceback=[f"NotRun: {reason}"])]


def execute(nb, *, workdir: str, cell_timeout: int, notebook_timeout: int, max_output_bytes: int) -> dict:
    status = {"status": "ok", "detail": ""}
    client = LimitedClient(nb, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
                           interrupt_on_timeout=False, record_timing=False, max_output_bytes=max_output_bytes,
                           resources={"metadata": {"path": workdir}})
    deadline = time.monotonic() + notebook_timeout
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if time.monotonic() > deadline:
                status = {"status": "timeout", "cell": index,
                          "detail": f"notebook time limit ({notebook_timeout} s) reached at cell {index}"}
            elif status["status"] == "ok":
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError:
                    status = {"status": "cell-timeout", "cell": index,
                              "detail": f"cell {index} ran past the {cell_timeout} s cell time limit"}
                    _not_run(cell, status["detail"])
                    continue
                except DeadKernelError:
                    status = {"status": "kernel-died", "cell": index,
                              "detail": f"the kernel died in cell {index} (memory limit, a crash or an exit)"}
                    _not_run(cell, status["detail"])
                    continue
                continue
            _not_run(cell, status["detail"])
    status["output_truncated"] = client.truncated
    return status


MAX_EXECUTED_BYTES = 20_000_000
MAX_RECORD_BYTES = 20_000_000


def send(channel, name: str, data: bytes) -> None:
    """One frame: a line ``NAME SIZE``, then SIZE bytes."""
    channel.write(f"{name} {len(data)}\n".encode() + data)


def _records(folder: Path):
    """(name, bytes) of each record the kernel left: plain files only, never through a link."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return
    for name in names:
        if not re.fullmatch(r"[\w.]{1,100}\.npz", name):
            continue
        try:
            fd = os.open(folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_RECORD_BYTES:
                yield name, f.read(MAX_RECORD_BYTES + 1)[:MAX_RECORD_BYTES]


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("notebook")
    p.add_argument("--result-fd", type=int, required=True)
    p.add_argument("--records", required=True)
    p.add_argument("--cell-timeout", type=int, default=120)
    p.add_argument("--notebook-timeout", type=int, default=600)
    p.add_argument("--max-output-bytes", type=int, default=2_000_000)
    a = p.parse_args(argv)
    os.set_inheritable(a.result_fd, False)  # the kernel this process starts must not hold it
    with os.fdopen(a.result_fd, "wb") as channel:
        nb = nbformat.read(a.notebook, as_version=4)
        try:
            status = execute(nb, workdir=".", cell_timeout=a.cell_timeout, notebook_timeout=a.notebook_timeout,
                             max_output_bytes=a.max_output_bytes)
        except Exception:  # the kernel could not even start
            status = {"status": "error", "detail": ""}
        executed = nbformat.writes(nb).encode()
        if len(executed) <= MAX_EXECUTED_BYTES:
            send(channel, "executed.ipynb", executed)
        for name, data in _records(Path(a.records)):
            send(channel, f"records/{name}", data)
        send(channel, "status.json", json.dumps(status).encode())


if __name__ == "__main__":
    main()
