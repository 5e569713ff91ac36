"""The two PDF engines (pdfium, the default; pdfplumber, the fallback and reference) read every
PDF the tests know into the same tidy data: the corpus PDF, corpus and sample reports printed by
Chromium, generated reports printed by Chromium, a rotated page drawn upright, a 300-page file.
Damaged, encrypted, empty and scanned files fail the same clear way; the engine is chosen in one
place (argument, ``GOVSTATS_PDF_ENGINE``, ``govstats --pdf-engine``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import govstats
from govstats import synth
from govstats.errors import ParseError
from govstats.reading import read_document
from govstats.reading.pdf import ENGINE_VARIABLE, ENGINES, pdf_engine, read_pdf
from govstats.store.ingestion import (
    HEAVY_FILE_WEIGHT,
    POOL_MIN_FILES,
    _FileSource,
    parse_jobs,
)
from govstats.synth.writing import write
from tests.conftest import SAMPLE, corpus_params
from tests.reading.test_fuzz import survives
from tests.reading.test_pdf import _encrypted_pdf
from tests.support import render

HONGZE = "raw/2023_hongze-qzf_pdf.pdf"

pytestmark = pytest.mark.corpus


def read_with(engine: str, data: bytes, name: str, monkeypatch) -> govstats.Report:
    monkeypatch.setenv(ENGINE_VARIABLE, engine)
    return govstats.read_report(data, name=name)


def tidy_frames(data: bytes, name: str, monkeypatch) -> list[pd.DataFrame]:
    return [read_with(e, data, name, monkeypatch).tidy() for e in ENGINES]


def assert_same_tidy(data: bytes, name: str, monkeypatch) -> pd.DataFrame:
    pdfium, plumber = tidy_frames(data, name, monkeypatch)
    assert len(pdfium), f"{name}: nothing read"
    pd.testing.assert_frame_equal(pdfium, plumber, obj=f"{name}: pdfium vs pdfplumber tidy")
    return pdfium


def blocks(data: bytes, name: str, engine: str) -> list[tuple]:
    doc = read_pdf(data, name, engine=engine)
    return [
        (b.kind, b.table, [(c.text, c.source, c.rowspan, c.colspan) for c in b.cells])
        for b in doc.blocks
    ]


def hongze(corpus_dir) -> bytes:
    path = corpus_dir / HONGZE
    if not path.is_file():
        pytest.skip(f"{path} absent")
    return path.read_bytes()


# ---------------------------------------------------------------------------------------
# the same output


@pytest.mark.parametrize("entry", corpus_params(("pdf",)))
def test_corpus_pdfs_same_tidy_and_blocks(entry, corpus_dir, monkeypatch):
    data = (corpus_dir / entry["file"]).read_bytes()
    assert_same_tidy(data, entry["file"], monkeypatch)
    assert blocks(data, entry["file"], "pdfium") == blocks(data, entry["file"], "pdfplumber")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("engines")
    done: dict[str, Path] = {}

    def pdf(name: str, html: str) -> Path:
        if name not in done:
            done[name] = render.html_to_pdf(html, folder / f"{name}.pdf")
        return done[name]

    return pdf


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("entry", corpus_params(("html",)))
def test_printed_corpus_reports_same_tidy(entry, corpus_dir, printed, monkeypatch):
    """Chromium's PDFs: the same tidy data (a few text lines of the site navigation may differ
    in a space glyph pdfium reports as generated), the HTML report's values."""
    source = corpus_dir / entry["file"]
    pdf = printed(Path(entry["file"]).stem, source.read_text(encoding="utf-8"))
    frame = assert_same_tidy(pdf.read_bytes(), pdf.name, monkeypatch)
    html = govstats.read_report(source).tidy()
    assert frame["value"].tolist() == html["value"].tolist()


@pytest.mark.browser
@pytest.mark.slow
def test_printed_sample_same_tidy(printed, monkeypatch):
    html = write(read_document(SAMPLE.read_bytes(), SAMPLE.name), "html")
    pdf = printed("sample", html)
    assert_same_tidy(pdf.read_bytes(), pdf.name, monkeypatch)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize(
    "seed, year, style",
    [(3, 2022, "plain"), (5, 2023, "word"), (7, 2020, "break")],
)
def test_generated_reports_same_tidy(seed, year, style, printed, monkeypatch):
    """Generated reports printed to PDF (as the round-trip tests print them): the same tidy
    data with both engines, and the generated values."""
    generated = synth.generate_one(seed=seed, year=year, index=seed)
    html = synth.render(generated, "html")
    if style == "word":
        html = synth.word_html(html, seed)
    elif style == "break":
        html = render.break_before_row(html, "2.重复申请")
    pdf = printed(f"synth-{seed}-{year}-{style}", html)
    assert_same_tidy(pdf.read_bytes(), pdf.name, monkeypatch)
    for engine in ENGINES:
        report = read_with(engine, pdf.read_bytes(), pdf.name, monkeypatch)
        assert synth.differences(report, generated) == [], engine


def rebuilt(data: bytes, fill) -> bytes:
    """A new PDF that ``fill(source, out)`` builds from the PDF ``data`` (pypdfium2
    documents), saved to bytes."""
    import io

    import pypdfium2

    source, out = pypdfium2.PdfDocument(data), pypdfium2.PdfDocument.new()
    try:
        fill(source, out)
        buffer = io.BytesIO()
        out.save(buffer)
        return buffer.getvalue()
    finally:
        out.close()
        source.close()


def rotated_copy(data: bytes) -> bytes:
    """Every page turned into a landscape page with ``/Rotate 90`` and the content drawn
    rotated back (in a form XObject), so that the page displays upright as before."""
    import pypdfium2

    def fill(source, out) -> None:
        for i in range(len(source)):
            width, height = source[i].get_size()
            content = source.page_as_xobject(i, out).as_pageobject()
            content.transform(pypdfium2.PdfMatrix().rotate(90, ccw=True).translate(height, 0))
            page = out.new_page(height, width)
            page.insert_obj(content)
            page.gen_content()
            page.set_rotation(90)

    return rebuilt(data, fill)


def test_rotated_pages_drawn_upright_read_the_same(corpus_dir, monkeypatch):
    """/Rotate and a form XObject's matrix: the same tidy data as the original file."""
    data = hongze(corpus_dir)
    turned = rotated_copy(data)
    frame = assert_same_tidy(turned, "rotated.pdf", monkeypatch)
    original = read_with("pdfium", data, "rotated.pdf", monkeypatch).tidy()
    assert frame["value"].tolist() == original["value"].tolist()


# ---------------------------------------------------------------------------------------
# bounded and clear


def long_pdf(data: bytes, pages: int) -> bytes:
    """A document of ``pages`` pages: the report's pages over and over."""

    def fill(source, out) -> None:
        while len(out) < pages:
            out.import_pages(source, list(range(min(len(source), pages - len(out)))))

    return rebuilt(data, fill)


@pytest.mark.slow
def test_300_pages_end_in_a_result_or_clear_error(corpus_dir, monkeypatch):
    """A 300-page PDF (the report 60 times) ends within the fuzz test's time bound; pdfium
    closes each page as it goes."""
    data = long_pdf(hongze(corpus_dir), 300)
    monkeypatch.setenv(ENGINE_VARIABLE, "pdfium")
    survives(data, "300 pages")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda d: d[: len(d) // 2], id="truncated"),
        pytest.param(lambda d: d.replace(b"xref", b"xrex").replace(b"startxref", b"startxrex"),
                     id="xref"),
        pytest.param(lambda d: d.replace(b"stream", b"strea\x00", 3), id="streams"),
        pytest.param(lambda d: d[:9] + bytes(range(256)) * 50 + d[-2000:], id="middle"),
    ],
)  # fmt: skip
def test_damaged_pdfs_read_or_fail_clearly(engine, damage, corpus_dir, monkeypatch):
    monkeypatch.setenv(ENGINE_VARIABLE, engine)
    survives(damage(hongze(corpus_dir)), f"damaged ({engine})")


@pytest.mark.parametrize("engine", ENGINES)
def test_unreadable_pdfs_same_messages(engine, corpus_dir, tmp_path, monkeypatch):
    monkeypatch.setenv(ENGINE_VARIABLE, engine)
    with pytest.raises(ParseError, match=r"locked\.pdf: the PDF is encrypted"):
        govstats.read_report(_encrypted_pdf(), name="locked.pdf")
    scan = render.scanned_pdf(corpus_dir / HONGZE, tmp_path / "scan.pdf", page=1)
    with pytest.raises(ParseError, match=r"scan\.pdf: the PDF has no text layer .* 1 image"):
        govstats.read_report(scan.read_bytes(), name="scan.pdf")
    with pytest.raises(ParseError, match=r"empty\.pdf: the PDF (has no pages|is damaged)"):
        govstats.read_report(b"%PDF-1.7\n%%EOF", name="empty.pdf")


# ---------------------------------------------------------------------------------------
# the choice of engine, and ingestion's pool


def test_engine_chosen_in_one_place(monkeypatch):
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    assert pdf_engine() == "pdfium"
    monkeypatch.setenv(ENGINE_VARIABLE, "pdfplumber")
    assert pdf_engine() == "pdfplumber"
    assert pdf_engine("pdfium") == "pdfium"  # the argument wins
    monkeypatch.setenv(ENGINE_VARIABLE, "mupdf")
    with pytest.raises(ValueError, match="unknown PDF engine 'mupdf'.*GOVSTATS_PDF_ENGINE"):
        pdf_engine()


def test_cli_option_sets_the_engine_for_workers(monkeypatch):
    import os

    from govstats.cli import main

    monkeypatch.setenv(ENGINE_VARIABLE, "pdfium")  # restored after the test
    assert main(["--pdf-engine", "pdfplumber", "summary", str(SAMPLE)]) == 0
    assert os.environ[ENGINE_VARIABLE] == "pdfplumber"


def sources(n_text: int, n_pdf: int) -> list[_FileSource]:
    return [_FileSource(Path(f"r{i}.txt")) for i in range(n_text)] + [
        _FileSource(Path(f"r{i}.PDF")) for i in range(n_pdf)
    ]


def test_a_folder_of_pdfs_gets_worker_processes(monkeypatch):
    """Parse processes: a few PDFs weigh as much as many text files; stored contents count
    off; an explicit ``jobs`` always wins."""
    import govstats.store.ingestion as ingestion

    monkeypatch.setattr(ingestion, "default_jobs", lambda: 2)
    few_pdfs = -(-POOL_MIN_FILES // HEAVY_FILE_WEIGHT)
    assert parse_jobs(sources(0, few_pdfs), 0, None) == 2
    assert parse_jobs(sources(few_pdfs, 0), 0, None) == 1  # as many text files: in process
    assert parse_jobs(sources(POOL_MIN_FILES, 0), 0, None) == 2
    assert parse_jobs(sources(0, few_pdfs), POOL_MIN_FILES, None) == 1  # all stored already
    assert parse_jobs(sources(0, 1), 0, 3) == 3
    assert parse_jobs(sources(1000, 1000), 0, 1) == 1
