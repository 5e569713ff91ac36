"""The numbers the report's text states, with where it states them.

:func:`narrative_figures` searches the sections (whitespace removed: ``1136 条`` is ``1136条``)
for the measures of :data:`FIGURES`, the section the template puts the measure in first, then
the others in reading order; the first statement found is the figure. ``requests_received``
and ``requests_carried_forward`` are read by the patterns the reader's own narrative numbers
use (:func:`govstats.reading.metadata.narrative_numbers`, compared with table 三 by the checks
N1 and N2), here section by section so that each has a source.

A figure is what the text says: ``7700余条`` is 7700 with ``approximate`` set; a measure the
text does not state is absent (never 0).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from govstats.analysis.measures import INDICATOR_COLUMNS
from govstats.reading.metadata import narrative_numbers
from govstats.report import Report, Section

_N = r"(?P<n>\d+(?:\.\d+)?)(?P<wan>万)?(?P<approx>余|多)?"
_GAP = r"[^。；;，,\d]{0,24}?"


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    home: str  # the section code the template puts it in
    patterns: tuple[re.Pattern, ...]


def _m(code, label, unit, home, *patterns: str) -> Measure:
    return Measure(code, label, unit, home, tuple(re.compile(p) for p in patterns))


#: the measures, in the order of the template's narrative
FIGURES = (
    _m(
        "proactive_items",
        "主动公开政府信息",
        "条",
        "overview.proactive",
        rf"(?<![应其])主动公开{_GAP}信息(?:共)?{_N}(?:条|篇)",
    ),
    _m(
        "website_items",
        "政府网站发布信息",
        "条",
        "overview.platforms",
        rf"(?:政府|门户)网站{_GAP}发布{_GAP}{_N}(?:条|篇)",
    ),
    _m(
        "press_conferences",
        "新闻发布会",
        "场",
        "overview.proactive",
        rf"新闻发布会(?:共)?{_N}场",
        rf"{_N}场[^。；;\d]{{0,12}}?新闻发布会",
    ),
    _m(
        "policy_interpretations",
        "政策解读",
        "篇",
        "overview.proactive",
        rf"解读(?:稿件|材料|文章|信息|类信息)?(?:共)?{_N}(?:篇|条|个|件)",
    ),
    _m("requests_received", "收到申请", "件", "overview.requests"),
    _m(
        "requests_closed",
        "办结申请",
        "件",
        "overview.requests",
        rf"办结(?:申请)?(?:共)?{_N}件",
    ),
    _m("requests_carried_forward", "结转下年度", "件", "overview.requests"),
    _m(
        "review_cases",
        "行政复议",
        "件",
        "overview.requests",
        rf"行政复议(?:案件)?(?:共)?{_N}(?:件|起)",
    ),
    _m(
        "litigation_cases",
        "行政诉讼",
        "件",
        "overview.requests",
        rf"行政诉讼(?:案件)?(?:共)?{_N}(?:件|起)",
    ),
    _m(
        "fees",
        "收取信息处理费",
        "元",
        "other",
        rf"(?:收取|收费){_GAP}{_N}元",
    ),
)
#: measures read by the reader's narrative numbers: code → its key there
_READER_KEYS = {"requests_received": "received", "requests_carried_forward": "carried_forward"}


@dataclass(frozen=True)
class Figure:
    indicator: str
    value: float
    unit: str
    label: str
    printed: str  # the words stating it (``主动公开政府信息1136条``)
    section: str  # the section code it was read from
    source: str  # where that section's heading is (``page 1 (x=…)``)
    approximate: bool = False  # 余/多: "more than"


def narrative_figures(sections: Sequence[Section]) -> list[Figure]:
    """The figures ``sections`` state, one per measure of :data:`FIGURES` at most."""
    compact = [(s, "".join(s.text.split())) for s in sections]
    out = []
    for measure in FIGURES:
        ordered = [c for c in compact if c[0].code == measure.home] + [
            c for c in compact if c[0].code != measure.home
        ]
        for section, text in ordered:
            figure = _find(measure, section, text)
            if figure is not None:
                out.append(figure)
                break
    return out


def _find(measure: Measure, section: Section, text: str) -> Figure | None:
    if measure.code in _READER_KEYS:
        value = narrative_numbers(None, text).get(_READER_KEYS[measure.code])  # type: ignore[arg-type]
        if value is None:
            return None
        return Figure(
            measure.code, value, measure.unit, measure.label, "", section.code, section.source
        )
    for pattern in measure.patterns:
        m = pattern.search(text)
        if m:
            value = float(m["n"]) * (10_000 if m["wan"] else 1)
            return Figure(
                measure.code,
                value,
                measure.unit,
                measure.label,
                m.group(0),
                section.code,
                section.source,
                bool(m["approx"]),
            )
    return None


#: the analysis indicator frame's columns, then the words as printed and where they are
FIGURE_COLUMNS = [*INDICATOR_COLUMNS, "printed", "source"]


def figures_frame(reports: Sequence[Report]) -> pd.DataFrame:
    """The figures of ``reports`` as indicator rows (the columns of the analysis indicator
    frame, :data:`govstats.analysis.measures.INDICATOR_COLUMNS`, with ``section`` =
    ``narrative`` and ``breakdown`` = the text section read; then the words as printed and
    the source)."""
    rows = [
        (
            r.body,
            r.year,
            r.template,
            "narrative",
            f.indicator,
            f.section,
            f.value,
            f.unit,
            f.label,
            f.printed,
            f.source,
        )
        for r in reports
        for f in narrative_figures(r.sections)
    ]
    frame = pd.DataFrame(rows, columns=FIGURE_COLUMNS)
    return frame.astype({"year": "Int64", "value": "Float64"})
