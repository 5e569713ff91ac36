"""govstats.reading.pdf: the corpus PDF, corpus reports printed to PDF by Chromium (as bodies
publish them), tables cut by page breaks, page furniture, scans, encrypted and damaged files.

Rendered PDFs are made once per session (Chromium prints about a page a second)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pdfplumber
import pytest

import govstats
from govstats import schema, synth
from govstats.errors import ParseError
from govstats.reading import read_document
from govstats.reading.document import Document
from govstats.reading.pdf import read_pdf
from govstats.reading.pdf.chars import _clean_char
from govstats.reading.pdf.ruled import _split_containers
from govstats.synth.writing import write
from tests.conftest import SAMPLE, corpus_params, truth_for
from tests.support import render

PDF_SOURCE = re.compile(r"^page \d+ \(x=\d+, y=\d+\)$")
ROW_IN_WITHHELD_GROUP = "4.保护第三方合法权益"
NO_RULES_CSS = (
    "table, td, th, tr { border: none !important; } table { border-spacing: 0 !important; }"
    " td, th { padding: 2px 8px !important; }"
)

pytestmark = pytest.mark.corpus


# ---------------------------------------------------------------------------------------
# fixtures: PDFs printed once per session


class Printer:
    """Prints HTML to PDF with Chromium, each (name, variant) once."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.done: dict[tuple[str, str], Path] = {}

    def pdf(self, name: str, html: str, variant: str = "plain") -> Path:
        key = (name, variant)
        if key not in self.done:
            if variant == "repeated-header":
                html = render.repeat_header_rows(html, "申请人情况", 3)
            if variant in ("break", "repeated-header"):
                html = render.break_before_row(html, ROW_IN_WITHHELD_GROUP)
            out = self.folder / f"{name}-{variant}.pdf"
            render.html_to_pdf(html, out, header_footer=variant == "furniture")
            self.done[key] = out
        return self.done[key]


@pytest.fixture(scope="session")
def printer(tmp_path_factory) -> Printer:
    return Printer(tmp_path_factory.mktemp("pdf"))


def sample_html() -> str:
    """The pipe-text sample report as a simple HTML page (its tables as real tables)."""
    doc = read_document(SAMPLE.read_bytes(), SAMPLE.name)
    return write(doc, "html")


def values_of(report) -> pd.DataFrame:
    frame = report.tidy()[["table", "item", "column", "value"]]
    return frame.sort_values(["table", "item", "column"]).reset_index(drop=True)


def assert_matches_truth(report, truth: dict) -> None:
    got = schema.tidy_to_values(report.tidy())
    assert got == truth["values"], f"{report.name}: values differ from the truth file"
    assert report.year == truth["year"]
    assert report.template == truth["template"]
    assert report.body == truth["body"]
    assert report.complete, report.missing


def assert_pdf_sources(report) -> None:
    frame = report.tidy()
    read = frame[~frame["source"].str.contains("derived", na=False)]
    bad = [s for s in read["source"] if not PDF_SOURCE.match(str(s))]
    assert not bad, f"sources not of the form 'page N (x=.., y=..)': {bad[:5]}"


def findings(report) -> list[tuple]:
    found = govstats.check(report)
    return (
        sorted(map(tuple, found[["rule", "cells"]].astype(str).to_numpy().tolist()))
        if len(found)
        else []
    )


# ---------------------------------------------------------------------------------------
# the real PDF of the corpus


@pytest.mark.parametrize("entry", corpus_params(("pdf",)))
def test_corpus_pdf_matches_truth(entry, corpus_dir):
    report = govstats.read_report(corpus_dir / entry["file"])
    truth = truth_for(entry)
    assert_matches_truth(report, truth)
    assert len(report.tidy()) == sum(
        len(cols) for items in truth["values"].values() for cols in items.values()
    )
    assert_pdf_sources(report)


def test_hongze_layout_as_printed(corpus_dir):
    """淮安洪泽 2023: a 2021 table 1, the 2019 single （六）其他处理 row, tables over pages 2-4."""
    path = corpus_dir / "raw" / "2023_hongze-qzf_pdf.pdf"
    if not path.is_file():
        pytest.skip(f"{path} absent")
    report = govstats.read_report(path)
    assert len(report.tidy()) == 186
    assert report.layouts == {"publication": "2021", "requests": "2019"}
    doc = read_pdf(path.read_bytes(), path.name)
    rows = [b for b in doc.blocks if b.kind == "row"]
    # table 2 runs from page 3 to page 4 and stays one table; its group cells are merged once
    by_text = {c.text: (b, c) for b in rows for c in b.cells}
    block, group = by_text["三、本年度办理结果"]
    assert group.rowspan == 20, (
        "the vertical group label spans the 20 outcome rows across the page break"
    )
    assert by_text["（四）无法提供"][1].rowspan == 3
    assert by_text["（三）不予公开"][1].rowspan == 8
    assert by_text["3.补正后申请内容仍不明确"][0].table == block.table
    assert by_text["3.补正后申请内容仍不明确"][0].source.startswith("page 4")
    # page numbers '- n -' never become blocks
    assert not any(re.fullmatch(r"-\s*\d+\s*-", b.text) for b in doc.blocks)
    assert doc.title and "2023" in doc.title and "洪泽区人民政府" in doc.title


# ---------------------------------------------------------------------------------------
# corpus reports printed to PDF


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("entry", corpus_params(("html",)))
def test_rendered_pdf_matches_html_and_truth(entry, corpus_dir, printer):
    source = corpus_dir / entry["file"]
    html_report = govstats.read_report(source)
    pdf = printer.pdf(Path(entry["file"]).stem, source.read_text(encoding="utf-8"))
    report = govstats.read_report(pdf)
    assert report.format == "pdf"
    pd.testing.assert_frame_equal(values_of(report), values_of(html_report))
    assert_matches_truth(report, truth_for(entry))
    assert_pdf_sources(report)
    assert findings(report) == findings(html_report), "a mis-read digit would show up as a breach"


@pytest.mark.browser
@pytest.mark.slow
def test_sample_report_printed_to_pdf(printer, corpus_dir):
    pdf = printer.pdf("sample", sample_html())
    report = govstats.read_report(pdf.read_bytes(), name=pdf.name)
    text_report = govstats.read_report(SAMPLE)
    pd.testing.assert_frame_equal(values_of(report), values_of(text_report))
    assert_matches_truth(report, truth_for({"truth": "truth/2020_ziyang-bgs_txt-pipe.json"}))
    assert findings(report) == findings(text_report)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("stem", ["2020_pingtan_html", "2024_pingtan_html"])
def test_table_cut_inside_merged_group(stem, corpus_dir, printer):
    """Table 3 breaks across pages inside （三）不予公开's eight merged rows (2019 and 2021
    templates): one table, the group cell merged once with its eight rows, same values."""
    source = corpus_dir / "raw" / f"{stem}.html"
    if not source.is_file():
        pytest.skip(f"{source} absent")
    pdf = printer.pdf(stem, source.read_text(encoding="utf-8"), "break")
    doc = read_pdf(pdf.read_bytes(), pdf.name)
    rows = [b for b in doc.blocks if b.kind == "row"]
    cut = next(b for b in rows if any(c.text == ROW_IN_WITHHELD_GROUP for c in b.cells))
    before = rows[rows.index(cut) - 1]
    page = lambda block: int(re.match(r"page (\d+)", block.source).group(1))  # noqa: E731
    assert page(cut) > page(before), "the forced break did not cut the table"
    assert cut.table == before.table, "the table continued on the next page became a new table"
    group = next(
        c
        for b in rows
        if b.table == cut.table
        for c in b.cells
        if re.sub(r"\s", "", c.text) == "（三）不予公开"
    )
    assert group.rowspan == 8
    report = govstats.read_report(pdf)
    entry = {"truth": f"truth/{stem}.json"}
    assert_matches_truth(report, truth_for(entry))
    assert findings(report) == findings(govstats.read_report(source))


@pytest.mark.browser
@pytest.mark.slow
def test_repeated_header_on_the_next_page_dropped(printer, corpus_dir):
    """Table 三's three header rows printed again where it continues (a <thead> Chromium
    repeats): read once, the table stays one, the values are the truth."""
    pdf = printer.pdf("sample", sample_html(), "repeated-header")
    with pdfplumber.open(pdf) as raw:
        pages_with_header = [p.page_number for p in raw.pages if "勾稽" in (p.extract_text() or "")]
    assert len(pages_with_header) >= 2, (
        "Chromium did not repeat the header: the test proves nothing"
    )
    doc = read_pdf(pdf.read_bytes(), pdf.name)
    notes = [b for b in doc.blocks if b.kind == "row" and "勾稽" in b.text]
    assert len(notes) == 1
    cut = next(
        b for b in doc.blocks if b.kind == "row" and b.cells[0].text == ROW_IN_WITHHELD_GROUP
    )
    assert cut.table == notes[0].table
    assert_matches_truth(
        govstats.read_report(pdf), truth_for({"truth": "truth/2020_ziyang-bgs_txt-pipe.json"})
    )


@pytest.mark.browser
@pytest.mark.slow
def test_running_headers_and_page_numbers_dropped(corpus_dir, printer):
    """Chromium's running header (date, title), footer (URL, n/m) and '- n -' page numbers."""
    source = corpus_dir / "raw" / "2025_pingtan_html.html"
    if not source.is_file():
        pytest.skip(f"{source} absent")
    pdf = printer.pdf(source.stem, source.read_text(encoding="utf-8"), "furniture")
    doc = read_pdf(pdf.read_bytes(), pdf.name)
    texts = [b.text for b in doc.blocks]
    assert not any(re.fullmatch(r"(-\s*\d+\s*-|\d+\s*/\s*\d+)", t) for t in texts)
    assert not any(t.startswith("file://") or re.match(r"\d+/\d+/\d+, \d+:\d+", t) for t in texts)
    assert_matches_truth(
        govstats.read_report(pdf), truth_for({"truth": "truth/2025_pingtan_html.json"})
    )


@pytest.mark.browser
@pytest.mark.slow
def test_tables_printed_without_rules(printer, corpus_dir):
    """The sample report printed with every table border removed: read from character
    positions alone (value columns lined up, labels wrapped over the value columns)."""
    html = render.inject_css(sample_html(), NO_RULES_CSS)
    pdf = printer.pdf("sample-no-rules", html)
    doc = read_pdf(pdf.read_bytes(), pdf.name)
    assert not any(
        re.search(r"\d\s+\d", c.text) for b in doc.blocks if b.kind == "row" for c in b.cells[1:]
    ), "digits of neighbouring cells ran together"
    report = govstats.read_report(pdf)
    assert_matches_truth(report, truth_for({"truth": "truth/2020_ziyang-bgs_txt-pipe.json"}))
    assert findings(report) == findings(govstats.read_report(SAMPLE))


# ---------------------------------------------------------------------------------------
# generated reports printed with a page break inside table 三's merged 办理结果 group

RESULTS_GROUP = "三、本年度办理结果"


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(
    "seed, year, row, style",
    [
        # inside （三）不予公开, itself inside 三、本年度办理结果: two merged cells cut at once
        (5, 2023, ROW_IN_WITHHELD_GROUP, "plain"),
        (5, 2023, "2.没有现成信息需要另行制作", "plain"),  # inside （四）无法提供
        (5, 2023, "2.申请人逾期未按收费通知", "plain"),  # inside （六）其他处理 (2021 layout)
        (7, 2020, "2.重复申请", "plain"),  # inside （五）不予处理 (2019 layout)
        (7, 2020, "（二）部分公开", "plain"),  # inside 三、 only; its box drawn on to the page foot
        # Word-style HTML (collapsed borders, tall rows): （三）不予公开's label, centred on its
        # eight rows, is printed far below the one row left on the page
        (11, 2023, "2.其他法律行政法规禁止公开", "word"),
        # the header rows printed again on the new page, above the continued merged cells
        (7, 2021, "5.属于三类内部事务信息", "repeated-header"),
    ],
)
def test_break_inside_merged_result_group(seed, year, row, style, printer):
    """Chromium prints a merged cell cut by a page break whole on the first page (down past
    the page's last row) and draws nothing for its continuation: with nested merged cells the
    new page has an L-shaped hole in its rules. Every row after the break keeps its label,
    every value equals the generated one, the group cells are merged once over all their rows."""
    generated = synth.generate_one(seed=seed, year=year)
    source = synth.to_document(generated, "html")
    html = write(source, "html")
    if style == "word":
        html = synth.word_html(html, seed)
    elif style == "repeated-header":
        html = render.repeat_header_rows(html, "申请人情况", 3)
    html = render.break_before_row(html, row)
    pdf = printer.pdf(f"synth-{seed}-{year}-{style}", html, f"break-{row[:6]}")
    report = govstats.read_report(pdf)
    assert synth.differences(report, generated) == []
    assert not [w for w in report.warnings if "not read" in w or "incomplete" in w], report.warnings

    doc = read_pdf(pdf.read_bytes(), pdf.name)
    rows = [b for b in doc.blocks if b.kind == "row"]
    cut = next(b for b in rows if any(c.text.startswith(row) for c in b.cells))
    before = rows[rows.index(cut) - 1]
    page = lambda block: int(re.match(r"page (\d+)", block.source).group(1))  # noqa: E731
    assert page(cut) > page(before), "the forced break did not cut the table"
    assert cut.table == before.table, "the table continued on the next page became a new table"
    # the merged label cells come back whole, with the row spans the generated table has
    want = {
        c.text: c.rowspan
        for b in source.blocks
        if b.kind == "row"
        for c in b.cells
        if c.rowspan > 1 and (c.text == RESULTS_GROUP or re.match(r"（[一二三四五六七]）", c.text))
    }
    got = {
        c.text: c.rowspan for b in rows if b.table == cut.table for c in b.cells if c.text in want
    }
    assert got == want
    assert not [
        c for b in rows if b.table == cut.table for c in b.cells if not c.text and c.rowspan > 1
    ], "an empty merged cell: a cut merged cell not joined with its continuation"


# ---------------------------------------------------------------------------------------
# inputs that cannot be read


def test_scanned_pdf_has_no_text_layer(corpus_dir, tmp_path):
    source = corpus_dir / "raw" / "2023_hongze-qzf_pdf.pdf"
    if not source.is_file():
        pytest.skip(f"{source} absent")
    scan = render.scanned_pdf(source, tmp_path / "scan.pdf", page=2)
    with pytest.raises(ParseError) as caught:
        govstats.read_report(scan)
    message = str(caught.value)
    assert "scan.pdf" in message and "no text layer" in message and "OCR" in message


def test_scanned_page_among_text_pages_is_named(corpus_dir, tmp_path):
    """A report whose last page was scanned: the text pages are read, the image page named."""
    import pypdfium2

    source = corpus_dir / "raw" / "2023_hongze-qzf_pdf.pdf"
    if not source.is_file():
        pytest.skip(f"{source} absent")
    scan = render.scanned_pdf(source, tmp_path / "scan.pdf", page=4)
    merged = pypdfium2.PdfDocument(str(source))
    merged.import_pages(pypdfium2.PdfDocument(str(scan)))
    out = tmp_path / "mixed.pdf"
    merged.save(str(out))
    report = govstats.read_report(out)
    assert len(report.tidy()) == 186
    assert any("page 6 is an image without a text layer" in w for w in report.warnings)


def _encrypted_pdf() -> bytes:
    """A one-page PDF under the Standard security handler with a user password (not empty)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
        b"<< /Filter /Standard /V 1 /R 2 /O <"
        + b"11" * 32
        + b"> /U <"
        + b"22" * 32
        + b"> /P -4 >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 6\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (
        b"trailer\n<< /Size 6 /Root 1 0 R /Encrypt 5 0 R /ID [<"
        + b"ab" * 16
        + b"> <"
        + b"ab" * 16
        + b">] >>\n"
    )
    return out + b"startxref\n%d\n%%%%EOF\n" % xref


def test_encrypted_pdf_clear_error():
    with pytest.raises(ParseError, match=r"locked\.pdf: the PDF is encrypted"):
        govstats.read_report(_encrypted_pdf(), name="locked.pdf")


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 3], id="truncated"),
        pytest.param(lambda data: b"%PDF-1.7\n" + bytes(range(256)) * 40, id="junk-after-header"),
        pytest.param(lambda data: data[:9] + b"\x00" * (len(data) - 9), id="zeroed"),
    ],
)
def test_damaged_pdf_clear_error(damage, corpus_dir):
    source = corpus_dir / "raw" / "2023_hongze-qzf_pdf.pdf"
    if not source.is_file():
        pytest.skip(f"{source} absent")
    with pytest.raises(
        ParseError, match=r"broken\.pdf.*(damaged|no text layer|not an annual report|no pages)"
    ):
        govstats.read_report(damage(source.read_bytes()), name="broken.pdf")


@pytest.mark.parametrize("seed", range(12))
def test_mutated_pdf_reads_or_fails_clearly(seed, corpus_dir):
    """Bytes flipped and spans cut out of the real PDF: a Report or a ParseError, nothing else
    (one such file broke the page tree so that closing it raised over our error)."""
    import random

    source = corpus_dir / "raw" / "2023_hongze-qzf_pdf.pdf"
    if not source.is_file():
        pytest.skip(f"{source} absent")
    rnd = random.Random(seed)
    data = bytearray(source.read_bytes())
    for _ in range(rnd.choice([1, 5, 50, 500])):
        data[rnd.randrange(len(data))] = rnd.randrange(256)
    if rnd.random() < 0.3:
        start = rnd.randrange(len(data))
        del data[start : start + rnd.randrange(1, 5000)]
    try:
        report = govstats.read_report(bytes(data), name="mutated.pdf")
    except ParseError as exc:
        assert "mutated.pdf" in str(exc)
    else:
        assert report.format == "pdf"


# ---------------------------------------------------------------------------------------
# units


def test_radical_code_points_read_as_ideographs():
    chars = {
        "⼈": "人",
        "⺠": "民",
        "⻚": "页",
        "⾏": "行",
        "⼀": "一",
        "人": "人",
        "（": "（",
        "１": "１",
    }
    for given, expected in chars.items():
        assert _clean_char({"text": given})["text"] == expected


def test_cell_drawn_around_other_cells_split_into_column_runs():
    """pdfplumber's rectangle around an L-shaped hole in the rules (two merged cells continued
    from the page before, left undrawn) also covers the labels beside it: it gives way to one
    cell per column run of uncovered grid slots; cells that contain nothing are kept as they are."""
    xs, ys = [0.0, 10.0, 20.0, 30.0, 40.0], [0.0, 5.0, 10.0, 15.0, 20.0]
    box = lambda r, c, rs, cs: (xs[c], ys[r], xs[c + cs], ys[r + rs])  # noqa: E731
    labels = [(r, 2, 1, 1, box(r, 2, 1, 1)) for r in range(4)]
    values = [(r, 3, 1, 1, box(r, 3, 1, 1)) for r in range(4)]
    lower_group = (2, 1, 1, 1, box(2, 1, 1, 1))
    hole = (0, 0, 4, 3, box(0, 0, 4, 3))  # columns 0-2, rows 0-3: over the labels of column 2
    got = _split_containers([hole, *labels, *values, lower_group], xs, ys)
    assert (0, 0, 4, 1, box(0, 0, 4, 1)) in got  # the outer group goes on down column 0
    assert (0, 1, 2, 1, box(0, 1, 2, 1)) in got  # the inner group down column 1, to the next group
    assert (3, 1, 1, 1, box(3, 1, 1, 1)) in got
    assert hole not in got and all(cell in got for cell in labels + values + [lower_group])
    assert len(got) == len(labels) + len(values) + 1 + 3
    plain = [*labels, *values]
    assert _split_containers(plain, xs, ys) == plain


def test_reader_output_is_a_document(corpus_dir):
    source = corpus_dir / "raw" / "2023_hongze-qzf_pdf.pdf"
    if not source.is_file():
        pytest.skip(f"{source} absent")
    doc = read_pdf(source.read_bytes(), "x.pdf")
    assert isinstance(doc, Document) and doc.format == "pdf"
    tables = {b.table for b in doc.blocks if b.kind == "row"}
    assert tables == {1, 2, 3}, (
        "three statistical tables: the first crosses pages 2-3, the second pages 3-4"
    )
    for block in doc.blocks:
        for cell in block.cells:
            assert PDF_SOURCE.match(cell.source)
            assert cell.text == " ".join(cell.text.split())
