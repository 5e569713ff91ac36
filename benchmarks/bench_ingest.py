"""Ingest 10,000 and 100,000 generated reports into a fresh store; then query it.

    .venv/bin/python benchmarks/bench_ingest.py                      # 10k and 100k, store path
    .venv/bin/python benchmarks/bench_ingest.py --n 2000             # a quick run
    .venv/bin/python benchmarks/bench_ingest.py --n 10000 --mode files   # parse files, then store

Two ways in (``--mode``):

* ``reports`` — generated reports handed to ``govstats.store.add_reports`` as ``Report``
  objects (``synth.to_report``): the store's own cost, no parsing.
* ``files`` — the reports written as files first (not timed; ``--format``, default txt-pipe),
  then ``govstats.store.ingest`` on the folder: reading + parsing + storing, as a user runs it.
  ``--format pdf`` prints the reports with headless Chromium (50 to a run, split per report;
  cached in ``--pdf-cache DIR`` so that a second run reuses them), e.g.
  ``bench_ingest.py --mode files --format pdf --n 1000 --jobs 2 --pdf-cache /tmp/pdfs``.

Body names (``--names``): ``generated`` (the generator's fictional 示例 bodies, resolved
through the bodies registered in the store) or ``real`` (each generated body renamed to a real
government or department, ``<region>人民政府`` / ``<region>财政局`` over the division index, so
that every distinct name is resolved against the index at ingest).

Resolution's cost (``--resolution``): each size is ingested twice in the same run, once with
body resolution switched off (the writer's placer replaced by a stub that resolves nothing) and
once as shipped (``--repeat K``: K such pairs, alternating, so that both see the same load
of a shared machine); the table gives every run and the ratio of the fastest of each (target:
at most 1.05). On a loaded machine the CPU ratio is the steadier figure.

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
import dataclasses
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


def real_names(count: int) -> list[str]:
    """``count`` distinct real-form body names over the division index: the governments of
    the prefectures and counties, then their 财政局."""
    from govstats.store.divisions import load_divisions

    divisions = load_divisions()
    places = [
        divisions.region_name(c) for c in sorted(divisions.by_code)
        if len(c) == 6 and not c.endswith("0000") and c[:2] not in ("71", "81", "82")
    ]  # fmt: skip
    names = [f"{p}人民政府" for p in places] + [f"{p}财政局" for p in places]
    if count > len(names):
        raise SystemExit(f"--names real: at most {len(names)} bodies")
    return names[:count]


def switch_off_resolution() -> None:
    """Replace the writer's placer by one that resolves nothing (what ingest did before)."""
    from govstats.store import ingestion, writer

    class NoPlacer:
        @classmethod
        def for_store(cls, con):
            return cls()

        def row(self, name, text, path):
            return (None,) * 5 + ("unknown: resolution switched off", "", "[]", None)

    writer.Placer = NoPlacer
    ingestion.needs_text = lambda name: False


#: generated reports printed to PDF per Chromium run (one page-broken HTML, split afterwards)
PRINT_BATCH = 50


def printed_pdfs(reports: list, cache: Path) -> list[Path]:
    """Each report printed to ``cache/<name>.pdf`` by headless Chromium (as bodies publish
    them), the files already there reused. Chromium costs seconds per start, so reports are
    printed :data:`PRINT_BATCH` at a time as one HTML page (each report from a new page) and the
    result is split where each report's title page begins."""
    import io

    import lxml.html
    import pypdfium2

    from govstats import synth
    from tests.support import render

    cache.mkdir(parents=True, exist_ok=True)
    out = [cache / f"{r.name}.pdf" for r in reports]
    todo = [r for r, path in zip(reports, out, strict=True) if not path.is_file()]
    for k in range(0, len(todo), PRINT_BATCH):
        chunk = todo[k : k + PRINT_BATCH]
        titles, sections = [], []
        for report in chunk:
            root = lxml.html.document_fromstring(synth.render(report, "html"))
            titles.append(root.findtext(".//title"))
            body = "".join(lxml.html.tostring(e, encoding="unicode") for e in root.body)
            sections.append(f'<section style="break-before: page">{body}</section>')
        batch = cache / f".batch-{k}.pdf"
        render.html_to_pdf(
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"></head><body>'
            + "".join(sections) + "</body></html>", batch, timeout=600,
        )  # fmt: skip
        document = pypdfium2.PdfDocument(str(batch))
        texts = ["".join(p.get_textpage().get_text_bounded().split()) for p in document]
        starts, page = [], 0
        for title in titles:
            while title not in texts[page]:
                page += 1
            starts.append(page)
            page += 1
        for report, first, end in zip(chunk, starts, starts[1:] + [len(texts)], strict=True):
            single = pypdfium2.PdfDocument.new()
            single.import_pages(document, list(range(first, end)))
            buffer = io.BytesIO()
            single.save(buffer)
            single.close()
            (cache / f"{report.name}.pdf").write_bytes(buffer.getvalue())
        document.close()
        batch.unlink()
        for stray in cache.glob(".batch-*"):
            shutil.rmtree(stray, ignore_errors=True) if stray.is_dir() else stray.unlink()
        print(f"printed {k + len(chunk)}/{len(todo)} PDFs", file=sys.stderr)
    return out


def run_one(
    n: int, mode: str, fmt: str, seed: int, workdir: Path, jobs: int | None = None,
    names: str = "generated", resolve: bool = True, pdf_cache: Path | None = None,
) -> dict:  # fmt: skip
    """Ingest ``n`` generated reports into ``workdir/store.duckdb``; return the measurements."""
    import pandas as pd

    from govstats import store, synth

    n_bodies = -(-n // len(YEARS))
    db = workdir / "store.duckdb"
    renamed = dict(enumerate(real_names(n_bodies))) if names == "real" else {}
    if not resolve:
        switch_off_resolution()

    def reports():
        for i, report in enumerate(synth.generate(n_bodies, YEARS, seed=seed)):
            if i >= n:
                return
            if renamed:
                body = dataclasses.replace(report.body, name=renamed[report.body.index])
                report = dataclasses.replace(report, body=body)
            yield report

    prep = 0.0
    tree = TreeMemory()
    cpu0 = time.process_time()
    if mode == "files":
        start = time.perf_counter()
        if fmt == "pdf":
            pdfs = printed_pdfs(list(reports()), pdf_cache or workdir / "pdf-cache")
            (workdir / "corpus" / "raw").mkdir(parents=True)
            for path in pdfs:
                os.symlink(path, workdir / "corpus" / "raw" / path.name)
        else:
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
                "body": renamed.get(b.index, b.name),
                "slug": b.slug,
                "region_code": b.region_code,
                "region_name": b.region_name,
                "level": b.level,
            }
            for b in (synth.make_body(i, seed) for i in range(n_bodies))
        ]
    )
    if not renamed:  # real names are placed at ingest (or not at all, switched off)
        store.register_bodies(bodies, db)
    else:
        placed = store.bodies(db).set_index("body")
        codes = placed["region_code"].fillna("990000")
        bodies["region_code"] = [codes.get(b, "990000") for b in bodies["body"]]
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
        "--pdf-cache", type=Path,
        help="with --format pdf: folder of the printed PDFs, reused across runs (default: a "
        "folder in the run's temporary directory)",
    )  # fmt: skip
    parser.add_argument(
        "--names", choices=["generated", "real"], default="generated",
        help="body names: the generator's (示例) or real-form ones over the division index",
    )  # fmt: skip
    parser.add_argument(
        "--resolution", action="store_true",
        help="ingest each size twice, without and with body resolution, and print the ratio",
    )  # fmt: skip
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="K",
        help="with --resolution: K off/on pairs, alternating; the ratio of the fastest of each",
    )  # fmt: skip
    parser.add_argument("--no-resolution", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--one", type=int, help=argparse.SUPPRESS
    )  # internal: run one size, print JSON
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.one is not None:
        print(
            json.dumps(
                run_one(
                    args.one,
                    args.mode,
                    args.format,
                    args.seed,
                    Path(args.workdir),
                    args.jobs,
                    args.names,
                    not args.no_resolution,
                    args.pdf_cache,
                )  # fmt: skip
            )
        )
        return 0

    rows = []
    ratios = []
    for n in args.n:
        walls: dict[bool, float] = {}
        cpus: dict[bool, float] = {}
        runs = [(False, True)] * args.repeat if args.resolution else [(True,)]
        for resolve in (r for pair in runs for r in pair):  # off/on alternate: same load
            m = _run_size(n, args, resolve)
            if m is None:
                return 1
            walls[resolve] = min(walls.get(resolve, float("inf")), m["wall_s"])
            cpus[resolve] = min(cpus.get(resolve, float("inf")), m["cpu_s"])
            rows.append(
                [
                    m["n"], m["mode"], "on" if resolve else "off", m["stored"], m["failed"],
                    m["wall_s"], m["cpu_s"], m["stored"] / m["wall_s"], m["rows"] / m["wall_s"],
                    m["store_mb"], m["peak_mb"], m["series_ms"], m["region_ms"],
                    m["region_bodies"],
                ]
            )  # fmt: skip
            print(f"done n={n} resolution={'on' if resolve else 'off'}: {m}", file=sys.stderr)
        if args.resolution:
            ratios.append((n, walls[True] / walls[False], cpus[True] / cpus[False]))
    print_table(
        [
            "reports", "mode", "resolution", "stored", "failed", "wall s", "cpu s", "reports/s",
            "rows/s", "store MB", "peak MB", "series ms", "region ms", "region bodies",
        ],
        rows,
        title=f"\ningest into a fresh store ({args.mode}"
        f"{' ' + args.format if args.mode == 'files' else ''}, {args.names} names); "
        "targets: 100k < 600 s, peak < 2048 MB, series < 50 ms",
    )  # fmt: skip
    for n, wall, cpu in ratios:
        print(
            f"n={n}: ingest with resolution / without: wall {wall:.3f}, CPU {cpu:.3f} "
            "(fastest of each; target <= 1.05)"
        )
    return 0


def _run_size(n: int, args, resolve: bool) -> dict | None:
    """One size in a fresh subprocess; its measurements (None when it failed)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"govstats-bench-{n}-"))
    try:
        cmd = [
            sys.executable, __file__, "--one", str(n), "--mode", args.mode, "--format",
            args.format, "--seed", str(args.seed), "--workdir", str(workdir), "--names",
            args.names,
        ] + (["--jobs", str(args.jobs)] if args.jobs else []) + (
            ["--pdf-cache", str(args.pdf_cache.resolve())] if args.pdf_cache else []
        ) + (
            [] if resolve else ["--no-resolution"]
        )  # fmt: skip
        env = dict(os.environ, CI="true")
        out = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            return None
        return json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
