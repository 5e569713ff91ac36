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

from govstats.narrative.compare import Comparison, SectionComparison
from govstats.reading.sections import NAMED_CODES

FORMATS = ("text", "html", "json")
#: Chinese names of the section codes (the page and the terminal show these)
SECTION_LABELS = dict(NAMED_CODES)
STATUS_LABELS = {"unchanged": "沿用", "renumbered": "仅数字不同", "edited": "改写", "new": "新增"}


def render(comparison: Comparison, fmt: str, names: tuple[str, str] = ("A", "B")) -> str:
    """``comparison`` (B against A; ``names``: how A and B are named) in ``fmt``."""
    if fmt == "text":
        return to_text(comparison, names)
    if fmt == "html":
        return to_html(comparison, names)
    if fmt == "json":
        return to_json(comparison, names)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def _pct(value: float | None) -> str:
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
        out.append(
            f"{s.code:28} {_pct(s.similarity):>10} {_pct(s.carried_share):>8}  {counts}{where}"
        )
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


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:.4em;vertical-align:top;text-align:left}
th{background:#f3f3f3}.num{text-align:right;white-space:nowrap}
.unchanged,.renumbered{color:#888}.edited{background:#fff6d6}.new{background:#e3f6e3}
.dropped{color:#999;text-decoration:line-through}.finding{color:#a00;font-weight:bold}
p.s{margin:.2em 0}small{color:#666}
"""


def to_html(c: Comparison, names: tuple[str, str] = ("A", "B")) -> str:
    e = html.escape
    title = f"报告文本对比：{names[1]}（{c.year or '?'}）对 {names[0]}（{c.previous_year or '?'}）"
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
    ]
    for finding in c.findings:
        out.append(f'<p class="finding">{e(finding)}</p>')
    out.append("<table><tr><th>部分</th><th>相似度</th><th>沿用比例</th></tr>")
    for s in c.sections:
        out.append(
            f"<tr><td>{e(SECTION_LABELS.get(s.code, s.code))}</td>"
            f'<td class="num">{_pct(s.similarity)}</td>'
            f'<td class="num">{_pct(s.carried_share)}</td></tr>'
        )
    out.append("</table>")
    for s in c.sections:
        out += _section_html(s, names, c)
    if c.problems_then or c.improvements_now:
        out.append("<h2>上年问题与本年改进情况</h2><table><tr>")
        out.append(
            f"<th>{e(names[0])}：存在的主要问题</th><th>{e(names[1])}：改进情况</th></tr><tr>"
        )
        for column in (c.problems_then, c.improvements_now):
            out.append("<td>" + "".join(f'<p class="s">{e(t)}</p>' for t in column) + "</td>")
        out.append("</tr></table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _section_html(s: SectionComparison, names: tuple[str, str], c: Comparison) -> list[str]:
    e = html.escape
    carried = {m.previous for m in s.sentences if m.previous}
    left = [
        f'<p class="s{"" if t in carried else " dropped"}">{e(t)}</p>'
        for t in _previous_sentences(s)
    ]
    right = [
        f'<p class="s {m.status}" title="{e(STATUS_LABELS[m.status])}">{e(m.text)}</p>'
        for m in s.sentences
    ]
    return [
        f"<h2>{e(SECTION_LABELS.get(s.code, s.code))} <small>{e(s.heading or s.previous_heading)}"
        "</small></h2>",
        f"<table><tr><th>{e(names[0])}（{c.previous_year or '?'}）</th>"
        f"<th>{e(names[1])}（{c.year or '?'}）</th></tr>",
        f"<tr><td>{''.join(left)}</td><td>{''.join(right)}</td></tr></table>",
    ]


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
