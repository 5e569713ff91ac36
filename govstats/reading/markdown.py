"""Reader for markdown: pipe tables, converter tables without outer pipes, raw HTML tables, text.

What markdown converters (markitdown, html2text, pandoc, PDF-to-markdown tools) make of a
report's tables, read as rows:

* pipe tables (``| a | b |``): every line is a row, markdown's "header" line included
  (PDF-to-markdown tools put data rows there); ``|---|`` separator lines are dropped;
* html2text tables, written without outer pipes (``label| 1| 2``) with a ``---|---``
  separator (``---`` for a one-column header): every line of the block that holds a ``|``
  is a row, a trailing ``|`` ending an empty last cell; a line of the block without one
  (a heading row spanning the table) is a text line;
* raw HTML ``<table>`` elements inside the markdown (pandoc writes tables with merged
  cells so): read by :mod:`govstats.reading.html`, their rows and spans as in a page;
* a cell holding several numbers (``| 3001 53 |``: a PDF-to-markdown tool put two columns
  into one cell) is split into one cell per number, so a row counts its numbers, not its
  cells; such a row's blank cells before its first number are dropped (with columns merged
  into cells they no longer say whether they are spacers or blank values); whether the count fits
  the template is the extraction's business;
* blank cells a converter writes for a merged cell's spans are dropped where the table
  says they are spacers (:func:`_settle`): on a grid table (markitdown's first line, a row of
  blank cells as wide as the table) rows are right-aligned on the grid and a label's blank
  spacers left of every numeric column go; a row of as many cells as the header row above it
  loses the blank cells under the header's trailing blanks. Other blanks stay as printed
  (their place is uncertain: :mod:`govstats.reading.extract` reads such rows by their
  numbers, and leaves a row it cannot align NA with a warning naming it).

Loose lines outside tables that read as ``label n n …`` (PDF extractions print some table
rows as plain lines) become rows too; everything else is a text block. The title is the
first short line that reads as a report title (a converted web page carries its navigation
above it).
"""

from __future__ import annotations

import re

from govstats.reading.document import Block, Cell, Document
from govstats.reading.numbers import is_value_text
from govstats.reading.text import fold_ws, split_line

#: a markdown table separator line (``|---|---|``, ``---|---``, ``| :--- |``)
_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")
#: a separator without outer pipes, as html2text writes it (``---|---``, or ``---`` alone)
_BARE_SEPARATOR = re.compile(r"^:?-{3,}:?(\s*\|\s*:?-{3,}:?)*$")
#: an unescaped pipe
_PIPE = re.compile(r"(?<!\\)\|")
#: the tags that open and close a raw HTML table inside markdown
_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.I)
_TABLE_OPEN = re.compile(r"<table\b", re.I)
_STARTS_AS_MARKUP = re.compile(r"\s*<")
#: a cell of plain numbers printed together (``21 0``, ``3001 53``)
_NUMBERS = re.compile(r"\d+(?:\.\d+)?(?:\s+\d+(?:\.\d+)?)+")
#: a report title (``…2022年度政府信息公开工作年度报告``): a short line ending so
_TITLE = re.compile(r"(?:19|20)\d{2}年.{0,40}(?:信息公开|政务公开).{0,6}报告$")


def is_markdown(text: str) -> bool:
    """True when the text holds at least one markdown table (a ``|---|`` or ``---|---``
    separator line)."""
    return any(_SEPARATOR.match(ln.strip()) and "|" in ln for ln in text.splitlines())


def is_markdown_with_html(text: str) -> bool:
    """True for a markdown document carrying raw HTML tables: it holds ``<table>`` elements,
    does not start as markup does, and outside its tables has no HTML block markup."""
    from govstats.reading import _HTML

    if _STARTS_AS_MARKUP.match(text) or not _TABLE_OPEN.search(text):  # (a page: the common case)
        return False
    outside = "".join(text[a:b] for a, b in _between_tables(text))
    return _HTML.search(outside) is None


def _html_tables(text: str) -> list[tuple[int, int]]:
    """(start, end) of every outermost ``<table>…</table>`` element (nested tables, page
    layout around a report table, are left inside their outer table for the HTML reader)."""
    out: list[tuple[int, int]] = []
    depth, start = 0, 0
    for m in _TABLE_TAG.finditer(text):
        if not m.group(1):
            if depth == 0:
                start = m.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                out.append((start, m.end()))
    if depth:  # an unclosed table runs to the end
        out.append((start, len(text)))
    return out


def _between_tables(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text outside the raw HTML tables."""
    out, at = [], 0
    for a, b in _html_tables(text):
        out.append((at, a))
        at = b
    return out + [(at, len(text))]


def _split_cells(body: str) -> list[str]:
    return [fold_ws(c) for c in _PIPE.split(body)]


def _pipe_cells(line: str) -> list[str]:
    """A ``| a | b |`` line's cells (outer pipes dropped)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return _split_cells(body)


def _bare_cells(line: str) -> list[str]:
    """An html2text row's cells (``a| b| ``: no outer pipes; a trailing pipe ends an empty cell)."""
    return _split_cells(line.strip())


def _cells(
    texts: list[str], where: str, spacers: frozenset[int] = frozenset()
) -> tuple[list[Cell], bool]:
    """The row's cells (``where``: ``line 5 (table 2 row 3``), a cell of several numbers split
    into one per number, blank cells in the ``spacers`` columns (0-based) left out; and
    whether a cell was split."""
    out: list[Cell] = []
    split = False
    for i, text in enumerate(texts, start=1):
        if _NUMBERS.fullmatch(text):
            parts = text.split()
            split = True
            out.extend(
                Cell(p, f"{where} cell {i}: number {k} of {len(parts)} printed in one cell)")
                for k, p in enumerate(parts, 1)
            )
        elif text or i - 1 not in spacers:
            out.append(Cell(text, f"{where} cell {i})"))
    return out, split


def _without_label_spacers(cells: list[Cell]) -> list[Cell]:
    """The row without the blank cells between its label and its first value (a number or a
    placeholder): in a row that prints two numbers in one cell, a blank there no longer says
    whether it is the label's spacer or a blank value."""
    first = next((k for k, c in enumerate(cells) if c.text and is_value_text(c.text)), len(cells))
    return [c for k, c in enumerate(cells) if c.text or k > first]


def _unmerge(
    doc: Document, rows: dict[int, list[tuple[int, list[str], str]]], tables: set[int]
) -> None:
    """Re-read the rows of the tables where a tool merged columns into cells (a row prints
    two numbers in one cell; ``tables``), so that no blank cell whose role the merge made
    uncertain is read as a blank value.

    On a grid (every row of the table as wide), a column where no row prints a value is a
    spacer column: its blank cells go in every row (a row that then has fewer cells than
    the template's is not read; the tool may have merged a blank value into a neighbour).
    In a row that prints two numbers in one cell, the blank cells between its label and its
    first value go too; the row is read only when its cells are then as many as the
    template's."""
    for table in tables:
        entries = rows.get(table, [])
        widths = {len(texts) for _at, texts, _where in entries}
        spacers: frozenset[int] = frozenset()
        if len(widths) == 1:
            width = widths.pop()
            spacers = frozenset(
                j
                for j in range(width)
                if not any(texts[j] and is_value_text(texts[j]) for _a, texts, _w in entries)
            )
        for at, texts, where in entries:
            cells, split = _cells(texts, where, spacers)
            if split:
                cells = _without_label_spacers(cells)
            block = doc.blocks[at]
            doc.blocks[at] = Block("row", cells, block.source, block.table)


class _Reader:
    def __init__(self, name: str):
        self.doc = Document(name=name, format="markdown")
        self.table = 0
        self.row_in_table = 0
        #: tables a converter laid out on a grid (its first line is a row of blank cells as
        #: wide as the table, as markitdown writes them) → that width
        self.grids: dict[int, int] = {}
        #: tables where a row prints several numbers in one cell (the tool merged columns)
        self.merged_columns: set[int] = set()
        #: the markdown rows of each table: (block index, cell texts, source prefix)
        self.rows: dict[int, list[tuple[int, list[str], str]]] = {}

    def text(self, text: str, where: str) -> None:
        self.doc.blocks.append(Block("text", [Cell(text, where)], where))

    def start_table(self) -> None:
        self.table += 1
        self.row_in_table = 0

    def row(self, texts: list[str], number: int) -> None:
        self.row_in_table += 1
        if self.row_in_table == 1 and len(texts) > 1 and not any(texts):
            self.grids[self.table] = len(texts)
            return
        where = f"line {number} (table {self.table} row {self.row_in_table}"
        cells, split = _cells(texts, where)
        if split:
            self.merged_columns.add(self.table)
        self.rows.setdefault(self.table, []).append((len(self.doc.blocks), texts, where))
        self.doc.blocks.append(Block("row", cells, f"line {number}", table=self.table))

    def html_table(self, fragment: str, number: int) -> None:
        """Rows of a raw HTML table (its own tables numbered on from the markdown's)."""
        from govstats.reading.html import read_html

        inner = read_html(fragment, self.doc.name)
        base = self.table
        for block in inner.blocks:
            where = f"line {number} (HTML {block.source})"
            if block.kind == "row":
                table = base + (block.table or 1)
                self.table = max(self.table, table)
                cells = [
                    Cell(c.text, f"line {number} (HTML {c.source})", c.rowspan, c.colspan)
                    for c in block.cells
                ]
                self.doc.blocks.append(Block("row", cells, where, table=table))
            elif block.text:
                self.text(block.text, where)
        self.row_in_table = 0


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _settle(doc: Document, grids: dict[int, int]) -> None:
    """Drop the blank cells a converter wrote for merged cells' spans where the table says
    they are spacers, table by table: on a grid table, blank cells left of every column that
    holds a number (rows right-aligned on the grid: the cells a rowspan covers are missing at
    the left); on any table, the blank cells under a header row's trailing blanks in a row of
    as many cells as the header (a colspan over the last columns)."""
    header: list[str] | None = None
    table = None
    for at, block in enumerate(doc.blocks):
        if block.kind != "row" or block.table is None:
            continue
        if block.table != table:
            table, header = block.table, None
            width = grids.get(table)
            if width is not None:
                _right_aligned(doc, at, table, width)
                block = doc.blocks[at]
        cells = block.cells
        printed = [c.text for c in cells if c.text]
        if len(printed) >= 2 and not any(map(is_value_text, printed)):  # a header row
            header = [c.text for c in cells]
            continue
        if header is not None and len(header) == len(cells):
            spare = len(header) - len("\t".join(header).rstrip("\t").split("\t"))
            if spare and all(not c.text for c in cells[-spare:]):
                doc.blocks[at] = Block("row", cells[:-spare], block.source, block.table)


def _right_aligned(doc: Document, start: int, table: int, width: int) -> None:
    """On a grid table (rows right-aligned to ``width``), drop the blank cells after a row's
    label in the columns left of the first column where any row prints a number (the label
    columns' spacers)."""
    at = start
    rows: list[int] = []
    while at < len(doc.blocks) and (
        doc.blocks[at].kind != "row" or doc.blocks[at].table in (table, None)
    ):
        if doc.blocks[at].kind == "row" and doc.blocks[at].table == table:
            rows.append(at)
        at += 1
    if any(len(doc.blocks[i].cells) > width for i in rows):
        return  # not a grid after all
    numeric = [
        width - len(doc.blocks[i].cells) + j
        for i in rows
        for j, c in enumerate(doc.blocks[i].cells)
        if _has_digit(c.text) and is_value_text(c.text)
    ]
    if not numeric:
        return
    first = min(numeric)
    for i in rows:
        block = doc.blocks[i]
        offset = width - len(block.cells)
        labelled = [j for j, c in enumerate(block.cells) if c.text and not is_value_text(c.text)]
        if not labelled:
            continue  # (a blank first value, not a label's spacer)
        cells = [
            c for j, c in enumerate(block.cells) if c.text or offset + j >= first or j < labelled[0]
        ]
        if len(cells) != len(block.cells):
            doc.blocks[i] = Block("row", cells, block.source, block.table)


def _bare_regions(lines: list[str]) -> set[int]:
    """Indexes of lines inside html2text tables: a ``---|---`` separator, the header line
    before it, and the non-blank lines after it."""
    inside: set[int] = set()
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not _BARE_SEPARATOR.match(line) or i in inside:
            continue
        nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if "|" not in line and "|" not in nxt:
            continue  # "---" under a heading (setext) or a rule, not a table
        if i > 0 and lines[i - 1].strip():
            inside.add(i - 1)
        inside.add(i)
        j = i + 1
        while j < len(lines) and lines[j].strip():
            inside.add(j)
            j += 1
    return inside


def _title(doc: Document) -> str | None:
    """The first short text line that reads as a report title (before the first table)."""
    for block in doc.blocks:
        if block.kind == "row":
            return None
        text = block.text.lstrip("#").strip()
        if len(text) <= 80 and _TITLE.search("".join(text.split())):
            return text
    return None


def read_markdown(text: str, name: str) -> Document:
    """Read markdown text into a Document (tables numbered in document order)."""
    reader = _Reader(name)
    html_at: dict[int, str] = {}
    if _TABLE_OPEN.search(text):  # raw HTML tables: read apart, their lines left blank
        pieces, at = [], 0
        for a, b in _html_tables(text):
            html_at[text.count("\n", 0, a)] = text[a:b]
            pieces += [text[at:a], "\n" * text.count("\n", a, b)]
            at = b
        text = "".join(pieces) + text[at:]
    lines = text.splitlines()
    bare = _bare_regions(lines)
    in_table = False
    for index, raw in enumerate(lines):
        number = index + 1
        if index in html_at:
            reader.html_table(html_at[index], number)
            in_table = False
        line = raw.strip()
        where = f"line {number}"
        if not line:
            in_table = False
            continue
        if index in bare:
            if not in_table:
                reader.start_table()
                in_table = True
            if _BARE_SEPARATOR.match(line):
                continue
            if "|" in line.replace("\\|", ""):
                reader.row(_bare_cells(line), number)
            else:
                reader.text(fold_ws(line), where)
            continue
        if line.startswith("|"):
            if _SEPARATOR.match(line):
                continue
            if not in_table:
                reader.start_table()
                in_table = True
            reader.row(_pipe_cells(line), number)
            continue
        in_table = False
        plain = line.lstrip("#").strip() if line.startswith("#") else line
        cells = split_line(plain)
        if cells and len(cells) >= 2 and not line.startswith("#"):
            reader.doc.blocks.append(Block("row", [Cell(c, where) for c in cells], where))
        else:
            reader.text(fold_ws(plain), where)
    doc = reader.doc
    _unmerge(doc, reader.rows, reader.merged_columns)
    _settle(doc, reader.grids)
    doc.title = _title(doc)
    return doc
