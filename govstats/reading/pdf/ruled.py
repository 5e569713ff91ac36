"""Tables drawn with ruling lines: the visible rules of a page, grouped into bands, cut into
cells by pdfplumber's table functions; each table read into a :class:`_TablePart` with cells
placed and spanned on the table's grid, and the text of a cut cell that overflows below it."""

from __future__ import annotations

import bisect

from govstats.reading.document import Cell
from govstats.reading.pdf.chars import SNAP, Char
from govstats.reading.pdf.edges import _edge
from govstats.reading.pdf.lines import _group_lines, _join_wrapped, _Line, _where
from govstats.reading.pdf.parts import _TablePart


def _bands(edges: list[dict]) -> list[list[dict]]:
    """The rules grouped by table: blocks of vertically connected vertical rules, each with
    the horizontal rules in its height, closed at its top and bottom.

    A table cut by a page break often lacks the rule where it was cut (and a merged cell there
    has no edge at all); closing each block gives those cells back (a closing rule over an
    existing one changes nothing). Tables are found band by band so that pdfplumber's
    snapping, which pulls together rules at nearby x anywhere on the page, never moves a
    column of one table onto the column of another.
    """
    verticals = sorted((e for e in edges if e["orientation"] == "v"), key=lambda e: e["top"])
    groups: list[list[dict]] = []
    for e in verticals:
        if groups and e["top"] <= max(g["bottom"] for g in groups[-1]) + SNAP:
            groups[-1].append(e)
        else:
            groups.append([e])
    bands = []
    for group in groups:
        x0 = min(e["x0"] for e in group)
        x1 = max(e["x0"] for e in group)
        if len(group) < 2 or x1 - x0 < 2 * SNAP:
            continue
        top = min(e["top"] for e in group)
        bottom = max(e["bottom"] for e in group)
        horizontals = [
            e
            for e in edges
            if e["orientation"] == "h"
            and top - SNAP <= e["top"] <= bottom + SNAP
            and e["x1"] >= x0 - SNAP
            and e["x0"] <= x1 + SNAP
        ]
        closing = [_edge("h", x0, x1, top, top), _edge("h", x0, x1, bottom, bottom)]
        bands.append(group + horizontals + closing)
    return bands


class _Table:
    """A table found on the rules: its cells as ``(x0, top, x1, bottom)`` boxes and the box
    around them (what the reader reads of pdfplumber's ``Table``)."""

    __slots__ = ("bbox", "cells")

    def __init__(self, cells: list[tuple[float, float, float, float]]):
        self.cells = cells
        self.bbox = (
            min(c[0] for c in cells),
            min(c[1] for c in cells),
            max(c[2] for c in cells),
            max(c[3] for c in cells),
        )


def _find_tables(edges: list[dict]) -> list[_Table]:
    """Tables on the visible rules, band by band, single boxed cells included.

    The rules of a band are snapped and joined, cut into cells at their intersections and the
    cells grouped into tables by pdfplumber's table functions (what its ``TableFinder`` does
    with explicit lines), without a pdfplumber page: either engine's rules will do.
    """
    from pdfplumber.table import cells_to_tables, edges_to_intersections, merge_edges

    found: list[_Table] = []
    for band in _bands(edges):
        merged = merge_edges(
            [e for e in band if e["orientation"] == "v"]
            + [e for e in band if e["orientation"] == "h"],
            snap_x_tolerance=SNAP,
            snap_y_tolerance=SNAP,
            join_x_tolerance=SNAP,
            join_y_tolerance=SNAP,
        )
        merged = [e for e in merged if e["height" if e["orientation"] == "v" else "width"] >= 3]
        cells = _cells(edges_to_intersections(merged, SNAP, SNAP))
        tables = cells_to_tables(cells)
        # pdfplumber drops single-cell tables; a boxed line may be a table's lone first row
        grouped = {tuple(c) for t in tables for c in t}
        found += [_Table(t) for t in tables]
        found += [_Table([cell]) for cell in cells if tuple(cell) not in grouped]
    return found


def _cells(intersections: dict) -> list[tuple[float, float, float, float]]:
    """The smallest cells the rules close, from their intersections: what
    ``pdfplumber.table.intersections_to_cells`` returns, in its order, with the edges at each
    intersection and the points below and right of each looked up once instead of per pair
    (it is quadratic in the intersections of a page)."""

    def boxes(point, orientation):
        return {
            (e["x0"], e["top"], e["x1"], e["bottom"]) for e in intersections[point][orientation]
        }

    vertical = {p: boxes(p, "v") for p in intersections}
    horizontal = {p: boxes(p, "h") for p in intersections}

    def connects(p1, p2) -> bool:
        if p1[0] == p2[0] and not vertical[p1].isdisjoint(vertical[p2]):
            return True
        return p1[1] == p2[1] and not horizontal[p1].isdisjoint(horizontal[p2])

    points = sorted(intersections)
    by_x: dict[float, list] = {}
    by_y: dict[float, list] = {}
    for pt in points:  # in sorted order: below by top, right by x
        by_x.setdefault(pt[0], []).append(pt)
        by_y.setdefault(pt[1], []).append(pt)
    position = {pt: i for i, pt in enumerate(points)}
    cells = []
    for pt in points:
        i = position[pt]
        below = [q for q in by_x[pt[0]] if position[q] > i]
        right = [q for q in by_y[pt[1]] if position[q] > i]
        cell = None
        for below_pt in below:
            if not connects(pt, below_pt):
                continue
            for right_pt in right:
                if not connects(pt, right_pt):
                    continue
                corner = (right_pt[0], below_pt[1])
                if (
                    corner in intersections
                    and connects(corner, right_pt)
                    and connects(corner, below_pt)
                ):
                    cell = (pt[0], pt[1], corner[0], corner[1])
                    break
            if cell is not None:
                break
        if cell is not None:
            cells.append(cell)
    return cells


def _grid(values: list[float]) -> list[float]:
    """The distinct positions (rounded to 0.1 pt) clustered at ``SNAP``: a table's grid lines."""
    return _cluster(sorted({round(v, 1) for v in values}))


def _cluster(values: list[float]) -> list[float]:
    """Sorted positions thinned: one within ``SNAP`` of the last position kept is dropped."""
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def _index(grid: list[float], v: float) -> int:
    """The index of the first grid line at or after ``v - SNAP`` (the last line if none)."""
    i = bisect.bisect_left(grid, v - SNAP)
    return min(i, len(grid) - 1)


def _table_part(page: int, table, chars: list[Char], spill: list[Char]) -> _TablePart:
    """Cells of one drawn table with spans on its grid, text read by character position.

    ``spill`` are characters printed just below the table (a cut cell's overflow): they
    belong to the cell of the last grid row above them.
    """
    cells = list(table.cells)
    xs = _grid([v for c in cells for v in (c[0], c[2])])
    ys = _grid([v for c in cells for v in (c[1], c[3])])
    placed = []
    for x0, top, x1, bottom in cells:
        col, col_end = _index(xs, x0), _index(xs, x1)
        row, row_end = _index(ys, top), _index(ys, bottom)
        if col_end > col and row_end > row:
            placed.append((row, col, row_end - row, col_end - col, (x0, top, x1, bottom)))
    placed = _split_containers(placed, xs, ys)
    owner: dict[tuple[int, int], int] = {}
    for k, (row, col, rs, cs, _) in enumerate(placed):
        for r in range(row, row + rs):
            for c in range(col, col + cs):
                owner.setdefault((r, c), k)
    texts: list[list[Char]] = [[] for _ in placed]
    for ch in chars + spill:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        c = bisect.bisect_right(xs, cx) - 1
        r = min(bisect.bisect_right(ys, cy) - 1, len(ys) - 2)
        at = owner.get((r, c))
        if at is not None:
            texts[at].append(ch)
    spilled = {id(ch) for ch in spill}
    by_row: dict[int, list[tuple[int, Cell, tuple[float, float], int, bool]]] = {}
    for k, (row, col, rs, cs, (x0, top, x1, bottom)) in enumerate(placed):
        lines = _group_lines(texts[k])
        text = _join_wrapped([ln.text for ln in lines])
        cut = bool(lines) and (
            lines[-1].bottom >= bottom - 0.5 or any(id(ch) in spilled for ch in texts[k])
        )
        cell = Cell(text, _where(page, x0, top), rowspan=rs, colspan=cs)
        by_row.setdefault(row, []).append((col, cell, (x0, x1), rs, cut))
    # an empty spacer row carries nothing
    kept = [row for row in sorted(by_row) if any(e[1].text or e[3] > 1 for e in by_row[row])]
    foot = _foot(kept, by_row) if kept else len(ys) - 1
    part = _TablePart(
        page, table.bbox[1], table.bbox[3], table.bbox[0], table.bbox[2], [], [], foot, [], [], []
    )
    for k, row in enumerate(kept):
        entries = sorted(by_row[row], key=lambda e: e[0])
        spans = [min(e[3], foot - row) for e in entries]
        # a cell spans the emitted rows starting on its grid rows (not the grid rows themselves)
        part.rows.append(
            [
                e[1]._replace(rowspan=bisect.bisect_left(kept, row + s) - k)
                for e, s in zip(entries, spans, strict=True)
            ]
        )
        part.boxes.append([e[2] for e in entries])
        part.starts.append(row)
        part.spans.append(spans)
        part.cut.append([e[4] for e in entries])
    part.single = len(xs) <= 2
    if part.single:
        part.lines = _group_lines(chars + spill)
        if len(part.rows) > 1:  # a boxed block of text, not a table's header row
            part.rows = []
    return part


_Placed = tuple[int, int, int, int, tuple[float, float, float, float]]  # row, col, rows, cols, bbox


def _foot(kept: list[int], by_row: dict[int, list]) -> int:
    """The grid row where a part's last emitted row ends (where its shortest cell ends).

    ``kept`` are the grid rows that start emitted rows, ascending; ``by_row`` maps a grid row
    to its cell entries ``(col, cell, box, grid_rows, cut)``. The grid rows below the foot hold
    nothing but merged cells drawn past it (and empty boxes): where a page break cuts merged
    cells, Chromium draws them whole on the first page, down to where they would end or to the
    page's foot, and frames the table down to the page's foot. Counted to the foot, such a
    merged cell reaches the page break, and the reader joins it with its continuation.
    """
    last = kept[-1]
    return last + min(e[3] for e in by_row[last])


def _split_containers(placed: list[_Placed], xs: list[float], ys: list[float]) -> list[_Placed]:
    """Cells on the grid with no cell drawn around other cells: a "cell" that contains other
    cells is replaced by the column runs of grid slots no other cell covers.

    Where a page break falls inside merged cells nested in one another (a group label spanning
    sub-group labels, as 三、本年度办理结果 spans （三）不予公开), Chromium draws no rules for
    the merged cells' continuation on the new page: their area there is an L-shaped hole in the
    rules. pdfplumber closes the hole with the smallest ruled rectangle around it, which also
    covers the cells beside it (the rows' own labels), so those labels would be read into one
    cell. Each uncovered column run becomes one cell (a merged cell goes on down its column),
    which the reader then joins to the merged cell cut at the foot of the page before.
    ``placed`` entries are ``(row, col, rows, cols, (x0, top, x1, bottom))`` on the grid ``xs`` /
    ``ys`` (positions in points); the result is in the same form, sorted by row and column.
    """

    def contains(a: _Placed, b: _Placed) -> bool:
        return (
            a[:4] != b[:4]
            and a[0] <= b[0]
            and b[0] + b[2] <= a[0] + a[2]
            and a[1] <= b[1]
            and b[1] + b[3] <= a[1] + a[3]
        )

    # only a merged cell (more than one grid slot) can contain another
    containers = [
        a for a in placed if (a[2] > 1 or a[3] > 1) and any(contains(a, b) for b in placed)
    ]
    if not containers:
        return placed
    kept = [p for p in placed if p not in containers]
    taken = {
        (r, c)
        for row, col, rs, cs, _ in kept
        for r in range(row, row + rs)
        for c in range(col, col + cs)
    }
    for row, col, rs, cs, _ in containers:
        for c in range(col, col + cs):
            r = row
            while r < row + rs:
                if (r, c) in taken:
                    r += 1
                    continue
                end = r
                while end < row + rs and (end, c) not in taken:
                    end += 1
                kept.append((r, c, end - r, 1, (xs[c], ys[r], xs[c + 1], ys[end])))
                taken.update((i, c) for i in range(r, end))
                r = end
    return sorted(kept, key=lambda p: (p[0], p[1]))


def _overflow_lines(tables: list, lines: list[_Line], chars: list[Char]) -> list[_Line]:
    """Lines printed just below the last table of a page, inside one of its foot cells, with
    nothing after them: the text of a cell cut by the page break, overflowing the cell.

    A line qualifies when it starts within 0.3 character heights of the table's bottom rule,
    within one height when the cell above it is full (its text already touches the rule), or
    within three when that cell is empty (its vertically centred text fell below the break),
    at any distance when that cell is empty and the line is centred in it (the label of a
    merged cell centred on rows that went to the next page).
    Each returned line gets ``table``, the index of the table it belongs to.
    """
    if not tables or not lines:
        return []
    last = max(range(len(tables)), key=lambda i: tables[i].bbox[3])
    bottom = tables[last].bbox[3]
    below = [ln for ln in lines if ln.top >= bottom - 1]
    if not below or len(below) > 3:
        return []
    foot_cells = [c for c in tables[last].cells if abs(c[3] - bottom) <= SNAP]
    out: list[_Line] = []
    for ln in sorted(below, key=lambda ln: ln.top):
        size = max(ln.size, 1.0)
        cell = next((c for c in foot_cells if c[0] - 1 <= ln.x0 and ln.x1 <= c[2] + 1), None)
        if cell is None:
            return []
        if out:
            fits = ln.top - out[-1].bottom <= 1.6 * size
        else:
            inside = [
                ch
                for ch in chars
                if cell[0] <= ch["x0"]
                and ch["x1"] <= cell[2]
                and cell[1] <= ch["top"]
                and ch["bottom"] <= cell[3] + 1
            ]
            full = bool(inside) and max(ch["bottom"] for ch in inside) >= cell[3] - 0.3 * size
            # an empty cell at the foot: its (vertically centred) text fell below the break
            reach = 3.0 if not inside else 1.0 if full else 0.3
            # ... any distance below when centred in it: the text of a merged cell centred on
            # the full height of its rows, drawn only down to the page's last row
            centred = abs((ln.x0 + ln.x1) / 2 - (cell[0] + cell[2]) / 2) <= 0.5 * size
            fits = ln.top - bottom <= reach * size or (not inside and centred)
        if not fits:
            return []
        ln.table = last
        out.append(ln)
    return out
