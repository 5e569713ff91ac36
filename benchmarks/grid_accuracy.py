"""Right / NA / WRONG cells of generated reports read back from the text-tool forms of tables.

    python benchmarks/grid_accuracy.py [-n 500] [--forms text-grid txt-layout w3m-html]

For each form, ``n`` generated reports (half plain, half with the irregularities of
``tests/test_roundtrip.IRREGULAR``; every year 2019–2025) are rendered, read with
``govstats.read_report`` and compared cell by cell with the truth: *right* (the value, or NA
for a blank cell), *NA* (a value left NA; *declared* when the form names the cell ambiguous)
and *WRONG* (any other number: must be 0). ``w3m-html`` renders the report as HTML and dumps
it with the real ``w3m -dump`` (skipped when w3m is absent).

:func:`count_cells` is the comparison, for other scripts to call.
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import govstats  # noqa: E402
from govstats import synth  # noqa: E402

IRREGULAR = synth.Options(blank_rate=0.3, variant_rate=0.5, unit_rate=0.3, merged_rate=0.3, old_table1_rate=0.3)


def count_cells(got, report: synth.GeneratedReport, ambiguous: frozenset = frozenset()) -> dict[str, int]:
    """{'right', 'na', 'na_declared', 'wrong'} over the report's truth cells (``got``: the
    Report read, or None when reading failed: every cell NA)."""
    out = {"right": 0, "na": 0, "na_declared": 0, "wrong": 0}
    values = {} if got is None else {k: v.value for k, v in got.values.items()}
    truth = {(t, i, c): v for t, items in report.values.items() for i, cols in items.items() for c, v in cols.items()}
    truth.update({("requests", item, "legal_person"): v for item, v in report.legal_person.items()})
    for key, want in truth.items():
        have = values.get(key)
        if have is None or (isinstance(have, float) and math.isnan(have)):
            if want is None:
                out["right"] += 1
            else:
                out["na_declared" if key in ambiguous else "na"] += 1
        elif want is not None and math.isclose(have, want, rel_tol=1e-6, abs_tol=1e-6):
            out["right"] += 1
        else:
            out["wrong"] += 1
    return out


def _w3m(html: str) -> bytes:
    return subprocess.run(["w3m", "-dump", "-T", "text/html", "-O", "UTF-8"], input=html.encode(),
                          capture_output=True, check=True, timeout=60).stdout


def measure(form: str, n: int) -> tuple[dict[str, int], int, float]:
    totals = {"right": 0, "na": 0, "na_declared": 0, "wrong": 0}
    failed = 0
    start = time.perf_counter()
    for k in range(n):
        options = IRREGULAR if k % 2 else synth.PLAIN
        report = synth.generate_one(k, 2019 + k % 7, options, index=k)
        if form == "w3m-html":
            data, ambiguous = _w3m(synth.render(report, "html" if k % 4 < 2 else "html-word")), frozenset()
        else:
            data, ambiguous = synth.render(report, form).encode("utf-8"), synth.ambiguous_cells(report, form)
        try:
            got = govstats.read_report(data, name=f"{report.name}.{form}")
        except govstats.ParseError:
            got, failed = None, failed + 1
        for key, value in count_cells(got, report, ambiguous).items():
            totals[key] += value
    return totals, failed, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=500, help="reports per form (default 500)")
    parser.add_argument("--forms", nargs="+", default=["text-grid", "txt-layout", "w3m-html"])
    args = parser.parse_args()
    print(f"{'form':12s} {'reports':>7s} {'right':>8s} {'NA':>6s} {'NA decl.':>8s} {'WRONG':>6s} {'refused':>7s}  time")
    for form in args.forms:
        if form == "w3m-html" and shutil.which("w3m") is None:
            print(f"{form:12s} skipped: w3m not installed (make system-packages)")
            continue
        t, failed, seconds = measure(form, args.n)
        print(f"{form:12s} {args.n:7d} {t['right']:8d} {t['na']:6d} {t['na_declared']:8d} {t['wrong']:6d} {failed:7d}  {seconds:.0f} s")


if __name__ == "__main__":
    main()
