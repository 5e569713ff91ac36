"""Year-over-year checks: carried_over vs the previous carried_forward, documents in force."""

from __future__ import annotations

import pandas as pd
import pytest

from govstats import schema, synth
from govstats.checks import crossyear
from govstats.checks.template import finding_cells
from govstats.store import add_reports, load
from tests.conftest import corpus_entries, truth_for


def series(n_bodies: int = 3, seed: int = 11) -> pd.DataFrame:
    """Generated bodies × 2019–2025: consistent across years by construction."""
    return pd.concat(
        [r.tidy() for r in synth.generate(n_bodies, range(2019, 2026), seed)], ignore_index=True
    )


def set_cell(
    frame: pd.DataFrame, body: str, year: int, table: str, item: str, column: str, value
) -> pd.DataFrame:
    mask = (frame["body"] == body) & (frame["year"] == year) & (frame["table"] == table)
    mask &= (frame["item"] == item) & (frame["column"] == column)
    assert mask.sum() == 1
    frame = frame.copy()
    frame.loc[mask, "value"] = value
    return frame


def cell(frame, body, year, table, item, column):
    hit = frame[(frame["body"] == body) & (frame["year"] == year) & (frame["table"] == table)
                & (frame["item"] == item) & (frame["column"] == column)]["value"]  # fmt: skip
    return hit.iloc[0]


def test_a_consistent_series_has_no_findings():
    found = crossyear.findings(series())
    assert found.empty and list(found.columns) == crossyear.FINDING_COLUMNS


@pytest.mark.slow
def test_planted_carried_over_mismatch_is_found_with_both_values():
    frame = series()
    body = frame["body"].iloc[0]
    forward = cell(frame, body, 2022, "requests", "carried_forward", "natural_person")
    frame = set_cell(frame, body, 2023, "requests", "carried_over", "natural_person", forward + 3)
    found = crossyear.findings(frame)
    assert len(found) == 1
    row = found.iloc[0]
    assert (row["body"], row["year"], row["previous_year"], row["rule"], row["kind"]) == (
        body,
        2023,
        2022,
        "carried_over",
        "crossyear",
    )
    assert (row["expected"], row["found"]) == (forward, forward + 3)
    assert (
        row["cells"] == "requests/carried_over/natural_person" and "二、上年结转" in row["message"]
    )
    # never altering data: the frame still holds the planted value
    assert cell(frame, body, 2023, "requests", "carried_over", "natural_person") == forward + 3


@pytest.mark.slow
def test_planted_in_force_mismatch_is_found_only_within_the_2021_template():
    frame = series()
    body = frame["body"].iloc[-1]
    in_force = cell(frame, body, 2024, "publication", "normative_docs", "in_force")
    frame = set_cell(frame, body, 2024, "publication", "normative_docs", "in_force", in_force + 2)
    found = crossyear.findings(frame)
    # 2024 no longer follows from 2023, and 2025 no longer follows from 2024
    assert list(zip(found["year"], found["rule"], strict=True)) == [
        (2024, "in_force"),
        (2025, "in_force"),
    ]
    first = found.iloc[0]
    assert (first["expected"], first["found"]) == (in_force, in_force + 2)
    assert finding_cells(first["cells"]) == [
        ("publication", "normative_docs", c) for c in ("in_force", "issued", "repealed")
    ]
    # the 2020 → 2021 template break is not checked (2019 total ≠ 2021 in_force)
    broken = set_cell(series(), body, 2021, "publication", "rules", "in_force", 12345)
    assert list(crossyear.findings(broken)["year"]) == [2022]


def test_a_blank_cell_is_not_a_finding():
    frame = series()
    body = frame["body"].iloc[0]
    frame = set_cell(frame, body, 2023, "requests", "carried_over", "total", pd.NA)
    frame = set_cell(frame, body, 2022, "requests", "carried_forward", "research", pd.NA)
    assert crossyear.findings(frame).empty


def test_gaps_in_the_series_are_not_compared():
    frame = series()
    assert crossyear.findings(frame[frame["year"] != 2022]).empty
    # a year with a planted change, but its previous year missing: nothing to compare
    body = frame["body"].iloc[0]
    planted = set_cell(frame, body, 2023, "requests", "carried_over", "total", 999)
    assert crossyear.findings(planted[planted["year"] != 2022]).empty


def test_the_store_series_uses_current_versions(tmp_path):
    generated = list(synth.generate(1, range(2021, 2024), seed=4))
    db = tmp_path / "s.duckdb"
    add_reports([synth.to_report(g) for g in generated], db)
    assert crossyear.findings(load(db)).empty
    # a corrected 2022 report that breaks the chain supersedes the consistent one
    fixed = generated[1]
    fixed.values["requests"]["carried_over"]["total"] += 5
    add_reports([synth.to_report(fixed, report_id="feedfeedfeedfeed")], db)
    found = crossyear.findings(load(db))
    assert (
        list(found["report_id"]) == ["feedfeedfeedfeed"] and found["rule"].iloc[0] == "carried_over"
    )
    # with all versions loaded the highest version counts, never both
    assert crossyear.findings(load(db, all_versions=True)).equals(found)


def test_real_pingtan_series(corpus_dir):
    truths = [truth_for(e) for e in corpus_entries() if e["body"] == "平潭综合实验区"]
    frame = pd.concat(
        [
            schema.values_to_tidy(
                t["values"],
                report_id=str(t["year"]),
                body=t["body"],
                year=t["year"],
                template=t["template"],
            )
            for t in truths
        ],
        ignore_index=True,
    )
    found = crossyear.findings(frame)
    # carried-over requests agree every year; the count of normative documents in force does
    # not follow from the previous year's plus issued minus repealed in 2023–2025 (as published)
    assert set(found["rule"]) == {"in_force"}
    assert list(zip(found["year"], found["expected"], found["found"], strict=True)) == [
        (2023, 643, 470),
        (2024, 499, 440),
        (2025, 453, 546),
    ]


def test_check_store_runs_per_report_and_crossyear_checks(tmp_path, corpus_dir):
    from tests.store.test_store import truth_entry

    db = tmp_path / "s.duckdb"
    add_reports([truth_entry(e) for e in corpus_entries()], db)
    found = crossyear.check_store(db)
    kinds = set(found["kind"])
    assert "crossyear" in kinds and "breach" in kinds
    breaches = found[found["kind"] == "breach"]
    # the published breaches of 平潭 2020 (outcome rows) and 洪泽 2023 (table 4) are flagged
    assert {(b, y) for b, y in zip(breaches["body"], breaches["year"], strict=True)} >= {
        ("平潭综合实验区", 2020),
        ("淮安市洪泽区人民政府", 2023),
    }
