"""Space-aligned columns (``pdftotext -layout``, text browsers' borderless tables): a row with
blank cells is read by the positions of its numbers, never by counting them.

Plain text gives a row as its label and the numbers after it
(:func:`govstats.reading.text.split_line`). In space-aligned text a blank cell is only a gap, so a
row with blanks prints fewer numbers than its neighbours; taking them in order would shift every
number after a gap into the column to its left. This pass, run over the rows
:func:`~govstats.reading.text.read_plain_text` found, places such a row's numbers by their character
positions (display columns: a CJK character counts two):

* Only text laid out in columns counts: the numbers of a block's full rows stand two or more
  columns apart (single-spaced numbers, as ``pdftotext -raw`` prints them, carry no positions
  and are left as they are).
* Rows are taken in *blocks*: a block ends at a page break (``\\x0c``; pages are laid out
  apart), a page number (``- 4 -``), and a header line (a text line with two or more segments
  apart by two or more spaces: the column headings of the next section).
* In a block, the rows with the most numbers are its *full rows*. A row with fewer numbers is
  placed by the nearest full row above it and the nearest below: when their columns agree
  (each number of one overlaps the same column of the other: the page breaks the decoder
  turns into line breaks may lie between them, and a page laid out with another margin
  disagrees), each column spans the positions its numbers take in the two.
* Each number goes to the column whose span it overlaps (or, failing that, lies nearest to by
  a clear margin), the gaps become blank cells. When a number falls in no column or two
  numbers in one, or there is no agreeing full row above and below, the row's value cells
  are blank, NA, with a warning naming the row: its numbers are never placed by their count.
"""

from __future__ import annotations

import re

from govstats.reading.document import Block, Cell, Document
from govstats.reading.grid import display_width
from govstats.reading.numbers import is_value_text

#: a page number line between rows (``- 4 -``, ``—5—``, ``第4页``, ``4/12``)
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页"
    r"(?:\s*共\s*\d+\s*页)?|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
_SEGMENTS = re.compile(r"\S+(?: \S+)*")
#: how far (display columns) a number may stand beside its column's span and still be placed
_MARGIN = 2
#: a text line wider than this (display columns) is a paragraph, not a label: it ends a block
_PARAGRAPH = 60


def _tokens(line: str) -> list[tuple[int, int, str]]:
    """Whitespace-separated tokens of ``line`` with their display-column span [start, end)."""
    out = []
    for m in re.finditer(r"\S+", line):
        start = display_width(line[: m.start()])
        out.append((start, start + display_width(m[0]), m[0]))
    return out


def _ends_block(line: str) -> bool:
    """A header line (two or more segments apart by two or more spaces, or tabs) or a
    paragraph line (wider than a table's label column ever is)."""
    if "\t" in line:
        return True
    segments = _SEGMENTS.findall(line.replace("\u3000", " "))
    return len(segments) >= 2 or (len(segments) == 1 and display_width(segments[0]) > _PARAGRAPH)


def _value_tokens(block: Block, line: str) -> list[tuple[int, int, str]] | None:
    """The positions of the row's value cells in its line, when the line prints them as its
    trailing tokens (else None: a tab-separated or glued row is not space-aligned)."""
    if "\t" in line:
        return None
    values = [c.text for c in block.cells if is_value_text(c.text)]
    n = len(block.cells) - (1 if block.cells and not is_value_text(block.cells[0].text) else 0)
    if not values or n != len(values):
        return None
    tokens = _tokens(line)
    if len(tokens) < len(values) or [t[2] for t in tokens[len(tokens) - len(values) :]] != values:
        return None
    return tokens[len(tokens) - len(values) :]


def place_by_columns(doc: Document, text: str) -> None:
    """Place the numbers of space-aligned rows with blank cells by position (in place)."""
    lines = text.splitlines(keepends=True)
    block_rows: list[tuple[int, Block, list[tuple[int, int, str]]]] = []
    previous = 0
    for index, block in enumerate(doc.blocks):
        number = _line_number(block.source)
        if number is None:
            continue
        if any(ln.endswith("\x0c") for ln in lines[max(previous - 1, 0) : number - 1]):
            _place(doc, block_rows)  # a page break since the last block
            block_rows = []
        previous = number
        line = lines[number - 1].rstrip("\r\n\x0c") if number <= len(lines) else ""
        if _PAGE_NUMBER.match(line):  # page furniture (``- 4 -`` reads as three value cells)
            doc.blocks[index] = Block(
                "text", [Cell(" ".join(line.split()), block.source)], block.source
            )
            _place(doc, block_rows)
            block_rows = []
            continue
        if block.kind == "text":
            if _ends_block(line):
                _place(doc, block_rows)
                block_rows = []
            continue
        tokens = _value_tokens(block, line)
        if tokens is not None:
            block = doc.blocks[index] = _split_label(block, line, tokens)
            block_rows.append((index, block, tokens))
    _place(doc, block_rows)


def _split_label(block: Block, line: str, tokens: list[tuple[int, int, str]]) -> Block:
    """The row with its label cut into the cells the layout prints apart (two or more spaces:
    ``（三）不予公开    1.属于国家秘密``), as a grid would give them."""
    cells = block.cells
    if not cells or is_value_text(cells[0].text):
        return block
    words = list(re.finditer(r"\S+", line))
    label_part = line[: words[len(words) - len(tokens)].start()] if len(words) > len(tokens) else ""
    parts = _SEGMENTS.findall(label_part.replace("\u3000", " "))
    if len(parts) < 2 or " ".join(" ".join(parts).split()) != cells[0].text:
        return block
    return Block(
        "row",
        [Cell(part, cells[0].source) for part in parts] + cells[1:],
        block.source,
        block.table,
    )


def _line_number(source: str) -> int | None:
    m = re.match(r"line (\d+)$", source)
    return int(m[1]) if m else None


def _place(doc: Document, rows: list[tuple[int, Block, list[tuple[int, int, str]]]]) -> None:
    if len(rows) < 2:
        return
    k_max = max(len(t) for _i, _b, t in rows)
    if k_max < 2 or all(len(t) == k_max for _i, _b, t in rows):
        return
    full = [p for p, (_i, _b, t) in enumerate(rows) if len(t) == k_max]
    if any(rows[p][2][j][1] + 2 > rows[p][2][j + 1][0] for p in full for j in range(k_max - 1)):
        return  # numbers one space apart: not laid out in columns (pdftotext -raw), no positions
    for p, (index, block, tokens) in enumerate(rows):
        if len(tokens) == k_max:
            continue
        above = max((q for q in full if q < p), default=None)
        below = min((q for q in full if q > p), default=None)
        columns = None
        if above is not None and below is not None:
            spans = _agreed_spans(rows[above][2], rows[below][2])
            columns = _columns(tokens, spans) if spans is not None else None
        label = block.cells[: len(block.cells) - len(tokens)]
        where = block.source
        if columns is None:
            doc.warnings.append(
                f"{doc.name}: {where}: row {' '.join(c.text for c in label) or '(no label)'!r} "
                f"prints {len(tokens)} of {k_max} numbers and the full rows around it do not tell "
                "which columns they stand in; its cells are NA"
            )
            # ("undetermined" as extract marks cells it cannot split: a sum over them stays unknown)
            cells = (
                label
                + [
                    Cell(
                        "",
                        f"{where} (undetermined: {len(tokens)} of "
                        f"{k_max} numbers printed, columns uncertain)",
                    )
                ]
                * k_max
            )
        else:
            by_column = dict(zip(columns, tokens, strict=True))
            cells = label + [
                Cell(by_column[j][2] if j in by_column else "", where) for j in range(k_max)
            ]
        doc.blocks[index] = Block("row", cells, block.source, block.table)


def _agreed_spans(
    a: list[tuple[int, int, str]], b: list[tuple[int, int, str]]
) -> list[tuple[int, int]] | None:
    """The columns two full rows give, when every column of one overlaps the same column of the
    other (rows of one page; a page laid out with another margin disagrees), else None."""
    if any(x[0] >= y[1] or y[0] >= x[1] for x, y in zip(a, b, strict=True)):
        return None
    spans = [(min(x[0], y[0]), max(x[1], y[1])) for x, y in zip(a, b, strict=True)]
    return spans if all(spans[j][1] <= spans[j + 1][0] for j in range(len(spans) - 1)) else None


def _columns(tokens: list[tuple[int, int, str]], spans: list[tuple[int, int]]) -> list[int] | None:
    """The column of each token (increasing), or None when any is in doubt."""
    out: list[int] = []
    for start, end, _text in tokens:
        hits = [j for j, (lo, hi) in enumerate(spans) if start < hi and end > lo]
        if not hits:  # beside every span: the nearest, when it is clearly the nearest
            dist = sorted((max(lo - end, start - hi), j) for j, (lo, hi) in enumerate(spans))
            if dist[0][0] <= _MARGIN and (len(dist) == 1 or dist[1][0] > dist[0][0] + _MARGIN):
                hits = [dist[0][1]]
        if len(hits) != 1 or (out and hits[0] <= out[-1]):
            return None
        out.append(hits[0])
    return out
