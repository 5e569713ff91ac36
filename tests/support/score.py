"""Cell-by-cell score of a read report against generated truth: right, NA, wrong.

Used by the tests and benchmarks of tool forms, where a form may leave some cells honestly
undetermined: ``NA`` is split into cells the form declares ambiguous (``na_ambiguous``: NA is
right there) and the others (``na``: a miss). ``wrong`` counts cells holding a number that is
not the truth (including a number where the truth is blank, and numbers for cells the truth
does not have): the worst failure, which must be 0 everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from govstats import synth


@dataclass
class Score:
    right: int = 0
    na: int = 0
    na_ambiguous: int = 0
    wrong: int = 0
    errors: int = 0  # reports refused with a ParseError
    wrong_cells: list = field(default_factory=list)
    missed_cells: list = field(default_factory=list)

    def add(self, other: "Score") -> None:
        for name in ("right", "na", "na_ambiguous", "wrong", "errors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.wrong_cells += other.wrong_cells[:20]
        self.missed_cells += other.missed_cells[:20]

    @property
    def cells(self) -> int:
        return self.right + self.na + self.na_ambiguous + self.wrong

    def row(self) -> list:
        total = self.cells or 1
        return [self.cells, self.right, self.na_ambiguous, self.na, self.wrong, self.errors, f"{100 * self.right / total:.2f}%"]


HEADERS = ["cells", "right", "NA (ambiguous)", "NA (missed)", "WRONG", "refused", "right %"]


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a))


def score(report, expected: synth.GeneratedReport, ambiguous: frozenset = frozenset()) -> Score:
    """Compare a :class:`govstats.report.Report` (or None: refused) with the generated truth."""
    truth = {(t, i, c): v for t, items in expected.values.items() for i, cols in items.items() for c, v in cols.items()}
    for item, value in expected.legal_person.items():  # merged 法人或其他组织 column
        truth[("requests", item, "legal_person")] = value
    out = Score()
    if report is None:
        out.errors = 1
        out.na_ambiguous = sum(1 for k, v in truth.items() if v is not None and k in ambiguous)
        out.na = sum(1 for k, v in truth.items() if v is not None and k not in ambiguous)
        out.right = sum(1 for v in truth.values() if v is None)
        return out
    got = {k: v.value for k, v in report.values.items()}
    for key, want in truth.items():
        have = got.get(key)
        if have is None:
            if want is None:
                out.right += 1
            elif key in ambiguous:
                out.na_ambiguous += 1
            else:
                out.na += 1
                out.missed_cells.append((key, want))
        elif want is not None and _same(have, want):
            out.right += 1
        else:
            out.wrong += 1
            out.wrong_cells.append((key, want, have))
    for key, have in got.items():
        if key not in truth and have is not None:
            out.wrong += 1
            out.wrong_cells.append((key, None, have))
    return out


def total(scores) -> Score:
    out = Score()
    for s in scores:
        out.add(s)
    return out


__all__ = ["Score", "HEADERS", "score", "total"]
