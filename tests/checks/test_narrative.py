"""The narrative checks N3–N5: the text's 办结, 行政复议 and 行政诉讼 against tables 三 and 四.

Each fires on a planted disagreement and is silent on agreement, on phrasing whose scope is not
the table's, on an absent figure and on a blank cell; on the corpus (its truth values) none
fires.
"""

from __future__ import annotations

import dataclasses

import pytest

import govstats
from govstats.checks.template import NARRATIVE_CELLS, finding_cells
from govstats.reading.figures import narrative_figures
from govstats.report import Section, Value
from tests.conftest import corpus_entries, truth_for

NEW_RULES = set(NARRATIVE_CELLS)


@pytest.fixture(scope="module")
def sample():
    """资阳 2020: （七）总计 19, table 四 all 0."""
    from tests.conftest import SAMPLE

    return govstats.read_report(SAMPLE)


def _told(report, *sentences: str, values: dict | None = None) -> govstats.Report:
    """``report`` with one 依申请公开 section holding ``sentences`` (and cells changed)."""
    cells = dict(report.values)
    for key, new in (values or {}).items():
        old = cells[key]
        cells[key] = Value(new, "" if new is None else str(new), old.label, old.source)
    text = "".join(sentences)
    section = Section("overview.requests", "（二）依申请公开", text, "line 7")
    return dataclasses.replace(report, sections=[section], values=cells, narrative={})


def _found(report) -> dict[str, tuple]:
    findings = govstats.check(report)
    findings = findings[findings["rule"].isin(NEW_RULES)]
    assert set(findings["kind"]) <= {"narrative"}
    return {r.rule: (r.expected, r.found, r.message, r.cells) for r in findings.itertuples()}


AGREE = (
    "全年共收到政府信息公开申请19件，当年办结19件。",
    "因政府信息公开引起的行政复议案件0件、行政诉讼案件0件。",
)


def test_agreement_is_silent(sample):
    assert _found(_told(sample, *AGREE)) == {}


def test_planted_disagreements_fire_naming_place_and_numbers(sample):
    found = _found(
        _told(
            sample,
            "全年共收到政府信息公开申请19件，共办结18件，1件结转下年度。",
            "全年办理因政府信息公开申请引发的行政复议2起，行政诉讼3起。",
        )
    )
    assert set(found) == {"N3", "N4", "N5"}
    expected, stated, message, cells = found["N3"]
    assert (expected, stated) == (19, 18)
    assert "办结18件" in message and "overview.requests at line 7" in message
    assert "19" in message and "（七）总计" in message
    assert finding_cells(cells) == [("requests", "total", "total")]
    assert found["N4"][:2] == (0, 2) and "行政复议2起" in found["N4"][2]
    assert found["N5"][:2] == (0, 3)
    assert finding_cells(found["N5"][3]) == [
        ("review", "lawsuit_direct", "total"),
        ("review", "lawsuit_after_review", "total"),
    ]


def test_litigation_is_both_kinds_of_lawsuit(sample):
    split = {
        ("review", "lawsuit_direct", "total"): 2.0,
        ("review", "lawsuit_after_review", "total"): 1.0,
    }
    text = "因政府信息公开引起的行政诉讼案件3件。"
    assert _found(_told(sample, text, values=split)) == {}
    assert _found(_told(sample, "因政府信息公开引起的行政诉讼案件2件。", values=split))["N5"][
        :2
    ] == (3, 2)


@pytest.mark.parametrize(
    "sentence",
    [
        "全年受理网络问政182件，办结180件。",  # not about applications
        "本年新收申请中办结18件。",  # a part: the new ones
        "上年结转政府信息公开申请2件，已办结1件。",  # a part: last year's
        "全年收到政府信息公开申请19件，办结18件（不含上年结转）。",  # a part, said after
        "全年收到政府信息公开申请19件，办结18余件。",  # approximate
    ],
)
def test_closed_of_another_scope_is_not_compared(sample, sentence):
    assert _found(_told(sample, sentence)) == {}


@pytest.mark.parametrize(
    "sentence",
    [
        "涉及政府信息公开的行政复议及行政诉讼案件3件。",  # one count of both
        "因政府信息公开工作被申请行政复议和提起行政诉讼共3件。",
        "本机关作为复议机关，办理政府信息公开行政复议案件12件。",  # the reviewing authority
        "全市行政复议案件120件，行政诉讼案件45件。",  # not about 政府信息公开
        "因政府信息公开引起的一审行政诉讼3件。",  # one instance
        "政府信息公开方面，复议后起诉的行政诉讼2件。",  # one kind
    ],
)
def test_cases_of_another_scope_are_not_compared(sample, sentence):
    assert _found(_told(sample, sentence)) == {}


def test_absent_figures_and_blank_cells_are_not_compared(sample):
    assert _found(_told(sample, "本机关依法做好政府信息公开申请答复工作。")) == {}
    blank = {
        ("requests", "total", "total"): None,
        ("review", "admin_review", "total"): None,
        ("review", "lawsuit_after_review", "total"): None,
    }
    told = _told(
        sample,
        "全年收到政府信息公开申请19件，当年办结5件。",
        AGREE[1].replace("0件", "4件"),
        values=blank,
    )
    assert _found(told) == {}


def test_the_tidy_frame_has_no_text_to_compare(sample):
    told = _told(sample, "全年收到政府信息公开申请19件，当年办结5件。")
    assert "N3" in _found(told)
    assert not set(govstats.check(told.tidy())["rule"]) & NEW_RULES


@pytest.mark.corpus
def test_the_corpus_text_agrees_with_its_truth_values(corpus_dir):
    """The text of every corpus report against its hand-checked values: no disagreement.

    The figures compared (read by hand):
    平潭 2021 办结69 = （七）69;
    平潭 2022 行政复议2 = 2, 行政诉讼1 = 1 + 0;
    平潭 2023 办结81 = 81, 行政复议2 = 2, 行政诉讼7 = 5 + 2;
    平潭 2025 办结148 = 148, 行政复议36 = 36, 行政诉讼9 = 6 + 3;
    河北工信厅 2022 办结14 = 14, 河北教育厅 2022 办结44 = 44.
    """
    compared = 0
    for entry in corpus_entries():
        path = corpus_dir / entry["file"]
        truth = truth_for(entry)
        report = govstats.read_report(path)
        values = {
            (table, item, column): Value(v, "" if v is None else str(v), "", "truth")
            for table, items in truth["values"].items()
            for item, columns in items.items()
            for column, v in columns.items()
        }
        found = _found(dataclasses.replace(report, values=values))
        assert found == {}, (entry["file"], found)
        figures = narrative_figures(report.sections)
        compared += sum(f.indicator in {c[0] for c in NARRATIVE_CELLS.values()} for f in figures)
    assert compared == 11
