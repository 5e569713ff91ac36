"""Each corpus report rewritten by govstats.synth.writing (HTML → pipe text → markdown → plain text
→ run-together text) reads back to the same tidy frame; for run-together text, every cell is either
the same or NA with a warning that says the split was not unique."""

from __future__ import annotations

import pytest

import govstats
from govstats.reading import read_document
from govstats.synth.writing import write
from tests.conftest import CORPUS_DIR, corpus_params

CHAIN = ("html", "txt-pipe", "markdown", "txt-plain")


def _values(report):
    return {k: v.value for k, v in report.values.items()}


@pytest.mark.corpus
@pytest.mark.parametrize("entry", corpus_params(("txt", "html", "md")))
def test_variants_read_back_identically(entry):
    data = (CORPUS_DIR / entry["file"]).read_bytes()
    original = govstats.read_report(data, name=entry["file"])
    document = read_document(data, entry["file"])
    for fmt in CHAIN:
        text = write(document, fmt)
        again = govstats.read_report(text.encode("utf-8"), name=f"{entry['file']}.{fmt}")
        assert _values(again) == _values(original), fmt
        assert (again.body, again.year, again.template) == (
            original.body,
            original.year,
            original.template,
        ), fmt
        document = read_document(
            text.encode("utf-8"), f"{entry['file']}.{fmt}"
        )  # the next variant starts here


@pytest.mark.corpus
@pytest.mark.parametrize("entry", corpus_params(("txt", "html", "md")))
def test_stripped_text_is_right_or_honestly_ambiguous(entry):
    data = (CORPUS_DIR / entry["file"]).read_bytes()
    original = govstats.read_report(data, name=entry["file"])
    text = write(read_document(data, entry["file"]), "txt-runtogether")
    stripped = govstats.read_report(text.encode("utf-8"), name="stripped.txt")
    assert stripped.format == "txt-runtogether"
    expected = _values(original)
    got = _values(stripped)
    wrong = [k for k, v in got.items() if v is not None and expected.get(k) != v]
    assert wrong == [], "a run-together split was guessed wrong"
    unknown = [k for k, v in expected.items() if v is not None and got.get(k) is None]
    if unknown:
        rows = {k[1] for k in unknown}
        for item in rows:
            assert any(("digit run" in w or "value cells" in w) for w in stripped.warnings), item
    # table 三 of the consistent reports with all cells printed comes back whole
    if entry["file"].endswith(
        ("ziyang-bgs_txt-pipe.txt", "2022_pingtan_html.html", "2025_pingtan_html.html")
    ):
        assert all(got.get(k) == v for k, v in expected.items() if k[0] != "publication")


def test_run_together_row_split_from_arithmetic():
    """The issue's example: 640020470 is 64 | 0 | 0 | 2 | 0 | 4 | 70 (row total = sum of six)."""
    from govstats.reading.runtogether import split_row

    assert split_row("640020470", 7, [(6, (0, 1, 2, 3, 4, 5))]) == (64, 0, 0, 2, 0, 4, 70)
    assert split_row("6767348", 3) is None  # no arithmetic: several splits, no guess
    # full-width digits are digits like any others, their zeros included
    assert split_row("３６4022０44", 7, [(6, (0, 1, 2, 3, 4, 5))]) == (36, 4, 0, 2, 2, 0, 44)
    assert (
        split_row("7" * 400, 7, [(6, (0, 1, 2, 3, 4, 5))]) is None
    )  # a mangled run: bounded search, no split


def test_run_together_cell_with_a_superscript_is_not_a_digit_run():
    """'12²3' is no run of digits to split (int('²') fails): the row is left out with a warning."""
    text = (
        "2021年度政府信息公开工作年度报告\n二、"
        "主动公开政府信息情况\n行政规范性文件\t12²3\n行政许可\t8\n"
    )
    report = govstats.read_report(text.encode("utf-8"), name="sup.txt")
    assert report.value("publication", "normative_docs", "issued") is None
    assert any("行政规范性文件" in w for w in report.warnings)


@pytest.mark.slow
def test_run_together_never_guesses_on_generated_reports():
    """Run-together text of generated reports (city-size numbers, both templates): every value read
    is right; cells that cannot be split — and sums over them, like 2021 `other` — are NA."""
    from govstats import synth

    for report in list(synth.generate(3, range(2019, 2026), seed=0)):
        got = govstats.read_report(
            synth.render(report, "txt-runtogether").encode("utf-8"), name=report.name
        )
        for key, v in got.values.items():
            expected = report.value(*key)
            if v.value is not None and key[2] != "legal_person":
                assert expected is not None and abs(v.value - expected) <= 1e-6 * max(
                    1.0, abs(expected)
                ), (report.name, key)


# --- value cells merged down over rows (rowspan) ---------------------------------------------

import re  # noqa: E402

from govstats import synth  # noqa: E402


def _merge_down(html: str, label: str, column: int, printed: str) -> str:
    """The row labelled ``label`` prints its ``column``-th value cell (0-based) as ``printed``
    with rowspan=2, and the next row leaves that cell out (as a Word table with merged cells)."""
    rows = html.split("<tr>")
    at = next(i for i, r in enumerate(rows) if f">{label}</td>" in r)
    for i, text in ((at, f'<td rowspan="2">{printed}</td>'), (at + 1, "")):
        cells = re.findall(r"<td[^>]*>[^<]*</td>", rows[i])
        values = [c for c in cells if re.fullmatch(r"<td>[^<]*</td>", c)][-7:]
        target = values[column]
        start = (
            rows[i].rfind(target) if values.count(target) == 1 else _nth(rows[i], values, column)
        )
        rows[i] = rows[i][:start] + text + rows[i][start + len(target) :]
    return "<tr>".join(rows)


def _nth(row: str, values: list[str], column: int) -> int:
    """Position in ``row`` of the ``column``-th of its last seven value cells."""
    pos = [m.start() for m in re.finditer(r"<td>[^<]*</td>", row)][-7:]
    return pos[column]


@pytest.mark.parametrize("printed", ["", "3"])
def test_value_cell_merged_over_two_rows_fills_both(printed):
    report = synth.generate_one(seed=0, year=2023, index=3)
    html = _merge_down(synth.render(report, "html"), "（一）予以公开", 1, printed)
    got = govstats.read_report(html.encode(), name="merged.html")
    assert got.complete, got.warnings
    assert not [w for w in got.warnings if "not read" in w], got.warnings
    expected = None if printed == "" else 3.0
    for item in ("granted", "partly_granted"):
        assert got.values[("requests", item, "commercial")].value == expected, (item, got.warnings)
    assert "merged down" in got.values[("requests", "partly_granted", "commercial")].source
    # the other cells of both rows are where they were printed
    for item in ("granted", "partly_granted"):
        for column in ("natural_person", "research", "other_org", "total"):
            assert (
                got.values[("requests", item, column)].value
                == report.values["requests"][item][column]
            )
