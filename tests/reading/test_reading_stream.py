"""Reading tables by their labels in a stream of characters (govstats.reading.stream) and
choosing between readings (govstats.reading.choice): line breaks of every kind, one cell per
line, the whole report as one paragraph, the title absent.

Round trips over the generator's crawler forms (``txt-cr``, ``txt-lines``, ``txt-oneline``,
govstats.synth.toolforms.crawl): every cell right, NA allowed only where the form makes the cell
ambiguous (and then with a warning), never another number.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import govstats
from govstats import synth
from govstats.reading import read_document
from govstats.reading.decode import normalise_breaks
from govstats.synth.writing import write

SETTINGS = settings(
    max_examples=10, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
IRREGULAR = synth.Options(
    blank_rate=0.3, variant_rate=0.5, unit_rate=0.3, merged_rate=0.3, old_table1_rate=0.3
)
CRAWL_FORMS = ("txt-cr", "txt-lines", "txt-oneline")


@st.composite
def generated(draw, options: synth.Options = synth.PLAIN):
    seed = draw(st.integers(0, 10_000))
    year = draw(st.integers(2019, 2025))
    index = draw(st.integers(0, 2_000))
    first = draw(st.integers(2019, year))
    return list(synth.generate(1, range(first, year + 1), seed, options, first_body=index))[-1]


def _wrong_and_unexplained(got: govstats.Report, report: synth.GeneratedReport, fmt: str):
    """(cells read as another number, cells NA that the form does not make ambiguous)."""
    ambiguous = synth.ambiguous_cells(report, fmt)
    wrong, unexplained = [], []
    for table, items in report.values.items():
        for item, cols in items.items():
            for column, want in cols.items():
                key = (table, item, column)
                v = got.values.get(key)
                have = None if v is None else v.value
                if have is None:
                    if want is not None and key not in ambiguous:
                        unexplained.append(key)
                elif want is None or abs(have - want) > 1e-6 * max(1.0, abs(want)):
                    wrong.append((key, want, have))
    return wrong, unexplained


@pytest.mark.parametrize("fmt", CRAWL_FORMS)
@SETTINGS
@given(report=generated())
def test_crawler_forms_round_trip(fmt, report):
    got = govstats.read_report(
        synth.render(report, fmt).encode("utf-8"), name=f"{report.name}.{fmt}"
    )
    wrong, unexplained = _wrong_and_unexplained(got, report, fmt)
    assert not wrong, f"{fmt} {report!r}: wrong numbers {wrong[:5]}"
    assert not unexplained, (
        f"{fmt} {report!r}: NA where the form is not ambiguous {unexplained[:5]}"
    )
    assert (got.body, got.year, got.template) == (report.body.name, report.year, report.template)
    if any(v.value is None and report.value(*k) is not None for k, v in got.values.items()):
        assert got.warnings  # an ambiguous cell left NA is said


@pytest.mark.parametrize("fmt", CRAWL_FORMS)
@SETTINGS
@given(report=generated(IRREGULAR))
def test_irregular_crawler_forms_never_give_a_wrong_number(fmt, report):
    """Blanks printed as nothing, units, label variants, merged columns: never a wrong number."""
    got = govstats.read_report(
        synth.render(report, fmt).encode("utf-8"), name=f"{report.name}.{fmt}"
    )
    wrong, _unexplained = _wrong_and_unexplained(got, report, fmt)
    assert not wrong, f"{fmt} {report!r}: wrong numbers {wrong[:5]}"


# --- line breaks ------------------------------------------------------------------------------

BREAKS = ["\r", "\r\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"]


@pytest.mark.parametrize("brk", BREAKS)
def test_every_kind_of_line_break_reads_as_a_newline(sample_path, brk):
    text = sample_path.read_text(encoding="utf-8")
    expected = govstats.read_report(sample_path)
    got = govstats.read_report(text.replace("\n", brk).encode("utf-8"), name="breaks.txt")
    assert {k: v.value for k, v in got.values.items()} == {
        k: v.value for k, v in expected.values.items()
    }
    # line numbers in sources are the lines of the original text
    assert (
        got.values[("requests", "new", "natural_person")].source
        == expected.values[("requests", "new", "natural_person")].source
    )


def test_break_normalisation_keeps_line_numbers():
    assert (
        normalise_breaks("a\r\nb\rc\u2028d\x0ce\x85f") == "a\nb\nc\nd\x0ce\nf"
    )  # a page break stays
    text = "no breaks to change\n"
    assert normalise_breaks(text) is text


# --- one cell per line -----------------------------------------------------------------------


def _cells_per_line(
    report: synth.GeneratedReport,
    sep: str = "\n\n\n",
    row_end: str = "\n\n\n\n\n",
    blank: str = "\xa0",
) -> str:
    """The report with one cell per line (cells apart by ``sep``, rows by ``row_end``), blank
    cells as ``blank``: what a crawler's get_text gives."""
    doc = synth.to_document(report, "html")
    out = []
    for block in doc.blocks:
        if block.kind == "text":
            out.append(block.text + "\n")
        else:
            out.append(sep.join(c.text or blank for c in block.cells) + row_end)
    return "".join(out)


def test_one_cell_per_line_with_blank_cells_as_nbsp_lines():
    report = synth.generate_one(seed=4, year=2023, options=synth.Options(blank_rate=0.4), index=7)
    got = govstats.read_report(_cells_per_line(report, sep="\n").encode(), name="cells.txt")
    assert not synth.differences(got, report)


def test_blank_cell_as_an_empty_line_is_not_placed_by_counting_lines():
    """Blanks printed as nothing between empty separator lines cannot be placed: NA, with a
    warning naming the row; the other rows are read."""
    report = synth.generate_one(seed=4, year=2023, index=7)
    report.printed[("requests", "granted", "research")] = ""
    report.values["requests"]["granted"]["research"] = None
    got = govstats.read_report(_cells_per_line(report, blank="").encode(), name="cells.txt")
    assert all(got.value("requests", "granted", c) is None for c in ("natural_person", "total"))
    assert any("（一）予以公开" in w for w in got.warnings)
    assert got.value("requests", "new", "total") == report.value("requests", "new", "total")


# --- one paragraph ---------------------------------------------------------------------------


def test_next_rows_ordinal_is_not_a_digit_of_the_run():
    """The issue's example: …本机关不掌握相关政府信息40000042.没有现成… is 4|0|0|0|0|0|4."""
    report = synth.generate_one(seed=1, year=2022, index=3)
    text = synth.render(report, "txt-oneline")
    got = govstats.read_report(text.encode(), name="oneline.txt")
    assert got.format == "txt-oneline"
    for item in ("unavailable.not_held", "unavailable.needs_creation"):
        for col, want in report.values["requests"][item].items():
            assert got.value("requests", item, col) in (want, None)


def test_reordered_header_is_not_read_from_the_stream():
    """Column headers printed in another order: a stream cannot tell which column a digit
    went to, so the table is not read from it (and says so) rather than read shifted."""
    report = synth.generate_one(seed=1, year=2022, index=3)
    text = synth.render(report, "txt-oneline").replace("结果维持结果纠正", "结果纠正结果维持")
    got = govstats.read_report(text.encode(), name="reordered.txt")
    assert not any(k[0] == "review" and v.value is not None for k, v in got.values.items())
    assert any("another order" in w for w in got.warnings)


def test_title_from_the_preamble_or_an_attachment_line():
    from govstats.reading.metadata import self_named_body, titled_in_text

    assert titled_in_text("现公布河北省教育厅2022年政府信息公开工作年度报告。") == (
        "河北省教育厅",
        2022,
    )
    assert titled_in_text("…附件：河北省教育厅2022年政府信息公开工作年度报告") == (
        "河北省教育厅",
        2022,
    )
    assert titled_in_text("现将本年度报告公布如下") == (None, None)
    preamble = (
        "根据《中华人民共和国政府信息公开条例》《河北省实施〈中华人民共和国政府"
        "信息公开条例〉办法》等规定。2022年，省工业和信息化厅坚持以习近平新时代"
    )
    assert self_named_body(preamble) == "河北省工业和信息化厅"
    # two provinces named: not decided
    assert self_named_body("《河北省实施…》《山西省实施…》2022年，省教育厅坚持") is None


@pytest.mark.corpus
@pytest.mark.parametrize("stem", ["2022_hebei-jyt_txt-cr", "2022_hebei-gxt_txt-oneline"])
def test_crawled_corpus_text_reads_from_its_stream(corpus_dir, stem):
    path = next((corpus_dir / "raw").glob(f"{stem}.*"))
    report = govstats.read_report(path)
    assert report.format in ("txt-stream", "txt-oneline")
    assert report.complete
    doc = read_document(path.read_bytes(), path.name)  # the Document it was built from
    assert doc.format == report.format
    again = govstats.read_report(write(doc, "txt-pipe").encode(), name="again.txt")
    assert {k: v.value for k, v in again.values.items()} == {
        k: v.value for k, v in report.values.items()
    }


# --- choosing between readings ---------------------------------------------------------------


def test_line_reading_that_breaks_the_arithmetic_is_checked_against_the_stream():
    """A plain-text line dropped a cell (a blank that left no tab): the line reading shifts the
    row; the readings disagree there, so those cells are NA, and nothing shifted gets through."""
    report = synth.generate_one(seed=5, year=2021, index=2)
    text = synth.render(report, "txt-plain")
    lines = text.split("\n")
    at = next(i for i, ln in enumerate(lines) if "（一）予以公开\t" in ln)
    cells = lines[at].split("\t")
    label = cells.index("（一）予以公开")
    lines[at] = " ".join(
        cells[: label + 2] + cells[label + 3 :]
    )  # one cell gone, spaces instead of tabs
    got = govstats.read_report("\n".join(lines).encode(), name="shifted.txt")
    for col, want in report.values["requests"]["granted"].items():
        have = got.value("requests", "granted", col)
        assert have is None or have == want, (col, have, want)


@pytest.mark.corpus
def test_table_two_without_its_section_headings_is_read_from_its_heading(corpus_dir):
    text = (corpus_dir / "raw" / "2022_hebei-gxt_txt-oneline.txt").read_text(encoding="utf-8")
    for section in ("（一）", "（五）", "（六）", "（八）"):
        text = text.replace(f"第二十条第{section}项", "")
    report = govstats.read_report(text.encode(), name="no-sections.txt")
    assert report.value("publication", "licensing", "decisions") == 194
    assert report.value("publication", "fees", "amount") == pytest.approx(6506000.0)
