"""Record what a notebook run measured, so the book quotes real runs only.

Each record is ``<folder>/<chapter>/<notebook>-<scale>.json`` with the metrics,
the wall time, the device, the scale, the commit and the library versions.

A student's run writes to ``my_results/`` (git-ignored), never over the course's recorded
reference in ``results/``: only ``make results`` (which sets ``ATTNCOURSE_RESULTS``) records
there.  :meth:`Run.save` ends every notebook with the student's run beside the recorded
reference and the target.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import time
from pathlib import Path

import torch

from .scale import SCALE, SMOKE, is_autograding


def repo_root(start: Path | None = None) -> Path | None:
    """The course checkout that holds ``results/``, or None outside one."""
    for d in [start or Path.cwd(), *(start or Path.cwd()).parents]:
        if (d / "results").is_dir() and (d / "_config.yml").is_file():
            return d
    return None


def _rank() -> int:
    return int(os.environ.get("RANK", "0"))


def device_name() -> str:
    if torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"CPU ({platform.machine()}, {torch.get_num_threads()} threads)"


def _commit(root: Path) -> str:
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10).stdout.strip()
        # the run's own figures and records are not the code it ran: changes under results/ do not count
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                                ":(exclude)results", ":(exclude)my_results"], cwd=root,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return (sha + ("-dirty" if dirty else "")) or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


class Run:
    """Times a notebook from its creation; ``save`` writes the record.

    >>> run = Run("ch01_attention", "01a_date_translation")
    >>> run.save({"accuracy": 0.97})  # doctest: +SKIP
    """

    def __init__(self, chapter: str, notebook: str):
        self.chapter, self.notebook = chapter, notebook
        self.started = time.perf_counter()

    def folder(self) -> Path:
        """``$ATTNCOURSE_RESULTS/<chapter>``, else ``my_results/<chapter>`` of the checkout (or of the cwd)."""
        if "ATTNCOURSE_RESULTS" in os.environ:
            base = Path(os.environ["ATTNCOURSE_RESULTS"])
        else:
            root = repo_root()
            base = root / "my_results" if root else Path("my_results")
        folder = base / self.chapter
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def save_figure(self, fig, name: str) -> Path | None:
        """Save a figure the book can show, beside the run's record (not while autograding or smoke-testing)."""
        if is_autograding() or SMOKE or _rank() != 0:
            return None
        path = self.folder() / f"{self.notebook}-{name}-{SCALE}.png"
        fig.savefig(path, dpi=110, bbox_inches="tight", metadata={"Software": None})
        return path

    def save(self, metrics: dict, *, targets: dict | None = None) -> Path | None:
        """Write the record; returns its path (None while autograding, which records nothing).

        A smoke test of the full configuration (two training steps) records nothing and asserts
        no target: it only proves that the full configuration runs."""
        if is_autograding() or _rank() != 0:  # under torchrun, rank 0 records for all
            return None
        if SMOKE:
            return self._save_smoke(metrics)
        reference = self.reference()  # read before anything is written: `make results` replaces it
        path = self._write(metrics, targets=targets or {})
        print(comparison(metrics, targets or {}, reference))
        missed = {k: (metrics.get(k), t) for k, t in (targets or {}).items() if not metrics.get(k, float("-inf")) >= t}
        if missed:  # recorded all the same: a missed target is a result too
            raise AssertionError("targets missed (metric, target): " +
                                 ", ".join(f"{k} = {m} < {t}" for k, (m, t) in missed.items()))
        return path

    def _write(self, metrics: dict, **extra) -> Path:
        """``<folder>/<notebook>-<scale>.json``: the metrics, ``extra`` fields and the run's provenance."""
        root = repo_root()
        record = {
            "chapter": self.chapter,
            "notebook": self.notebook,
            "scale": SCALE,
            "metrics": metrics,
            **extra,
            "wall_time_s": round(time.perf_counter() - self.started, 1),
            "device": device_name(),
            "commit": _commit(root) if root else "unknown",
            "torch": torch.__version__,
            "python": platform.python_version(),
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        path = self.folder() / f"{self.notebook}-{SCALE}.json"
        path.write_text(json.dumps(record, indent=2) + "\n")
        return path

    def _save_smoke(self, metrics: dict) -> Path | None:
        """A smoke test's record (two steps: its numbers mean nothing), marked ``"smoke": true``, and
        written only to an explicit ATTNCOURSE_RESULTS outside the course's results/ (the site skips it)."""
        out, root = os.environ.get("ATTNCOURSE_RESULTS"), repo_root()
        if not out or (root and Path(out).resolve() == (root / "results").resolve()):
            print(f"smoke test of the {SCALE} configuration: {len(metrics)} metrics computed, nothing recorded")
            return None
        path = self._write(metrics, smoke=True)
        print(f"smoke test of the {SCALE} configuration: {len(metrics)} metrics computed, recorded to {path} (not a result)")
        return path

    def reference(self) -> dict | None:
        """The course's recorded run of this notebook at this scale (``results/`` of the checkout), if any."""
        root = repo_root()
        path = root / "results" / self.chapter / f"{self.notebook}-{SCALE}.json" if root else None
        try:
            return json.loads(path.read_text()) if path else None
        except (OSError, ValueError):
            return None


def comparison(metrics: dict, targets: dict, reference: dict | None) -> str:
    """A table: each target's metric in this run, in the recorded reference, the target, met or not."""
    where = (f"recorded reference ({reference.get('device', '?')}, commit {reference.get('commit', '?')})"
             if reference else "no recorded reference here (see the chapter's results page)")
    lines = [f"{'metric':<36} {'your run':>10} {'reference':>10} {'target':>8}  met", "-" * 74]
    for name, target in targets.items():
        mine = metrics.get(name)
        ref = (reference or {}).get("metrics", {}).get(name)
        met = "yes" if mine is not None and mine >= target else "NO"
        lines.append(f"{name:<36} {_fmt(mine):>10} {_fmt(ref):>10} {_fmt(target):>8}  {met}")
    return "\n".join([f"Your run beside the {where}:", *lines])


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    return f"{value:.4g}" if isinstance(value, float) else str(value)
