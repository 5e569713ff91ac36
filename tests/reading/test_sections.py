"""The report's text as sections (govstats.reading.sections): the 平潭 series, every corpus file,
headings in running text, table regions left out, missing sections named, never invented."""

from __future__ import annotations

import dataclasses

import pytest

import govstats
from govstats.reading.document import Block, Cell, Document
from govstats.reading.sections import CODES, find_sections
from tests.conftest import CORPUS_DIR

RAW = CORPUS_DIR / "raw"
PINGTAN = {year: RAW / f"{year}_pingtan_html.html" for year in range(2019, 2026)}
SUBS = tuple(c for c in CODES if c.startswith("overview."))


def _pingtan(year: int) -> govstats.Report:
    path = PINGTAN[year]
    if not path.is_file():
        pytest.skip(f"corpus absent: {path}")
    return govstats.read_report(path)


def _doc(*lines: str) -> Document:
    blocks = [Block("text", [Cell(t, f"line {i}")], f"line {i}") for i, t in enumerate(lines, 1)]
    return Document("t.txt", "txt-plain", blocks)


@pytest.mark.parametrize("year", range(2019, 2026))
def test_the_pingtan_series_has_its_sections_every_year(year):
    report = _pingtan(year)
    codes = [s.code for s in report.sections]
    assert codes[0] == "overview" and codes[-2:] == ["problems", "other"]
    if year >= 2021:  # the 2021 template's five sub-sections, in order
        assert codes == list(CODES) and report.missing_sections == []
    else:  # 2019: （一）基本情况 （二）主要做法; 2020: one sub-heading names 主动公开
        assert report.missing_sections == [c for c in CODES if c not in codes]
    for s in report.sections:
        assert s.text and s.heading and s.source.startswith("text block")
        # no table text, no page furniture
        assert "第二十条" not in s.text and "本年新收" not in s.text and "附件下载" not in s.text
    other = report.sections[-1]
    assert other.text == (
        "无其他需要报告的事项" if year < 2021 else f"{year}年，无收取信息处理费情况。"
    )


def test_pingtan_2024_sections_as_printed():
    report = _pingtan(2024)
    by_code = {s.code: s for s in report.sections}
    assert by_code["overview.platforms"].heading == "（四）信息公开平台建设方面"
    assert by_code["overview.proactive"].text.startswith("有序推进基层政务公开")
    assert by_code["problems"].heading == "五、存在的主要问题及改进情况"
    assert by_code["problems"].source == "text block 41"


def test_pingtan_2019_keeps_unrecognised_sub_headings_as_overview_text():
    overview = _pingtan(2019).sections[0]
    assert "（一）基本情况" in overview.text and "（二）主要做法" in overview.text
    assert "overview.proactive" in _pingtan(2019).missing_sections


@pytest.mark.parametrize(
    "path",
    sorted(RAW.glob("*")) if RAW.is_dir() else [pytest.param(None, marks=pytest.mark.skip)],
    ids=lambda p: p.stem if p else "absent",
)
def test_every_corpus_report_has_overview_problems_and_other(path):
    report = govstats.read_report(path)
    codes = [s.code for s in report.sections]
    assert {"overview", "problems", "other"} <= set(codes), codes
    assert codes.index("overview") < codes.index("problems") < codes.index("other")
    for s in report.sections:
        assert "勾稽关系" not in s.text and "结果维持" not in s.text, (s.code, s.text[:80])


def test_a_report_printing_overview_parts_as_top_level_headings():
    path = RAW / "2024_sh-kewei_md-pdfextract.md"
    if not path.is_file():
        pytest.skip(f"corpus absent: {path}")
    report = govstats.read_report(path)
    heads = [(s.code, s.heading) for s in report.sections]
    assert heads == [
        ("overview", "一、总体情况"),
        ("overview.oversight", "二、工作机制保障"),
        ("overview.proactive", "三、主动公开工作情况"),
        ("overview.requests", "四、政府信息公开申请情况"),
        ("overview.management", "五、政府信息管理"),
        ("overview.platforms", "六、政府信息公开平台建设"),
        ("problems", "（一）主要问题"),  # its 四、存在的主要问题… was lost in the PDF extract
        ("other", "五、其他需要报告的事项"),
    ]


def test_headings_in_one_paragraph():
    text = (
        "根据《条例》编制本报告。一、总体情况2022年，本机关推进公开。（一）主动公开方面。全年公开信息"
        "12条。（二）依申请公开情况全年收到申请3件。二、主动公开政府信息情况第二十条第（一）项规章0"
        "三、收到和处理政府信息公开申请情况（三）不予公开0四、政府信息公开行政复议、行政诉讼情况0 0"
        "五、存在的主要问题及改进情况一是解读不够。六、其他需要报告的事项无。"
    )
    found = find_sections(_doc(text))
    assert [(s.code, s.heading, s.text) for s in found.sections] == [
        ("overview", "一、总体情况", "2022年，本机关推进公开。"),
        ("overview.proactive", "（一）主动公开方面", "全年公开信息12条。"),
        ("overview.requests", "（二）依申请公开情况", "全年收到申请3件。"),
        ("problems", "五、存在的主要问题及改进情况", "一是解读不够。"),
        ("other", "六、其他需要报告的事项", "无。"),
    ]
    assert found.sections[1].source == f"line 1 char {text.index('（一）') + 1}"
    assert found.missing == ["overview.management", "overview.platforms", "overview.oversight"]


def test_a_list_of_the_parts_in_the_preamble_is_no_heading():
    found = find_sections(
        _doc(
            "本报告包括一、总体情况；二、主动公开政府信息情况；五、存在的主要问题及改进情况、六、其他需要报告的事项。",
            "一、总体情况",
            "概述。",
            "五、存在的主要问题和改进情况",
            "问题。",
        )
    )
    assert [(s.code, s.source, s.text) for s in found.sections] == [
        ("overview", "line 2", "概述。"),
        ("problems", "line 4", "问题。"),
    ]
    assert found.missing[-1] == "other"


def test_a_later_mention_of_an_earlier_heading_is_text():
    found = find_sections(
        _doc(
            "一、总体情况",
            "甲。",
            "五、存在的主要问题及改进情况",
            "见上文一、总体情况所述。",
            "六、其他需要报告的事项",
            "无。",
        )
    )
    assert [s.text for s in found.sections] == ["甲。", "见上文一、总体情况所述。", "无。"]


def test_missing_sections_are_named_not_invented():
    found = find_sections(_doc("一、概述", "甲。", "二、主动公开政府信息情况", "规章 0 0 0"))
    assert [s.code for s in found.sections] == ["overview"]
    assert found.missing == [c for c in CODES if c != "overview"]
    assert find_sections(_doc("没有任何标题的文字。")).missing == list(CODES)


def test_the_last_section_ends_at_the_signature_and_the_page_furniture():
    found = find_sections(
        _doc("六、其他需要报告的事项", "无。", "某某县发展和改革局", "2024年1月17日", "其他文字")
    )
    assert found.sections[0].text == "无。"
    found = find_sections(_doc("六、其他需要报告的事项", "无。", "首页", "政务公开", "互动交流"))
    assert found.sections[0].text == "无。"
    found = find_sections(_doc("六、其他需要报告的事项", "无。", "附件：某报告"))
    assert found.sections[0].text == "无。"


def _generated():
    from govstats.synth import generate
    from govstats.synth.narrative import narrate

    return narrate(generate(1, [2022], seed=8), seed=8)[0]


@pytest.mark.parametrize(
    "form",
    ["lines", "cr", "crlf", "one-paragraph", "one-paragraph-spaced", "markdown", "html"],
)
def test_the_same_sections_in_every_text_form(form):
    """One generated report printed in several text forms: every section found, its text the
    text printed (one paragraph: the headings are found in the stream of characters)."""
    from govstats.synth.narrative import HEADINGS, text_of
    from govstats.synth.printing import render

    report = _generated()
    plain = render(report, "txt-plain")
    text = {
        "lines": plain,
        "cr": plain.replace("\n", "\r"),
        "crlf": plain.replace("\n", "\r\n"),
        "one-paragraph": plain.replace("\n", ""),
        "one-paragraph-spaced": plain.replace("\n", "\u3000\u3000"),
        "markdown": render(report, "markdown"),
        "html": render(report, "html"),
    }[form]
    read = govstats.read_report(text.encode())
    assert [s.code for s in read.sections] == list(HEADINGS)
    assert [s.heading for s in read.sections] == list(HEADINGS.values())
    assert {s.code: s.text for s in read.sections} == {c: text_of(report, c) for c in HEADINGS}
    assert read.missing_sections == []


#: text forms: the plain text with its line breaks folded, or a format of synth.render
_FORMS = ("lines", "crlf", "one-paragraph", "one-paragraph-spaced", "markdown", "html", "html-word",
          "txt-oneline")  # fmt: skip


def _printed(report, form: str) -> bytes:
    from govstats.synth.printing import render

    plain = str(render(report, "txt-plain"))
    breaks = {
        "lines": "\n",
        "crlf": "\r\n",
        "one-paragraph": "",
        "one-paragraph-spaced": "\u3000\u3000",
    }
    out = plain.replace("\n", breaks[form]) if form in breaks else render(report, form)
    return out.encode() if isinstance(out, str) else out


@pytest.mark.parametrize("form", _FORMS)
@pytest.mark.parametrize(
    "printed",
    [
        "variants-1",
        "variants-2",
        "variants-3",
        "variants-4",
        "variants-5",
        "lost-problems-heading",
        "furniture",
        "all",
    ],
)
def test_generated_heading_variants_lost_heading_and_furniture(printed, form):
    """The forms of govstats.synth.narrative.FORMS (every heading variant real reports print, a
    lost 五、 heading, a page's furniture after the last section) in every text form: the
    sections come back with the right codes, headings and text, the furniture in none."""
    import re

    from govstats.synth.narrative import FORMS, FURNITURE, expected_sections

    report = dataclasses.replace(_generated(), narrative_form=FORMS[printed])
    read = govstats.read_report(_printed(report, form))
    expected = expected_sections(report)
    assert [s.code for s in read.sections] == [code for code, _h, _t in expected]
    assert [s.heading for s in read.sections] == [heading for _c, heading, _t in expected]
    squash = lambda t: re.sub(r"\s", "", t)  # noqa: E731 - one-paragraph text loses the breaks
    assert [squash(s.text) for s in read.sections] == [squash(t) for _c, _h, t in expected]
    assert read.missing_sections == []
    last = read.sections[-1].text
    assert not any(line[:4] in last for line in FURNITURE), last[-120:]
