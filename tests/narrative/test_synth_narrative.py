"""Generated narratives (govstats.synth.narrative): the same seed gives the same tables with or
without a narrative, and a report printed with one reads back to the same tidy frame."""

from __future__ import annotations

import govstats
from govstats.synth import generate
from govstats.synth.narrative import HEADINGS, narrate, text_of
from govstats.synth.printing import render


def test_a_narrative_changes_no_table():
    plain = list(generate(2, range(2019, 2026), seed=4))
    told = narrate(generate(2, range(2019, 2026), seed=4), seed=4)
    assert [r.values for r in plain] == [r.values for r in told]
    assert [r.printed for r in plain] == [r.printed for r in told]
    assert all(r.narrative is None for r in plain)
    assert render(plain[0], "html") == render(next(generate(1, [2019], seed=4)), "html")


def test_the_same_seed_gives_the_same_narrative():
    a = narrate(generate(1, range(2019, 2023), seed=9), seed=9)
    b = narrate(generate(1, range(2019, 2023), seed=9), seed=9)
    assert [r.narrative for r in a] == [r.narrative for r in b]


def test_a_report_with_a_narrative_reads_back():
    for report in narrate(generate(1, [2020, 2023], seed=6), seed=6):
        for fmt in ("txt-plain", "txt-pipe", "markdown", "html"):
            read = govstats.read_report(render(report, fmt).encode())
            assert {key: read.value(*key) for key in report.cells()} == {
                key: report.value(*key) for key in report.cells()
            }
            assert {s.code: s.text for s in read.sections} == {
                code: text_of(report, code) for code in HEADINGS
            }
