"""govstats.briefings.content: the pieces of the briefing and comparison notebooks, without a
kernel."""

from __future__ import annotations

import html
from datetime import datetime, timezone
from pathlib import Path

import pytest

from govstats import store
from govstats.briefings import content
from govstats.briefings.sanitize import check_page, sanitize_fragment
from govstats.narrative import render
from govstats.reading.sections import CODES
from tests.analysis.test_measures import base_requests, report
from tests.conftest import ingest_bundled

XSS = "<script>alert(1)</script>局"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """The bundled data, plus a body whose name is markup (to prove everything is escaped)."""
    path = ingest_bundled(tmp_path_factory.mktemp("store") / "govstats.duckdb")
    values = report(2022, XSS, requests=base_requests())
    entry = store.Entry(
        report_id="0123456789abcdef",
        file_name="xss.html",
        path="xss.html",
        format="html",
        origin="api",
        parser_version="test",
        read_at=datetime.now(timezone.utc),
        body=XSS,
        year=2022,
        template="2021",
        values=values,
    )
    store.add_reports([entry], path)
    return path


@pytest.mark.slow
def test_pingtan_series(db):
    b = content.load_body("pingtan", db=db)
    assert b.message is None and b.body == "平潭综合实验区" and b.level == "city"
    assert b.years == list(range(2019, 2026)) and b.year == 2025
    html = content.title(b).data
    assert "平潭综合实验区政府信息公开工作年度报告简报（2025年度）" in html and "模板变更" in html
    heads = content.headlines(b).data
    assert "本年新收政府信息公开申请154件，较上年下降29.4%。" in heads
    table = content.section_table(b, "requests")
    assert (
        table.loc["本年新收申请·总计", 2021] == "70件"
        and table.loc["本年办结申请·总计", 2020] == "21件"
    )
    outcomes = content.section_table(b, "outcomes")
    assert len(outcomes) == 12 and outcomes.loc["予以公开·占办结比例", 2025] == "22.3%"
    assert content.section_table(b, "publication").loc["规章·本年制发件数", 2019] == "—"
    assert content.refusals_table(b).iloc[0]["理由"] == "无法提供·本机关不掌握相关政府信息"
    image = content.chart(b, "reviews")
    assert image.data.startswith(b"\x89PNG")
    assert image._repr_png_()[1]["alt"].startswith("平潭综合实验区：行政复议、行政诉讼结果")


@pytest.mark.slow
def test_section_tables_state_the_change_and_the_break(db):
    b = content.load_body("pingtan", years=[2020, 2021], db=db)
    pub = content.section_table(b, "publication")
    assert (
        pub.loc["行政处罚·处理决定数量", "2021年较上年"] == "增长138.3%"
    )  # 538 → 1282, comparable
    assert pub.loc["行政规范性文件·本年制发件数", "2021年较上年"] == "不可比（模板变更）"
    assert pub.loc["规章·本年新制作数量", "2021年较上年"] == "—"
    outcomes = content.section_table(b, "outcomes")
    assert outcomes.loc["予以公开·占办结比例", "2021年较上年"] == "提高10.1个百分点"  # 7/21 → 30/69
    single = content.section_table(content.load_body("ziyang-bgs", db=db), "requests")
    assert set(single["2020年较上年"]) == {"—"}


@pytest.mark.slow
def test_data_quality_lists_breaches_and_year_over_year_findings(db):
    b = content.load_body("pingtan", db=db)
    found = content.findings(b)
    assert (
        (found["year"] == 2020) & (found["rule"] == "R3")
    ).any()  # outcome rows 27 vs （七）总计 21
    html = content.quality(b).to_html()
    assert "勾稽关系不符" in html and "数据按报告原样保留" in html
    assert html == content.quality(b).to_html()  # deterministic (no random Styler id)
    clean = content.load_body("ziyang-bgs", db=db)
    assert "未发现" in content.quality(clean).data


@pytest.mark.slow
def test_missing_data_gives_messages(db, tmp_path):
    assert "数据库文件不存在" in content.load_body("pingtan", db=tmp_path / "none.duckdb").message
    unknown = content.load_body("nobody", db=db)
    assert "没有机关“nobody”" in unknown.message
    assert (
        content.section_table(unknown, "requests") is None
        and content.chart(unknown, "requests") is None
    )
    assert content.quality(unknown) is None and content.headlines(unknown) is None
    no_year = content.load_body("pingtan", year=2030, db=db)
    assert "没有2030年度的报告" in no_year.message and content.headlines(no_year) is None
    assert content.chart(no_year, "requests") is not None  # the series is still shown
    assert "没有2030年的年度报告" in content.load_body("pingtan", years=[2030], db=db).message
    with pytest.raises(ValueError, match="unknown section"):
        content.section_table(no_year, "nonsense")


def test_report_text_is_escaped(db):
    b = content.load_body(XSS, db=db)
    assert b.body == XSS
    for shown in (content.title(b).data, content.headlines(b).data, content.notice(XSS).data):
        assert "<script>" not in shown
    assert "&lt;script&gt;" in content.title(b).data
    assert "<script>" not in content.section_table(b, "requests").to_html()


@pytest.mark.slow
def test_region_comparison(db):
    r = content.load_region("320000", db=db)
    assert r.year == 2023 and r.message is None
    flags = content.flags_table(r)
    assert (
        flags.loc["淮安市洪泽区人民政府", "勾稽关系不符"] == 2
    )  # table 4: 复议 and 复议后起诉 totals
    assert flags.loc["沭阳县发展和改革局", "勾稽关系不符"] == 0
    wide = content.side_by_side(r)
    assert wide.loc["本年新收申请·总计", "淮安市洪泽区人民政府（县级）"] == "21件（第1/1）"
    assert wide.loc["纠错率·复议和诉讼合计", "沭阳县发展和改革局（部门）"] == "无法计算"
    title = content.region_title(r).data
    assert (
        "江苏省（320000）政府信息公开工作年度报告比较（2023年度）" in title
        and "排名只在同一级别的机关之间进行" in title
    )
    assert content.load_region("512000", db=db).label == "资阳市（512000）"


def test_region_messages(db):
    empty = content.load_region("350128", year=2030, db=db)
    assert "都没有2030年度的报告" in empty.message
    assert (
        content.side_by_side(empty) is None
        and content.compare_chart(empty, "requests", "new", "total") is None
    )
    assert "无本年度报告" in content.flags_table(empty).to_string()
    assert "无法识别地区" in content.load_region("火星市", db=db).message
    every = content.load_region(None, year=2024, db=db)
    assert set(every.comparison["body"]) == {"平潭综合实验区", "上海市科学技术委员会"}


def test_report_text_similarity_finding_and_new_sentences(text_store):
    db, name = text_store
    t = content.load_text(content.load_body(name, db=db))
    assert t.message is None and t.years == [2022, 2023, 2024] and t.briefed.year == 2024
    table = content.text_table(t)
    assert list(table.columns) == ["2023年较2022年", "2024年较2023年"]
    assert list(table.index) == [render.SECTION_LABELS[c] for c in CODES]  # template order
    assert table.loc["存在的主要问题及改进情况", "2024年较2023年"] == "100%"
    notes = content.text_notes(t).data
    assert "2024年度：“存在的主要问题及改进情况”大部分沿用上年文字（沿用100%）。" in notes
    assert "2024年度报告较2023年度新增的内容（摘录）" in notes
    # the new sentence (markup, 另有说明, a long tail): escaped, cut to EXCERPT_CHARS with …
    assert "<script>" not in notes and "&lt;script&gt;alert(1)&lt;/script&gt;局另有说明" in notes
    quoted = notes.split("&lt;script&gt;")[1].split("</li>")[0]
    assert quoted.endswith("…") and len(html.unescape("&lt;script&gt;" + quoted)) == 60
    cleaned = sanitize_fragment(notes)
    check_page(cleaned)
    assert "沿用100%" in cleaned and "<script" not in cleaned


def test_report_text_absent_gives_one_line(db):
    t = content.load_text(content.load_body("pingtan", db=db))  # from the tidy extract: no text
    assert t.message == content.NO_TEXT == "无报告文本（仅有统计表数据）。"
    assert content.text_table(t) is None and content.NO_TEXT in content.text_notes(t).data
    single = content.load_text(content.load_body("ziyang-bgs", db=db))  # one year of text
    assert single.years == [2020] and "没有相邻年度可以比较" in single.message
    unknown = content.load_text(content.load_body("nobody", db=db))
    assert content.text_notes(unknown) is None and content.text_table(unknown) is None
