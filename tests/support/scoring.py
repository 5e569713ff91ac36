"""Counting what a reading got right: right, NA and WRONG cells against an answer, and the
breaches of the template arithmetic a reading shows against those of the answer.

Shared by the corpus test, the tool-form test, the forms-accuracy test and its benchmark, so
"right", "NA" and "wrong" mean the same everywhere:

* right: the cell's value is the answer's (money with a relative tolerance, since 万元 × 10000
  is inexact in binary floating point; a blank answer read as NA is right);
* NA: no value where the answer has one, or a cell not read at all, split into NA where NA is
  allowed (``na_allowed``: a corpus truth's ``na_ok``, a generated form's ambiguous cells) and NA
  elsewhere;
* silent NA: cells with an answer left NA by a reading that warned of nothing;
* wrong: a number that is not the answer's, a number where the answer is blank, or a number
  for a cell the answer does not have. A wrong number is the worst failure: never allowed.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import govstats
from govstats import schema

Key = tuple[str, str, str]


@dataclass
class Score:
    """Cells counted (see the module docstring), with the first wrong and NA cells named."""

    right: int = 0
    na_allowed: int = 0
    na: int = 0
    wrong: int = 0
    #: cells with an answer left NA in readings that gave no warning at all (an NA must say so)
    silent_na: int = 0
    wrong_cells: list[str] = field(default_factory=list)
    na_cells: list[str] = field(default_factory=list)

    @property
    def cells(self) -> int:
        return self.right + self.na_allowed + self.na + self.wrong

    def add(self, other: Score) -> None:
        self.right += other.right
        self.na_allowed += other.na_allowed
        self.na += other.na
        self.wrong += other.wrong
        self.silent_na += other.silent_na
        self.wrong_cells += other.wrong_cells
        self.na_cells += other.na_cells


def _number(value) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def score(
    got: dict[Key, float | None],
    expected: dict[Key, float | None],
    na_allowed=frozenset(),
    tolerance: float = 1e-6,
) -> Score:
    """Count ``got`` (cell → value read) against ``expected`` (cell → answer, None = blank)."""
    out = Score()
    for key, want in expected.items():
        have = _number(got.get(key))
        if have is None:
            if want is None and key in got:
                out.right += 1
            elif key in na_allowed:
                out.na_allowed += 1
            else:  # no value, or a blank cell not read at all
                out.na += 1
                out.na_cells.append("/".join(key))
        elif want is not None and abs(have - want) <= tolerance * max(1.0, abs(want)):
            out.right += 1
        else:
            out.wrong += 1
            out.wrong_cells.append(
                f"{'/'.join(key)}: read {have:g}, answer {'blank' if want is None else f'{want:g}'}"
            )
    for key, value in got.items():
        if key not in expected and _number(value) is not None:
            out.wrong += 1
            out.wrong_cells.append(
                f"{'/'.join(key)}: read {_number(value):g}, not a cell of the answer"
            )
    return out


def values_of(report: govstats.Report) -> dict[Key, float | None]:
    return {key: v.value for key, v in report.values.items()}


def frame_values(frame) -> dict[Key, float | None]:
    """A tidy frame's cells (one report's), ``{(table, item, column): value}``."""
    import pandas as pd

    return {
        (t, i, c): None if pd.isna(v) else float(v)
        for t, i, c, v in zip(
            frame["table"],
            frame["item"],
            frame["column"],
            frame["value"].astype(object),
            strict=True,
        )
    }


def matches_truth(got: dict[Key, float | None], truth: dict) -> list[str]:
    """The cells where ``got`` is not a corpus truth file's answer (``na_ok`` cells may be NA):
    empty when it matches."""
    result = score(got, truth_cells(truth), na_ok(truth))
    return result.wrong_cells + result.na_cells


# --- corpus truth files ------------------------------------------------------------------------


def truth_cells(truth: dict) -> dict[Key, float | None]:
    """A truth file's cells, ``{(table, item, column): value}``."""
    return {
        (t, i, c): v
        for t, items in truth["values"].items()
        for i, cols in items.items()
        for c, v in cols.items()
    }


def na_ok(truth: dict) -> frozenset[Key]:
    """The cells a truth file lets a reader leave NA (``na_ok``: ``table/item/column`` strings)."""
    return frozenset(
        tuple(x) if isinstance(x, list) else tuple(x.split("/")) for x in truth.get("na_ok", [])
    )


def score_truth(report: govstats.Report, truth: dict) -> Score:
    return score(values_of(report), truth_cells(truth), na_ok(truth))


def breaches(findings) -> set[tuple]:
    """``govstats.check`` findings of kind breach as (rule, cells, expected, found)."""
    findings = findings[findings["kind"] == "breach"]
    return {(r.rule, r.cells, _number(r.expected), _number(r.found)) for r in findings.itertuples()}


def truth_breaches(truth: dict) -> set[tuple]:
    """The breaches of the template arithmetic in the published numbers (the truth's values,
    as the report prints them): what a check of a right reading must flag, and only these."""
    frame = schema.values_to_tidy(
        truth["values"],
        report_id="truth",
        body=truth["body"],
        year=truth["year"],
        template=truth["template"],
    )
    return breaches(govstats.check(frame))


#: how a truth file's notes describe a breach of the arithmetic that is in the original
NOTES_DESCRIBE_A_BREACH = re.compile(r"breach|arithmetic error|kept as (published|printed)", re.I)


def breach_difference(report: govstats.Report, truth: dict) -> list[str]:
    """How the breaches ``govstats.check`` flags on ``report`` differ from the truth's (cells a
    truth lets be NA are left out of both sides: an NA there hides no breach)."""
    allowed = {"/".join(k) for k in na_ok(truth)}

    def keep(found: set[tuple]) -> set[tuple]:
        return {b for b in found if not allowed & set(str(b[1]).split("; "))}

    want, have = keep(truth_breaches(truth)), keep(breaches(govstats.check(report)))
    return [f"not flagged: {b}" for b in sorted(want - have, key=str)] + [
        f"flagged but not in the report: {b}" for b in sorted(have - want, key=str)
    ]


#: one printed number in a run of digits: a sign only in front, no leading zeros, decimals kept
_PIECE = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")


def _splits(run: str, n: int) -> list[tuple[float, ...]]:
    """Every way to cut ``run`` into ``n`` printed numbers (at most a few: runs are short)."""
    if n == 0:
        return [()] if not run else []
    out = []
    for match_end in range(1, len(run) + 1):
        head = run[:match_end]
        if _PIECE.fullmatch(head):
            out += [(float(head), *rest) for rest in _splits(run[match_end:], n - 1)]
    return out


def _same(answer: tuple[float | None, ...], cut: tuple[float, ...]) -> bool:
    pairs = zip(answer, cut, strict=True)
    return all(a is not None and math.isclose(a, v, rel_tol=1e-9) for a, v in pairs)


def unexplained_na(text: str, truth: dict, na_cells: list[str]) -> list[str]:
    """The NA cells of ``na_cells`` (``table/item/column``) that the printed text does not make
    ambiguous by itself.

    A cell is explained when its row is table 二's (which has no arithmetic to settle a split),
    the row's label is followed in ``text`` by one run of digits with no separator, the row's
    answer is one way to cut that run into the row's cells, and there is at least one other way.
    This is decided from the text and the answer alone, not from what the reader warned, so a
    reader that gives up on a row it could have read still fails."""
    template = truth["template"]
    answers = truth_cells(truth)
    unexplained = []
    for cell in na_cells:
        table, item, _ = cell.split("/")
        entry = schema.PUBLICATION[template].get(item) if table == "publication" else None
        if entry is None:
            unexplained.append(cell)
            continue
        label, columns = entry[0].label, entry[1]
        answer = tuple(answers.get((table, item, c.code)) for c in columns)
        ambiguous = False
        for match in re.finditer(re.escape(label) + r"\s*([-\d.]+)", text):
            cuts = _splits(match.group(1).rstrip("."), len(columns))
            fits = any(_same(answer, cut) for cut in cuts)
            ambiguous = ambiguous or (fits and len(cuts) >= 2)
        if not ambiguous:
            unexplained.append(cell)
    return unexplained
