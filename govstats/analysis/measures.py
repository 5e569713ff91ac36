"""Indicators of how a body handles information requests, year by year and next to its peers.

Every function takes a tidy frame (``schema.md``: one row per template cell; as returned by
``govstats.load`` or ``Report.tidy()``) or the indicator frame built from it, and returns a
long ("tidy") frame. The indicator frame has one row per body, year and indicator:

==================== ======= ==========================================================
column               type    meaning
==================== ======= ==========================================================
body                 str     the reporting body as printed
year                 Int64   the year the report covers
template             str     "2019" or "2021" (the report's template version)
section              str     ``requests``, ``outcomes``, ``reviews`` or ``publication``
indicator            str     what is measured (table :data:`INDICATORS`)
breakdown            str     the part of it (applicant type, outcome, result, …)
value                Float64 the figure in ``unit``; NA when the report left it blank or a
                             denominator is 0 (never ``inf``)
unit                 str     ``件`` (requests, cases, documents, decisions), ``%`` (shares and
                             rates, in percent), ``件/百件`` (per 100 handled requests),
                             ``项`` (2019 item counts), ``个`` (procurement projects), ``元``
label                str     Chinese label for tables and charts
==================== ======= ==========================================================

Indicators (section / indicator / breakdown):

* ``requests``: ``new`` 本年新收, ``carried_over`` 上年结转, ``handled`` 办理结果总计 (the
  （七）总计 row), ``carried_forward`` 结转下年度, each by applicant type (the six template
  columns, ``legal_person`` = the five 法人或其他组织 columns together, ``total``), and
  ``new_share``: each applicant type's share of new requests (%).
* ``outcomes``: ``count`` and ``share`` (% of handled requests) for ``granted``,
  ``partly_granted``, ``disclosed`` (the two together), ``withheld`` and its 8 reasons
  (``withheld.state_secret`` …), ``unavailable`` and its 3, ``not_processed`` and its 5,
  ``other`` (and its 3 sub-rows in the 2021 template).
* ``reviews``: ``admin_review``, ``lawsuit_direct``, ``lawsuit_after_review``, ``lawsuit``
  (both kinds of lawsuit) and ``all`` (reviews and lawsuits) by result (``upheld``,
  ``corrected``, ``other``, ``pending``, ``total``, ``decided`` = upheld + corrected + other);
  ``correction_rate`` 纠错率 = corrected ÷ decided (%) by the same cases; ``per_100_requests``
  = cases (total) per 100 handled requests.
* ``publication``: the cells of table 1 as printed (item × column, e.g. ``rules``/``issued``,
  ``penalties``/``decisions``, ``fees``/``amount`` in 元, ``procurement``/``amount``).

Conventions: totals the report left blank are derived from their printed parts (a blank
（七）总计 column from the six applicant columns; a group such as 不予公开 is the sum of its
reported reasons); printed totals are used as printed even when they breach the template
arithmetic (``govstats.check`` reports the breach; nothing is "fixed" here). Rows exist only for
measures the report's template has (no ``other.no_fee`` row for a 2019 report).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from govstats import schema
from govstats.analysis import formatting

SECTIONS = ("requests", "outcomes", "reviews", "publication")
SECTION_LABELS = {
    "requests": "政府信息公开申请情况",
    "outcomes": "申请办理结果",
    "reviews": "行政复议和行政诉讼",
    "publication": "主动公开情况",
}
INDICATOR_COLUMNS = [
    "body",
    "year",
    "template",
    "section",
    "indicator",
    "breakdown",
    "value",
    "unit",
    "label",
]
_KEY = ["body", "section", "indicator", "breakdown"]

# --- labels -----------------------------------------------------------------------------

APPLICANT_LABELS = schema.REQUEST_COLUMN_LABELS
APPLICANT_ORDER = ("natural_person", "legal_person", *schema.LEGAL_PERSON_COLUMNS, "total")
REQUEST_LABELS = {
    "new": "本年新收申请",
    "carried_over": "上年结转申请",
    "handled": "本年办结申请",
    "carried_forward": "结转下年度继续办理",
    "new_share": "新收申请占比",
}


def _short(label: str) -> str:
    """A template row label without its ordinal: ``1.属于国家秘密`` → ``属于国家秘密``."""
    for sep in (".", "）"):
        head, found, tail = label.partition(sep)
        if found and len(head) <= 3:
            return tail
    return label


_GROUP_SHORT = {
    "granted": "予以公开",
    "partly_granted": "部分公开",
    "disclosed": "予以公开和部分公开",
    "withheld": "不予公开",
    "unavailable": "无法提供",
    "not_processed": "不予处理",
    "other": "其他处理",
}
_REASON_ITEMS = [i for i in schema.REQUEST_ITEMS["2021"] if "." in i.code]
#: outcome code → Chinese label (reasons prefixed by their group: 不予公开·属于国家秘密)
OUTCOME_LABELS = dict(_GROUP_SHORT) | {
    i.code: f"{_GROUP_SHORT[i.code.split('.')[0]]}·{_short(i.label)}" for i in _REASON_ITEMS
}
OUTCOME_GROUPS = ("granted", "partly_granted", "withheld", "unavailable", "not_processed", "other")
#: the groups whose reasons count as refusals (the request was not answered with information)
REFUSAL_GROUPS = ("withheld", "unavailable", "not_processed")

REVIEW_CASE_LABELS = {
    "admin_review": "行政复议",
    "lawsuit_direct": "行政诉讼（未经复议直接起诉）",
    "lawsuit_after_review": "行政诉讼（复议后起诉）",
    "lawsuit": "行政诉讼合计",
    "all": "复议和诉讼合计",
}
REVIEW_RESULT_LABELS = {c.code: c.label for c in schema.REVIEW_COLUMNS} | {"decided": "已审结"}
REVIEW_RESULTS = ("upheld", "corrected", "other", "pending", "total", "decided")
REVIEW_LABELS = {"correction_rate": "纠错率", "per_100_requests": "每百件申请对应复议诉讼"}

_PUBLICATION_UNITS = {"previous": "项", "change": "项", "projects": "个", "amount": "元"}

#: measures (section, indicator, breakdown) that are NOT comparable across the 2020→2021
#: template change are every publication measure except ``decisions``: 2019 ``made`` vs 2021
#: ``issued`` is close but not the same count, 2019 ``total`` (ever published) vs 2021
#: ``in_force`` (valid now) differ, fees changed from a count of items to an amount.
_COMPARABLE_PUBLICATION_COLUMNS = frozenset({"decisions"})


def comparable_across_break(section: str, indicator: str, breakdown: str) -> bool:
    """Whether a measure means the same in the 2019 and the 2021 template (schema.md, Harmonising).

    Requests (``other`` = the sum of its 2021 sub-rows included), outcomes and reviews are
    comparable; in table 1 only the ``decisions`` counts of licensing, penalties and coercion are.
    """
    if section == "publication":
        return breakdown in _COMPARABLE_PUBLICATION_COLUMNS
    return True


# --- the wide view of a tidy frame ------------------------------------------------------


class _Cells:
    """A tidy frame pivoted to one row per (body, year) and one column per template cell."""

    def __init__(self, frame: pd.DataFrame):
        missing = {"body", "year", "template", "table", "item", "column", "value"} - set(
            frame.columns
        )
        if missing:
            raise ValueError(
                f"not a tidy frame: columns {sorted(missing)} missing (see govstats.schema)"
            )
        frame = frame.loc[frame["body"].notna() & frame["year"].notna()]
        key = (
            frame["table"].astype("string")
            + "/"
            + frame["item"].astype("string")
            + "/"
            + frame["column"].astype("string")
        )
        keyed = pd.DataFrame(
            {
                "body": frame["body"].astype("string").to_numpy(),
                "year": frame["year"].astype("Int64").to_numpy(),
                "key": key.to_numpy(),
                # plain floats inside (NaN = NA): the arithmetic below is many small steps
                "value": pd.to_numeric(frame["value"])
                .astype("Float64")
                .to_numpy(dtype=float, na_value=np.nan),
                "template": frame["template"].astype("string").to_numpy(),
            }
        )
        dup = keyed.duplicated(["body", "year", "key"], keep=False)
        if dup.any():
            first = keyed.loc[dup].iloc[0]
            raise ValueError(
                f"several values for {first['body']} {first['year']} cell {first['key']}: the "
                "frame holds more than one report for a "
                "body and year (load current versions only)"
            )
        wide = keyed.pivot(index=["body", "year"], columns="key", values="value")
        present = (
            keyed.assign(one=True)
            .pivot(index=["body", "year"], columns="key", values="one")
            .notna()
        )
        templates = keyed.groupby(["body", "year"])["template"].first().reindex(wide.index)
        self.bodies = wide.index.get_level_values("body").to_numpy()
        self.years = wide.index.get_level_values("year").to_numpy()
        self.templates = templates.to_numpy()
        self.values = wide.reset_index(drop=True)
        self.present = present.reset_index(drop=True)
        self.index = self.values.index
        self._keys = list(self.present.columns)

    def cell(self, table: str, item: str, column: str) -> pd.Series:
        key = f"{table}/{item}/{column}"
        if key in self.values:
            return self.values[key]
        return pd.Series(np.nan, index=self.index, dtype="float64")

    def has(self, table: str, item: str, column: str | None = None) -> pd.Series:
        """Whether each report has the cell (or, without ``column``, any cell of the row)."""
        if column is not None:
            key = f"{table}/{item}/{column}"
            return self.present[key] if key in self.present else pd.Series(False, index=self.index)
        prefix = f"{table}/{item}/"
        cols = [c for c in self._keys if c.startswith(prefix)]
        if not cols:
            return pd.Series(False, index=self.index)
        return self.present[cols].any(axis=1)

    def request(self, item: str, column: str) -> pd.Series:
        """A table-2 cell; a blank ``total`` is the sum of the six applicant columns as printed."""
        value = self.cell("requests", item, column)
        if column == "total":
            six = _sum([self.cell("requests", item, c) for c in schema.APPLICANT_COLUMNS])
            # a report printing only 自然人 | 法人或其他组织 carries the aggregate as
            # ``legal_person``
            merged = self.cell("requests", item, "legal_person")
            two = _sum([self.cell("requests", item, "natural_person"), merged])
            value = value.fillna(two.where(merged.notna(), six))
        elif column == "legal_person":
            # a report printing one merged 法人或其他组织 column carries it as ``legal_person``
            parts = _sum([self.cell("requests", item, c) for c in schema.LEGAL_PERSON_COLUMNS])
            value = value.fillna(parts).fillna(
                self.request(item, "total") - self.cell("requests", item, "natural_person")
            )
        return value


def _sum(parts: Sequence[pd.Series]) -> pd.Series:
    """Element-wise sum of the reported parts: NA only where every part is NA."""
    return pd.concat(parts, axis=1).sum(axis=1, min_count=1)


def _ratio(numerator: pd.Series, denominator: pd.Series, scale: float = 100.0) -> pd.Series:
    """numerator ÷ denominator × scale; NA where the denominator is 0 or NA (never inf)."""
    num = numerator.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    den = denominator.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    den = np.where(den == 0, np.nan, den)
    return pd.Series(num / den * scale, index=numerator.index).astype("Float64")


class _Collector:
    """Gathers indicator columns and turns them into one long frame at the end."""

    def __init__(self, cells: _Cells, section: str):
        self.cells = cells
        self.section = section
        self.parts: list[tuple[str, str, str, str, np.ndarray, np.ndarray]] = []

    def add(
        self,
        indicator: str,
        breakdown: str,
        value: pd.Series,
        unit: str,
        label: str,
        present: pd.Series,
    ) -> None:
        mask = present.to_numpy(dtype=bool)
        if mask.any():
            numbers = value.to_numpy(dtype=float, na_value=np.nan)
            self.parts.append((indicator, breakdown, unit, label, numbers, mask))

    def frame(self) -> pd.DataFrame:
        if not self.parts:
            return _empty_indicators()
        cells = self.cells
        masks = [p[5] for p in self.parts]
        sizes = [int(m.sum()) for m in masks]

        def spread(i: int) -> np.ndarray:
            return np.repeat([p[i] for p in self.parts], sizes)

        out = pd.DataFrame(
            {
                "body": np.concatenate([cells.bodies[m] for m in masks]),
                "year": np.concatenate([cells.years[m] for m in masks]),
                "template": np.concatenate([cells.templates[m] for m in masks]),
                "section": self.section,
                "indicator": spread(0),
                "breakdown": spread(1),
                "value": np.concatenate([p[4][p[5]] for p in self.parts]),
                "unit": spread(2),
                "label": spread(3),
            }
        )
        return _typed(out)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(
        {
            "body": "string",
            "year": "Int64",
            "template": "string",
            "section": "string",
            "indicator": "string",
            "breakdown": "string",
            "value": "Float64",
            "unit": "string",
            "label": "string",
        }
    )


def _empty_indicators() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: [] for c in INDICATOR_COLUMNS}))


# --- the four indicator groups ----------------------------------------------------------


def requests(frame: pd.DataFrame) -> pd.DataFrame:
    """Requests per year: new, carried over, handled, carried forward, by applicant type (件),
    and each applicant type's share of new requests (%). Input: a tidy frame; output: the
    indicator frame (module docstring) for section ``requests``."""
    return _requests(_Cells(frame))


def _requests(cells: _Cells) -> pd.DataFrame:
    out = _Collector(cells, "requests")
    items = {
        "new": "new",
        "carried_over": "carried_over",
        "handled": "total",
        "carried_forward": "carried_forward",
    }
    for indicator, item in items.items():
        present = cells.has("requests", item)
        for applicant in APPLICANT_ORDER:
            label = f"{REQUEST_LABELS[indicator]}·{APPLICANT_LABELS[applicant]}"
            out.add(indicator, applicant, cells.request(item, applicant), "件", label, present)
    present = cells.has("requests", "new")
    total_new = cells.request("new", "total")
    for applicant in APPLICANT_ORDER:
        if applicant == "total":
            continue
        label = f"{REQUEST_LABELS['new_share']}·{APPLICANT_LABELS[applicant]}"
        out.add(
            "new_share",
            applicant,
            _ratio(cells.request("new", applicant), total_new),
            "%",
            label,
            present,
        )
    return out.frame()


def outcomes(frame: pd.DataFrame) -> pd.DataFrame:
    """Outcomes of handled requests per year: count (件) and share of handled requests (%) of
    each outcome group and reason (all applicants together). Input: a tidy frame; output: the
    indicator frame for section ``outcomes`` (indicator ``count`` or ``share``)."""
    return _outcomes(_Cells(frame))


def _outcomes(cells: _Cells) -> pd.DataFrame:
    out = _Collector(cells, "outcomes")
    handled = cells.request("total", "total")
    counts: dict[str, tuple[pd.Series, pd.Series]] = {}
    for group in OUTCOME_GROUPS:
        reasons = [i.code for i in _REASON_ITEMS if i.code.startswith(f"{group}.")]
        for reason in reasons:
            counts[reason] = (cells.request(reason, "total"), cells.has("requests", reason))
        if group == "other" or not reasons:
            # ``other`` is a single 2019 row, or the (derived) sum of the 2021 sub-rows
            own = cells.request(group, "total")
            if reasons:
                own = own.fillna(_sum([counts[r][0] for r in reasons]))
            present = cells.has("requests", group)
            if reasons:
                present = present | _any([counts[r][1] for r in reasons])
        else:
            own = _sum([counts[r][0] for r in reasons])
            present = _any([counts[r][1] for r in reasons])
        counts[group] = (own, present)
    counts["disclosed"] = (
        _sum([counts["granted"][0], counts["partly_granted"][0]]),
        counts["granted"][1] | counts["partly_granted"][1],
    )
    order = ["granted", "partly_granted", "disclosed"]
    for group in OUTCOME_GROUPS[2:]:
        order += [group] + [r for r in counts if r.startswith(f"{group}.")]
    for code in order:
        value, present = counts[code]
        out.add("count", code, value, "件", f"{OUTCOME_LABELS[code]}·件数", present)
        out.add(
            "share",
            code,
            _ratio(value, handled),
            "%",
            f"{OUTCOME_LABELS[code]}·占办结比例",
            present,
        )
    return out.frame()


def _any(flags: Sequence[pd.Series]) -> pd.Series:
    return pd.concat(flags, axis=1).any(axis=1)


def reviews(frame: pd.DataFrame) -> pd.DataFrame:
    """Administrative reviews and lawsuits per year: cases by result (件), the correction rate
    纠错率 = corrected ÷ (upheld + corrected + other) (%), and cases per 100 handled requests.
    Printed ``total`` cells are used as printed; a blank total is the sum of its four parts.
    Input: a tidy frame; output: the indicator frame for section ``reviews``."""
    return _reviews(_Cells(frame))


def _reviews(cells: _Cells) -> pd.DataFrame:
    out = _Collector(cells, "reviews")
    cases: dict[str, dict[str, pd.Series]] = {}
    present: dict[str, pd.Series] = {}
    parts = ("upheld", "corrected", "other", "pending")
    for item in (i.code for i in schema.REVIEW_ITEMS):
        row = {c: cells.cell("review", item, c) for c in parts}
        row["total"] = cells.cell("review", item, "total").fillna(_sum(list(row.values())))
        row["decided"] = _sum([row["upheld"], row["corrected"], row["other"]])
        cases[item] = row
        present[item] = cells.has("review", item)
    combined = {
        "lawsuit": ("lawsuit_direct", "lawsuit_after_review"),
        "all": ("admin_review", "lawsuit_direct", "lawsuit_after_review"),
    }
    for name, members in combined.items():
        cases[name] = {r: _sum([cases[m][r] for m in members]) for r in REVIEW_RESULTS}
        present[name] = _any([present[m] for m in members])
    handled = cells.request("total", "total")
    for name, row in cases.items():
        for result in REVIEW_RESULTS:
            out.add(
                name,
                result,
                row[result],
                "件",
                f"{REVIEW_CASE_LABELS[name]}·{REVIEW_RESULT_LABELS[result]}",
                present[name],
            )
    for name, row in cases.items():
        rate = _ratio(row["corrected"], row["decided"])
        out.add(
            "correction_rate",
            name,
            rate,
            "%",
            f"{REVIEW_LABELS['correction_rate']}·{REVIEW_CASE_LABELS[name]}",
            present[name],
        )
    for name in ("admin_review", "lawsuit", "all"):
        per_100 = _ratio(cases[name]["total"], handled)
        label = f"{REVIEW_LABELS['per_100_requests']}·{REVIEW_CASE_LABELS[name]}"
        out.add(
            "per_100_requests",
            name,
            per_100,
            "件/百件",
            label,
            present[name] & cells.has("requests", "total"),
        )
    return out.frame()


def publication(frame: pd.DataFrame) -> pd.DataFrame:
    """Publication volumes per year (table 1 as printed): rules and normative documents
    (2019: made, published, total; 2021: issued, repealed, in force), licensing, penalty and
    coercion decisions, 2019 item counts, fees (2019: item counts 项; 2021: amount in 元),
    procurement (2019: projects 个, amount 元). Input: a tidy frame; output: the indicator
    frame for section ``publication`` (indicator = item code, breakdown = column code)."""
    return _publication(_Cells(frame))


def _publication(cells: _Cells) -> pd.DataFrame:
    out = _Collector(cells, "publication")
    seen: set[tuple[str, str]] = set()
    for template in schema.TEMPLATES:
        for item, columns in schema.PUBLICATION[template].values():
            for column in columns:
                if (item.code, column.code) in seen:
                    continue
                seen.add((item.code, column.code))
                unit = _PUBLICATION_UNITS.get(column.code, "件")
                label = f"{item.label}·{column.label}"
                if (item.code, column.code) == ("fees", "amount"):
                    label = f"{item.label}·本年收费金额"
                out.add(
                    item.code,
                    column.code,
                    cells.cell("publication", item.code, column.code),
                    unit,
                    label,
                    cells.has("publication", item.code, column.code),
                )
    return out.frame()


def indicators(frame: pd.DataFrame) -> pd.DataFrame:
    """All four indicator groups of a tidy frame in one indicator frame (module docstring),
    sorted by body, year and section."""
    cells = _Cells(frame)
    parts = [f(cells) for f in (_requests, _outcomes, _reviews, _publication)]
    out = pd.concat([p for p in parts if not p.empty] or [_empty_indicators()], ignore_index=True)
    order = {s: i for i, s in enumerate(SECTIONS)}
    out = out.assign(_s=out["section"].map(order)).sort_values(
        ["body", "year", "_s"], kind="stable"
    )
    return out.drop(columns="_s").reset_index(drop=True)


# --- year on year -----------------------------------------------------------------------


def year_on_year(ind: pd.DataFrame) -> pd.DataFrame:
    """Absolute and relative change of every indicator against the same body's previous year.

    Input: an indicator frame. Output: the same rows with added columns

    * ``previous`` (Float64): the value for year − 1 (NA when that year or measure is absent);
    * ``change`` (Float64): value − previous, in the indicator's unit (percentage points for %);
    * ``change_pct`` (Float64): change ÷ |previous| × 100; NA when previous is 0 or NA;
    * ``break_before`` (boolean): the template changed between year − 1 and year;
    * ``comparable_with_previous`` (boolean): the two years measure the same thing; NA when the
      body has no report for year − 1, False when the measure did not exist then or is not
      comparable across the template change (:func:`comparable_across_break`). ``change`` and
      ``change_pct`` are NA unless this is True.
    """
    out = ind.copy()
    years = out[["body", "year", "template"]].drop_duplicates(["body", "year"])
    prev_year = years.assign(year=years["year"] + 1).rename(
        columns={"template": "previous_template"}
    )
    out = out.merge(prev_year, on=["body", "year"], how="left")
    prev = (
        ind[_KEY + ["year", "value"]]
        .assign(year=ind["year"] + 1)
        .rename(columns={"value": "previous"})
    )
    prev["_had"] = True
    out = out.merge(prev, on=_KEY + ["year"], how="left")
    has_prev_report = out["previous_template"].notna()
    had_measure = out["_had"].notna()
    out["break_before"] = pd.array(
        np.where(has_prev_report, out["template"] != out["previous_template"], False),
        dtype="boolean",
    )
    across = pd.Series(
        [
            comparable_across_break(s, i, b)
            for s, i, b in zip(out["section"], out["indicator"], out["breakdown"], strict=True)
        ],
        index=out.index,
        dtype="boolean",
    )
    comparable = had_measure & (
        ~out["break_before"].fillna(False).astype(bool) | across.astype(bool)
    )
    out["comparable_with_previous"] = pd.array(comparable, dtype="boolean").copy()
    out.loc[~has_prev_report, "comparable_with_previous"] = pd.NA
    ok = out["comparable_with_previous"].fillna(False).astype(bool)
    previous = out["previous"].astype("Float64")
    out["previous"] = previous
    change = (out["value"] - previous).astype("Float64")
    out["change"] = change.where(ok, pd.NA)
    out["change_pct"] = _ratio(change, previous.abs()).where(ok, pd.NA)
    out = out.drop(columns=["_had", "previous_template"])
    return out[
        INDICATOR_COLUMNS
        + ["previous", "change", "change_pct", "break_before", "comparable_with_previous"]
    ]


# --- refusals, comparison, headlines ----------------------------------------------------


def leading_refusal_reasons(ind: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The ``n`` most frequent refusal reasons (不予公开 / 无法提供 / 不予处理 reasons) per body
    and year, among reasons used at least once.

    Input: an indicator frame (needs section ``outcomes``). Output columns: body, year, rank
    (1 = most frequent; ties share the lower rank), reason (e.g. ``unavailable.not_held``),
    label, count (件), share_of_handled (%), share_of_refusals (%: of all refusals that year).
    """
    out_cols = [
        "body",
        "year",
        "rank",
        "reason",
        "label",
        "count",
        "share_of_handled",
        "share_of_refusals",
    ]
    rows = ind.loc[(ind["section"] == "outcomes") & ind["breakdown"].str.contains(".", regex=False)]
    rows = rows.loc[rows["breakdown"].str.split(".").str[0].isin(REFUSAL_GROUPS)]
    counts = rows.loc[rows["indicator"] == "count", ["body", "year", "breakdown", "value"]].rename(
        columns={"breakdown": "reason", "value": "count"}
    )
    shares = rows.loc[rows["indicator"] == "share", ["body", "year", "breakdown", "value"]].rename(
        columns={"breakdown": "reason", "value": "share_of_handled"}
    )
    table = counts.merge(shares, on=["body", "year", "reason"], how="left")
    refusals = table.groupby(["body", "year"])["count"].transform(lambda s: s.sum(min_count=1))
    table["share_of_refusals"] = _ratio(table["count"], refusals)
    table = table.loc[table["count"].fillna(0) > 0].copy()
    table["rank"] = (
        table.groupby(["body", "year"])["count"].rank(method="min", ascending=False).astype("Int64")
    )
    table = table.loc[table["rank"] <= n]
    table["label"] = table["reason"].map(OUTCOME_LABELS).astype("string")
    table = table.sort_values(["body", "year", "rank", "reason"]).reset_index(drop=True)
    return table[out_cols]


#: the indicators shown side by side in a comparison (section, indicator, breakdown)
COMPARE_INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("requests", "new", "total"),
    ("requests", "new_share", "natural_person"),
    ("requests", "handled", "total"),
    ("outcomes", "share", "disclosed"),
    ("outcomes", "share", "withheld"),
    ("outcomes", "share", "unavailable"),
    ("outcomes", "share", "not_processed"),
    ("reviews", "all", "total"),
    ("reviews", "correction_rate", "all"),
    ("reviews", "per_100_requests", "all"),
    ("publication", "licensing", "decisions"),
    ("publication", "penalties", "decisions"),
)
UNKNOWN_LEVEL = "unknown"
#: registry levels (``govstats.store.registry.LEVELS``) in Chinese, for tables and charts
LEVEL_LABELS = {
    "province": "省级",
    "city": "市级",
    "county": "县级",
    "township": "乡镇级",
    "department": "部门",
    UNKNOWN_LEVEL: "未登记",
}


def _levels(levels: pd.DataFrame | Mapping[str, str] | None, bodies: Iterable[str]) -> pd.Series:
    if levels is None:
        mapping: Mapping[str, str] = {}
    elif isinstance(levels, pd.DataFrame):
        if not {"body", "level"} <= set(levels.columns):
            raise ValueError(
                "levels frame needs columns 'body' and 'level' (as govstats.bodies() returns)"
            )
        mapping = dict(zip(levels["body"], levels["level"], strict=True))
    else:
        mapping = levels
    return pd.Series(
        {b: (mapping.get(b) if pd.notna(mapping.get(b)) else UNKNOWN_LEVEL) for b in bodies},
        dtype="string",
    )


def compare(
    ind: pd.DataFrame,
    year: int,
    levels: pd.DataFrame | Mapping[str, str] | None = None,
    measures: Sequence[tuple[str, str, str]] = COMPARE_INDICATORS,
) -> pd.DataFrame:
    """The same indicators for every body in ``ind`` in ``year``, ranked within each level.

    ``levels`` gives each body's level (a frame with columns ``body`` and ``level``, e.g.
    ``govstats.bodies()``, or a mapping); bodies without one are ranked among themselves as
    level ``unknown``, so a city-wide total is never ranked against a single bureau. Output:
    one row per body and measure with columns body, level, section, indicator, breakdown,
    label, value, unit, rank (1 = largest value; ties share the lower rank; NA when the value
    is NA), bodies_in_level (how many bodies of that level have a value).
    """
    rows = ind.loc[ind["year"] == year]
    wanted = pd.DataFrame(list(measures), columns=["section", "indicator", "breakdown"]).astype(
        "string"
    )
    wanted["_order"] = range(len(wanted))
    rows = rows.merge(wanted, on=["section", "indicator", "breakdown"], how="inner")
    level = _levels(levels, rows["body"].unique())
    rows = rows.assign(level=rows["body"].map(level).astype("string"))
    group = rows.groupby(["level", "section", "indicator", "breakdown"])["value"]
    rows["rank"] = group.rank(method="min", ascending=False).astype("Int64")
    rows["bodies_in_level"] = group.transform("count").astype("Int64")
    rows = rows.sort_values(["_order", "level", "rank", "body"], na_position="last", kind="stable")
    cols = [
        "body",
        "level",
        "section",
        "indicator",
        "breakdown",
        "label",
        "value",
        "unit",
        "rank",
        "bodies_in_level",
    ]
    return rows[cols].reset_index(drop=True)


#: the briefing's headline figures: (section, indicator, breakdown, subject of the sentence)
HEADLINES: tuple[tuple[str, str, str, str], ...] = (
    ("requests", "new", "total", "本年新收政府信息公开申请"),
    ("requests", "handled", "total", "本年办结申请"),
    ("requests", "new_share", "natural_person", "自然人申请占新收申请"),
    ("outcomes", "share", "disclosed", "予以公开和部分公开占办结申请"),
    ("outcomes", "share", "withheld", "不予公开占办结申请"),
    ("reviews", "admin_review", "total", "因政府信息公开被申请行政复议"),
    ("reviews", "lawsuit", "total", "被提起行政诉讼"),
    ("reviews", "correction_rate", "all", "复议和诉讼纠错率"),
    ("publication", "penalties", "decisions", "作出行政处罚决定"),
    ("publication", "licensing", "decisions", "作出行政许可决定"),
)


def headlines(ind: pd.DataFrame, body: str, year: int) -> pd.DataFrame:
    """The headline figures of a briefing for ``body`` in ``year``, each with a sentence.

    Output columns: section, indicator, breakdown, subject, value, unit, previous, change,
    change_pct, comparable_with_previous, text (the formatted figure, e.g. ``154件``), sentence
    (e.g. ``本年新收政府信息公开申请154件，较上年增长108.1%。``). Measures the report's
    template lacks are left out; an empty frame when the body has no report for ``year``.
    """
    yoy = year_on_year(ind.loc[(ind["body"] == body) & ind["year"].isin([year - 1, year])])
    yoy = yoy.loc[yoy["year"] == year]
    rows = []
    for section, indicator, breakdown, subject in HEADLINES:
        hit = yoy.loc[
            (yoy["section"] == section)
            & (yoy["indicator"] == indicator)
            & (yoy["breakdown"] == breakdown)
        ]
        if hit.empty:
            continue
        r = hit.iloc[0]
        comparable = r["comparable_with_previous"]
        has_previous = not pd.isna(comparable)
        text = formatting.fmt_value(r["value"], r["unit"])
        sentence = formatting.sentence(
            subject,
            r["value"],
            r["previous"],
            r["unit"],
            comparable=bool(comparable) if has_previous else True,
            with_change=has_previous,
        )
        rows.append(
            (
                section,
                indicator,
                breakdown,
                subject,
                r["value"],
                r["unit"],
                r["previous"],
                r["change"],
                r["change_pct"],
                comparable,
                text,
                sentence,
            )
        )
    cols = [
        "section",
        "indicator",
        "breakdown",
        "subject",
        "value",
        "unit",
        "previous",
        "change",
        "change_pct",
        "comparable_with_previous",
        "text",
        "sentence",
    ]
    out = pd.DataFrame(rows, columns=cols)
    return out.astype(
        {
            "value": "Float64",
            "previous": "Float64",
            "change": "Float64",
            "change_pct": "Float64",
            "comparable_with_previous": "boolean",
        }
    )


def series_table(
    ind: pd.DataFrame, body: str, section: str, *, formatted: bool = True
) -> pd.DataFrame:
    """One body's indicators of one section as a table: a row per indicator (Chinese label),
    a column per year. With ``formatted`` the cells are strings with their unit (``154件``,
    ``12.5%``, ``未填报`` for a blank, ``—`` where that year's template has no such measure);
    otherwise the numbers (Float64, NA for both cases)."""
    rows = ind.loc[(ind["body"] == body) & (ind["section"] == section)]
    if rows.empty:
        return pd.DataFrame(index=pd.Index([], name="指标"))
    order = rows.drop_duplicates(["indicator", "breakdown"])["label"].tolist()
    table = rows.pivot(index="label", columns="year", values="value").reindex(order)
    table.index.name = "指标"
    table.columns = [int(y) for y in table.columns]
    if not formatted:
        return table
    units = rows.drop_duplicates("label").set_index("label")["unit"]
    present = rows.assign(one=1).pivot(index="label", columns="year", values="one").reindex(order)
    present.columns = table.columns
    cells = []
    for label in table.index:
        values = table.loc[label].tolist()
        if units[label] == "元":  # one money unit per row (万元 or 元), as a report's table reads
            texts = formatting.fmt_money_row(values)
        else:
            texts = [formatting.fmt_value(v, units[label]) for v in values]
        cells.append(
            [t if pd.notna(p) else "—" for t, p in zip(texts, present.loc[label], strict=True)]
        )
    out = pd.DataFrame(cells, index=table.index, columns=table.columns, dtype="string")
    return out
