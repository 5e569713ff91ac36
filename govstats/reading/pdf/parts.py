"""The part of one table drawn on one page, and how parts of one table fit together across a
page break (same width; a header repeated on the new page; a lone boxed line)."""

from __future__ import annotations

from dataclasses import dataclass, field

from govstats.reading.document import Cell
from govstats.reading.pdf.chars import SNAP
from govstats.reading.pdf.lines import _Line


@dataclass
class _TablePart:
    """The part of one table drawn on one page (rows of cells, with their geometry)."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    rows: list[list[Cell]]
    boxes: list[list[tuple[float, float]]]  # per row, per cell: (x0, x1)
    n_grid_rows: int
    starts: list[int]  # grid row each emitted row starts at
    spans: list[list[int]]  # per row, per cell: grid rows covered
    cut: list[list[bool]]  # per row, per cell: its text runs into (or past) its bottom rule
    lines: list[_Line] = field(default_factory=list)  # the text lines it consumed
    single: bool = False  # drawn as one column: a boxed line, or a table's lone header row

    def reaches_foot(self, r: int, i: int) -> bool:
        """Cell ``i`` of row ``r`` spans down to the part's last grid row (a page break may cut
        it)."""
        return self.starts[r] + self.spans[r][i] >= self.n_grid_rows

    def drop_cells(self, r: int, keep: list[int]) -> None:
        """Keep only the cells at indexes ``keep`` of row ``r``, with their geometry."""
        self.rows[r] = [self.rows[r][i] for i in keep]
        self.boxes[r] = [self.boxes[r][i] for i in keep]
        self.spans[r] = [self.spans[r][i] for i in keep]
        self.cut[r] = [self.cut[r][i] for i in keep]

    def drop_rows(self, k: int) -> None:
        """Drop the first ``k`` rows, with their geometry."""
        for name in ("rows", "boxes", "starts", "spans", "cut"):
            setattr(self, name, getattr(self, name)[k:])


def _compatible(previous: _TablePart, part: _TablePart) -> bool:
    """Two parts of one table: they span the same width (one may lack a first column)."""
    same_left = abs(previous.x0 - part.x0) <= 6 * SNAP
    same_right = abs(previous.x1 - part.x1) <= 2 * SNAP
    return same_right and (same_left or part.single or previous.single or part.x0 > previous.x0)


def _drop_repeated_header(first_rows: list[list[str]], part: _TablePart) -> None:
    """Remove leading rows of ``part`` that repeat the leading rows of the table's first page."""
    k = 0
    while (
        k < len(part.rows)
        and k < len(first_rows)
        and [c.text for c in part.rows[k]] == first_rows[k]
    ):
        k += 1
    if k:
        part.drop_rows(k)


def _isolated_singles_to_text(
    stream: list[tuple[int, _TablePart | _Line]],
) -> list[tuple[int, _TablePart | _Line]]:
    """One-column table parts stay tables only next to a table of the same width (a lone
    header row cut off at a page foot); elsewhere (a boxed note) their lines are text."""
    out: list[tuple[int, _TablePart | _Line]] = []
    for k, (number, item) in enumerate(stream):
        if isinstance(item, _TablePart) and item.single:
            neighbours = [
                stream[k - 1][1] if k else None,
                stream[k + 1][1] if k + 1 < len(stream) else None,
            ]
            if not any(
                isinstance(nb, _TablePart) and not nb.single and _compatible(nb, item)
                for nb in neighbours
            ):
                out += [(number, ln) for ln in item.lines]
                continue
        out.append((number, item))
    return out
