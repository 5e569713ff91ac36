"""Markdown from converters that flatten merged cells (class 6 of issue 12), and markdown
carrying raw HTML tables.

``markdown-flat`` prints a report the way markitdown and html2text print a page whose tables
have rowspan/colspan cells:

* ``pipes`` style (markitdown): ``| a | b |`` rows, under an empty header row as wide as the
  table or not (the table's first row then heads it); a cell spanning k columns is followed
  by k−1 blank cells; a cell merged down over rows is printed once, so rows have different
  numbers of leading label cells;
* ``bare`` style (html2text): rows without outer pipes (``label| 1| 2``), no spacer cells,
  the first row over a ``---|---`` separator; a row of one cell (a 第二十条 section) is its
  text alone;
* irregularities, chosen per report: a group label (``（三）不予公开``) standing in a row of
  its own above its sub-rows; rows of table 三 whose label cell was lost
  (``| 0 | 0 | 0 | 0 | 0 | 0 | 0 |``, or a blank cell in its place); two numbers of
  adjacent columns sharing one cell (``| 3001 53 |``).

Ambiguous by the form (NA with a warning is right there, a wrong number never): the cells of a
row whose label was lost (placed only when the label-less rows between two labelled ones fit
the free template rows exactly); in the ``pipes`` style without the empty header row (no grid
width to align the rows on), the cells of a row whose label's spacers precede its values
while its last value cell is blank (the spacers could stand at either end, and not every
value is printed); the cells of a row that prints two numbers in one cell while its first
value is blank (where a tool merges columns, a blank before the first value may be a merged
spacer: the reader does not read it as a value).

``markdown-html`` is a markdown document (``#`` headings, paragraphs) whose statistical
tables are raw HTML ``<table>`` elements with their rowspan/colspan (pandoc writes tables with
merged cells so); table 二 is sometimes a pipe table instead. No cell is ambiguous.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from govstats import schema
from govstats.reading.document import Cell, Document
from govstats.synth.printing import to_document
from govstats.synth.toolforms import Form, Key
from govstats.synth.toolforms.pieces import tables
from govstats.synth.writing import write

if TYPE_CHECKING:  # pragma: no cover
    from govstats.synth import GeneratedReport

_DIGITS = re.compile(r"\d+")
_GROUPS = ("（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理")


@dataclass
class _Plan:
    """The random choices of one report's rendering (drawn from the report alone, so that
    :func:`_ambiguous` sees the same choices as the rendering)."""

    style: str
    group_alone: bool
    grid_line: bool = True  # pipes style: the first line a row of blank cells as wide as the table
    lost: set[int] = field(default_factory=set)  # data-row indexes of table 三 without label
    keep_blank: bool = False  # a lost label leaves a blank cell (pipes style)
    merged: dict[int, int] = field(default_factory=dict)  # table 三 data row → value pair merged
    merge_review: int | None = None


def _plan(report: GeneratedReport) -> _Plan:
    rng = np.random.default_rng([report.body.index, report.year, 6])
    n_rows = len(_request_items(report))
    plan = _Plan(
        style="pipes" if rng.random() < 0.5 else "bare",
        group_alone=rng.random() < 0.4,
        grid_line=rng.random() < 0.6,
    )
    if rng.random() < 0.5:
        plan.lost = {i for i in range(n_rows) if rng.random() < 0.15}
        plan.keep_blank = rng.random() < 0.5
    if rng.random() < 0.4:
        n = 3 if report.merged_legal_person else 7
        plan.merged = {i: int(rng.integers(0, n - 1)) for i in range(n_rows) if rng.random() < 0.25}
        plan.merge_review = int(rng.integers(0, 14)) if rng.random() < 0.5 else None
    return plan


def _request_items(report: GeneratedReport) -> list[str]:
    layout = report.layouts["requests"]
    return [
        i.code for i in schema.REQUEST_ITEMS[layout] if not (layout == "2021" and i.code == "other")
    ]


def _n_values(report: GeneratedReport) -> int:
    return 3 if report.merged_legal_person else 7


def _merge_pair(cells: list[Cell], at: int) -> list[Cell]:
    """Cells ``at`` and ``at + 1`` printed in one cell when both are plain numbers."""
    a, b = cells[at], cells[at + 1]
    if (
        not (_DIGITS.fullmatch(a.text) and _DIGITS.fullmatch(b.text))
        or a.colspan > 1
        or b.colspan > 1
    ):
        return cells
    return cells[:at] + [Cell(f"{a.text} {b.text}", a.source)] + cells[at + 2 :]


def _request_rows(rows: list, report: GeneratedReport, plan: _Plan) -> list[list[Cell]]:
    """Table 三 as printed: header rows as they are, data rows with the plan's irregularities."""
    n = _n_values(report)
    n_header = 2 if report.merged_legal_person else 3
    out = [list(b.cells) for b in rows[:n_header]]
    for i, block in enumerate(rows[n_header:]):
        labels, values = list(block.cells[:-n]), list(block.cells[-n:])
        if plan.group_alone:
            alone = [
                c
                for c in labels
                if c.text.replace(" ", "").startswith(
                    tuple(g.replace(" ", "")[:4] for g in _GROUPS)
                )
                and c.rowspan > 1
            ]
            if alone:
                out.append([Cell(alone[0].text, alone[0].source)])
                labels = [c for c in labels if c is not alone[0]]
        if i in plan.merged:
            values = _merge_pair(values, plan.merged[i])
        if i in plan.lost:
            labels = [Cell("", "")] if plan.keep_blank and plan.style == "pipes" else []
        out.append(labels + values)
    return out


def _review_rows(rows: list, plan: _Plan) -> list[list[Cell]]:
    out = [list(b.cells) for b in rows]
    if plan.merge_review is not None:
        out[-1] = _merge_pair(out[-1], plan.merge_review)
    return out


def _pipes(rows: list[list[Cell]], grid_line: bool) -> list[str]:
    def expand(cells: list[Cell]) -> list[str]:
        return [t for c in cells for t in [c.text.replace("|", "\\|")] + [""] * (c.colspan - 1)]

    lines = ["| " + " | ".join(expand(r)) + " |" for r in rows]
    width = max(len(expand(r)) for r in rows)
    if grid_line:  # markitdown: an empty header row as wide as the table
        return [
            "| " + " | ".join([""] * width) + " |",
            "| " + " | ".join(["---"] * width) + " |",
        ] + lines
    return lines[:1] + ["| " + " | ".join(["---"] * len(expand(rows[0]))) + " |"] + lines[1:]


def _bare(rows: list[list[Cell]]) -> list[str]:
    def line(cells: list[Cell]) -> str:
        return "| ".join(c.text.replace("|", "\\|") for c in cells) + "  "

    first = rows[0]
    return [line(first), "|".join(["---"] * len(first)) + "  "] + [line(r) for r in rows[1:]]


def _render_flat(document: Document, report: GeneratedReport, rng: np.random.Generator) -> str:
    plan = _plan(report)
    out: list[str] = []
    for k, (texts, rows) in enumerate(tables(document)):
        for block in texts:
            out += [block.text, ""]
        if not rows:
            continue
        if k == 1:
            printed = _request_rows(rows, report, plan)
        elif k == 2:
            printed = _review_rows(rows, plan)
        else:
            printed = [list(b.cells) for b in rows]
        out += _pipes(printed, plan.grid_line) if plan.style == "pipes" else _bare(printed)
        out.append("")
    return "\n".join(out) + "\n"


def _ambiguous(report: GeneratedReport) -> frozenset[Key]:
    plan = _plan(report)
    items = _request_items(report)
    n = _n_values(report)
    columns = (
        ["natural_person", "legal_person", "total"]
        if report.merged_legal_person
        else [c.code for c in schema.REQUEST_COLUMNS]
    )
    rows: set[int] = set(plan.lost)
    doc_rows = tables(to_document(report, "markdown"))[1][1]
    n_header = 2 if report.merged_legal_person else 3
    for i, block in enumerate(doc_rows[n_header:]):
        if (
            i in plan.merged
            and _merge_pair(list(block.cells[-n:]), plan.merged[i]) != list(block.cells[-n:])
            and not block.cells[-n].text.strip()
        ):
            # a row printing two numbers in one cell, its first value blank: a blank cell before
            # its first value may be a spacer
            rows.add(i)
    if plan.style == "pipes" and not plan.grid_line:
        for i, block in enumerate(doc_rows[n_header:]):
            spacers = sum(c.colspan - 1 for c in block.cells[:-n])
            values = [c.text.strip() for c in block.cells[-n:]]
            if (
                spacers
                and i not in plan.lost
                and not values[-1]
                and sum(1 for t in values if t) != n
            ):
                rows.add(i)  # blank cells at both ends of the values: the spacers' end is unknown
    out = {("requests", items[i], c) for i in rows for c in columns}
    if any(items[i].startswith("other.") for i in rows):
        out |= {("requests", "other", c) for c in columns}
    return frozenset(out)


# --- markdown carrying raw HTML tables -------------------------------------------------------


def _html_table(rows: list, rng: np.random.Generator) -> list[str]:
    """A table as pandoc writes one it cannot print as a pipe table."""
    esc = html_lib.escape
    out = ["<table>", "<tbody>"]
    for n, block in enumerate(rows):
        out.append(f'<tr class="{"odd" if n % 2 == 0 else "even"}">')
        for c in block.cells:
            spans = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                f' colspan="{c.colspan}"' if c.colspan > 1 else ""
            )
            out.append(
                f"<td{spans}>{esc(c.text)}</td>"
                if rng.random() < 0.7
                else f"<td{spans}><p>{esc(c.text)}</p></td>"
            )
        out.append("</tr>")
    out += ["</tbody>", "</table>"]
    return out


def _pipe_table(rows: list) -> list[str]:
    doc = Document(name="", format="markdown", blocks=list(rows))
    return write(doc, "markdown").strip("\n").splitlines()


def _render_html_tables(
    document: Document, report: GeneratedReport, rng: np.random.Generator
) -> str:
    out: list[str] = []
    headings = set(schema.TABLE_LABELS.values()) | {
        "一、总体情况",
        "五、存在的主要问题及改进情况",
        "六、其他需要报告的事项",
    }
    for k, (texts, rows) in enumerate(tables(document)):
        for block in texts:
            text = block.text
            if not out:
                text = f"# {text}"
            elif text in headings:
                text = f"## {text}"
            out += [text, ""]
        if not rows:
            continue
        out += _pipe_table(rows) if k == 0 and rng.random() < 0.5 else _html_table(rows, rng)
        out.append("")
    return "\n".join(out) + "\n"


FORMS = (
    Form(
        "markdown-flat",
        ".md",
        "markdown from converters (markitdown, html2text) that flatten rowspan/colspan: variable "
        "leading label cells, group labels alone, lost "
        "label cells, two numbers in one cell, no outer pipes",
        _render_flat,
        _ambiguous,
    ),
    Form(
        "markdown-html",
        ".md",
        "a markdown document carrying raw HTML tables (pandoc's output for tables with "
        "merged cells)",
        _render_html_tables,
    ),
)
