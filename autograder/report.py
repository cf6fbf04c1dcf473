"""``DIR/report.html``: one offline page on how the class did, written by every grading run.

Histogram of scores, pass rate per test, the commonest diagnoses per test,
the flagged submissions and why, and the grading time per submission.  Plots
are matplotlib PNGs embedded in the page, so it opens anywhere, offline.
"""
from __future__ import annotations

import base64
import collections
import html
import io
from pathlib import Path

from . import safe_csv

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = """
body{font-family:system-ui,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;width:100%}td,th{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
.plots{display:flex;flex-wrap:wrap;gap:1rem}.plots figure{margin:0}img{max-width:100%}.muted{color:#666}
"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _figure(src: str, caption: str) -> str:
    return f"<figure><img src='{src}' alt='{html.escape(caption)}'><figcaption>{html.escape(caption)}</figcaption></figure>"


def _read(path: Path) -> list[dict]:
    return safe_csv.read(path)


def diagnosis_of(status: str) -> str:
    """'failed: masked_softmax: the mask is …' -> 'the mask is …' (what the check found)."""
    text = status.removeprefix("failed:").strip()
    head, sep, rest = text.partition(": ")
    return rest if sep and " " not in head.strip() else text


def write(out: Path, assignment: str, seconds: dict[str, float]) -> Path:
    grades, tests = _read(out / "grades.csv"), _read(out / "tests.csv")
    n = len(grades)
    scores = [float(g["score"]) / float(g["max_score"]) * 100 if float(g["max_score"] or 0) else 0.0 for g in grades]

    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist(scores, bins=[i * 10 for i in range(11)], color="#3b6ea5", edgecolor="white")
    ax.set_xlabel("score (% of maximum)")
    ax.set_ylabel("students")
    ax.set_title(f"Scores of {n} submissions")
    hist = _png(fig)

    by_test = collections.defaultdict(list)
    for row in tests:
        by_test[(row["notebook"], row["grade_id"])].append(row)
    names = sorted(by_test)
    rates = [sum(r["status"] == "passed" for r in by_test[k]) / len(by_test[k]) * 100 for k in names]
    fig, ax = plt.subplots(figsize=(6, 0.35 * max(len(names), 3) + 1))
    ax.barh([f"{nb.split('_')[0]} · {gid}" for nb, gid in names], rates, color="#5a9e6f")
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.set_xlabel("students passing (%)")
    ax.set_title("Pass rate per test")
    passes = _png(fig)

    times = [seconds.get(g["student_id"], 0.0) for g in grades]
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.hist(times, bins=20, color="#b07aa1", edgecolor="white")
    ax.set_xlabel("grading time per submission (s)")
    ax.set_ylabel("submissions")
    ax.set_title("Grading time")
    timing = _png(fig)

    rows = []
    for key, rate in zip(names, rates):
        found = collections.Counter(diagnosis_of(r["status"]) for r in by_test[key] if r["status"] != "passed")
        common = "<br>".join(f"{count}× {html.escape(text)}" for text, count in found.most_common(5)) or "—"
        rows.append(f"<tr><td>{html.escape(key[0])}</td><td>{html.escape(key[1])}</td><td>{rate:.0f}%</td><td>{common}</td></tr>")
    flagged = [g for g in grades if g["flags"] or not g["status"].startswith("graded")]
    flag_rows = "".join(
        f"<tr><td>{html.escape(g['student_id'])}</td><td>{html.escape(g['score'])} / {html.escape(g['max_score'])}</td>"
        f"<td>{html.escape(g['status'])}</td><td>{html.escape(g['flags'])}</td></tr>" for g in flagged)
    median = sorted(times)[len(times) // 2] if times else 0.0
    body = (
        f"<h1>Class report · {html.escape(assignment)}</h1>"
        f"<p>{n} submissions · mean score {sum(scores) / max(n, 1):.0f}% · median grading time {median:.1f} s per submission</p>"
        f"<div class='plots'>{_figure(hist, 'Histogram of scores')}{_figure(passes, 'Pass rate per test')}"
        f"{_figure(timing, 'Grading time per submission')}</div>"
        "<h2>Tests and the commonest diagnoses</h2><table id='diagnoses'><tr><th>notebook</th><th>test</th><th>pass rate</th>"
        "<th>commonest findings among failures</th></tr>" + "".join(rows) + "</table>"
        f"<h2>Flagged submissions ({len(flagged)})</h2>"
        + ("<table id='flagged'><tr><th>student</th><th>score</th><th>status</th><th>flags</th></tr>" + flag_rows + "</table>"
           if flagged else "<p class='muted'>None.</p>")
        + "<h2>Grading time per submission</h2><table id='timing'><tr><th>student</th><th>seconds</th></tr>"
        + "".join(f"<tr><td>{html.escape(g['student_id'])}</td><td>{seconds.get(g['student_id'], 0.0):.1f}</td></tr>"
                  for g in grades) + "</table>")
    page = (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Class report · {html.escape(assignment)}"
            f"</title><style>{STYLE}</style></head><body>{body}</body></html>\n")
    path = out / "report.html"
    path.write_text(page)
    return path
