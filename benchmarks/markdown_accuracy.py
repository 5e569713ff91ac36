"""Right / NA / WRONG cells of generated reports read back from markdown forms and tool output.

For each form (the generator's ``markdown-flat``, ``markdown-html``, ``pieces-markdown``,
``pieces-html``) and each real converter run on the generated HTML page (``html2text``,
``markitdown``; on the plain and the Word-style page), ``--reports`` generated reports (plain
and irregular options alternating) are rendered, read with :func:`govstats.read_report` and
compared cell by cell with the truth:

* right: the value, or NA where the truth is blank;
* NA (declared): NA in a cell the form declares ambiguous (right by the form's nature);
* NA: NA elsewhere (a loss of coverage, never a wrong number);
* WRONG: any other number. Must be 0.

Also counts reports refused (ParseError) and reports with a wrong body, year or template.

    PYTHONPATH=. python benchmarks/markdown_accuracy.py --reports 500
"""

from __future__ import annotations

import argparse
import collections
import io
import sys
import time

import govstats
from govstats import synth
from govstats.errors import ParseError

IRREGULAR = synth.Options(blank_rate=0.3, variant_rate=0.5, unit_rate=0.3, merged_rate=0.3, old_table1_rate=0.3)
FORMS = ("markdown-flat", "markdown-html", "pieces-markdown", "pieces-html")


def html2text_of(page: str) -> str:
    import html2text

    converter = html2text.HTML2Text()
    converter.body_width = 0
    return converter.handle(page)


def markitdown_of(page: str) -> str:
    from markitdown import MarkItDown

    return MarkItDown().convert_stream(io.BytesIO(page.encode("utf-8")), file_extension=".html").text_content


TOOLS = {"html2text": html2text_of, "markitdown": markitdown_of}


def reports(n: int):
    for i in range(n):
        options = IRREGULAR if i % 2 else synth.PLAIN
        yield synth.generate_one(seed=1000 + i, year=2019 + i % 7, options=options, index=(i * 37) % 2000)


def score(report: synth.GeneratedReport, text: str | bytes, name: str, ambiguous: frozenset) -> collections.Counter:
    """The cell counts of one reading (see the module docstring)."""
    out: collections.Counter = collections.Counter()
    try:
        got = govstats.read_report(text.encode("utf-8") if isinstance(text, str) else text, name=name)
    except ParseError:
        out["refused"] += 1
        out["NA"] += len(report.cells())
        return out
    values = {key: v.value for key, v in got.values.items()}
    for key in report.cells():
        want, have = report.value(*key), values.get(key)
        if have is None:
            out["right" if want is None else ("NA (declared)" if key in ambiguous else "NA")] += 1
        elif want is not None and abs(have - want) <= 1e-6 * max(1.0, abs(want)):
            out["right"] += 1
        else:
            out["WRONG"] += 1
    for item, want in report.legal_person.items():
        have = values.get(("requests", item, "legal_person"))
        if have is not None and (want is None or abs(have - want) > 1e-6):
            out["WRONG"] += 1
    if (got.body, got.year, got.template) != (report.body.name, report.year, report.template):
        out["meta wrong"] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--no-tools", action="store_true", help="only the generator's forms")
    args = parser.parse_args(argv)
    rows = [(form, None) for form in FORMS]
    if not args.no_tools:
        rows += [(f"{tool} of {page}", (tool, page)) for tool in TOOLS for page in ("html", "html-word")]
    print(f"{args.reports} generated reports per form (plain and irregular alternating)")
    print(f"{'form':28s} {'right':>8s} {'NA decl.':>9s} {'NA':>6s} {'WRONG':>6s} {'refused':>8s} {'meta':>5s} {'s':>6s}")
    wrong = 0
    for label, tool in rows:
        total: collections.Counter = collections.Counter()
        start = time.perf_counter()
        for report in reports(args.reports):
            if tool is None:
                text = synth.render(report, label)
                ambiguous = synth.ambiguous_cells(report, label)
            else:
                text = TOOLS[tool[0]](synth.render(report, tool[1]))
                ambiguous = frozenset()
            total += score(report, text, f"{report.name}.{label}", ambiguous)
        wrong += total["WRONG"]
        print(
            f"{label:28s} {total['right']:8d} {total['NA (declared)']:9d} {total['NA']:6d} {total['WRONG']:6d} "
            f"{total['refused']:8d} {total['meta wrong']:5d} {time.perf_counter() - start:6.1f}"
        )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
