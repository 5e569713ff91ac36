"""A comparison printed: plain text for a terminal, JSON, or one self-contained HTML page
(``govstats diff A B --format text|json|html``).

The HTML page has no script, no external resource and every text from the reports escaped;
last year's sentences are on the left (those not carried over struck through), this year's on
the right, carried-over ones muted and new ones marked.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict

from govstats.narrative.compare import COPIED_PROBLEMS, Comparison, SectionComparison
from govstats.reading.sections import NAMED_CODES

FORMATS = ("text", "html", "json")
#: Chinese names of the section codes (the page and the terminal show these)
SECTION_LABELS = dict(NAMED_CODES)
STATUS_LABELS = {"unchanged": "沿用", "renumbered": "仅数字不同", "edited": "改写", "new": "新增"}
#: the findings in Chinese
FINDING_LABELS = {COPIED_PROBLEMS: "“存在的主要问题及改进情况”大部分沿用上年文字"}


def render(comparison: Comparison, fmt: str, names: tuple[str, str] = ("A", "B")) -> str:
    """``comparison`` (B against A; ``names``: how A and B are named) in ``fmt``."""
    if fmt == "text":
        return to_text(comparison, names)
    if fmt == "html":
        return to_html(comparison, names)
    if fmt == "json":
        return to_json(comparison, names)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def percent(value: float | None) -> str:
    """A share as a whole percentage (0.396 → ``40%``); None (nothing to compare) → ``—``."""
    return "—" if value is None else f"{value * 100:.0f}%"


def _title(c: Comparison, names: tuple[str, str]) -> str:
    a = f"{names[0]} ({c.previous_year or '?'})"
    b = f"{names[1]} ({c.year or '?'})"
    return f"{b} against {a}"


def to_text(c: Comparison, names: tuple[str, str] = ("A", "B")) -> str:
    out = [_title(c, names), ""]
    for finding in c.findings:
        out.append(f"finding: {finding}")
    out.append(f"{'section':28} {'similarity':>10} {'carried':>8}  sentences")
    for s in c.sections:
        counts = ", ".join(f"{len(s.of_status(k))} {k}" for k in STATUS_LABELS if s.of_status(k))
        where = (
            "" if s.heading and s.previous_heading else (" (B only)" if s.heading else " (A only)")
        )
        shares = f"{percent(s.similarity):>10} {percent(s.carried_share):>8}"
        out.append(f"{s.code:28} {shares}  {counts}{where}")
    for s in c.sections:
        new = s.of_status("new")
        if new:
            out += ["", f"new in {s.code}:"] + [f"  + {t}" for t in new]
    if c.problems_then or c.improvements_now:
        out += ["", "problems last year:"] + [f"  - {t}" for t in c.problems_then]
        out += ["improvements this year:"] + [f"  * {t}" for t in c.improvements_now]
    return "\n".join(out) + "\n"


def to_json(c: Comparison, names: tuple[str, str] = ("A", "B")) -> str:
    data = {"a": names[0], "b": names[1], **asdict(c)}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


#: the class of the element holding a comparison; :data:`CSS` applies inside it only, so the
#: same markup can sit in a page of its own or in a notebook or widget pane
WRAPPER = "govstats-diff"
#: styles of the comparison markup (no URL, no import: a page or a sanitised fragment keeps it)
CSS = (
    ".govstats-diff{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;color:#222}"
    ".govstats-diff table{border-collapse:collapse;width:100%;margin-bottom:1.5em}"
    ".govstats-diff td,.govstats-diff th{border:1px solid #ccc;padding:.4em;"
    "vertical-align:top;text-align:left}"
    ".govstats-diff th{background:#f3f3f3}.govstats-diff .num{text-align:right;white-space:nowrap}"
    ".govstats-diff .unchanged,.govstats-diff .renumbered{color:#888}"
    ".govstats-diff .edited{background:#fff6d6}.govstats-diff .new{background:#e3f6e3}"
    ".govstats-diff .dropped{color:#999;text-decoration:line-through}"
    ".govstats-diff .finding{color:#a00;font-weight:bold}"
    ".govstats-diff p.s{margin:.2em 0}.govstats-diff small{color:#666}"
)


def to_html(c: Comparison, names: tuple[str, str] = ("A", "B")) -> str:
    """One self-contained page: :func:`comparison_html` under a title."""
    e = html.escape
    title = f"报告文本对比：{names[1]}（{c.year or '?'}）对 {names[0]}（{c.previous_year or '?'}）"
    left, right = f"{names[0]}（{c.previous_year or '?'}）", f"{names[1]}（{c.year or '?'}）"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="zh-CN"><head><meta charset="utf-8">\n'
        f"<title>{e(title)}</title><style>body{{margin:2em}}{CSS}</style></head><body>\n"
        f"<h1>{e(title)}</h1>\n{comparison_html(c, left, right)}</body></html>\n"
    )


def finding_label(finding: str) -> str:
    """A finding of :func:`~govstats.narrative.compare_sections` in Chinese (as pages show it)."""
    return FINDING_LABELS.get(finding, finding)


def comparison_html(c: Comparison, left: str, right: str) -> str:
    """A comparison as one :data:`WRAPPER` element (no page around it; :data:`CSS` styles it):
    the findings, a table of similarity and carried share by section, each section side by side
    (:func:`side_by_side`; ``left`` and ``right`` name last year and this year), and last
    year's problems next to this year's improvements. Every text escaped."""
    e = html.escape
    out = [f'<div class="{WRAPPER}">']
    for finding in c.findings:
        out.append(f'<p class="finding">{e(finding_label(finding))}</p>')
    out.append("<table><tr><th>部分</th><th>相似度</th><th>沿用比例</th></tr>")
    for s in c.sections:
        out.append(
            f"<tr><td>{e(SECTION_LABELS.get(s.code, s.code))}</td>"
            f'<td class="num">{percent(s.similarity)}</td>'
            f'<td class="num">{percent(s.carried_share)}</td></tr>'
        )
    out.append("</table>")
    for s in c.sections:
        out.append(
            f"<h3>{e(SECTION_LABELS.get(s.code, s.code))} "
            f"<small>{e(s.heading or s.previous_heading)}</small></h3>"
        )
        out.append(side_by_side(s, left, right))
    if c.problems_then or c.improvements_now:
        out.append("<h3>上年问题与本年改进情况</h3><table><tr>")
        out.append(f"<th>{e(left)}：存在的主要问题</th><th>{e(right)}：改进情况</th></tr><tr>")
        for column in (c.problems_then, c.improvements_now):
            out.append("<td>" + "".join(f'<p class="s">{e(t)}</p>' for t in column) + "</td>")
        out.append("</tr></table>")
    out.append("</div>")
    return "\n".join(out) + "\n"


def side_by_side(s: SectionComparison, left: str, right: str) -> str:
    """One section of a comparison as a two-column table (inside a :data:`WRAPPER` element
    for :data:`CSS`): last year's sentences under ``left`` (those not carried over struck
    through), this year's under ``right`` (carried-over ones muted, new ones marked, edited
    ones tinted; each titled with its status). Every text escaped."""
    e = html.escape
    carried = {m.previous for m in s.sentences if m.previous}
    before = "".join(
        f'<p class="s{"" if t in carried else " dropped"}">{e(t)}</p>'
        for t in _previous_sentences(s)
    )
    now = "".join(
        f'<p class="s {m.status}" title="{e(STATUS_LABELS[m.status])}">{e(m.text)}</p>'
        for m in s.sentences
    )
    return (
        f"<table><tr><th>{e(left)}</th><th>{e(right)}</th></tr>"
        f"<tr><td>{before}</td><td>{now}</td></tr></table>"
    )


def _previous_sentences(s: SectionComparison) -> list[str]:
    """Last year's sentences: those matched (in this year's order), then those dropped."""
    matched = [m.previous for m in s.sentences if m.previous]
    seen: set[str] = set()
    out = []
    for t in matched + list(s.dropped):
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out
