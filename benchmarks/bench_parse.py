"""Parse throughput per format on one core, next to lxml alone parsing the same report's HTML.

    .venv/bin/python benchmarks/bench_parse.py            # 200 generated reports per format
    .venv/bin/python benchmarks/bench_parse.py --n 50     # quicker
    .venv/bin/python benchmarks/bench_parse.py --profile html-word   # where the time goes

Reports come from ``govstats.synth`` (fictional bodies, both templates, seed fixed), rendered
once per format before timing. For each format the table gives the time ``govstats.read_report``
takes per report, the time ``lxml.html.document_fromstring`` alone takes on the same report's
HTML (the Word-style HTML for ``html-word``, the simple HTML otherwise), their ratio (target:
≤ 3×), and how many reports failed to parse (errors: ParseError or any other exception), came back
different from the truth (differ: includes cells left NA with a warning, as run-together text may)
or with a number read wrongly (wrong).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from functools import partial

from common import best_of, pin_one_core, print_table

from govstats import synth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200, help="reports per format (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--formats", nargs="*", default=None, help="default: every format synth can render"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timing runs, best kept (default 3)")
    parser.add_argument(
        "--profile", metavar="FMT", help="profile read_report on FMT and print the hot spots"
    )
    args = parser.parse_args(argv)

    import lxml.html

    import govstats

    print(pin_one_core())
    years = range(2019, 2026)
    n_bodies = -(-args.n // len(years))
    reports = list(synth.generate(n_bodies, years, seed=args.seed))[: args.n]
    fmts = args.formats or list(synth.formats())
    rendered: dict[str, list[bytes]] = {}
    for fmt in fmts + ["html"]:
        if fmt not in rendered:
            out = [synth.render(r, fmt) for r in reports]
            rendered[fmt] = [x.encode("utf-8") if isinstance(x, str) else x for x in out]

    if args.profile:
        profile = cProfile.Profile()
        profile.enable()
        for data in rendered[args.profile]:
            govstats.read_report(data, name=f"bench.{args.profile}")
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
        return 0

    def lxml_all(datas):
        for data in datas:
            lxml.html.document_fromstring(data)

    lxml_simple = best_of(lambda: lxml_all(rendered["html"]), args.repeat) / len(reports)
    rows = []
    for fmt in fmts:
        datas = rendered[fmt]
        failures, differ, wrong = 0, 0, 0
        for data, expected in zip(datas, reports, strict=True):
            try:
                got = govstats.read_report(data, name=f"bench.{fmt}")
            except Exception:  # noqa: BLE001 — a ParseError or a reader crash: counted, the bench goes on
                failures += 1
                continue
            differ += bool(synth.differences(got, expected))
            wrong += any(  # a number read wrongly, not just left NA (as run-together text may)
                v.value is not None
                and expected.value(*key) is not None
                and abs(v.value - expected.value(*key)) > 1e-6 * max(1.0, abs(expected.value(*key)))
                for key, v in got.values.items()
                if key[2] != "legal_person"
            )

        def parse_all(datas=datas, fmt=fmt):  # bound now: best_of calls it within this pass
            for data in datas:
                try:
                    govstats.read_report(data, name=f"bench.{fmt}")
                except Exception:  # noqa: BLE001 — counted above
                    pass

        per_report = best_of(parse_all, args.repeat) / len(reports)
        base = (
            best_of(partial(lxml_all, datas), args.repeat) / len(reports)
            if fmt == "html-word"
            else lxml_simple
        )
        ratio = per_report / base if fmt not in synth.BINARY_FORMATS else float("nan")
        avg_kb = sum(map(len, datas)) / len(datas) / 1024
        verdict = "-" if fmt in synth.BINARY_FORMATS else ("ok" if ratio <= 3 else "SLOW")
        rows.append(
            [
                fmt,
                len(datas),
                avg_kb,
                per_report * 1000,
                1 / per_report,
                base * 1000,
                ratio,
                verdict,
                failures,
                differ,
                wrong,
            ]
        )
    print_table(
        [
            "format",
            "reports",
            "KB/report",
            "ms/report",
            "reports/s",
            "lxml ms",
            "ratio",
            "<=3x",
            "errors",
            "differ",
            "wrong",
        ],
        rows,
        title=f"\nread_report on one core, {len(reports)} generated reports per format "
        f"(seed {args.seed}, {time.strftime('%Y-%m-%d %H:%M')})",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
