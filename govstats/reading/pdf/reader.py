"""The reader that walks the pages in order: it splits each page into table parts and text
lines, joins a table's parts across page breaks (cut rows and merged cells re-joined, repeated
headers dropped), joins text lines into paragraphs and assembles the :class:`Document`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from govstats.reading.document import Block, Cell, Document
from govstats.reading.pdf.chars import _ENUMERATOR, SNAP, Char, _is_number
from govstats.reading.pdf.furniture import _is_furniture, _running_furniture
from govstats.reading.pdf.lines import _group_lines, _join_wrapped, _Line, _where
from govstats.reading.pdf.pages import _Page
from govstats.reading.pdf.parts import (
    _compatible,
    _drop_repeated_header,
    _isolated_singles_to_text,
    _TablePart,
)
from govstats.reading.pdf.ruled import _grid, _index, _overflow_lines, _table_part
from govstats.reading.pdf.unruled import _unruled_tables


@dataclass
class _OpenCell:
    """A cell whose span reached the foot of its page: it may go on on the next page."""

    box: tuple[float, float]  # x0, x1
    cell: Cell  # as emitted (replaced when it grows)
    cut: bool  # its text ran into the page break
    last_row: bool  # it is a cell of the last row before the break


class _Reader:
    """Turns the pages' items (table parts and text lines) into blocks, page after page."""

    def __init__(self, name: str):
        self.name = name
        self.blocks: list[Block] = []
        self.warnings: list[str] = []
        self.title: str | None = None
        self.meta_title: str | None = None
        self.table_count = 0
        self._pages: list[tuple[int, _Page]] = []
        self._open_table: _TablePart | None = None  # the table the previous item was
        self._open_table_number: int | None = None
        self._open_cells: list[_OpenCell] = []
        self._open_paragraph: list[_Line] | None = None
        self._right: dict[int, float] = {}  # right edge of the text, per page
        self._boxes: dict[
            int, tuple[Cell, tuple[float, float]]
        ] = {}  # id(cell) -> (cell, (x0, x1))

    # Pages are collected first: furniture (running headers) is recognised across pages.
    def add_page(self, number: int, page: _Page) -> None:
        self._pages.append((number, page))

    def finish(self) -> Document:
        """The collected pages read into the :class:`Document`: furniture dropped, table parts and
        text lines in reading order, tables joined across pages, paragraphs joined."""
        furniture = _running_furniture(self._pages)
        for number, page in self._pages:
            if page.images and not page.chars:
                self.warnings.append(
                    f"{self.name}: page {number} is an image without a text layer (a scanned "
                    "page?); its content was not read (OCR is not done)"
                )
        stream: list[tuple[int, _TablePart | _Line]] = []
        for number, page in self._pages:
            stream += [(number, item) for item in self._page_items(number, page, furniture)]
        stream = _isolated_singles_to_text(stream)
        previous_page = None
        previous_item = None
        for number, item in stream:
            if isinstance(item, _TablePart):
                self._flush_paragraph()
                continues = (
                    isinstance(previous_item, _TablePart)
                    and previous_page is not None
                    and number > previous_page
                )
                self._add_table(item, continues)
            else:
                self._open_table = None
                self._add_line(item)
            previous_page, previous_item = number, item
        self._flush_paragraph()
        self._table_wide_colspans()
        return Document(
            name=self.name,
            format="pdf",
            blocks=self.blocks,
            title=self.title or self.meta_title,
            warnings=self.warnings,
        )

    # -- one page -------------------------------------------------------------------------
    def _page_items(
        self, number: int, page: _Page, furniture: set[str]
    ) -> list[_TablePart | _Line]:
        """The page's table parts and loose text lines in reading order (top to bottom)."""
        tables = list(page.tables)
        boxes = [t.bbox for t in tables]
        per_table: list[list[Char]] = [[] for _ in tables]
        loose: list[Char] = []
        for c in page.chars:
            cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
            for i, (x0, top, x1, bottom) in enumerate(boxes):
                if x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1:
                    per_table[i].append(c)
                    break
            else:
                loose.append(c)
        lines = [ln for ln in _group_lines(loose) if not _is_furniture(ln, page, furniture)]
        overflow = _overflow_lines(tables, lines, page.chars)
        lines = [ln for ln in lines if id(ln) not in {id(o) for o in overflow}]
        if self.title is None and number <= 2:
            self._take_title(lines)
        self._right[number] = max((ln.x1 for ln in lines), default=page.width)

        items: list[_TablePart | _Line] = []
        for i, (t, chars) in enumerate(zip(tables, per_table, strict=True)):
            spill = [c for ln in overflow if ln.table == i for c in ln.chars]
            part = _table_part(number, t, chars, spill)
            if part.rows:
                items.append(part)
            elif part.lines:
                items += part.lines
        if not tables:
            parts = _unruled_tables(number, lines)
            claimed = {id(ln) for part in parts for ln in part.lines}
            lines = [ln for ln in lines if id(ln) not in claimed]
            items += parts
        items += lines
        items.sort(key=lambda it: it.top)
        return items

    def _take_title(self, lines: list[_Line]) -> None:
        """The title: the first run of lines in the largest type among the page's first 12 lines,
        when that type is clearly larger (≥ 1.15×) than the body text."""
        top_lines = lines[:12]
        if not top_lines:
            return
        biggest = max(ln.size for ln in top_lines)
        body = Counter(round(ln.size) for ln in lines).most_common(1)[0][0]
        if biggest < body * 1.15:
            return
        group: list[_Line] = []
        for ln in top_lines:
            if ln.size >= biggest * 0.95:
                group.append(ln)
            elif group:
                break
        if group:
            self.title = _join_wrapped([ln.text for ln in group])

    # -- text -----------------------------------------------------------------------------
    def _add_line(self, line: _Line) -> None:
        """Add a text line to the open paragraph, or close that paragraph and start a new one."""
        para = self._open_paragraph
        if para:
            last = para[-1]
            size = max(last.size, 1.0)
            last_page, this_page = _page_of(last), _page_of(line)
            gap = line.top - last.bottom if last_page == this_page else 0.0
            left = min(ln.x0 for ln in para)
            right = max([ln.x1 for ln in para] + [self._right.get(last_page, 0.0)])
            joins = (
                last.x1 >= right - 2.5 * size  # the last line was full: the paragraph goes on
                and line.x0 <= left + 1.2 * size  # the new line is not indented
                and abs(line.x0 - left) < 3 * size
                and abs(line.size - last.size) < 0.5
                and -0.5 * size < gap < 1.2 * size
            )
            if not joins:
                self._flush_paragraph()
        if self._open_paragraph is None:
            self._open_paragraph = []
        self._open_paragraph.append(line)

    def _flush_paragraph(self) -> None:
        """Emit the open paragraph as a text block."""
        para, self._open_paragraph = self._open_paragraph, None
        if not para:
            return
        text = _join_wrapped([ln.text for ln in para])
        if text:
            where = _where(_page_of(para[0]), para[0].x0, para[0].top)
            self.blocks.append(Block(kind="text", cells=[Cell(text, where)], source=where))

    # -- tables ---------------------------------------------------------------------------
    def _add_table(self, part: _TablePart, continues: bool) -> None:
        """Emit a table part's rows: a new table, or (``continues``, same width) the next page of
        the open table with its repeated header dropped and cells cut by the break re-joined."""
        previous = self._open_table
        carried: list[_OpenCell] = []
        if continues and previous is not None and _compatible(previous, part):
            number = self._open_table_number
            _drop_repeated_header(self._rows_of(number), part)
            if not part.rows:  # a page holding only the repeated header: the cut cells stay open
                self._open_table = part
                return
            carried = self._join_across_break(part)
        else:
            self.table_count += 1
            number = self.table_count
        for row, boxes in zip(part.rows, part.boxes, strict=True):
            if row:
                self.blocks.append(Block(kind="row", cells=row, source=row[0].source, table=number))
                for cell, box in zip(row, boxes, strict=True):
                    self._boxes[id(cell)] = (cell, box)
        # cells whose span reaches the foot of this part may go on at the top of the next page
        self._open_cells = [
            _OpenCell(part.boxes[r][i], cell, part.cut[r][i], r == len(part.rows) - 1)
            for r, row in enumerate(part.rows)
            for i, cell in enumerate(row)
            if part.reaches_foot(r, i)
        ] + carried
        self._open_table = part
        self._open_table_number = number

    def _table_wide_colspans(self) -> None:
        """Count column spans on the grid of the whole table, all its pages together: a part
        drawn on one page only knows the column rules of its own rows."""
        grids: dict[int | None, list[float]] = {}
        for block in self.blocks:
            if block.kind == "row":
                boxes = [self._box(c) for c in block.cells]
                grids.setdefault(block.table, []).extend(v for box in boxes if box for v in box)
        xs = {table: _grid(values) for table, values in grids.items()}
        for block in self.blocks:
            if block.kind != "row":
                continue
            grid = xs[block.table]
            for i, cell in enumerate(block.cells):
                box = self._box(cell)
                if box is None:
                    continue
                span = _index(grid, box[1]) - _index(grid, box[0])
                if span >= 1 and span != cell.colspan:
                    block.cells[i] = cell._replace(colspan=span)

    def _box(self, cell: Cell) -> tuple[float, float] | None:
        """The (x0, x1) kept for an emitted cell; None for a cell without one."""
        kept = self._boxes.get(id(cell))
        return kept[1] if kept is not None and kept[0] is cell else None

    def _rows_of(self, number: int | None) -> list[list[str]]:
        """The texts of the emitted rows of table ``number``."""
        return [
            [c.text for c in b.cells] for b in self.blocks if b.kind == "row" and b.table == number
        ]

    def _join_across_break(self, part: _TablePart) -> list[_OpenCell]:
        """Re-join what the page break cut: a merged cell, or a whole row.

        The cells at the top of the new page are matched by column with the cells of the
        page before whose span reached its foot.

        * A *row* cut by the break (a long label wrapping onto the new page): every cell of the
          new page's first row continues a cell of the last row before the break, none starts
          a numbered item (``3.``, ``（四）``), and a cell of that row ran into the break, or
          some column has text in one half only and no column has numbers in both halves.
          The halves become one row again.
        * Otherwise each *merged cell* cut by the break grows its span instead of being
          printed twice: the new page's cell is empty under a merged cell or under a label
          (never under a number or a blank: a blank cell is just blank), or the old one is an
          empty merged cell (its text printed below the break), or the old one's text ran
          into the break.

        Returns the grown cells (they may run on to the next page).
        """
        if not part.rows or not self._open_cells:
            return []
        row0 = part.rows[0]
        matches: list[int | None] = []
        for box in part.boxes[0]:
            matches.append(
                next(
                    (
                        k
                        for k, oc in enumerate(self._open_cells)
                        if abs(oc.box[0] - box[0]) <= SNAP and abs(oc.box[1] - box[1]) <= SNAP
                    ),
                    None,
                )
            )
        written = [c for c in row0 if c.text]
        split_row = False
        if (
            all(m is not None for m in matches)
            and written
            and not any(_ENUMERATOR.match(c.text) for c in written)
        ):
            pairs = [(self._open_cells[m], c) for m, c in zip(matches, row0, strict=True)]  # type: ignore[index]
            in_last = [(oc, c) for oc, c in pairs if oc.last_row]
            one_half = any(bool(oc.cell.text) != bool(c.text) for oc, c in in_last)
            both_numbers = any(_is_number(oc.cell.text) and _is_number(c.text) for oc, c in in_last)
            split_row = bool(in_last) and (
                any(oc.cut for oc, _ in in_last) or (one_half and not both_numbers)
            )
        carried: list[_OpenCell] = []
        keep: list[int] = []
        for i, (cell, m) in enumerate(zip(row0, matches, strict=True)):
            if m is None:
                keep.append(i)
                continue
            oc = self._open_cells[m]
            prev = oc.cell
            if split_row:
                extra = cell.rowspan - 1
            elif (
                (not cell.text and (prev.rowspan > 1 or (prev.text and not _is_number(prev.text))))
                or (not prev.text and prev.rowspan > 1)
                or (oc.cut and (prev.rowspan > 1 or cell.rowspan > 1))
            ):
                extra = cell.rowspan
            else:
                keep.append(i)
                continue
            grown = prev._replace(
                text=_join_wrapped([prev.text, cell.text]), rowspan=prev.rowspan + extra
            )
            self._replace_cell(prev, grown)
            oc.cell = grown
            if part.reaches_foot(0, i):
                carried.append(_OpenCell(oc.box, grown, part.cut[0][i], len(part.rows) == 1))
        if len(keep) != len(row0):
            part.drop_cells(0, keep)
        if not part.rows[0]:
            part.drop_rows(1)
        return carried

    def _replace_cell(self, old: Cell, new: Cell) -> None:
        """Put ``new`` in the place of the emitted cell ``old``; its kept box moves to ``new``."""
        kept = self._boxes.pop(id(old), None)
        if kept is not None:
            self._boxes[id(new)] = (new, kept[1])
        for block in reversed(self.blocks):
            if block.kind != "row":
                continue
            for i, c in enumerate(block.cells):
                if c is old:
                    block.cells[i] = new
                    return


def _page_of(line: _Line) -> int:
    """The 1-based page a line's characters came from (0 when unknown)."""
    return int(line.chars[0].get("page_number") or 0)
