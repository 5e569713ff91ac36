"""Parse rate of ``govstats.read_report`` on the real corpus (non-PDF reports), one core.

    .venv/bin/python benchmarks/bench_corpus_parse.py             # best of 5 runs per report
    .venv/bin/python benchmarks/bench_corpus_parse.py --repeat 10 --pdf   # include the PDF too

Reads ``../shared/corpus/manifest.json``; prints one line per report (format, size, time per
read, the time ``lxml.html.document_fromstring`` alone takes on the same HTML and the ratio of
the two (target: ≤ 3×), values read, whether they match the truth file) and the overall rate
in reports per second on one core (the sum of per-report best times).

Each HTML page is also written out as the text formats a report is published in (pipe text,
plain text, markdown; :mod:`govstats.synth.writing`) and that text is read: the same report as text,
compared with lxml on its page ("→ txt-pipe" lines). The corpus's own text report has no page
to compare with. The two timings of a line are taken in turn, best of ``--repeat`` each, so a
machine that slows down meanwhile slows both.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import partial

from common import best_of, pin_one_core, print_table

import govstats
from govstats.reading import read_document
from govstats.synth.writing import write
from tests.support.checkout import CORPUS_DIR

#: the text formats each HTML page is also read in
TEXT_FORMATS = ("txt-pipe", "txt-plain", "markdown")


def best_pair(first, second, repeat: int) -> tuple[float, float]:
    """Best times of ``first()`` and ``second()``, timed in turn ``repeat`` times."""
    a = b = float("inf")
    for _ in range(repeat):
        a = min(a, best_of(first, 1))
        b = min(b, best_of(second, 1))
    return a, b


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="timing runs per report, best kept (default 5)"
    )
    parser.add_argument("--pdf", action="store_true", help="include PDF reports")
    args = parser.parse_args(argv)
    manifest = CORPUS_DIR / "manifest.json"
    if not manifest.is_file():
        print(f"corpus absent: {manifest}", file=sys.stderr)
        return 2
    import lxml.html

    print(pin_one_core())
    rows, total = [], 0.0
    nan = float("nan")
    sums = {fmt: [0.0, 0.0] for fmt in ("html",) + TEXT_FORMATS}
    for entry in json.loads(manifest.read_text(encoding="utf-8")):
        if entry["format"].startswith("pdf") and not args.pdf:
            continue
        data = (CORPUS_DIR / entry["file"]).read_bytes()
        report = govstats.read_report(data, name=entry["file"])
        name = entry["file"].split("/")[-1]
        matches = "-"
        if entry.get("truth"):
            truth = json.loads((CORPUS_DIR / entry["truth"]).read_text(encoding="utf-8"))["values"]
            expected = {
                (t, i, c): v
                for t, its in truth.items()
                for i, cs in its.items()
                for c, v in cs.items()
            }
            matches = "yes" if _same(report, expected) else "NO"
        fmt = entry["format"].split(" ")[0]
        if not fmt.startswith("html"):
            seconds = best_of(partial(govstats.read_report, data, name=entry["file"]), args.repeat)
            total += seconds
            rows.append(
                [
                    name,
                    fmt,
                    len(data) / 1e3,
                    seconds * 1e3,
                    nan,
                    nan,
                    "-",
                    len(report.values),
                    matches,
                ]
            )
            continue
        seconds, base = best_pair(
            partial(govstats.read_report, data, name=entry["file"]),
            partial(lxml.html.document_fromstring, data),
            args.repeat,
        )
        total += seconds
        sums[fmt][0] += seconds
        sums[fmt][1] += base
        rows.append(
            [
                name,
                fmt,
                len(data) / 1e3,
                seconds * 1e3,
                base * 1e3,
                seconds / base,
                "ok" if seconds <= 3 * base else "SLOW",
                len(report.values),
                matches,
            ]
        )
        document = read_document(data, entry["file"])
        for text_fmt in TEXT_FORMATS:
            text = write(document, text_fmt).encode("utf-8")
            as_text = govstats.read_report(text, name=f"{name}.{text_fmt}")
            same = (
                "yes"
                if {k: v.value for k, v in as_text.values.items()}
                == {k: v.value for k, v in report.values.items()}
                else "NO"
            )
            t_seconds, t_base = best_pair(
                partial(govstats.read_report, text, name=f"{name}.{text_fmt}"),
                partial(lxml.html.document_fromstring, data),
                args.repeat,
            )
            sums[text_fmt][0] += t_seconds
            sums[text_fmt][1] += t_base
            rows.append(
                [
                    f"  → {text_fmt}",
                    text_fmt,
                    len(text) / 1e3,
                    t_seconds * 1e3,
                    t_base * 1e3,
                    t_seconds / t_base,
                    "ok" if t_seconds <= 3 * t_base else "SLOW",
                    len(as_text.values),
                    f"{same} (as page)",
                ]
            )
    print_table(
        ["report", "format", "KB", "ms/read", "lxml ms", "ratio", "<=3x", "values", "truth"],
        rows,
        title=(
            "read_report on the corpus (lxml ms: "
            "lxml.html.document_fromstring alone on the same HTML)"
        ),
    )
    reports = sum(1 for r in rows if not r[0].startswith("  →"))
    print(
        f"\n{reports} reports in {total:.3f} s → {reports / total:.1f} reports/second on one core"
    )
    oneline_rows, one_sum, pipe_sum = _oneline_against_pipe(args.repeat)
    print_table(
        [
            "report",
            "one paragraph KB",
            "ms/read",
            "as txt-pipe ms",
            "ratio",
            "<=1.5x",
            "same values",
        ],
        oneline_rows,
        title=(
            "\nOne-paragraph text (BeautifulSoup get_text(''); the crawled "
            "corpus text as it is) against the same report as pipe text"
        ),
    )
    if pipe_sum:
        print(
            f"all together: {one_sum * 1e3:.2f} ms against {pipe_sum * 1e3:.2f} "
            f"ms → {one_sum / pipe_sum:.2f}× (target ≤ 1.5×)"
        )
    print_table(
        ["read as", "ms/read (sum)", "lxml ms (sum)", "ratio", "<=3x"],
        [
            [fmt, a * 1e3, b * 1e3, a / b, "ok" if a <= 3 * b else "SLOW"]
            for fmt, (a, b) in sums.items()
            if b
        ],
        title="\nAll HTML pages together, and the same reports as text, against lxml on the pages",
    )
    return 0


def _oneline_against_pipe(repeat: int) -> tuple[list, float, float]:
    """Each corpus HTML page as one paragraph (its text nodes joined with nothing, as
    BeautifulSoup ``get_text("")`` gives it) and each crawled one-paragraph corpus text, timed
    against the same report written as pipe text (its Document, :mod:`govstats.synth.writing`)."""
    from bs4 import BeautifulSoup

    from govstats.reading.decode import decode

    rows, one_sum, pipe_sum = [], 0.0, 0.0
    for entry in json.loads((CORPUS_DIR / "manifest.json").read_text(encoding="utf-8")):
        fmt = entry["format"].split(" ")[0]
        data = (CORPUS_DIR / entry["file"]).read_bytes()
        name = entry["file"].split("/")[-1]
        if fmt.startswith("html"):
            text, _encoding = decode(data, name)
            data = BeautifulSoup(text, "lxml").get_text("").encode("utf-8")
        elif "oneline" not in fmt:
            continue
        report = govstats.read_report(data, name=name)
        pipe = write(read_document(data, name), "txt-pipe").encode("utf-8")
        as_pipe = govstats.read_report(pipe, name=f"{name}.txt-pipe")
        same = {k: v.value for k, v in as_pipe.values.items()} == {
            k: v.value for k, v in report.values.items()
        }
        one, base = best_pair(
            partial(govstats.read_report, data, name=name),
            partial(govstats.read_report, pipe, name=name),
            repeat,
        )
        one_sum += one
        pipe_sum += base
        rows.append(
            [
                name,
                len(data) / 1e3,
                one * 1e3,
                base * 1e3,
                one / base,
                "ok" if one <= 1.5 * base else "SLOW",
                "yes" if same else "NO",
            ]
        )
    return rows, one_sum, pipe_sum


def _same(report, expected: dict) -> bool:
    got = {k: v.value for k, v in report.values.items()}
    return set(expected) == set(got) and all(
        (expected[k] is None and got[k] is None) or abs((expected[k] or 0) - (got[k] or 0)) < 1e-6
        for k in expected
    )


if __name__ == "__main__":
    sys.exit(main())
