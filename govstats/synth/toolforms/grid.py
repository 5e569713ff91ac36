"""Tables as text tools draw them (issue 12, class 6): box-drawn grids and space-aligned columns.

* ``text-grid``: what ``w3m -dump`` makes of an HTML report: each table drawn with box
  characters (``┌ ─ ┬ ┐ │ ├ ┼ ┤ └ ┴ ┘``; some tables in ASCII ``+ - |``), narrow label columns
  so labels wrap over several lines of their cell, group labels merged down over their
  sub-rows (and split in the middle, ``（三）不`` / ``予公开``), multi-line header cells, blank
  cells, text placed at the top or in the middle of a tall cell, tables indented. Every cell
  is certain: the borders say where it is.
* ``txt-layout``: what ``pdftotext -layout`` makes of a PDF report: no borders, every cell at
  its column's character position (display width: CJK characters count two), columns apart by
  at least two spaces, long labels wrapped onto the next line, group labels on a line of their
  own or beside the first sub-row, blank cells as gaps, page breaks (``\\x0c``) with page
  numbers (``- 4 -``) between rows and each page shifted by its own margin. A blank cell is
  placed by the positions of the full rows above and below it (one section under its header,
  one page: the decoder turns page breaks into line breaks, so rows of two pages must agree);
  a row with a gap and no full row above and below it on its page, or a row of gaps only, is
  declared ambiguous (NA with a warning is right there, a number in the wrong column never).

Both are built from :func:`govstats.synth.to_document` (the tables with their spans).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from govstats import schema
from govstats.reading.grid import char_width, display_width
from govstats.reading.numbers import is_value_text
from govstats.synth.printing import to_document
from govstats.synth.toolforms import Form

if TYPE_CHECKING:  # pragma: no cover
    from govstats.reading.document import Block, Document
    from govstats.synth import GeneratedReport


@dataclass
class Placed:
    """A cell on its table's grid: first row/column, spans, text."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str


def place(rows: list[Block]) -> tuple[list[Placed], int, int]:
    """The cells of a table's rows on its grid, as an HTML table lays them out (a cell goes to
    the first free position of its row): (cells, number of rows, number of columns)."""
    taken: set[tuple[int, int]] = set()
    out: list[Placed] = []
    ncols = 0
    for r, block in enumerate(rows):
        c = 0
        for cell in block.cells:
            while (r, c) in taken:
                c += 1
            out.append(Placed(r, c, cell.rowspan, cell.colspan, cell.text))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            ncols = max(ncols, c)
    return out, len(rows), ncols


def tables(doc: Document) -> list[list[Block] | str]:
    """The document as a sequence of text lines and tables (each the rows of one table)."""
    out: list = []
    for block in doc.blocks:
        if block.kind == "row":
            if out and isinstance(out[-1], list) and out[-1][0].table == block.table:
                out[-1].append(block)
            else:
                out.append([block])
        else:
            out.append(block.text)
    return out


def wrap(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` display columns (CJK text breaks anywhere;
    a line never starts with a space)."""
    lines: list[str] = []
    line, w = "", 0
    for ch in text:
        cw = char_width(ch)
        if w + cw > width and line:
            lines.append(line.rstrip())
            line, w = "", 0
            if ch == " ":
                continue
        line += ch
        w += cw
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return lines


def _is_number(text: str) -> bool:
    return bool(text) and is_value_text(text)


# -- text-grid -------------------------------------------------------------------------------

_ARMS: dict[tuple[int, ...], str] = {  # (up, down, left, right) → box character
    (0, 0, 1, 1): "─",
    (1, 1, 0, 0): "│",
    (0, 1, 0, 1): "┌",
    (0, 1, 1, 0): "┐",
    (1, 0, 0, 1): "└",
    (1, 0, 1, 0): "┘",
    (1, 1, 0, 1): "├",
    (1, 1, 1, 0): "┤",
    (0, 1, 1, 1): "┬",
    (1, 0, 1, 1): "┴",
    (1, 1, 1, 1): "┼",
    (0, 0, 0, 1): "─",
    (0, 0, 1, 0): "─",
    (1, 0, 0, 0): "│",
    (0, 1, 0, 0): "│",
}


def _widths(cells: list[Placed], ncols: int, rng: np.random.Generator, *, slack: int) -> list[int]:
    """Interior width of each grid column: numbers always fit (with ``slack`` spare columns),
    label columns get a random width so long labels wrap."""
    widths = [0] * ncols
    caps = [int(rng.integers(6, 30)) for _ in range(ncols)]
    for cell in sorted(cells, key=lambda c: c.colspan):
        need = (
            display_width(cell.text) + slack
            if _is_number(cell.text)
            else min(display_width(cell.text), caps[cell.col])
        )
        need = max(need, 2 + slack)
        have = sum(widths[cell.col : cell.col + cell.colspan]) + cell.colspan - 1
        if have < need:
            widths[cell.col + cell.colspan - 1] += need - have
    return [max(w, 1) for w in widths]


def render_grid_table(
    rows: list[Block], rng: np.random.Generator, *, ascii: bool = False
) -> list[str]:
    """One table drawn as a grid (box characters, or ASCII ``+ - |``)."""
    cells, nrows, ncols = place(rows)
    widths = _widths(cells, ncols, rng, slack=1 if ascii else int(rng.integers(0, 2)))
    xs = [0]
    for w in widths:
        xs.append(xs[-1] + w + 1)
    lines_of = {}
    for cell in cells:
        inner = xs[cell.col + cell.colspan] - xs[cell.col] - 1
        lines_of[id(cell)] = wrap(cell.text, inner) if cell.text else []
        if (
            cell.text and len(cell.text) <= 8 and rng.random() < 0.15 and not _is_number(cell.text)
        ):  # vertical text, a character a line
            lines_of[id(cell)] = [ch for ch in cell.text if ch.strip()]
            if max(map(display_width, lines_of[id(cell)]), default=0) > inner:
                lines_of[id(cell)] = wrap(cell.text, inner)
    heights = [1] * nrows
    for cell in sorted(cells, key=lambda c: c.rowspan):
        need = len(lines_of[id(cell)])
        have = sum(heights[cell.row : cell.row + cell.rowspan]) + cell.rowspan - 1
        if have < need:
            heights[cell.row + cell.rowspan - 1] += need - have
    ys = [0]
    for h in heights:
        ys.append(ys[-1] + h + 1)
    W, H = xs[-1] + 1, ys[-1] + 1
    arms = [[[0, 0, 0, 0] for _ in range(W)] for _ in range(H)]
    canvas = [[" "] * W for _ in range(H)]
    for cell in cells:
        x0, x1 = xs[cell.col], xs[cell.col + cell.colspan]
        y0, y1 = ys[cell.row], ys[cell.row + cell.rowspan]
        for y in (y0, y1):  # the cell's border: each point's arms (up, down, left, right)
            for x in range(x0, x1 + 1):
                arms[y][x][2] |= x > x0
                arms[y][x][3] |= x < x1
        for x in (x0, x1):
            for y in range(y0, y1 + 1):
                arms[y][x][0] |= y > y0
                arms[y][x][1] |= y < y1
        text = lines_of[id(cell)]
        inner_h = y1 - y0 - 1
        inner_w = x1 - x0 - 1
        top = y0 + 1 + (0 if rng.random() < 0.5 else (inner_h - len(text)) // 2)
        centred = _is_number(cell.text) and rng.random() < 0.3
        for k, piece in enumerate(text):
            pad = (
                (inner_w - display_width(piece)) // 2
                if centred
                else int(rng.random() < 0.2 and display_width(piece) < inner_w)
            )
            x = x0 + 1 + pad
            for ch in piece:
                canvas[top + k][x] = ch
                if char_width(ch) == 2:
                    canvas[top + k][x + 1] = "\0"
                x += char_width(ch)
    for y in range(H):
        for x in range(W):
            a = tuple(int(v) for v in arms[y][x])
            if any(a):
                if ascii:
                    canvas[y][x] = (
                        "+" if (a[0] or a[1]) and (a[2] or a[3]) else ("|" if a[0] or a[1] else "-")
                    )
                else:
                    canvas[y][x] = _ARMS[a]
    indent = " " * int(rng.integers(0, 4))
    return [indent + "".join(ch for ch in line if ch != "\0").rstrip() for line in canvas]


def render_text_grid(doc: Document, report: GeneratedReport, rng: np.random.Generator) -> str:
    out: list[str] = []
    ascii_all = rng.random() < 0.2
    for part in tables(doc):
        if isinstance(part, str):
            out.extend(wrap(part, 80) if rng.random() < 0.5 else [part])
            out.append("")
        else:
            out.extend(render_grid_table(part, rng, ascii=ascii_all or rng.random() < 0.1))
            out.append("")
    return "\n".join(out) + "\n"


# -- txt-layout ------------------------------------------------------------------------------


class _Page:
    """Lines of the text being laid out, with page breaks (``\\x0c``), page numbers and a
    left margin of its own on each page (as pdftotext prints every page apart)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.lines: list[str] = []
        self.page = 1
        self.margin = int(rng.integers(0, 6))
        #: index in ``lines`` of each page break (rows after it are on a new page)
        self.breaks: list[int] = []

    def maybe_break(self, rate: float) -> bool:
        if self.rng.random() >= rate:
            return False
        if self.rng.random() < 0.7:
            self.lines.append(
                " " * int(self.rng.integers(20, 60))
                + (f"- {self.page} -" if self.rng.random() < 0.5 else f"—{self.page}—")
            )
        self.page += 1
        self.lines.append("\x0c")
        self.breaks.append(len(self.lines))
        self.margin = int(self.rng.integers(0, 6))
        return True


def _layout_columns(cells: list[Placed], ncols: int, rng: np.random.Generator) -> list[int]:
    """Start position (display columns, before the page margin) of each grid column: a data
    row's own label fits its column (labels wrapped around their numbers are another class,
    ``pdf-text``); header cells and labels merged down over several rows wrap."""
    widths = [0] * ncols
    data_rows = {c.row for c in cells if _is_number(c.text)}
    data_rows |= {c.row for c in cells if not c.text.strip() and c.col > 0} - {
        c.row for c in cells if c.text == schema.PUBLICATION_ROW_HEADER
    }
    for cell in sorted(cells, key=lambda c: c.colspan):
        own_label = cell.row in data_rows and cell.rowspan == 1
        need = (
            display_width(cell.text)
            if _is_number(cell.text) or own_label
            else min(display_width(cell.text), 34)
        )
        have = sum(widths[cell.col : cell.col + cell.colspan]) + 2 * (cell.colspan - 1)
        if have < need:
            widths[cell.col + cell.colspan - 1] += need - have
    starts = [0]
    for w in widths:
        starts.append(starts[-1] + max(w, 2) + int(rng.integers(2, 5)))
    return starts


def _put(line: str, x: int, text: str) -> str:
    """``line`` with ``text`` written from display column ``x`` (padding with spaces)."""
    w = display_width(line)
    if w < x:
        return line + " " * (x - w) + text
    return line + "  " + text  # (never overwrite: a cell that runs long pushes the next on)


def render_layout_table(rows: list[Block], page: _Page, rng: np.random.Generator) -> list[int]:
    """Lay one table out as space-aligned columns into ``page``; return, per grid row, the
    page it was printed on."""
    cells, nrows, ncols = place(rows)
    starts = _layout_columns(cells, ncols, rng)
    right_aligned = rng.random() < 0.4
    by_row: dict[int, list[Placed]] = {}
    for cell in cells:
        by_row.setdefault(cell.row, []).append(cell)
    printed: list[int] = []
    for r in range(nrows):
        if r and rng.random() < 0.06:
            page.maybe_break(1.0)
        row_cells = sorted(by_row.get(r, []), key=lambda c: c.col)
        before: list[str] = []  # group labels printed on a line of their own, above the row
        lines = [""]
        # a group label merged down over its sub-rows: beside the first or on a line of its own
        own_line = rng.random() < 0.5 and any(_is_number(c.text) for c in row_cells)
        for cell in row_cells:
            x = page.margin + starts[cell.col]
            if not cell.text.strip():
                continue
            if _is_number(cell.text):
                width = starts[cell.col + cell.colspan] - starts[cell.col] - 2
                if right_aligned and display_width(cell.text) < width:
                    x += width - display_width(cell.text)
                lines[0] = _put(lines[0], x, cell.text)
                continue
            if cell.rowspan > 1 and own_line:
                before.append(_put("", x, cell.text))
                continue
            span_w = starts[cell.col + cell.colspan] - starts[cell.col] - 2
            for k, piece in enumerate(wrap(cell.text, max(span_w, 4))):
                while len(lines) <= k:
                    lines.append("")
                lines[k] = _put(lines[k], x, piece)
        page.lines.extend(ln.rstrip() for ln in before + lines)
        printed.append(page.page)
        if rng.random() < 0.3:
            page.lines.append("")
    return printed


def _layout(
    doc: Document, report: GeneratedReport, rng: np.random.Generator
) -> tuple[str, frozenset]:
    """The txt-layout text and the cells it makes ambiguous (see the module docstring)."""
    page = _Page(rng)
    printed: list[list[int]] = []
    for part in tables(doc):
        if isinstance(part, str):
            page.lines.append(" " * page.margin + part)
            page.lines.append("")
            page.maybe_break(0.1)
        else:
            printed.append(render_layout_table(part, page, rng))
            page.lines.append("")
    text = "\n".join(page.lines).replace("\n\x0c\n", "\n\x0c") + "\n"
    ambiguous: set = set()
    for rows, table_rows in zip(_data_rows(report), printed, strict=True):
        for block in rows:  # the data rows of one block, each (grid row index, cell keys)
            marks = [
                (table_rows[r], any(not _printed(report, k) for k in keys), keys)
                for r, keys in block
            ]
            for at, (page_no, gap, keys) in enumerate(marks):
                if not any(_printed(report, key) for key in keys):
                    ambiguous.update(keys)  # a row of gaps only: its label line reads as text
                elif gap and not (
                    any(p == page_no and not g for p, g, _k in marks[:at])
                    and any(p == page_no and not g for p, g, _k in marks[at + 1 :])
                ):  # no full row above and below it on its page: its gaps have no certain position
                    ambiguous.update(keys)
    # table 三's 'other' of the 2021 layout is the sum of its sub-rows: unknown when one is
    ambiguous.update(
        ("requests", "other", c)
        for t, i, c in list(ambiguous)
        if t == "requests" and i.startswith("other.")
    )
    return text, frozenset(ambiguous)


def render_txt_layout(doc: Document, report: GeneratedReport, rng: np.random.Generator) -> str:
    return _layout(doc, report, rng)[0]


def layout_ambiguous(report: GeneratedReport) -> frozenset:
    """The cells ``txt-layout`` leaves without a position for certain (rendered again with the
    rng :func:`govstats.synth.render` gives the form)."""
    rng = np.random.default_rng([report.body.index, report.year, zlib.crc32(b"txt-layout")])
    return _layout(to_document(report, "txt-layout"), report, rng)[1]


def _printed(report: GeneratedReport, key) -> bool:
    """Whether the cell prints a token (a number or a placeholder such as ``—``), not a gap."""
    table, item, column = key
    if table == "requests" and column == "legal_person":
        return report.legal_person.get(item) is not None
    return bool(report.printed.get(key, "").strip())


def _data_rows(report: GeneratedReport) -> list[list[list[tuple[int, list]]]]:
    """Per table (二, 三, 四), its blocks; per block, its data rows as (grid row index in the
    table as :func:`govstats.synth.to_document` lays it out, the row's cell keys)."""
    pub: list[list[tuple[int, list]]] = []
    r = 0
    by_section: dict[str | None, list] = {}
    for item, columns in schema.PUBLICATION[report.layouts["publication"]].values():
        by_section.setdefault(item.section, []).append(
            [("publication", item.code, c.code) for c in columns]
        )
    for entries in by_section.values():
        r += 2  # the section row, the header row
        pub.append([(r + k, keys) for k, keys in enumerate(entries)])
        r += len(entries)
    layout = report.layouts["requests"]
    items = [
        i for i in schema.REQUEST_ITEMS[layout] if not (layout == "2021" and i.code == "other")
    ]
    merged = report.merged_legal_person
    codes = (
        ["natural_person", "legal_person", "total"]
        if merged
        else [c.code for c in schema.REQUEST_COLUMNS]
    )
    head = 2 if merged else 3
    req = [[(head + k, [("requests", i.code, c) for c in codes]) for k, i in enumerate(items)]]
    review = [
        [
            (
                3,
                [
                    ("review", i.code, c.code)
                    for i in schema.REVIEW_ITEMS
                    for c in schema.REVIEW_COLUMNS
                ],
            )
        ]
    ]
    return [pub, req, review]


FORMS = (
    Form(
        "text-grid",
        ".txt",
        "w3m -dump of an HTML report: tables drawn with box "
        "characters (or ASCII), wrapped labels, merged group cells",
        render_text_grid,
    ),
    Form(
        "txt-layout",
        ".txt",
        "pdftotext -layout of a PDF report: space-aligned columns, "
        "blank cells as gaps, page breaks with page numbers",
        render_txt_layout,
        layout_ambiguous,
    ),
)
