"""Sphinx extension for the course site: numbers and figures come from recorded runs only.

Directives (MyST syntax)::

    ```{results-table} ch01_attention
    :notebook: 01a_date_translation      (optional: only this notebook's records)
    ```

    ```{results-figure} ch01_attention 01a_date_translation alignment
    :alt: What the decoder looks at
    :scale-name: small                   (optional: default = full if recorded, else small)

    Caption text (optional).
    ```

    ```{chapter-notebooks} ch01_attention
    ```

``results-table`` reads ``results/<chapter>/*.json`` (written by ``attncourse.results.Run.save``)
and ``results-figure`` shows ``results/<chapter>/<notebook>-<name>-<scale>.png`` (written by
``Run.save_figure``).  Where nothing is recorded they say so in an admonition instead of failing,
so the site builds before the first run.  ``chapter-notebooks`` lists the released notebooks of a
chapter (``assignments/<chapter>/*.ipynb``), so a new notebook needs no edit of the pages.

Pages that use these directives are re-read on every build, so new records always show up.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

SCALE_ORDER = ("small", "full")
ENV_KEY = "course_results_docs"


# --------------------------------------------------------------------------- records

def _results_dir(env, chapter: str) -> Path:
    return Path(env.srcdir) / env.config.course_results_dir / chapter


def _scale_key(scale: str) -> tuple[int, str]:
    return (SCALE_ORDER.index(scale) if scale in SCALE_ORDER else len(SCALE_ORDER), scale)


def load_records(env, chapter: str, notebook: str | None = None) -> list[tuple[Path, dict]]:
    """The records of a chapter (optionally of one notebook), sorted by notebook then scale."""
    folder = _results_dir(env, chapter)
    records = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        env.note_dependency(str(path))
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            logger.warning("results record %s is not valid JSON: %s", path, err, type="course", subtype="results")
            continue
        if not isinstance(record, dict) or "notebook" not in record or "metrics" not in record:
            logger.warning("results record %s lacks 'notebook' or 'metrics'", path, type="course", subtype="results")
            continue
        if record.get("smoke") and not env.config.course_show_smoke:
            # a smoke test of the full configuration (two steps) is never a result: only a preview
            # (tools/preview_results.py) shows one, labelled as such
            logger.warning("results record %s is a smoke test, not a result: left out", path,
                           type="course", subtype="results")
            continue
        if notebook is None or record["notebook"] == notebook:
            records.append((path, record))
    records.sort(key=lambda pr: (pr[1]["notebook"], _scale_key(str(pr[1].get("scale", "")))))
    return records


def fmt_value(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)
        if value == int(value) and abs(value) >= 1000:
            return f"{int(value):,}"
        text = f"{value:.4g}"
        return text if any(c in text for c in ".en") else text + ".0"  # 1.0 stays a float
    if value is None:
        return "—"
    return str(value)


def fmt_seconds(value) -> str:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return "unknown"
    if seconds < 120:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(round(seconds), 60)
    if minutes < 120:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


SMOKE_LABEL = "smoke test, two steps: not a result"


def scale_label(record: dict) -> str:
    scale = str(record.get("scale", "?"))
    return f"{scale} ({SMOKE_LABEL})" if record.get("smoke") else scale


def provenance(record: dict) -> str:
    """One line saying where a record comes from."""
    date = str(record.get("date", "unknown date"))[:10]
    return (f"scale {scale_label(record)}, device {record.get('device', 'unknown')}, "
            f"wall time {fmt_seconds(record.get('wall_time_s'))}, commit {record.get('commit', 'unknown')}, "
            f"recorded {date}")


# --------------------------------------------------------------------------- node helpers

def _cell(content) -> nodes.entry:
    entry = nodes.entry()
    if isinstance(content, nodes.Node):
        entry += nodes.paragraph("", "", content)
    else:
        entry += nodes.paragraph(text=str(content))
    return entry


def make_table(header: list[str], rows: list[list], *, title: str | None = None, classes=()) -> nodes.table:
    table = nodes.table(classes=["course-results", *classes])
    if title:
        table += nodes.title(text=title)
    group = nodes.tgroup(cols=len(header))
    table += group
    for _ in header:
        group += nodes.colspec(colwidth=1)
    head = nodes.thead()
    group += head
    row = nodes.row()
    for text in header:
        row += _cell(text)
    head += row
    body = nodes.tbody()
    group += body
    for values in rows:
        row = nodes.row()
        for value in values:
            row += _cell(value)
        body += row
    return table


def missing_note(title: str, text: str) -> nodes.admonition:
    note = nodes.admonition(classes=["attention", "course-no-results"])
    note += nodes.title(text=title)
    note += nodes.paragraph(text=text)
    return note


# --------------------------------------------------------------------------- directives

class _CourseDirective(SphinxDirective):
    def track(self) -> None:
        getattr(self.env, ENV_KEY).add(self.env.docname)


class ResultsTable(_CourseDirective):
    """A table of every recorded run of a chapter: provenance first, then the metrics."""

    required_arguments = 1
    option_spec = {"notebook": directives.unchanged}

    def run(self):
        self.track()
        chapter = self.arguments[0]
        notebook = self.options.get("notebook")
        records = load_records(self.env, chapter, notebook)
        where = f"{self.config.course_results_dir}/{chapter}/"
        if not records:
            what = f"notebook {notebook} of {chapter}" if notebook else chapter
            return [missing_note(
                "No results recorded yet",
                f"No record exists for {what}: {where} holds no results file. The numbers on this site "
                "are only ever filled in from real runs of the solution notebooks (make results, at "
                "ATTNCOURSE_SCALE=small or full); until one is recorded there is nothing to show.")]

        out: list[nodes.Node] = []
        rows = [((r["notebook"], _scale_key(str(r.get("scale", "")))),
                 [nodes.literal(text=r["notebook"]), scale_label(r), r.get("device", "unknown"),
                  fmt_seconds(r.get("wall_time_s")), nodes.literal(text=str(r.get("commit", "unknown"))),
                  str(r.get("date", "unknown"))[:10]]) for _, r in records]
        recorded = {(r["notebook"], r.get("scale")) for _, r in records}
        for name in sorted({r["notebook"] for _, r in records}):
            for scale in SCALE_ORDER:
                if (name, scale) not in recorded:  # say so, rather than leave the reader guessing
                    rows.append(((name, _scale_key(scale)),
                                 [nodes.literal(text=name), scale, "not recorded", "—", "—", "—"]))
        summary = [row for _, row in sorted(rows, key=lambda kr: kr[0])]
        out.append(make_table(["notebook", "scale", "device", "wall time", "commit", "recorded"], summary,
                              title=f"Recorded runs of {chapter}", classes=["course-results-summary"]))
        for _, record in records:
            targets = record.get("targets") or {}
            rows = [[nodes.literal(text=name), fmt_value(value),
                     fmt_value(targets[name]) if name in targets else "—"]
                    for name, value in (record.get("metrics") or {}).items()]
            title = f"{record['notebook']} — {provenance(record)}"
            out.append(make_table(["metric", "value", "target"], rows, title=title,
                                  classes=["course-results-metrics"]))
        return out


class ResultsFigure(_CourseDirective):
    """A figure saved by a recorded run, with the record's provenance in its caption."""

    required_arguments = 3  # chapter notebook name
    has_content = True
    option_spec = {"alt": directives.unchanged, "scale-name": directives.unchanged,
                   "width": directives.unchanged}

    def run(self):
        self.track()
        chapter, notebook, name = self.arguments
        folder = _results_dir(self.env, chapter)
        scales = [self.options["scale-name"]] if "scale-name" in self.options else list(reversed(SCALE_ORDER))
        for scale in scales:
            png = folder / f"{notebook}-{name}-{scale}.png"
            if png.is_file():
                break
        else:
            return [missing_note(
                "Figure not recorded yet",
                f"No figure {notebook}-{name}-<scale>.png exists in {self.config.course_results_dir}/{chapter}/. "
                "Figures on this site come only from real runs of the notebooks (make results); this one "
                "appears once a run has saved it.")]

        self.env.note_dependency(str(png))
        rel = png.relative_to(Path(self.env.srcdir)).as_posix()
        figure = nodes.figure(classes=["course-results-figure"])
        image = nodes.image(uri="/" + rel, alt=self.options.get("alt", f"{notebook}: {name}"))
        if "width" in self.options:
            image["width"] = self.options["width"]
        figure += image
        caption = nodes.caption()
        if self.content:
            parsed = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, parsed)
            for child in parsed.children:
                caption.extend(child.children if isinstance(child, nodes.paragraph) else [child])
                caption += nodes.Text(" ")
        record = folder / f"{notebook}-{scale}.json"
        if record.is_file():
            self.env.note_dependency(str(record))
            try:
                info = provenance(json.loads(record.read_text(encoding="utf-8")))
            except ValueError:
                info = f"scale {scale} (its record is unreadable)"
        else:
            info = f"scale {scale} (no matching record)"
        caption += nodes.emphasis(text=f"From a recorded run of {notebook}: {info}.")
        figure += caption
        return [figure]


def _notebook_title(path: Path) -> str | None:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell.get("source", []))
            for line in source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


class ChapterNotebooks(_CourseDirective):
    """A bullet list linking to the released notebooks of a chapter."""

    required_arguments = 1

    def run(self):
        self.track()
        chapter = self.arguments[0]
        folder = Path(self.env.srcdir) / "assignments" / chapter
        notebooks = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
        if not notebooks:
            return [missing_note("No notebooks released yet", f"assignments/{chapter}/ holds no notebook yet.")]
        items = nodes.bullet_list(classes=["course-notebooks"])
        for path in notebooks:
            docname = path.relative_to(Path(self.env.srcdir)).with_suffix("").as_posix()
            ref = addnodes.pending_xref("", refdomain="std", reftype="doc", reftarget="/" + docname,
                                        refexplicit=False, refwarn=True, refdoc=self.env.docname)
            ref += nodes.inline("", docname, classes=["xref", "std", "std-doc"])
            para = nodes.paragraph()
            para += ref
            para += nodes.Text(" — ")
            para += nodes.literal(text=path.name)
            items += nodes.list_item("", para)
        return [items]


# --------------------------------------------------------------------------- events

def _init_env(app, env, docnames) -> None:
    if not hasattr(env, ENV_KEY):
        setattr(env, ENV_KEY, set())


def _purge(app, env, docname) -> None:
    getattr(env, ENV_KEY, set()).discard(docname)


def _merge(app, env, docnames, other) -> None:
    getattr(env, ENV_KEY).update(getattr(other, ENV_KEY, set()) & set(docnames))


def _always_reread(app, env, added, changed, removed):
    """Records and figures appear without touching the pages: re-read the pages that show them."""
    return [doc for doc in getattr(env, ENV_KEY, set()) if doc in env.found_docs]


def setup(app):
    app.add_config_value("course_results_dir", "results", "env")
    # True only in tools/preview_results.py: show smoke-test records (labelled) instead of leaving them out
    app.add_config_value("course_show_smoke", False, "env")
    app.add_directive("results-table", ResultsTable)
    app.add_directive("results-figure", ResultsFigure)
    app.add_directive("chapter-notebooks", ChapterNotebooks)
    app.connect("env-before-read-docs", _init_env)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("env-get-outdated", _always_reread)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
