"""The HTML display of a Report (govstats.jupyter.display): layout as printed, blanks, breaches,
escaping."""

from __future__ import annotations

import pandas as pd
import pytest
from lxml import html as lxml_html

from govstats import schema
from govstats.jupyter.display import BLANK_MARK, findings_table, report_html, tidy_table
from govstats.report import Report, Value


def make_report(
    template: str = "2021",
    requests_layout: str | None = None,
    *,
    body: str = "测试机关",
    fill: float = 0.0,
    **kw,
) -> Report:
    """A report with every template cell read as ``fill`` (source ``line N``)."""
    requests_layout = requests_layout or template
    values = {}
    for n, key in enumerate(schema.cells(template, requests_layout), start=1):
        values[key] = Value(
            fill, f"{fill:g}", schema.template_label(*key, template=template), f"line {n}"
        )
    return Report(
        name=kw.pop("name", "test.txt"),
        format="txt-pipe",
        report_id="0123456789abcdef",
        body=body,
        year=kw.pop("year", 2021 if template == "2021" else 2020),
        template=template,
        values=values,
        layouts={"publication": template, "requests": requests_layout, "review": template},
        **kw,
    )


def parse(fragment: str):
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


def cell(tree, key: tuple[str, str, str]):
    found = tree.xpath(f'//td[@data-cell="{"/".join(key)}"]')
    assert len(found) == 1, f"{key}: {len(found)} cells"
    return found[0]


def grid_widths(table) -> list[int]:
    """The number of grid columns each row of ``table`` covers, counting row and column spans."""
    carry: dict[int, int] = {}  # grid column -> rows still covered by a rowspan from above
    widths = []
    for tr in table.xpath("./tr|./tbody/tr"):
        col, covered = 0, []
        pending = dict(carry)
        for td in tr.xpath("./th|./td"):
            while pending.get(col, 0) > 0:
                covered.append(col)
                col += 1
            span, rows = int(td.get("colspan", 1)), int(td.get("rowspan", 1))
            for c in range(col, col + span):
                if rows > 1:
                    carry[c] = rows
            col += span
        while pending.get(col, 0) > 0:
            col += 1
        widths.append(col)
        carry = {c: n - 1 for c, n in carry.items() if n - 1 > 0}
    return widths


@pytest.mark.parametrize("template,layout", [("2019", "2019"), ("2021", "2021"), ("2021", "2019")])
def test_every_template_label_is_shown(template, layout):
    tree = parse(report_html(make_report(template, layout), run_checks=False))
    headers = {" ".join(th.text_content().split()) for th in tree.iter("th")}
    expected = {schema.PUBLICATION_ROW_HEADER, schema.APPLICANT_HEADER, schema.REQUESTS_CORNER_NOTE}
    for item, columns in schema.PUBLICATION[template].values():
        expected |= {item.label, item.section} | {c.label for c in columns}
    for item in schema.REQUEST_ITEMS[layout]:
        if not (layout == "2021" and item.code == "other"):
            expected |= {item.label} | ({item.group} if item.group else set())
    expected |= {c.label for c in schema.REQUEST_COLUMNS} | {schema.LEGAL_PERSON_LABEL}
    expected |= {i.label for i in schema.REVIEW_ITEMS} | {
        i.group for i in schema.REVIEW_ITEMS if i.group
    }
    expected |= {c.label for c in schema.REVIEW_COLUMNS}
    assert expected - headers == set()
    for title in schema.TABLE_LABELS.values():
        assert title in tree.text_content()


@pytest.mark.parametrize("layout,data_rows", [("2019", 23), ("2021", 25)])
def test_requests_grid_is_rectangular_with_the_printed_rows(layout, data_rows):
    tree = parse(report_html(make_report(layout), run_checks=False))
    table = tree.xpath('//table[@data-table="requests"]')[0]
    assert set(grid_widths(table)) == {10}  # 3 label columns + 7 applicant columns on every row
    assert len(table.xpath(".//tr[td]")) == data_rows
    assert len(table.xpath(".//td")) == data_rows * 7
    # the applicant header is three rows deep, as printed
    corner = table.xpath(".//th[@rowspan='3']")[0]
    assert corner.text_content() == schema.REQUESTS_CORNER_NOTE and corner.get("colspan") == "3"


def test_publication_and_review_grids():
    for template, width in (("2019", 4), ("2021", 4)):
        tree = parse(report_html(make_report(template), run_checks=False))
        pub = tree.xpath('//table[@data-table="publication"]')[0]
        assert set(grid_widths(pub)) == {width}
        review = tree.xpath('//table[@data-table="review"]')[0]
        assert grid_widths(review) == [15, 15, 15, 15]
        assert len(review.xpath(".//td")) == 15
    # 2021 single-value columns span the three value columns, as printed
    tree = parse(report_html(make_report("2021"), run_checks=False))
    assert cell(tree, ("publication", "licensing", "decisions")).get("colspan") == "3"


def test_blank_is_distinct_from_zero_and_keeps_the_printed_text():
    report = make_report("2019")
    report.values[("requests", "new", "research")] = Value(
        None, "/", "一、本年新收… / 科研机构", "line 120"
    )
    report.values[("requests", "new", "commercial")] = Value(
        0.0, "0", "一、本年新收… / 商业企业", "line 119"
    )
    tree = parse(report_html(report, run_checks=False))
    blank, zero = (
        cell(tree, ("requests", "new", "research")),
        cell(tree, ("requests", "new", "commercial")),
    )
    assert blank.text_content() == BLANK_MARK and "gs-blank" in blank.get("class")
    assert "“/”" in blank.get("title") and "line 120" in blank.get("title")
    assert zero.text_content() == "0" and "gs-blank" not in zero.get("class")


def test_every_value_has_its_source_on_hover():
    report = make_report("2021")
    report.values[("review", "admin_review", "total")] = Value(
        36.0, "３６", "行政复议 / 总计", "table 4 row 4 cell 5"
    )
    tree = parse(report_html(report, run_checks=False))
    for key, value in report.values.items():
        if key == ("requests", "other", key[2]):
            continue  # derived in the 2021 layout, not a printed row
        assert f"来源：{value.source}" in cell(tree, key).get("title")
    td = cell(tree, ("review", "admin_review", "total"))
    assert td.text_content() == "36" and "印刷为：３６" in td.get("title")


def test_money_is_shown_with_its_unit():
    report = make_report("2021")
    report.values[("publication", "fees", "amount")] = Value(
        242523110.82, "24252.311082", "行政事业性收费 / 本年收费金额（单位：万元）", "line 9"
    )
    tree = parse(report_html(report, run_checks=False))
    assert cell(tree, ("publication", "fees", "amount")).text_content() == "242,523,110.82 元"


def test_planted_breach_is_marked_with_the_rule_in_the_tooltip():
    report = make_report("2021")
    findings = pd.DataFrame(
        [
            {
                "report_id": report.report_id,
                "body": report.body,
                "year": report.year,
                "kind": "breach",
                "rule": "R1 一+二=七+四",
                "table": "requests",
                "cells": [
                    ("requests", "new", "total"),
                    ("requests", "carried_over", "total"),
                    ("requests", "total", "total"),
                    ("requests", "carried_forward", "total"),
                ],
                "expected": 12.0,
                "found": 10.0,
                "message": "总计列：一+二=12，七+四=10",
            }
        ]
    )
    tree = parse(report_html(report, findings))
    marked = {td.get("data-cell") for td in tree.xpath('//td[contains(@class,"gs-breach")]')}
    assert marked == {
        "requests/new/total",
        "requests/carried_over/total",
        "requests/total/total",
        "requests/carried_forward/total",
    }
    assert "R1 一+二=七+四" in cell(tree, ("requests", "new", "total")).get("title")
    assert "gs-breach" not in cell(tree, ("requests", "new", "natural_person")).get("class")
    assert "违反勾稽关系 1 处" in tree.text_content()


def test_breach_cells_in_the_text_form_of_govstats_check():
    report = make_report("2019")
    cells = "requests/new/total; requests/new/natural_person; requests/new/commercial"
    findings = pd.DataFrame(
        [
            {
                "kind": "breach",
                "rule": "R2",
                "table": "requests",
                "cells": cells,
                "expected": 1,
                "found": 2,
                "message": None,
            }
        ]
    )
    tree = parse(report_html(report, findings))
    marked = {td.get("data-cell") for td in tree.xpath('//td[contains(@class,"gs-breach")]')}
    assert marked == {
        "requests/new/total",
        "requests/new/natural_person",
        "requests/new/commercial",
    }
    assert "R2：应为 1，实为 2" in cell(tree, ("requests", "new", "total")).get("title")


def test_breach_found_by_govstats_check_is_marked():
    from govstats.checks.template import check

    report = make_report("2019", fill=0.0)
    report.values[("requests", "new", "natural_person")] = Value(
        5.0, "5", "", "line 1"
    )  # row total 0 ≠ 5
    findings = check(report)
    assert (findings["kind"] == "breach").any()
    tree = parse(report_html(report))
    assert "gs-breach" in cell(tree, ("requests", "new", "natural_person")).get("class")


def test_text_from_the_report_is_escaped():
    evil = "<b>x</b>"
    report = make_report(
        "2021",
        body=evil,
        name="<script>alert(1)</script>.html",
        warnings=[f"年度 {evil} 与模板不符"],
    )
    report.values[("requests", "new", "total")] = Value(
        None, '"><img src=x onerror=alert(1)>', evil, "<i>line</i> 3"
    )
    fragment = report_html(report, run_checks=False)
    tree = parse(fragment)
    assert not tree.xpath("//b|//script|//img|//i")
    assert evil in tree.text_content() and "<script>alert(1)</script>.html" in tree.text_content()
    assert '"><img src=x onerror=alert(1)>' in cell(tree, ("requests", "new", "total")).get("title")
    assert (
        "<script" not in fragment.lower()
        and "http://" not in fragment
        and "https://" not in fragment
    )


def test_warnings_and_missing_tables_are_notices():
    report = make_report("2021", warnings=["表一为 2021 模板，年度为 2020"])
    for key in [k for k in report.values if k[0] == "review"]:
        del report.values[key]
    report.missing = ["review"]
    tree = parse(report_html(report, run_checks=False))
    notices = [n.text_content() for n in tree.xpath('//div[contains(@class,"gs-notice")]')]
    assert any("表一为 2021 模板，年度为 2020" in n for n in notices)
    assert any("缺少此表" in n for n in notices)
    assert "不完整" in tree.text_content()
    assert cell(tree, ("review", "admin_review", "total")).text_content() == "·"


def test_values_outside_the_layout_are_not_hidden():
    report = make_report("2019")
    report.values[("publication", "rules", "revised")] = Value(
        4.0, "4", "规章 / 本年修订", "line 7"
    )
    tree = parse(report_html(report, run_checks=False))
    assert cell(tree, ("publication", "rules", "revised")).text_content() == "4"
    assert "模板之外读取的数值" in tree.text_content()


def test_merged_legal_person_columns_are_shown_as_printed():
    report = make_report("2021")
    for key in list(report.values):
        if key[0] == "requests" and key[2] in schema.LEGAL_PERSON_COLUMNS:
            report.values[key] = Value(None, "", "", "")
            report.values[(key[0], key[1], "legal_person")] = Value(
                2.0, "2", f"{key[1]} / 法人或其他组织", "row 3"
            )
    tree = parse(report_html(report, run_checks=False))
    table = tree.xpath('//table[@data-table="requests"]')[0]
    assert set(grid_widths(table)) == {6}  # 3 label columns + 自然人 | 法人或其他组织 | 总计
    assert len(table.xpath(".//td")) == 25 * 3
    assert cell(tree, ("requests", "new", "legal_person")).text_content() == "2"
    assert not tree.xpath('//td[@data-cell="requests/new/commercial"]')
    assert "模板之外读取的数值" not in tree.text_content()


def test_repr_html_is_the_display():
    report = make_report("2019")
    assert 'class="govstats-report"' in report._repr_html_()


def test_findings_and_tidy_frames_render():
    empty = findings_table(pd.DataFrame(columns=["kind", "rule", "message"])).to_html()
    assert "未发现违反勾稽关系" in empty
    frame = pd.DataFrame(
        [{"kind": "breach", "rule": "R1", "expected": 3.0, "found": pd.NA, "message": "<b>m</b>"}]
    )
    out = findings_table(frame).to_html()
    assert "#ffebe9" in out and "R1" in out
    assert "<b>m</b>" not in out and "&lt;b&gt;m" in out
    tidy = make_report("2019").tidy()
    tidy.loc[0, "value"] = pd.NA
    out = tidy_table(tidy, max_rows=10).to_html()
    assert BLANK_MARK in out and f"{len(tidy)} 行" in out


@pytest.mark.slow
def test_survives_nbconvert_html_export():
    nbformat = pytest.importorskip("nbformat")
    nbconvert = pytest.importorskip("nbconvert")
    report = make_report("2019", body="<b>x</b>")
    report.values[("requests", "new", "total")] = Value(None, "", "", "line 3")
    cell = nbformat.v4.new_code_cell("report")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": report._repr_html_(), "text/plain": repr(report)},
            execution_count=1,
        )
    ]
    exported, _ = nbconvert.HTMLExporter(exclude_input=True).from_notebook_node(
        nbformat.v4.new_notebook(cells=[cell])
    )
    tree = lxml_html.document_fromstring(exported)
    for table in ("publication", "requests", "review"):
        assert (
            len(
                tree.xpath(
                    f'//div[contains(@class,"govstats-report")]//table[@data-table="{table}"]'
                )
            )
            == 1
        )
    assert cell_text(tree, "requests/new/total") == BLANK_MARK
    assert not tree.xpath('//div[contains(@class,"govstats-report")]//b')


def cell_text(tree, key: str) -> str:
    return tree.xpath(f'//td[@data-cell="{key}"]')[0].text_content()


@pytest.mark.corpus
def test_published_breach_of_a_real_report_is_marked(corpus_dir):
    import govstats

    report = govstats.read_report(
        corpus_dir / "raw" / "2023_hongze-qzf_pdf.pdf"
    )  # 复议 总计 0 ≠ 10+1
    tree = parse(report_html(report))
    marked = {td.get("data-cell") for td in tree.xpath('//td[contains(@class,"gs-breach")]')}
    assert {
        "review/admin_review/total",
        "review/admin_review/upheld",
        "review/lawsuit_after_review/total",
    } <= marked
    assert not any(m.startswith("requests/") for m in marked)  # its table 三 adds up
    # mixed layouts as printed: 2021 table 1, the single 2019 （六）其他处理 row
    assert tree.xpath('//table[@data-table="publication"]//th[text()="本年制发件数"]')
    assert len(tree.xpath('//table[@data-table="requests"]//tr[td]')) == 23
    assert any(
        "2019 layout" in n.text_content() for n in tree.xpath('//div[contains(@class,"gs-notice")]')
    )
