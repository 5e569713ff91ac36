"""PDF-to-text tool output: row labels split around their numbers, page furniture (issue 12, class
4).

* round trips of generated reports in the ``pdf-text`` form (hypothesis, bounded): every cell
  right, NA (with a warning) only where the form declares the cell ambiguous, never wrong;
* one test per sub-class of the class, on a report printed one row per line with spaces;
* the real tool: generated reports printed to PDF (headless Chromium) and the corpus PDF, run
  through ``pdftotext -layout``, ``-raw`` and bare ``pdftotext``: -layout and -raw read every
  cell, bare never gives a wrong number.
"""

from __future__ import annotations

import pytest
from hypothesis import given

import govstats
from govstats import synth
from govstats.reading.pdftext import is_page_furniture, prepare_lines
from tests.reading.test_roundtrip import IRREGULAR, SETTINGS, generated
from tests.support import accuracy, scoring


def score(
    got: govstats.Report, report: synth.GeneratedReport, ambiguous: frozenset = frozenset()
) -> scoring.Score:
    return scoring.score(scoring.values_of(got), accuracy.expected_cells(report), ambiguous)


def _read(text: str, name: str = "pdf.txt"):
    return govstats.read_report(text.encode("utf-8"), name=name)


def _assert_right_or_declared(report: synth.GeneratedReport, fmt: str = "pdf-text") -> None:
    text = synth.render(report, fmt)
    ambiguous = synth.ambiguous_cells(report, fmt)
    got = _read(text, f"{report.name}.txt")
    result = score(got, report, ambiguous)
    assert result.wrong == 0, f"{report!r}: wrong numbers {result.wrong_cells[:10]}"
    assert result.na == 0, (
        f"{report!r}: cells left NA the form does not make ambiguous {result.na_cells[:10]}"
    )
    if result.na_allowed:
        assert got.warnings, f"{report!r}: cells left NA without a warning"
    assert (got.body, got.year, got.template) == (report.body.name, report.year, report.template)


@SETTINGS
@given(report=generated())
def test_plain_reports_round_trip_through_pdf_text(report):
    _assert_right_or_declared(report)
    assert not synth.ambiguous_cells(report, "pdf-text")  # no blank cells: nothing is ambiguous


@SETTINGS
@given(report=generated(IRREGULAR))
def test_irregular_reports_through_pdf_text_are_right_or_declared_ambiguous(report):
    _assert_right_or_declared(report)


# --- the sub-classes, one at a time -----------------------------------------------------------


def _spaced(report: synth.GeneratedReport) -> str:
    """The report one table row per line, cells separated by spaces (group labels in front)."""
    lines = []
    for block in synth.to_document(report, "txt").blocks:
        lines.append(" ".join(c.text for c in block.cells if c.text.strip()))
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def base():
    report = synth.generate_one(seed=4, year=2023, index=9)
    text = _spaced(report)
    got = _read(text)
    assert not synth.differences(got, report)
    return report, text


def _values(text: str) -> dict:
    return {k: v.value for k, v in _read(text).values.items()}


def _line_of(text: str, label: str) -> str:
    return next(ln for ln in text.splitlines() if label in ln)


def _numbers(line: str) -> str:
    return " ".join(t for t in line.split(" ") if t[:1].isdigit())


def _split_row(label: str, printed) -> callable:
    """A change of the text: the line holding ``label`` printed as ``printed(line, numbers)``."""
    return lambda text: text.replace(line := _line_of(text, label), printed(line, _numbers(line)))


def _interleave(text: str) -> str:
    first, second = _line_of(text, "1.信访举报投诉类申请"), _line_of(text, "2.重复申请")
    return text.replace(first, first.replace("（五）不予处理 ", "")).replace(
        second, f"（五）不\n{second}\n予处理"
    )


SUB_CLASSES = {
    # a wrapped label, its head before the numbers and its tail after
    "head / numbers / tail": _split_row(
        "3.补正后申请内容仍不明确", lambda line, n: f"3.补正后申请内容仍不明\n{n}\n确"
    ),
    # the whole label on lines above a line of numbers
    "label lines / numbers": _split_row(
        "5.要求行政机关确认或重新出具已获取信息",
        lambda line, n: f"5.要求行政机关确认或重\n新出具已获取信息\n{n}",
    ),
    # head and numbers on one line, the tail after
    "head numbers / tail": _split_row(
        "4.无正当理由大量反复申请",
        lambda line, n: line.replace("4.无正当理由大量反复申请", "4.无正当理由大量反复") + "\n申请",
    ),
    # a group label interleaved with its sub-rows
    "group / sub-row / group": _interleave,
    # pieces of the group labels glued in front of a sub-row's label (-layout)
    "group pieces glued in front": _split_row(
        "2.没有现成信息需要另行制作",
        lambda line, n: (
            line.replace("2.没有现成信息需要另行", "三、本年 法提供 2.没有现成信息需要另行")
            + "\n制作"
        ),
    ),
    # a vertical group label, one character per line
    "vertical group label": _split_row(
        "（一）予以公开",
        lambda line, n: (
            "\n".join("三、本年度办理结果") + "\n" + line.replace("三、本年度办理结果 ", "")
        ),
    ),
}


@pytest.mark.parametrize("sub_class", list(SUB_CLASSES))
def test_split_labels_read_as_the_row_printed_whole(base, sub_class):
    report, text = base
    changed = SUB_CLASSES[sub_class](text)
    assert changed != text
    assert _values(changed) == _values(text)


@pytest.mark.parametrize("mark", ["- 4 -", "— 5 —", "-4-", "第4页", "第 4 页 共 9 页"])
def test_page_numbers_running_header_and_form_feeds_between_rows(base, mark):
    report, text = base
    line = _line_of(text, "3.补正后申请内容仍不明确")
    title = text.splitlines()[0]
    paged = text.replace(line, f"3.补正后申请内容仍不明\n{mark}\x0c{title}\n{_numbers(line)}\n确")
    assert _values(paged) == _values(text)


def test_a_bare_page_number_is_furniture_only_next_to_a_form_feed():
    assert (
        is_page_furniture("- 12 -")
        and is_page_furniture("第 3 页 共 9 页")
        and not is_page_furniture("4")
    )
    lines = dict(prepare_lines("abc\n1\n\x0cdef\n5\nghi\n"))
    assert 2 not in lines and lines[5] == "5"  # line numbers stay those of the text


def test_pieces_that_make_no_label_move_no_numbers(base):
    """Two rows whose label pieces make no label: their numbers stay unlabelled (placed in the
    template's free slots between labelled neighbours only when the count fits, as before),
    and no row gets another row's numbers."""
    report, text = base
    broken = text
    for label in ("2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确"):
        line = _line_of(text, label)
        broken = broken.replace(line, f"{label[:6]}X\n{_numbers(line)}\n{label[-1]}")
    original = _values(text)
    got = _values(broken)
    assert all(v is None or v == original[k] for k, v in got.items())


def test_a_label_cut_short_behind_a_group_label_is_not_the_group_labels_row():
    report = synth.generate_one(seed=4, year=2023, index=9)
    text = _spaced(report)
    line = _line_of(text, "1.申请人无正当理由逾期不补正")
    numbers = _numbers(line)
    cut = text.replace(
        line, f"（六）其他 1.申请人无正当理由逾期 {numbers}\n不补正、行政机关不再处理X"
    )
    got = _read(cut)
    other = [got.values[("requests", "other.other", c.code)].value for c in schema_columns()]
    assert other == [report.value("requests", "other.other", c.code) for c in schema_columns()]
    for c in schema_columns():  # its own numbers, or NA
        value = got.values.get(("requests", "other.no_correction", c.code))
        assert value is None or value.value in (
            None,
            report.value("requests", "other.no_correction", c.code),
        )


def test_label_and_number_blocks_written_apart_get_no_labels(base):
    """Bare pdftotext style: labels, then each column's numbers one per line: nothing is read
    from those blocks (no label is attached to a lone number)."""
    report, text = base
    start, end = text.index("一、本年新收"), text.index("四、政府信息公开行政复议")
    rows = [ln for ln in text[start:end].splitlines() if ln.strip()]
    labels = [" ".join(t for t in ln.split(" ") if not t[:1].isdigit()) for ln in rows]
    columns = list(
        zip(*[[t for t in ln.split(" ") if t[:1].isdigit()] for ln in rows], strict=False)
    )
    bare = (
        "\n".join(labels[:3])
        + "\n"
        + "\n".join("\n".join(col) for col in columns)
        + "\n"
        + "\n".join(labels[3:])
        + "\n"
    )
    got = _read(text[:start] + bare + text[end:])
    assert all(v.value is None for k, v in got.values.items() if k[0] == "requests")


def schema_columns():
    from govstats import schema

    return schema.REQUEST_COLUMNS


# --- the real tool ------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.browser
def test_generated_pdfs_through_pdftotext(tmp_path):
    """Generated reports printed by headless Chromium, through pdftotext -layout / -raw / bare."""
    from tests.support.pdftotext import pdftotext, require_pdftotext, version
    from tests.support.render import html_to_pdf

    require_pdftotext()
    print(version())
    for index, year in ((11, 2022), (5, 2020), (17, 2024)):
        report = synth.generate_one(seed=3, year=year, index=index)
        pdf = html_to_pdf(synth.render(report, "html"), tmp_path / f"{report.name}.pdf")
        for mode in ("layout", "raw", "bare"):
            data = pdftotext(pdf, mode)
            try:
                got = govstats.read_report(data, name=f"{report.name}.{mode}.txt")
            except govstats.ParseError:
                assert mode == "bare", f"pdftotext {mode}: refused"
                continue
            result = score(got, report)
            assert result.wrong == 0, (
                f"pdftotext {mode}: {report!r} wrong {result.wrong_cells[:10]}"
            )
            if mode != "bare":
                assert result.na == 0, f"pdftotext {mode}: {report!r} NA {result.na_cells[:10]}"


@pytest.mark.corpus
def test_corpus_pdf_through_pdftotext(corpus_dir):
    """The corpus PDF through the three modes: -layout and -raw read every truth cell, bare
    pdftotext (label and number blocks apart) gives no wrong number."""
    import json
    import math

    from tests.support.pdftotext import pdftotext, require_pdftotext, version

    require_pdftotext()
    print(version())
    manifest = json.loads((corpus_dir / "manifest.json").read_text(encoding="utf-8"))
    pdfs = [e for e in manifest if e["file"].endswith(".pdf") and e.get("truth")]
    assert pdfs
    for entry in pdfs:
        truth = json.loads((corpus_dir / entry["truth"]).read_text(encoding="utf-8"))
        na_ok = {
            tuple(x) if isinstance(x, list) else tuple(x.split("/")) for x in truth.get("na_ok", [])
        }
        cells = {
            (t, i, c): v
            for t, items in truth["values"].items()
            for i, cols in items.items()
            for c, v in cols.items()
        }
        for mode in ("layout", "raw", "bare"):
            data = pdftotext(corpus_dir / entry["file"], mode)
            try:
                got = govstats.read_report(data, name=f"{entry['file']}.{mode}.txt")
            except govstats.ParseError:
                assert mode == "bare", f"{entry['file']} pdftotext {mode}: refused"
                continue
            values = {k: v.value for k, v in got.values.items()}
            wrong = [
                k
                for k, v in values.items()
                if v is not None
                and (cells.get(k) is None or not math.isclose(v, cells[k], abs_tol=1e-6))
            ]
            assert not wrong, f"{entry['file']} pdftotext {mode}: wrong {wrong[:10]}"
            if mode != "bare":
                missed = [
                    k
                    for k, v in cells.items()
                    if v is not None and values.get(k) is None and k not in na_ok
                ]
                assert not missed, f"{entry['file']} pdftotext {mode}: NA {missed[:10]}"
                assert (got.body, got.year, got.template) == (
                    truth["body"],
                    truth["year"],
                    truth["template"],
                )


def test_numbers_continuing_the_row_above_leave_both_unread(base):
    """-layout of a cell wrapped over two lines (``… (一)予以公开 １ 1 0 0`` / ``办理结果 ０``):
    which digits belong to which cell is lost, so neither line gives numbers, with a warning."""
    report, text = base
    line = _line_of(text, "（一）予以公开")
    numbers = _numbers(line).split(" ")
    wrapped = text.replace(
        line, line.replace(_numbers(line), " ".join(["1"] + numbers[1:])) + "\n办理结果 0"
    )
    got = _read(wrapped)
    granted = [got.values.get(("requests", "granted", c.code)) for c in schema_columns()]
    assert all(v is None or v.value is None for v in granted)
    assert any("wrapped over two lines" in w for w in got.warnings)
    original = _values(text)
    assert all(
        v is None or v == original[k]
        for k, v in {k: v.value for k, v in got.values.items()}.items()
    )


def test_blocks_of_some_columns_after_each_label_give_no_numbers(base):
    """Bare pdftotext of a wide table: each label with the first columns' numbers (``727 62 9``,
    as many as a 3-column table has), the other columns in a block of their own later: no
    row is read from them (they could pass for 自然人 | 法人或其他组织 | 总计)."""
    report, text = base
    start, end = text.index("一、本年新收"), text.index("四、政府信息公开行政复议")
    rows = [ln for ln in text[start:end].splitlines() if ln.strip()]
    split = [
        (
            " ".join(t for t in ln.split(" ") if not t[:1].isdigit()),
            [t for t in ln.split(" ") if t[:1].isdigit()],
        )
        for ln in rows
    ]
    first = "\n".join(
        f"{label}\n{' '.join(nums[:3])}" if i % 2 else f"{label} {' '.join(nums[:3])}"
        for i, (label, nums) in enumerate(split)
    )
    rest = "\n".join(" ".join(nums[3:]) for _label, nums in split)
    got = _read(text[:start] + first + "\n" + rest + "\n" + text[end:])
    truth = {k: v.value for k, v in _read(text).values.items()}
    assert all(v.value is None or v.value == truth.get(k) for k, v in got.values.items())
    assert all(v.value is None for k, v in got.values.items() if k[0] == "requests")
