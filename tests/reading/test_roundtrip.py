"""Round trips through the reader: generated report → printed in a format → read_report → same
values.

Property tests (hypothesis, a bounded number of examples so they run in seconds) over reports
from ``govstats.synth``: any body, any year (both templates), plain or with the irregularities
real reports have. ``synth.differences`` compares cell by cell (money with a relative tolerance).
Planted breaches of the template arithmetic must each be found by ``govstats.check`` and no
other breach reported.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govstats
from govstats import synth
from govstats.checks.rules import RULES
from govstats.checks.template import finding_cells

SETTINGS = settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
IRREGULAR = synth.Options(
    blank_rate=0.3, variant_rate=0.5, unit_rate=0.3, merged_rate=0.3, old_table1_rate=0.3
)


@st.composite
def generated(draw, options: synth.Options = synth.PLAIN):
    """One generated report: any seed, body (every level occurs in each group of 20), year."""
    seed = draw(st.integers(0, 10_000))
    year = draw(st.integers(2019, 2025))
    index = draw(st.integers(0, 2_000))
    first = draw(st.integers(2019, year))  # later years carry numbers over from earlier ones
    return list(synth.generate(1, range(first, year + 1), seed, options, first_body=index))[-1]


def read(report: synth.GeneratedReport, fmt: str, encoding: str = "utf-8"):
    content = synth.render(report, fmt)
    data = content.encode(encoding) if isinstance(content, str) else content
    return govstats.read_report(data, name=f"{report.name}.{fmt}")


def assert_same(got, report: synth.GeneratedReport, fmt: str) -> None:
    diffs = synth.differences(got, report)
    assert not diffs, f"{fmt}: {report!r}\n" + "\n".join(diffs[:20])
    assert got.complete, got.missing


@pytest.mark.parametrize("fmt", ["html", "html-word", "txt-pipe", "txt-plain", "markdown"])
@SETTINGS
@given(report=generated())
def test_plain_reports_round_trip(fmt, report):
    assert_same(read(report, fmt), report, fmt)


@pytest.mark.parametrize("fmt", ["html", "html-word", "txt-pipe", "txt-plain", "markdown"])
@SETTINGS
@given(report=generated(IRREGULAR))
def test_irregular_reports_round_trip(fmt, report):
    """Blank cells, label variants, units and digit styles, merged legal-person columns, a 2021
    report still printing the 2019 table 1."""
    got = read(report, fmt)
    assert_same(got, report, fmt)


@SETTINGS
@given(report=generated())
def test_run_together_text_gives_the_values_or_an_honest_warning(report):
    """Cell boundaries lost: each cell comes back right, or NA with an ambiguity warning."""
    got = read(report, "txt-runtogether")
    diffs = synth.differences(got, report)
    wrong = [
        key
        for key, v in got.values.items()
        if v.value is not None
        and v.value != report.value(*key)
        and report.value(*key) is not None
        and abs(v.value - report.value(*key)) > 1e-6 * abs(report.value(*key))
    ]
    assert not wrong, f"{report!r}: run-together text read wrongly at {wrong[:10]}"
    if diffs:
        assert got.warnings, f"{report!r}: cells left NA without a warning:\n" + "\n".join(
            diffs[:10]
        )


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
@pytest.mark.parametrize("fmt", ["html-word", "txt-pipe"])
def test_other_encodings_round_trip(fmt, encoding):
    for index in (3, 12):
        report = synth.generate_one(seed=21, year=2019 + index % 7, index=index)
        assert_same(read(report, fmt, encoding), report, f"{fmt}/{encoding}")


@pytest.mark.slow
def test_docx_round_trip(tmp_path):
    from tests.support.render import document_to_docx

    for index, year in ((5, 2020), (14, 2024)):
        report = synth.generate_one(seed=2, year=year, index=index)
        path = document_to_docx(synth.to_document(report, "docx"), tmp_path / f"{report.name}.docx")
        assert_same(govstats.read_report(path), report, "docx")


@pytest.mark.slow
@pytest.mark.browser
def test_pdf_round_trip(tmp_path):
    """Printed by headless Chromium (as many bodies publish), read back by the PDF reader."""
    from tests.support.render import html_to_pdf

    report = synth.generate_one(seed=3, year=2022, index=11)
    path = html_to_pdf(synth.render(report, "html"), tmp_path / f"{report.name}.pdf")
    assert_same(govstats.read_report(path), report, "pdf")


# --- planted breaches -------------------------------------------------------------------------


def found_breaches(report) -> set[tuple[str, str]]:
    """``govstats.check`` findings of kind 'breach' as synth's (rule, place) pairs."""
    findings = govstats.check(report)
    findings = findings[findings["kind"] == "breach"]
    return {to_synth_rule(row) for row in findings.to_dict("records")}


def to_synth_rule(finding: dict) -> tuple[str, str]:
    """A check finding as synth's (rule, place): the rule's code and, as the catalogue says what
    one instance is about, the column (R1, R3) or the row (R2, R6, R7) of its cells."""
    rule, cells = str(finding["rule"]), finding_cells(finding["cells"])
    per = RULES[rule].per
    if per == "column":
        return (rule, cells[-1][2])
    if per == "item":
        return (rule, cells[0][1])
    return (rule, "/".join(map(str, cells[0])))


@pytest.mark.parametrize("rule", synth.BREACH_RULES)
@settings(max_examples=8, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), year=st.integers(2019, 2025), index=st.integers(0, 2_000))
def test_every_planted_breach_is_found_and_no_other(rule, seed, year, index):
    options = synth.Options(breach_rate=1.0, breach_rules=(rule,), blank_rate=0.2, merged_rate=0.3)
    report = synth.generate_one(seed=seed, year=year, options=options, index=index)
    got = read(report, "html")
    assert_same(got, report, "html")
    assert found_breaches(got) == set(report.breaches[0].where), report


@SETTINGS
@given(report=generated(synth.Options(blank_rate=0.3)))
def test_consistent_reports_have_no_breach(report):
    got = read(report, "txt-pipe")
    assert found_breaches(got) == set()


@pytest.mark.parametrize("printed", ["", "—"])
def test_plain_text_row_of_blanks_keeps_its_cells(printed):
    report = synth.generate_one(seed=0, year=2023, index=3)
    report.values["publication"]["licensing"]["decisions"] = None
    report.printed[("publication", "licensing", "decisions")] = printed
    assert_same(read(report, "txt-plain"), report, "txt-plain")


def test_run_together_row_with_a_placeholder_is_not_misread():
    report = synth.generate_one(seed=0, year=2019, index=0)
    for column, printed in (("previous", "5"), ("change", "无"), ("decisions", "989")):
        report.values["publication"]["other_services"][column] = (
            None if printed == "无" else float(printed)
        )
        report.printed[("publication", "other_services", column)] = printed
    got = read(report, "txt-runtogether")
    values = {
        c: got.value("publication", "other_services", c)
        for c in ("previous", "change", "decisions")
    }
    assert values in (
        {"previous": 5.0, "change": None, "decisions": 989.0},
        {"previous": None, "change": None, "decisions": None},
    ), values


def test_run_together_search_does_not_crash():
    report = list(synth.generate(1, [2019, 2020], seed=0, first_body=10))[-1]
    got = read(report, "txt-runtogether")
    assert isinstance(got, govstats.Report)


def test_run_together_row_with_a_negative_change_is_kept():
    report = synth.generate_one(seed=0, year=2019, index=3)
    report.values["publication"]["licensing"]["change"] = -2.0
    report.printed[("publication", "licensing", "change")] = "-2"
    got = read(report, "txt-runtogether")
    assert ("publication", "licensing", "change") in got.values or not got.complete
