"""Parse rate of ``govstats.read_report`` on the real corpus (non-PDF reports), one core.

    .venv/bin/python benchmarks/bench_corpus_parse.py             # best of 5 runs per report
    .venv/bin/python benchmarks/bench_corpus_parse.py --repeat 10 --pdf   # include the PDF too

Reads ``../shared/corpus/manifest.json``; prints one line per report (format, size, time per
read, the time ``lxml.html.document_fromstring`` alone takes on the same HTML and the ratio of
the two (target: ≤ 3×; text formats have no HTML to compare with), values read, whether they
match the truth file) and the overall rate in reports per second on one core (the sum of
per-report best times).
"""

from __future__ import annotations

import argparse
import json
import sys

from common import best_of, pin_one_core, print_table

import govstats
from govstats.config import CORPUS_DIR


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timing runs per report, best kept (default 5)")
    parser.add_argument("--pdf", action="store_true", help="include PDF reports")
    args = parser.parse_args(argv)
    manifest = CORPUS_DIR / "manifest.json"
    if not manifest.is_file():
        print(f"corpus absent: {manifest}", file=sys.stderr)
        return 2
    import lxml.html

    print(pin_one_core())
    rows, total = [], 0.0
    for entry in json.loads(manifest.read_text(encoding="utf-8")):
        if entry["format"].startswith("pdf") and not args.pdf:
            continue
        data = (CORPUS_DIR / entry["file"]).read_bytes()
        report = govstats.read_report(data, name=entry["file"])
        seconds = best_of(lambda: govstats.read_report(data, name=entry["file"]), args.repeat)
        total += seconds
        matches = "-"
        if entry.get("truth"):
            truth = json.loads((CORPUS_DIR / entry["truth"]).read_text(encoding="utf-8"))["values"]
            expected = {(t, i, c): v for t, its in truth.items() for i, cs in its.items() for c, v in cs.items()}
            got = {k: v.value for k, v in report.values.items()}
            matches = "yes" if all(
                (expected.get(k) is None and got.get(k) is None) or abs((expected.get(k) or 0) - (got.get(k) or 0)) < 1e-6
                for k in set(expected) | set(got)
            ) and set(expected) == set(got) else "NO"
        fmt = entry["format"].split(" ")[0]
        if fmt.startswith("html"):
            base = best_of(lambda: lxml.html.document_fromstring(data), args.repeat)
            lxml_ms, ratio, verdict = base * 1e3, seconds / base, "ok" if seconds <= 3 * base else "SLOW"
        else:
            lxml_ms = ratio = float("nan")
            verdict = "-"
        rows.append([entry["file"].split("/")[-1], fmt, len(data) / 1e3, seconds * 1e3, lxml_ms, ratio, verdict,
                     len(report.values), matches])
    print_table(["report", "format", "KB", "ms/read", "lxml ms", "ratio", "<=3x", "values", "truth"], rows,
                title="read_report on the corpus (lxml ms: lxml.html.document_fromstring alone on the same HTML)")
    print(f"\n{len(rows)} reports in {total:.3f} s → {len(rows) / total:.1f} reports/second on one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
