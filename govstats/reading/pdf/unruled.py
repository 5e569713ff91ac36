"""Tables printed without ruling lines, on pages that draw none: rows are lines ending in
numbers, value columns are found by lining the numbers up, labels join the rows they belong to."""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass

from govstats.reading.document import Cell
from govstats.reading.pdf.chars import _ENUMERATOR, CELL_GAP_EM, SPACE_GAP_EM, Char, _is_number
from govstats.reading.pdf.lines import _chars_text, _group_lines, _join_wrapped, _Line, _where
from govstats.reading.pdf.parts import _TablePart

_PLACEHOLDER = re.compile(r"^[\s—\-－–/／无]+$")


def _tokens(line: _Line) -> list[list[Char]]:
    """A line cut into cell candidates: at gaps wider than ``CELL_GAP_EM``, and at any visible
    gap next to a digit (the digits of one number are set close together)."""
    out: list[list[Char]] = []
    for c in line.chars:
        if c["text"].isspace():
            continue
        if out:
            prev = out[-1][-1]
            size = max(float(prev.get("size") or 10.0), 1.0)
            gap = c["x0"] - prev["x1"]
            digit = prev["text"][-1:].isdigit() or c["text"][:1].isdigit()
            if gap > CELL_GAP_EM * size or (digit and gap > SPACE_GAP_EM * size):
                out.append([c])
                continue
            out[-1].append(c)
        else:
            out.append([c])
    return out


@dataclass
class _Tokenised:
    """A line with its cell candidates (``tokens``, see :func:`_tokens`) and their texts."""

    line: _Line
    tokens: list[list[Char]]
    texts: list[str]

    @property
    def numbers(self) -> list[int]:
        """Indexes of the tokens that are numbers."""
        return [i for i, t in enumerate(self.texts) if _is_number(t)]

    @property
    def numeric(self) -> bool:
        """Ends with numbers: two, or one after a label — a row of values."""
        n = self.numbers
        if not n or n[-1] != len(self.texts) - 1:
            return False
        return len(n) >= 2 or n[0] > 0


def _unruled_tables(page: int, lines: list[_Line]) -> list[_TablePart]:
    """Tables printed without ruling lines, from the positions of characters.

    A *row* is a line with numbers (two, or one after a label). Runs of rows, with up to
    three label-only lines between them, make a table. Value columns are found by lining up
    the numbers of all its rows; cells are cut at wide gaps and between digits at any gap, so
    the digits of neighbouring cells never run together, and a column left blank in a row
    gives an empty cell. Left of the values, label columns are found from where label
    fragments start; a wrapped row label (lines above and below the numbers) joins the row
    whose numbers lie nearest, and a group label printed across several rows (（三）不予公开)
    becomes one cell of the row at its middle. Header lines just above the first row (several
    cells reaching into the value columns) are rows of their own. Lines far from any row
    stay text.
    """
    info = [
        _Tokenised(ln, toks, [_chars_text(t) for t in toks])
        for ln in lines
        for toks in [_tokens(ln)]
    ]
    parts: list[_TablePart] = []
    i = 0
    while i < len(info):
        if not info[i].numeric:
            i += 1
            continue
        run, k = [i], i + 1
        while k < len(info):
            size = max(info[k].line.size, 1.0)
            value_x = min(info[r].tokens[n][0]["x0"] for r in run for n in info[r].numbers)
            if info[k].line.top - info[run[-1]].line.bottom > 3.5 * size and info[k].numeric:
                break
            if _is_header(info[k], value_x) or (
                k + 1 < len(info) and _is_header(info[k + 1], value_x)
            ):
                break  # a header row (or the caption above one) starts the next table
            if info[k].numeric:
                run.append(k)
            elif k - run[-1] > 3:
                break
            k += 1
        if len(run) < 2 and len(info[i].numbers) < 4:
            value_x = info[i].tokens[info[i].numbers[0]][0]["x0"]
            if not (i > 0 and _is_header(info[i - 1], value_x)):  # a one-row table has its header
                i += 1
                continue
        first, last = run[0], run[-1]
        value_x = min(info[r].tokens[n][0]["x0"] for r in run for n in info[r].numbers)
        # label lines wrapped above the first row
        while first > 0 and run[0] - first < 2:
            above = info[first - 1]
            size = max(above.line.size, 1.0)
            if (
                above.numbers
                or _reaches(above, value_x)
                or info[first].line.top - above.line.bottom > 0.8 * size
            ):
                break
            first -= 1
        # header lines right above: several cells, reaching into the value columns
        top = first
        while top > 0 and first - top < 6:
            above = info[top - 1]
            if _is_header(above, value_x) or (
                top < first
                and _is_header(info[top], value_x)
                and len(above.tokens) == 1
                and above.line.x1 < value_x
            ):
                top -= 1
            else:
                break
        # label lines wrapped below the last row
        end = last
        while end + 1 < len(info) and end - last < 3:
            below = info[end + 1]
            size = max(below.line.size, 1.0)
            if (
                below.numeric
                or _reaches(below, value_x)
                or below.line.top - info[end].line.bottom > 0.8 * size
            ):
                break
            if end + 2 < len(info) and _is_header(info[end + 2], value_x):
                break
            end += 1
        parts.append(_unruled_part(page, info[top:first], info[first : end + 1], value_x))
        i = end + 1
    return parts


def _reaches(t: _Tokenised, value_x: float) -> bool:
    """A cell of the line starts in the value columns."""
    return any(tok[0]["x0"] >= value_x - 1 for tok in t.tokens)


def _is_header(t: _Tokenised, value_x: float) -> bool:
    """A table's header line: several cells, reaching into the value columns, no numbers."""
    return not t.numbers and len(t.tokens) >= 2 and t.tokens[-1][0]["x0"] >= value_x - 1


def _columns(spans: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Overlapping or nearby (x0, x1) spans merged into columns, left to right."""
    out: list[list[float]] = []
    for x0, x1 in sorted(spans):
        if out and x0 <= out[-1][1] + tolerance:
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


def _unruled_part(
    page: int, headers: list[_Tokenised], body: list[_Tokenised], value_x: float
) -> _TablePart:
    """One table without rules: ``headers`` lines as rows of their own, then ``body`` (rows of
    numbers and label lines around them) with values right of ``value_x``.

    Characters right and left of ``value_x`` are regrouped into lines separately, so numbers
    set between two lines of a wrapped label never interleave with it.
    """
    size = max(statistics.median([t.line.size for t in body]), 1.0)
    chars = [c for t in body for c in t.line.chars if not c["text"].isspace()]
    value_lines = _group_lines([c for c in chars if c["x0"] >= value_x - 1])
    tokenised = [
        _Tokenised(ln, toks, [_chars_text(t) for t in toks])
        for ln in value_lines
        for toks in [_tokens(ln)]
    ]
    rows_at = [t for t in tokenised if t.numbers]
    # label text: left of the values, and lines over the value columns without numbers
    # (a label wrapped in a narrow column there)
    wordy = [c for t in tokenised if not t.numbers for c in t.line.chars]
    label_lines = _group_lines([c for c in chars if c["x0"] < value_x - 1] + wordy)
    if not rows_at:
        return _TablePart(
            page, 0.0, 0.0, 0.0, 0.0, [], [], 0, [], [], [], [t.line for t in headers + body]
        )
    value_tokens = [t.tokens[n] for t in rows_at for n in t.numbers]
    value_cols = _columns([(tok[0]["x0"], tok[-1]["x1"]) for tok in value_tokens], 0.3 * size)

    def middle(cs: list[Char]) -> float:
        return (min(c["top"] for c in cs) + max(c["bottom"] for c in cs)) / 2

    def row_on(cs: list[Char]) -> int | None:
        """The value row printed on the same line as these characters, if any."""
        top, bottom = min(c["top"] for c in cs), max(c["bottom"] for c in cs)
        on = [r for r, t in enumerate(rows_at) if top <= middle(t.line.chars) <= bottom]
        return on[0] if len(on) == 1 else None

    def nearest_row(y: float) -> int:
        return min(range(len(rows_at)), key=lambda r: abs(middle(rows_at[r].line.chars) - y))

    # label columns start where label fragments start
    label_tokens = [(n, tok) for n, ln in enumerate(label_lines) for tok in _tokens(ln)]
    starts = [
        a
        for a, _ in _columns(
            [(tok[0]["x0"], tok[0]["x0"] + 0.5 * size) for _, tok in label_tokens], 1.5 * size
        )
    ]
    fragments: dict[tuple[int, int], list[Char]] = {}
    for n, tok in label_tokens:
        col = max(0, bisect.bisect_right(starts, tok[0]["x0"] + 1) - 1)
        fragments.setdefault((n, col), []).extend(tok)
    # chunks: consecutive fragments of one column making one label (a wrapped label, a group
    # label over several rows); a chunk goes to the row printed on its line, else the nearest
    cells: list[dict[int, list[Char]]] = [{} for _ in rows_at]
    for col in range(len(starts)):
        pieces = sorted(
            ((n, cs) for (n, c), cs in fragments.items() if c == col), key=lambda p: p[0]
        )
        chunk: list[Char] = []
        chunk_row: int | None = None
        for _, cs in pieces + [(None, [])]:
            text = _chars_text(sorted(cs, key=lambda c: c["x0"])) if cs else ""
            on_row = row_on(cs) if cs else None
            new = (
                not cs
                or not chunk
                or min(c["top"] for c in cs) - max(c["bottom"] for c in chunk) > 0.8 * size
                or _ENUMERATOR.match(text)
                or (on_row is not None and chunk_row is not None and on_row != chunk_row)
            )
            if new and chunk:
                r = chunk_row if chunk_row is not None else nearest_row(middle(chunk))
                cells[r].setdefault(col, []).extend(chunk)
                chunk, chunk_row = [], None
            chunk += cs
            if on_row is not None:
                chunk_row = on_row

    part = _TablePart(page, 0.0, 0.0, 0.0, 0.0, [], [], 0, [], [], [])
    for t in headers:
        part.rows.append(
            [
                Cell(txt, _where(page, tok[0]["x0"], t.line.top))
                for tok, txt in zip(t.tokens, t.texts, strict=True)
            ]
        )
        part.boxes.append([(tok[0]["x0"], tok[-1]["x1"]) for tok in t.tokens])
    for r, t in enumerate(rows_at):
        row: list[Cell] = []
        boxes: list[tuple[float, float]] = []
        for col in sorted(cells[r]):
            cs = cells[r][col]
            x0 = min(c["x0"] for c in cs)
            text = _join_wrapped([ln.text for ln in _group_lines(cs)])
            row.append(Cell(text, _where(page, x0, min(c["top"] for c in cs))))
            boxes.append((x0, max(c["x1"] for c in cs)))
        values = [
            tok
            for tok, txt in zip(t.tokens, t.texts, strict=True)
            if _is_number(txt) or _PLACEHOLDER.match(txt)
        ]
        for tok, txt in zip(t.tokens, t.texts, strict=True):
            if not any(tok is v for v in values):  # a label printed over the value columns
                row.append(Cell(txt, _where(page, tok[0]["x0"], t.line.top)))
                boxes.append((tok[0]["x0"], tok[-1]["x1"]))
        for x0, x1 in value_cols:
            here = [tok for tok in values if x0 - 1 <= (tok[0]["x0"] + tok[-1]["x1"]) / 2 <= x1 + 1]
            text = " ".join(_chars_text(tok) for tok in here)
            row.append(Cell(text, _where(page, here[0][0]["x0"] if here else x0, t.line.top)))
            boxes.append((x0, x1))
        part.rows.append(row)
        part.boxes.append(boxes)
    lines = [t.line for t in headers + body]
    part.top = min(ln.top for ln in lines)
    part.bottom = max(ln.bottom for ln in lines)
    part.x0 = min(ln.x0 for ln in lines)
    part.x1 = max(ln.x1 for ln in lines)
    part.n_grid_rows = len(part.rows)
    part.starts = list(range(len(part.rows)))
    part.spans = [[1] * len(row) for row in part.rows]
    part.cut = [[False] * len(row) for row in part.rows]
    part.lines = lines
    return part
