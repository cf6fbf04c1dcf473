"""Preview how the results pages would show the records in a folder, e.g. a dry run's.

    python tools/run_full.py --dry-run --out /tmp/r   # two steps of every full configuration
    python tools/preview_results.py /tmp/r            # -> /tmp/r/_preview/index.html

The course site (``make book``) reads only ``results/`` and leaves smoke-test records out, so
that a two-step number can never be published.  This builds a separate small site of the
chapters' own results pages (``book/<chapter>/results.md``, with the same Sphinx directives from
``book/_ext/course.py``) over the records of any folder laid out like ``results/``
(``<chapter>/<notebook>-<scale>.json`` and ``<chapter>/<notebook>-<name>-<scale>.png``).  Smoke
records are shown, each labelled "smoke test, two steps: not a result", under a banner saying the
pages are a preview.  Nothing is written outside ``FOLDER/_preview``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RECORDS = "records"  # where the folder's chapters are copied inside the preview's source


BANNER = ("A preview, not the course site.  Records marked \"smoke test\" come from two training steps of "
          "the full configuration: they prove the code runs, and their numbers mean nothing.")


def chapters(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.json")))


def index(folder: Path) -> str:
    """The preview's front page: the banner, then each chapter's results page."""
    lines = [f"Preview of the records in {folder}", "=" * 80, "", f".. warning:: {BANNER}", ""]
    found = chapters(folder)
    if not found:
        lines += [f"No chapter folder in {folder} holds a record (``<chapter>/<notebook>-<scale>.json``).", ""]
    lines += [".. toctree::", "   :maxdepth: 1", "", *(f"   {chapter}" for chapter in found), ""]
    return "\n".join(lines)


def results_page(chapter: str) -> str:
    """The chapter's own results page (book/<chapter>/results.md), or a bare table where it has none."""
    page = ROOT / "book" / chapter / "results.md"
    if page.is_file():
        return page.read_text(encoding="utf-8")
    return f"# {chapter}\n\n```{{results-table}} {chapter}\n```\n"


def build(folder: Path, *, show_smoke: bool = True) -> Path:
    """Build FOLDER/_preview/index.html and a page per chapter (<chapter>.html); returns the front
    page.  ``show_smoke=False`` builds it as the course site would, smoke records left out."""
    from sphinx.cmd.build import build_main  # the course's venv has Sphinx (Jupyter Book's)

    out = folder / "_preview"
    myst = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["parse"]["myst_enable_extensions"]
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp)
        shutil.copytree(folder, src / RECORDS, ignore=shutil.ignore_patterns("_preview"))
        (src / "index.rst").write_text(index(folder), encoding="utf-8")
        for chapter in chapters(folder):
            (src / f"{chapter}.md").write_text(f"```{{warning}}\n{BANNER}\n```\n\n" + results_page(chapter),
                                               encoding="utf-8")
        (src / "conf.py").write_text(
            "import sys\n"
            f"sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
            "extensions = ['course', 'myst_parser', 'sphinx.ext.mathjax']\n"
            f"myst_enable_extensions = {myst!r}  # the course site's, from _config.yml\n"
            "suppress_warnings = ['myst.xref_missing', 'myst.header']\n"
            f"project = {'Preview of ' + folder.name!r}\n"
            f"course_results_dir = {RECORDS!r}\n"
            f"course_show_smoke = {show_smoke}\n", encoding="utf-8")
        status = build_main(["-q", "-b", "html", "-d", str(src / "_doctrees"), str(src), str(out)])
    if status != 0:
        raise SystemExit(f"the preview of {folder} did not build (Sphinx exit {status})")
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="a folder laid out like results/, e.g. run_full.py's --out")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    if not folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    print(build(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
