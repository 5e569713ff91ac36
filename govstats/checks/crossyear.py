"""Year-over-year checks across the reports of one body (and the whole-store check run).

Two relations tie consecutive reports of a body together (rules ``carried_over`` and
``in_force`` of the catalogue, :mod:`govstats.checks.rules`):

* ``carried_over`` — requests carried over into year Y (二、上年结转) equal the requests carried
  forward out of year Y−1 (四、结转下年度继续办理), column by column (applicant types, 总计).
* ``in_force`` — in the 2021 template, the rules and normative documents in force at the end of
  Y equal those in force at the end of Y−1 plus those issued in Y minus those repealed in Y
  (``in_force(Y) = in_force(Y−1) + issued(Y) − repealed(Y)``); checked only when both years
  use the 2021 template (the 2019 template's ``total`` counts something else).

A relation is checked only where both sides were printed (a blank cell is never a breach).
Findings report both values and never alter the data. The findings frame has the columns of
:data:`FINDING_COLUMNS` — those of ``govstats.check`` plus ``previous_year`` and
``previous_report_id``; ``kind`` is ``"crossyear"``; ``cells`` names the cells of the year-Y
report involved (``table/item/column`` joined by ``"; "``, as
``govstats.checks.template.finding_cells`` reads them), the year Y−1 side is in
``previous_report_id``; ``found`` is the value printed in year Y, ``expected`` the value the
previous year implies.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from govstats import schema
from govstats.checks.rules import rule as catalogue_rule
from govstats.checks.template import check

FINDING_COLUMNS = [
    "report_id", "body", "year", "kind", "rule", "table", "cells", "expected", "found", "message",
    "previous_year", "previous_report_id",
]  # fmt: skip
DOC_ITEMS = ("rules", "normative_docs")
_TOLERANCE = 1e-6


def _label(table: str, item: str, column: str) -> str:
    return schema.template_label(table, item, column, "2021")


def _with_key(frame: pd.DataFrame) -> pd.DataFrame:
    """Bodies are told apart by ``body_key`` when the frame has it (store loads), else by name."""
    return frame if "body_key" in frame.columns else frame.assign(body_key=frame["body"])


def _one_report_per_year(frame: pd.DataFrame) -> pd.DataFrame:
    """Keep one report per body and year: the highest version when versions are present."""
    key = "body_key"
    if "version" in frame.columns:
        latest = frame.groupby([key, "year"])["version"].transform("max")
        frame = frame[frame["version"] == latest]
    return frame


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in FINDING_COLUMNS}).astype(
        {"year": "Int64", "expected": "Float64", "found": "Float64", "previous_year": "Int64"}
    )


def carried_over_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """``carried_over`` (Y) against ``carried_forward`` (Y−1), per applicant column."""
    frame, key = _with_key(frame), "body_key"
    requests = frame[frame["table"] == "requests"]
    cols = [key, "body", "year", "column", "value", "report_id"]
    over = requests.loc[requests["item"] == "carried_over", cols]
    forward = requests.loc[
        requests["item"] == "carried_forward", [key, "year", "column", "value", "report_id"]
    ]
    forward = forward.assign(year=forward["year"] + 1).rename(
        columns={"value": "previous_value", "report_id": "previous_report_id"}
    )
    pairs = over.merge(forward, on=[key, "year", "column"])
    printed = pairs["value"].notna() & pairs["previous_value"].notna()
    pairs = pairs[printed.astype(bool)]
    pairs = pairs[((pairs["value"] - pairs["previous_value"]).abs() > _TOLERANCE).astype(bool)]
    if pairs.empty:
        return _empty()
    return _findings(
        pairs,
        rule="carried_over",
        cells=[f"requests/carried_over/{c}" for c in pairs["column"]],
        expected=pairs["previous_value"],
        found=pairs["value"],
        messages=[
            f"{b} {y}: {_label('requests', 'carried_over', c)} = {_fmt(v)}, "
            f"but {y - 1} reported {_label('requests', 'carried_forward', c)} = {_fmt(p)}"
            for b, y, c, v, p in zip(
                pairs["body"],
                pairs["year"],
                pairs["column"],
                pairs["value"],
                pairs["previous_value"],
                strict=True,
            )
        ],
    )


def in_force_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """2021 template: ``in_force`` (Y) against ``in_force`` (Y−1) + ``issued`` (Y) − ``repealed``
    (Y)."""
    frame, key = _with_key(frame), "body_key"
    docs = frame[
        (frame["table"] == "publication")
        & frame["item"].isin(DOC_ITEMS)
        & (frame["template"] == "2021")
    ]
    docs = docs[docs["column"].isin(["issued", "repealed", "in_force"])]
    if docs.empty:
        return _empty()
    index = [key, "body", "year", "report_id", "item"]
    wide = (
        docs.drop_duplicates(index + ["column"])
        .set_index(index + ["column"])["value"]
        .unstack("column")
        .reset_index()
    )
    wide.columns.name = None
    for column in ("issued", "repealed", "in_force"):
        if column not in wide.columns:
            wide[column] = pd.NA
    previous = wide[[key, "year", "item", "in_force", "report_id"]].rename(
        columns={"in_force": "previous_in_force", "report_id": "previous_report_id"}
    )
    previous = previous.assign(year=previous["year"] + 1)
    pairs = wide.merge(previous, on=[key, "year", "item"])
    expected = pairs["previous_in_force"] + pairs["issued"] - pairs["repealed"]
    pairs = pairs.assign(expected=expected)
    printed = pairs[["expected", "in_force"]].notna().all(axis=1)
    pairs = pairs[printed.astype(bool)]
    pairs = pairs[((pairs["in_force"] - pairs["expected"]).abs() > _TOLERANCE).astype(bool)]
    if pairs.empty:
        return _empty()
    return _findings(
        pairs,
        rule="in_force",
        cells=[
            f"publication/{i}/in_force; publication/{i}/issued; publication/{i}/repealed"
            for i in pairs["item"]
        ],
        expected=pairs["expected"],
        found=pairs["in_force"],
        messages=[
            f"{b} {y}: {_label('publication', i, 'in_force')} = {_fmt(f)}, but {y - 1}'s {_fmt(p)} "
            f"+ issued {_fmt(n)} − repealed {_fmt(r)} = {_fmt(e)}"
            for b, y, i, f, p, n, r, e in zip(
                pairs["body"],
                pairs["year"],
                pairs["item"],
                pairs["in_force"],
                pairs["previous_in_force"],
                pairs["issued"],
                pairs["repealed"],
                pairs["expected"],
                strict=True,
            )
        ],  # fmt: skip
    )


def _findings(pairs: pd.DataFrame, *, rule: str, cells, expected, found, messages) -> pd.DataFrame:
    """The findings frame of one cross-year rule, one row per pair of reports that disagree."""
    entry = catalogue_rule(rule)
    out = pd.DataFrame(
        {
            "report_id": pairs["report_id"],
            "body": pairs["body"],
            "year": pairs["year"],
            "kind": entry.kind,
            "rule": entry.code,
            "table": entry.table,
            "cells": cells,
            "expected": expected,
            "found": found,
            "message": messages,
            "previous_year": pairs["year"] - 1,
            "previous_report_id": pairs["previous_report_id"],
        }
    )
    return _typed(out)


def _fmt(value) -> str:
    return f"{float(value):g}"


def _typed(out: pd.DataFrame) -> pd.DataFrame:
    out = out[FINDING_COLUMNS].astype(
        {
            "report_id": "string", "body": "string", "year": "Int64", "kind": "string",
            "rule": "string", "table": "string", "cells": "string", "expected": "Float64",
            "found": "Float64", "message": "string", "previous_year": "Int64",
            "previous_report_id": "string",
        }
    )  # fmt: skip
    return out.reset_index(drop=True)


def findings(frame: pd.DataFrame) -> pd.DataFrame:
    """All year-over-year findings in a tidy frame of one or more bodies and years.

    ``frame``: tidy rows (``govstats.load`` output or ``Report.tidy()`` frames concatenated);
    bodies are told apart by ``body_key`` when present, else by ``body``; with several versions
    of a year the highest ``version`` counts. Returns one row per breach (columns
    :data:`FINDING_COLUMNS`), sorted by body, year and rule; empty when the series agrees.
    """
    frame = _one_report_per_year(_with_key(frame))
    parts = [carried_over_findings(frame), in_force_findings(frame)]
    parts = [p for p in parts if not p.empty]
    if not parts:
        return _empty()
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["body", "year", "rule", "cells"], kind="stable").reset_index(drop=True)


def check_store(db: str | Path | None = None, *, body=None, years=None) -> pd.DataFrame:
    """Every finding over the store: the per-report checks (``govstats.check``, run on each
    current report) and the year-over-year checks, in one frame (``kind`` tells them apart)."""
    from govstats.store import load  # lazy: the checks of one report never need DuckDB

    frame = load(db, body=body, years=years)
    parts = [p for p in (check(frame), findings(frame)) if len(p)]
    if not parts:
        return _empty()
    return pd.concat(parts, ignore_index=True)
