"""Readers for plain-text reports: pipe text, space/tab separated text, run-together text.

* ``txt-pipe``: every table cell on its own line ending in ``|`` (``17 |``); spanned/empty
  cells as lines of bare pipes (``|``, ``||||``). There are no row boundaries in such text:
  a row starts at a label cell that follows a value cell.
* ``txt-plain``: a table row is one line, cells separated by tabs (kept exactly, so blank
  cells survive) or by runs of spaces (then a row is its label followed by numeric tokens).
* ``txt-runtogether``: as plain text, but adjacent cells' digits are joined
  (``640020470`` for 64 | 0 | 0 | 2 | 0 | 4 | 70); such a row is kept as its label plus one
  digit-run cell, and :mod:`govstats.reading.runtogether` recovers the split from arithmetic.
"""

from __future__ import annotations

import re

from govstats.reading.document import Block, Cell, Document
from govstats.reading.numbers import is_placeholder, is_value_text
from govstats.reading.pdftext import prepare_lines

#: a label glued to a digit run: at least one CJK character/bracket before the digits
_GLUED = re.compile(r"^(?P<label>.*[\u4e00-\u9fff）)”\"】])(?P<digits>\d[\d.]*)$")
#: a number printed with a unit at the end of what looks like a label
_NUMBER_WITH_UNIT = re.compile(r"\d(?:件|个|项|条|次|人|家|份|宗|起|笔|元|万元)$")
#: a label glued to a run holding placeholders or minus signs among its digits
#: (``其他对外管理服务事项5无989``, ``行政许可25-244``, ``行政许可25减少244``): the run starts
#: with a digit or a mark right after the label and ends in a digit
_GLUED_MARKED = re.compile(
    r"^(?P<label>.*?[\u4e00-\u9fff）)”\"】])(?<![无减])(?P<digits>(?:\d|[-－—―─/／无−]|减少)*\d)$"
)


#: placeholders that mark an empty cell in space-separated text (not 无, which ends sentences)
_DASH_TOKENS = {"—", "——", "-", "--", "－", "/", "／"}


def fold_ws(text: str) -> str:
    """Whitespace runs (incl. NBSP, full-width space, line breaks) → one space; stripped."""
    return " ".join(text.split())  # str.split() cuts at Unicode whitespace, as _WS matches


def is_pipe_text(text: str) -> bool:
    """True when most table-like lines end in ``|`` without starting with one (pipe dump)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    ending = sum(1 for ln in lines if ln.endswith("|") and not ln.startswith("|"))
    return ending >= 20 and ending >= 0.3 * len(lines)


def read_pipe_text(text: str, name: str) -> Document:
    """Read a one-cell-per-line pipe dump (the 资阳 sample's format) into a Document."""
    doc = Document(name=name, format="txt-pipe")
    row: list[Cell] = []
    has_value = False

    def flush() -> None:
        nonlocal row, has_value
        if row:
            doc.blocks.append(Block("row", row, row[0].source))
        row, has_value = [], False

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"line {number}"
        if not line:
            continue
        if not line.endswith("|"):
            flush()
            doc.blocks.append(Block("text", [Cell(fold_ws(line), where)], where))
            continue
        for part in line.split("|")[:-1]:
            cell = Cell(fold_ws(part), where)
            is_value = cell.text == "" or is_value_text(cell.text)
            if not is_value and has_value:
                flush()
            row.append(cell)
            has_value = has_value or is_value
    flush()
    return doc


def split_line(line: str) -> list[str] | None:
    """A text line as table cells ``[label, v1, v2, …]``, or None if it is not a table row.

    Tab-separated lines keep every cell (blank cells included). Otherwise the trailing
    whitespace-separated numeric tokens are the cells and what precedes them is the label;
    a label glued to one digit run (run-together text) gives ``[label, digits]``. A line must
    hold at least one real number (not only placeholders) to be a row.
    """
    if "\t" in line:
        cells = [fold_ws(c) for c in line.split("\t")]
        # a row of blanks/placeholders is still a row ("行政许可\t—"); a header has no value cell
        if any(is_value_text(c) for c in cells):
            return cells
        return None
    tokens = fold_ws(line).split(" ")
    values: list[str] = []
    while tokens and is_value_text(tokens[-1]):
        values.insert(0, tokens.pop())
    label = " ".join(tokens)
    if values and (
        any(not is_placeholder(v) for v in values)
        or (label and all(v in _DASH_TOKENS for v in values))
    ):
        return ([label] if label else []) + values
    m = _GLUED_MARKED.match(label)
    if m and _NUMBER_WITH_UNIT.search(m["label"]):
        # "…事项12件-20": the label took a cell (a number with its unit); not a row we can read
        return None
    m = m or _GLUED.match(label)
    if m and len(m["label"]) <= 80:
        return [m["label"], m["digits"]]
    return None


def read_plain_text(text: str, name: str) -> Document:
    """Read plain or run-together text: table rows one per line, everything else text blocks."""
    doc = Document(name=name, format="txt-plain")
    long_runs = spaced = 0
    for number, raw in prepare_lines(
        text, doc.warnings, name
    ):  # page furniture dropped, split labels re-attached
        # tabs are cell separators: keep leading/trailing ones (blank first/last cells)
        line = raw.strip(" \r\n\u3000\u00a0") if "\t" in raw else raw.strip()
        where = f"line {number}"
        if not line.strip():
            continue
        cells = split_line(line)
        if cells is None:
            doc.blocks.append(Block("text", [Cell(fold_ws(line), where)], where))
            continue
        values = [c for c in cells if is_value_text(c)]
        if len(values) >= 2:
            spaced += 1
        elif values and len(re.sub(r"\D", "", values[0])) >= 4:
            long_runs += 1
        doc.blocks.append(Block("row", [Cell(c, where) for c in cells], where))
    if long_runs and not spaced:
        doc.format = "txt-runtogether"
    else:
        from govstats.reading.layout import place_by_columns

        place_by_columns(doc, text)  # space-aligned rows with blank cells: numbers by position
    return doc
