"""The template's arithmetic (勾稽关系) checked, never "fixed": one finding per breach.

The rules, their codes and Chinese titles are in the catalogue, :mod:`govstats.checks.rules`:
R1–R4, R6 and R7 (kind ``breach``) and the narrative's N1–N5 (kind ``narrative``, softer): N1 and
N2 compare the reader's headline numbers (``Report.narrative``) with table 三, N3–N5 the figures
the text states (:mod:`govstats.reading.figures`, where each figure's scope is tested) with the
cells of :data:`NARRATIVE_CELLS`.

Blank (NA) cells: a rule whose cells are all NA is skipped. A blank can stand for any
non-negative number, so a relation with blanks on one side is a breach only when the printed
numbers on that side already exceed the other side (no non-negative value could make it
hold); with blanks on both sides nothing can be concluded and the rule is skipped. A blank is
never treated as a printed 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from govstats import schema
from govstats.checks.rules import REVIEW_RULES, rule
from govstats.reading.figures import Figure, narrative_figures

if (
    TYPE_CHECKING
):  # checks take a Report but never import report (report → jupyter.display → checks)
    from govstats.report import Report

FINDING_COLUMNS = [
    "report_id",
    "body",
    "year",
    "kind",
    "rule",
    "table",
    "cells",
    "expected",
    "found",
    "message",
]

_ROW_NAMES = {i.code: i.label for layout in schema.REQUEST_ITEMS.values() for i in layout}
_ROW_ORDER = {code: n for n, code in enumerate(_ROW_NAMES)}
_COL_NAMES = schema.REQUEST_COLUMN_LABELS

#: the narrative figures the tables hold too: rule → (figure, the cells whose sum it states,
#: the cells as a message names them). Not 主动公开…条 (table 二 counts documents by kind, not
#: the items published) nor 收取信息处理费…元 (table 二's 收费金额 is another charge).
NARRATIVE_CELLS: dict[str, tuple[str, tuple[tuple[str, str, str], ...], str]] = {
    "N3": ("requests_closed", (("requests", "total", "total"),), "table 三 （七）总计 总计"),
    "N4": ("review_cases", (("review", "admin_review", "total"),), "table 四 行政复议 总计"),
    "N5": (
        "litigation_cases",
        (("review", "lawsuit_direct", "total"), ("review", "lawsuit_after_review", "total")),
        "table 四 行政诉讼 总计 (未经复议直接起诉 + 复议后起诉)",
    ),
}


def finding_cells(cells: str) -> list[tuple[str, str, str]]:
    """The (table, item, column) keys a finding's ``cells`` text names, in order (left side
    first)."""
    return [tuple(part.split("/")) for part in str(cells).split("; ") if part]  # type: ignore[misc]


def _na(v) -> bool:
    return v is None or v is pd.NA or v != v  # NaN is the only value unequal to itself


def _side(values: Iterable) -> tuple[float, bool, bool]:
    """(sum of printed values, any blank, all blank)."""
    vals = list(values)
    printed = [float(v) for v in vals if not _na(v)]
    return sum(printed), len(printed) < len(vals), not printed


def _relation(left: list, right: list) -> tuple[float, float] | None:
    """``(left_sum, right_sum)`` when the relation is breached, None when it holds or is
    undecidable."""
    ls, l_blank, l_all = _side(left)
    rs, r_blank, r_all = _side(right)
    if l_all and r_all:
        return None
    if l_blank and r_blank:
        return None
    if not l_blank and not r_blank:
        return None if abs(ls - rs) < 1e-6 else (ls, rs)
    if l_blank:  # the blanks on the left can only add
        return (ls, rs) if ls > rs + 1e-6 else None
    return (ls, rs) if rs > ls + 1e-6 else None


class _Checker:
    def __init__(self, values: Mapping[tuple[str, str, str], float | None], meta: dict):
        self.v = values
        self.meta = meta
        self.rows: list[dict] = []

    def get(self, table: str, item: str, column: str):
        return self.v.get((table, item, column))

    def add(
        self,
        code: str,
        table: str,
        cells: list[tuple[str, str, str]],
        expected,
        found,
        message: str,
    ) -> None:
        self.rows.append(
            {
                **self.meta,
                "kind": rule(code).kind,
                "rule": code,
                "table": table,
                "cells": "; ".join("/".join(k) for k in cells),
                "expected": expected,
                "found": found,
                "message": message,
            }
        )

    def requests(self) -> None:
        items = {k[1] for k in self.v if k[0] == "requests"}
        if not items:
            return
        layout = "2021" if any(i.startswith("other.") for i in items) else "2019"
        columns = [c.code for c in schema.REQUEST_COLUMNS]
        merged = any(k[2] == "legal_person" for k in self.v if k[0] == "requests")
        if merged:
            columns = ["natural_person", "legal_person", "total"]
        for col in columns:
            left = [("requests", "new", col), ("requests", "carried_over", col)]
            right = [("requests", "total", col), ("requests", "carried_forward", col)]
            self._rel("R1", left, right, f"{_COL_NAMES[col]}: 一+二 ≠ （七）总计+四")
            outcomes = [("requests", i, col) for i in schema.OUTCOME_ITEMS[layout]]
            if all(k in self.v for k in outcomes + [("requests", "total", col)]):
                self._rel(
                    "R3",
                    outcomes,
                    [("requests", "total", col)],
                    f"{_COL_NAMES[col]}: 办理结果各项之和 ≠ （七）总计",
                )
        parts = ["natural_person", "legal_person"] if merged else list(schema.APPLICANT_COLUMNS)
        for item in sorted(items, key=lambda i: _ROW_ORDER.get(i, 99)):
            if layout == "2021" and item == "other":
                continue  # derived from its sub-rows
            left = [("requests", item, c) for c in parts]
            self._rel(
                "R2",
                left,
                [("requests", item, "total")],
                f"{_ROW_NAMES.get(item, item)}: 各类申请人之和 ≠ 总计",
            )
        self._counts("requests")

    def review(self) -> None:
        for item, code in REVIEW_RULES.items():
            parts = [("review", item, c) for c in ("upheld", "corrected", "other", "pending")]
            if any(k in self.v for k in parts):
                self._rel(
                    code,
                    parts,
                    [("review", item, "total")],
                    f"{item}: 维持+纠正+其他+尚未审结 ≠ 总计",
                )
        self._counts("review")

    def _counts(self, table: str) -> None:
        for key, value in self.v.items():
            if key[0] != table or value is None or _na(value):
                continue
            f = float(value)
            if f < 0 or f != int(f):
                self.add(
                    "R4",
                    table,
                    [key],
                    None,
                    f,
                    f"{'/'.join(key[1:])}: a count must be a non-negative integer",
                )

    def _rel(self, code: str, left: list, right: list, message: str) -> None:
        if not all(k in self.v for k in left + right):
            return
        breach = _relation([self.v[k] for k in left], [self.v[k] for k in right])
        if breach is not None:
            self.add(
                code,
                left[0][0],
                left + right,
                breach[0],
                breach[1],
                f"{message}: {breach[0]:g} vs {breach[1]:g}",
            )

    def narrative(self, narrative: dict[str, float]) -> None:
        new = self.get("requests", "new", "total")
        carried = self.get("requests", "carried_over", "total")
        received = narrative.get("received")
        if received is not None and not _na(new):
            options = {float(new)} | ({float(new) + float(carried)} if not _na(carried) else set())
            if received not in options:
                self.add(
                    "N1",
                    "requests",
                    [("requests", "new", "total"), ("requests", "carried_over", "total")],
                    float(new),
                    received,
                    f"narrative says {received:g} applications "
                    f"received; table 三 一 总计 is {float(new):g}",
                )
        forward = narrative.get("carried_forward")
        printed = self.get("requests", "carried_forward", "total")
        if forward is not None and not _na(printed) and float(printed) != forward:
            self.add(
                "N2",
                "requests",
                [("requests", "carried_forward", "total")],
                float(printed),
                forward,
                f"narrative says {forward:g} carried forward; "
                f"table 三 四 总计 is {float(printed):g}",
            )

    def figures(self, figures: Iterable[Figure]) -> None:
        """N3–N5: each figure of :data:`NARRATIVE_CELLS` against the sum of its cells (skipped
        when the figure is absent or approximate, or a cell is absent or blank)."""
        stated = {f.indicator: f for f in figures}
        for code, (indicator, cells, name) in NARRATIVE_CELLS.items():
            f = stated.get(indicator)
            values = [self.get(*key) for key in cells]
            if f is None or f.approximate or any(_na(v) for v in values):
                continue
            table = sum(float(v) for v in values)
            if abs(table - f.value) > 1e-6:
                self.add(
                    code,
                    cells[0][0],
                    list(cells),
                    table,
                    f.value,
                    f"narrative says {f.value:g} ({f.printed}, {f.section} at {f.source}); "
                    f"{name} is {table:g}",
                )


def breaches_by_table(report: Report) -> dict[str, int]:
    """The number of template-arithmetic breaches per table of ``report`` (tables without
    any left out): what :func:`check` reports as ``kind == "breach"``, without building a
    frame (the reader asks this of every reading it weighs)."""
    c = _Checker({k: v.value for k, v in report.values.items()}, {})
    c.requests()
    c.review()
    out: dict[str, int] = {}
    for row in c.rows:
        out[row["table"]] = out.get(row["table"], 0) + 1
    return out


def check(report_or_tidy: Report | pd.DataFrame) -> pd.DataFrame:
    """Findings for one Report or a tidy frame (one or many reports); never alters the data.

    Returns a frame with :data:`FINDING_COLUMNS`, one row per finding; ``cells`` lists the
    cells of the relation as ``table/item/column`` joined by ``"; "``, left side first
    (:func:`finding_cells` turns it back into keys); ``kind`` is
    ``"breach"`` (template arithmetic) or ``"narrative"`` (headline number vs table, only
    for a Report). ``expected`` is the sum of the relation's left side, ``found`` its right side.
    """
    findings: list[dict] = []
    if not isinstance(report_or_tidy, pd.DataFrame):  # a Report
        r = report_or_tidy
        values = {k: v.value for k, v in r.values.items()}
        c = _Checker(values, {"report_id": r.report_id, "body": r.body, "year": r.year})
        c.requests()
        c.review()
        c.narrative(r.narrative)
        c.figures(narrative_figures(r.sections))
        findings = c.rows
    else:
        frame = report_or_tidy
        ids = frame["report_id"].astype(object).to_numpy()
        keys = list(
            zip(
                frame["table"].astype(object),
                frame["item"].astype(object),
                frame["column"].astype(object),
                strict=True,
            )
        )
        numbers = (
            pd.to_numeric(frame["value"], errors="coerce").astype("float64").to_numpy()
        )  # NA -> nan
        bodies = frame["body"].astype(object).to_numpy() if "body" in frame else [None] * len(frame)
        years = frame["year"].astype(object).to_numpy() if "year" in frame else [None] * len(frame)
        for positions in frame.groupby("report_id", sort=False, dropna=False).indices.values():
            values = {
                keys[p]: (None if math.isnan(numbers[p]) else float(numbers[p])) for p in positions
            }
            first = positions[0]
            year = years[first]
            meta = {
                "report_id": ids[first],
                "body": bodies[first],
                "year": None if year is None or pd.isna(year) else int(year),
            }
            c = _Checker(values, meta)
            c.requests()
            c.review()
            findings += c.rows
    out = pd.DataFrame(findings, columns=FINDING_COLUMNS)
    return out.astype(
        {
            "report_id": "string",
            "body": "string",
            "year": "Int64",
            "kind": "string",
            "rule": "string",
            "table": "string",
            "cells": "string",
            "expected": "Float64",
            "found": "Float64",
            "message": "string",
        }
    )
