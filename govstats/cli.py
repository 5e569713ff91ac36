"""The ``govstats`` command line. Each subcommand is added by one ``add_*`` function below.

This module only parses arguments and calls the packages. Each command imports its package when
it runs (the imports inside the functions below), so that ``govstats --help`` or one command does
not import the stacks of the others (pandas, DuckDB, papermill).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import unicodedata
from pathlib import Path

from govstats.checks import rules
from govstats.config import default_db
from govstats.errors import GovstatsError, ParseError


def add_parse(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "parse", help="read reports and write their tidy rows (CSV to stdout by default)"
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.add_argument(
        "-q", "--quiet", action="store_true", help="do not print the readers' warnings to stderr"
    )
    p.set_defaults(func=_parse)


def _read_all(files: list[str], command: str, *, quiet: bool = True):
    """Read each file: returns the (file, Report) pairs read and the number that could not be.

    An unreadable file gets one stderr line (``govstats COMMAND: <reason naming the file>``);
    with ``quiet=False`` each report's reader warnings are printed to stderr too."""
    from govstats.reading import read_report

    failed = 0
    reports = []
    for path in files:
        try:
            report = read_report(path)
        except ParseError as exc:
            print(f"govstats {command}: {exc}", file=sys.stderr, flush=True)
            failed += 1
            continue
        if not quiet:
            for warning in report.warnings:
                print(f"warning: {warning}", file=sys.stderr)
        reports.append((path, report))
    return reports, failed


def _parse(args: argparse.Namespace) -> int:
    import pandas as pd

    reports, failed = _read_all(args.files, "parse", quiet=args.quiet)
    frames = [report.tidy() for _path, report in reports]
    if frames:
        frame = pd.concat(frames, ignore_index=True)
        if args.format == "json":
            sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
        else:
            frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    return 2 if failed else 0


def add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check",
        help="check reports against the template arithmetic (勾稽关系); exit 1 if any breach",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Read each FILE and print every breach of the template arithmetic and every "
        "narrative\n"
        "headline number that disagrees with the table. "
        "Exit 1 if any report breaks a rule, 2 if a\n"
        "file cannot be read, 0 otherwise (narrative findings are printed but do not fail).",
        epilog="rules (govstats.checks.rules):\n"
        + rules.help_text(("breach", "narrative"))
        + "\nwith --db, the year-over-year rules too:\n"
        + rules.help_text(("crossyear",)),
    )
    p.add_argument("files", nargs="*", metavar="FILE")
    p.add_argument(
        "--db",
        nargs="?",
        const="",
        metavar="PATH",
        help="check every current report in the store instead (default store when PATH is "
        "omitted), plus the year-over-year checks (carried "
        "over vs carried forward, documents in force)",
    )
    p.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    from govstats.checks.template import check

    if args.db is not None:
        return _check_db(args)
    if not args.files:
        print("govstats check: give FILE... or --db [PATH]", file=sys.stderr)
        return 2
    reports, failed = _read_all(args.files, "check")
    breaches = 0
    for path, report in reports:
        findings = check(report)
        if findings.empty:
            print(f"{path}: ok ({report.body or '?'} {report.year or '?'})")
        for row in findings.itertuples(index=False):
            print(f"{path}: {row.kind} {row.rule} [{row.table}] {row.message}")
        breaches += int((findings["kind"] == "breach").sum())
        for table in report.missing:
            print(f"{path}: incomplete: table {table} missing or cut")
    if failed:
        return 2
    return 1 if breaches else 0


def add_summary(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "summary",
        help="one line per report (files or folders): body, year, template, values, check results",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=_summary)


def _report_files(paths: list[str]) -> list[str]:
    files: list[str] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(
                str(f)
                for f in path.rglob("*")
                if f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(path).parts)
            )
        else:
            files.append(str(path))
    return files


def _summary(args: argparse.Namespace) -> int:
    from govstats.checks.template import check

    files = _report_files(args.paths)
    if not files:
        print(
            "govstats summary: no report files found in " + ", ".join(args.paths), file=sys.stderr
        )
        return 2
    reports, failed = _read_all(files, "summary")

    pad = _pad  # CJK characters take two columns in a terminal

    print(f"{pad('file', 44)} {pad('body', 24)} {'year':>4} {'tmpl':>4} {'values':>6}  checks")
    for path, report in reports:
        findings = check(report)
        breaches = findings[findings["kind"] == "breach"]
        narrative = findings[findings["kind"] == "narrative"]
        result = (
            "ok" if findings.empty else f"{len(breaches)} breach(es), {len(narrative)} narrative"
        )
        if not findings.empty:
            result += ": " + "; ".join(findings["message"].head(3))
        if report.missing:
            result += f"; missing: {', '.join(report.missing)}"
        name = path if len(path) <= 44 else "…" + path[-43:]
        print(
            f"{pad(name, 44)} {pad(report.body or '?', 24)} {report.year or '?':>4} "
            f"{report.template or '?':>4} {len(report.values):>6}  {result}"
        )
    print(f"{len(reports)} report(s) read, {failed} unreadable")
    return 2 if failed else 0


def _check_db(args: argparse.Namespace) -> int:
    from govstats.checks.crossyear import check_store

    db = args.db or default_db()
    findings = check_store(db)
    for row in findings.itertuples(index=False):
        print(
            f"{row.body} {row.year} [{row.report_id}]: "
            f"{row.kind} {row.rule} [{row.table}] {row.message}"
        )
    failing = findings[findings["kind"] != "narrative"]
    print(
        f"{len(failing)} breach(es) and year-over-year finding(s), "
        f"{len(findings) - len(failing)} narrative finding(s) in {db}"
    )
    return 1 if len(failing) else 0


def add_synth(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "synth",
        help=(
            "write generated (fictional, 示例) reports with "
            "their truth files, for tests and benchmarks"
        ),
        description="Generate N fictional bodies x years of reports "
        "(govstats.synth) into OUT_DIR/raw, with OUT_DIR/truth/*.json answers and "
        "OUT_DIR/manifest.json. Never mix them into real data.",
    )
    p.add_argument("out_dir", metavar="OUT_DIR", nargs="?")
    p.add_argument(
        "--list-formats",
        action="store_true",
        help="print the formats this installation renders, one per line, and exit",
    )
    p.add_argument("--bodies", type=int, default=10, help="number of bodies (default 10)")
    p.add_argument(
        "--years", default="2019-2025", help="a year or a range FIRST-LAST (default 2019-2025)"
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--format",
        dest="formats",
        action="append",
        metavar="FMT",
        help="a format or tool form of the generator (see --list-formats); repeatable "
        "(default html)",
    )
    p.add_argument("--encoding", default="utf-8", help="text encoding of the files (e.g. gb18030)")
    for name, what in (
        ("breaches", "planted breach"),
        ("blanks", "zero cells printed blank"),
        ("variants", "label variants"),
        ("units", "units/digit styles in cells"),
        ("merged", "merged legal-person columns"),
    ):
        p.add_argument(
            f"--{name}", type=float, default=0.0, metavar="RATE", help=f"share with {what} (0-1)"
        )
    p.set_defaults(func=_synth)


def _synth(args: argparse.Namespace) -> int:
    from govstats import synth

    if args.list_formats:
        print("\n".join(synth.formats()))
        return 0
    if args.out_dir is None:
        print("govstats synth: OUT_DIR is required (or --list-formats)", file=sys.stderr)
        return 2
    first, _, last = args.years.partition("-")
    years = range(int(first), int(last or first) + 1)
    options = synth.Options(
        breach_rate=args.breaches,
        blank_rate=args.blanks,
        variant_rate=args.variants,
        unit_rate=args.units,
        merged_rate=args.merged,
    )
    reports = synth.generate(args.bodies, years, args.seed, options)
    try:
        n = synth.write_corpus(
            reports, args.out_dir, args.formats or ["html"], encoding=args.encoding
        )
    except ValueError as exc:
        print(f"govstats synth: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {n} generated report files to {args.out_dir} (synthetic, not real data)")
    return 0


def add_ingest(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ingest",
        help="read reports (files or folders, recursively) into the store",
        description="Read every report under PATH into the DuckDB store. Files already stored are "
        "skipped; a corrected file for the same body and year becomes a new version; files that "
        "fail are recorded with their reason (table ingest_errors) and the others go on. Folders "
        "holding a tidy extract (reports.csv + values.csv, e.g. "
        "data/extract) are loaded as such. Exit status 1 if any file failed.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument(
        "--db", metavar="PATH", help="the store (default $GOVSTATS_DB or data/govstats.duckdb)"
    )
    p.add_argument(
        "-v", "--verbose", action="store_true", help="print one line per file: read/skipped/failed"
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar (default: on a terminal, off when CI=true)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help=(
            "processes that parse files (default: the core "
            "count; small ingests parse in one process)"
        ),
    )
    p.set_defaults(func=_ingest)


def _ingest(args: argparse.Namespace) -> int:
    from govstats.store import ingest

    def report(status: str, path: str, detail: str) -> None:
        if status == "failed":  # reasons from the reader already name the file
            where = "" if detail.startswith(path) else f"{path}: "
            print(f"govstats ingest: failed: {where}{detail}", file=sys.stderr, flush=True)
        if args.verbose:
            print(f"{status} {path}", flush=True)

    if args.jobs is not None and args.jobs < 1:
        raise GovstatsError(f"--jobs must be at least 1, not {args.jobs}")
    summary = ingest(args.paths, args.db, progress=args.progress, on_result=report, jobs=args.jobs)
    print(f"{summary.line()} (store {args.db or default_db()})")
    return 1 if summary.failed else 0


def add_briefings(sub: argparse._SubParsersAction) -> None:
    from govstats.briefings.kernels import DEFAULT_TIMEOUT

    p = sub.add_parser(
        "briefings", help="render HTML briefings per body and region into reports/ (+ index.html)"
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--body", nargs="+", default=[], metavar="SLUG", help="brief these bodies (registry slugs)"
    )
    which.add_argument(
        "--region",
        nargs="+",
        default=[],
        metavar="REGION",
        help="compare the bodies of these regions (GB/T 2260 codes such as 320800, or names such "
        "as 淮安市) and brief each of them: a city's government, departments, districts, counties",
    )
    which.add_argument(
        "--all",
        action="store_true",
        help="every body in the store, and every region with several bodies",
    )
    p.add_argument("--db", help="the store (default: $GOVSTATS_DB or data/govstats.duckdb)")
    p.add_argument("--years", nargs="+", type=int, metavar="YEAR", help="only these report years")
    p.add_argument(
        "--out", help="output folder (default: $GOVSTATS_REPORTS or reports/ of the govstats home)"
    )
    p.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: the core count)"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="re-render pages whose inputs and notebook are unchanged",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help="seconds a notebook cell may run (default: %(default)g)",
    )
    p.add_argument(
        "--dask-scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster (needs the 'dask' extra), e.g. tcp://host:8786",
    )
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also print each body and region page to briefing.pdf beside it (A4, headless "
        "Chromium: Debian package chromium); a page that does not print counts as failed, "
        "its HTML page is written",
    )
    p.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel for every page instead of reusing one per worker (slower)",
    )
    p.set_defaults(func=_briefings)


def _briefings(args: argparse.Namespace) -> int:
    """Run ``govstats briefings``; exit status = failed pages (capped at 100), 0 when none;
    with ``--pdf`` a page whose PDF was not printed counts as failed (its HTML is written)."""
    from govstats.briefings.manifest import first_line
    from govstats.briefings.run import briefings

    # a TERM (e.g. from a job scheduler) unwinds like Ctrl-C: the manifest of finished pages is
    # saved and this process's kernels are stopped
    signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(KeyboardInterrupt()))
    result = briefings(
        args.db,
        bodies=args.body,
        regions=args.region,
        all_bodies=args.all,
        years=args.years,
        out_dir=args.out,
        jobs=args.jobs,
        force=args.force,
        timeout=args.timeout,
        dask_scheduler=args.dask_scheduler,
        reuse_kernel=not args.fresh_kernels,
        pdf=args.pdf,
    )
    for outcome in result.failed:
        reason = first_line(outcome.error or "")
        if result.notice and result.notice in reason:
            continue  # said once, below
        print(f"failed: {outcome.key} ({outcome.title}): {reason}", file=sys.stderr)
    if result.notice:
        print(f"govstats briefings: {result.notice}", file=sys.stderr)
    print(result.summary())
    return result.exit_status


_DIFF_DESCRIPTION = (
    "Read A (the earlier report, usually year Y-1) and B (year Y) and print B's text against "
    "A's, section by section: similarity, sentences carried over unchanged or in other numbers, "
    "new sentences, and the finding 'problems section largely copied from last year' "
    "(govstats.narrative). Exit 2 if a file cannot be read."
)


def add_diff(sub: argparse._SubParsersAction) -> None:
    help_ = "compare the text of two reports section by section (B against the earlier A)"
    p = sub.add_parser("diff", help=help_, description=_DIFF_DESCRIPTION)
    p.add_argument("a", metavar="A", help="the earlier report file")
    p.add_argument("b", metavar="B", help="the later report file")
    formats = ["text", "html", "json"]  # govstats.narrative.render.FORMATS (imported when run)
    p.add_argument("--format", choices=formats, default="text", help="terminal, page or JSON")
    p.set_defaults(func=_diff)


def _diff(args: argparse.Namespace) -> int:
    from govstats.narrative import compare_reports
    from govstats.narrative.render import render

    reports, failed = _read_all([args.a, args.b], "diff")
    if failed:
        return 2
    (_a, earlier), (_b, later) = reports
    names = (Path(args.a).name, Path(args.b).name)
    sys.stdout.write(render(compare_reports(later, earlier), args.format, names))
    return 0


_BODIES_DESCRIPTION = (
    "List every body in the store with where it was placed (region code and name, level, parent "
    "government, slug). --unresolved lists the printed names that could not be placed, with why "
    "and the candidates; --refresh re-resolves every stored report (after data/bodies.csv or the "
    "bodies registered in the store changed), in one transaction."
)


def add_bodies(sub: argparse._SubParsersAction) -> None:
    what = "list the store's bodies with their region, level and parent; --unresolved, --refresh"
    p = sub.add_parser("bodies", help=what, description=_BODIES_DESCRIPTION)
    p.add_argument(
        "--db", metavar="PATH", help="the store (default $GOVSTATS_DB or data/govstats.duckdb)"
    )
    what = p.add_mutually_exclusive_group()
    what.add_argument("--unresolved", action="store_true", help="only what could not be placed")
    what.add_argument(
        "--refresh", action="store_true", help="re-resolve every stored report, then list"
    )
    p.add_argument("--region", metavar="REGION", help="only the bodies of a region (code or name)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=_bodies)


def _bodies(args: argparse.Namespace) -> int:
    from govstats import store

    if args.refresh:
        counts = store.refresh(args.db)
        print(
            f"re-resolved {counts['reports']} report(s): {counts['resolved']} resolved, "
            f"{counts['ambiguous']} ambiguous, {counts['unknown']} unknown; {counts['changed']} "
            f"changed, {counts['versions']} renumbered (store {args.db or default_db()})",
            file=sys.stderr,
        )
    if args.unresolved:
        frame = store.unresolved(args.db)
        columns = ["body", "status", "candidates", "files"]
    else:
        frame = store.bodies(args.db, region=args.region)
        columns = ["slug", "body", "region_code", "region_name", "level", "parent", "status"]
        frame = frame.assign(years=[",".join(map(str, y)) for y in frame["years"]])
        columns.append("years")
    _print_frame(frame[columns] if args.format == "table" else frame, args.format)
    return 0


def add_resolve(sub: argparse._SubParsersAction) -> None:
    what = "place printed body names: region code and name, level, parent, slug, status"
    p = sub.add_parser(
        "resolve",
        help=what,
        description=f"{what.capitalize()}. Each NAME (as a report prints it) is resolved against "
        "data/bodies.csv and the division index; a name that several places carry (朝阳区人民政府) "
        "is decided only by evidence: the text of --text FILE (a report: its preamble, signature, "
        "地址) or --folder. Exit status 1 when a name is not resolved.",
    )
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--text", metavar="FILE", help="a report whose text is the evidence")
    p.add_argument("--folder", metavar="PATH_OR_URL", help="the report's folder or URL")
    p.add_argument("--format", choices=["csv", "json"], default="csv")
    p.set_defaults(func=_resolve)


def _resolve(args: argparse.Namespace) -> int:
    import pandas as pd

    from govstats.store.placement import source_text
    from govstats.store.resolve import resolve_many

    text = None
    if args.text:
        try:
            data = Path(args.text).read_bytes()
        except OSError as exc:
            raise GovstatsError(f"{args.text}: cannot read ({exc.strerror or exc})") from exc
        text = source_text(data, args.text)
        if text is None:
            raise GovstatsError(f"{args.text}: cannot read its text")
    rows = [r.as_row() for r in resolve_many(args.names, text=text, folder=args.folder)]
    _print_frame(pd.DataFrame(rows), args.format)
    return 0 if all(r["status"] == "resolved" for r in rows) else 1


def _print_frame(frame, fmt: str) -> None:
    """Print a frame as CSV, JSON records or an aligned table (CJK counted as two columns)."""
    if fmt == "csv":
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1) + "\n")
    else:
        cells = [[str(c) for c in frame.columns]] + [
            ["" if v is None or (isinstance(v, float) and v != v) else str(v) for v in row]
            for row in frame.astype(object).itertuples(index=False)
        ]
        widths = [max(_width(row[i]) for row in cells) for i in range(len(cells[0]))]
        for row in cells:
            print("  ".join(_pad(v, w) for v, w in zip(row, widths, strict=True)).rstrip())


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


#: subcommand builders, in the order ``--help`` lists them
COMMANDS = [
    add_parse, add_check, add_summary, add_diff, add_synth, add_ingest, add_bodies, add_resolve,
    add_briefings,
]  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govstats",
        description=(
            "Read 政府信息公开工作年度报告 into tidy data, "
            "check them, store them and brief on them."
        ),
    )
    from govstats.reading.pdf.engines import ENGINE_VARIABLE, ENGINES

    parser.add_argument(
        "--pdf-engine",
        choices=ENGINES,
        help=f"the library that reads PDFs (default: ${ENGINE_VARIABLE}, else {ENGINES[0]}; "
        "pdfplumber is slower, kept as a fallback)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.pdf_engine:  # the environment carries the choice into ingest's worker processes
        from govstats.reading.pdf.engines import ENGINE_VARIABLE

        os.environ[ENGINE_VARIABLE] = args.pdf_engine
    try:
        return args.func(args)
    except GovstatsError as exc:  # a clean one-line message, never a traceback
        print(f"govstats: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
