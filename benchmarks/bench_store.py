"""The store: ingest rate for >= 10,000 reports, and one body's series from the store vs Parquet.

    .venv/bin/python benchmarks/bench_store.py           # 10,003 reports (1,429 bodies x 2019-2025)
    .venv/bin/python benchmarks/bench_store.py --n 2000  # a quick run

Generated reports (``govstats.synth``, fictional 示例 bodies) are handed to
``govstats.store.add_reports`` as ``Report`` objects, so this measures the store, not the parser
(``bench_ingest.py`` measures files end to end). Printed:

1. ingest: reports/s and rows/s into a fresh store (whole reports, 500 per transaction), and
   for comparison one transaction per report on the first 500; store size on disk;
2. one body's full series (7 years, ~1,400 rows) as a tidy frame: ``govstats.load(db,
   body=...)`` (opens the file read-only each time, as a notebook does) next to the same
   query on a plain Parquet file of the same rows (``govstats.export``) with
   ``pandas.read_parquet(filters=...)`` and with DuckDB over the Parquet file;
3. the whole store: load every value, the year-over-year checks, and ``check --db``.
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from common import dir_size_mb, print_table  # noqa: E402  (puts the checkout on sys.path)


def median_ms(fn, repeat: int = 9) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--n", type=int, default=10_000, help="at least this many reports (default 10,000)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()

    import duckdb
    import pandas as pd

    from govstats import store, synth

    years = range(2019, 2026)
    n_bodies = math.ceil(args.n / len(years))
    work = Path(tempfile.mkdtemp(prefix="bench_store_"))
    db = work / "store.duckdb"

    start = time.perf_counter()
    reports = [synth.to_report(g) for g in synth.generate(n_bodies, years, seed=2026)]
    prep = time.perf_counter() - start
    n, rows = len(reports), sum(len(r.values) for r in reports)

    start = time.perf_counter()
    summary = store.add_reports(reports, db)
    wall = time.perf_counter() - start
    assert summary.read == n, summary.line()

    single_db = work / "single.duckdb"
    sample = reports[:500]
    start = time.perf_counter()
    store.add_reports(sample, single_db, batch=1)
    single = time.perf_counter() - start
    single_rows = sum(len(r.values) for r in sample)

    start = time.perf_counter()
    again = store.add_reports(reports, db)
    rerun = time.perf_counter() - start
    assert again.skipped == n

    print_table(
        ["what", "reports", "rows", "seconds", "reports/s", "rows/s", "store MB"],
        [
            [
                "ingest, 500 reports per transaction",
                n,
                rows,
                wall,
                n / wall,
                rows / wall,
                dir_size_mb(db),
            ],
            [
                "ingest, 1 report per transaction",
                len(sample),
                single_rows,
                single,
                len(sample) / single,
                single_rows / single,
                dir_size_mb(single_db),
            ],
            ["re-ingest the same (all skipped)", n, 0, rerun, n / rerun, 0.0, dir_size_mb(db)],
        ],  # fmt: skip
        title=f"store ingest ({n:,} generated reports, {n_bodies:,} bodies x {len(years)} years; "
        f"generating them took {prep:.1f} s, not counted)",
    )

    parquet = store.export(db, work / "values.parquet")
    body = reports[len(reports) // 2].body
    from_store = store.load(db, body=body)
    slug = store.find_body(body, db)["slug"]
    assert len(store.load(db, body=slug)) == len(from_store)
    from_parquet = pd.read_parquet(parquet, filters=[("body", "==", body)])
    assert (
        len(from_store)
        == len(from_parquet)
        == sum(len(r.values) for r in reports if r.body == body)
    )

    def duckdb_parquet():
        con = duckdb.connect()
        try:
            return con.sql(
                f"SELECT * FROM read_parquet('{parquet}') WHERE body = ?", params=[body]
            ).df()
        finally:
            con.close()

    print()
    print_table(
        ["query: one body, all years", "rows", "median ms"],
        [
            [
                "govstats.load(db, body=...)  [DuckDB store]",
                len(from_store),
                median_ms(lambda: store.load(db, body=body)),
            ],
            [
                "govstats.load(db, body=slug)  [unregistered: fallback slug]",
                len(from_store),
                median_ms(lambda: store.load(db, body=slug)),
            ],
            [
                "govstats.find_body(slug) + load  [bodies() of all bodies]",
                len(from_store),
                median_ms(lambda: store.load(db, body=store.find_body(slug, db)["body"])),
            ],
            [
                "pandas.read_parquet(filters=body==...)",
                len(from_parquet),
                median_ms(lambda: pd.read_parquet(parquet, filters=[("body", "==", body)])),
            ],
            ["duckdb over the Parquet file", len(from_parquet), median_ms(duckdb_parquet)],
        ],  # fmt: skip
        title=(
            f"one body's series ({body}) from a store of {n:,} "
            f"reports; Parquet file {dir_size_mb(parquet):.1f} MB"
        ),
    )
    from govstats.checks import crossyear

    start = time.perf_counter()
    everything = store.load(db)
    t_load = time.perf_counter() - start
    start = time.perf_counter()
    year_over_year = crossyear.findings(everything)
    t_crossyear = time.perf_counter() - start
    start = time.perf_counter()
    all_findings = crossyear.check_store(db)
    t_check = time.perf_counter() - start
    print()
    print_table(
        ["whole store", "rows / findings", "seconds"],
        [
            ["govstats.load(db)  [every current value]", len(everything), t_load],
            ["crossyear.findings(frame)  [year-over-year]", len(year_over_year), t_crossyear],
            ["crossyear.check_store(db)  [= govstats check --db]", len(all_findings), t_check],
        ],
        title="checks over the whole store (generated data is consistent: expect 0 findings)",
    )
    if args.keep:
        print(f"\nkept {work}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
