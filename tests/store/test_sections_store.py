"""Table ``sections``: the report text written at ingest and read by govstats.load_sections."""

from __future__ import annotations

import duckdb
import pytest

import govstats
from govstats import store
from govstats.narrative import body_comparisons, compare_series
from govstats.store.sections import LOAD_SECTION_COLUMNS
from govstats.synth import generate
from govstats.synth.narrative import narrate
from govstats.synth.printing import render
from tests.conftest import CORPUS_DIR

RAW = CORPUS_DIR / "raw"
PINGTAN = [RAW / f"{y}_pingtan_html.html" for y in range(2019, 2026)]


@pytest.fixture(scope="module")
def pingtan_store(tmp_path_factory):
    if not all(p.is_file() for p in PINGTAN):
        pytest.skip(f"corpus absent: {RAW}")
    db = tmp_path_factory.mktemp("sections") / "s.duckdb"
    summary = govstats.ingest(PINGTAN, db=db, progress=False, jobs=1)
    assert summary.failed == 0
    return db


def test_ingest_keeps_every_section(pingtan_store):
    frame = govstats.load_sections(body="pingtan", db=pingtan_store)
    assert list(frame.columns) == LOAD_SECTION_COLUMNS
    read = {p: govstats.read_report(p) for p in PINGTAN}
    assert len(frame) == sum(len(r.sections) for r in read.values())
    for report in read.values():
        rows = frame[frame["report_id"] == report.report_id]
        assert list(rows["seq"]) == list(range(len(report.sections)))
        assert list(
            zip(rows["code"], rows["heading"], rows["text"], rows["source"], strict=True)
        ) == [(s.code, s.heading, s.text, s.source) for s in report.sections]


def test_load_sections_by_years_and_the_comparison_from_the_store(pingtan_store):
    frame = govstats.load_sections(body="pingtan", years=[2024, 2025], db=pingtan_store)
    assert sorted(set(frame["year"])) == [2024, 2025]
    stored = body_comparisons("pingtan", db=pingtan_store)
    read = compare_series({r.year: r.sections for r in map(govstats.read_report, PINGTAN)})
    assert stored == read
    assert govstats.load_sections(body="no-such-body", db=pingtan_store).empty


def test_a_store_without_text_reads_as_none_and_gets_the_table_on_first_write(tmp_path):
    db = tmp_path / "s.duckdb"
    report = narrate(generate(1, [2023], seed=1), seed=1)[0]
    read = govstats.read_report(render(report, "html").encode())
    entry = store.entry_from_report(read, path="x.html")
    entry.sections = []  # as a tidy extract's reports: no text
    store.add_reports([entry], db=db)
    with duckdb.connect(str(db), read_only=True) as con:
        query = "SELECT table_name FROM information_schema.tables"
        tables = {name for (name,) in con.execute(query).fetchall()}
    assert "sections" not in tables  # a store that predates the table
    assert govstats.load_sections(db=db).empty
    other = narrate(generate(1, [2024], seed=1), seed=1)[0]
    store.add_reports([govstats.read_report(render(other, "html").encode())], db=db)
    frame = govstats.load_sections(db=db)
    assert set(frame["year"]) == {2024} and len(frame) == 8


def test_a_newer_version_supersedes_the_text_too(tmp_path):
    db = tmp_path / "s.duckdb"
    report = narrate(generate(1, [2023], seed=2), seed=2)[0]
    first = govstats.read_report(render(report, "html").encode())
    second = govstats.read_report(render(report, "markdown").encode())  # same body and year
    store.add_reports([first], db=db)
    store.add_reports([second], db=db)
    current = govstats.load_sections(db=db)
    assert set(current["report_id"]) == {second.report_id}
    everything = govstats.load_sections(db=db, all_versions=True)
    assert set(everything["report_id"]) == {first.report_id, second.report_id}


def test_the_original_after_its_extract_brings_the_text(tmp_path):
    """A report first stored without text (as from a tidy extract), then read from its original
    (the same content: the same report id), keeps its values and version and gets its sections;
    a third reading adds nothing twice."""
    db = tmp_path / "s.duckdb"
    report = narrate(generate(1, [2023], seed=3), seed=3)[0]
    read = govstats.read_report(render(report, "html").encode())
    extract = store.entry_from_report(read, path="extract.csv")
    extract.sections = []
    store.add_reports([extract], db=db)
    assert govstats.load_sections(db=db).empty
    original = store.entry_from_report(read, path="original.html")
    store.add_reports([original], db=db)
    store.add_reports([original], db=db)
    frame = govstats.load_sections(db=db)
    assert set(frame["report_id"]) == {read.report_id}
    assert list(frame["seq"]) == list(range(len(read.sections)))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*), max(version) FROM reports").fetchone() == (1, 1)
