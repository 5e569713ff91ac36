"""govstats.check: consistent reports have no breach, published breaches and injected ones are
found, blanks are not zeros, narrative mismatches are a softer kind; the data is never altered."""

from __future__ import annotations

import dataclasses

import pytest

import govstats
from govstats.checks.template import FINDING_COLUMNS, finding_cells
from govstats.report import Value


def _with(report, changes: dict) -> govstats.Report:
    values = dict(report.values)
    for key, new in changes.items():
        old = values[key]
        values[key] = Value(new, str(new), old.label, old.source)
    return dataclasses.replace(report, values=values)


@pytest.fixture(scope="module")
def sample():
    from tests.conftest import SAMPLE

    return govstats.read_report(SAMPLE)


def test_consistent_sample_has_no_finding(sample):
    findings = govstats.check(sample)
    assert list(findings.columns) == FINDING_COLUMNS
    assert findings.empty


@pytest.mark.corpus
def test_hongze_table_4_breach(corpus_dir):
    findings = govstats.check(govstats.read_report(corpus_dir / "raw/2023_hongze-qzf_pdf.pdf"))
    got = {
        (r.rule, finding_cells(r.cells)[-1][1], r.expected, r.found) for r in findings.itertuples()
    }
    assert got == {("R6", "admin_review", 11, 0), ("R7", "lawsuit_after_review", 5, 0)}


@pytest.mark.parametrize(
    "changes, rule",
    [
        ({("requests", "new", "natural_person"): 18.0, ("requests", "new", "total"): 18.0}, "R1"),
        ({("requests", "granted", "commercial"): 1.0}, "R2"),
        (
            {("requests", "total", "natural_person"): 20.0, ("requests", "total", "total"): 20.0},
            "R3",
        ),
        ({("review", "lawsuit_direct", "upheld"): 2.0}, "R7"),
        ({("requests", "carried_forward", "research"): -1.0}, "R4"),
        (
            {
                ("requests", "granted", "natural_person"): 16.5,
                ("requests", "granted", "total"): 16.5,
            },
            "R4",
        ),
    ],
)
def test_injected_breaches_are_found(sample, changes, rule):
    before = {k: v.value for k, v in sample.values.items()}
    findings = govstats.check(_with(sample, changes))
    assert rule in set(findings["rule"]), findings
    assert {k: v.value for k, v in sample.values.items()} == before  # never alters data


def test_tidy_frame_input_gives_the_same_breaches(sample):
    broken = _with(sample, {("requests", "granted", "commercial"): 1.0})
    a = govstats.check(broken)
    b = govstats.check(broken.tidy())
    assert a[["rule", "cells", "expected", "found"]].equals(
        b[["rule", "cells", "expected", "found"]]
    )


def test_blank_is_not_zero(sample):
    """A blank 总计 (Shanghai style) is no breach; printed numbers that cannot add up are."""
    blank = _with(
        sample, {("requests", "carried_forward", "total"): None, ("requests", "new", "total"): None}
    )
    assert govstats.check(blank).empty
    over = _with(
        sample,
        {("requests", "carried_forward", "total"): None, ("requests", "total", "total"): 25.0},
    )
    assert "R1" in set(govstats.check(over)["rule"])


def test_narrative_mismatch_is_a_soft_finding(sample):
    told = dataclasses.replace(sample, narrative={"received": 25.0, "carried_forward": 3.0})
    findings = govstats.check(told)
    assert set(findings["kind"]) == {"narrative"}
    assert set(findings["rule"]) == {"N1", "N2"}
