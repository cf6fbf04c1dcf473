"""Hostile submissions: the sandbox holds and no tampering earns a point.

Every attack is one student of a single class, graded once by the real
command.  Isolation probes are written so that they would *earn* a point if
the attack worked: a score of 0 proves the sandbox held.  Attacks stay
bounded (a few GiB asked for, a bounded number of forks, short sleeps).
"""
from __future__ import annotations

import json
import random
import socket
import subprocess
import threading

import nbformat
import pytest

from .conftest import ROOT, read_csv, run_grader
from .submissions import fill, write_student

pytestmark = pytest.mark.xdist_group("security")
NB = "01a_date_translation"
CORRECT_DOT = "torch.bmm(keys, query.unsqueeze(-1)).squeeze(-1)"
WRONG_DOT = "def dot_product_score(query, keys):\n    return keys.sum(-1)\n"


def probe(attack: str) -> str:
    """A dot_product_score that is right only if ``attack`` succeeds inside the sandbox."""
    body = "\n".join("        " + line for line in attack.strip().splitlines())
    return (f"def dot_product_score(query, keys):\n    try:\n{body}\n"
            f"        return {CORRECT_DOT}\n    except Exception:\n        return torch.zeros(keys.shape[:2])\n")


def tamper(prefix: str, implementation: str = WRONG_DOT) -> str:
    return prefix.strip() + "\n\n" + implementation


@pytest.fixture(scope="session")  # session: xdist may interleave other modules, which would rebuild a module fixture
def server():
    """A TCP server on the host's loopback that a sandboxed kernel must not reach."""
    # A port below the ephemeral range: inside the sandbox the kernel's own ZMQ sockets listen on
    # ephemeral ports of its private loopback, and a host port that happened to equal one of them
    # made this probe connect (to the kernel itself) once in a few thousand runs.
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    sock = socket.socket()
    for port in random.Random().sample(range(10_000, low), 500):
        try:
            sock.bind(("127.0.0.1", port))
            break
        except OSError:
            continue
    sock.listen(8)
    sock.settimeout(0.5)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
                conn.close()
            except OSError:
                pass

    threading.Thread(target=serve, daemon=True).start()
    yield sock.getsockname()[1]
    stop.set()
    sock.close()


@pytest.fixture(scope="session")  # session: xdist may interleave other modules, which would rebuild a module fixture
def graded(tmp_path_factory, env, server):
    base = tmp_path_factory.mktemp("security")
    subs, out = base / "subs", base / "out"
    secret = base / "instructor-secret.txt"
    secret.write_text("secret")
    written = base / "written-by-student.txt"
    students = {
        # isolation: each would earn test_dot_product_score if it worked
        "reads-solutions": probe(f"open({str(ROOT / 'solutions' / 'ch01_attention' / (NB + '.ipynb'))!r}).read()"),
        "reads-gradebook": probe(f"open({str(out / 'gradebook.db')!r}, 'rb').read()"),
        "reads-other-student": probe(f"open({str(subs / 'reference' / (NB + '.ipynb'))!r}).read()"),
        "reads-instructor-file": probe(f"open({str(secret)!r}).read()"),
        "imports-oracle": probe("import autograder.checks.core"),
        "reads-oracle-source": probe(f"open({str(ROOT / 'autograder' / 'checks' / 'core.py')!r}).read()"),
        "network-host-loopback": probe(f"import socket\nsocket.create_connection(('127.0.0.1', {server}), timeout=3).close()"),
        "network-internet": probe("import socket\nsocket.create_connection(('1.1.1.1', 53), timeout=3).close()"),
        "writes-outside": probe(f"open({str(written)!r}, 'w').write('x')"),
        # integrity: a wrong implementation plus tampering must still score 0
        "patches-allclose": tamper("torch.allclose = lambda *a, **k: True\nimport numpy\nnumpy.allclose = lambda *a, **k: True\n"
                                   "torch.Tensor.__eq__ = lambda *a, **k: True"),
        "patches-builtins": tamper("import builtins\nbuiltins.isinstance = lambda *a: True\nbuiltins.len = lambda x: 0"),
        "disables-check": tamper("import autograder.checks as C\nC.check = lambda *a, **k: None"),
        "replaces-check-module": tamper("import sys, types\nsys.modules['autograder.checks'] = types.SimpleNamespace(check=lambda *a, **k: None)"),
        "forges-record": tamper("import os, numpy as np\nimport autograder.checks as C\n"
                                "np.savez(os.path.join(os.environ['AUTOGRADER_RECORDS'], 'ch01.dot_product_score.npz'), "
                                "**{'__error__': np.array(''), '0/scores': np.zeros((3, 5))})\nC.check = lambda *a, **k: None"),
        "fake-tensor": "class Always(torch.Tensor):\n    def __eq__(self, other):\n        return True\n\n"
                       "def dot_product_score(query, keys):\n    return torch.zeros(keys.shape[:2]).as_subclass(Always)\n",
        "exits-kernel": "import os\nos._exit(0)\n",
        "kills-runner": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n",
        "memory-bomb": tamper("try:\n    hog = bytearray(6 * 2**30)\nexcept MemoryError:\n    hog = None",
                              f"def dot_product_score(query, keys):\n    return {CORRECT_DOT}\n"),
        "fork-bomb": tamper("import os, time\nfor _ in range(200):\n    try:\n        if os.fork() == 0:\n"
                            "            time.sleep(3)\n            os._exit(0)\n    except OSError:\n        break",
                            f"def dot_product_score(query, keys):\n    return {CORRECT_DOT}\n"),
        "leaves-daemon": tamper("import subprocess\nsubprocess.Popen(['sleep', '271'], start_new_session=True)",
                                f"def dot_product_score(query, keys):\n    return {CORRECT_DOT}\n"),
        "infinite-loop": "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n",
        "floods-output": tamper("print('x' * 100_000_000)", f"def dot_product_score(query, keys):\n    return {CORRECT_DOT}\n"),
    }
    write_student(subs, "reference", {NB: fill("ch01_attention", NB)})
    for student, code in students.items():
        write_student(subs, student, {NB: fill("ch01_attention", NB, {"dot_product_score": code})})
    # Test cells edited or deleted, with a wrong implementation
    edited = fill("ch01_attention", NB, {"dot_product_score": WRONG_DOT})
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "test_dot_product_score":
            cell.source = "pass"
    write_student(subs, "edits-test-cell", {NB: edited})
    deleted = fill("ch01_attention", NB, {"dot_product_score": WRONG_DOT})
    deleted.cells = [c for c in deleted.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test_dot_product_score"]
    write_student(subs, "deletes-test-cell", {NB: deleted})
    # A cell inserted just before the test, tampering with what the test will use
    inserted = fill("ch01_attention", NB, {"dot_product_score": WRONG_DOT})
    at = next(i for i, c in enumerate(inserted.cells)
              if c.metadata.get("nbgrader", {}).get("grade_id") == "test_dot_product_score")
    inserted.cells.insert(at, nbformat.v4.new_code_cell(
        "import sys, types, torch\ntorch.allclose = lambda *a, **k: True\n"
        "sys.modules['autograder.checks'] = types.SimpleNamespace(check=lambda *a, **k: None)"))
    write_student(subs, "inserts-cell", {NB: inserted})
    result = run_grader("ch01_attention", subs, out, env, "--workers", "2", "--cell-timeout", "20",
                        "--memory", "3G", "--processes", "48")
    assert result.returncode == 0, result.stderr[-3000:]
    return {"out": out, "written": written}


def _test(out, student, grade_id="test_dot_product_score"):
    rows = [r for r in read_csv(out / "tests.csv") if r["student_id"] == student and r["grade_id"] == grade_id]
    assert len(rows) == 1, f"no single row for {student}/{grade_id}"
    return rows[0]


def _grade(out, student):
    return next(r for r in read_csv(out / "grades.csv") if r["student_id"] == student)


def test_reference_gets_full_marks(graded):
    assert float(_grade(graded["out"], "reference")["score"]) == 10


@pytest.mark.parametrize("student", ["reads-solutions", "reads-gradebook", "reads-other-student", "reads-instructor-file",
                                     "imports-oracle", "reads-oracle-source", "network-host-loopback",
                                     "network-internet", "writes-outside"])
def test_isolation_probe_fails(graded, student):
    row = _test(graded["out"], student)
    assert float(row["score"]) == 0, f"{student}: the attack worked inside the sandbox"


def test_nothing_written_outside_the_sandbox(graded):
    assert not graded["written"].exists()
    assert not (ROOT / "pwned.txt").exists()


@pytest.mark.parametrize("student", ["patches-allclose", "patches-builtins", "disables-check", "replaces-check-module",
                                     "forges-record", "fake-tensor", "edits-test-cell", "deletes-test-cell",
                                     "inserts-cell"])
def test_tampering_earns_nothing(graded, student):
    assert float(_test(graded["out"], student)["score"]) == 0


def test_fake_tensor_is_named(graded):
    assert "not a torch.Tensor" in _test(graded["out"], "fake-tensor")["status"]


@pytest.mark.parametrize("student,flag", [("edits-test-cell", "edited cell test_dot_product_score restored"),
                                          ("deletes-test-cell", "deleted cell test_dot_product_score restored")])
def test_restored_cells_are_flagged_for_review(graded, student, flag):
    flags = _grade(graded["out"], student)["flags"]
    assert flag in flags and flags.startswith("REVIEW")


@pytest.mark.parametrize("student", ["exits-kernel", "kills-runner", "infinite-loop"])
def test_dead_or_hung_kernels_score_zero_and_are_flagged(graded, student):
    grade = _grade(graded["out"], student)
    assert float(grade["score"]) == 0
    assert grade["flags"].startswith("REVIEW"), grade


def test_infinite_loop_hits_the_cell_time_limit(graded):
    assert "cell-timeout" in _grade(graded["out"], "infinite-loop")["flags"]


@pytest.mark.parametrize("student", ["memory-bomb", "fork-bomb", "leaves-daemon", "floods-output"])
def test_bounded_abuse_is_contained_and_the_work_still_graded(graded, student):
    assert float(_grade(graded["out"], student)["score"]) == 10


def test_output_flood_is_truncated_and_flagged(graded):
    assert "output limit reached" in _grade(graded["out"], "floods-output")["flags"]
    executed = graded["out"] / "runs" / "floods-output" / NB / "executed.ipynb"
    assert executed.stat().st_size < 5_000_000


def test_no_process_outlives_grading(graded):
    # The daemon a submission started in its own session must be gone.  (Other tests' sandboxes
    # may be running in parallel, so only this attack's marker process is looked for.)
    ps = subprocess.run(["ps", "-eo", "args="], capture_output=True, text=True).stdout
    assert "sleep 271" not in ps


def test_feedback_never_shows_hidden_tests_or_oracles(graded):
    for page in (graded["out"] / "feedback").rglob("*.html"):
        text = page.read_text()
        for secret in ("BEGIN HIDDEN TESTS", "autograder.checks import", "make_cases", "_reference_arrays", "SPECS"):
            assert secret not in text, f"{page}: {secret}"
