"""A report read from one file: its metadata, its values with provenance, and what was odd."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from govstats import schema

Key = tuple[str, str, str]  # (table, item, column)


class Value(NamedTuple):
    """One template cell as read (an immutable record; a NamedTuple, cheap to build by the
    hundred per report).

    ``value`` is the number (money in 元) or ``None`` when the cell is blank or holds a
    placeholder (``—``, ``-``, ``/``, ``无``); ``printed`` is the cell text exactly as
    printed; ``label`` the row and column labels as printed; ``source`` where it was read.
    """

    value: float | None
    printed: str
    label: str
    source: str


@dataclass(frozen=True)
class Section:
    """One section of the report's text (:mod:`govstats.reading.sections`).

    ``code`` is canonical (``overview``, ``overview.proactive``, …, ``problems``, ``other``);
    ``heading`` as printed; ``text`` the section's text without its heading (paragraphs joined
    by newlines); ``source`` where the heading was read (``line 12``, ``page 2 (x=…)``).
    """

    code: str
    heading: str
    text: str
    source: str


@dataclass
class Report:
    """The statistical tables of one annual report.

    ``template`` follows table 1 as printed ("2019"/"2021"); ``layouts`` records per table the
    version each table was read as (a report may mix them). ``missing`` names tables that are
    absent or cut off; such a report is not complete. ``warnings`` are human-readable notices
    (template/year disagreement, ambiguous digits, …). ``sections`` is the narrative text by
    section (tables left out); ``missing_sections`` names the canonical sections not found.
    """

    name: str
    format: str
    report_id: str
    body: str | None
    year: int | None
    template: str | None
    values: dict[Key, Value] = field(default_factory=dict)
    layouts: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    narrative: dict[str, float] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    missing_sections: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def tidy(self) -> pd.DataFrame:
        """The long frame of schema.md: the nine canonical columns plus ``source``.

        One row per template cell of the tables that were read, in template order; NA where
        the cell is blank.
        """
        rows = []
        for key, v in self.values.items():
            table, item, column = key
            rows.append(
                (
                    self.report_id,
                    self.body,
                    self.year,
                    self.template,
                    table,
                    item,
                    column,
                    v.value,
                    v.label,
                    v.source,
                )
            )
        return schema.tidy_frame(rows)

    def value(self, table: str, item: str, column: str) -> float | None:
        v = self.values.get((table, item, column))
        return None if v is None else v.value

    def _repr_html_(
        self,
    ) -> str:  # notebook display: the tables as printed (govstats.jupyter.display)
        # lazy on purpose: report sits below every stage; only a notebook asks for this
        from govstats.jupyter.display import report_html

        return report_html(self)

    def __repr__(self) -> str:
        return (
            f"<Report {self.body or '?'} {self.year or '?'} template={self.template or '?'} "
            f"values={len(self.values)} missing={self.missing or 'none'} from {self.name}>"
        )
