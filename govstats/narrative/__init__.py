"""What the report says, year on year: a body's text compared section by section.

The sections come from the readers (:mod:`govstats.reading.sections`, ``Report.sections``) or
from the store (``govstats.load_sections``). :mod:`~govstats.narrative.compare` compares one
year with the year before; :mod:`~govstats.narrative.figures` gives the numbers the text
states (found by :mod:`govstats.reading.figures`) as indicators;
:mod:`~govstats.narrative.render` prints a comparison (``govstats diff``). This stage imports
reading, store and analysis (for the indicator columns), never briefings or jupyter.
"""

from __future__ import annotations

from govstats.narrative.compare import (
    COPIED_PROBLEMS,
    COPIED_SHARE,
    Comparison,
    SectionComparison,
    SentenceMatch,
    body_comparisons,
    compare_reports,
    compare_sections,
    compare_series,
    sections_by_year,
    split_problems,
)

__all__ = [
    "COPIED_PROBLEMS",
    "COPIED_SHARE",
    "Comparison",
    "SectionComparison",
    "SentenceMatch",
    "body_comparisons",
    "compare_reports",
    "compare_sections",
    "compare_series",
    "sections_by_year",
    "split_problems",
]
