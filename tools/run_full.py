"""Run the chapters' full scale on a GPU machine, without Jupyter (``make results-full``).

    python tools/run_full.py                      # every solution notebook, at ATTNCOURSE_SCALE=full
    python tools/run_full.py --chapter ch04_bert  # one chapter (repeatable)
    python tools/run_full.py --notebook 03b_char_lm --notebook 04b_pretraining_and_finetuning
    python tools/run_full.py --list               # what would run, with time estimates, then stop
    python tools/run_full.py --check              # which modules the notebooks import are missing here
    python tools/run_full.py --dry-run --out DIR  # the suite's smoke test: two steps each, records in DIR
    python tools/preview_results.py DIR           # ... and the results pages showing them (labelled smoke)
    python tools/run_full.py --nproc 4            # each notebook under torchrun on 4 GPUs (DDP in attncourse.train)

Each notebook's code cells become one plain Python script (IPython calls stubbed out, hidden
tests left out: they belong to the suite, and their checks need packages a bare GPU machine may
lack), run in its own process, in the notebook's order.  A notebook writes its own record through
``attncourse.results.Run`` when it ends, so a run cut short (the GPU's time ran out) still leaves
honest records of the notebooks that finished.  A table of what ran is printed at the end.

Only Python, PyTorch (2.11 or later) and the notebooks' own imports are needed: no Jupyter,
nbformat or nbconvert (a notebook is JSON).
"""
from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Planning estimates of one full-scale run on one H100/H200-class GPU, in minutes: the chapter
# issues' budget (at most 10 min a chapter), not measurements.  Replace one with the measured wall
# time once a record exists (`wall_time_s` in results/<chapter>/<notebook>-full.json).
ESTIMATE_MIN = {
    "01a_date_translation": 3, "01b_show_attend_tell": 5,
    "02a_self_attention_layers": 3, "02b_cost_and_nonlocal": 3,
    "03a_transformer_blocks": 4, "03b_char_lm": 6,
    "04a_wordpiece_and_pairs": 1, "04b_pretraining_and_finetuning": 8,
    "05a_vision_transformer": 4, "05b_inductive_bias": 7,
    "06a_space_time_attention": 6, "06b_nonlocal_video": 3,
    "07a_masked_autoencoder": 8, "07b_visual_tokens": 3,
    "08a_vilt": 7, "08b_video_text": 3,
    "09a_set_prediction": 1, "09b_small_detr": 9,
    "10a_dense_metrics": 2, "10b_dpt": 8,
    "11a_point_attention": 3, "11b_part_segmentation": 7,
}
HIDDEN = re.compile(r"^### BEGIN HIDDEN TESTS$.*?^### END HIDDEN TESTS$\n?", re.M | re.S)
PRELUDE = '''\
def get_ipython():  # a plain Python run has no IPython: the only magic the notebooks use installs the course
    raise RuntimeError("install the course's package first: pip install -e . (from the course repository)")


'''


def notebooks(chapters: list[str], names: list[str]) -> list[Path]:
    paths = sorted((ROOT / "solutions").glob("ch*/*.ipynb"))
    if chapters:
        paths = [p for p in paths if p.parent.name in chapters]
    if names:
        paths = [p for p in paths if p.stem in names]
    return paths


def to_script(path: Path) -> str:
    """The notebook's code cells as one script: hidden tests removed, IPython stubbed."""
    cells = json.loads(path.read_text())["cells"]
    code = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = HIDDEN.sub("", "".join(cell["source"]))
        lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
        code.append("\n".join(lines))
    return PRELUDE + "\n\n".join(code) + "\n"


def missing_modules(paths: list[Path]) -> dict[str, list[str]]:
    """Top-level modules the notebooks import that this Python cannot find: module -> notebooks."""
    missing: dict[str, list[str]] = {}
    for path in paths:
        tree = ast.parse(to_script(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                mods = [node.module]
            else:
                continue
            for mod in mods:
                top = mod.split(".")[0]
                if importlib.util.find_spec(top) is None:
                    missing.setdefault(top, []).append(path.stem)
    return missing


def run(path: Path, *, out: Path, dry_run: bool, timeout: float, nproc: int = 1) -> tuple[str, float]:
    env = os.environ | {"ATTNCOURSE_SCALE": "full", "ATTNCOURSE_RESULTS": str(out), "MPLBACKEND": "Agg",
                        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    env.pop("NBGRADER_EXECUTION", None)
    if dry_run:
        env["ATTNCOURSE_SMOKE"] = "1"
    with tempfile.NamedTemporaryFile("w", suffix=f"-{path.stem}.py", delete=False) as f:
        f.write(to_script(path))
    started = time.perf_counter()
    try:
        launch = [sys.executable] if nproc == 1 else [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(nproc)]
        done = subprocess.run([*launch, f.name], cwd=path.parent, env=env, timeout=timeout)
        status = "ok" if done.returncode == 0 else f"failed (exit {done.returncode})"
    except subprocess.TimeoutExpired:
        status = f"stopped after {timeout:.0f} s"
    finally:
        os.unlink(f.name)
    return status, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapter", action="append", default=[], help="e.g. ch04_bert (repeatable)")
    parser.add_argument("--notebook", action="append", default=[], help="e.g. 03b_char_lm (repeatable)")
    parser.add_argument("--list", action="store_true", help="show what would run and the estimates, run nothing")
    parser.add_argument("--check", action="store_true", help="list the modules the notebooks need and this Python lacks")
    parser.add_argument("--dry-run", action="store_true", help="smoke test: two training steps each (ATTNCOURSE_SMOKE=1)")
    parser.add_argument("--out", type=Path, default=ROOT / "results", help="where records go (default: results/)")
    parser.add_argument("--timeout-min", type=float, default=30.0, help="stop a notebook after this many minutes")
    parser.add_argument("--nproc", type=int, default=1, help="processes (GPUs) per notebook, under torchrun")
    args = parser.parse_args(argv)

    paths = notebooks(args.chapter, args.notebook)
    if not paths:
        parser.error("no solution notebook matches --chapter/--notebook")
    if args.dry_run and args.out.resolve() == (ROOT / "results").resolve():
        parser.error("--dry-run records nothing real: give it an --out folder outside results/")
    total = sum(ESTIMATE_MIN.get(p.stem, 10) for p in paths)
    print(f"{len(paths)} notebook(s) at full scale, about {total} min on one GPU (planning estimates):")
    for p in paths:
        print(f"  {p.parent.name + '/' + p.stem:<52} ~{ESTIMATE_MIN.get(p.stem, 10)} min")
    missing = missing_modules(paths)
    for mod, users in sorted(missing.items()):
        print(f"missing module {mod!r}, imported by {', '.join(sorted(set(users)))}")
    if args.check:
        return 1 if missing else 0
    if args.list:
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for p in paths:
        print(f"\n=== {p.parent.name}/{p.stem} (full{', dry run' if args.dry_run else ''}) ===", flush=True)
        status, seconds = run(p, out=args.out, dry_run=args.dry_run, timeout=60 * args.timeout_min, nproc=args.nproc)
        record = args.out / p.parent.name / f"{p.stem}-full.json"
        rows.append((f"{p.parent.name}/{p.stem}", status, seconds, record if record.is_file() else None))
    print(f"\n{'notebook':<52} {'status':<24} {'minutes':>7}  record")
    for name, status, seconds, record in rows:
        print(f"{name:<52} {status:<24} {seconds / 60:>7.1f}  {record or '-'}")
    if args.dry_run:
        print(f"\nhow the results pages show these records: python tools/preview_results.py {args.out}")
    return 0 if all(status == "ok" for _, status, _, _ in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
