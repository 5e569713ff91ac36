"""Time a body's seven-year text comparison (govstats.narrative; run by hand).

Two series: the real 平潭 2019–2025 reports of ../shared/corpus (when present) and a generated
body's seven years with a narrative (govstats.synth.narrative). The sections are read once;
what is timed is ``compare_series`` over the seven years (six comparisons), best of 5, with
the sentence-key caches cleared before each run; and, for 平潭, the whole of
``govstats.narrative.body_comparisons`` from a store (``load_sections`` included). The target
is under 1 s per body. For the
method's choice, the same sections are also scored with ``difflib.SequenceMatcher.ratio`` (the
alternative measured in docs/narrative.md) and timed.

    .venv/bin/python benchmarks/bench_narrative.py
"""

from __future__ import annotations

import difflib
import tempfile
import time
from pathlib import Path

from common import print_table  # also puts the checkout on sys.path

import govstats
from govstats.narrative import body_comparisons, compare_series
from govstats.narrative import text as narrative_text
from govstats.narrative.compare import by_code
from govstats.synth import generate
from govstats.synth.narrative import narrate
from govstats.synth.printing import render
from tests.support.checkout import CORPUS_DIR

YEARS = range(2019, 2026)


def pingtan() -> dict | None:
    paths = {y: CORPUS_DIR / "raw" / f"{y}_pingtan_html.html" for y in YEARS}
    if not all(p.is_file() for p in paths.values()):
        return None
    return {y: govstats.read_report(p).sections for y, p in paths.items()}


def generated() -> dict:
    reports = narrate(generate(1, YEARS, seed=1), seed=1)
    return {r.year: govstats.read_report(render(r, "html").encode()).sections for r in reports}


def timed(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        narrative_text.exact_key.cache_clear()
        narrative_text.number_key.cache_clear()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def difflib_all(series: dict) -> None:
    for y in sorted(series)[1:]:
        now, then = by_code(series[y]), by_code(series[y - 1])
        for code in now.keys() & then.keys():
            a = narrative_text.number_key(now[code][1])
            b = narrative_text.number_key(then[code][1])
            difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def main() -> None:
    rows = []
    for name, series in (("平潭 2019–2025", pingtan()), ("generated body", generated())):
        if series is None:
            print(f"{name}: corpus absent, skipped")
            continue
        chars = sum(len(s.text) for sections in series.values() for s in sections)
        seconds = timed(lambda series=series: compare_series(series))
        rows.append(
            [
                name,
                f"{chars:,}",
                f"{seconds * 1000:.1f} ms",
                f"{timed(lambda series=series: difflib_all(series)) * 1000:.1f} ms",
                "yes" if seconds < 1.0 else "NO",
            ]
        )
    paths = [CORPUS_DIR / "raw" / f"{y}_pingtan_html.html" for y in YEARS]
    if all(p.is_file() for p in paths):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.duckdb"
            govstats.ingest(paths, db=db, progress=False, jobs=1)
            seconds = timed(lambda: body_comparisons("pingtan", db=db))
        rows.append(
            [
                "平潭, from the store",
                "",
                f"{seconds * 1000:.1f} ms",
                "",
                "yes" if seconds < 1.0 else "NO",
            ]
        )
    print_table(
        ["series (7 years)", "text chars", "compare_series", "difflib ratio only", "under 1 s"],
        rows,
    )


if __name__ == "__main__":
    main()
