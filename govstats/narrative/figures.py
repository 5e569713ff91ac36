"""The numbers the report's text states as indicator rows.

The figures are found by the reader (:mod:`govstats.reading.figures`: the measures, their
patterns and the tests of their scope, one place for each; the checks N1–N5 compare them with
the tables), re-exported here; :func:`figures_frame` gives them as rows of the analysis
indicator frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from govstats.analysis.measures import INDICATOR_COLUMNS
from govstats.reading.figures import FIGURES, Figure, Measure, narrative_figures
from govstats.report import Report

__all__ = ["FIGURES", "FIGURE_COLUMNS", "Figure", "Measure", "figures_frame", "narrative_figures"]

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
