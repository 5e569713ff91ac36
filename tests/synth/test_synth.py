"""govstats.synth: generated reports are deterministic, fictional, consistent, and irregular on
demand."""

from __future__ import annotations

import re

import pytest

from govstats import schema, synth
from govstats.checks.rules import REVIEW_RULES

YEARS = range(2019, 2026)


def broken_rules(report: synth.GeneratedReport) -> set[tuple[str, str]]:
    """An independent oracle: every (rule, place) of the template arithmetic that fails.

    Blank (None) cells count as 0 — blanks are only ever printed for zeros.
    """

    def v(table, item, column):
        value = report.value(table, item, column)
        return 0.0 if value is None else value

    out = set()
    layout = report.layouts["requests"]
    columns = [c.code for c in schema.REQUEST_COLUMNS]
    if report.merged_legal_person:
        columns = ["natural_person", "legal_person", "total"]

        def v(table, item, column, _v=v):
            if column == "legal_person":
                return report.legal_person.get(item) or 0.0
            return _v(table, item, column)

    for c in columns:
        if v("requests", "new", c) + v("requests", "carried_over", c) != v(
            "requests", "total", c
        ) + v("requests", "carried_forward", c):
            out.add(("R1", c))
        if v("requests", "total", c) != sum(
            v("requests", o, c) for o in schema.OUTCOME_ITEMS[layout]
        ):
            out.add(("R3", c))
    for item in report.values["requests"]:
        parts = sum(v("requests", item, a) for a in schema.APPLICANT_COLUMNS)
        if report.merged_legal_person:
            parts = v("requests", item, "natural_person") + (report.legal_person.get(item) or 0.0)
        if v("requests", item, "total") != parts:
            out.add(("R2", item))
    for item in (i.code for i in schema.REVIEW_ITEMS):
        if v("review", item, "total") != sum(
            v("review", item, c) for c in ("upheld", "corrected", "other", "pending")
        ):
            out.add((REVIEW_RULES[item], item))
    return out


@pytest.fixture(scope="module")
def plain_reports() -> list[synth.GeneratedReport]:
    return list(synth.generate(300, YEARS, seed=11))


def test_same_seed_same_reports_and_bodies_independent_of_count():
    a = list(synth.generate(5, [2020, 2021], seed=3))
    b = list(synth.generate(5, [2020, 2021], seed=3))
    assert [r.values for r in a] == [r.values for r in b]
    assert [r.printed for r in a] == [r.printed for r in b]
    c = list(synth.generate(2, [2020, 2021], seed=3, first_body=3))
    assert [r.values for r in c] == [r.values for r in a[6:]]
    d = list(synth.generate(5, [2020, 2021], seed=4))
    assert [r.values for r in d] != [r.values for r in a]


@pytest.mark.slow
def test_bodies_are_fictional_unique_and_of_every_level(plain_reports):
    bodies = {r.body.index: r.body for r in plain_reports}
    assert {b.level for b in bodies.values()} == set(synth.LEVELS)
    names = [b.name for b in bodies.values()]
    assert len(set(names)) == len(names)
    for body in bodies.values():
        assert synth.SYNTHETIC_MARKER in body.name
        assert re.fullmatch(r"9\d{5}", body.region_code)
        assert body.slug.isascii()
    city = [synth.make_body(i) for i in range(synth.GROUP_SIZE, 2 * synth.GROUP_SIZE)]
    assert {b.region_code[:4] for b in city} == {
        city[0].region_code[:4]
    }  # one city's bodies share a region
    assert all(b.region_name.startswith(city[0].region_name) for b in city)
    many = [synth.make_body(i).name for i in range(20000)]
    assert len(set(many)) == len(many)


def test_templates_and_cells_follow_the_year(plain_reports):
    for r in plain_reports:
        assert r.synthetic
        assert r.template == schema.template_for_year(r.year)
        cells = {
            (t, i, c) for t, items in r.values.items() for i, cols in items.items() for c in cols
        }
        expected = set(schema.cells(r.template, r.template))
        if r.template == "2021":
            expected |= {("requests", "other", c.code) for c in schema.REQUEST_COLUMNS}
        assert cells == expected


@pytest.mark.slow
def test_plain_reports_keep_the_arithmetic(plain_reports):
    for r in plain_reports:
        assert broken_rules(r) == set(), r
        for (table, item, column), value in ((k, r.value(*k)) for k in r.cells()):
            if (table, column) not in schema.SIGNED_CELLS:
                assert value >= 0, (r, table, item, column)


def test_numbers_chain_across_years(plain_reports):
    by_body: dict[int, list] = {}
    for r in plain_reports:
        by_body.setdefault(r.body.index, []).append(r)
    for series in by_body.values():
        for prev, cur in zip(series, series[1:], strict=False):
            assert (
                cur.values["requests"]["carried_over"] == prev.values["requests"]["carried_forward"]
            )
            if cur.template == "2021" and prev.template == "2021":
                for item in ("rules", "normative_docs"):
                    p, c = prev.values["publication"][item], cur.values["publication"][item]
                    assert c["in_force"] == p["in_force"] + c["issued"] - c["repealed"]
                    assert c["repealed"] <= p["in_force"]
            if cur.template == "2019" and prev.template == "2019":
                for item in ("licensing", "other_services", "penalties", "coercion", "fees"):
                    p, c = prev.values["publication"][item], cur.values["publication"][item]
                    assert c["previous"] == p["previous"] + p["change"]


def test_small_bodies_are_zero_heavy_and_large_ones_busy(plain_reports):
    new = [r.value("requests", "new", "total") for r in plain_reports]
    assert sum(n == 0 for n in new) / len(new) > 0.2
    assert max(new) > 500
    by_level = {}
    for r, n in zip(plain_reports, new, strict=True):
        by_level.setdefault(r.body.level, []).append(n)
    mean = {lv: sum(ns) / len(ns) for lv, ns in by_level.items()}
    assert mean["department"] < mean["county"] < mean["city"]


@pytest.mark.parametrize("rule", synth.BREACH_RULES)
def test_planted_breaches_break_exactly_the_recorded_rules(rule):
    options = synth.Options(breach_rate=1.0, breach_rules=(rule,), blank_rate=0.3)
    for r in synth.generate(40, [2020, 2023], seed=5, options=options):
        assert len(r.breaches) == 1
        breach = r.breaches[0]
        assert broken_rules(r) == set(breach.where), r
        for key in breach.cells:
            assert r.value(*key) is not None and r.value(*key) >= 0
            assert r.printed[key] == str(int(r.value(*key)))


def test_blank_cells_are_printed_as_placeholders_and_are_na():
    options = synth.Options(blank_rate=0.5)
    blanks = 0
    for r in synth.generate(20, [2020, 2022], seed=2, options=options):
        assert broken_rules(r) == set()
        for key in r.cells():
            if r.value(*key) is None and not (
                key[1] == "other" and r.layouts["requests"] == "2021"
            ):
                assert r.printed[key] in synth.reports._BLANKS
                blanks += 1
        if r.layouts["requests"] == "2021":
            subs = [r.value("requests", s.code, "natural_person") for s in schema.OTHER_SUBROWS]
            other = r.value("requests", "other", "natural_person")
            assert other == (None if all(s is None for s in subs) else sum(s or 0 for s in subs))
    assert blanks > 100


def test_merged_legal_person_columns_keep_the_aggregate():
    options = synth.Options(merged_rate=1.0, breach_rate=0.5)
    for r in synth.generate(10, [2020, 2021], seed=8, options=options):
        assert r.merged_legal_person
        for item, cols in r.values["requests"].items():
            assert all(cols[c] is None for c in schema.LEGAL_PERSON_COLUMNS)
            if not r.breaches:
                assert r.legal_person[item] == cols["total"] - cols["natural_person"]
        assert broken_rules(r) == {w for b in r.breaches for w in b.where}
        header = [b for b in synth.to_document(r).blocks if b.table == 2][1]
        assert [c.text for c in header.cells] == ["自然人", "法人或其他组织", "总计"]


def test_units_digit_styles_and_label_variants_are_recorded():
    options = synth.Options(unit_rate=0.5, variant_rate=1.0)
    r = synth.generate_one(seed=4, year=2021, options=options, index=1)
    printed = set(r.printed.values())
    assert any(p.endswith("件") for p in printed)
    assert any(re.search("[０-９]", p) for p in printed)
    assert r.row_labels and r.column_labels
    texts = {c.text for b in synth.to_document(r).blocks for c in b.cells}
    for label in r.row_labels.values():
        assert label in texts


def _grid(document, table):
    """Rows of a table expanded to a grid (spans filled), for shape assertions."""
    rows = [b for b in document.blocks if b.table == table]
    grid: dict[tuple[int, int], str] = {}
    for r, block in enumerate(rows):
        c = 0
        for cell in block.cells:
            while (r, c) in grid:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    grid[(r + dr, c + dc)] = cell.text
            c += cell.colspan
    width = {max(c for (rr, c) in grid if rr == r) + 1 for r in range(len(rows))}
    return rows, width


@pytest.mark.parametrize("year", [2020, 2023])
def test_document_lays_out_the_three_tables_as_printed(year):
    r = synth.generate_one(seed=1, year=year, index=2)
    doc = synth.to_document(r)
    assert doc.blocks[1].text == synth.SYNTHETIC_NOTICE
    assert r.body.name in doc.title and str(year) in doc.title
    assert {b.table for b in doc.blocks if b.kind == "row"} == {1, 2, 3}
    rows2, width2 = _grid(doc, 2)
    assert width2 == {10}  # 3 label columns + 7 numbers, every row full
    n_items = len(schema.REQUEST_ITEMS[r.layouts["requests"]]) - (r.layouts["requests"] == "2021")
    assert len(rows2) == 3 + n_items
    rows3, width3 = _grid(doc, 3)
    assert width3 == {15} and len(rows3) == 4
    printed = [c.text for b in doc.blocks if b.kind == "row" for c in b.cells]
    for key in r.cells():
        if key in r.printed:
            assert r.printed[key] in printed


def test_render_rejects_unknown_formats():
    r = synth.generate_one()
    with pytest.raises(ValueError, match="cannot render format"):
        synth.render(r, "xlsx")
    assert set(synth.TEXT_FORMATS) <= set(synth.formats())


def test_word_html_keeps_every_cell_text():
    lxml_html = pytest.importorskip("lxml.html")
    writing = pytest.importorskip("govstats.synth.writing")
    r = synth.generate_one(seed=9, year=2022, options=synth.Options(unit_rate=0.3), index=3)
    simple = writing.write(synth.to_document(r), "html")
    word = synth.render(r, "html-word")
    assert "MsoNormal" in word and "<o:p>" in word and "&nbsp;" in word

    def cells(markup):
        tree = lxml_html.document_fromstring(markup)
        return [
            [
                (
                    " ".join(td.text_content().replace("\xa0", " ").split()),
                    td.get("rowspan"),
                    td.get("colspan"),
                )
                for td in tr
                if td.tag in ("td", "th")
            ]
            for tr in tree.iter("tr")
        ]

    assert cells(word) == cells(simple)
    tree = lxml_html.document_fromstring(word)
    split_digits = [td for td in tree.iter("td") if len(td.findall(".//span[@lang='EN-US']")) > 2]
    assert split_digits  # some numbers are split across spans


def test_cli_writes_a_marked_corpus_that_reads_back(tmp_path, capsys):
    import json

    from govstats.cli import main

    pytest.importorskip("govstats.synth.writing")
    code = main(
        [
            "synth",
            str(tmp_path),
            "--bodies",
            "2",
            "--years",
            "2020-2021",
            "--seed",
            "3",
            "--format",
            "txt-pipe",
            "--format",
            "html",
            "--encoding",
            "gb18030",
            "--breaches",
            "1",
        ]
    )
    assert code == 0 and "synthetic" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest) == 2 * 2 * 2 and all(e["synthetic"] for e in manifest)
    import govstats

    for entry in manifest:
        truth = json.loads((tmp_path / entry["truth"]).read_text(encoding="utf-8"))
        assert truth["synthetic"] and truth["breaches"] and synth.SYNTHETIC_MARKER in truth["body"]
        data = (tmp_path / entry["file"]).read_bytes()
        data.decode("gb18030")
        report = govstats.read_report(data, name=entry["file"])
        got = {k: v.value for k, v in report.values.items()}
        want = {
            (t, i, c): v
            for t, items in truth["values"].items()
            for i, cols in items.items()
            for c, v in cols.items()
        }
        assert got == want
    assert main(["synth", str(tmp_path), "--format", "xlsx"]) == 2
