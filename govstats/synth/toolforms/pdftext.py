"""``pdf-text``: a report as PDF-to-text tools leave it (``pdftotext -raw``, copy-paste from a
viewer).

One line per printed text line of the PDF, table cells' texts wrapped in their columns:

* a row label wraps over several lines of its cell, and the row's numbers (space-separated)
  stand on one of them or on a line of their own among them: after the label (content
  order), or in the middle (lines ordered by height: ``3.补正后申请内容仍不明`` /
  ``2 0 0 0 0 0 2`` / ``确``);
* a group label (merged over its sub-rows) printed before its first sub-row, spread over its
  sub-rows as lines of its own (``（五）不`` / ``2.重复申请 0 0 0 0 0 0 0`` / ``予处理``), or glued
  in front of their labels (``予处理 4.无正当理由大量反复申请 0 …``); narrow group columns print one
  character per line (``办`` / ``理`` / ``结`` / ``果``);
* header cells wrapped one piece per line (``商业`` / ``企业``), the header of table 三 printed
  again after a page break;
* pages: page numbers (``- 4 -``, ``— 5 —``, ``第4页``, ``第 4 页 共 9 页``, a bare ``4`` next to
  the form feed), a running header repeating the title, form feeds, blank lines.

The choices (widths, placements, styles) are drawn per report from the rng. Rows never break
across pages (tools keep a table row together). Cells printed empty vanish from the line, so a
row with an empty cell among its numbers cannot say which cell is empty: its cells are
ambiguous; a row printed without any number leaves only its label, and the next row's label
pieces above it could then belong to either: the next row is ambiguous too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govstats import schema
from govstats.reading.numbers import parse_number
from govstats.reading.pdftext import is_page_furniture
from govstats.synth.toolforms import Form, Key

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from govstats.reading.document import Block, Document
    from govstats.synth import GeneratedReport

_PAGE_STYLES = ("- {n} -", "— {n} —", "-{n}-", "第{n}页", "第 {n} 页 共 {m} 页")
#: page numbers that read as one only next to a form feed
_EDGE_STYLES = ("{n}", "{n}/{m}")
_HEADER_WORDS = ("信息内容", "第二十条")


def _wrap(text: str, width: int) -> list[str]:
    text = text.strip()
    if not text:
        return []
    return [text[i : i + width] for i in range(0, len(text), width)]


def _is_value(text: str) -> bool:
    return parse_number(text) is not None


class _Style:
    """The per-report choices."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.text_width = int(rng.integers(26, 46))
        self.label_width = int(rng.integers(6, 19))
        self.group_width = int(rng.choice([1, 1, 2, 3, 4, 5, 6]))
        self.outer_width = int(rng.choice([1, 1, 2, 4, 9]))
        self.header_width = int(rng.integers(2, 9))
        self.numbers = str(rng.choice(["after", "middle"]))
        self.own_line = float(rng.choice([0.0, 0.3, 0.7, 1.0]))
        self.groups = str(rng.choice(["first", "spread", "prefix"]))
        self.header_cells = bool(rng.random() < 0.6)  # header cells one piece per line
        self.page_lines = int(rng.integers(28, 60))
        self.form_feed = bool(rng.random() < 0.7)
        styles = _PAGE_STYLES + (_EDGE_STYLES if self.form_feed else ())
        self.page_style = str(rng.choice(list(styles) + [""]))
        self.page_at_top = bool(rng.random() < 0.4)
        self.running_title = bool(rng.random() < 0.5)
        self.repeat_header = bool(rng.random() < 0.5)
        self.blank_rate = float(rng.choice([0.0, 0.0, 0.1, 0.3]))


class _Unit:
    """Lines kept together on one page (a table row with its label lines)."""

    def __init__(self, lines: list[str], table: int | None = None, header: bool = False) -> None:
        self.lines = lines
        self.table = table
        self.header = header
        #: the table's header lines, printed again after a page break (None: not repeated)
        self.header_lines: list[str] | None = None


def render(document: Document, report: GeneratedReport, rng: np.random.Generator) -> str:
    style = _Style(rng)
    units: list[_Unit] = []
    title = document.title or ""
    blocks = document.blocks
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "text":
            text = block.text
            width = 10_000 if text == title else style.text_width
            units.extend(_Unit([line]) for line in _wrap(text, width))
            i += 1
            continue
        j = i
        while j < len(blocks) and blocks[j].kind == "row" and blocks[j].table == block.table:
            j += 1
        units.extend(_table_units(blocks[i:j], style, rng))
        i = j
    return _paginate(units, title, style, rng)


def _is_header_row(block: Block) -> bool:
    cells = [c.text for c in block.cells]
    if len(cells) == 1 or cells[0] in _HEADER_WORDS:
        return True
    return not any(_is_value(t) and t.strip() for t in cells)


def _table_units(rows: list[Block], style: _Style, rng: np.random.Generator) -> list[_Unit]:
    table = rows[0].table
    header_lines: list[str] = []
    data: list[
        tuple[list[tuple[str, int]], str, list[str]]
    ] = []  # (groups starting here, label, values)
    units: list[_Unit] = []
    for block in rows:
        if _is_header_row(block) and not data:
            lines = _header_lines(block, style)
            header_lines.extend(lines)
            units.append(_Unit(lines, table, header=True))
            continue
        if _is_header_row(block):  # a table 1 section heading and its header
            units.extend(_data_units(data, style, rng, table))
            data = []
            lines = _header_lines(block, style)
            units.append(_Unit(lines, table, header=True))
            continue
        cells = block.cells
        last_label = max(
            (k for k, c in enumerate(cells) if c.text.strip() and not _is_value(c.text)), default=-1
        )
        groups = [(c.text, c.rowspan) for c in cells[:last_label] if c.rowspan > 1]
        label = cells[last_label].text if last_label >= 0 else ""
        values = [c.text.strip() for c in cells[last_label + 1 :] if c.text.strip()]
        data.append((groups, label, values))
    units.extend(_data_units(data, style, rng, table))
    if style.repeat_header and header_lines and any(len(d[2]) >= 3 for d in data):
        for unit in units:
            unit.header_lines = header_lines
    return units


def _header_lines(block: Block, style: _Style) -> list[str]:
    cells = [c.text for c in block.cells if c.text.strip()]
    if len(cells) == 1:
        return _wrap(cells[0], 40)
    if not style.header_cells:
        return [" ".join(cells)]
    return [piece for text in cells for piece in _wrap(text, style.header_width)]


def _data_units(data, style: _Style, rng: np.random.Generator, table: int | None) -> list[_Unit]:
    if not data:
        return []
    # each group label's lines, and the rows they stand before / in front of
    own_lines: list[list[str]] = [[] for _ in data]
    prefixes: list[list[str]] = [[] for _ in data]
    for r, (groups, _label, _values) in enumerate(data):
        for text, span in groups:
            span = min(span, len(data) - r)
            width = style.outer_width if span > 10 else style.group_width
            pieces = _wrap(text, width)
            if style.groups == "first":
                own_lines[r].extend(pieces)
                continue
            offset = max(0, (span - len(pieces)) // 2)
            for k, piece in enumerate(pieces):
                at = r + (offset + k if len(pieces) <= span else k * span // len(pieces))
                (prefixes if style.groups == "prefix" else own_lines)[at].append(piece)
    units = []
    for r, (_groups, label, values) in enumerate(data):
        lines = list(own_lines[r])
        label_lines = _wrap(label, style.label_width) or [""]
        numbers = " ".join(values)
        k = len(label_lines)
        own = numbers and (len(values) > 1 and rng.random() < style.own_line)
        if style.numbers == "after":
            where = k - 1
        else:
            where = int(rng.integers(0, k))
        row_lines = list(label_lines)
        if numbers and own and not is_page_furniture(numbers):
            row_lines.insert(
                where + 1 if style.numbers == "after" or k == 1 else max(1, where), numbers
            )
        elif numbers:
            row_lines[where] = f"{row_lines[where]} {numbers}".strip()
        if prefixes[r]:
            row_lines[0] = " ".join(prefixes[r] + [row_lines[0]]).strip()
        lines.extend(line for line in row_lines if line)
        units.append(_Unit(lines, table))
    return units


def _paginate(units: list[_Unit], title: str, style: _Style, rng: np.random.Generator) -> str:
    pages: list[list[str]] = [[]]
    for unit in units:
        page = pages[-1]
        if page and len(page) + len(unit.lines) > style.page_lines:
            pages.append([])
            page = pages[-1]
            repeat = unit.header_lines
            if repeat and not unit.header:
                page.extend(repeat)
        page.extend(unit.lines)
        if rng.random() < style.blank_rate:
            page.append("")
    total = len(pages)
    out: list[str] = []
    for n, lines in enumerate(pages, start=1):
        mark = style.page_style.format(n=n, m=total) if style.page_style else ""
        top: list[str] = []
        if n > 1 and style.running_title and title:
            top.append(title)
        if mark and style.page_at_top:
            top.insert(0, mark)
        body = top + lines + ([mark] if mark and not style.page_at_top else [])
        text = "\n".join(body)
        out.append(text)
    joiner = "\n\x0c" if style.form_feed else "\n"
    return joiner.join(out) + ("\n\x0c" if style.form_feed else "\n")


def ambiguous(report: GeneratedReport) -> frozenset[Key]:
    """Cells of rows printed with an empty cell among their numbers, and of the row after a
    row printed without any number (see the module docstring)."""
    out: set[Key] = set()
    for _table, rows in _printed_rows(report):
        after_empty = False
        for keys, printed in rows:
            shown = [p for p in printed if p.strip()]
            if after_empty or (len(printed) > 1 and len(shown) < len(printed)):
                out.update(keys)
            after_empty = not any(
                (n := parse_number(p)) is not None and n.value is not None for p in shown
            )
    if report.layouts["requests"] == "2021":  # （六）其他处理 is the sum of its sub-rows
        out.update(("requests", "other", c) for t, i, c in list(out) if i.startswith("other."))
    return frozenset(out)


def _printed_rows(report: GeneratedReport):
    """Per table, its rows in printed order: (the row's template cells, the texts printed)."""
    layout = report.layouts["publication"]
    pub = []
    for item, columns in schema.PUBLICATION[layout].values():
        keys = [("publication", item.code, c.code) for c in columns]
        pub.append((keys, [report.printed.get(k, "") for k in keys]))
    req = []
    layout = report.layouts["requests"]
    for item in schema.REQUEST_ITEMS[layout]:
        if layout == "2021" and item.code == "other":
            continue
        keys = [("requests", item.code, c.code) for c in schema.REQUEST_COLUMNS]
        if report.merged_legal_person:
            keys = keys + [("requests", item.code, "legal_person")]
            agg = report.legal_person.get(item.code)
            printed = [
                report.printed.get(keys[0], ""),
                "" if agg is None else str(int(agg)),
                report.printed.get(keys[-1], ""),
            ]
        else:
            printed = [report.printed.get(k, "") for k in keys]
        req.append((keys, printed))
    keys = [("review", i.code, c.code) for i in schema.REVIEW_ITEMS for c in schema.REVIEW_COLUMNS]
    review = [(keys, [report.printed.get(k, "") for k in keys])]
    return (("publication", pub), ("requests", req), ("review", review))


FORMS = (
    Form(
        name="pdf-text",
        suffix=".txt",
        description="text from pdftotext -raw or copy-paste from a "
        "PDF viewer: wrapped and split row labels, group labels in pieces or one character per "
        "line, page numbers, running headers, form feeds",
        render=render,
        ambiguous=ambiguous,
    ),
)
