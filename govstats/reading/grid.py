"""Reader for tables drawn with box characters: the text ``w3m -dump`` (and other text browsers,
``tabulate``/``psql``-style tools) make of HTML reports.

A grid is read as a grid, never by counting cells on a line:

* Positions are **display columns** (a CJK character is two columns wide in the terminal,
  :func:`display_width`), so the ``│`` of every line of a grid stand at the same positions.
* The cells are the connected regions of the grid's interior that no border character
  separates (a flood fill): a label wrapped over several lines is one cell, a group label
  merged over many rows (``三、本年度办理结果``) is one cell, whatever its text's line breaks.
* Column boundaries are the positions where any line draws a vertical bar or junction; row
  boundaries the lines that draw a horizontal rule anywhere (``├──``). A cell's ``colspan`` /
  ``rowspan`` is the number of boundaries it spans plus one, so the Document gets the rows as
  an HTML table would print them (see :mod:`govstats.reading.document`): each cell once, in the
  row where it starts, with its spans, and :mod:`govstats.reading.rows` reads them as it reads
  HTML.
* A grid that is not closed (cut off at the bottom or the right, a line whose bars do not
  stand where the others' do, a region no rectangle describes) has those rows left out with a
  warning naming the line: never read with cells in doubt.

Box-drawing characters (U+2500–U+257F) and ASCII grids (``+---+---+`` rules, ``|`` bars) are
read. Lines outside grids are read as plain text (:func:`govstats.reading.text.read_plain_text`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

from govstats.reading.document import Block, Cell, Document
from govstats.reading.metadata import parse_title
from govstats.reading.text import fold_ws, read_plain_text

__all__ = ["display_width", "is_grid_text", "read_grid_text", "find_grids"]

#: box-drawing characters with no vertical arm (they never separate columns)
_HORIZONTAL_ONLY = frozenset("─━═╌╍┄┅┈┉╼╾-=")
#: box-drawing characters with no horizontal arm (they never separate rows)
_VERTICAL_ONLY = frozenset("│┃║╎╏┆┇┊┋╽╿|")
#: a full rule line: box characters only, or an ASCII ``+---+---+`` rule
_BOX_RULE = re.compile(r"^[\u2500-\u257f]{3,}$")
_ASCII_RULE = re.compile(r"^\+(?:[-=]+\+)+$")
#: text ending in a number (a wrapped number's head)
_NUMBER_END = re.compile(r"(?:^|\s)[+-]?\d[\d,]*\.?\d*$")
#: zero-width characters (they take no column in a terminal)
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


@lru_cache(maxsize=4096)
def char_width(ch: str, ambiguous: int = 1) -> int:
    """Columns ``ch`` takes in a terminal: 2 for wide/full-width (CJK), 0 for combining and
    zero-width marks, ``ambiguous`` for East Asian ambiguous characters (1 in UTF-8 terminals
    such as w3m's; 2 in CJK-legacy settings), else 1."""
    if ch in _ZERO_WIDTH or unicodedata.combining(ch):
        return 0
    eaw = unicodedata.east_asian_width(ch)
    if eaw in ("W", "F"):
        return 2
    if eaw == "A" and not _is_box(ch):
        return ambiguous
    return 1


def display_width(text: str, ambiguous: int = 1) -> int:
    """The display width of ``text`` in terminal columns (see :func:`char_width`)."""
    return sum(char_width(ch, ambiguous) for ch in text)


def _is_box(ch: str) -> bool:
    return "\u2500" <= ch <= "\u257f"


def is_grid_text(text: str) -> bool:
    """True when the text draws tables as grids: at least three full rule lines of box
    characters (``├────┼────┤``) or ASCII rules (``+----+----+``)."""
    rules = 0
    for line in text.splitlines():
        s = line.strip()
        if (
            len(s) >= 3
            and (s[0] in "┌├└┏┣┗╔╠╚╒╞╘╓╟╙+")
            and (_BOX_RULE.match(s) or _ASCII_RULE.match(s))
        ):
            rules += 1
            if rules >= 3:
                return True
    return False


# -- finding grids -------------------------------------------------------------------------


@dataclass
class Grid:
    """One drawn table: its lines (0-based line index of the first), ASCII or box drawing."""

    first: int
    lines: list[str]
    ascii: bool


def _grid_line(s: str, ascii: bool) -> bool:
    if not s:
        return False
    if ascii:
        return s[0] in "+|" and s[-1] in "+|"
    return _is_box(s[0]) and _is_box(s[-1])


def find_grids(lines: list[str]) -> list[Grid]:
    """The grids among ``lines``: maximal runs of lines that start and end with a border
    character and hold at least one rule line."""
    out: list[Grid] = []
    i, n = 0, len(lines)
    while i < n:
        s = lines[i].strip()
        ascii = bool(s) and s[0] in "+|"
        if not _grid_line(s, ascii):
            i += 1
            continue
        j = i
        while j < n and _grid_line(lines[j].strip(), ascii):
            j += 1
        block = lines[i:j]
        rule = _ASCII_RULE if ascii else _BOX_RULE
        if any(rule.match(ln.strip()) for ln in block):
            out.append(Grid(i, [ln.rstrip() for ln in block], ascii))
        i = j
    return out


# -- reading one grid ---------------------------------------------------------------------


@dataclass
class GridCell:
    """A cell found in a grid: first/last line and display column of its interior, text."""

    top: int
    bottom: int
    left: int
    right: int
    text: str
    broken: bool = False  # its region is no rectangle (a bar missing somewhere)


@dataclass
class GridRows:
    """A grid read: its rows (cells starting in each row band), the warnings, and the line
    (0-based, in the grid) each band starts at."""

    rows: list[list[tuple[GridCell, int, int]]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _columns(line: str, ambiguous: int) -> list[str]:
    """The line as one entry per display column: the character that starts there, ``"\\0"``
    for the second column of a wide character (a zero-width mark joins its base)."""
    out: list[str] = []
    for ch in line.expandtabs(8):
        w = char_width(ch, ambiguous)
        if w == 0:
            if out:
                out[-1] += ch
            continue
        out.append(ch)
        if w == 2:
            out.append("\0")
    return out


def _border_mask(cols: list[str], ascii: bool) -> list[bool]:
    if not ascii:
        return [_is_box(c) for c in cols]
    mask = [c in "+|" for c in cols]
    n = len(cols)
    i = 0
    while i < n:  # a run of - or = is a rule when bars/corners bound it on both sides
        if cols[i] in "-=":
            j = i
            while j < n and cols[j] in "-=":
                j += 1
            if i > 0 and j < n and mask[i - 1] and mask[j]:
                for k in range(i, j):
                    mask[k] = True
            i = j
        else:
            i += 1
    return mask


def read_grid(grid: Grid, where: str = "line") -> GridRows:
    """The rows of one grid: cells with their spans, cut or misdrawn rows left out (warned)."""
    result = GridRows()
    top_line = grid.lines[0]
    left = len(top_line) - len(top_line.lstrip())
    lines: list[list[str]] = []
    masks: list[list[bool]] = []
    bad: set[int] = set()  # lines whose borders do not stand where the grid's do
    width = None
    for r, raw in enumerate(grid.lines):
        for ambiguous in (1, 2):
            cols = _columns(raw, ambiguous)
            mask = _border_mask(cols, grid.ascii)
            if width is None:
                width = len(cols)
            if len(cols) == width and left < len(cols) and mask[left] and mask[-1]:
                break
        else:
            assert width is not None  # set in the loop's first round
            bad.add(r)
            cols = cols[:width] + [" "] * (width - len(cols))
            mask = mask[:width] + [False] * (width - len(mask))
        lines.append(cols)
        masks.append(mask)
    assert width is not None
    height = len(lines)
    col_bounds = sorted(
        {
            x
            for r in range(height)
            for x in range(left, width)
            if masks[r][x] and lines[r][x] not in _HORIZONTAL_ONLY
        }
    )
    row_bounds = [
        r
        for r in range(height)
        if any(masks[r][x] and lines[r][x] not in _VERTICAL_ONLY for x in range(left, width))
    ]
    # flood fill of the interior
    seen = [[False] * width for _ in range(height)]
    cells: list[GridCell] = []
    open_cells: list[GridCell] = []
    for r0 in range(height):
        for c0 in range(left, width):
            if seen[r0][c0] or masks[r0][c0]:
                continue
            stack = [(r0, c0)]
            seen[r0][c0] = True
            points = []
            touches = False
            while stack:
                r, c = stack.pop()
                points.append((r, c))
                if r in (0, height - 1) or c in (left, width - 1):
                    touches = True
                for rr, cc in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                    if (
                        0 <= rr < height
                        and left <= cc < width
                        and not seen[rr][cc]
                        and not masks[rr][cc]
                    ):
                        seen[rr][cc] = True
                        stack.append((rr, cc))
            rows_ = [p[0] for p in points]
            cols_ = [p[1] for p in points]
            top, bottom, lo, hi = min(rows_), max(rows_), min(cols_), max(cols_)
            text = ""
            full = False  # whether the last line's text reached the cell's right edge
            for r in range(top, bottom + 1):
                raw = "".join(ch for ch in lines[r][lo : hi + 1] if ch != "\0")
                piece = raw.strip()
                if not piece:
                    continue
                # a number wrapped at the cell's edge (24252.31 / 1082) joins without a space
                glue = (
                    ""
                    if full and _NUMBER_END.search(text) and (piece[0].isdigit() or piece[0] == ".")
                    else " "
                )
                text = f"{text}{glue}{piece}" if text else piece
                full = raw.rstrip() == raw
            cell = GridCell(
                top,
                bottom,
                lo,
                hi,
                fold_ws(text),
                broken=len(points) != (bottom - top + 1) * (hi - lo + 1),
            )
            (open_cells if touches else cells).append(cell)
    # bands: the row boundaries in order; a cell's band is the one below its top border
    n_bands = max(len(row_bounds) - 1, 0)
    if not row_bounds or row_bounds[0] != 0:
        row_bounds = [-1] + row_bounds  # no top rule: the first band is open
    if row_bounds[-1] != height - 1:
        row_bounds = row_bounds + [height]
    n_bands = len(row_bounds) - 1
    cut: dict[int, str] = {}

    def band_of(line: int) -> int:
        return bisect_right(row_bounds, line - 1) - 1

    for r in sorted(bad):
        cut.setdefault(
            band_of(r),
            f"its borders do not stand where the grid's do ({where} {grid.first + r + 1})",
        )
    for cell in open_cells:
        if cell.text:
            for b in range(band_of(cell.top), band_of(cell.bottom) + 1):
                cut.setdefault(b, "the grid is not closed there (cut off)")
    for cell in cells:
        if cell.broken:
            for b in range(band_of(cell.top), band_of(cell.bottom) + 1):
                cut.setdefault(b, "a cell there is no rectangle (a border is missing)")
    by_band: dict[int, list[tuple[GridCell, int, int]]] = {}
    for cell in cells:
        band = band_of(cell.top)
        rowspan = bisect_right(row_bounds, cell.bottom) - bisect_left(row_bounds, cell.top) + 1
        colspan = bisect_right(col_bounds, cell.right) - bisect_left(col_bounds, cell.left) + 1
        by_band.setdefault(band, []).append((cell, rowspan, colspan))
    for band in range(n_bands):
        start = row_bounds[band] + 1
        if band in cut:
            texts = [
                c.text
                for c, _r, _c in sorted(by_band.get(band, []), key=lambda t: t[0].left)
                if c.text
            ]
            shown = " | ".join(texts)[:60]
            result.warnings.append(
                f"{where} {grid.first + start + 1}: a grid row "
                f"({shown or 'blank'}) is not read: {cut[band]}"
            )
            continue
        if start >= height:
            continue
        row = sorted(by_band.get(band, []), key=lambda t: t[0].left)
        result.rows.append(row)
        result.starts.append(start)
    return result


def read_grid_text(text: str, name: str) -> Document:
    """Read text holding box-drawn (or ASCII) grids: each grid's rows as Document rows (one
    table per grid), the other lines as plain text."""
    lines = text.splitlines()
    grids = find_grids(lines)
    blanked = list(lines)
    for g in grids:
        for r in range(len(g.lines)):
            blanked[g.first + r] = ""
    plain = read_plain_text("\n".join(blanked), name)
    doc = Document(name=name, format="txt-grid", title=plain.title, warnings=list(plain.warnings))
    placed: list[tuple[int, int, Block]] = []
    for block in plain.blocks:
        placed.append((_line_of(block.source), 0, block))
    for t, g in enumerate(grids, start=1):
        read = read_grid(g)
        doc.warnings.extend(f"{name}: {w}" for w in read.warnings)
        for k, (row, start) in enumerate(zip(read.rows, read.starts, strict=True), start=1):
            line = g.first + start + 1
            cells = [
                Cell(
                    c.text,
                    f"line {g.first + c.top + 1} (table {t} row {k} cell {i})",
                    rowspan,
                    colspan,
                )
                for i, (c, rowspan, colspan) in enumerate(row, start=1)
            ]
            placed.append((line, k, Block("row", cells, f"line {line}", table=t)))
    placed.sort(key=lambda p: (p[0], p[1]))
    doc.blocks = [b for _l, _k, b in placed]
    if doc.title is None:
        doc.title = _title_line(doc)
    return doc


def _title_line(doc: Document) -> str | None:
    """The report's title when a text line before the first table reads as one (body, year
    and 政府信息公开工作年度报告): a text browser prints a whole page, the site's navigation
    first, so the title can stand far down the text."""
    for block in doc.blocks:
        if block.kind == "row":
            break
        text = block.text
        if len(text) <= 80:
            body, year = parse_title(text)
            if body and year:
                return text
    return None


def _line_of(source: str) -> int:
    m = re.match(r"line (\d+)", source)
    return int(m[1]) if m else 0
