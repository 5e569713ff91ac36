"""The crawler forms of the generator (govstats/synth/toolforms/crawl.py) are what they stand for:
txt-lines is BeautifulSoup's get_text("\\n"), txt-cr has carriage returns only and no title,
txt-oneline is one paragraph; and their ambiguous cells are the ones the form really loses."""

from __future__ import annotations

import re

import pytest

from govstats import synth
from govstats.synth.toolforms import crawl

IRREGULAR = synth.Options(
    blank_rate=0.3, variant_rate=0.5, unit_rate=0.3, merged_rate=0.3, old_table1_rate=0.3
)
REPORTS = [
    synth.generate_one(
        seed=s, year=2019 + s % 7, index=s, options=IRREGULAR if s % 2 else synth.PLAIN
    )
    for s in range(12)
]


def test_txt_lines_is_beautifulsoup_get_text():
    bs4 = pytest.importorskip("bs4", reason="install the test extra: pip install -e '.[test]'")
    from govstats.synth.writing import write

    for report in REPORTS:
        html = write(synth.to_document(report, "html"), "html")
        ours = "\n".join(crawl.html_text_nodes(html))
        theirs = bs4.BeautifulSoup(html, "lxml").get_text("\n")
        assert ours.rstrip("\n") == theirs.rstrip("\n"), report
        lines = synth.render(report, "txt-lines")
        assert re.split(
            "|".join(map(re.escape, sorted(crawl.LINE_BREAKS, key=len, reverse=True))), lines
        ) == ours.split("\n"), report


def test_txt_cr_has_carriage_returns_only_and_no_title():
    for report in REPORTS:
        text = synth.render(report, "txt-cr")
        title = f"{report.body.name}{report.year}年政府信息公开工作年度报告"
        assert "\n" not in text and "\r" in text
        assert not text.lstrip("\r").startswith(title)  # the crawler keeps the title elsewhere
        assert f"现公布{title}" in text  # body and year stand in the preamble
        assert "\r\r\r" in text  # cells and rows apart by runs of breaks


def test_txt_oneline_is_one_paragraph_in_its_variants():
    seen = {
        "breadcrumb": False,
        "attachment": False,
        "title first": False,
        "spaces": False,
        "ideographic": False,
    }
    for index in range(40):
        report = synth.generate_one(seed=index, year=2022, index=index)
        text = synth.render(report, "txt-oneline")
        assert not re.search(r"[\r\n\x0b\x0c\x85\u2028\u2029]", text.lstrip("\n")), text[:80]
        seen["breadcrumb"] |= text.lstrip().startswith(("当前位置", "首页", "索引号"))
        seen["attachment"] |= "附件下载：" in text
        seen["title first"] |= text.lstrip("\n\u3000").startswith(report.body.name)
        seen["spaces"] |= "。 " in text
        seen["ideographic"] |= "\u3000\u3000" in text
    assert all(seen.values()), seen


def test_oneline_ambiguity_follows_the_arithmetic():
    report = synth.generate_one(seed=0, year=2022, index=0)
    for column, printed in (
        ("issued", "5"),
        ("repealed", "4"),
        ("in_force", "26"),
    ):  # the hebei row: 5426
        report.values["publication"]["normative_docs"][column] = float(printed)
        report.printed[("publication", "normative_docs", column)] = printed
    for column in ("issued", "repealed", "in_force"):
        report.values["publication"]["rules"][column] = 0.0
        report.printed[("publication", "rules", column)] = "0"
    ambiguous = crawl.cells_of_unsplit_runs(report)
    assert {
        ("publication", "normative_docs", c) for c in ("issued", "repealed", "in_force")
    } <= ambiguous
    assert (
        not {("publication", "rules", c) for c in ("issued", "repealed", "in_force")} & ambiguous
    )  # 000
    assert (
        "publication",
        "licensing",
        "decisions",
    ) not in ambiguous  # one number between two labels


def test_blank_rows_are_ambiguous_in_one_cell_per_line_forms():
    report = synth.generate_one(seed=0, year=2022, index=0)
    report.values["requests"]["granted"]["research"] = None
    report.printed[("requests", "granted", "research")] = ""
    ambiguous = crawl.cells_of_blank_rows(report)
    assert ("requests", "granted", "natural_person") in ambiguous
    assert ("requests", "new", "natural_person") not in ambiguous
