"""Table 三's applicant columns read in the order its printed header names them.

Reports are built from generated ones (:mod:`govstats.synth`): the request table's header
and value cells are permuted or one column is dropped in the Document, which is then written
in a text format (:mod:`govstats.synth.writing`) and read back. Values must land in the columns the
header names; a column the header leaves out is NA with a warning and a "not printed" source;
a header that does not say the order unambiguously keeps the template's order (as before).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from govstats import schema, synth
from govstats.checks.template import check
from govstats.reading import labels, read_report
from govstats.reading.document import Block, Cell, Document
from govstats.synth.writing import write
from tests.support import render

TEMPLATE = tuple(c.code for c in schema.REQUEST_COLUMNS)
PARTS = schema.LEGAL_PERSON_COLUMNS
LABEL = {c.code: c.label for c in schema.REQUEST_COLUMNS}
FORMATS = ("html", "txt-pipe", "markdown", "txt-plain")
REQUESTS_TABLE = 2  # synth.to_document numbers its tables publication, requests, review
EXT = {
    "html": "html",
    "txt-pipe": "txt",
    "markdown": "md",
    "txt-plain": "txt",
    "txt-runtogether": "txt",
}


def _generated(year: int = 2023, seed: int = 5) -> synth.GeneratedReport:
    return synth.generate_one(seed=seed, year=year)


def _header(
    order: tuple[str, ...], *, two_level: bool, parts_header: tuple[str, ...] | None = None
) -> list[list[Cell]]:
    """Header rows of table 三 for the printed column ``order`` (parts contiguous when
    two-level)."""
    n = len(order)
    if not two_level:
        return [
            [
                Cell(schema.REQUESTS_CORNER_NOTE, "h1", rowspan=2, colspan=3),
                Cell(schema.APPLICANT_HEADER, "h1", colspan=n),
            ],
            [Cell(LABEL[c], "h2") for c in order],
        ]
    parts = [c for c in order if c in PARTS]
    top: list[Cell] = []
    for code in order:
        if code not in PARTS:
            top.append(Cell(LABEL[code], "h2", rowspan=2))
        elif code == parts[0]:
            top.append(Cell(schema.LEGAL_PERSON_LABEL, "h2", colspan=len(parts)))
    return [
        [
            Cell(schema.REQUESTS_CORNER_NOTE, "h1", rowspan=3, colspan=3),
            Cell(schema.APPLICANT_HEADER, "h1", colspan=n),
        ],
        top,
        [Cell(LABEL[c], "h3") for c in (parts_header or parts)],
    ]


def _rebuild(doc: Document, header: list[list[Cell]], order: tuple[str, ...]) -> Document:
    """``doc`` with table 三's header replaced and each data row's 7 value cells printed in
    ``order``."""
    blocks: list[Block] = []
    rows = [b for b in doc.blocks if b.kind == "row" and b.table == REQUESTS_TABLE]
    old_header = rows[:3]
    for block in doc.blocks:
        if block is old_header[0]:
            blocks += [Block("row", cells, "header", REQUESTS_TABLE) for cells in header]
        if any(block is h for h in old_header):
            continue
        if block.kind == "row" and block.table == REQUESTS_TABLE:
            labels_, values = block.cells[:-7], block.cells[-7:]
            block = Block(
                "row",
                labels_ + [values[TEMPLATE.index(c)] for c in order],
                block.source,
                block.table,
            )
        blocks.append(block)
    return Document(doc.name, doc.format, blocks, doc.title, list(doc.warnings))


def _read(doc: Document, fmt: str):
    if fmt == "docx":
        with tempfile.TemporaryDirectory() as folder:
            data = render.document_to_docx(doc, Path(folder) / "columns.docx").read_bytes()
        return read_report(data, name="columns.docx")
    if fmt == "pdf":
        with tempfile.TemporaryDirectory() as folder:
            data = render.html_to_pdf(write(doc, "html"), Path(folder) / "columns.pdf").read_bytes()
        return read_report(data, name="columns.pdf")
    return read_report(write(doc, fmt).encode("utf-8"), name=f"columns.{EXT[fmt]}")


def _variant(
    order: tuple[str, ...], fmt: str, *, two_level: bool = True, year: int = 2023, seed: int = 5
):
    gen = _generated(year, seed)
    doc = _rebuild(synth.to_document(gen, fmt), _header(order, two_level=two_level), order)
    return gen, _read(doc, fmt)


def _request_values(report) -> dict[tuple[str, str], float | None]:
    return {(k[1], k[2]): v.value for k, v in report.values.items() if k[0] == "requests"}


def _expected(
    gen: synth.GeneratedReport, printed: tuple[str, ...]
) -> dict[tuple[str, str], float | None]:
    return {
        (item, col): (value if col in printed else None)
        for item, cols in gen.values["requests"].items()
        for col, value in cols.items()
    }


# -- the header's column order ---------------------------------------------------------------


NOTE = schema.REQUESTS_CORNER_NOTE


@pytest.mark.parametrize(
    "groups, expected",
    [
        (
            [
                [NOTE, "申请人情况"],
                ["自然人", "法人或其他组织", "总计"],
                ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
            ],
            TEMPLATE,
        ),
        # a pipe dump: both levels in one group; labels with line breaks (社会 公益 组织) and 总 计
        (
            [
                [
                    "申请人情况",
                    "自然人",
                    "法人或其他组织",
                    "总 计",
                    "商业 企业",
                    "科研机构",
                    "社会 公益 组织",
                    "法律服务机构",
                    "其他",
                ]
            ],
            TEMPLATE,
        ),
        (
            [["法人或其他组织 自然人 总计"], ["商业企业 科研机构 社会公益组织 法律服务机构 其他"]],
            PARTS + ("natural_person", "total"),
        ),
        (
            [
                ["自然人", "法人或其他组织", "总计"],
                ["商业企业", "科研机构", "社会公益组织", "其他"],
            ],
            ("natural_person", "commercial", "research", "social_org", "other_org", "total"),
        ),
        (
            [["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "总计"]],
            ("natural_person", "commercial", "research", "social_org", "legal_service", "total"),
        ),
        ([["法人或其他组织", "自然人", "合计"]], ("legal_person", "natural_person", "total")),
        (
            [
                ["法人或者其他组织", "自然人", "总计"],
                ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
            ],
            PARTS + ("natural_person", "total"),
        ),
        # the header repeated on a new page
        (
            [
                ["法人或其他组织", "自然人", "总计"],
                ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
            ]
            * 2,
            PARTS + ("natural_person", "total"),
        ),
    ],
)
def test_header_names_the_columns(groups, expected):
    assert labels.request_header_columns(groups) == expected


@pytest.mark.parametrize(
    "groups",
    [
        [],  # no header
        [["申请人情况"]],  # no column words
        [
            ["自然人", "法人或其他组织", "小计", "总计"],
            ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"],
        ],  # subtotal
        [["自然人", "自然人", "总计"]],  # a duplicate
        [
            ["自然人", "法人或其他组织", "总计"],
            ["商业企业", "科研机构"],
            ["社会公益组织", "法律服务机构", "其他"],
        ],  # parts over two lines
        [
            ["法人或其他组织"],
            ["自然人 总计"],
            ["商业企业 科研机构 社会公益组织 法律服务机构 其他"],
        ],  # top level over two lines (PDF text)
        [
            ["商业企业 科研机构 社会公益组织 法律服务机构 其他"],
            ["自然人 法人或其他组织 总计"],
        ],  # parts above their heading
        [
            [
                "自然人",
                "法人或其他组织",
                "商业企业",
                "科研机构",
                "社会公益组织",
                "法律服务机构",
                "其他",
                "总计",
            ]
        ],  # levels interleaved
        [
            ["申请人情况"],
            ["（本列数据的勾稽关系为：第一项加第二项法人或其他组织"],
            ["自然人总计"],
        ],  # the corner note run into a column word
        [["自然人 商业企业 总计"], ["科研机构"]],  # one level over two lines
    ],
)
def test_unreadable_header_gives_no_order(groups):
    assert labels.request_header_columns(groups) is None


# -- reordered columns -----------------------------------------------------------------------

REORDERED = [
    PARTS + ("natural_person", "total"),  # 法人或其他组织 before 自然人
    (
        "natural_person",
        "research",
        "commercial",
        "social_org",
        "other_org",
        "legal_service",
        "total",
    ),  # parts swapped
    ("total", "natural_person") + PARTS,  # 总计 first
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("order", REORDERED, ids=["legal-first", "parts-swapped", "total-first"])
def test_reordered_columns_read_by_the_header(fmt, order):
    gen, report = _variant(order, fmt)
    assert _request_values(report) == _expected(gen, order)
    assert report.layouts["requests.columns"] == ",".join(order)
    assert any(
        "in the order" in w and "收到和处理政府信息公开申请情况" in w for w in report.warnings
    ), report.warnings
    assert check(report).empty


@pytest.mark.slow
@pytest.mark.parametrize(
    "order",
    [
        REORDERED[0],
        ("natural_person", "other_org", "commercial", "research", "social_org", "total"),
    ],
)
def test_reordered_and_dropped_columns_read_from_word(order):
    gen, report = _variant(order, "docx")
    assert report.format == "docx"
    assert _request_values(report) == _expected(gen, order)


@pytest.mark.slow
@pytest.mark.parametrize("repeated", [False, True], ids=["plain", "header-repeated-on-page-2"])
def test_reordered_and_dropped_columns_read_from_pdf(repeated, tmp_path):
    """The header and rows printed to PDF (headless Chromium): the PDF reader's header cells
    give the same order, also when the table breaks over a page that repeats its header."""
    order = ("natural_person", "other_org", "commercial", "research", "social_org", "total")
    gen = _generated()
    html = write(
        _rebuild(synth.to_document(gen, "html"), _header(order, two_level=True), order), "html"
    )
    if (
        repeated
    ):  # the break inside the merged 三、本年度办理结果 group, page 2 repeating the header
        html = render.break_before_row(
            render.repeat_header_rows(html, "申请人情况", 3), "4.保护第三方合法权益"
        )
    data = render.html_to_pdf(html, tmp_path / "columns.pdf").read_bytes()
    report = read_report(data, name="columns.pdf")
    assert report.format == "pdf"
    assert _request_values(report) == _expected(gen, order)
    assert any("prints no column 法人或其他组织 · 法律服务机构" in w for w in report.warnings), (
        report.warnings
    )


def test_reordered_single_level_header():
    order = (
        "natural_person",
        "total",
        "commercial",
        "research",
        "social_org",
        "legal_service",
        "other_org",
    )
    gen, report = _variant(order, "html", two_level=False)
    assert _request_values(report) == _expected(gen, order)


def test_reordered_2019_layout():
    order = PARTS + ("natural_person", "total")
    gen, report = _variant(order, "txt-pipe", year=2020, seed=11)
    assert report.layouts["requests"] == "2019"
    assert _request_values(report) == _expected(gen, order)


# -- a column not printed --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("dropped", ["legal_service", "other_org", "natural_person"])
def test_dropped_column_is_na_with_a_warning(fmt, dropped):
    order = tuple(c for c in TEMPLATE if c != dropped)
    gen, report = _variant(order, fmt)
    assert _request_values(report) == _expected(gen, order)
    for item in gen.values["requests"]:
        value = report.values[("requests", item, dropped)]
        assert value.value is None and value.source.startswith("not printed"), value
    warning = next(w for w in report.warnings if "prints no column" in w)
    assert "收到和处理政府信息公开申请情况" in warning and LABEL[dropped] in warning
    assert "requests" not in report.missing
    assert not any("row not read" in w for w in report.warnings), report.warnings


def test_dropped_and_reordered():
    order = ("natural_person", "other_org", "commercial", "research", "social_org", "total")
    gen, report = _variant(order, "markdown")
    assert _request_values(report) == _expected(gen, order)
    assert report.values[("requests", "new", "legal_service")].value is None


def _without(gen: synth.GeneratedReport, code: str) -> synth.GeneratedReport:
    """``gen`` as a body that has no ``code`` column would print it: 总计 the sum of the others."""
    for item, cols in gen.values["requests"].items():
        cols["total"] = (cols["total"] or 0) - (cols[code] or 0)
        if ("requests", item, "total") in gen.printed:
            gen.printed[("requests", item, "total")] = str(int(cols["total"]))
    return gen


@pytest.mark.parametrize(
    "order",
    [
        tuple(c for c in TEMPLATE if c != "legal_service"),
        ("natural_person", "total") + PARTS,
    ],
    ids=["dropped", "reordered"],
)
def test_run_together_rows_split_by_the_header(order):
    """Digit runs without cell boundaries: split into the printed cells (总计 = the printed
    others wherever the header puts it), placed by the header."""
    gen = _generated()
    if len(order) < 7:
        gen = _without(gen, next(c for c in TEMPLATE if c not in order))
    doc = _rebuild(synth.to_document(gen, "txt-runtogether"), _header(order, two_level=True), order)
    report = _read(doc, "txt-runtogether")
    got, expected = _request_values(report), _expected(gen, order)
    # cells a run cannot determine are NA (undetermined); every determined cell is right
    determined = {k: v for k, v in got.items() if v is not None}
    assert len(determined) > len(got) / 2
    assert all(expected[k] == v for k, v in determined.items())


def test_run_together_dropped_column_breaching_the_total_stays_undetermined():
    """A dropped column whose counts are still in 总计: no split of the runs fits, nothing is
    made up; the cells are NA and marked undetermined."""
    order = tuple(c for c in TEMPLATE if c != "legal_service")
    gen = _generated()
    doc = _rebuild(synth.to_document(gen, "txt-runtogether"), _header(order, two_level=True), order)
    report = _read(doc, "txt-runtogether")
    expected = _expected(gen, order)
    wrong = {k: v for k, v in _request_values(report).items() if v is not None and expected[k] != v}
    assert not wrong
    assert report.values[("requests", "new", "total")].value is None
    assert "undetermined" in report.values[("requests", "new", "total")].source


# -- what stays as it was ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_template_header_reads_as_before(fmt):
    gen = _generated()
    report = _read(synth.to_document(gen, fmt), fmt)
    assert _request_values(report) == _expected(gen, TEMPLATE)
    assert "requests.columns" not in report.layouts
    assert not any("in the order" in w or "prints no column" in w for w in report.warnings)


def test_header_split_over_lines_keeps_the_template_order():
    """The top level printed over two lines (as PDF text may): no order is taken from it;
    the value cells are read in the template's order, as before."""
    order = PARTS + ("natural_person", "total")
    gen = _generated()
    header = [
        [Cell(schema.APPLICANT_HEADER, "h1")],
        [Cell(schema.LEGAL_PERSON_LABEL, "h2")],
        [Cell("自然人", "h2"), Cell("总计", "h2")],
        [Cell(LABEL[c], "h3") for c in PARTS],
    ]
    report = _read(_rebuild(synth.to_document(gen, "html"), header, order), "html")
    assert "requests.columns" not in report.layouts
    printed_as = {
        (item, TEMPLATE[i]): gen.values["requests"][item][c]
        for item in gen.values["requests"]
        for i, c in enumerate(order)
    }
    got = _request_values(report)
    assert all(got[k] == v for k, v in printed_as.items() if k[0] != "other")


def test_header_missing_a_word_with_full_rows_keeps_today():
    """A header naming 6 columns over rows of 7 cells: a lost word, not a layout."""
    gen = _generated()
    header = _header(
        TEMPLATE,
        two_level=True,
        parts_header=("commercial", "research", "social_org", "legal_service"),
    )
    report = _read(_rebuild(synth.to_document(gen, "html"), header, TEMPLATE), "html")
    assert _request_values(report) == _expected(gen, TEMPLATE)
    assert "requests.columns" not in report.layouts


def test_misprinted_header_is_not_fixed():
    """A header swapping 自然人 and 总计 over rows printed in template order: values follow the
    header (nothing is guessed from the arithmetic) and the checks flag the row totals."""
    gen = _generated()
    order = ("total",) + PARTS + ("natural_person",)
    doc = _rebuild(synth.to_document(gen, "html"), _header(order, two_level=True), TEMPLATE)
    report = _read(doc, "html")
    assert (
        report.values[("requests", "new", "total")].value
        == gen.values["requests"]["new"]["natural_person"]
    )
    findings = check(report)
    assert (findings["rule"] == "R2").any()


# -- the bundled sample (a real report's pipe dump) ---------------------------------------------


def _sample_variant(sample_path, order: tuple[str, ...]) -> Document:
    """The bundled 资阳 report with table 三's header and value cells printed in ``order``."""
    from govstats.reading import read_document
    from govstats.reading.numbers import is_value_text

    doc = read_document(sample_path.read_bytes(), sample_path.name)
    start = next(i for i, b in enumerate(doc.blocks) if b.kind == "row" and "申请人情况" in b.text)
    end = next(i for i, b in enumerate(doc.blocks) if i > start and b.kind == "text")
    top = list(
        dict.fromkeys("legal_person" if c in PARTS else c for c in order)
    )  # the parts under their heading
    names = {**LABEL, "legal_person": schema.LEGAL_PERSON_LABEL}
    blocks = list(doc.blocks)
    blocks[start + 1] = Block("row", [Cell(names[c], "header") for c in top], "header")
    blocks[start + 2] = Block(
        "row", [Cell(LABEL[c], "header") for c in order if c in PARTS], "header"
    )
    for i in range(start + 3, end):
        cells = blocks[i].cells
        first = next(k for k, c in enumerate(cells) if is_value_text(c.text))
        values = cells[first : first + 7]
        assert all(c.text for c in values), cells
        blocks[i] = Block(
            "row",
            cells[:first] + [values[TEMPLATE.index(c)] for c in order] + cells[first + 7 :],
            blocks[i].source,
        )
    return Document(doc.name, doc.format, blocks, doc.title, list(doc.warnings))


@pytest.mark.parametrize("fmt", ["txt-pipe", "html"])
@pytest.mark.parametrize(
    "order",
    [
        ("total", "natural_person") + PARTS[::-1],
        ("natural_person", "commercial", "research", "social_org", "other_org", "total"),
    ],
    ids=["reordered", "dropped"],
)
def test_sample_with_its_columns_moved(sample_path, fmt, order):
    original = read_report(sample_path)
    report = _read(_sample_variant(sample_path, order), fmt)
    want = {
        (k[1], k[2]): v.value if k[2] in order else None
        for k, v in original.values.items()
        if k[0] == "requests"
    }
    assert _request_values(report) == want
    assert report.values[("requests", "new", "natural_person")].value == 17
    assert report.values[("requests", "total", "total")].value == 19
    assert check(report).empty


# -- three columns ------------------------------------------------------------------------------


def test_three_named_columns_are_not_the_merged_layout():
    """Rows of 3 cells under a header naming 自然人 | 商业企业 | 总计: the header's columns, not
    the 法人或其他组织 aggregate the 3-cell layout otherwise means."""
    order = ("natural_person", "commercial", "total")
    gen, report = _variant(order, "html")
    assert _request_values(report) == _expected(gen, order)
    assert "requests.applicants" not in report.layouts
    assert sum("prints no column" in w for w in report.warnings) == 4


def test_merged_layout_reordered():
    """The 3-column report printing 法人或其他组织 first: the aggregate read from its column."""
    gen = synth.generate_one(seed=5, year=2023, options=synth.Options(merged_rate=1.0))
    assert gen.merged_legal_person
    doc = synth.to_document(gen, "html")
    rows = [b for b in doc.blocks if b.kind == "row" and b.table == REQUESTS_TABLE]
    swap = {id(rows[1]): [rows[1].cells[1], rows[1].cells[0], rows[1].cells[2]]}
    blocks = []
    for block in doc.blocks:
        if id(block) in swap:
            block = Block("row", swap[id(block)], block.source, block.table)
        elif (
            block.kind == "row"
            and block.table == REQUESTS_TABLE
            and any(b is block for b in rows[2:])
        ):
            *label_cells, natural, legal, total = block.cells
            block = Block("row", [*label_cells, legal, natural, total], block.source, block.table)
        blocks.append(block)
    report = _read(Document(doc.name, doc.format, blocks, doc.title), "txt-pipe")
    assert report.layouts["requests.applicants"] == "merged"
    assert report.layouts["requests.columns"] == "legal_person,natural_person,total"
    for item, cols in gen.values["requests"].items():
        assert report.values[("requests", item, "natural_person")].value == cols["natural_person"]
        assert report.values[("requests", item, "legal_person")].value == gen.legal_person[item]
        assert report.values[("requests", item, "total")].value == cols["total"]
        assert report.values[("requests", item, "commercial")].source.startswith(
            "not printed: merged"
        )


# -- table 1 (二、主动公开政府信息情况) ------------------------------------------------------------

PUBLICATION_TABLE = 1


def _publication_reversed(doc: Document, sections: set[str] | None = None) -> Document:
    """``doc`` with each multi-column section of table 1 (or those in ``sections``) printing
    its columns in reverse order: the header row's column cells and each data row's values."""
    blocks: list[Block] = []
    section = None
    for block in doc.blocks:
        if block.kind == "row" and block.table == PUBLICATION_TABLE:
            cells = block.cells
            if len(cells) == 1:
                section = cells[0].text
            elif sections is None or section in sections:
                n = sum(1 for c in cells[1:] if c.text or c.colspan > 1) or 1
                if n > 1:
                    cells = [cells[0], *cells[1 : 1 + n][::-1], *cells[1 + n :]]
            block = Block("row", cells, block.source, block.table)
        blocks.append(block)
    return Document(doc.name, doc.format, blocks, doc.title, list(doc.warnings))


@pytest.mark.parametrize("fmt", ["html", "txt-pipe", "markdown", "txt-plain"])
@pytest.mark.parametrize("year", [2020, 2023])
def test_publication_columns_read_by_the_header(fmt, year):
    gen = _generated(year=year)
    report = _read(_publication_reversed(synth.to_document(gen, fmt)), fmt)
    got = {(k[1], k[2]): v.value for k, v in report.values.items() if k[0] == "publication"}
    want = {
        (item, col): value
        for item, cols in gen.values["publication"].items()
        for col, value in cols.items()
    }
    assert got == want
    assert any("not the template's order" in w and "规章" in w for w in report.warnings), (
        report.warnings
    )
    assert report.missing == []


def test_publication_header_of_one_section_only():
    """Only the section printed in another order is read so; the others as the template."""
    gen = _generated(year=2020)
    report = _read(
        _publication_reversed(synth.to_document(gen, "html"), {"第二十条第（五）项"}), "html"
    )
    got = {(k[1], k[2]): v.value for k, v in report.values.items() if k[0] == "publication"}
    want = {
        (item, col): value
        for item, cols in gen.values["publication"].items()
        for col, value in cols.items()
    }
    assert got == want
    moved = [w for w in report.warnings if "not the template's order" in w]
    assert len(moved) == 2 and all("行政许可" in w or "其他对外管理服务事项" in w for w in moved), (
        moved
    )


def test_publication_header_naming_other_columns_is_ignored():
    """A header row whose words are not the row's columns (a 2021 header over 2019 rows) is
    not used: the row's cells are read in the template's order."""
    assert labels.publication_header_columns(("信息内容", "本年制发件数", "本年制发件数")) is None
    gen = _generated(year=2023)
    doc = synth.to_document(gen, "html")
    blocks = []
    for block in doc.blocks:
        if (
            block.kind == "row"
            and block.table == PUBLICATION_TABLE
            and block.cells[1:2]
            and block.cells[1].text == "本年制发件数"
        ):
            block = Block(
                "row",
                [
                    block.cells[0],
                    Cell("本年新制作数量", "h"),
                    Cell("本年新公开数量", "h"),
                    Cell("本年废止件数", "h"),
                ],
                block.source,
                block.table,
            )
        blocks.append(block)
    report = _read(Document(doc.name, doc.format, blocks, doc.title), "html")
    assert (
        report.values[("publication", "rules", "issued")].value
        == gen.values["publication"]["rules"]["issued"]
    )
    assert not any("not the template's order" in w for w in report.warnings)
