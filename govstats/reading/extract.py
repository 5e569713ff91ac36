"""The format-blind step: recognise the template's tables in a Document and build the Report.

Rows are recognised by their printed labels (:mod:`govstats.reading.labels`), never by
position, and each table is read in the version its own labels show:

1. :func:`govstats.reading.rows.collect` walks the blocks in reading order and assigns every
   row to its table (label cells, value cells, merged cells placed on the grid, headers kept).
2. Table 1 (publication): the version (2019/2021) from its column headers and row labels; each
   recognised row's values fitted to that version's columns, in the order its section's header
   row names them when that names exactly those columns in another order; money in 元.
3. Table 2 (requests): rows by label; rows printed without a label (PDF extractions) placed in
   the template slots left free between their labelled neighbours when the count fits
   exactly; the （六）其他处理 layout from the labels present; 3-column reports (自然人 |
   法人或其他组织 | 总计) keep the aggregate as column ``legal_person`` and NA for its parts.
   A 法人或其他组织 subtotal column some reports add is located by arithmetic and left out.
   Applicant columns follow the printed header when it names them unambiguously
   (:func:`govstats.reading.labels.request_header_columns`) and the rows have as many cells:
   a reordered header places each cell in the column it names; a column it does not name is
   NA, marked "not printed", with a warning. Otherwise the template's order is assumed.
4. Table 3 (review): the 15-cell data row (with or without a caption cell), or three rows
   labelled 行政复议 / 未经复议直接起诉 / 复议后起诉 of 5 cells.
5. Rows whose cell boundaries were lost are split by :mod:`govstats.reading.runtogether`;
   cells it cannot determine are NA with ``undetermined`` in their source.

Nothing is ever guessed: a row whose cells cannot be aligned is left out with a warning, a
table not found is named in ``Report.missing``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Set as AbstractSet
from decimal import Decimal
from functools import cache

from govstats import schema
from govstats.errors import ParseError
from govstats.reading import labels, runtogether
from govstats.reading.document import Cell, Document, fast_new
from govstats.reading.metadata import compact_text, extract_metadata, narrative_numbers
from govstats.reading.numbers import Number, parse_number, to_yuan, unit_in_header
from govstats.reading.rows import Found, Row, collect
from govstats.reading.sections import find_sections
from govstats.reading.stream import RUN_FORMATS
from govstats.report import Key, Report, Value

TABLE_NAMES = {
    "publication": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review": "四、政府信息公开行政复议、行政诉讼情况",
}


def report_id(data: bytes) -> str:
    """The report's id: the first 16 hex characters of the sha256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


#: marks the source of a cell whose digits ran together and could not be split
UNDETERMINED = "undetermined"


def _undetermined(cell: Cell, digits: str) -> Cell:
    return Cell(
        "", f"{cell.source} ({UNDETERMINED}: the row printed {digits} without cell boundaries)"
    )


def _fit(
    cells: list[Cell], n: int, *, leading_first: bool = False, strict: bool = False
) -> list[Cell] | None:
    """The ``n`` value cells of a row, trimming spare blank cells (spacers) at the ends.

    Spacers usually trail a row (pipe dumps end each row with a bare ``|``); values that
    follow header cells in the same dumped row are preceded by the header's spacers, so
    those are trimmed from the front first (``leading_first``). A row whose spacers cannot
    be trimmed so is read by its printed cells when it prints exactly ``n`` of them (every
    blank is then a spacer, wherever it stands).

    ``strict`` (text from converters that print a merged cell's spans as blank cells, at
    either end of the values): spacers are trimmed only where their place is certain; a row
    that can be trimmed at the front or at the back, with different readings, is None.
    """
    if len(cells) <= n:  # nothing to trim (the common case: no copy made; callers do not mutate it)
        return cells if len(cells) == n else None
    if strict:
        return _fit_certain(cells, n)
    original = cells
    cells = list(cells)
    if leading_first:  # one spacer before (the header's), one after (the row's own), in turn
        turn = 0
        while len(cells) > n:
            first, second = (0, -1) if turn % 2 == 0 else (-1, 0)
            if cells[first].text == "":
                cells.pop(first)
            elif cells[second].text == "":
                cells.pop(second)
            else:
                break
            turn += 1
    for end in (-1, 0):
        while len(cells) > n and cells[end].text == "":
            cells.pop(end)
    return cells if len(cells) == n else _printed_cells(original, n)


def _printed_cells(cells: list[Cell], n: int) -> list[Cell] | None:
    """The row's printed (non-blank) cells when there are exactly ``n``: the count of its
    numbers equals the template's, so each number's column is certain."""
    printed = [c for c in cells if c.text]
    return printed if len(printed) == n else None


def _fit_certain(cells: list[Cell], n: int) -> list[Cell] | None:
    """:func:`_fit` where a spacer's end is unknown: the one reading every trimming of blank
    cells at the two ends agrees on, else the printed cells when they are ``n``, else None."""
    spare = len(cells) - n
    lead = next((i for i, c in enumerate(cells) if c.text), len(cells))
    trail = next((i for i, c in enumerate(reversed(cells)) if c.text), len(cells))
    readings = {
        tuple(c.text for c in cells[a : a + n]): a
        for a in range(max(0, spare - trail), min(lead, spare) + 1)
    }
    if len(readings) == 1:
        a = next(iter(readings.values()))
        return cells[a : a + n]
    return _printed_cells(cells, n)


def _digit_run(cells: list[Cell], n: int, *, complete: bool = True) -> str | None:
    """The digits of a row printed as one run (lost cell boundaries), if it is one.

    With ``complete`` the run must have at least ``n`` digits (one per cell); without, any
    digit run counts (a run-together row whose blank cells vanished: it cannot be split), and
    so does a run with placeholders or minus signs among its digits (``5无989``, ``25-244``).
    """
    printed = [c for c in cells if c.text]
    if n > 1 and len(printed) == 1:
        text = printed[0].text.replace(" ", "")
        if text.isdecimal() and (
            len(text) >= n or not complete
        ):  # not isdigit: "²" is no digit to split
            return text
        if not complete and runtogether.is_marked_run(text):
            return text
    return None


class _Builder:
    def __init__(self, doc: Document, data: bytes):
        self.doc = doc
        self.data = data
        self.values: dict[Key, Value] = {}
        self.warnings: list[str] = list(doc.warnings)
        #: a converter's markdown: blank spacer cells may stand at either end of a row's values
        self.strict = doc.format == "markdown"
        self.layouts: dict[str, str] = {}
        self.missing: list[str] = []
        #: the document's text lines without whitespace (set by build)
        self.compact = ""
        #: table 三's header texts as printed (set by build)
        self.request_headers: list[str] = []
        #: table 三's header texts, one list per printed header row or line (set by build)
        self.request_header_rows: list[list[str]] = []

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.doc.name}: {message}")

    def put(
        self,
        key: Key,
        value: Decimal | None,
        cell: Cell,
        row_label: str,
        column_label: str,
        source: str | None = None,
    ) -> None:
        self.values[key] = fast_new(  # (fast_new: this runs ~200× a report)
            Value,
            (
                None if value is None else float(value),
                cell.text,
                f"{row_label} / {column_label}" if row_label else column_label,
                source or cell.source,
            ),
        )

    # -- table 1 ---------------------------------------------------------------------------
    def publication(
        self,
        rows: list[Row],
        header_text: list[str],
        printed: dict[int, tuple[str, ...]] | None = None,
    ) -> None:
        """Read table 1's rows (``printed``: id of a row → the column codes its header row
        names, for rows under a header that differs from the template's order)."""
        votes = {"2019": 0, "2021": 0}
        for text in header_text + [r.label for r in rows]:
            for version in labels.publication_markers(text):
                votes[version] += 1
        licensing = [r for r in rows if r.item == "licensing"]
        if votes["2019"] == votes["2021"] and licensing:
            n = len([c for c in licensing[0].values if c.text])
            votes["2019" if n >= 3 else "2021"] += 1
        if votes["2019"] == votes["2021"]:
            version = schema.template_for_year(self.year) or "2021"
            self.warn(
                f"table {TABLE_NAMES['publication']}: template version not "
                f"recognisable from its labels; assumed {version} from the year"
            )
        else:
            version = "2019" if votes["2019"] > votes["2021"] else "2021"
        self.layouts["publication"] = version
        fee_unit = next(
            (unit_in_header(t) for t in header_text if "收费" in t and unit_in_header(t)), None
        )
        buy_unit = next(
            (unit_in_header(t) for t in header_text if "采购总金额" in t and unit_in_header(t)),
            None,
        )
        template = schema.PUBLICATION[version]
        seen: set[str] = set()
        for row in rows:
            if row.item not in template:
                self.warn(
                    f"{row.source}: row {row.label!r} is not part of the {version} table 1; ignored"
                )
                continue
            if row.item in seen:
                continue
            item, columns = template[row.item]
            if printed and id(row) in printed:
                columns = self._reorder_publication_columns(row, columns, printed[id(row)])
            signed = frozenset(
                i
                for i, col in enumerate(columns)
                if ("publication", col.code) in schema.SIGNED_CELLS
            )
            cells = self._row_cells(row, len(columns), signed)
            if cells is None:
                continue
            seen.add(row.item)
            row_label = row.label
            for col, cell in zip(columns, cells, strict=True):
                number = parse_number(cell.text) or Number(None)
                value = number.value
                if (version, row.item, col.code) in schema.MONEY_CELLS:
                    default = schema.MONEY_DEFAULT_UNIT[(version, row.item, col.code)]
                    header_unit = fee_unit if row.item == "fees" else buy_unit
                    value = to_yuan(number, header_unit or default)
                self.put(("publication", row.item, col.code), value, cell, row_label, col.label)
        unread = [item for item in template if item not in seen]
        if unread and seen:  # a row not read (or not found) leaves the table incomplete
            self.missing.append("publication")
            self.warn(
                f"table {TABLE_NAMES['publication']} is "
                f"incomplete: rows not read: {', '.join(unread)}"
            )

    def _reorder_publication_columns(
        self, row: Row, columns: tuple[schema.Column, ...], printed: tuple[str, ...]
    ) -> tuple[schema.Column, ...]:
        """``columns`` in the order the row's header names them, when it names exactly these
        columns (else the template's order, as printed headers that do not fit are ignored)."""
        by_code = {col.code: col for col in columns}
        if len(printed) != len(columns) or set(printed) != set(by_code):
            return columns
        self.warn(
            f"{row.source}: table {TABLE_NAMES['publication']} row {row.label!r} is printed under "
            f"the columns {' | '.join(by_code[c].label for c in printed)} "
            "(not the template's order); values read by the header"
        )
        return tuple(by_code[c] for c in printed)

    def _row_cells(
        self, row: Row, n: int, signed: frozenset[int] = frozenset()
    ) -> list[Cell] | None:
        """The row's ``n`` value cells; a run-together row split (cells it cannot determine
        NA, with a warning); None (with a warning) when the row cannot be read."""
        cells = _fit(row.values, n, strict=self.strict)
        if cells is None:
            digits = _digit_run(row.values, n, complete=self.doc.format not in RUN_FORMATS)
            if digits is not None and runtogether.is_marked_run(digits):
                cell = next(c for c in row.values if c.text)
                agreed = runtogether.agreed_split(digits, n, signed=signed)
                if agreed is None or any(v is None for v in agreed):
                    self.warn(
                        f"{row.source}: row {row.label!r} printed as one run {digits!r}; no "
                        f"unique split into {n} cells, undetermined cells left NA"
                    )
                return [
                    _undetermined(cell, digits) if v is None else Cell(str(v), cell.source)
                    for v in agreed or (None,) * n
                ]
            if digits is not None:
                split = runtogether.split_row(digits, n)
                if split is not None and _fewer_cells_fit(digits, n):
                    # blank cells vanish from run-together text: the digits also make fewer
                    # numbers, so which cells they are is not certain (840: 8|4|0 or 8|—|40)
                    self.warn(
                        f"{row.source}: row {row.label!r} printed as one digit run {digits!r}; it "
                        f"splits into {n} cells only if no blank "
                        "cell vanished from it, values left NA"
                    )
                    split = None
                    cell = next(c for c in row.values if c.text)
                    return [_undetermined(cell, digits) for _ in range(n)]
                if split is not None:
                    cell = next(c for c in row.values if c.text)
                    return [Cell(str(v), cell.source) for v in split]
                self.warn(
                    f"{row.source}: row {row.label!r} printed as one digit run {digits!r}; no "
                    f"unique split into {n} cells, values left NA"
                )
                cell = next(c for c in row.values if c.text)
                return [_undetermined(cell, digits) for _ in range(n)]
            self.warn(
                f"{row.source}: row {row.label!r} has {len(row.values)} "
                f"value cells, expected {n}; row not read"
            )
        return cells

    # -- table 2 ---------------------------------------------------------------------------
    def requests(self, rows: list[Row], text_items: AbstractSet[str] = frozenset()) -> None:
        data_rows = [r for r in rows if not r.header or r.values]
        named = {r.item for r in data_rows if r.item} | set(text_items)
        layout = "2021" if any(i.startswith("other.") for i in named) else "2019"
        self.layouts["requests"] = layout
        order = [
            i.code
            for i in schema.REQUEST_ITEMS[layout]
            if not (layout == "2021" and i.code == "other")
        ]
        merged = _merged_columns(data_rows)
        seen = self.compact + labels.fold("".join(self.request_headers))
        if merged and all(w in seen for w in ("商业", "科研", "公益")):
            # the text prints the five 法人或其他组织 column headers: rows of three numbers are
            # rows whose cells were lost (PDF-to-text), not the 3-column layout
            merged = False
            self.warn(
                "table 三's header prints the five 法人或其他组织 columns but its rows print "
                "three numbers; they are not read as 自然人 | 法人或其他组织 | 总计"
            )
        printed = self._printed_request_columns(data_rows, merged)
        if printed is not None and "legal_person" not in printed:
            merged = False  # three columns the header names, none of them the aggregate
        columns = (
            (
                ("natural_person", "自然人"),
                ("legal_person", schema.LEGAL_PERSON_LABEL),
                ("total", "总计"),
            )
            if merged
            else tuple((c.code, c.label) for c in schema.REQUEST_COLUMNS)
        )
        if merged:
            self.layouts["requests.applicants"] = "merged"
            self.warn(
                "table 三 prints only 自然人 | 法人或其他组织 | 总计: the legal-person aggregate "
                "is kept as column 'legal_person', its five parts are NA"
            )
        #: template columns the table does not print: (code, reason in the cells' source)
        not_printed = (
            [
                (code, "not printed: merged 法人或其他组织 column")
                for code in schema.LEGAL_PERSON_COLUMNS
            ]
            if merged
            else []
        )
        if printed is not None:
            columns = self._reorder_request_columns(columns, printed, not_printed)
        n = len(columns)
        if not merged and printed is None:
            data_rows = self._drop_subtotal_column(data_rows)
        data_rows = [part for row in data_rows for part in _unstack(row, n)]
        assigned = self._place_rows(data_rows, order, n)
        pending: dict[str, tuple[str, Cell, Row]] = {}
        resolved: dict[str, list[Cell]] = {}
        for item, row in assigned.items():
            cells = _fit(row.values, n, leading_first=row.header, strict=self.strict)
            if cells is None:
                digits = _digit_run(row.values, n, complete=self.doc.format not in RUN_FORMATS)
                if digits is not None:
                    pending[item] = (digits, next(c for c in row.values if c.text), row)
                    continue
                self.warn(
                    f"{row.source}: row {row.label or item!r} has "
                    f"{len(row.values)} value cells, expected {n}; row not read"
                )
                continue
            resolved[item] = cells
        header = labels.fold("".join(self.request_headers))
        if pending and not merged and "自然人" in header and "商业企业" not in header:
            # the header prints 自然人 | 法人或其他组织 | 总计 only: a run's cells may be three,
            # not seven, and nothing in the digits says which
            for item, (digits, cell, row) in pending.items():
                self.warn(
                    f"{row.source}: row {row.label or item!r} printed as one digit run {digits!r} "
                    "under a header of 自然人 | 法人或其他组织 | 总计 "
                    "only; how many cells it holds is not certain, left NA"
                )
                resolved[item] = [_undetermined(cell, digits)] * n
            pending = {}
        if pending:
            known = {
                item: tuple((parse_number(c.text) or Number(None)).value for c in cells)
                for item, cells in resolved.items()
            }
            # 总计 = the other printed columns (a column the table does not print is taken as
            # counted in none: a run that only splits otherwise stays undetermined)
            codes = [code for code, _label in columns]
            at = codes.index("total") if "total" in codes else -1
            groups = ((at, tuple(i for i in range(n) if i != at)),) if at >= 0 else ()
            result = runtogether.solve_table(
                {item: digits for item, (digits, _c, _r) in pending.items()},
                known,
                n,
                groups,
                runtogether.request_constraints(layout),
            )
            for item, (digits, cell, row) in pending.items():
                values = result.get(item)
                if values is None or any(v is None for v in values):
                    self.warn(
                        f"{row.source}: row {row.label or item!r} printed as one digit run "
                        f"{digits!r}; no unique split into {n} cells fits "
                        "the table's arithmetic, undetermined cells left NA"
                    )
                values = values or (None,) * n
                resolved[item] = [
                    _undetermined(cell, digits) if v is None else Cell(str(v), cell.source)
                    for v in values
                ]
        for item in order:
            if item not in resolved:
                continue
            row = assigned[item]
            row_label = row.label or _template_row_label(item)
            for (code, col_label), cell in zip(columns, resolved[item], strict=True):
                number = parse_number(cell.text) or Number(None)
                self.put(("requests", item, code), number.value, cell, row_label, col_label)
            for code, reason in not_printed:
                self.values[("requests", item, code)] = Value(
                    None, "", f"{row.label} / (not printed)", reason
                )
        missing_rows = [i for i in order if i not in resolved]
        if missing_rows and resolved:
            self.missing.append("requests")
            self.warn(
                f"table {TABLE_NAMES['requests']} is incomplete: "
                f"rows not found: {', '.join(missing_rows)}"
            )
        if layout == "2021" and any(
            i in resolved for i in ("other.no_correction", "other.no_fee", "other.other")
        ):
            for code, _label in columns:
                parts = [
                    self.values.get(("requests", i, code))
                    for i in ("other.no_correction", "other.no_fee", "other.other")
                ]
                present = [p.value for p in parts if p is not None and p.value is not None]
                if any(p is None or (p.value is None and UNDETERMINED in p.source) for p in parts):
                    present = []  # a part that is unknown (not blank) leaves the sum unknown
                self.values[("requests", "other", code)] = Value(
                    float(sum(present)) if present else None,
                    "",
                    f"（六）其他处理 / {dict(columns)[code]}",
                    "derived: sum of other.no_correction + other.no_fee + other.other",
                )
            for code, reason in not_printed:  # every template cell, once
                self.values[("requests", "other", code)] = Value(
                    None, "", "（六）其他处理 / (not printed)", reason
                )

    def _printed_request_columns(self, rows: list[Row], merged: bool) -> tuple[str, ...] | None:
        """The value columns of table 三 as its header names them, when that differs from the
        template's order and the rows bear it out; None to read the template's columns.

        The header (:func:`govstats.reading.labels.request_header_columns`) is used only when
        most labelled rows print exactly as many value cells as it names columns (blank
        spacers at a row's ends aside; a row printed as one digit run fits any count) and,
        when it names fewer than the template, no row prints the template's count of cells
        that cannot be trimmed to the header's: a header naming fewer columns than the rows
        print is an extraction that lost a word, not a layout.
        Arithmetic plays no part: a misprinted header gives misplaced values, which the
        template checks then flag.
        """
        printed = labels.request_header_columns(self.request_header_rows)
        if printed is None:
            return None
        template = _MERGED_CODES if merged else _REQUEST_CODES
        if printed == template:
            return None  # the common case: the template's order
        n = len(printed)
        if merged:
            if set(printed) != set(_MERGED_CODES) and (n != 3 or "legal_person" in printed):
                return (
                    None  # a 3-column header other than a reordered 自然人 | 法人或其他组织 | 总计
                )
        elif "legal_person" in printed or n < 2:
            return None  # the aggregate heading without its parts, yet rows of more cells
        labelled = [r for r in rows if r.item]
        # a row printed as one digit run (cell boundaries lost) fits any count
        fitting = sum(
            1
            for r in labelled
            if _fit(r.values, n) is not None or _digit_run(r.values, n, complete=False) is not None
        )
        # a row printing the template's 7 cells that cannot be trimmed to the header's count
        # (only blank spacers at its ends can be) says the header lost a word
        template_n = len(template)
        contradicting = n < template_n and any(
            _fit(r.values, n) is None and _fit(r.values, template_n) is not None for r in labelled
        )
        return printed if labelled and fitting > len(labelled) / 2 and not contradicting else None

    def _reorder_request_columns(
        self,
        columns: tuple[tuple[str, str], ...],
        printed: tuple[str, ...],
        not_printed: list[tuple[str, str]],
    ) -> tuple[tuple[str, str], ...]:
        """``columns`` (code, label) in the printed order; template columns the header does not
        name are appended to ``not_printed`` and warned about."""
        label = dict(columns)
        order = " | ".join(label[c] for c in printed)
        self.layouts["requests.columns"] = ",".join(printed)
        if len(printed) == len(columns):
            self.warn(
                f"table {TABLE_NAMES['requests']} prints its applicant columns in the order "
                f"{order} (not the template's); values read by the header"
            )
        for code, col_label in columns:
            if code not in printed:
                group = next(
                    (f"{c.group} · " for c in schema.REQUEST_COLUMNS if c.code == code and c.group),
                    "",
                )
                not_printed.append(
                    (code, f"not printed: the table header has no {col_label} column")
                )
                self.warn(
                    f"table {TABLE_NAMES['requests']} prints no column "
                    f"{group}{col_label} (header: {order}); its cells are NA"
                )
        return tuple((code, label[code]) for code in printed)

    def _drop_subtotal_column(self, rows: list[Row]) -> list[Row]:
        """Drop a 法人或其他组织 subtotal column some reports add (8 value cells per row).

        The template has none. Its position (right after 自然人, or after the five parts) is
        the one where, in every row, the cell equals the sum of the five legal-person cells.
        """
        labelled = [r for r in rows if r.item]
        eight = [r for r in labelled if _fit(r.values, 7) is None and _fit(r.values, 8) is not None]
        if not labelled or len(eight) <= len(labelled) / 2:
            return rows

        def numbers(row: Row) -> list[Decimal | None]:
            return [(parse_number(c.text) or Number(None)).value for c in _fit(row.values, 8) or []]

        fitting = []
        for at in (1, 6):
            parts = [i for i in range(1, 7) if i != at]
            ok = True
            for row in eight:
                v = numbers(row)
                given = [x for x in v if x is not None]
                if len(given) == len(v) and given[at] != sum(given[i] for i in parts):
                    ok = False
                    break
            if ok:
                fitting.append(at)
        if len(fitting) == 2:  # every row too regular to tell: the header says where 小计 stands
            text = "".join(labels.fold(t) for t in self.request_headers)
            sub = min((text.find(w) for w in ("小计", "合计") if w in text), default=-1)
            if sub >= 0 and "商业企业" in text:
                fitting = [1 if sub < text.find("商业企业") else 6]
        if len(fitting) != 1:
            self.warn(
                "table 三 prints 8 columns; the extra 法人或其他组织 "
                "subtotal column cannot be told from the parts; rows not read"
            )
            return rows
        at = fitting[0]
        self.warn(
            "table 三 prints a 法人或其他组织 subtotal column (not in the template); it is left out"
        )
        out = []
        for row in rows:
            cells = _fit(row.values, 8)
            if cells is not None and _fit(row.values, 7) is None:
                row = Row(
                    row.table,
                    row.labels,
                    cells[:at] + cells[at + 1 :],
                    row.source,
                    row.item,
                    row.header,
                )
            out.append(row)
        return out

    def _place_rows(self, rows: list[Row], order: list[str], n: int) -> dict[str, Row]:
        assigned: dict[str, Row] = {}
        #: labelled rows printing no cell (a label on a line of its own, its numbers on a row
        #: without a label beside it): their slot is free for gap-filling, else they are blank
        label_only: dict[str, Row] = {}
        row: Row | None  # None: the end of the table, closing the last run below
        for row in rows:
            if (
                row.item in order
                and row.item not in assigned
                and not any(c.text for c in row.values)
            ):
                label_only.setdefault(row.item, row)
            elif row.item in order and row.item not in assigned:
                assigned[row.item] = row
            elif row.item in order:
                first = assigned[row.item]
                if [c.text for c in first.values] != [c.text for c in row.values]:
                    self.warn(
                        f"{row.source}: row {row.label!r} is printed again "
                        f"with other numbers; the first ({first.source}) is kept"
                    )
            elif row.item == "other" and "other" not in order and row.has_number:
                self.warn(
                    f"{row.source}: a printed （六）其他处理 subtotal "
                    "row is ignored; 'other' is the sum of its sub-rows"
                )
        # label-less rows: fill the template slots left free between labelled neighbours
        run: list[Row] = []
        prev: str | None = None
        for row in [*rows, None]:
            if row is not None and row.item is None and not row.labels:
                if (
                    _fit(row.values, n, strict=self.strict) is not None
                    or _digit_run(row.values, n) is not None
                ):
                    run.append(row)
                continue  # a stray number (page number, artefact) is not a row
            if row is not None and (row.item not in order or row is label_only.get(row.item)):
                continue
            if run:
                lo = order.index(prev) + 1 if prev else 0
                hi = order.index(row.item) if row is not None and row.item else len(order)
                slots = [i for i in order[lo:hi] if i not in assigned]
                if len(slots) == len(run):
                    for slot, r in zip(slots, run, strict=True):
                        r.item = slot
                        assigned[slot] = r
                else:
                    self.warn(
                        f"{run[0].source}: {len(run)} row(s) without a label between "
                        f"{prev or 'the table start'} and "
                        f"{row.item if row is not None else 'the table end'} do not fit the "
                        f"{len(slots)} free template row(s); not read"
                    )
                run = []
            if row is not None:
                prev = row.item
        for item, row in label_only.items():
            assigned.setdefault(item, row)
        return assigned

    # -- table 3 ---------------------------------------------------------------------------
    def review(self, rows: list[Row]) -> None:
        columns = [(i, c) for i in schema.REVIEW_ITEMS for c in schema.REVIEW_COLUMNS]
        labelled = {
            r.item: r
            for r in rows
            if r.item in ("admin_review", "lawsuit_direct", "lawsuit_after_review")
        }
        if len(labelled) == 3:
            for item in schema.REVIEW_ITEMS:
                row = labelled[item.code]
                cells = _fit(row.values, 5, strict=self.strict)
                if cells is None:
                    self.warn(
                        f"{row.source}: review row {row.label!r} "
                        f"has {len(row.values)} cells, expected 5"
                    )
                    continue
                row_label = row.label
                for col, cell in zip(schema.REVIEW_COLUMNS, cells, strict=True):
                    number = parse_number(cell.text) or Number(None)
                    self.put(
                        ("review", item.code, col.code), number.value, cell, row_label, col.label
                    )
            return
        for at, row in enumerate(rows):
            if row.labels:
                continue
            cells = _fit(row.values, 15, leading_first=row.header, strict=self.strict)
            after = rows[at + 1] if at + 1 < len(rows) else None
            if (
                cells is not None
                and after is not None
                and not after.labels
                and 0 < len(after.values) < 5
                and after.has_number
            ):
                # a line of a few numbers right after the row: a cell's digits wrapped onto the
                # next line (PDF-to-text of a narrow cell); which cell is cut is not certain
                self.warn(
                    f"{row.source}: table 四's row is followed by {len(after.values)} number(s) "
                    f"on their own line ({' '.join(c.text for c in after.values)}: a cell wrapped "
                    "onto the next line?); the row is not read"
                )
                return
            if cells is None:
                digits = _digit_run(row.values, 15)
                if digits is None and self.doc.format in RUN_FORMATS:
                    digits = _digit_run(row.values, 15, complete=False)
                    digits = (
                        digits if digits is not None and runtogether.is_marked_run(digits) else None
                    )
                if digits is None:
                    continue
                cell = next(c for c in row.values if c.text)
                split = runtogether.split_review(digits)
                if split is None or any(v is None for v in split):
                    self.warn(
                        f"{row.source}: table 四 printed as one digit run {digits!r}; the split "
                        "is ambiguous, undetermined cells left NA"
                    )
                cells = [
                    _undetermined(cell, digits) if v is None else Cell(str(v), cell.source)
                    for v in (split or (None,) * 15)
                ]
            for (item, col), cell in zip(columns, cells, strict=True):
                number = parse_number(cell.text) or Number(None)
                group = f"{item.group} · " if item.group else ""
                self.put(
                    ("review", item.code, col.code),
                    number.value,
                    cell,
                    f"{group}{item.label}",
                    col.label,
                )
            return

    # -- all -------------------------------------------------------------------------------
    def build(self) -> Report:
        compact = self.compact = compact_text(self.doc)
        body, year = extract_metadata(self.doc, compact)
        self.year = year
        found = collect(self.doc)
        by_table: dict[str, list[Row]] = {"publication": [], "requests": [], "review": []}
        for row in found.rows:
            if row.table in by_table:
                by_table[row.table].append(row)
        if any(r.item for r in by_table["publication"]):
            printed = _publication_headers(found)
            self.publication(
                [r for r in by_table["publication"] if r.item],
                found.header_text["publication"],
                printed,
            )
        self.request_headers = found.header_text["requests"]
        self.request_header_rows = [texts for _at, texts in found.header_rows["requests"]]
        if any(r.item for r in by_table["requests"]) or any(
            r.has_number for r in by_table["requests"]
        ):
            self.requests(by_table["requests"], found.text_items)
        if by_table["review"]:
            self.review(by_table["review"])
        tables_read = {key[0] for key in self.values}
        if not tables_read:
            hints = [w for w in self.doc.warnings if "image" in w]
            if year is not None and year <= 2018:
                hints.append(f"a report for {year} predates the 2019 unified table format")
            raise ParseError(
                "not a 政府信息公开工作年度报告: none of its "
                "statistical tables (二、三、四) was found" + "".join(f"; {h}" for h in hints),
                source=self.doc.name,
            )
        for table in schema.TABLES:
            if table not in tables_read and table not in self.missing:
                self.missing.append(table)
                self.warn(f"table {TABLE_NAMES[table]} not found")
        template = (
            self.layouts.get("publication")
            or self.layouts.get("requests")
            or schema.template_for_year(year)
        )
        expected = schema.template_for_year(year)
        if template and expected and template != expected:
            self.warn(
                f"table 1 follows the {template} template but the "
                f"report year {year} calls for the {expected} template"
            )
        if self.layouts.get("requests") and template and self.layouts["requests"] != template:
            self.warn(
                f"table 三 prints （六）其他处理 in the {self.layouts['requests']} "
                f"layout while table 1 follows the {template} template"
            )
        if year is not None and year <= 2018:
            self.warn(
                f"a report for {year} predates the 2019 unified "
                "table format: its tables may not follow the template"
            )
        if body is None:
            self.warn("the reporting body was not found in the title or preamble")
        if year is None:
            self.warn("the report year was not found in the title or preamble")
        sections = find_sections(self.doc)
        return Report(
            name=self.doc.name,
            format=self.doc.format,
            report_id=report_id(self.data),
            body=body,
            year=year,
            template=template,
            values=self._ordered(template),
            layouts=self.layouts,
            missing=self.missing,
            warnings=self.warnings,
            narrative=narrative_numbers(self.doc, compact),
            sections=sections.sections,
            missing_sections=sections.missing,
        )

    def _ordered(self, template: str | None) -> dict[Key, Value]:
        pub = self.layouts.get("publication") or template or "2021"
        req = self.layouts.get("requests") or "2021"
        values = self.values
        return {key: values[key] for key in _cell_order(pub, req) if key in values}


@cache
def _cell_order(publication: str, requests: str) -> tuple[Key, ...]:
    """The template's cells in order (:func:`govstats.schema.cells`), each request row's
    ``legal_person`` aggregate (merged columns) right after its ``natural_person``."""
    out: list[Key] = []
    for key in schema.cells(publication, requests):
        out.append(key)
        if key[0] == "requests" and key[2] == "natural_person":
            out.append((key[0], key[1], "legal_person"))
    return tuple(out)


def _fewer_cells_fit(digits: str, n: int) -> bool:
    """Whether ``digits`` also split into fewer than ``n`` numbers (no leading zeros): then a
    run-together row of ``n`` cells may have lost a blank cell, and its split is not certain
    (``000`` is certain: no two numbers make it; ``840`` is not: 8 | 40)."""
    return any(runtogether.run_candidates(digits, k) for k in range(1, n))


def _unstack(row: Row, n: int) -> list[Row]:
    """Split a row holding several rows' cells (a pipe dump of label-less rows, each row
    followed by one blank spacer cell) into those rows; other rows are returned as they are."""
    values = list(row.values)
    while values and values[-1].text == "":
        values.pop()
    m, rest = divmod(len(values) + 1, n + 1)
    if (
        _fit(row.values, n) is not None
        or m < 2
        or rest
        or any(values[k * (n + 1) - 1].text for k in range(1, m))
    ):
        return [row]
    parts = [values[k * (n + 1) : k * (n + 1) + n] for k in range(m)]
    first = Row(row.table, row.labels, parts[0], row.source, row.item, row.header)
    return [first] + [Row(row.table, [], part, part[0].source) for part in parts[1:]]


#: table 1's column orders in the template (a header naming one of them reorders nothing)
_PUBLICATION_ORDERS = frozenset(
    tuple(col.code for col in columns)
    for items in schema.PUBLICATION.values()
    for _item, columns in items.values()
)


def _publication_headers(found: Found) -> dict[int, tuple[str, ...]]:
    """id of each table-1 row → the column codes its header row names, for rows under a
    header row that names columns in an order the template has for no row (empty for a
    report printed in the template's order: the common case costs one look per header)."""
    groups = [
        (at, labels.publication_header_columns(tuple(texts)))
        for at, texts in found.header_rows["publication"]
    ]
    if all(codes is None or codes in _PUBLICATION_ORDERS for _at, codes in groups):
        return {}
    out: dict[int, tuple[str, ...]] = {}
    current: tuple[str, ...] | None = None
    marks = iter(groups + [(len(found.rows), None)])
    at, codes = next(marks)
    for pos, row in enumerate(found.rows):
        while at <= pos:  # every header printed before this row; the last one heads it
            current = codes if codes not in _PUBLICATION_ORDERS else None
            at, codes = next(marks, (len(found.rows) + 1, None))
        if current is not None and row.table == "publication":
            out[id(row)] = current
    return out


_REQUEST_CODES = tuple(c.code for c in schema.REQUEST_COLUMNS)
_MERGED_CODES = ("natural_person", "legal_person", "total")


def _merged_columns(rows: list[Row]) -> bool:
    """True when table 三 prints only 自然人 | 法人或其他组织 | 总计 (3 value cells per row)."""
    labelled = [r for r in rows if r.item]
    three = sum(1 for r in labelled if _fit(r.values, 7) is None and _fit(r.values, 3) is not None)
    return bool(labelled) and three > len(labelled) / 2


def _template_row_label(item: str) -> str:
    return next(
        i.label
        for layout in ("2021", "2019")
        for i in schema.REQUEST_ITEMS[layout]
        if i.code == item
    )


def build_report(doc: Document, data: bytes) -> Report:
    """Recognise the tables of ``doc`` and return its Report (``data``: the source bytes, for the
    id)."""
    return _Builder(doc, data).build()
