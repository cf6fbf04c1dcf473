"""The student site: it builds without warnings, leaks no solution, and renders offline.

The site is built once per session (module fixture, a clean build so that every warning shows).
All tests share that build, so they run in one xdist worker (group "site").
Screenshots of the pages checked in a browser are left in _build/screenshots/.
"""
from __future__ import annotations

import functools
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

from .conftest import browser  # noqa: F401  (fixture)

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
HTML = BUILD / "html"
SHOTS = BUILD / "screenshots"
RESULTS = ROOT / "results"
FORBIDDEN = ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "autograder.checks"]
# Every other file is scanned as text (.html, .ipynb, .txt, .js, the .md page sources, ...).
BINARY = {".png", ".jpg", ".jpeg", ".gif", ".ico", ".svg", ".woff", ".woff2", ".ttf", ".eot", ".mo", ".inv", ".pdf"}
MIN_LEAK_LINE = 25  # solution lines at least this long must not appear on the site
LOCAL_HOSTS = {"127.0.0.1", "localhost"}

pytestmark = pytest.mark.xdist_group("site")


def _jupyter_book() -> str:
    exe = Path(sys.executable).with_name("jupyter-book")
    return str(exe) if exe.exists() else (shutil.which("jupyter-book") or "jupyter-book")


@pytest.fixture(scope="session")  # session: xdist may interleave other modules, which would rebuild a module fixture
def site():
    """Build the site from scratch, exactly as `make book` does; returns the finished process."""
    for stale in (HTML, BUILD / ".doctrees", BUILD / "jupyter_execute", SHOTS):
        shutil.rmtree(stale, ignore_errors=True)
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        [_jupyter_book(), "build", ".", "--warningiserror", "--nitpick", "--keep-going", "--builder", "html"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return proc


@pytest.fixture(scope="session")  # session: xdist may interleave other modules, which would rebuild a module fixture
def built(site):
    if site.returncode != 0:
        pytest.fail("the site did not build:\n" + (site.stdout + site.stderr)[-6000:])
    return HTML


# --------------------------------------------------------------------------- (a) build

def test_build_succeeds_with_warnings_as_errors(site):
    output = site.stdout + site.stderr
    assert site.returncode == 0, output[-6000:]
    assert "build succeeded" in output
    assert not re.search(r"\bWARNING\b", output), output[-6000:]
    for page in ["book/intro.html", "book/ch01_attention/lecture.html", "book/ch01_attention/results.html",
                 "book/instructors.html", "assignments/ch01_attention/01a_date_translation.html"]:
        assert (HTML / page).is_file(), page
    assert (HTML / "mathjax" / "tex-chtml.js").is_file(), "vendored MathJax missing from the site"


def test_only_toc_pages_are_built(built):
    """Nothing from the instructor-only folders, nor anything outside the toc, is rendered."""
    for path in built.rglob("*"):
        rel = path.relative_to(built).as_posix()
        for private in ("solutions", "autograder", "tests/", "tools/", "attncourse/", ".venv", "node_modules"):
            assert private not in rel, f"{rel} should not be on the site"


# --------------------------------------------------------------------------- (b) leaks

def _strip(line: str) -> str:
    return " ".join(line.split())


def _regions(source: str):
    """Yield (line, inside) for each line of a code cell; inside = in a solution or hidden-test region."""
    inside = False
    for line in source.splitlines():
        marker = line.strip()
        if re.match(r"#+\s*BEGIN (SOLUTION|HIDDEN TESTS)", marker):
            inside = True
            continue
        if re.match(r"#+\s*END (SOLUTION|HIDDEN TESTS)", marker):
            inside = False
            continue
        yield line, inside


def _code_cells(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            src = cell.get("source", "")
            yield "".join(src) if isinstance(src, list) else src


def solution_only_lines() -> set[str]:
    """Non-trivial lines that occur only inside solution/hidden-test regions of solutions/**/*.ipynb."""
    inside, outside = set(), set()
    for path in sorted((ROOT / "solutions").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        for source in _code_cells(path):
            for line, is_inside in _regions(source):
                (inside if is_inside else outside).add(_strip(line))
    for path in sorted((ROOT / "assignments").rglob("*.ipynb")):  # given code is public anyway
        for source in _code_cells(path):
            outside.update(_strip(line) for line in source.splitlines())
    return {line for line in inside - outside if len(line) > MIN_LEAK_LINE}


def _texts(path: Path) -> list[str]:
    """The forms of a built file to scan: raw, and for HTML/notebooks the plain text a reader sees."""
    raw = path.read_text(encoding="utf-8", errors="replace")
    texts = [raw]
    if path.suffix == ".html":
        texts.append(html.unescape(re.sub(r"<[^>]+>", "", raw)))
    elif path.suffix == ".ipynb":
        try:
            nb = json.loads(raw)
            texts.append("\n".join("".join(c.get("source", "")) for c in nb.get("cells", [])))
        except ValueError:
            pass
    return [" ".join(t.split()) for t in texts]


def find_leaks(root: Path, lines: set[str]) -> list[str]:
    leaks = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix.lower() in BINARY:
            continue
        texts = _texts(path)
        rel = path.relative_to(root).as_posix()
        for word in FORBIDDEN:
            if any(word in t for t in texts):
                leaks.append(f"{rel}: {word!r}")
        for line in lines:
            if any(line in t for t in texts):
                leaks.append(f"{rel}: solution line {line!r}")
    return leaks


def test_leak_detector_catches_a_planted_solution(tmp_path):
    """The scan itself works: a highlighted solution line in an HTML page is found."""
    lines = solution_only_lines()
    assert lines, "no solution lines found: the leak scan would be vacuous"
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    line = sorted(lines)[0]
    (tmp_path / "page.html").write_text("<html><body>" + highlight(line, PythonLexer(), HtmlFormatter())
                                        + "</body></html>")
    assert find_leaks(tmp_path, {line}), "the leak scan missed a planted solution line"


def test_no_solution_reaches_the_site(built):
    lines = solution_only_lines()
    if any((ROOT / "solutions").rglob("*.ipynb")):
        assert lines, "found no solution lines to look for: has the solution marker format changed?"
    leaks = find_leaks(built, lines)
    assert not leaks, "solution material on the student site:\n" + "\n".join(leaks[:30])


def test_released_notebook_is_the_student_version(built):
    src = built / "_sources" / "assignments" / "ch01_attention" / "01a_date_translation.ipynb"
    assert src.is_file(), "the download button's .ipynb is missing"
    text = src.read_text(encoding="utf-8")
    assert "YOUR CODE HERE" in text and "BEGIN SOLUTION" not in text
    page = (built / "assignments" / "ch01_attention" / "01a_date_translation.html").read_text(encoding="utf-8")
    assert "colab.research.google.com/github/" in page, "no open-in-Colab button"
    assert "01a_date_translation.ipynb" in page, "no download button for the notebook"


# --------------------------------------------------------------------------- (c) syllabus and results

CHAPTERS = [
    (1, "Attention"), (2, "Self-attention"), (3, "Transformers"), (4, "BERT"), (5, "ViT"),
    (6, "TimeSformer"), (7, "MAE"), (8, "ViLT"), (9, "DETR"), (10, "DPT"), (11, "Point transformers"),
]


def _rows(page: str) -> list[str]:
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, flags=re.S)]


def test_syllabus_lists_all_eleven_chapters(built):
    rows = _rows((built / "book" / "intro.html").read_text(encoding="utf-8"))
    for number, keyword in CHAPTERS:
        matching = [r for r in rows if r.startswith(f"{number} ") and keyword in r]
        assert matching, f"chapter {number} ({keyword}) is not in the syllabus"
        # A chapter is "available" exactly when its released notebooks exist; otherwise "coming".
        written = any((ROOT / "assignments").glob(f"ch{number:02d}_*/*.ipynb"))
        assert matching[0].endswith("available" if written else "coming"), f"chapter {number}: {matching[0]}"
    assert (built / "index.html").is_file()


def _records(chapter: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((RESULTS / chapter).glob("*.json"))]


def test_results_table_comes_from_the_records(built):
    page = (built / "book" / "ch01_attention" / "results.html").read_text(encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    records = _records("ch01_attention")
    if not records:
        assert "No results recorded yet" in text
        return
    assert "No results recorded yet" not in text
    for record in records:
        for field in ("notebook", "scale", "device", "commit"):
            assert str(record[field]) in text, f"{field} of {record['notebook']} missing from the results page"
        for metric in record["metrics"]:
            assert metric in text
    for name in {r["notebook"] for r in records}:  # a scale without a record is named, not left out
        if not any(r["notebook"] == name and r["scale"] == "full" for r in records):
            assert re.search(rf"{name} full not recorded", text), f"{name}: no 'full: not recorded' row"


def test_lecture_figures_come_from_results(built):
    page = (built / "book" / "ch01_attention" / "lecture.html").read_text(encoding="utf-8")
    pngs = sorted((RESULTS / "ch01_attention").glob("01a_date_translation-alignment-*.png"))
    if pngs:
        assert re.search(r'<img[^>]+src="[^"]*01a_date_translation-alignment-(small|full)\.png"', page)
    else:
        assert "Figure not recorded yet" in page


# --------------------------------------------------------------------------- (d) in a browser

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")  # session: xdist may interleave other modules, which would rebuild a module fixture
def server(built):
    handler = functools.partial(_Quiet, directory=str(built))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _visit(browser, url: str, shot: str):
    """Open a page offline; returns (page facts, requests made, failed requests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    requests, failed = [], []

    def guard(route):
        host = urlparse(route.request.url).hostname
        if urlparse(route.request.url).scheme in ("http", "https") and host not in LOCAL_HOSTS:
            route.abort()  # never touch the network, but remember that the page tried
        else:
            route.continue_()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
            and failed.append(f"{r.url} (HTTP {r.status})"))
    page.goto(url, wait_until="load")
    n_math = 0
    if page.evaluate("() => !!document.querySelector('script[src*=\"mathjax\"]')"):  # only pages with math
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
        n_math = page.evaluate(
            "() => MathJax.startup.promise.then(() => document.querySelectorAll('mjx-container').length)")
    page.evaluate("() => document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    images = page.evaluate("""() => Array.from(document.images).map(i => ({
        src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0}))""")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / shot), full_page=True)
    context.close()
    return {"math": n_math, "images": images}, requests, failed


@pytest.mark.parametrize("path, shot, math, figure", [
    ("book/ch01_attention/lecture.html", "ch01_lecture.png", True, "01a_date_translation-alignment"),
    ("assignments/ch01_attention/01a_date_translation.html", "ch01_01a_notebook.png", True, None),
    ("book/ch01_attention/results.html", "ch01_results.png", False, "01a_date_translation-alignment"),
    ("book/intro.html", "intro.png", False, None),
])
def test_page_renders_offline(browser, server, path, shot, math, figure):
    facts, requests, failed = _visit(browser, f"{server}/{path}", shot)
    outside = [u for u in requests
               if urlparse(u).scheme in ("http", "https") and urlparse(u).hostname not in LOCAL_HOSTS]
    assert not outside, f"requests left the machine: {outside}"
    assert not failed, f"requests failed: {failed}"
    if math:
        assert facts["math"] > 0, "MathJax typeset no math"
        fonts = [u for u in requests if "/mathjax/output/chtml/fonts/woff-v2/" in u]
        assert fonts, "MathJax loaded no font from the vendored copy"
    broken = [i["src"] for i in facts["images"] if not i["ok"]]
    assert not broken, f"images that did not load: {broken}"
    if figure and any((RESULTS / "ch01_attention").glob(f"{figure}-*.png")):
        assert any(figure in i["src"] for i in facts["images"]), f"figure {figure} not on the page"
    size = (SHOTS / shot).stat().st_size
    assert size > 30_000, f"screenshot {shot} is only {size} bytes: is the page blank?"
