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
    .venv/bin/python benchmarks/bench_briefings.py --text --n 8 --repeat 3   # 五、's cost
    .venv/bin/python benchmarks/bench_briefings.py --n 20 --pdf --rounds 3     # the cost of --pdf

``--text`` measures what the briefing's 五、报告文本 costs instead: way (c) over the same bodies
in three arms, alternated within one run (ABC, CBA, ABC, …, so that a change of load on the
machine falls on every arm alike), after one warm-up batch per arm that is not counted, and
summarised by the median of ``--repeat`` runs, per body:

* ``no section``: the briefing notebook with 五、报告文本's cells taken out (a copy, passed by
  ``GOVSTATS_NOTEBOOKS``), over a store without text;
* ``section, no text``: the real notebook over the same store (the section says 无报告文本);
* ``section, 7 years of text``: the real notebook over a store of the same bodies whose reports
  each have a generated narrative (six year-on-year comparisons per body).

The target is the third no more than 10% slower per body than the first. Wall time moves with
the machine's load (2 shared cores); the CPU seconds of the batch's processes (the command, its
workers and kernels: ``RUSAGE_CHILDREN``) much less, so the comparison is made on CPU, each run
against the no-section run of its own round. It also times, in this process, the section's own
calls per body (``load_text`` + ``text_table`` + ``text_notes``).

``--pdf`` measures only (c): ``govstats briefings --jobs 2 --force`` on the same bodies three
ways, alternated within each round (HTML; ``--pdf`` with no browser found, so the pages are
made for print and every print fails at once; ``--pdf``), and prints the median seconds per
body of each (wall time, and CPU seconds of the whole process tree: workers, kernels, browsers,
sampled with psutil from the 'bench' extra) and the paired extra of ``--pdf`` over HTML, the
cost of printing every page to PDF.
"""

from __future__ import annotations

import argparse
import hashlib
import json
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


def govstats_cli(
    slugs: list[str],
    db: Path,
    out: Path,
    jobs: int,
    notebooks: Path | None = None,
    pdf: bool = False,
    env: dict[str, str] | None = None,
    may_fail: bool = False,
) -> float:
    """Way (c), wall seconds; ``notebooks``: a folder of notebooks instead of the shipped ones;
    ``env``: more environment; ``may_fail``: failed pages are expected (the exit status counts
    them). The CPU seconds it took (the command and every process it waited for: workers,
    kernels) are in :data:`LAST_CPU`."""
    env = dict(
        os.environ,
        CI="1",
        **({"GOVSTATS_NOTEBOOKS": str(notebooks)} if notebooks else {}),
        **(env or {}),
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # python -m: the govstats this interpreter imports (as the rest of the benchmark), not
    # whatever the console script of the venv was installed from
    done, sampled = run_sampled(
        [sys.executable, "-m", "govstats.cli", "briefings", "--db", str(db), "--out", str(out),
         "--jobs", str(jobs), "--force", *(["--pdf"] if pdf else []), "--body", *slugs],
        env,
    )  # fmt: skip
    if done.returncode != 0 and not (may_fail and "briefings:" in done.stdout + done.stderr):
        raise SystemExit(
            "govstats briefings failed "
            f"({done.returncode}):\n{done.stderr[-3000:]}\n{done.stdout[-2000:]}"
        )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    LAST_CPU[0] = max(reaped, sampled)
    return wall


#: the CPU seconds of the last :func:`govstats_cli` call
LAST_CPU = [0.0]


def run_sampled(
    command: list[str], env: dict[str, str]
) -> tuple[subprocess.CompletedProcess, float]:
    """Run ``command``; also the CPU seconds of its whole process tree, sampled every 0.1 s
    with psutil (0.0 without it). ``RUSAGE_CHILDREN`` counts only the processes that were
    waited for, and Chromium's renderer and helper processes are not always: the sample sees
    them (a process living less than 0.1 s is missed)."""
    try:
        import psutil
    except ImportError:  # the 'bench' extra is not installed: rusage only
        psutil = None
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        seen: dict[tuple[int, float], float] = {}
        while process.poll() is None:
            if psutil is not None:
                try:
                    root = psutil.Process(process.pid)
                    tree = [root, *root.children(recursive=True)]
                except psutil.Error:
                    tree = []
                for proc in tree:
                    try:
                        times = proc.cpu_times()
                        seen[(proc.pid, proc.create_time())] = times.user + times.system
                    except psutil.Error:
                        pass
            time.sleep(0.1)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(
            command, process.returncode, out.read().decode("utf-8", "replace"),
            err.read().decode("utf-8", "replace"),
        )  # fmt: skip
    return done, sum(seen.values())


TEXT_HEADING = "## 五、报告文本"


def without_text_section(folder: Path) -> Path:
    """A copy of the shipped notebooks in ``folder`` whose briefing lacks 五、报告文本 (its heading
    cell and every cell up to the next heading)."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        if path.name == NOTEBOOK.name:
            cells, skipping = [], False
            for cell in nb["cells"]:
                source = "".join(cell["source"])
                if cell["cell_type"] == "markdown" and source.startswith("## "):
                    skipping = source.startswith(TEXT_HEADING)
                if not skipping:
                    cells.append(cell)
            if len(cells) == len(nb["cells"]):
                raise SystemExit(f"{path}: no cell starts with {TEXT_HEADING!r}")
            nb["cells"] = cells
        (folder / path.name).write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return folder


def section_calls(slugs: list[str], db: Path) -> float:
    """The median time of 五、报告文本's own calls for one body, in this process."""
    from govstats.briefings import content

    times = []
    for slug in slugs:
        b = content.load_body(slug, db=db)
        start = time.perf_counter()
        t = content.load_text(b)
        content.text_table(t)
        content.text_notes(t)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def text_cost(n: int, jobs: int, repeat: int, tmp: Path) -> None:
    """The three arms of ``--text``, alternated, ``repeat`` runs each (the module docstring)."""
    plain, text = tmp / "plain.duckdb", tmp / "text.duckdb"
    slugs = build_store(plain, n)[:n]
    if build_store(text, n, text=True)[:n] != slugs:
        raise SystemExit("the two stores hold other bodies")
    stripped = without_text_section(tmp / "notebooks")
    arms = {
        "no section": (plain, stripped),
        "section, no text": (plain, None),
        "section, 7 years of text": (text, None),
    }
    print(f"{n} generated bodies × 7 years; {repeat} runs per arm, alternated; --jobs {jobs}; "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the start")  # fmt: skip
    wall: dict[str, list[float]] = {arm: [] for arm in arms}
    cpu: dict[str, list[float]] = {arm: [] for arm in arms}
    names = list(arms)
    for arm in names:  # warm-up, not counted: the first batch pays cold caches
        govstats_cli(slugs, arms[arm][0], tmp / "out" / "warm-up", jobs, arms[arm][1])
    for run_no in range(repeat):
        for arm in names if run_no % 2 == 0 else names[::-1]:
            db, notebooks = arms[arm]
            seconds = govstats_cli(slugs, db, tmp / "out" / str(run_no), jobs, notebooks)
            wall[arm].append(seconds / n)
            cpu[arm].append(LAST_CPU[0] / n)
            load = os.getloadavg()[0]
            print(
                f"  run {run_no + 1}: {arm}: {seconds / n:.2f} s per body wall, "
                f"{LAST_CPU[0] / n:.2f} s CPU (load {load:.1f})",
                flush=True,
            )
    base = "no section"
    rows = []
    for arm in names:
        # paired: each run against the no-section run of the same round (the same load)
        paired = [100 * (c / b - 1) for c, b in zip(cpu[arm], cpu[base], strict=True)]
        rows.append(
            [
                arm,
                len(cpu[arm]),
                statistics.median(wall[arm]),
                statistics.median(cpu[arm]),
                min(cpu[arm]),
                max(cpu[arm]),
                statistics.median(paired),
            ]
        )
    print_table(
        ["arm", "runs", "wall s/body", "CPU s/body", "CPU min", "CPU max", "CPU vs no section, %"],
        rows,
        title="medians per body (CPU: the batch's processes; wall moves with the machine's load)",
    )
    print(f"load at the end {os.getloadavg()[0]:.1f}")
    calls = section_calls(slugs, text)
    print(
        f"五、报告文本's own calls (load_text + text_table + text_notes), median per body with "
        f"7 years of text: {calls * 1000:.0f} ms = "
        f"{100 * calls / statistics.median(cpu[base]):.1f}% of a body's CPU without the section"
    )


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
        "--text", action="store_true", help="measure what 五、报告文本 costs (three arms, way (c))"
    )
    parser.add_argument("--repeat", type=int, default=5, help="--text: runs per arm (default 5)")
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
        if args.text:
            text_cost(args.n, args.jobs, args.repeat, tmp)
            return
        db = tmp / "synthetic.duckdb"
        slugs = build_store(db, args.n)[: args.n]
        naive_slugs = slugs[: args.naive_n or len(slugs)]
        print(
            f"{len(slugs)} generated bodies × 7 years; way (a) on "
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


#: the arms of ``--pdf``: label, ``--pdf`` or not, the browser's name (None: the real one)
PDF_ARMS = (
    ("HTML", False, None),
    ("--pdf, no browser", True, "no-such-browser-for-the-benchmark"),
    ("--pdf", True, None),
)


def pdf_cost(args: argparse.Namespace) -> None:
    """(c) three ways, alternating within each round (ABC, CBA, …): HTML only; ``--pdf`` with
    no browser found (the pages are made for print, SVG charts, and every print fails at
    once: what printing costs before the browser); ``--pdf``. Medians per body, and the paired
    extra of ``--pdf`` over HTML (each round against its own HTML run)."""
    with tempfile.TemporaryDirectory(prefix="bench-briefings-pdf-") as tmp:
        tmp = Path(tmp)
        db = tmp / "synthetic.duckdb"
        slugs = build_store(db, args.n, args.text)[: args.n]
        print(
            f"{len(slugs)} generated bodies × 7 years{' with text' if args.text else ''}; "
            f"--jobs {args.jobs}, {args.rounds} rounds; {os.cpu_count()} cores"
        )
        runs: dict[str, list[float]] = {arm: [] for arm, _, _ in PDF_ARMS}
        cpu: dict[str, list[float]] = {arm: [] for arm, _, _ in PDF_ARMS}
        for round_ in range(args.rounds):
            for arm, pdf, browser in PDF_ARMS if round_ % 2 == 0 else PDF_ARMS[::-1]:
                out = tmp / arm.replace(" ", "").replace(",", "-")
                env = {"GOVSTATS_CHROMIUM": browser} if browser else {}
                seconds = govstats_cli(slugs, db, out, args.jobs, pdf=pdf, env=env,
                                       may_fail=browser is not None)  # fmt: skip
                used = LAST_CPU[0] / len(slugs)
                runs[arm].append(seconds / len(slugs))
                cpu[arm].append(used)
                print(f"  round {round_ + 1} {arm:<17}: {seconds:.1f} s, "
                      f"{seconds / len(slugs):.2f} s and {used:.2f} CPU-s per body; "
                      f"load average {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        printed_dir = tmp / "--pdf"
        missing = [s for s in slugs if not (printed_dir / s / "briefing.pdf").is_file()]
        if missing:
            raise SystemExit(f"no briefing.pdf for {len(missing)} bodies, e.g. {missing[0]}")
        pdf_kb = sum((printed_dir / s / "briefing.pdf").stat().st_size for s in slugs) / len(slugs)
        rows = [
            [f"govstats briefings --jobs {args.jobs} ({arm})", statistics.median(runs[arm]),
             statistics.median(cpu[arm])]
            for arm, _, _ in PDF_ARMS
        ]  # fmt: skip
        print_table(["way", "median s per body", "median CPU-s per body"], rows)
        paired = [p - h for p, h in zip(runs["--pdf"], runs["HTML"], strict=True)]
        paired_cpu = [p - h for p, h in zip(cpu["--pdf"], cpu["HTML"], strict=True)]
        print(f"extra per body for --pdf: {statistics.median(runs['--pdf']) - rows[0][1]:+.2f} s "
              f"wall median against median, {statistics.median(paired):+.2f} s paired (rounds: "
              f"{', '.join(f'{d:+.2f}' for d in paired)}), {statistics.median(paired_cpu):+.2f} "
              f"CPU-s paired; average briefing.pdf {pdf_kb / 1e3:.0f} kB")  # fmt: skip


if __name__ == "__main__":
    main()
