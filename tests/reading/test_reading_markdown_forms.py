"""Markdown from converters and tables printed in pieces (issue 12, classes 5 and 6).

* round trips (hypothesis, bounded) over generated reports in the forms ``markdown-flat``,
  ``markdown-html``, ``pieces-markdown``, ``pieces-html`` (govstats.synth.toolforms): every cell
  right, or NA with a warning where the form declares it ambiguous; never another number;
* one unit test per sub-class: html2text rows without outer pipes, a converter's spacer
  cells, spacers whose end is unknown (NA, never a shifted value), two numbers in one cell,
  lost label cells, a label on a row of its own, a label cut into two cells, group labels
  alone, raw HTML tables, table 四 in three pieces, table 二 in four, one-row tables with
  page furniture, the title below a converted page's navigation;
* the real converters (html2text, markitdown) on generated pages and on the corpus
  originals, read back against the truth.
"""

from __future__ import annotations

import io
import math

import pytest
from hypothesis import HealthCheck, given, settings

import govstats
from govstats import synth
from tests.conftest import CORPUS_DIR, corpus_params, truth_for
from tests.reading.test_roundtrip import IRREGULAR, generated

SETTINGS = settings(
    max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
FORMS = ("markdown-flat", "markdown-html", "pieces-markdown", "pieces-html")


def read_text(text: str, name: str = "t.md") -> govstats.Report:
    return govstats.read_report(text.encode("utf-8"), name=name)


def wrong_cells(got: govstats.Report, report: synth.GeneratedReport) -> list[str]:
    """Cells read as a number other than the truth (a blank read as a number included)."""
    out = []
    for key in report.cells():
        want, have = report.value(*key), got.values[key].value if key in got.values else None
        if have is not None and (want is None or abs(have - want) > 1e-6 * max(1.0, abs(want))):
            out.append(f"{key}: read {have!r}, truth {want!r} ({got.values[key].source})")
    for item, want in report.legal_person.items():
        value = got.values.get(("requests", item, "legal_person"))
        if (
            value is not None
            and value.value is not None
            and (want is None or abs(value.value - want) > 1e-6)
        ):
            out.append(f"legal_person {item}: read {value.value!r}, truth {want!r}")
    return out


def assert_right_or_declared(got: govstats.Report, report: synth.GeneratedReport, fmt: str) -> None:
    """Every cell right; NA allowed only where the form declares the cell ambiguous, with a
    warning; body, year and template right."""
    assert not wrong_cells(got, report), f"{fmt}: {report!r}\n" + "\n".join(
        wrong_cells(got, report)[:10]
    )
    ambiguous = synth.ambiguous_cells(report, fmt)
    lost = [
        key
        for key in report.cells()
        if report.value(*key) is not None
        and (key not in got.values or got.values[key].value is None)
    ]
    undeclared = [key for key in lost if key not in ambiguous]
    assert not undeclared, (
        f"{fmt}: {report!r}: NA outside the declared cells {undeclared[:8]}\n"
        + "\n".join(got.warnings[:8])
    )
    if lost:
        assert got.warnings, f"{fmt}: {report!r}: cells NA without a warning"
    assert (got.body, got.year, got.template) == (report.body.name, report.year, report.template)
    if not ambiguous:
        assert got.complete, got.missing


def read_form(report: synth.GeneratedReport, fmt: str) -> govstats.Report:
    return read_text(synth.render(report, fmt), f"{report.name}.{fmt}")


@pytest.mark.parametrize("fmt", FORMS)
@SETTINGS
@given(report=generated())
def test_plain_reports_round_trip_through_markdown_forms(fmt, report):
    assert_right_or_declared(read_form(report, fmt), report, fmt)


@pytest.mark.parametrize("fmt", FORMS)
@SETTINGS
@given(report=generated(IRREGULAR))
def test_irregular_reports_round_trip_through_markdown_forms(fmt, report):
    assert_right_or_declared(read_form(report, fmt), report, fmt)


def test_forms_are_registered_with_their_suffixes():
    for fmt in FORMS:
        assert fmt in synth.formats()
        assert synth.suffix(fmt) in (".md", ".html")


# --- sub-classes ----------------------------------------------------------------------------

_REQUEST_ROWS_2021 = [
    ("一、本年新收政府信息公开申请数量", [5, 1, 0, 0, 0, 0, 6]),
    ("二、上年结转政府信息公开申请数量", [1, 0, 0, 0, 0, 0, 1]),
    ("（一）予以公开", [3, 1, 0, 0, 0, 0, 4]),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", [0, 0, 0, 0, 0, 0, 0]),
    ("1.属于国家秘密", [0, 0, 0, 0, 0, 0, 0]),
    ("2.其他法律行政法规禁止公开", [0, 0, 0, 0, 0, 0, 0]),
    ("3.危及“三安全一稳定”", [0, 0, 0, 0, 0, 0, 0]),
    ("4.保护第三方合法权益", [0, 0, 0, 0, 0, 0, 0]),
    ("5.属于三类内部事务信息", [0, 0, 0, 0, 0, 0, 0]),
    ("6.属于四类过程性信息", [0, 0, 0, 0, 0, 0, 0]),
    ("7.属于行政执法案卷", [0, 0, 0, 0, 0, 0, 0]),
    ("8.属于行政查询事项", [0, 0, 0, 0, 0, 0, 0]),
    ("1.本机关不掌握相关政府信息", [2, 0, 0, 0, 0, 0, 2]),
    ("2.没有现成信息需要另行制作", [0, 0, 0, 0, 0, 0, 0]),
    ("3.补正后申请内容仍不明确", [0, 0, 0, 0, 0, 0, 0]),
    ("1.信访举报投诉类申请", [0, 0, 0, 0, 0, 0, 0]),
    ("2.重复申请", [0, 0, 0, 0, 0, 0, 0]),
    ("3.要求提供公开出版物", [0, 0, 0, 0, 0, 0, 0]),
    ("4.无正当理由大量反复申请", [0, 0, 0, 0, 0, 0, 0]),
    ("5.要求行政机关确认或重新出具已获取信息", [0, 0, 0, 0, 0, 0, 0]),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", [0, 0, 0, 0, 0, 0, 0]),
    (
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        [0, 0, 0, 0, 0, 0, 0],
    ),
    ("3.其他", [0, 0, 0, 0, 0, 0, 0]),
    ("（七）总计", [5, 1, 0, 0, 0, 0, 6]),
    ("四、结转下年度继续办理", [1, 0, 0, 0, 0, 0, 1]),
]
_HEAD = "示例市示例局2022年政府信息公开工作年度报告\n\n三、收到和处理政府信息公开申请情况\n\n"


def _pipe_table(rows: list[str]) -> str:
    header = (
        "| （本列数据的勾稽关系为：第一项加第二项之和，等于"
        "第三项加第四项之和） | 申请人情况 |\n| --- | --- |\n"
    )
    header += (
        "| 自然人 | 法人或其他组织 | 总计 |\n| 商业企业 | "
        "科研机构 | 社会公益组织 | 法律服务机构 | 其他 |\n"
    )
    return _HEAD + header + "\n".join(rows) + "\n"


def _row(label: str, values: list, spacers: int = 0) -> str:
    return "| " + " | ".join([label] + [""] * spacers + [str(v) for v in values]) + " |"


def test_html2text_rows_without_outer_pipes():
    text = _HEAD + (
        "（本列数据的勾稽关系为：第一项加第二项之和，等于"
        "第三项加第四项之和）| 申请人情况  \n---|---  \n"
    )
    text += "自然人| 法人或其他组织| 总计  \n"
    text += "\n".join(
        f"{label}| " + "| ".join(str(v) for v in values) + "  "
        for label, values in _REQUEST_ROWS_2021
    )
    text = text.replace(
        "8.属于行政查询事项| 0| 0| 0| 0| 0| 0| 0", "8.属于行政查询事项| 0| 0| 0| 0| 0| 0|"
    )  # empty last cell
    got = read_text(text + "\n")
    assert got.value("requests", "new", "natural_person") == 5
    assert got.value("requests", "total", "total") == 6
    assert got.value("requests", "withheld.query", "other_org") == 0
    assert got.value("requests", "withheld.query", "total") is None


def test_converter_spacers_are_read_by_the_count_of_numbers():
    rows = [_row(label, values, spacers=2) for label, values in _REQUEST_ROWS_2021]
    rows[0] = (
        # a spacer among the values
        "| 一、本年新收政府信息公开申请数量 | | | 5 | 1 | | 0 | 0 | 0 | 0 | 6 |"
    )
    got = read_text(_pipe_table(rows))
    assert [
        got.value("requests", "new", c)
        for c in ("natural_person", "commercial", "research", "total")
    ] == [5, 1, 0, 6]


def test_spacers_at_either_end_leave_the_row_na_never_shifted():
    """A leading spacer and a blank last cell: trimming either end gives another reading. The
    row is NA with a warning naming it; no value lands in the neighbouring column."""
    rows = [_row(label, values) for label, values in _REQUEST_ROWS_2021]
    rows[2] = "| （一）予以公开 | | 3 | 1 | 0 | 0 | 0 | 0 | |"  # total printed blank
    got = read_text(_pipe_table(rows))
    assert all(
        got.value("requests", "granted", c) is None
        for c in ("natural_person", "commercial", "total")
    )
    assert any("（一）予以公开" in w for w in got.warnings)
    assert got.value("requests", "new", "natural_person") == 5


def test_a_converter_grid_row_is_right_aligned():
    """markitdown's first line (blank cells, as wide as the table) gives the grid: the rows
    right-aligned on it, a label's spacers are told from a blank first or last value."""
    rows = [_row(label, values, spacers=1) for label, values in _REQUEST_ROWS_2021]
    rows[2] = "| 三、本年度办理结果 | （一）予以公开 | | 3 | 1 | 0 | 0 | 0 | 0 | |"  # total blank
    rows[3] = (
        # 自然人 blank
        "| （二）部分公开（区分处理的，只计这一情形，不计其他情形） | | | 0 | 0 | 0 | 0 | 0 | 0 |"
    )
    grid = "|" + "  |" * 10 + "\n|" + " --- |" * 10 + "\n"
    text = (
        _pipe_table(rows)
        .replace("| --- | --- |\n", "", 1)
        .replace("| （本列数据", grid + "| （本列数据", 1)
    )
    got = read_text(text)
    assert [
        got.value("requests", "granted", c) for c in ("natural_person", "commercial", "total")
    ] == [3, 1, None]
    assert [
        got.value("requests", "partly_granted", c) for c in ("natural_person", "commercial")
    ] == [None, 0]


def test_two_numbers_in_one_cell_are_two_cells():
    rows = [_row(label, values) for label, values in _REQUEST_ROWS_2021]
    rows[0] = "| 一、本年新收政府信息公开申请数量 | 5 1 | 0 0 | 0 0 | 6 |"
    got = read_text(_pipe_table(rows))
    assert [
        got.value("requests", "new", c)
        for c in ("natural_person", "commercial", "research", "total")
    ] == [5, 1, 0, 6]


def test_lost_label_cells_are_placed_between_labelled_rows():
    rows = [_row(label, values) for label, values in _REQUEST_ROWS_2021]
    rows[1] = _row("", _REQUEST_ROWS_2021[1][1]).replace("|  |", "|", 1)  # | 1 | 0 | … |
    rows[12] = _row("", _REQUEST_ROWS_2021[12][1])  # a blank cell where the label was
    got = read_text(_pipe_table(rows))
    assert got.value("requests", "carried_over", "natural_person") == 1
    assert got.value("requests", "unavailable.not_held", "total") == 2


def test_lost_label_rows_that_do_not_fit_stay_na():
    rows = [_row(label, values) for label, values in _REQUEST_ROWS_2021]
    rows[1] = _row("", _REQUEST_ROWS_2021[1][1])
    del rows[2]  # (一)予以公开 missing entirely: one label-less row, two free slots
    got = read_text(_pipe_table(rows))
    assert got.value("requests", "carried_over", "natural_person") is None
    assert got.value("requests", "granted", "natural_person") is None
    assert any("without a label" in w for w in got.warnings)


def test_a_label_on_a_row_of_its_own_gives_its_slot_to_the_numbers_below():
    rows = [_row(label, values) for label, values in _REQUEST_ROWS_2021]
    rows[2:3] = ["| （一）予以公开 | | | |", _row("", _REQUEST_ROWS_2021[2][1])]
    got = read_text(_pipe_table(rows))
    assert got.value("requests", "granted", "natural_person") == 3
    assert got.value("requests", "granted", "total") == 4


def test_a_label_cut_into_two_cells_is_matched():
    rows = [_row(label, values) for label, values in _REQUEST_ROWS_2021]
    rows[19] = "| 5.要求行政机关确认或重 | 新出具 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |"
    got = read_text(_pipe_table(rows))
    assert got.value("requests", "not_processed.confirmation", "total") == 0
    assert "requests" not in got.missing


def test_a_group_label_standing_alone():
    rows = [_row(label, values) for label, values in _REQUEST_ROWS_2021]
    rows.insert(4, "| （三）不予公开 |")
    got = read_text(_pipe_table(rows))
    assert got.value("requests", "withheld.state_secret", "total") == 0
    assert "requests" not in got.missing


def test_markdown_carrying_raw_html_tables():
    report = synth.generate_one(seed=4, year=2023, index=9)
    text = synth.render(report, "markdown-html")
    assert "<table>" in text and text.startswith("# ")
    got = read_text(text)
    assert got.format == "markdown"
    assert synth.differences(got, report) == []


def test_table_4_in_three_pieces():
    text = (
        "示例市示例局2022年政府信息公开工作年度报告\n\n四、政府信息公开行政复议、行政诉讼情况\n\n"
    )
    header = "| 结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计 |\n|---|---|---|---|---|\n"
    for heading, values in (
        ("行政复议", "2 | 1 | 0 | 0 | 3"),
        ("行政诉讼（未经复议直接起诉）", "1 | 0 | 0 | 1 | 2"),
        ("行政诉讼（复议后起诉）", "0 | 0 | 0 | 0 | 0"),
    ):
        text += f"{heading}\n\n{header}| {values} |\n\n"
    got = read_text(text)
    assert [got.value("review", "admin_review", c) for c in ("upheld", "corrected", "total")] == [
        2,
        1,
        3,
    ]
    assert got.value("review", "lawsuit_direct", "pending") == 1
    assert got.value("review", "lawsuit_after_review", "total") == 0


@pytest.mark.parametrize("fmt", ["pieces-markdown", "pieces-html"])
def test_tables_in_pieces_read_whole(fmt):
    for index, year in ((3, 2020), (8, 2023)):
        report = synth.generate_one(seed=5, year=year, index=index)
        text = synth.render(report, fmt)
        assert text.count("第二十条第") >= 4 and "行政诉讼（复议后起诉）" in text
        got = read_text(text, f"x.{synth.suffix(fmt)}")
        assert synth.differences(got, report) == []


def test_one_row_tables_with_page_furniture():
    rows = []
    for n, (label, values) in enumerate(_REQUEST_ROWS_2021):
        rows.append(
            _row(label, values)
            + "\n|---|---|---|---|---|---|---|---|\n\n"
            + ("- 4 -\n\n第4页\n\n" if n % 3 == 0 else "")
        )
    got = read_text(_pipe_table(rows))
    assert got.value("requests", "new", "total") == 6
    assert got.value("requests", "carried_forward", "natural_person") == 1
    assert "requests" not in got.missing


def test_the_title_below_a_converted_page_navigation():
    nav = "\n\n".join(f"[栏目{i}](https://example.org/{i})" for i in range(20))
    rows = [_row(label, values) for label, values in _REQUEST_ROWS_2021]
    text = nav + "\n\n" + _pipe_table(rows)
    got = read_text(text)
    assert (got.body, got.year) == ("示例市示例局", 2022)


# --- the real converters ----------------------------------------------------------------------


def _html2text(page: str, *, bypass_tables: bool = False) -> str:
    """html2text's markdown of a page (``bypass_tables``: its tables kept as raw HTML, their
    rowspan/colspan attributes dropped)."""
    html2text = pytest.importorskip(
        "html2text", reason="html2text not installed (pip install -e '.[test]')"
    )
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.bypass_tables = bypass_tables
    return converter.handle(page)


def _markitdown(source: str | bytes, extension: str = ".html") -> str:
    markitdown = pytest.importorskip(
        "markitdown", reason="markitdown not installed (pip install -e '.[test]')"
    )
    data = source.encode("utf-8") if isinstance(source, str) else source
    return (
        markitdown.MarkItDown()
        .convert_stream(io.BytesIO(data), file_extension=extension)
        .text_content
    )


def _tool_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:  # pragma: no cover
        return name


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["html2text", "html2text-bypass-tables", "markitdown"])
@pytest.mark.parametrize("page", ["html", "html-word"])
def test_real_converters_on_generated_pages(tool, page, record_property):
    """Generated pages through the real converter: no wrong number, and nearly every cell."""
    convert = {
        "html2text": _html2text,
        "html2text-bypass-tables": lambda page: _html2text(page, bypass_tables=True),
        "markitdown": _markitdown,
    }[tool]
    record_property("tool", _tool_version(tool.split("-")[0]))
    cells = na = 0
    for i in range(12):
        options = IRREGULAR if i % 2 else synth.PLAIN
        report = synth.generate_one(seed=300 + i, year=2019 + i % 7, options=options, index=i * 53)
        got = read_text(convert(synth.render(report, page)), f"{report.name}.{tool}.md")
        assert not wrong_cells(got, report), f"{tool} of {page}: {report!r}\n" + "\n".join(
            wrong_cells(got, report)[:10]
        )
        assert (got.body, got.year, got.template) == (
            report.body.name,
            report.year,
            report.template,
        )
        cells += len(report.cells())
        na += sum(
            1
            for k in report.cells()
            if report.value(*k) is not None and (k not in got.values or got.values[k].value is None)
        )
    assert na <= 0.01 * cells, f"{tool} of {page}: {na} of {cells} cells NA"


def _corpus_diff(report: govstats.Report, truth: dict) -> tuple[list[str], list[str]]:
    """(wrong cells, NA cells outside na_ok) of a reading against a corpus truth file."""
    na_ok = {
        tuple(x) if isinstance(x, list) else tuple(x.split("/")) for x in truth.get("na_ok", [])
    }
    wrong, na = [], []
    for table, items in truth["values"].items():
        for item, cols in items.items():
            for column, want in cols.items():
                key = (table, item, column)
                have = report.values[key].value if key in report.values else None
                if have is None:
                    if want is not None and key not in na_ok:
                        na.append(str(key))
                elif want is None or not math.isclose(have, want, rel_tol=1e-9, abs_tol=1e-6):
                    wrong.append(f"{key}: read {have!r}, truth {want!r}")
    return wrong, na


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("tool", ["html2text", "markitdown"])
@pytest.mark.parametrize("entry", corpus_params(("html", "pdf")))
def test_corpus_originals_through_converters(entry, tool, record_property):
    """Every HTML/PDF original of the corpus through html2text (HTML) and markitdown (HTML
    and PDF): all truth cells (na_ok aside), body, year and template right."""
    path = CORPUS_DIR / entry["file"]
    record_property("tool", _tool_version(tool))
    if tool == "html2text":
        if path.suffix != ".html":
            pytest.skip("html2text converts HTML only")
        from govstats.reading.decode import decode

        text = _html2text(decode(path.read_bytes(), str(path))[0])
    else:
        text = _markitdown(path.read_bytes(), path.suffix)
    truth = truth_for(entry)
    got = read_text(text, f"{path.name}|{tool}")
    wrong, na = _corpus_diff(got, truth)
    assert not wrong, wrong[:10]
    assert not na, na[:10]
    assert (got.body, got.year, got.template) == (truth["body"], truth["year"], truth["template"])
