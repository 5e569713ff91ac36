"""Ingest 10,000 and 100,000 generated reports into a fresh store; then query it.

    .venv/bin/python benchmarks/bench_ingest.py                      # 10k and 100k, store path
    .venv/bin/python benchmarks/bench_ingest.py --n 2000             # a quick run
    .venv/bin/python benchmarks/bench_ingest.py --n 10000 --mode files   # parse files, then store

Two ways in (``--mode``):

* ``reports`` — generated reports handed to ``govstats.store.add_reports`` as ``Report``
  objects (``synth.to_report``): the store's own cost, no parsing.
* ``files`` — the reports written as files first (not timed; ``--format``, default txt-pipe),
  then ``govstats.store.ingest`` on the folder: reading + parsing + storing, as a user runs it.

Each size runs in a fresh subprocess so its peak memory (max RSS) is its own. After the ingest
the run registers the generated bodies' region codes and times one body's full series
(``store.load(body=…)``, target < 50 ms) and one region-year comparison (``store.load(region=…,
years=…, table="requests")`` pivoted to one row per body). Targets: 100,000 reports in under
10 minutes, peak memory under 2 GB. ``--mode files`` parses in ``--jobs`` processes
(default: the core count); peak memory is then the largest sum of the resident memory of the
ingest and its worker processes (sampled every 0.2 s), CPU seconds include the workers'.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import best_of, dir_size_mb, peak_rss_mb, print_table

YEARS = range(2019, 2026)


class TreeMemory:
    """Samples (every 0.2 s, in a thread) the resident memory of this process plus its
    descendants (the parse workers): ``peak_mb`` is the largest sum seen; also keeps each
    descendant's last CPU time."""

    def __init__(self):
        import psutil

        self.me = psutil.Process()
        self.peak_mb = 0.0
        self.cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.wait(0.2):
            total = 0
            for proc in [self.me, *self.me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                    if proc.pid != self.me.pid:
                        times = proc.cpu_times()
                        self.cpu[proc.pid] = times.user + times.system
                except psutil.Error:
                    continue
            self.peak_mb = max(self.peak_mb, total / 2**20)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def children_cpu(self) -> float:
        return sum(self.cpu.values())


def run_one(n: int, mode: str, fmt: str, seed: int, workdir: Path, jobs: int | None = None) -> dict:
    """Ingest ``n`` generated reports into ``workdir/store.duckdb``; return the measurements."""
    import pandas as pd

    from govstats import store, synth

    n_bodies = -(-n // len(YEARS))
    db = workdir / "store.duckdb"

    def reports():
        for i, report in enumerate(synth.generate(n_bodies, YEARS, seed=seed)):
            if i >= n:
                return
            yield report

    prep = 0.0
    tree = TreeMemory()
    cpu0 = time.process_time()
    if mode == "files":
        start = time.perf_counter()
        synth.write_corpus(reports(), workdir / "corpus", [fmt])
        shutil.rmtree(workdir / "corpus" / "truth")
        prep = time.perf_counter() - start
        cpu0 = time.process_time()  # the ingest's CPU, not the writing of the files
        tree.cpu.clear()
        start = time.perf_counter()
        summary = store.ingest([workdir / "corpus" / "raw"], db, progress=False, jobs=jobs)
        wall = time.perf_counter() - start
    else:
        start = time.perf_counter()
        summary = store.add_reports((synth.to_report(r) for r in reports()), db)
        wall = time.perf_counter() - start
    stored = summary.read
    cpu = time.process_time() - cpu0  # this process, all threads (DuckDB's too)
    tree.stop()
    cpu += tree.children_cpu()  # the parse workers (and their forkserver)
    peak = max(peak_rss_mb(), tree.peak_mb)

    bodies = pd.DataFrame(
        [
            {
                "body": b.name,
                "slug": b.slug,
                "region_code": b.region_code,
                "region_name": b.region_name,
                "level": b.level,
            }
            for b in (synth.make_body(i, seed) for i in range(n_bodies))
        ]
    )
    store.register_bodies(bodies, db)
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute('SELECT count(*) FROM "values"').fetchone()[0]
    one_body = bodies.loc[len(bodies) // 2]
    series = store.load(db, body=one_body["body"])
    t_series = best_of(lambda: store.load(db, body=one_body["body"]), 5)
    region = (
        one_body["region_code"][:4] + "00"
    )  # the body's city: its government, departments, counties

    def comparison():
        frame = store.load(db, region=region, years=2023, table="requests")
        frame = frame[frame["column"] == "total"]
        return frame.pivot_table(index="body", columns="item", values="value", aggfunc="first")

    compared = comparison()
    t_region = best_of(comparison, 5)
    return {
        "n": n,
        "mode": mode,
        "stored": stored,
        "failed": summary.failed,
        "prep_s": prep,
        "wall_s": wall,
        "cpu_s": cpu,
        "rows": rows,
        "store_mb": dir_size_mb(db),
        "peak_mb": peak,
        "series_rows": len(series),
        "series_ms": t_series * 1000,
        "region": region,
        "region_bodies": len(compared),
        "region_ms": t_region * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n",
        type=int,
        nargs="*",
        default=[10_000, 100_000],
        help="report counts (default 10000 100000)",
    )
    parser.add_argument("--mode", choices=["reports", "files"], default="reports")
    parser.add_argument(
        "--format", default="txt-pipe", help="file format in --mode files (default txt-pipe)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--jobs", type=int, help="parse processes in --mode files (default: the core count)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the stores (printed paths)")
    parser.add_argument(
        "--one", type=int, help=argparse.SUPPRESS
    )  # internal: run one size, print JSON
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one is not None:
        print(
            json.dumps(
                run_one(args.one, args.mode, args.format, args.seed, Path(args.workdir), args.jobs)
            )
        )
        return 0

    rows = []
    for n in args.n:
        workdir = Path(tempfile.mkdtemp(prefix=f"govstats-bench-{n}-"))
        try:
            cmd = [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--mode",
                args.mode,
                "--format",
                args.format,
                "--seed",
                str(args.seed),
                "--workdir",
                str(workdir),
            ] + (["--jobs", str(args.jobs)] if args.jobs else [])
            env = dict(os.environ, CI="true")
            out = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if out.returncode:
                print(out.stderr, file=sys.stderr)
                return out.returncode
            m = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            if args.keep:
                print(f"kept {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
        rows.append(
            [
                m["n"],
                m["mode"],
                m["stored"],
                m["failed"],
                m["wall_s"],
                m["cpu_s"],
                m["stored"] / m["wall_s"],
                m["rows"] / m["wall_s"],
                m["store_mb"],
                m["peak_mb"],
                m["series_ms"],
                m["region_ms"],
                m["region_bodies"],
            ]
        )
        print(f"done n={n}: {m}", file=sys.stderr)
    print_table(
        [
            "reports",
            "mode",
            "stored",
            "failed",
            "wall s",
            "cpu s",
            "reports/s",
            "rows/s",
            "store MB",
            "peak MB",
            "series ms",
            "region ms",
            "region bodies",
        ],
        rows,
        title="\ningest into a fresh store "
        f"({args.mode}{' ' + args.format if args.mode == 'files' else ''}); "
        "targets: 100k < 600 s, peak < 2048 MB, series < 50 ms",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
