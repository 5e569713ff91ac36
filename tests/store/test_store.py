"""The DuckDB store's API: idempotent writes, versions, load/bodies/export, extracts, locking.

These tests write reports that are already read (corpus truth files, generated reports), so
they do not depend on the reader; ``test_ingest_cli.py`` drives real files through it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from govstats import schema, synth
from govstats.errors import StoreBusyError
from govstats.store import (
    LOAD_COLUMNS,
    PLACE_COLUMNS,
    SCHEMA_VERSION,
    Entry,
    StoreError,
    add_reports,
    bodies,
    connect,
    content_hash,
    export,
    find_body,
    ingest,
    ingest_errors,
    load,
    read_extract,
    register_bodies,
    reports,
    write_extract,
)
from tests.conftest import CORPUS_DIR, corpus_entries, truth_for


def truth_entry(entry: dict, *, values=None, report_id=None) -> Entry:
    """A store entry holding a corpus report's truth values (what a perfect reader returns)."""
    truth = truth_for(entry)
    rid = report_id or content_hash((CORPUS_DIR / entry["file"]).read_bytes())
    frame = schema.values_to_tidy(
        values or truth["values"],
        report_id=rid,
        body=truth["body"],
        year=truth["year"],
        template=truth["template"],
    )
    return Entry(
        report_id=rid, file_name=Path(entry["file"]).name, path=str(CORPUS_DIR / entry["file"]),
        format=entry["format"].split(" ")[0], origin="api", parser_version="test",
        read_at=datetime(2026, 1, 1),
        body=truth["body"], year=truth["year"], template=truth["template"], values=frame,
    )  # fmt: skip


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def truth_store(db, corpus_dir) -> Path:
    summary = add_reports([truth_entry(e) for e in corpus_entries()], db)
    assert summary.read == len(corpus_entries())
    return db


def counts(db) -> tuple[int, int, int]:
    with connect(db, read_only=True) as con:
        return tuple(
            con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0]
            for t in ("reports", "values", "bodies")
        )


def test_same_reports_twice_change_nothing(truth_store):
    before = counts(truth_store)
    again = add_reports([truth_entry(e) for e in corpus_entries()], truth_store)
    assert (again.read, again.skipped) == (0, len(corpus_entries()))
    assert counts(truth_store) == before
    assert before[0] == len(corpus_entries()) and before[2] == len(
        {e["body"] for e in corpus_entries()}
    )


def test_load_returns_every_truth_value(truth_store):
    for entry in corpus_entries():
        truth = truth_for(entry)
        frame = load(truth_store, body=truth["body"], years=truth["year"])
        assert list(frame.columns) == LOAD_COLUMNS
        assert schema.tidy_to_values(frame) == truth["values"], entry["file"]
        assert set(frame["template"]) == {truth["template"]}


def test_load_keeps_tidy_dtypes_and_template_order(truth_store):
    frame = load(truth_store, body="pingtan", years=[2021])
    expected = schema.tidy_frame()
    for column in schema.TIDY_COLUMNS + ["source"]:
        assert frame[column].dtype == expected[column].dtype, column
    truth = next(e for e in corpus_entries() if e["file"].endswith("2021_pingtan_html.html"))
    order = [
        (t, i, c)
        for t, items in truth_for(truth)["values"].items()
        for i, cols in items.items()
        for c in cols
    ]
    assert list(zip(frame["table"], frame["item"], frame["column"], strict=True)) == order


def test_filters_by_slug_years_table_and_region(truth_store):
    series = load(truth_store, body="pingtan")
    assert sorted(series["year"].unique()) == list(range(2019, 2026))
    assert set(load(truth_store, body="平潭综合实验区管委会")["report_id"]) == set(
        series["report_id"]
    )  # alias
    two = load(truth_store, body="pingtan", years=range(2020, 2022), table="review")
    assert (
        sorted(two["year"].unique()) == [2020, 2021]
        and set(two["table"]) == {"review"}
        and len(two) == 30
    )
    assert set(load(truth_store, region="资阳市")["body"]) == {"资阳市人民政府办公室"}
    assert set(load(truth_store, region="320000")["body"]) == {
        "淮安市洪泽区人民政府",
        "沭阳县发展和改革局",
    }
    assert set(load(truth_store, region="江苏省")["body"]) == {
        "淮安市洪泽区人民政府",
        "沭阳县发展和改革局",
    }
    assert set(load(truth_store, region="福建")["body"]) == {"平潭综合实验区"}
    empty = load(truth_store, body="nobody-here")
    assert empty.empty and list(empty.columns) == LOAD_COLUMNS


def test_corrected_file_is_a_new_version_and_the_old_one_stays(truth_store):
    entry = next(e for e in corpus_entries() if e["file"].endswith("2023_pingtan_html.html"))
    values = truth_for(entry)["values"]
    corrected = {t: {i: dict(c) for i, c in items.items()} for t, items in values.items()}
    corrected["requests"]["new"]["natural_person"] += 1
    old_id = content_hash((CORPUS_DIR / entry["file"]).read_bytes())
    summary = add_reports(
        [truth_entry(entry, values=corrected, report_id="c0ffee0000000001")], truth_store
    )
    assert (summary.read, summary.new_versions) == (1, 1)

    current = load(truth_store, body="pingtan", years=2023)
    assert set(current["report_id"]) == {"c0ffee0000000001"} and set(current["version"]) == {2}
    cell = current[(current["item"] == "new") & (current["column"] == "natural_person")]["value"]
    assert cell.iloc[0] == values["requests"]["new"]["natural_person"] + 1

    both = load(truth_store, body="pingtan", years=2023, all_versions=True)
    assert set(both["report_id"]) == {old_id, "c0ffee0000000001"}
    old = both[both["report_id"] == old_id]
    assert (
        set(old["superseded_by"]) == {"c0ffee0000000001"} and schema.tidy_to_values(old) == values
    )
    table = reports(truth_store).set_index("report_id")
    assert table.at[old_id, "version"] == 1 and table.at["c0ffee0000000001", "version"] == 2
    # the other years are untouched
    assert len(load(truth_store, body="pingtan")["report_id"].unique()) == 7


def test_bodies_lists_known_and_unknown_bodies(truth_store):
    generated = synth.to_report(synth.generate_one(seed=3, year=2023))
    add_reports([generated], truth_store)
    table = bodies(truth_store)
    assert len(table) == len({e["body"] for e in corpus_entries()}) + 1
    known = table[table["known"]].set_index("slug")
    assert (
        known.at["pingtan", "years"] == list(range(2019, 2026))
        and known.at["pingtan", "n_reports"] == 7
    )
    assert (
        known.at["ziyang-bgs", "region_name"] == "资阳市"
        and known.at["hongze-qzf", "level"] == "county"
    )
    unknown = table[~table["known"]]
    assert list(unknown["body"]) == [generated.body] and unknown["slug"].iloc[0].startswith("body-")
    # its fallback slug finds it again
    assert set(load(truth_store, body=unknown["slug"].iloc[0])["body"]) == {generated.body}
    assert find_body("pingtan", truth_store)["body"] == "平潭综合实验区"
    assert find_body("资阳市人民政府办公室", truth_store)["slug"] == "ziyang-bgs"
    assert list(bodies(truth_store, region="资阳市")["slug"]) == ["ziyang-bgs"]


def test_registered_bodies_get_their_facts(db):
    generated = synth.generate_one(seed=5, year=2022)
    add_reports([synth.to_report(generated)], db)
    body = generated.body
    register_bodies(
        pd.DataFrame([{"body": body.name, "slug": body.slug, "region_code": body.region_code,
                       "region_name": body.region_name, "level": body.level, "parent": None}]), db
    )  # fmt: skip
    row = find_body(body.slug, db)
    assert (
        bool(row["known"]) and row["region_code"] == body.region_code and row["level"] == body.level
    )
    assert len(load(db, body=body.slug)) == len(generated.tidy())


def test_export_parquet_and_csv_round_trip(truth_store, tmp_path):
    frame = load(truth_store, body="pingtan")
    parquet = export(truth_store, tmp_path / "out" / "pingtan.parquet", body="pingtan")
    back = pd.read_parquet(parquet)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    csv = export(truth_store, tmp_path / "all.csv")
    text = pd.read_csv(csv, encoding="utf-8-sig", dtype={"template": "string"})
    assert len(text) == len(load(truth_store)) and "平潭综合实验区" in set(text["body"])
    with pytest.raises(Exception, match="use .parquet or .csv"):
        export(truth_store, tmp_path / "x.xlsx")


def test_extract_round_trip_keeps_ids_and_provenance(truth_store, tmp_path):
    entries = [truth_entry(e) for e in corpus_entries()]
    write_extract(entries, tmp_path / "extract")
    back = list(read_extract(tmp_path / "extract"))
    assert [e.report_id for e in back] == [e.report_id for e in entries]
    assert back[0].parser_version == "test" and back[0].file_name == entries[0].file_name
    fresh = tmp_path / "fresh.duckdb"
    summary = ingest([tmp_path / "extract"], fresh, progress=False)
    assert (summary.read, summary.failed) == (len(entries), 0)
    table = reports(fresh)
    assert set(table["origin"]) == {"extract"} and set(table["parser_version"]) == {"test"}
    assert set(table["report_id"]) == {e.report_id for e in entries}
    for entry in corpus_entries():
        truth = truth_for(entry)
        assert (
            schema.tidy_to_values(load(fresh, body=truth["body"], years=truth["year"]))
            == truth["values"]
        )
    again = ingest([tmp_path / "extract" / "values.csv"], fresh, progress=False)
    assert (again.read, again.skipped) == (0, len(entries))


def test_a_broken_extract_is_an_error_naming_the_file(tmp_path, db):
    entry = Entry(report_id="r1", file_name="x.html", path="x.html", format="html", origin="api",
                  parser_version="t", read_at=datetime(2026, 1, 1), body="示例局", year=2023,
                  template="2021", values=synth.generate_one().tidy(report_id="r1"))  # fmt: skip
    reports_csv, _ = write_extract([entry], tmp_path / "extract")
    reports_csv.write_text(
        reports_csv.read_text(encoding="utf-8").replace(f",{len(entry.values)}\n", ",999\n"),
        encoding="utf-8",
    )
    summary = ingest([tmp_path / "extract"], db, progress=False)
    assert summary.failed == 1 and "lists 999 values" in summary.errors[0][1]
    assert "reports.csv: line 2" in ingest_errors(db)["reason"].iloc[0]


def test_reading_a_missing_store_says_so(tmp_path):
    with pytest.raises(StoreError, match="no store here yet"):
        load(tmp_path / "nothing.duckdb")


def test_a_newer_schema_is_refused(db):
    with connect(db):
        pass
    con = duckdb.connect(str(db))
    con.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(StoreError, match="schema version 99 is newer"):
        load(db)


def test_a_schema_1_store_is_upgraded_on_first_open_even_to_read(db):
    generated = [synth.to_report(r) for r in synth.generate(3, range(2022, 2025), seed=11)]
    add_reports(generated[:6], db)
    before = load(db, all_versions=True)
    one_body = before["body"].iloc[0]
    with connect(db) as con:  # make it what govstats 0.1 wrote: no rkey, no resolution
        con.execute('ALTER TABLE "values" DROP COLUMN rkey')
        for column in ["rkey", *PLACE_COLUMNS]:
            con.execute(f"ALTER TABLE reports DROP COLUMN {column}")
        con.execute("UPDATE store_meta SET value = '1' WHERE key = 'schema_version'")
    series = load(db, body=one_body)
    assert not series.empty and set(series["body"]) == {one_body}
    pd.testing.assert_frame_equal(series, before[before["body"] == one_body].reset_index(drop=True))
    with connect(db, read_only=True) as con:
        assert con.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone() == (str(SCHEMA_VERSION),)
        assert sorted(r for (r,) in con.execute("SELECT rkey FROM reports").fetchall()) == list(
            range(1, 7)
        )
        assert con.execute(
            'SELECT count(*) FROM "values" v JOIN reports '
            "r USING (report_id) WHERE v.rkey <> r.rkey"
        ).fetchone() == (0,)
    add_reports(generated[6:], db)  # new reports continue the keys
    with connect(db, read_only=True) as con:
        assert sorted(r for (r,) in con.execute("SELECT rkey FROM reports").fetchall()) == list(
            range(1, 10)
        )
    after = load(db, all_versions=True)
    pd.testing.assert_frame_equal(
        after[after["report_id"].isin(before["report_id"])].reset_index(drop=True), before
    )
    assert len(after) > len(before)


def test_a_locked_store_is_busy_after_a_bounded_wait(db):
    with connect(db):
        pass
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,sys,time; c=duckdb.connect({str(db)!r}); "
            "print('locked', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with pytest.raises(StoreBusyError, match="store is busy"):
            with connect(db, timeout=0.5):
                pass
        assert 0.4 < time.monotonic() - started < 5
        with pytest.raises(StoreBusyError, match="store is busy"):
            with connect(db, read_only=True, timeout=0.2):
                pass
    finally:
        holder.kill()
        holder.wait()
    with connect(db, read_only=True, timeout=5) as con:  # free again
        assert con.execute("SELECT count(*) FROM reports").fetchall()[0][0] == 0


@pytest.mark.slow
def test_a_store_being_created_is_never_seen_half_made(db, monkeypatch):
    """DuckDB creates a database file, then locks it and writes its header. Another process
    opening the store in between (two ingests starting at once on a loaded machine) must not
    find an empty file ("not a valid DuckDB database file"): it makes the store itself, and the
    process that was paused uses that one."""
    real_connect = duckdb.connect
    others = []

    def paused_after_create(database, *args, **kwargs):
        made = Path(database)
        if not made.exists():
            made.touch()  # the file as DuckDB has just created it, not yet locked nor written
            script = (
                f"from govstats.store import connect\nwith connect({str(db)!r}, timeout=5) as c: "
                "print(c.execute('SELECT count(*) FROM reports').fetchone()[0])"
            )
            others.append(
                subprocess.run(
                    [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
                )
            )
            made.unlink()  # back to DuckDB, which creates the file itself
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", paused_after_create)
    with connect(db) as con:
        assert con.execute("SELECT count(*) FROM reports").fetchone() == (0,)
    assert len(others) == 1 and others[0].returncode == 0, others[0].stderr
    assert others[0].stdout.strip() == "0"
    assert [p.name for p in db.parent.iterdir()] == [db.name]  # no temporary file left beside it


def test_a_notebook_reading_does_not_keep_writers_out(truth_store, sample_path):
    """Loads keep a read-only connection for a moment; another process's ingest gets in after it."""
    load(truth_store, body="pingtan")  # leaves a cached reader holding the shared lock
    result = subprocess.run(
        [sys.executable, "-m", "govstats.cli", "ingest", str(sample_path),
         "--db", str(truth_store)],
        capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "GOVSTATS_LOCK_TIMEOUT": "20"},
    )  # fmt: skip
    # got in: had the reader kept the lock, the writer would have given up after its 20 s
    # ("store is busy", exit 2); no wall-clock bound, which a loaded machine may exceed anyway
    assert result.returncode == 0, result.stderr
    # and this process can write right after reading
    load(truth_store, body="pingtan")
    assert add_reports([synth.to_report(synth.generate_one(seed=9))], truth_store).read == 1


def _series_length(db) -> int:
    return len(load(db, body="pingtan"))


def _memory_limit(db) -> str:
    """A setting of the DuckDB instance a read-only connect() in this process gets."""
    with connect(db, read_only=True) as con:
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_forked_workers_do_not_reuse_the_parents_reader(truth_store):
    """DuckDB hands every connect() to a file the database instance this process already has
    open: a forked worker must get one of its own, not the parent's cached reader (whose
    threads do not exist in the child, and a lock one of them held at the fork stays held)."""
    import multiprocessing

    expected = _series_length(truth_store)  # the parent now holds a cached reader
    with connect(truth_store, read_only=True) as con:
        con.execute("SET memory_limit = '123MB'")  # marks the parent's instance
        marked = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map(_series_length, [truth_store] * 3, chunksize=1) == [expected] * 3
        assert marked not in pool.map(_memory_limit, [truth_store] * 2, chunksize=1)
    assert _series_length(truth_store) == expected


def test_the_committed_extract_holds_what_the_parser_reads(corpus_dir, tmp_path):
    """data/extract is reproducible: rebuilding it from the corpus gives the same figures."""
    import importlib.util

    from tests.conftest import PROJECT_DIR

    spec = importlib.util.spec_from_file_location(
        "build_extract", PROJECT_DIR / "scripts" / "build_extract.py"
    )
    build_extract = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_extract)
    assert build_extract.build(corpus_dir, tmp_path / "extract") == 0
    fresh = {e.report_id: e for e in read_extract(tmp_path / "extract")}
    committed = {e.report_id: e for e in read_extract(PROJECT_DIR / "data" / "extract")}
    assert sorted(fresh) == sorted(committed), "rerun scripts/build_extract.py"
    for rid, entry in committed.items():
        again = fresh[rid]
        assert (entry.body, entry.year, entry.template, entry.file_name) == (
            again.body,
            again.year,
            again.template,
            again.file_name,
        )
        assert schema.tidy_to_values(entry.tidy()) == schema.tidy_to_values(again.tidy()), (
            f"{entry.file_name}: rerun scripts/build_extract.py"
        )
