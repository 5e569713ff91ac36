"""PDF (and Word) parse rate on one core, next to the PDF library alone extracting the text.

    .venv/bin/python benchmarks/bench_pdf.py              # corpus PDF + corpus HTML printed to PDF
    .venv/bin/python benchmarks/bench_pdf.py --repeat 1   # quicker
    .venv/bin/python benchmarks/bench_pdf.py --keep DIR   # keep (and reuse) the printed PDFs

The files are the real PDF of the corpus (淮安市洪泽区人民政府 2023) and every corpus HTML report
printed to PDF by headless Chromium (the full page as a reader would print it, site navigation
included), printed once before timing. For each file the table gives the time
``govstats.read_report`` takes (PDF reader + label extraction + checks-ready tidy data), the
time ``govstats.reading.pdf.read_pdf`` alone takes (the reader intermediate), ``read_report``
again with the pdfplumber engine (``GOVSTATS_PDF_ENGINE=pdfplumber``), and the time pdfplumber
alone takes to open the file and ``extract_text()`` every page (target: read_report at least
5× faster than that). All in one run, best of ``--repeat``, one core. The second table does the
same for the reports written as .docx (python-docx alone: open and read every paragraph and
table cell).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import common
from common import pin_one_core, print_table

import govstats
from govstats.reading import read_document
from govstats.reading.docx import read_docx
from govstats.reading.pdf import ENGINE_VARIABLE, read_pdf
from tests.support.checkout import CORPUS_DIR


def printed_pdfs(folder: Path) -> list[Path]:
    """The corpus PDFs, and the corpus HTML reports printed to PDF into ``folder``."""
    from tests.support import render

    files = sorted((CORPUS_DIR / "raw").glob("*.pdf"))
    for html in sorted((CORPUS_DIR / "raw").glob("*.html")):
        out = folder / f"{html.stem}.pdf"
        if not out.is_file():
            try:
                render.html_to_pdf(html.read_text(encoding="utf-8"), out)
            except BaseException as exc:  # chromium missing: pytest.skip raises a BaseException
                print(f"(not printed: {html.name}: {exc})", file=sys.stderr)
                continue
        files.append(out)
    return files


def pdfplumber_text(data: bytes) -> None:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            page.extract_text()


def page_count(data: bytes) -> int:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def python_docx_text(data: bytes) -> None:
    import docx

    word = docx.Document(io.BytesIO(data))
    for p in word.paragraphs:
        _ = p.text  # the property extracts the text: the work being timed
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                _ = cell.text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3, help="timing runs, best kept (default 3)")
    parser.add_argument(
        "--keep", type=Path, help="folder for the printed PDFs (reused when present)"
    )
    parser.add_argument(
        "--clock", choices=["cpu", "wall"], default="cpu",
        help="time this process's CPU (default; steady on a shared machine) or the wall clock",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not (CORPUS_DIR / "manifest.json").is_file():
        print(f"corpus absent: {CORPUS_DIR}", file=sys.stderr)
        return 1
    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench_pdf_"))
    folder.mkdir(parents=True, exist_ok=True)
    files = printed_pdfs(folder)
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    best_of = partial(common.best_of, clock=clock)
    print(pin_one_core(), f"; {len(files)} PDFs; best of {args.repeat}, {args.clock} time")

    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    rows, totals = [], [0.0, 0.0, 0.0, 0.0]
    for path in files:
        data = path.read_bytes()
        report = govstats.read_report(data, name=path.name)
        ours = best_of(partial(govstats.read_report, data, name=path.name), args.repeat)
        reader = best_of(partial(read_pdf, data, path.name), args.repeat)
        os.environ[ENGINE_VARIABLE] = "pdfplumber"
        try:
            fallback = best_of(partial(govstats.read_report, data, name=path.name), args.repeat)
        finally:
            del os.environ[ENGINE_VARIABLE]
        plumber = best_of(partial(pdfplumber_text, data), args.repeat)
        pages = page_count(data)
        totals = [totals[0] + ours, totals[1] + reader, totals[2] + fallback, totals[3] + plumber]
        rows.append(
            [path.name, pages, len(report.tidy()), ours, reader, fallback, plumber, plumber / ours]
        )
    rows.append(["TOTAL", "", "", *totals, totals[3] / totals[0]])
    print_table(
        [
            "file", "pages", "values", "read_report s", "read_pdf s", "read_report pdfplumber s",
            "pdfplumber text s", "speed-up",
        ],
        rows,
        title="\nPDF: govstats.read_report (pdfium engine, the default; and the pdfplumber engine)"
        " vs pdfplumber alone (extract_text of every page); speed-up = pdfplumber text / "
        "read_report",
    )  # fmt: skip
    print(
        f"\nPDF parse rate: {len(files) / totals[0]:.2f} reports/s per core (read_report, pdfium); "
        f"{len(files) / totals[2]:.2f} with the pdfplumber engine; pdfplumber's text alone: "
        f"{len(files) / totals[3]:.2f} files/s; read_report is {totals[3] / totals[0]:.1f}× "
        "faster than pdfplumber's text extraction (target ≥ 5×)"
    )

    word_rows, word_totals = [], [0.0, 0.0]
    from tests.support import render

    for html in sorted((CORPUS_DIR / "raw").glob("*.html")):
        doc = read_document(html.read_bytes(), html.name)
        data = render.document_to_docx(doc, folder / f"{html.stem}.docx").read_bytes()
        ours = best_of(partial(govstats.read_report, data, name=html.name), args.repeat)
        lib = best_of(partial(python_docx_text, data), args.repeat)
        reader = best_of(partial(read_docx, data, html.name), args.repeat)
        word_totals = [word_totals[0] + ours, word_totals[1] + lib]
        word_rows.append([f"{html.stem}.docx", ours, reader, lib, ours / lib])
    if word_rows:
        word_rows.append(
            ["TOTAL", word_totals[0], "", word_totals[1], word_totals[0] / word_totals[1]]
        )
        print_table(
            ["file", "read_report s", "read_docx s", "python-docx text s", "ratio"],
            word_rows,
            title="\nWord: govstats.read_report vs python-docx alone (every paragraph and cell)",
        )
        print(
            f"\nWord parse rate: {(len(word_rows) - 1) / word_totals[0]:.1f} "
            "reports/s (read_report, one core)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
