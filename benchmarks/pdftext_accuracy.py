"""Right / NA / WRONG cells of PDF-to-text output: the ``pdf-text`` form and real pdftotext.

    .venv/bin/python benchmarks/pdftext_accuracy.py                 # 500 + 500 pdf-text, 40 PDFs
    .venv/bin/python benchmarks/pdftext_accuracy.py --n 100 --pdf 0 # form only, quicker
    .venv/bin/python benchmarks/pdftext_accuracy.py --pdf 100 --workers 2

1. ``pdf-text`` (:mod:`govstats.toolforms.pdftext`): ``--n`` generated reports, plain and with
   the irregularities of ``tests/test_roundtrip.IRREGULAR`` (blank cells, label variants,
   units, merged columns, old table 1), read back and compared cell by cell with the truth.
2. Real tools: ``--pdf`` generated reports (half plain, half irregular) printed to PDF by
   headless Chromium, run through ``pdftotext -layout``, ``-raw``, bare ``pdftotext`` and
   ``markitdown`` (when installed), read back and compared.

``NA (ambiguous)``: cells the form declares ambiguous (a row with an empty cell among its
numbers, the row after a row printed without numbers), left NA: right by the form's nature.
``NA (missed)``: other cells left NA. ``WRONG``: a number that is not the truth, the figure
that must be 0. ``refused``: reports the reader refused (ParseError), all their cells NA.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from common import print_table

import govstats
from govstats import synth
from tests.support.score import HEADERS, Score, score, total

IRREGULAR = synth.Options(blank_rate=0.3, variant_rate=0.5, unit_rate=0.3, merged_rate=0.3, old_table1_rate=0.3)
MODES = {"pdftotext -layout": ["-layout"], "pdftotext -raw": ["-raw"], "pdftotext (bare)": []}


def _reports(n: int, options: synth.Options, seed: int) -> list[synth.GeneratedReport]:
    return [synth.generate_one(seed=seed + k, year=2019 + k % 7, index=(k * 37) % 2000, options=options) for k in range(n)]


def _read(data: bytes, name: str):
    try:
        return govstats.read_report(data, name=name)
    except govstats.ParseError:
        return None


def form_scores(n: int) -> list[list]:
    rows = []
    for label, options in (("plain", synth.PLAIN), ("irregular", IRREGULAR)):
        scores = []
        start = time.perf_counter()
        for report in _reports(n, options, seed=1000):
            text = synth.render(report, "pdf-text")
            got = _read(text.encode("utf-8"), f"{report.name}.txt")
            scores.append(score(got, report, synth.ambiguous_cells(report, "pdf-text")))
        t = total(scores)
        rows.append([f"pdf-text, {label}", n] + t.row() + [f"{time.perf_counter() - start:.0f}s"])
        _show_failures(f"pdf-text {label}", t)
    return rows


def _pdf_job(args) -> dict[str, Score]:
    """Render one report to PDF and score every tool's text of it (runs in a worker)."""
    index, options, workdir = args
    from tests.support.render import html_to_pdf

    report = synth.generate_one(seed=2000 + index, year=2019 + index % 7, index=(index * 37) % 2000, options=options)
    pdf = html_to_pdf(synth.render(report, "html"), Path(workdir) / f"{report.name}-{index}.pdf")
    ambiguous = synth.ambiguous_cells(report, "pdf-text")
    out: dict[str, Score] = {}
    for tool, flags in MODES.items():
        data = subprocess.run(["pdftotext", *flags, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True).stdout
        out[tool] = score(_read(data, f"{report.name}.{tool}.txt"), report, ambiguous)
    try:
        from markitdown import MarkItDown

        text = MarkItDown().convert(str(pdf)).text_content
        out["markitdown"] = score(_read(text.encode("utf-8"), f"{report.name}.md"), report, ambiguous)
    except ImportError:
        pass
    pdf.unlink()
    return out


def pdf_scores(n: int, workers: int) -> list[list]:
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for label, options in (("plain", synth.PLAIN), ("irregular", IRREGULAR)):
            count = n // 2 if label == "plain" else n - n // 2
            if not count:
                continue
            start = time.perf_counter()
            with ProcessPoolExecutor(workers) as pool:
                results = list(pool.map(_pdf_job, [(k, options, workdir) for k in range(count)]))
            for tool in results[0]:
                t = total(r[tool] for r in results)
                rows.append([f"{tool}, {label}", count] + t.row() + [f"{time.perf_counter() - start:.0f}s"])
                _show_failures(f"{tool} {label}", t)
    return rows


def _show_failures(what: str, t: Score) -> None:
    if t.wrong_cells:
        print(f"WRONG in {what}: {t.wrong_cells[:5]}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500, help="generated reports per option set for pdf-text")
    parser.add_argument("--pdf", type=int, default=40, help="generated PDFs through the real tools (0: none)")
    parser.add_argument("--workers", type=int, default=2, help="processes printing PDFs")
    args = parser.parse_args(argv)
    done = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True)
    print((done.stderr or done.stdout).splitlines()[0])
    rows = form_scores(args.n) if args.n else []
    if args.pdf:
        rows += pdf_scores(args.pdf, args.workers)
    print_table(["form / tool", "reports"] + HEADERS + ["time"], rows, title="PDF-to-text output read back, cell by cell")
    return 1 if any(r[6] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
