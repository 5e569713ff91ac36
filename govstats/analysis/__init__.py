"""Analysis: indicators computed from tidy frames, numbers as a report prints them, and charts.

This package owns everything between a tidy frame and a figure or sentence: the indicators of
how a body handles requests, year on year and next to its peers (:mod:`~govstats.analysis.measures`,
whose docstring documents the indicator frame); numbers and year-on-year phrases written the way
a Chinese report prints them (:mod:`~govstats.analysis.formatting`); the charts
(:mod:`~govstats.analysis.plots`) and the CJK font they use (:mod:`~govstats.analysis.fonts`).
It reads no files and knows nothing of briefings. The indicator functions are importable from
``govstats.analysis`` itself; ``plots`` (matplotlib) is imported only by those who draw.
"""

from __future__ import annotations

from govstats.analysis.measures import (
    APPLICANT_LABELS,
    APPLICANT_ORDER,
    COMPARE_INDICATORS,
    HEADLINES,
    INDICATOR_COLUMNS,
    LEVEL_LABELS,
    OUTCOME_GROUPS,
    OUTCOME_LABELS,
    REFUSAL_GROUPS,
    REQUEST_LABELS,
    REVIEW_CASE_LABELS,
    REVIEW_LABELS,
    REVIEW_RESULT_LABELS,
    REVIEW_RESULTS,
    SECTION_LABELS,
    SECTIONS,
    UNKNOWN_LEVEL,
    comparable_across_break,
    compare,
    headlines,
    indicators,
    leading_refusal_reasons,
    outcomes,
    publication,
    requests,
    reviews,
    series_table,
    year_on_year,
)

__all__ = [
    "APPLICANT_LABELS", "APPLICANT_ORDER", "COMPARE_INDICATORS", "HEADLINES", "INDICATOR_COLUMNS",
    "LEVEL_LABELS", "OUTCOME_GROUPS", "OUTCOME_LABELS", "REFUSAL_GROUPS", "REQUEST_LABELS",
    "REVIEW_CASE_LABELS", "REVIEW_LABELS", "REVIEW_RESULT_LABELS", "REVIEW_RESULTS",
    "SECTION_LABELS", "SECTIONS", "UNKNOWN_LEVEL", "comparable_across_break", "compare",
    "headlines", "indicators", "leading_refusal_reasons", "outcomes", "publication", "requests",
    "reviews", "series_table", "year_on_year",
]  # fmt: skip
