"""Tables as text tools draw them (issue 12, class 6): box-drawn grids (``w3m -dump``) and
space-aligned columns (``pdftotext -layout``).

* Round trips (hypothesis, bounded) through the generator forms ``text-grid`` and
  ``txt-layout``: plain reports come back exactly; irregular ones (blanks, variants, units,
  merged columns) come back exactly in the grid, and right or NA (only in the cells the form
  declares ambiguous, with a warning) in the layout: never a wrong number.
* The grid reader on hand-drawn grids: wrapped labels, CJK width, merged cells, ASCII grids, a
  cut grid. The layout pass on hand-laid rows: a blank cell placed by position, a position in
  doubt left NA with a warning, single-spaced numbers left alone, page numbers.
* The real tool: generated reports rendered to HTML and dumped by ``w3m``, and every HTML file
  of the corpus dumped by ``w3m``, read back against the truth.
"""

from __future__ import annotations

import math
import shutil
import subprocess

import pytest
from hypothesis import given

import govstats
from govstats import synth
from govstats.reading.grid import display_width, is_grid_text, read_grid_text
from govstats.reading.text import read_plain_text
from tests.reading.test_roundtrip import IRREGULAR, SETTINGS, assert_same, generated, read

W3M = shutil.which("w3m")
needs_w3m = pytest.mark.skipif(
    W3M is None, reason="w3m not installed (make system-packages installs it)"
)


def wrong_cells(got, report: synth.GeneratedReport) -> list:
    """Cells read as a number other than the truth (NA is not wrong)."""
    out = []
    for key, v in got.values.items():
        want = report.value(*key) if key[2] != "legal_person" else report.legal_person.get(key[1])
        if v.value is None:
            continue
        if want is None or not math.isclose(v.value, want, rel_tol=1e-6, abs_tol=1e-6):
            out.append((key, want, v.value))
    return out


def assert_right_or_declared_na(got, report: synth.GeneratedReport, fmt: str) -> None:
    assert not wrong_cells(got, report), f"{fmt}: {report!r} wrong: {wrong_cells(got, report)[:10]}"
    ambiguous = synth.ambiguous_cells(report, fmt)
    diffs = [
        d
        for d in synth.differences(got, report)
        if not any(d.startswith(str(k)) for k in ambiguous)
    ]
    assert not diffs, f"{fmt}: {report!r}\n" + "\n".join(diffs[:20])
    if ambiguous & {
        k for k in report.cells() if got.values.get(k) is None or got.values[k].value is None
    }:
        assert got.warnings, f"{fmt}: {report!r}: ambiguous cells left NA without a warning"


# -- round trips -----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["text-grid", "txt-layout"])
@SETTINGS
@given(report=generated())
def test_plain_reports_round_trip_through_text_tool_forms(fmt, report):
    assert_same(read(report, fmt), report, fmt)


@pytest.mark.slow
@SETTINGS
@given(report=generated(IRREGULAR))
def test_irregular_reports_round_trip_through_the_grid(report):
    """Borders say where every cell is: blanks, variants, merged columns all come back."""
    assert_same(read(report, "text-grid"), report, "text-grid")


@pytest.mark.slow
@SETTINGS
@given(report=generated(IRREGULAR))
def test_irregular_layout_is_right_or_declared_na(report):
    """Gaps are placed by position; where the form gives none, NA with a warning, never a shift."""
    assert_right_or_declared_na(read(report, "txt-layout"), report, "txt-layout")


def test_forms_are_sniffed_by_content():
    report = synth.generate_one(5, 2022, IRREGULAR, index=5)
    assert read(report, "text-grid").format == "txt-grid"
    assert read(report, "txt-layout").format == "txt-plain"


# -- the grid reader -------------------------------------------------------------------------------

GRID = """\
三、收到和处理政府信息公开申请情况
┌─────────────────────────┬──────┬──────┐
│                         │自然人│总计  │
├──────────────┴──────────┼──────┼──────┤
│一、本年新收政府信息公开 │ 5    │ 5    │
│申请数量                 │      │      │
├─────────┬───────────────┼──────┼──────┤
│         │（一）予以公开 │ 3    │3     │
│三、本年 ├───────────────┼──────┼──────┤
│度办理结 │（二）部分公开 │      │      │
│果       ├───────────────┼──────┼──────┤
│         │（七）总计     │ 3    │  3   │
└─────────┴───────────────┴──────┴──────┘
"""


def _rows(doc):
    return [
        [(c.text, c.rowspan, c.colspan) for c in b.cells] for b in doc.blocks if b.kind == "row"
    ]


def test_grid_cells_with_wrapped_labels_merged_cells_and_spans():
    assert is_grid_text(GRID)
    rows = _rows(read_grid_text(GRID, "g"))
    # column boundaries: every bar or junction any line draws (x = 10, 15, 26, 33)
    assert rows == [
        [("", 1, 3), ("自然人", 1, 1), ("总计", 1, 1)],
        [("一、本年新收政府信息公开 申请数量", 1, 3), ("5", 1, 1), ("5", 1, 1)],
        [("三、本年 度办理结 果", 3, 1), ("（一）予以公开", 1, 2), ("3", 1, 1), ("3", 1, 1)],
        [("（二）部分公开", 1, 2), ("", 1, 1), ("", 1, 1)],
        [("（七）总计", 1, 2), ("3", 1, 1), ("3", 1, 1)],
    ]


def test_columns_are_counted_in_display_width():
    """A CJK character takes two columns: the bars of the line with 自然人 stand where the
    rule's ┬ do only when widths are counted so (code points would put them 3 apart)."""
    assert (
        display_width("自然人") == 6
        and display_width("“三安全”") == 8
        and display_width("１２") == 4
    )
    grid = "┌──────┬──┐\n│自然人│12│\n├──────┼──┤\n│科研  │ 3│\n└──────┴──┘\n"
    assert _rows(read_grid_text(grid, "g")) == [
        [("自然人", 1, 1), ("12", 1, 1)],
        [("科研", 1, 1), ("3", 1, 1)],
    ]


def test_ambiguous_width_characters_in_a_cjk_terminal():
    """Quotes are one column in UTF-8 terminals (w3m), two in CJK-legacy ones: a line whose
    bars line up only with the wide reading is read so."""
    narrow = "┌────────────┬─┐\n│3.危及“三”  │0│\n└────────────┴─┘\n"
    wide = "┌────────────┬─┐\n│3.危及“三”│0│\n└────────────┴─┘\n"
    for grid in (narrow, wide):
        assert _rows(read_grid_text(grid, "g")) == [[("3.危及“三”", 1, 1), ("0", 1, 1)]], grid


def test_a_number_wrapped_at_the_cell_edge_is_one_number():
    grid = (
        "┌──────────────┬─────┐\n│行政事业性收费│24252│\n│           "
        "   │.3110│\n│              │82   │\n└──────────────┴─────┘\n"
    )
    assert _rows(read_grid_text(grid, "g")) == [[("行政事业性收费", 1, 1), ("24252.311082", 1, 1)]]


def test_ascii_grid():
    grid = "+--------+----+\n| 规章   | -  |\n+--------+----+\n| 行政许可 | -18|\n+--------+----+\n"
    grid = grid.replace("| 行政许可 | -18|", "|行政许可| -18|")
    assert is_grid_text(grid + grid)
    assert _rows(read_grid_text(grid, "g")) == [
        [("规章", 1, 1), ("-", 1, 1)],
        [("行政许可", 1, 1), ("-18", 1, 1)],
    ]


def test_a_cut_grid_reads_its_whole_rows_and_names_the_cut():
    """Cut below （二）: the rows the cut group label 三、本年度办理结果 stands beside are left
    out (a cell merged down past the cut could be a value), the rows above it are read."""
    cut = GRID.splitlines()[:11]
    doc = read_grid_text("\n".join(cut) + "\n", "g")
    rows = _rows(doc)
    assert [r[0][0] for r in rows] == ["", "一、本年新收政府信息公开 申请数量"]
    assert [w.split(":")[1].strip() for w in doc.warnings] == ["line 8", "line 10"]
    assert all("not read" in w and "cut off" in w for w in doc.warnings), doc.warnings


def test_a_line_whose_bars_do_not_line_up_is_not_read():
    lines = GRID.splitlines()
    lines[7] = lines[7].replace("│ 3    │3     │", "│ 3   │3     │")  # one column short
    doc = read_grid_text("\n".join(lines) + "\n", "g")
    assert not any("（一）予以公开" == c[0] for r in _rows(doc) for c in r)
    assert any("do not stand where" in w for w in doc.warnings), doc.warnings


def test_grid_report_reads_like_its_html():
    report = synth.generate_one(11, 2023, IRREGULAR, index=11)
    got = read(report, "text-grid")
    assert not synth.differences(got, report)
    assert got.format == "txt-grid"


# -- space-aligned columns -------------------------------------------------------------------------

LAYOUT = """\
  自然人    商业企业   科研机构   总计
一、本年新收      1         2          3          6
二、上年结转      4                    6          10
（一）予以公开    7         8          9          24
"""


def test_a_blank_cell_is_placed_by_the_full_rows_above_and_below():
    doc = read_plain_text(LAYOUT, "l")
    assert _rows(doc)[1] == [
        ("二、上年结转", 1, 1),
        ("4", 1, 1),
        ("", 1, 1),
        ("6", 1, 1),
        ("10", 1, 1),
    ]


def _na_row(doc, label):
    row = next(b for b in doc.blocks if b.kind == "row" and b.cells[0].text == label)
    assert [c.text for c in row.cells[1:]] == [""] * 4
    assert all("undetermined" in c.source for c in row.cells[1:])
    assert any(label in w and "NA" in w for w in doc.warnings), doc.warnings


def test_a_number_between_columns_leaves_the_row_na_with_a_warning():
    _na_row(
        read_plain_text(LAYOUT.replace("4                    6", "4               6     "), "l"),
        "二、上年结转",
    )


def test_no_full_row_below_or_rows_of_pages_laid_out_apart_leave_the_row_na():
    """The decoder turns page breaks into line breaks: full rows above and below must agree."""
    _na_row(read_plain_text("\n".join(LAYOUT.splitlines()[:3]) + "\n", "l"), "二、上年结转")
    shifted = LAYOUT.replace("（一）予以公开    7", "（一）予以公开       7").replace(
        "8          9          24", "   8          9          24"
    )
    _na_row(read_plain_text(shifted, "l"), "二、上年结转")


def test_single_spaced_numbers_are_left_as_printed():
    text = "规章 1 2 3\n行政规范性文件 4 6\n"
    assert _rows(read_plain_text(text, "l"))[-1] == [
        ("行政规范性文件", 1, 1),
        ("4", 1, 1),
        ("6", 1, 1),
    ]


def test_page_numbers_are_no_rows_and_end_a_block():
    text = "规章      1    2    3\n            - 4 -\n\x0c行政规范性文件  4         6\n"
    doc = read_plain_text(text, "l")
    assert not [
        b for b in doc.blocks if b.kind == "row" and "4 -" in b.text
    ]  # (page furniture: dropped)
    assert _rows(doc)[-1] == [
        ("行政规范性文件", 1, 1),
        ("4", 1, 1),
        ("6", 1, 1),
    ]  # another page: not placed


def test_labels_printed_apart_are_cells():
    text = (
        "（三）不予公开    1.属于国家秘密      1     0     1\n   "
        "               2.其他法律行政法规禁止公开    0   0   0\n"
    )
    rows = _rows(read_plain_text(text, "l"))
    assert rows[0][:2] == [("（三）不予公开", 1, 1), ("1.属于国家秘密", 1, 1)]


# -- the real tool ---------------------------------------------------------------------------------


def w3m_dump(html: str | bytes, cols: int = 80) -> bytes:
    data = html.encode("utf-8") if isinstance(html, str) else html
    return subprocess.run(
        [W3M, "-dump", "-T", "text/html", "-O", "UTF-8", "-cols", str(cols)],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout


@needs_w3m
@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["html", "html-word"])
@pytest.mark.parametrize("options", [synth.PLAIN, IRREGULAR], ids=["plain", "irregular"])
def test_w3m_dump_of_generated_reports(fmt, options):
    version = subprocess.run([W3M, "-version"], capture_output=True, text=True).stdout.strip()
    for seed in range(6):
        report = synth.generate_one(seed, 2019 + seed, options, index=seed * 13)
        dump = w3m_dump(synth.render(report, fmt), cols=80 + 40 * (seed % 2))
        got = govstats.read_report(dump, name=f"{report.name}.{fmt}.w3m")
        assert got.format == "txt-grid"
        assert not synth.differences(got, report), (
            f"{version}: {report!r}: {synth.differences(got, report)[:10]}"
        )


# (the corpus HTML through the real w3m against its truth: tests/reading/test_tool_forms.py)
