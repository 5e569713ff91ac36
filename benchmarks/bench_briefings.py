"""Render the standard briefing for N generated bodies three ways and compare (run by hand).

(a) naive: per body, the ``papermill`` command line, then ``jupyter nbconvert --to html
    --no-input`` (a new Python process and a new kernel each time);
(b) the same work through their Python APIs, sequentially in this process (a new kernel per
    body, papermill/nbconvert imported once);
(c) ``govstats briefings --jobs 2`` (one command: worker pool, warm reused kernels).

Prints per-body times, the ratios, and whether the pages say the same thing: the visible text
of every page and its chart images are compared (page chrome differs by design: (c) has no
scripts and embeds a font). The store holds N fictional bodies × 7 years from
``govstats.synth`` (示例 bodies, region codes 9xxxxx).

    .venv/bin/python benchmarks/bench_briefings.py            # 50 bodies, all three ways
    .venv/bin/python benchmarks/bench_briefings.py --n 10 --naive-n 4
    .venv/bin/python benchmarks/bench_briefings.py --n 20 --naive-n 1 --text   # with 五、报告文本
    .venv/bin/python benchmarks/bench_briefings.py --n 20 --pdf --rounds 3     # the cost of --pdf

``--pdf`` measures only (c): ``govstats briefings --jobs 2 --force`` with and without ``--pdf``
on the same bodies, alternating (with, without, with, …), and prints the median seconds per
body of each (wall time, and CPU seconds of the whole process tree: workers, kernels, browsers)
and their difference, the extra cost of printing every page to PDF.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import print_table  # also puts the checkout on sys.path

from govstats import store, synth
from govstats.config import NOTEBOOKS_DIR
from govstats.synth.narrative import narrate

NOTEBOOK = NOTEBOOKS_DIR / "10-briefing.ipynb"
BIN = Path(sys.executable).parent


def build_store(db: Path, n_bodies: int, text: bool = False) -> list[str]:
    """A store of ``n_bodies`` generated bodies × 2019–2025 (with ``text``: each report with a
    generated narrative, so the briefing's 五、报告文本 compares seven years); their slugs."""
    generated = synth.generate(n_bodies, range(2019, 2026), seed=2026)
    if text:
        generated = narrate(generated, seed=2026)
    reports = [synth.to_report(g) for g in generated]
    store.add_reports(reports, db)
    return [str(s) for s in store.bodies(db)["slug"]]


def naive_cli(slugs: list[str], db: Path, out: Path) -> float:
    start = time.perf_counter()
    for slug in slugs:
        folder = out / slug
        folder.mkdir(parents=True, exist_ok=True)
        executed = folder / "briefing.ipynb"
        subprocess.run(
            [str(BIN / "papermill"), str(NOTEBOOK), str(executed), "-k", "python3",
             "-p", "body", slug, "-p", "db", str(db), "--no-progress-bar", "--log-level", "ERROR"],
            check=True, capture_output=True,
        )  # fmt: skip
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed),
             "--output", "index", "--output-dir", str(folder), "--log-level", "ERROR"],
            check=True, capture_output=True,
        )  # fmt: skip
    return time.perf_counter() - start


def python_apis(slugs: list[str], db: Path, out: Path) -> float:
    start = time.perf_counter()
    sys.modules.setdefault("rfc3987_syntax", None)
    import papermill
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(exclude_input=True)
    for slug in slugs:
        folder = out / slug
        folder.mkdir(parents=True, exist_ok=True)
        nb = papermill.execute_notebook(
            str(NOTEBOOK), str(folder / "briefing.ipynb"), parameters={"body": slug, "db": str(db)},
            kernel_name="python3", progress_bar=False, execution_timeout=300,
        )  # fmt: skip
        html, _ = exporter.from_notebook_node(nb)
        (folder / "index.html").write_text(html, encoding="utf-8")
    return time.perf_counter() - start


def govstats_cli(slugs: list[str], db: Path, out: Path, jobs: int, pdf: bool = False) -> float:
    start = time.perf_counter()
    # python -m: the govstats this interpreter imports (as the rest of the benchmark), not
    # whatever the console script of the venv was installed from
    done = subprocess.run(
        [sys.executable, "-m", "govstats.cli", "briefings", "--db", str(db), "--out", str(out),
         "--jobs", str(jobs), "--force", *(["--pdf"] if pdf else []), "--body", *slugs],
        capture_output=True, text=True, env=dict(os.environ, CI="1"),
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(
            "govstats briefings failed "
            f"({done.returncode}):\n{done.stderr[-3000:]}\n{done.stdout[-2000:]}"
        )
    return time.perf_counter() - start


def page_content(path: Path) -> tuple[str, tuple[str, ...]]:
    """The visible text of a briefing's cells and the hashes of its images (page chrome aside)."""
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(path.read_bytes())
    images = tuple(
        hashlib.sha256(img.get("src", "").encode()).hexdigest()[:16]
        for img in tree.iter("img")
        if img.get("src", "").startswith("data:image/")
    )
    chrome = (
        "//style|//script|//title|//*[contains(@class,'govstats-footer')]|//a[contains(@class,'anchor-link')]"
        "|//*[contains(@class,'jp-OutputPrompt')]|//*[contains(@class,'jp-InputPrompt')]"
    )  # (c) shows no prompts by design: Out[5]: is not content
    for bad in tree.xpath(chrome):
        bad.drop_tree()
    text = re.sub(r"\s+", " ", tree.text_content().replace("¶", "")).strip()
    return text, images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50, help="bodies (default 50)")
    parser.add_argument(
        "--naive-n", type=int, default=None, help="bodies for way (a) (default: all)"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--text", action="store_true", help="give every report a generated narrative (sections)"
    )
    parser.add_argument(
        "--pdf", action="store_true", help="measure the extra cost of --pdf instead (way (c) only)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="--pdf: runs of each (default 3)")
    args = parser.parse_args()
    if args.pdf:
        pdf_cost(args)
        return

    with tempfile.TemporaryDirectory(prefix="bench-briefings-") as tmp:
        tmp = Path(tmp)
        db = tmp / "synthetic.duckdb"
        slugs = build_store(db, args.n, args.text)[: args.n]
        naive_slugs = slugs[: args.naive_n or len(slugs)]
        print(
            f"{len(slugs)} generated bodies × 7 years{' with text' if args.text else ''}; "
            "way (a) on "
            f"{len(naive_slugs)} of them; {os.cpu_count()} cores"
        )

        times = {}
        times["c"] = govstats_cli(slugs, db, tmp / "c", args.jobs)
        times["b"] = python_apis(slugs, db, tmp / "b")
        times["a"] = naive_cli(naive_slugs, db, tmp / "a")
        counts = {"a": len(naive_slugs), "b": len(slugs), "c": len(slugs)}
        per_body = {k: times[k] / counts[k] for k in times}

        same_text = same_images = 0
        for slug in naive_slugs:
            contents = {k: page_content(tmp / k / slug / "index.html") for k in ("a", "b", "c")}
            same_text += contents["a"][0] == contents["b"][0] == contents["c"][0]
            same_images += contents["a"][1] == contents["b"][1] == contents["c"][1]
        size = sum((tmp / "c" / s / "index.html").stat().st_size for s in slugs) / len(slugs) / 1e3

        labels = {
            "a": "(a) papermill + jupyter nbconvert command lines",
            "b": "(b) papermill + nbconvert Python APIs, sequential",
            "c": f"(c) govstats briefings --jobs {args.jobs}",
        }
        rows = [
            [labels[k], counts[k], times[k], per_body[k], per_body["a"] / per_body[k]]
            for k in ("a", "b", "c")
        ]
        print_table(["way", "bodies", "wall s", "s per body", "× faster than (a)"], rows)
        print(
            f"pages with identical text (a = b = c): {same_text}/{len(naive_slugs)}; "
            f"identical charts: {same_images}/{len(naive_slugs)}"
        )
        print(f"average page size of (c): {size:.0f} kB (embedded CJK font subset included)")


def pdf_cost(args: argparse.Namespace) -> None:
    """(c) with and without ``--pdf``, alternating; the median seconds per body of each."""
    with tempfile.TemporaryDirectory(prefix="bench-briefings-pdf-") as tmp:
        tmp = Path(tmp)
        db = tmp / "synthetic.duckdb"
        slugs = build_store(db, args.n, args.text)[: args.n]
        print(
            f"{len(slugs)} generated bodies × 7 years{' with text' if args.text else ''}; "
            f"--jobs {args.jobs}, {args.rounds} rounds; {os.cpu_count()} cores"
        )
        runs: dict[bool, list[float]] = {True: [], False: []}
        cpu: dict[bool, list[float]] = {True: [], False: []}
        for round_ in range(args.rounds):
            for pdf in (True, False) if round_ % 2 == 0 else (False, True):
                out = tmp / ("pdf" if pdf else "html")
                before = _children_cpu()
                seconds = govstats_cli(slugs, db, out, args.jobs, pdf=pdf)
                used = (_children_cpu() - before) / len(slugs)
                runs[pdf].append(seconds / len(slugs))
                cpu[pdf].append(used)
                print(f"  round {round_ + 1} {'--pdf' if pdf else 'HTML '}: {seconds:.1f} s, "
                      f"{seconds / len(slugs):.2f} s and {used:.2f} CPU-s per body; "
                      f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        missing = [s for s in slugs if not (tmp / "pdf" / s / "briefing.pdf").is_file()]
        if missing:
            raise SystemExit(f"no briefing.pdf for {len(missing)} bodies, e.g. {missing[0]}")
        pdf_kb = sum((tmp / "pdf" / s / "briefing.pdf").stat().st_size for s in slugs) / len(slugs)
        html, printed = statistics.median(runs[False]), statistics.median(runs[True])
        html_cpu, printed_cpu = statistics.median(cpu[False]), statistics.median(cpu[True])
        rows = [
            [f"govstats briefings --jobs {args.jobs}", html, html_cpu],
            [f"govstats briefings --jobs {args.jobs} --pdf", printed, printed_cpu],
        ]
        print_table(["way", "median s per body", "median CPU-s per body"], rows)
        print(f"extra per body for --pdf: {printed - html:+.2f} s wall, "
              f"{printed_cpu - html_cpu:+.2f} CPU-s (median of {args.rounds} runs each); "
              f"average briefing.pdf {pdf_kb / 1e3:.0f} kB")  # fmt: skip


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes and their descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
