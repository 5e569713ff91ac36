"""Every file in ../shared/corpus/raw read against its truth file (truth/<stem>.json).

No list of names: a file added to raw/ later is tested too, and one without a truth file fails
saying so. Per file: every truth cell right (a cell the truth lists in ``na_ok`` may be NA),
no number for a cell the report does not have, body, year and template right, the report
complete, the tidy frame well formed with a source for every value, and ``govstats.check``
flagging exactly the breaches of the template arithmetic that are in the published numbers
(the truth's values; its notes describe them) and no other.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import govstats
from govstats import schema
from tests.conftest import CORPUS_DIR
from tests.support import scoring

RAW = CORPUS_DIR / "raw"


def corpus_files() -> list:
    files = (
        sorted(p for p in RAW.iterdir() if p.is_file() and not p.name.startswith("."))
        if RAW.is_dir()
        else []
    )
    if not files:
        return [
            pytest.param(None, marks=pytest.mark.skip(reason=f"corpus absent: no files in {RAW}"))
        ]
    return [pytest.param(p, id=p.stem) for p in files]


def truth_of(path: Path) -> dict:
    truth = CORPUS_DIR / "truth" / f"{path.stem}.json"
    if not truth.is_file():
        pytest.fail(
            f"{path} has no truth file: expected {truth} (see {CORPUS_DIR / 'README.md'})",
            pytrace=False,
        )
    return json.loads(truth.read_text(encoding="utf-8"))


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files())
def test_corpus_file_matches_its_truth(path):
    truth = truth_of(path)
    report = govstats.read_report(path)
    result = scoring.score_truth(report, truth)
    assert result.wrong_cells + result.na_cells == [], (
        f"{path.name}: {result.right} right, {result.na} NA, {result.wrong} WRONG"
    )
    assert (report.body, report.year, report.template) == (
        truth["body"],
        truth["year"],
        truth["template"],
    )
    assert report.complete, report.missing
    tidy = report.tidy()
    assert list(tidy.columns) == schema.TIDY_COLUMNS + schema.TIDY_EXTRA_COLUMNS
    assert not tidy.duplicated(["table", "item", "column"]).any()
    assert tidy["source"].str.len().min() > 0  # every value says where it was read
    assert scoring.breach_difference(report, truth) == []


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_files())
def test_truth_notes_describe_the_breaches_in_its_numbers(path):
    """A truth file's numbers break the template arithmetic exactly when its notes say the
    report does (so the expected breaches above are the published ones, not typos)."""
    truth = truth_of(path)
    described = bool(scoring.NOTES_DESCRIBE_A_BREACH.search(truth.get("notes") or ""))
    assert bool(scoring.truth_breaches(truth)) == described, (
        truth.get("notes"),
        scoring.truth_breaches(truth),
    )
