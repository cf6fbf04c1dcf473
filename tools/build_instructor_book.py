"""Build the instructor site: the student site plus the executed solution notebooks.

    python tools/build_instructor_book.py            # or: make book-instructor
    python tools/build_instructor_book.py --strict   # fail on any Sphinx warning, like `make book`

Output: _build/instructor/html.  NEVER PUBLISH IT: it shows the reference solutions and the
hidden tests.  The pages, _config.yml and _toc.yml of the student site are reused; this script
writes a derived config and toc into _build/instructor/ that

* add a part "Instructors only: solutions" listing every solutions/<chapter>/*.ipynb;
* stop excluding solutions/ from the build;
* execute the solution notebooks (only those) at ATTNCOURSE_SCALE=small, with PYTHONPATH set to
  the repository root so the hidden tests can import ``autograder``;
* send the runs' records and figures to a scratch folder, so results/ is never touched;
* put a "do not publish" banner on every page.

It takes several minutes (every solution notebook trains at the small scale), so CI does not run it.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "_build" / "instructor"
BANNER = "Instructor build: shows the solutions and hidden tests. Do not publish."


def instructor_toc(student_toc: dict) -> dict:
    toc = yaml.safe_load(yaml.safe_dump(student_toc))  # deep copy
    chapters = []
    for notebook in sorted((ROOT / "solutions").glob("ch*/*.ipynb")):
        rel = notebook.relative_to(ROOT).with_suffix("").as_posix()
        chapters.append({"file": rel, "title": f"Solution · {notebook.parent.name}/{notebook.stem}"})
    if chapters:
        toc.setdefault("parts", []).append({"caption": "Instructors only: solutions (executed)",
                                            "chapters": chapters})
    return toc


def instructor_config(student_config: dict, *, timeout: int) -> dict:
    config = yaml.safe_load(yaml.safe_dump(student_config))
    config["title"] = f"{config.get('title', 'Course')} (instructors)"
    config["exclude_patterns"] = [p for p in config.get("exclude_patterns", []) if p != "solutions"]
    config["execute"] = {
        "execute_notebooks": "force",
        "exclude_patterns": ["assignments/*/*.ipynb"],  # released notebooks stay as students get them
        "timeout": timeout,
        "allow_errors": False,
        "raise_on_error": True,
        "run_in_temp": False,  # run where the notebook lives, as an instructor would
        "stderr_output": "show",
    }
    config.setdefault("html", {})["announcement"] = BANNER
    sphinx = config.setdefault("sphinx", {})
    # The derived config lives in _build/instructor/: make local extension paths absolute.
    sphinx["local_extensions"] = {name: str((ROOT / path).resolve())
                                  for name, path in (sphinx.get("local_extensions") or {}).items()}
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="treat Sphinx warnings as errors")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per notebook cell")
    parser.add_argument("--clean", action="store_true", help="remove _build/instructor first")
    args = parser.parse_args(argv)

    if args.clean and OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True, exist_ok=True)
    scratch = OUT / "results-scratch"
    scratch.mkdir(exist_ok=True)

    toc_path, config_path = OUT / "_toc.yml", OUT / "_config.yml"
    toc_path.write_text(yaml.safe_dump(instructor_toc(yaml.safe_load((ROOT / "_toc.yml").read_text())),
                                       sort_keys=False))
    config_path.write_text(yaml.safe_dump(instructor_config(yaml.safe_load((ROOT / "_config.yml").read_text()),
                                                            timeout=args.timeout), sort_keys=False))

    # The kernels that execute the notebooks inherit this environment.
    os.environ["ATTNCOURSE_SCALE"] = "small"
    os.environ["ATTNCOURSE_RESULTS"] = str(scratch)
    os.environ.pop("NBGRADER_EXECUTION", None)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
    os.environ.setdefault("MPLBACKEND", "Agg")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

    from jupyter_book.sphinx import build_sphinx

    started = time.perf_counter()
    result = build_sphinx(
        ROOT, OUT / "html",
        doctreedir=OUT / ".doctrees",
        noconfig=True,
        path_config=str(config_path),
        confoverrides={"external_toc_path": toc_path.as_posix(), "nitpicky": True,
                       "latex_individualpages": False},
        builder="html",
        warningiserror=args.strict,
        keep_going=True,
    )
    seconds = time.perf_counter() - started
    if result != 0:
        print(f"instructor build FAILED after {seconds:.0f} s: {result!r}", file=sys.stderr)
        return 1
    index = OUT / "html" / "index.html"
    if not index.exists():  # jupyter-book's CLI writes this redirect; the API does not
        root = yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
        index.write_text(f'<meta http-equiv="Refresh" content="0; url={root}.html" />\n')
    print(f"instructor site built in {seconds:.0f} s: {index} (do not publish)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
