"""Finding the template's rows in a Document: the first step of :mod:`govstats.reading.extract`.

The blocks are walked in reading order, tracking which table we are in (section headings,
column headers, and the rows' own labels all say so). A row's *label cells* are its leading
text cells, its *value cells* those after the last label (numbers, placeholders, blanks); a
row is recognised by its printed labels (:mod:`govstats.reading.labels`), never by position.
Rows are placed on the table's grid first (:class:`_RowSpans`): a value cell merged down over
several rows fills its position in each of them. Header rows and lines are kept (grouped as
printed) for the builders to read the template version and the column order from.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from functools import lru_cache

from govstats import schema
from govstats.reading import labels, runtogether
from govstats.reading.document import Block, Cell, Document
from govstats.reading.numbers import is_value_text, parse_number
from govstats.reading.stream import RUN_FORMATS

_ROWSPAN = operator.attrgetter("rowspan")
_TEXT = operator.attrgetter("text")

#: labels that name a row only inside table 三 (elsewhere they are column headers)
_GENERIC_LABELS = {"其他", "总计", "合计", "其他处理"}

#: every header word of the tables (a row holding one is a header row, not a data row), less
#: the labels that also name a data row: the generic ones, table 四's branches, and table 二's
#: fees column, printed on the fees row itself
_HEADER_CELLS = {labels.fold(w) for w in schema.header_labels()} - {
    labels.fold(w) for w in (*_GENERIC_LABELS, "行政复议", "行政诉讼", "本年收费金额（单位：万元）")
}


@dataclass(slots=True)
class Row:
    """A table row as found: label cells, value cells, the table it belongs to."""

    table: str | None
    labels: list[Cell]
    values: list[Cell]
    source: str
    item: str | None = None
    header: bool = False

    @property
    def label(self) -> str:
        return " ".join(c.text for c in self.labels)

    @property
    def has_number(self) -> bool:
        return any(
            (n := parse_number(c.text)) is not None and n.value is not None for c in self.values
        )


@dataclass
class Found:
    """What :func:`collect` found: the rows of each table and their headers."""

    rows: list[Row] = field(default_factory=list)
    #: table 三 items named by loose text lines (labels printed apart from their numbers)
    text_items: set[str] = field(default_factory=set)
    header_text: dict[str, list[str]] = field(
        default_factory=lambda: {"publication": [], "requests": [], "review": []}
    )
    #: the same texts grouped as printed, one group per header row or text line, each with the
    #: number of rows found before it (the rows it heads follow it)
    header_rows: dict[str, list[tuple[int, list[str]]]] = field(
        default_factory=lambda: {"publication": [], "requests": [], "review": []}
    )

    def add_header(self, table: str, texts: list[str]) -> None:
        """Record one printed header row (or line) of ``table``."""
        self.header_text[table].extend(texts)
        self.header_rows[table].append((len(self.rows), texts))


def _split_row(block: Block, *, marked_runs: bool = False) -> tuple[list[Cell], list[Cell]]:
    """(label cells, value cells); with ``marked_runs`` (run-together text) a run such as
    ``5无989`` is a value cell."""
    cells = block.cells
    last_label = len(cells) - 1
    while last_label >= 0:  # from the end, the first text that is no value
        text = cells[last_label].text
        if (
            text
            and parse_number(text) is None
            and not (marked_runs and runtogether.is_marked_run(text))
        ):
            break
        last_label -= 1
    label_cells = [c for c in cells[: last_label + 1] if c.text]
    return label_cells, cells[last_label + 1 :]


class _RowSpans:
    """Places the rows of a table on its grid, so a value cell merged down over later rows
    (``rowspan`` > 1) fills its position in each of them.

    A Document prints a merged cell once, in the row where it starts (see
    :mod:`govstats.reading.document`); counting only the cells a later row prints would leave
    that row one value short. Grid columns are counted with each cell's ``colspan``. A covered
    position is filled with a copy of the merged cell when it is a value cell (a number, a
    placeholder or blank): a blank merged over two rows leaves both rows' cells NA, a number
    printed once over two rows gives both rows that number (as printed: the template has no
    way to say the number belongs to the two rows together); its source says it was merged
    down. Merged label cells (a group label beside its sub-rows, a header) are not repeated:
    rows are recognised by their own labels. Colspans inside a row are left as printed (a
    3-column table 三 prints its 法人或其他组织 value over five columns).
    """

    def __init__(self) -> None:
        self.table: int | None = None
        #: grid column where a merged cell starts → (the cell, rows it still covers, whether
        #: it is a value cell: only those are repeated)
        self.pending: dict[int, tuple[Cell, int, bool]] = {}

    def place(self, block: Block) -> list[Cell]:
        """The row's cells with the value cells merged down from earlier rows inserted."""
        cells = block.cells
        if block.table is None or block.table != self.table:
            self.table, self.pending = block.table, {}
        if block.table is None:
            return cells
        pending = self.pending
        spans = max(map(_ROWSPAN, cells), default=1) > 1
        if not spans and not any(is_value for _m, _rows, is_value in pending.values()):
            # nothing to insert (merged label cells are not repeated): the row as printed
            if pending:
                self.pending = {
                    col: (m, rows - 1, v) for col, (m, rows, v) in pending.items() if rows > 1
                }
            return cells
        out: list[Cell] = []
        below: dict[int, tuple[Cell, int, bool]] = {}
        own = iter(cells)
        cell = next(own, None)
        col = 0
        last = max(pending, default=-1)  # the rightmost grid column a merged cell covers
        while cell is not None or col <= last:
            if col in pending:
                merged, rows, is_value = pending[col]
                if is_value:
                    out.append(
                        Cell(
                            merged.text,
                            f"{merged.source} (merged down over {merged.rowspan} rows)",
                            colspan=merged.colspan,
                        )
                    )
                if rows > 1:
                    below[col] = (merged, rows - 1, is_value)
                col += merged.colspan
            elif cell is not None:
                out.append(cell)
                if cell.rowspan > 1:
                    below[col] = (cell, cell.rowspan - 1, is_value_text(cell.text))
                col += cell.colspan
                cell = next(own, None)
            else:  # the row ends before a merged cell further right
                col = min(c for c in pending if c >= col)
        self.pending = below
        return out


def _is_header(cells: list[Cell]) -> bool:
    return any(map(_is_header_text, map(_TEXT, cells)))


@lru_cache(maxsize=65536)
def _is_header_text(text: str) -> bool:
    return labels.fold(text) in _HEADER_CELLS or labels.header_table(text) is not None


def collect(doc: Document) -> Found:
    """Assign every row to a table, tracking context through headings and headers."""
    found = Found()
    context: str | None = None
    #: table 四 printed in pieces: the branch the last heading line named (行政复议, …)
    branch: str | None = None
    spans = _RowSpans()
    for block in doc.blocks:
        if block.kind == "row":
            placed = spans.place(block)
            if placed is not block.cells:
                block = Block("row", placed, block.source, block.table)
        if block.kind == "text":
            is_heading, table, short, header = _line_role(block.text)
            if is_heading:
                context = table
            elif short:
                if header:
                    context = header
                    found.add_header(header, [block.text])
                elif context == "publication" and labels.publication_markers(block.text):
                    found.add_header("publication", [block.text])
                elif context == "requests" and labels.fold(block.text) not in _GENERIC_LABELS:
                    # (a bare 其他 / 总计 line is a column header word, e.g. a header printed one
                    # cell per line)
                    item = labels.match_row(block.text, "requests", fuzzy=False)
                    if item and item != labels.GROUP:
                        found.text_items.add(item)
                if context == "review":
                    branch = review_branch(block.text) or branch
            continue
        label_cells, value_cells = _split_row(block, marked_runs=doc.format in RUN_FORMATS)
        if branch is not None and context == "review" and not label_cells:
            row = Row(context, [], value_cells, block.source)
            if (
                len(value_cells) >= 5 or row.has_number
            ):  # the one row of a table 四 piece, under its branch heading
                row.item, branch = branch, None
                found.rows.append(row)
                continue
        row = Row(context, label_cells, value_cells, block.source)
        if context == "review" and len(label_cells) == 1 and row.has_number:
            item = labels.match_row(label_cells[0].text, "review", fuzzy=False)
            if item is not None:  # table 四 printed one row per 复议/诉讼 branch
                row.item = item
                found.rows.append(row)
                continue
        if label_cells and (_is_header(label_cells) or len(label_cells) > 3):
            tail = _row_label_after_header(label_cells)
            if tail is not None:  # a dump without row breaks: header cells, then a row's label
                table, item, label_cell = tail
                found.add_header(
                    table, [cell.text for cell in label_cells[: label_cells.index(label_cell)]]
                )
                row = Row(table, [label_cell], value_cells, block.source, item)
                context = table
                found.rows.append(row)
                continue
            row.header = True
            header = labels.header_table(" ".join(c.text for c in label_cells))
            if header:
                context = row.table = header
                found.add_header(header, [c.text for c in label_cells])
            row.labels = []  # a pipe dump may carry a label-less data row after its header cells
        elif label_cells:
            order = [context] + [t for t in ("publication", "requests") if t != context]
            found_item = _match_label(
                [k for c in label_cells for k in labels.label_keys(c.text)], order, context
            )
            if found_item is None and len(label_cells) > 1:
                # a label a converter cut into two cells (``5.要求行政机关确认或重 | 新出具``)
                found_item = _match_label(
                    list(labels.label_keys("".join(c.text for c in label_cells))), order, context
                )
            if found_item is not None:
                row.item, row.table = found_item
                context = row.table
            else:
                is_heading, table = labels.heading_table(row.label)
                if is_heading:
                    context = row.table = table
        if row.item is None and row.labels and row.table == "review" and row.has_number:
            row.item = labels.match_row(row.labels[-1].text, "review", fuzzy=False)
            if row.item is None:
                # table 四's data row with a caption cell (件数, 数量): read as label-less
                row.labels = []
                row.header = True
        if row.item is None and row.labels:
            if context == "requests" and not row.has_number:
                # header words a converter cut into fragments (``然 商业 | 科研 | 其``): not a
                # header row the columns are ordered by, but words table 三's header prints
                found.header_text[context].extend(c.text for c in row.labels)
            continue  # an unrecognised label (a narrative line that looked like a row)
        if row.item is None and not row.has_number:
            continue
        found.rows.append(row)
    return found


#: table 四's branches as the headings of its pieces name them (行政诉讼（复议后起诉）…)
_BRANCH_WORDS = (
    ("复议后起诉", "lawsuit_after_review"),
    ("未经复议直接起诉", "lawsuit_direct"),
    ("直接起诉", "lawsuit_direct"),
)


@lru_cache(maxsize=4096)
def review_branch(text: str) -> str | None:
    """The table 四 branch a heading line names when the table is printed in three pieces
    (``行政复议``, ``行政诉讼（未经复议直接起诉）``, ``行政诉讼（复议后起诉）``), else None."""
    t = labels.fold(text)
    if len(t) > 20:
        return None
    for word, item in _BRANCH_WORDS:
        if word in t:
            return item
    core = t.strip("0123456789.、()（）一二三四五六七八九十:：")
    return "admin_review" if core in ("行政复议", "行政复议情况") else None


def _match_label(
    keys: list[str], order: list[str | None], context: str | None
) -> tuple[str, str] | None:
    """(item, table) a row's label keys name, trying the tables in ``order``; "其他" / "总计"
    alone (the last key recognised) only count inside table 三."""
    for table in order:
        if table in ("publication", "requests"):
            item = labels.match_row(keys, table)
            known = [k for k in keys if k in labels.row_keys(table)]
            if table != context and keys and (known or keys)[-1] in _GENERIC_LABELS:
                item = None
            if item is not None:
                return item, table
    return None


@lru_cache(maxsize=65536)
def _line_role(text: str) -> tuple[bool, str | None, bool, str | None]:
    """What a text line can tell :func:`collect` (one cached call per line of a page):
    whether it is a section heading and of which table; whether it is short enough to be a
    header or a label (≤ 40 characters); if so, the table its header words name."""
    is_heading, table = labels.heading_table(text)
    short = len(labels.fold(text)) <= 40
    return is_heading, table, short, labels.header_table(text) if short and not is_heading else None


def _row_label_after_header(cells: list[Cell]) -> tuple[str, str, Cell] | None:
    """(table, item, cell) when the last label cell after header cells names a template row."""
    last = cells[-1]
    if len(cells) < 2 or _is_header([last]) or labels.fold(last.text) in _HEADER_CELLS:
        return None
    keys = labels.label_keys(last.text)
    if not keys or keys[-1] in _GENERIC_LABELS:
        return None
    for table in ("publication", "requests"):
        item = labels.match_row(keys, table, fuzzy=False)
        if item is not None and item != labels.GROUP:
            return table, item, last
    return None
