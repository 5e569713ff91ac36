"""read_report on the bundled sample, particular corpus reports (every corpus file against its
truth is tests/reading/test_corpus.py), metadata, and bad input (empty, binary, not a report, a cut
table, GBK, merged columns)."""

from __future__ import annotations

from pathlib import Path

import pytest

import govstats
from govstats import schema
from govstats.reading import read_document


def test_sample_gives_198_values(sample_path):
    report = govstats.read_report(sample_path)
    assert len(report.values) == 198
    assert (report.body, report.year, report.template) == ("资阳市人民政府办公室", 2020, "2019")
    assert report.value("requests", "new", "natural_person") == 17
    assert report.value("publication", "normative_docs", "total") == 348
    assert report.values[("requests", "new", "natural_person")].source.startswith("line ")
    assert report.narrative == {"received": 19.0}
    assert (
        report.report_id == __import__("hashlib").sha256(sample_path.read_bytes()).hexdigest()[:16]
    )


def test_bytes_and_path_give_the_same_report(sample_path):
    a = govstats.read_report(sample_path)
    b = govstats.read_report(sample_path.read_bytes())
    assert a.report_id == b.report_id and a.tidy()["value"].equals(b.tidy()["value"])
    assert b.name == "<bytes>"


@pytest.mark.corpus
def test_mixed_template_report_reads_each_table_as_printed(corpus_dir):
    """洪泽 2023: 2021 table 1, the 2019 single （六）其他处理 row in table 三 → 186 values, a
    warning."""
    report = govstats.read_report(corpus_dir / "raw/2023_hongze-qzf_pdf.pdf")
    assert report.template == "2021"
    assert report.layouts == {"publication": "2021", "requests": "2019"}
    assert len(report.tidy()) == 186
    assert any("（六）其他处理" in w for w in report.warnings)


@pytest.mark.corpus
def test_2021_fees_in_yuan_and_derived_other(corpus_dir):
    report = govstats.read_report(corpus_dir / "raw/2021_pingtan_html.html")
    assert report.value("publication", "fees", "amount") == pytest.approx(242523110.82)
    parts = [
        report.value("requests", f"other.{p}", "total")
        for p in ("no_correction", "no_fee", "other")
    ]
    assert report.value("requests", "other", "total") == sum(parts)
    assert report.values[("requests", "other", "total")].source.startswith("derived")


@pytest.mark.corpus
def test_site_metadata_table_and_blank_columns(corpus_dir):
    """沭阳: the first <table> is the site's metadata; blank 法人 columns are NA with '' printed."""
    report = govstats.read_report(corpus_dir / "raw/2023_shuyang-fgj_html.html")
    v = report.values[("requests", "new", "commercial")]
    assert v.value is None and v.printed == ""
    assert report.value("requests", "new", "total") == 26


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"   \n\n", "empty file"),
        (bytes(range(256)) * 20, "binary"),
        (b"%PDF-1.7\n%%EOF", ""),
        (b"PK\x03\x04" + b"\x00" * 100, ""),
    ],
)
def test_unreadable_input_raises_parse_error_naming_the_file(data, reason):
    with pytest.raises(govstats.ParseError) as err:
        govstats.read_report(data, name="bad.bin")
    assert "bad.bin" in str(err.value)
    assert reason in str(err.value)


def test_html_page_that_is_not_a_report():
    page = (
        "<html><head><title>新闻</title></head><body><nav>首页</nav><p>今日天气晴。"
        "</p><table><tr><td>名称</td><td>值</td></tr><tr><td>温"
        "度</td><td>21</td></tr></table></body></html>"
    )
    with pytest.raises(govstats.ParseError, match="news.html.*not a 政府信息公开工作年度报告"):
        govstats.read_report(page.encode(), name="news.html")


def test_missing_file_names_it(tmp_path):
    with pytest.raises(govstats.ParseError, match="nope.txt: no such file"):
        govstats.read_report(tmp_path / "nope.txt")


def test_table_cut_in_half_returns_what_is_there(sample_path):
    text = sample_path.read_text(encoding="utf-8")
    cut = text[: text.index("(四)无法 提供")]
    report = govstats.read_report(cut.encode("utf-8"), name="cut.txt")
    assert not report.complete
    assert "requests" in report.missing and "review" in report.missing
    assert report.value("requests", "granted", "natural_person") == 17
    assert ("requests", "unavailable.not_held", "natural_person") not in report.values
    assert any("rows not found" in w and "unavailable.not_held" in w for w in report.warnings)
    assert len([k for k in report.values if k[0] == "publication"]) == 22


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_encodings_are_detected(sample_path, encoding):
    data = sample_path.read_text(encoding="utf-8").encode(encoding)
    report = govstats.read_report(data, name=f"sample.{encoding}")
    assert len(report.values) == 198 and report.body == "资阳市人民政府办公室"


@pytest.mark.corpus
def test_html_meta_charset_is_honoured(corpus_dir):
    html = (corpus_dir / "raw/2025_pingtan_html.html").read_text(encoding="utf-8")
    html = html.replace('charset="utf-8"', 'charset="gb2312"', 1)
    report = govstats.read_report(html.encode("gb18030"), name="gb.html")
    assert report.body == "平潭综合实验区" and len(report.values) == 207


MERGED = """2023年示例县人民政府办公室政府信息公开工作年度报告
本报告中所列数据统计期限为2023年1月1日至2023年12月31日。
三、收到和处理政府信息公开申请情况
申请人情况
自然人\t法人或其他组织\t总计
一、本年新收政府信息公开申请数量\t10\t2\t12
二、上年结转政府信息公开申请数量\t1\t0\t1
（一）予以公开\t9\t2\t11
（七）总计\t11\t2\t13
四、结转下年度继续办理\t0\t0\t0
"""


def test_merged_legal_person_columns_keep_the_aggregate():
    report = govstats.read_report(MERGED.encode("utf-8"), name="merged.txt")
    assert report.layouts.get("requests.applicants") == "merged"
    assert report.value("requests", "new", "legal_person") == 2
    assert report.value("requests", "new", "total") == 12
    for code in schema.LEGAL_PERSON_COLUMNS:
        assert report.value("requests", "new", code) is None
    assert not report.complete  # most of table 三 and tables 二/四 are absent


def test_units_signs_and_placeholders_in_cells():
    text = (
        "2019年示例市示例局政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
        "第二十条第（五）项\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n"
        "行政许可\t１２\t减少3\t1,234件\n"
        "其他对外管理服务事项\t—\t+2\t无\n"
        "第二十条第（九）项\n信息内容\t采购项目数量\t采购总金额\n"
        "政府集中采购\t3\t3.5万元\n"
    )
    report = govstats.read_report(text.encode("utf-8"), name="units.txt")
    assert report.value("publication", "licensing", "previous") == 12
    assert report.value("publication", "licensing", "change") == -3
    assert report.value("publication", "licensing", "decisions") == 1234
    assert report.values[("publication", "other_services", "previous")].value is None
    assert report.values[("publication", "other_services", "previous")].printed == "—"
    assert report.value("publication", "other_services", "change") == 2
    assert report.value("publication", "procurement", "amount") == 35000


def test_year_template_disagreement_is_warned(sample_path):
    text = sample_path.read_text(encoding="utf-8").replace("2020年", "2022年")
    report = govstats.read_report(text.encode("utf-8"), name="late.txt")
    assert report.year == 2022 and report.template == "2019"
    assert any("2019 template" in w and "2022" in w for w in report.warnings)


def test_document_cells_carry_sources(sample_path):
    doc = read_document(Path(sample_path).read_bytes(), "sample")
    assert doc.format == "txt-pipe"
    assert all(c.source for b in doc.blocks for c in b.cells)


def test_pipe_dump_without_row_breaks_after_headers(sample_path):
    """Header cells immediately followed by a row label (no spacer line) still give that row."""
    text = sample_path.read_text(encoding="utf-8")
    text = text.replace("对外公开总数量 |\n|\n规章", "对外公开总数量 |\n规章").replace(
        "处理决定数量 |\n|\n", "处理决定数量 |\n"
    )
    report = govstats.read_report(text.encode("utf-8"), name="dense.txt")
    assert len(report.values) == 198 and report.value("publication", "rules", "total") == 4


def test_page_of_images_says_so():
    page = (
        "<html><body><p>2023年示例局政府信息公开工作年度报告"
        "</p><img src='t1.png'><img src='t2.png'></body></html>"
    )
    with pytest.raises(govstats.ParseError, match="images.*OCR"):
        govstats.read_report(page.encode("utf-8"), name="scan.html")


def _plain_sample_head(sample_path) -> str:
    from govstats.synth.writing import write

    text = write(read_document(sample_path.read_bytes(), "sample"), "txt-plain")
    return (
        text[: text.index("四、政府信息公开行政复议")] + "四、政府信息公开行政复议、行政诉讼情况\n"
    )


def test_review_row_with_a_caption_cell(sample_path):
    values = ["1", "0", "0", "0", "1", "0", "0", "1", "0", "1", "2", "0", "0", "0", "2"]
    text = (
        _plain_sample_head(sample_path)
        + "行政复议\t行政诉讼\n"
        + "\t".join(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3)
    )
    text += "\n件数\t" + "\t".join(values) + "\n五、存在的主要问题及改进情况\n"
    report = govstats.read_report(text.encode("utf-8"), name="caption.txt")
    assert report.complete
    assert [
        report.value("review", i, "total")
        for i in ("admin_review", "lawsuit_direct", "lawsuit_after_review")
    ] == [1, 1, 2]


def test_review_printed_one_row_per_branch(sample_path):
    text = _plain_sample_head(sample_path) + "项目\t结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n"
    text += "行政复议\t1\t0\t0\t0\t1\n未经复议直接起诉\t0\t0\t1\t0\t1\n复议后起诉\t2\t0\t0\t0\t2\n"
    report = govstats.read_report(text.encode("utf-8"), name="branches.txt")
    assert report.complete
    assert report.value("review", "lawsuit_direct", "other") == 1
    assert report.value("review", "lawsuit_after_review", "upheld") == 2


def test_body_from_the_signature_when_the_title_lacks_it(sample_path):
    text = sample_path.read_text(encoding="utf-8")
    text = text.replace("现公布2020年资阳市人民政府办公室信息公开工作年度报告", "现公布年度报告")
    text += "\n资阳市人民政府办公室\n2021年1月20日\n"
    report = govstats.read_report(text.encode("utf-8"), name="signed.txt")
    assert (report.body, report.year) == ("资阳市人民政府办公室", 2020)


@pytest.mark.parametrize("at", [1, 6])
def test_legal_person_subtotal_column_is_left_out(sample_path, at):
    """Some reports add a 法人或其他组织 小计 column; arithmetic tells where it is."""
    from govstats.synth.writing import write

    doc = read_document(sample_path.read_bytes(), "sample")
    for block in doc.blocks:
        values = [c for c in block.cells if c.text.isdigit()]
        if block.kind == "row" and len(values) == 7:
            nums = [int(c.text) for c in values]
            nums[1] += 1  # commercial and research requests: the subtotal is the sum of two parts
            nums[2] += 1
            nums[6] += 2
            subtotal = sum(nums[1:6])
            cells = [c.text for c in block.cells if not c.text.isdigit()]
            printed = [str(x) for x in nums[:at]] + [str(subtotal)] + [str(x) for x in nums[at:]]
            block.cells[:] = [type(values[0])(t, values[0].source) for t in cells + printed]
    report = govstats.read_report(write(doc, "txt-plain").encode("utf-8"), name="subtotal.txt")
    assert (
        report.value("requests", "new", "commercial") == 1
        and report.value("requests", "new", "total") == 19
    )
    assert report.value("requests", "new", "other_org") == 0
    assert any("subtotal column" in w for w in report.warnings)


@pytest.mark.corpus
def test_numbers_printed_before_their_labels(corpus_dir):
    """PDF text extraction style: each table-三 row's numbers on a line before its label line."""
    import re

    data = (corpus_dir / "raw/2025_pingtan_html.html").read_bytes()
    lines = []
    for block in read_document(data, "x").blocks:
        cells = [c.text for c in block.cells]
        numbers = [c for c in cells if re.fullmatch(r"[\d.]+", c)]
        names = [c for c in cells if c and c not in numbers]
        if block.kind == "row" and len(numbers) == 7 and names:
            lines += [" ".join(numbers), " ".join(names)]
        else:
            lines.append("\t".join(cells))
    report = govstats.read_report("\n".join(lines).encode("utf-8"), name="flipped.txt")
    original = govstats.read_report(data)
    assert report.layouts["requests"] == "2021"
    assert {k: v.value for k, v in report.values.items()} == {
        k: v.value for k, v in original.values.items()
    }


def test_a_table_printed_twice_keeps_the_first_and_says_so(sample_path):
    text = sample_path.read_text(encoding="utf-8")
    again = text[text.index("三、收到和处理") : text.index("四、政府信息公开行政复议")].replace(
        "17 |", "16 |"
    )
    report = govstats.read_report((text + "\n" + again).encode("utf-8"), name="twice.txt")
    assert report.value("requests", "new", "natural_person") == 17
    assert any("printed again" in w for w in report.warnings)


def test_body_from_a_site_metadata_table():
    from govstats.reading.document import Block, Cell, Document
    from govstats.reading.metadata import publisher_body

    row = Block(
        "row",
        [Cell("发布机构", "t1"), Cell("沭阳县发展和改革局", "t2"), Cell("公开日期", "t3")],
        "t",
    )
    assert publisher_body(Document("x", "html", [row])) == "沭阳县发展和改革局"


def test_pre_2019_report_is_flagged(sample_path):
    text = sample_path.read_text(encoding="utf-8").replace("2020年", "2017年")
    report = govstats.read_report(text.encode("utf-8"), name="old.txt")
    assert report.year == 2017
    assert any("predates the 2019 unified table format" in w for w in report.warnings)


# --- run-together text: placeholders and minus signs inside a run, unread rows -------------------

from govstats import synth  # noqa: E402
from govstats.reading import runtogether  # noqa: E402
from govstats.reading.numbers import parse_number  # noqa: E402


def _runtogether_report(
    edits: dict[tuple[str, str, str], str], *, year: int = 2019, index: int = 0
) -> govstats.Report:
    report = synth.generate_one(seed=0, year=year, index=index)
    for (table, item, column), printed in edits.items():
        number = parse_number(printed)
        value = None if number is None or number.value is None else float(number.value)
        report.values[table][item][column] = value
        report.printed[(table, item, column)] = printed
    return govstats.read_report(synth.render(report, "txt-runtogether").encode())


def test_placeholder_inside_a_run_is_a_cell_boundary():
    assert runtogether.run_candidates("5无989", 3) == [(5, "无", 989)]
    got = _runtogether_report(
        {
            ("publication", "other_services", c): p
            for c, p in (("previous", "5"), ("change", "无"), ("decisions", "989"))
        }
    )
    values = got.values
    assert values[("publication", "other_services", "previous")].value == 5
    assert values[("publication", "other_services", "change")].value is None
    assert values[("publication", "other_services", "change")].printed == "无"
    assert values[("publication", "other_services", "decisions")].value == 989


def test_minus_sign_starts_a_signed_cell_and_ambiguity_is_warned():
    # "25-244": 25 | -2 | 44, 25 | -24 | 4, 25 | - | 244 (the hyphen as a placeholder) or
    # 25 | -244 | blank (a blank cell prints nothing, so it vanishes from the run)
    assert sorted(
        map(str, runtogether.run_candidates("25-244", 3, signed=frozenset({1})))
    ) == sorted(map(str, [(25, -2, 44), (25, -24, 4), (25, "-", 244), (25, -244, "")]))
    assert runtogether.run_candidates("25-244", 3) == [
        (25, "-", 244)
    ]  # not a signed column: a placeholder
    assert runtogether.agreed_split("3减少1无", 3, signed=frozenset({1})) == (3, -1, "无")
    assert runtogether.agreed_split("3减少12", 3, signed=frozenset({1})) == (3, None, None)
    # a blank cell vanished from a table-三 run: the row total rules the wrong splits out
    total = ((6, tuple(range(6))),)
    assert runtogether.agreed_split("11２-/13", 7, total)[-1] == 13  # 1 | 1 | 2 … cannot make 13
    assert (
        runtogether.agreed_split("10无2/12", 7, total)[-1] == 12
    )  # where the blanks stand is unknown
    got = _runtogether_report({("publication", "licensing", "change"): "-2"}, index=3)
    assert got.values[("publication", "licensing", "previous")].value == 25
    assert got.values[("publication", "licensing", "change")].value is None
    assert "undetermined" in got.values[("publication", "licensing", "change")].source
    assert any("'25-244'" in w for w in got.warnings)


def test_unread_table_1_row_makes_the_report_incomplete():
    report = synth.generate_one(seed=0, year=2019, index=3)
    text = synth.render(report, "txt-pipe")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("行政许可"))
    # the row's cells replaced by a single text cell the reader cannot align with 3 columns
    end = next(
        i
        for i in range(at + 1, len(lines))
        if not lines[i].strip("| ").replace(".", "").isdigit() and lines[i].strip("| ") != ""
    )
    lines[at + 1 : end] = ["1|", "2|"]
    got = govstats.read_report("\n".join(lines).encode())
    assert not got.complete
    assert "publication" in got.missing
    assert any("licensing" in w and "not read" in w for w in got.warnings)


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("本年度共收到政府信息公开申请25件，其中……", {"received": 25.0}),
        ("全年受理政府信息公开申请 12 件。", {"received": 12.0}),
        ("我单位收到各类申请，其中政府信息公开申请7件。", {}),  # the verb is in another clause
        ("接收依申请公开政府信息申请8件。", {"received": 8.0}),
        ("共收到9件申请。", {"received": 9.0}),
        ("全年受理网络问政182件。", {}),  # not about 信息公开申请
        ("3件结转下年度继续办理。", {"carried_forward": 3.0}),
        ("结转下一年度办理的2件。", {"carried_forward": 2.0}),
        ("转下年度办理4件。", {"carried_forward": 4.0}),
        ("结转至2024年度1件。", {"carried_forward": 1.0}),
        (
            "本年度共收到申请30件，其中5件结转下年度继续办理。",
            {"received": 30.0, "carried_forward": 5.0},
        ),
        ("本年度未发生行政复议。", {}),
    ],
)
def test_narrative_numbers(sentence, expected):
    from govstats.reading.metadata import narrative_numbers

    doc = read_document(
        f"某某局2023年政府信息公开工作年度报告\n{sentence}\n".encode(), "narrative.txt"
    )
    assert narrative_numbers(doc) == expected
