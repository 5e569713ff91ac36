"""Measured accuracy per form: right / NA / WRONG cells of generated reports read back.

For every form — each format of ``synth.formats()`` (new ``govstats.synth.toolforms`` forms are
picked up as they appear) and each real tool run on a generated page or PDF (``w3m(html)``,
``pdftotext-raw(pdf)``, …) — ``--per-options`` plain and as many irregular reports are printed in
the form, read with ``govstats.read_report`` and counted cell by cell
(``tests/support/accuracy.py``): right, NA where the form makes the cell ambiguous (allowed), NA
elsewhere, WRONG (never allowed), and reports refused with a ParseError. Forms on a PDF printed by
headless Chromium (when no PDF writer is installed) take seconds a page and use
``--per-options-printed`` reports of each kind.

    python benchmarks/forms_accuracy.py                       # 250 + 250 a form, 20 + 20 on PDFs
    python benchmarks/forms_accuracy.py --forms txt-oneline txt-cr --per-options 500
    python benchmarks/forms_accuracy.py --json /tmp/forms-accuracy.json

Prints a table and writes JSON (the command line, tool versions, per form the counts and the
first wrong and NA cells).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from common import print_table

from govstats import synth

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.support (not installed)

from tests.support import accuracy, scoring, tools  # noqa: E402

EXAMPLES = 10


def _printed(form: str) -> bool:
    tool_form = accuracy.tool_forms().get(form)
    return tool_form is not None and tool_form.source == "pdf" and "pdf" not in synth.formats()


def _chunk(job: tuple[tuple[str, ...], str, int, int, int]) -> list[dict]:
    """Measure reports ``first .. first+count-1`` of a sample (regenerated in the worker) in
    each of ``forms`` (the forms on a printed PDF go together: each page is printed once)."""
    forms, options, first, count, seed = job
    warnings.simplefilter("ignore")
    reports = accuracy.sample(first + count, options, seed)[first:]
    out = []
    for form in forms:
        total, refused = scoring.Score(), 0
        for report in reports:
            result, error = accuracy.measure(report, form)
            result.wrong_cells = [
                f"{report.name} ({options}): {c}" for c in result.wrong_cells[:EXAMPLES]
            ]
            result.na_cells = [
                f"{report.name} ({options}): {c}" for c in result.na_cells[:EXAMPLES]
            ]
            total.add(result)
            refused += error is not None
        out.append({"form": form, "reports": len(reports), "refused": refused, "score": total})
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms", nargs="*", help="forms to measure (default: all)")
    parser.add_argument(
        "--per-options", type=int, default=250, help="plain and irregular reports each, per form"
    )
    parser.add_argument(
        "--per-options-printed",
        type=int,
        default=20,
        help="the same for forms on a Chromium-printed PDF",
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=10, help="reports per job")
    parser.add_argument("--json", type=Path, default=Path("forms_accuracy.json"))
    args = parser.parse_args()

    forms = args.forms or list(accuracy.all_forms())
    unknown = [f for f in forms if f not in accuracy.all_forms()]
    if unknown:
        parser.error(f"unknown forms {unknown}; choose from {', '.join(accuracy.all_forms())}")
    skipped = {f: accuracy.missing(f) for f in forms if accuracy.missing(f)}
    measured = [f for f in forms if f not in skipped]
    groups = [(f,) for f in measured if not _printed(f)] + [
        tuple(f for f in measured if _printed(f))
    ]
    jobs = []
    for group in filter(None, groups):
        n = args.per_options_printed if _printed(group[0]) else args.per_options
        for options in accuracy.OPTIONS:
            for first in range(0, n, args.chunk):
                jobs.append((group, options, first, min(args.chunk, n - first), args.seed))

    start = time.perf_counter()
    results: dict[str, dict] = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for part in (p for parts in pool.map(_chunk, jobs) for p in parts):
            entry = results.setdefault(
                part["form"], {"reports": 0, "refused": 0, "score": scoring.Score()}
            )
            entry["reports"] += part["reports"]
            entry["refused"] += part["refused"]
            entry["score"].add(part["score"])
            if entry["reports"] == 2 * (
                args.per_options_printed if _printed(part["form"]) else args.per_options
            ):
                s = entry["score"]
                print(
                    f"  {part['form']}: {entry['reports']} reports, {s.right} right, "
                    f"{s.na_allowed} NA allowed, {s.na} NA, {s.wrong} "
                    f"WRONG ({time.perf_counter() - start:.0f} s)",
                    flush=True,
                )
    elapsed = time.perf_counter() - start

    rows, out = [], {}
    for form in forms:
        if form in skipped:
            rows.append([form, 0, 0, 0, 0, 0, 0, 0, 0, "", f"skipped: {skipped[form]}"])
            continue
        entry = results[form]
        s = entry["score"]
        rows.append(
            [
                form,
                entry["reports"],
                s.cells,
                s.right,
                s.na_allowed,
                s.na,
                s.silent_na,
                s.wrong,
                entry["refused"],
                "yes" if accuracy.read_in_full(form) else "",
                s.wrong_cells[0] if s.wrong_cells else "",
            ]
        )
        out[form] = {
            "reports": entry["reports"],
            "cells": s.cells,
            "right": s.right,
            "na_allowed": s.na_allowed,
            "na": s.na,
            "silent_na": s.silent_na,
            "wrong": s.wrong,
            "refused": entry["refused"],
            "read_in_full": accuracy.read_in_full(form),
            "wrong_examples": s.wrong_cells[:EXAMPLES],
            "na_examples": s.na_cells[:EXAMPLES],
        }
    print_table(
        [
            "form",
            "reports",
            "cells",
            "right",
            "NA allowed",
            "NA",
            "silent NA",
            "WRONG",
            "refused",
            "full",
            "first wrong",
        ],
        rows,
        title=f"Accuracy per form (seed {args.seed}; {elapsed:.0f} s on {args.workers} workers)",
    )
    record = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "seed": args.seed,
        "per_options": args.per_options,
        "per_options_printed": args.per_options_printed,
        "options": {k: repr(v) for k, v in accuracy.OPTIONS.items()},
        "pdf_source": "synth.render(report, 'pdf')"
        if "pdf" in synth.formats()
        else "synth html printed by headless Chromium",
        "tool_versions": tools.versions(),
        "seconds": round(elapsed, 1),
        "skipped": skipped,
        "forms": out,
    }
    args.json.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
