"""Bodies placed at ingest (issue 14): the resolution kept with each report, evidence from the
report's own text, unresolved names, refresh after the registry changes, the schema upgrade."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from govstats import synth
from govstats.errors import RegistryError, StoreError
from govstats.store import (
    PLACE_COLUMNS,
    SCHEMA_VERSION,
    add_reports,
    bodies,
    connect,
    find_body,
    ingest,
    load,
    refresh,
    register_bodies,
    reports,
    unresolved,
)
from tests.conftest import PROJECT_DIR, SAMPLE

REGISTRY = PROJECT_DIR / "data" / "bodies.csv"


def chaoyang(city: str) -> str:
    """The sample report (资阳市人民政府办公室 2020) as the report of 朝阳区人民政府办公室, whose
    text names ``city`` where the sample names 资阳市 (nothing when ``city`` is empty)."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("资阳市人民政府办公室", "朝阳区人民政府办公室")
    text = text.replace("资阳市政府办公室", "朝阳区政府办公室")
    return text.replace("雁江区", "").replace("资阳市", city).replace("资阳", city)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "store.duckdb"


@pytest.fixture
def chaoyang_store(tmp_path, db) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, city in (("changchun", "长春市"), ("beijing", "北京市"), ("nowhere", "")):
        (folder / f"2020_{name}.txt").write_text(chaoyang(city), encoding="utf-8")
    shutil.copy(SAMPLE, folder / SAMPLE.name)
    summary = ingest([folder], db, progress=False, jobs=1)
    assert (summary.read, summary.failed) == (4, 0)
    return db


def by_file(db) -> pd.DataFrame:
    return reports(db).set_index("file_name")


def test_ingest_resolves_each_report_from_its_own_text(chaoyang_store):
    table = by_file(chaoyang_store)
    changchun, beijing = table.loc["2020_changchun.txt"], table.loc["2020_beijing.txt"]
    assert (changchun["region_code"], changchun["level"], changchun["parent"]) == (
        "220104",
        "department",
        "长春市朝阳区人民政府",
    )
    assert changchun["resolution"] == "resolved" and "长春" in changchun["resolution_why"]
    assert (beijing["region_code"], beijing["slug"]) == ("110105", "beijing-chaoyang-bgs")
    # the same printed name, two bodies: neither supersedes the other
    assert changchun["version"] == beijing["version"] == 1
    assert pd.isna(changchun["superseded_by"]) and pd.isna(beijing["superseded_by"])
    # the sample is in the registry: its row wins
    sample = table.loc[SAMPLE.name]
    assert (sample["slug"], sample["resolution_why"]) == (
        "ziyang-bgs",
        "listed in the registry (ziyang-bgs)",
    )
    with connect(chaoyang_store, read_only=True) as con:
        kept = dict(con.execute("SELECT file_name, evidence IS NOT NULL FROM reports").fetchall())
    assert kept == {  # only a name the division index leaves ambiguous keeps its text
        "2020_changchun.txt": True,
        "2020_beijing.txt": True,
        "2020_nowhere.txt": True,
        SAMPLE.name: False,
    }


def test_bodies_show_the_resolved_fields_and_unresolved_lists_why(chaoyang_store):
    table = bodies(chaoyang_store).set_index("slug")
    assert table.loc["jilin-changchun-chaoyang-bgs", "region_name"] == "长春市朝阳区"
    assert table.loc["beijing-chaoyang-bgs", "level"] == "department"
    assert len(table) == 4 and table.index.is_unique
    vague = table[~table["known"]]
    assert len(vague) == 1 and vague.index[0].startswith("body-")
    assert vague["status"].iloc[0].startswith("ambiguous: 朝阳区 is 110105 北京市朝阳区 or 220104")
    # one body by its slug, the other by its slug: each its own series
    assert set(load(chaoyang_store, body="beijing-chaoyang-bgs")["report_id"]) == {
        by_file(chaoyang_store).loc["2020_beijing.txt", "report_id"]
    }
    assert list(bodies(chaoyang_store, region="长春市")["slug"]) == ["jilin-changchun-chaoyang-bgs"]
    listed = unresolved(chaoyang_store)
    assert list(listed["body"]) == ["朝阳区人民政府办公室"] and listed["n_reports"].iloc[0] == 1
    assert listed["candidates"].iloc[0] == ["110105 北京市朝阳区", "220104 长春市朝阳区"]
    assert listed["files"].iloc[0] == ["2020_nowhere.txt"]
    assert "nothing in the text decides" in listed["why"].iloc[0]


def test_refresh_after_an_override_changes(chaoyang_store, tmp_path, monkeypatch):
    registry = tmp_path / "bodies.csv"
    rows = pd.read_csv(REGISTRY, dtype=str, keep_default_na=False)
    rows = rows[rows["slug"] == "pingtan"]  # no row for 资阳市人民政府办公室 any more
    rows.to_csv(registry, index=False)
    monkeypatch.setenv("GOVSTATS_REGISTRY", str(registry))
    before = reports(chaoyang_store)
    counts = refresh(chaoyang_store)
    assert counts["reports"] == 4 and counts["changed"] == 1 and counts["ambiguous"] == 1
    sample = by_file(chaoyang_store).loc[SAMPLE.name]
    assert (sample["slug"], sample["region_code"]) == ("sichuan-ziyang-bgs", "512000")
    # a decision kept from the text survives a refresh without the files
    assert by_file(chaoyang_store).loc["2020_changchun.txt", "region_code"] == "220104"
    # an override for the ambiguous name (an alias of a new row) places it
    extra = pd.DataFrame([{"slug": "cy-test", "body": "北京市朝阳区人民政府办公室",
                           "region_code": "110105", "region_name": "北京市朝阳区",
                           "level": "department", "parent": "北京市朝阳区人民政府",
                           "aliases": "朝阳区人民政府办公室", "notes": ""}])  # fmt: skip
    pd.concat([rows, extra]).to_csv(registry, index=False)
    refresh(chaoyang_store)
    assert set(by_file(chaoyang_store)["slug"]) == {"cy-test", "sichuan-ziyang-bgs"}
    assert unresolved(chaoyang_store).empty
    # an override names one body for every report printing that name: one series now
    assert len(bodies(chaoyang_store)) == 2
    assert (by_file(chaoyang_store)["superseded_by"].notna()).sum() == 2
    # nothing lost: every report and value is still there
    assert set(reports(chaoyang_store)["report_id"]) == set(before["report_id"])
    assert len(load(chaoyang_store, all_versions=True)) == 4 * 198


def test_a_failed_refresh_changes_nothing(chaoyang_store, tmp_path, monkeypatch):
    before = reports(chaoyang_store)
    registry = tmp_path / "bad.csv"
    registry.write_text("slug,body,region_code,region_name,level\nBad Slug,x,1,y,city\n", "utf-8")
    monkeypatch.setenv("GOVSTATS_REGISTRY", str(registry))
    with pytest.raises(RegistryError, match="bad.csv: line 2"):
        refresh(chaoyang_store)
    monkeypatch.delenv("GOVSTATS_REGISTRY")
    pd.testing.assert_frame_equal(reports(chaoyang_store), before)


def test_registered_bodies_are_placed_again(db):
    generated = synth.generate_one(seed=7, year=2023)
    add_reports([synth.to_report(generated)], db)
    assert reports(db)["resolution"].iloc[0].startswith("unknown: a generated (示例) body")
    body = generated.body
    facts = {"body": body.name, "slug": body.slug, "region_code": body.region_code,
             "region_name": body.region_name, "level": body.level}  # fmt: skip
    register_bodies(pd.DataFrame([facts]), db)
    row = reports(db).iloc[0]
    assert (row["slug"], row["region_code"], row["resolution"]) == (
        body.slug,
        body.region_code,
        "resolved",
    )
    assert row["region_code"][:2] in synth.SYNTHETIC_REGION_PREFIXES
    assert find_body(body.slug, db)["known"]


def test_printed_forms_of_one_body_are_one_body(db):
    forms = ["上海市科学技术委员会", "上海市科委"]
    made = [synth.to_report(synth.generate_one(seed=s, year=y)) for s, y in ((1, 2022), (2, 2023))]
    for report, name in zip(made, ["南京市发展和改革委员会", "南京市发改委"], strict=True):
        report.body = name
    add_reports(made, db)
    table = bodies(db)
    assert list(table["slug"]) == ["jiangsu-nanjing-fgw"] and table["n_reports"].iloc[0] == 2
    assert table["years"].iloc[0] == [2022, 2023] and table["body"].iloc[0] == "南京市发改委"
    assert len(load(db, body="jiangsu-nanjing-fgw")) == len(load(db))
    assert forms  # (上海市科委 is the registry's alias: tests/store/test_resolve.py)


def test_a_schema_2_store_is_upgraded_and_keeps_everything(db):
    made = [synth.to_report(synth.generate_one(seed=s, year=2022)) for s in (3, 4)]
    made[0].body = "淮安市洪泽区财政局"
    add_reports(made, db)
    before = load(db, all_versions=True)
    with connect(db) as con:  # what schema 2 wrote: no resolution columns
        for column in PLACE_COLUMNS:
            con.execute(f"ALTER TABLE reports DROP COLUMN {column}")
        con.execute("UPDATE store_meta SET value = '2' WHERE key = 'schema_version'")
    pd.testing.assert_frame_equal(load(db, all_versions=True), before)
    with connect(db, read_only=True) as con:
        assert con.execute(
            "SELECT value FROM store_meta WHERE key = 'schema_version'"
        ).fetchone() == (str(SCHEMA_VERSION),)
    placed = reports(db).set_index("body")
    assert placed.loc["淮安市洪泽区财政局", "slug"] == "jiangsu-huaian-hongze-czj"
    assert placed.loc["淮安市洪泽区财政局", "parent"] == "淮安市洪泽区人民政府"


def test_a_store_that_cannot_be_upgraded_is_a_clear_error_and_unchanged(db, tmp_path, monkeypatch):
    add_reports([synth.to_report(synth.generate_one(seed=3, year=2022))], db)
    with connect(db) as con:
        for column in PLACE_COLUMNS:
            con.execute(f"ALTER TABLE reports DROP COLUMN {column}")
        con.execute("UPDATE store_meta SET value = '2' WHERE key = 'schema_version'")
    registry = tmp_path / "bad.csv"
    registry.write_text("slug,body,region_code,region_name,level\nBad Slug,x,1,y,city\n", "utf-8")
    monkeypatch.setenv("GOVSTATS_REGISTRY", str(registry))
    with pytest.raises(StoreError, match="cannot upgrade the store from schema version 2 to"):
        with connect(db, read_only=True):
            pass
    monkeypatch.delenv("GOVSTATS_REGISTRY")
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT value FROM store_meta").fetchone() == ("2",)
        assert con.execute("SELECT count(*) FROM reports").fetchone() == (1,)
    assert not load(db).empty  # and with a readable registry it upgrades


def test_candidates_are_json_in_the_store(chaoyang_store):
    with connect(chaoyang_store, read_only=True) as con:
        (raw,) = con.execute(
            "SELECT candidates FROM reports WHERE file_name = '2020_nowhere.txt'"
        ).fetchone()
    assert json.loads(raw) == ["110105 北京市朝阳区", "220104 长春市朝阳区"]


def test_two_bodies_printing_one_name_are_told_apart_in_loads(chaoyang_store):
    table = bodies(chaoyang_store).set_index("slug")
    keys = table["body_key"]
    assert keys.is_unique
    assert keys["beijing-chaoyang-bgs"] == "朝阳区人民政府办公室"  # lowest region code keeps it
    assert (
        keys["jilin-changchun-chaoyang-bgs"] == "朝阳区人民政府办公室#jilin-changchun-chaoyang-bgs"
    )
    frame = load(chaoyang_store)
    assert set(frame["body_key"]) == set(keys)  # checks and briefings tell bodies apart by key
    assert frame.groupby("body_key")["report_id"].nunique().eq(1).all()


def test_printed_forms_load_under_the_body_key(db):
    made = [synth.to_report(synth.generate_one(seed=s, year=y)) for s, y in ((1, 2022), (2, 2023))]
    for report, name in zip(made, ["南京市发展和改革委员会", "南京市发改委"], strict=True):
        report.body = name
    add_reports(made, db)
    (key,) = bodies(db)["body_key"]
    frame = load(db)
    assert set(frame["body_key"]) == {key} and set(frame["body"]) == {
        "南京市发展和改革委员会",
        "南京市发改委",
    }


def test_refreshing_a_missing_store_says_so(tmp_path):
    with pytest.raises(StoreError, match="absent.duckdb: no store here yet"):
        refresh(tmp_path / "absent.duckdb")
    assert not (tmp_path / "absent.duckdb").exists()
