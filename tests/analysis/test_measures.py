"""govstats.analysis on small hand-made tidy frames with known answers, and on the corpus truth."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from govstats import analysis, schema
from tests.conftest import corpus_entries, truth_for

APPLICANTS = schema.APPLICANT_COLUMNS


def row(natural=0, commercial=0, research=0, social=0, legal=0, other=0, total="sum"):
    cells = dict(
        zip(APPLICANTS, (natural, commercial, research, social, legal, other), strict=True)
    )
    if total == "sum":
        total = sum(v for v in cells.values() if v is not None)
    return cells | {"total": total}


def review_row(upheld=0, corrected=0, other=0, pending=0, total="sum"):
    if total == "sum":
        total = upheld + corrected + other + pending
    return {
        "upheld": upheld,
        "corrected": corrected,
        "other": other,
        "pending": pending,
        "total": total,
    }


def report(
    year: int, body: str = "甲局", *, requests=None, review=None, publication=None, template=None
) -> pd.DataFrame:
    """A tidy frame of one hand-made report: only the cells given."""
    template = template or schema.template_for_year(year)
    values = {"publication": publication or {}, "requests": requests or {}, "review": review or {}}
    values = {t: v for t, v in values.items() if v}
    return schema.values_to_tidy(
        values, report_id=f"{body}-{year}", body=body, year=year, template=template
    )


def base_requests(**overrides):
    """new 10 (8 natural, 1 commercial, 1 legal service), carried 2, outcomes summing to 12."""
    rows = {
        "new": row(8, 1, 0, 0, 1, 0),
        "carried_over": row(2),
        "granted": row(4),
        "partly_granted": row(2),
        "withheld.process": row(1),
        "withheld.state_secret": row(0),
        "unavailable.not_held": row(2, 1),
        "not_processed.duplicate": row(1),
        "other": row(1),
        "total": row(10, 1, 0, 0, 1, 0),
        "carried_forward": row(0),
    }
    return rows | overrides


def pick(
    ind: pd.DataFrame,
    section: str,
    indicator: str,
    breakdown: str,
    year: int | None = None,
    body: str = "甲局",
):
    hit = ind.loc[
        (ind["section"] == section)
        & (ind["indicator"] == indicator)
        & (ind["breakdown"] == breakdown)
        & (ind["body"] == body)
    ]
    if year is not None:
        hit = hit.loc[hit["year"] == year]
    assert len(hit) == 1, f"{section}/{indicator}/{breakdown}/{year}: {len(hit)} rows"
    return hit.iloc[0]


def value(ind, *key, year=None, body="甲局"):
    return pick(ind, *key, year=year, body=body)["value"]


# --- requests -----------------------------------------------------------------------------


def test_requests_by_applicant_and_shares():
    ind = analysis.requests(report(2021, requests=base_requests()))
    assert value(ind, "requests", "new", "total") == 10
    assert value(ind, "requests", "new", "natural_person") == 8
    assert value(ind, "requests", "new", "legal_person") == 2
    assert value(ind, "requests", "carried_over", "total") == 2
    assert value(ind, "requests", "handled", "total") == 12
    assert value(ind, "requests", "carried_forward", "total") == 0
    assert value(ind, "requests", "new_share", "natural_person") == pytest.approx(80.0)
    assert value(ind, "requests", "new_share", "legal_service") == pytest.approx(10.0)
    assert pick(ind, "requests", "new_share", "natural_person")["unit"] == "%"
    assert pick(ind, "requests", "new", "total")["unit"] == "件"
    assert list(ind.columns) == analysis.INDICATOR_COLUMNS
    assert str(ind["value"].dtype) == "Float64"


def test_blank_total_column_is_derived_from_the_applicant_columns():
    ind = analysis.requests(
        report(2021, requests=base_requests(new=row(8, 1, 0, 0, 1, 0, total=None)))
    )
    assert value(ind, "requests", "new", "total") == 10


def test_merged_legal_person_columns_fall_back_to_total_minus_natural_person():
    new = {
        "natural_person": 7,
        "commercial": None,
        "research": None,
        "social_org": None,
        "legal_service": None,
        "other_org": None,
        "total": 9,
    }
    ind = analysis.requests(report(2023, requests=base_requests(new=new)))
    assert value(ind, "requests", "new", "legal_person") == 2
    assert pd.isna(value(ind, "requests", "new", "commercial"))
    assert value(ind, "requests", "new_share", "legal_person") == pytest.approx(200 / 9)


def test_a_printed_legal_person_aggregate_is_used():
    new = {
        "natural_person": 5,
        "commercial": None,
        "research": None,
        "social_org": None,
        "legal_service": None,
        "other_org": None,
        "legal_person": 3,
        "total": None,
    }
    values = {"requests": base_requests(new=new)}
    labels = {
        ("requests", "new", "legal_person"): schema.LEGAL_PERSON_LABEL
    }  # the reader's code for it
    frame = schema.values_to_tidy(
        values, report_id="x", body="甲局", year=2023, template="2021", labels=labels
    )
    ind = analysis.requests(frame)
    assert value(ind, "requests", "new", "legal_person") == 3
    assert value(ind, "requests", "new", "total") == 8


def test_zero_new_requests_gives_na_shares_not_inf():
    zero = {k: row() for k in base_requests()}
    ind = analysis.requests(report(2021, requests=zero))
    share = value(ind, "requests", "new_share", "natural_person")
    assert pd.isna(share)
    assert not ind["value"].astype("float64").abs().eq(float("inf")).any()


# --- outcomes -----------------------------------------------------------------------------


def test_outcome_counts_and_shares_of_handled():
    ind = analysis.outcomes(report(2020, requests=base_requests()))
    assert value(ind, "outcomes", "count", "granted") == 4
    assert value(ind, "outcomes", "count", "disclosed") == 6
    assert value(ind, "outcomes", "share", "disclosed") == pytest.approx(50.0)
    assert value(ind, "outcomes", "count", "withheld") == 1  # sum of its reported reasons
    assert value(ind, "outcomes", "count", "unavailable") == 3
    assert value(ind, "outcomes", "share", "unavailable.not_held") == pytest.approx(25.0)
    assert value(ind, "outcomes", "share", "other") == pytest.approx(100 / 12)
    assert (
        pick(ind, "outcomes", "share", "withheld.process")["label"]
        == "不予公开·属于四类过程性信息·占办结比例"
    )


def test_outcome_group_with_only_blank_reasons_is_na():
    blank = dict.fromkeys((*APPLICANTS, "total"))
    ind = analysis.outcomes(
        report(
            2020,
            requests=base_requests(**{"withheld.process": blank, "withheld.state_secret": blank}),
        )
    )
    assert pd.isna(value(ind, "outcomes", "count", "withheld"))
    assert pd.isna(value(ind, "outcomes", "share", "withheld"))


def test_outcome_shares_with_zero_handled_are_na():
    ind = analysis.outcomes(report(2021, requests=base_requests(total=row())))
    assert pd.isna(value(ind, "outcomes", "share", "granted"))
    assert value(ind, "outcomes", "count", "granted") == 4


def test_2021_other_subrows_exist_only_in_2021_reports():
    req2021 = base_requests(
        **{"other.no_correction": row(1), "other.no_fee": row(0), "other.other": row(0)}
    )
    req2021.pop("other")  # the reader adds the derived sum; without it, it is computed here
    frame = pd.concat([report(2020, requests=base_requests()), report(2021, requests=req2021)])
    ind = analysis.outcomes(frame)
    assert value(ind, "outcomes", "count", "other", year=2021) == 1
    assert value(ind, "outcomes", "count", "other.no_fee", year=2021) == 0
    assert ind.loc[(ind["year"] == 2020) & (ind["breakdown"] == "other.no_fee")].empty


# --- reviews ------------------------------------------------------------------------------


def test_review_results_correction_rate_and_per_100_requests():
    review = {
        "admin_review": review_row(2, 1, 1, 1),
        "lawsuit_direct": review_row(),
        "lawsuit_after_review": review_row(1, 1, 0, 0),
    }
    ind = analysis.reviews(report(2022, requests=base_requests(), review=review))
    assert value(ind, "reviews", "admin_review", "decided") == 4
    assert value(ind, "reviews", "correction_rate", "admin_review") == pytest.approx(25.0)
    assert pd.isna(value(ind, "reviews", "correction_rate", "lawsuit_direct"))  # 0 decided
    assert value(ind, "reviews", "correction_rate", "lawsuit") == pytest.approx(50.0)
    assert value(ind, "reviews", "correction_rate", "all") == pytest.approx(2 / 6 * 100)
    assert value(ind, "reviews", "lawsuit", "total") == 2
    assert value(ind, "reviews", "admin_review", "pending") == 1
    assert value(ind, "reviews", "per_100_requests", "all") == pytest.approx(7 / 12 * 100)


def test_printed_review_total_is_kept_even_when_it_breaches_the_arithmetic():
    review = {"admin_review": review_row(10, 1, 0, 0, total=0)}
    ind = analysis.reviews(report(2023, requests=base_requests(), review=review))
    assert value(ind, "reviews", "admin_review", "total") == 0
    assert value(ind, "reviews", "admin_review", "decided") == 11


def test_per_100_requests_is_na_without_handled_requests():
    ind = analysis.reviews(
        report(2022, requests=base_requests(total=row()), review={"admin_review": review_row(1)})
    )
    assert pd.isna(value(ind, "reviews", "per_100_requests", "admin_review"))


# --- publication and the template break ---------------------------------------------------

PUB_2019 = {
    "rules": {"made": 1, "published": 1, "total": 10},
    "licensing": {"previous": 50, "change": -3, "decisions": 100},
    "procurement": {"projects": 4, "amount": 2510000.0},
}
PUB_2021 = {
    "rules": {"issued": 2, "repealed": 1, "in_force": 11},
    "licensing": {"decisions": 150},
    "fees": {"amount": 123000.0},
}


def series() -> pd.DataFrame:
    """甲局 2019 and 2020 on the 2019 template, 2021 and 2022 on the 2021 one."""
    new = {2019: 5, 2020: 10, 2021: 15, 2022: 15}
    frames = []
    for year, count in new.items():
        pub = PUB_2019 if year <= 2020 else PUB_2021
        reqs = base_requests(new=row(count), total=row(count + 2), carried_forward=row(0))
        frames.append(report(year, requests=reqs, publication=pub))
    return pd.concat(frames, ignore_index=True)


def test_publication_passes_table_one_through_with_units():
    ind = analysis.publication(series())
    assert value(ind, "publication", "procurement", "amount", year=2019) == 2510000
    assert pick(ind, "publication", "procurement", "amount", year=2019)["unit"] == "元"
    assert pick(ind, "publication", "licensing", "change", year=2020)["unit"] == "项"
    assert value(ind, "publication", "licensing", "change", year=2020) == -3
    assert value(ind, "publication", "rules", "in_force", year=2022) == 11
    assert ind.loc[(ind["year"] == 2019) & (ind["breakdown"] == "issued")].empty


def test_year_on_year_across_the_template_break():
    yoy = analysis.year_on_year(analysis.indicators(series()))
    new_2020 = pick(yoy, "requests", "new", "total", year=2020)
    assert new_2020["change"] == 5 and new_2020["change_pct"] == pytest.approx(100.0)
    assert not new_2020["break_before"]
    new_2021 = pick(yoy, "requests", "new", "total", year=2021)
    assert (
        new_2021["break_before"] and new_2021["comparable_with_previous"]
    )  # requests are comparable
    assert new_2021["change_pct"] == pytest.approx(50.0)
    same = pick(yoy, "requests", "new", "total", year=2022)
    assert same["change"] == 0 and same["change_pct"] == 0
    decisions = pick(yoy, "publication", "licensing", "decisions", year=2021)
    assert decisions["comparable_with_previous"] and decisions["change"] == 50
    issued = pick(yoy, "publication", "rules", "issued", year=2021)
    assert issued["comparable_with_previous"] is False or not issued["comparable_with_previous"]
    assert pd.isna(issued["change"]) and pd.isna(issued["change_pct"])
    assert pick(yoy, "publication", "rules", "issued", year=2022)["change"] == 0
    first = pick(yoy, "requests", "new", "total", year=2019)
    assert pd.isna(first["comparable_with_previous"]) and pd.isna(first["change"])


def test_year_on_year_zero_previous_is_na_relative_change_and_gaps_are_not_bridged():
    frames = [
        report(2021, requests=base_requests(new=row(0))),
        report(2022, requests=base_requests(new=row(4))),
        report(2024, requests=base_requests(new=row(6))),
    ]
    yoy = analysis.year_on_year(analysis.requests(pd.concat(frames)))
    after_zero = pick(yoy, "requests", "new", "total", year=2022)
    assert after_zero["change"] == 4 and pd.isna(after_zero["change_pct"])
    after_gap = pick(yoy, "requests", "new", "total", year=2024)
    assert pd.isna(after_gap["previous"]) and pd.isna(after_gap["comparable_with_previous"])


def test_comparability_rules_follow_schema_harmonising():
    assert analysis.comparable_across_break("publication", "penalties", "decisions")
    assert not analysis.comparable_across_break("publication", "rules", "in_force")
    assert not analysis.comparable_across_break("publication", "fees", "amount")
    assert analysis.comparable_across_break("outcomes", "count", "other")
    assert analysis.comparable_across_break("reviews", "correction_rate", "all")


def test_several_reports_for_one_body_and_year_are_refused():
    frame = pd.concat(
        [report(2021, requests=base_requests()), report(2021, requests=base_requests())]
    )
    with pytest.raises(ValueError, match="甲局 2021"):
        analysis.indicators(frame)


def test_not_a_tidy_frame_is_refused():
    with pytest.raises(ValueError, match="not a tidy frame"):
        analysis.indicators(pd.DataFrame({"body": ["x"]}))


# --- refusals, comparison, headlines, tables ----------------------------------------------


def test_leading_refusal_reasons_ranked_with_ties():
    reqs = base_requests(
        **{
            "withheld.process": row(3),
            "unavailable.not_held": row(3),
            "not_processed.duplicate": row(1),
        }
    )
    top = analysis.leading_refusal_reasons(analysis.indicators(report(2021, requests=reqs)), n=2)
    assert top["reason"].tolist() == ["unavailable.not_held", "withheld.process"]
    assert top["rank"].tolist() == [1, 1]
    assert top["share_of_refusals"].iloc[0] == pytest.approx(3 / 7 * 100)
    assert top["label"].iloc[0] == "无法提供·本机关不掌握相关政府信息"


def test_compare_ranks_within_level_only():
    frames = [
        report(2023, "甲市人民政府", requests=base_requests(new=row(100))),
        report(2023, "乙市人民政府", requests=base_requests(new=row(40))),
        report(2023, "甲局", requests=base_requests(new=row(5))),
        report(2023, "未登记局", requests=base_requests(new=row(50))),
        report(2022, "甲局", requests=base_requests(new=row(500))),
    ]
    levels = pd.DataFrame(
        {"body": ["甲市人民政府", "乙市人民政府", "甲局"], "level": ["city", "city", "department"]}
    )
    cmp = analysis.compare(analysis.indicators(pd.concat(frames)), 2023, levels)
    new = cmp.loc[(cmp["indicator"] == "new") & (cmp["breakdown"] == "total")].set_index("body")
    assert new.loc["甲市人民政府", "rank"] == 1 and new.loc["乙市人民政府", "rank"] == 2
    assert new.loc["甲局", "rank"] == 1 and new.loc["甲局", "bodies_in_level"] == 1
    assert (
        new.loc["未登记局", "level"] == analysis.UNKNOWN_LEVEL and new.loc["未登记局", "rank"] == 1
    )
    assert new.loc["甲局", "value"] == 5  # 2022 not mixed in


def test_headlines_sentences():
    frames = [
        report(2020, requests=base_requests(new=row(8))),
        report(2021, requests=base_requests(new=row(10))),
    ]
    heads = analysis.headlines(analysis.indicators(pd.concat(frames)), "甲局", 2021).set_index(
        "indicator"
    )
    assert heads.loc["new", "sentence"] == "本年新收政府信息公开申请10件，较上年增长25.0%。"
    assert heads.loc["new", "text"] == "10件"
    first = analysis.headlines(analysis.indicators(frames[0]), "甲局", 2020).set_index("indicator")
    assert first.loc["new", "sentence"] == "本年新收政府信息公开申请8件。"
    assert analysis.headlines(analysis.indicators(frames[0]), "甲局", 2030).empty


def test_series_table_marks_blank_and_absent_measures():
    frame = pd.concat(
        [
            report(2020, publication=PUB_2019, requests=base_requests()),
            report(
                2021,
                publication={"rules": {"issued": None, "repealed": 0, "in_force": 3}},
                requests=base_requests(),
            ),
        ]
    )
    table = analysis.series_table(analysis.indicators(frame), "甲局", "publication")
    assert table.loc["规章·本年制发件数", 2021] == "未填报"
    assert table.loc["规章·本年制发件数", 2020] == "—"
    assert table.loc["政府集中采购·采购总金额", 2020] == "251万元"
    assert analysis.series_table(analysis.indicators(frame), "无此机关", "publication").empty
    single = analysis.series_table(
        analysis.indicators(report(2020, requests=base_requests())), "甲局", "requests"
    )
    assert single.loc["本年新收申请·总计", 2020] == "10件" and list(single.columns) == [2020]


# --- the corpus truth (the 平潭 2019–2025 series spans the template change) -----------------


@pytest.fixture(scope="module")
def truth_indicators(corpus_dir):
    frames = []
    for entry in corpus_entries():
        if entry.get("truth"):
            t = truth_for(entry)
            frames.append(
                schema.values_to_tidy(
                    t["values"],
                    report_id=entry["file"],
                    body=t["body"],
                    year=t["year"],
                    template=t["template"],
                )
            )
    return analysis.indicators(pd.concat(frames, ignore_index=True))


@pytest.mark.corpus
def test_pingtan_series_against_truth(truth_indicators, corpus_dir):
    ind, body = truth_indicators, "平潭综合实验区"
    truth = {
        y: json.loads((corpus_dir / f"truth/{y}_pingtan_html.json").read_text("utf-8"))["values"]
        for y in range(2019, 2026)
    }
    for year, t in truth.items():
        assert (
            value(ind, "requests", "new", "total", year=year, body=body)
            == t["requests"]["new"]["total"]
        )
        assert (
            value(ind, "requests", "handled", "total", year=year, body=body)
            == t["requests"]["total"]["total"]
        )
    # 2025: 复议 25/3/8/0, 直接起诉 3/3/0/0, 复议后起诉 3/0/0/0 → 6 corrected of 45 decided
    assert value(ind, "reviews", "correction_rate", "all", year=2025, body=body) == pytest.approx(
        6 / 45 * 100
    )
    assert value(ind, "outcomes", "share", "granted", year=2025, body=body) == pytest.approx(
        33 / 148 * 100
    )
    # 2020 prints （七）总计 21 while its outcome rows sum to 27: shares use the printed total
    assert value(ind, "outcomes", "share", "granted", year=2020, body=body) == pytest.approx(
        7 / 21 * 100
    )
    yoy = analysis.year_on_year(ind)
    assert pick(yoy, "requests", "new", "total", year=2021, body=body)["break_before"]
    assert not pick(yoy, "publication", "normative_docs", "in_force", year=2021, body=body)[
        "comparable_with_previous"
    ]
    assert (
        pick(yoy, "publication", "penalties", "decisions", year=2021, body=body)["change"]
        == 1282 - 538
    )


@pytest.mark.corpus
def test_merged_legal_person_columns_in_shuyang(truth_indicators):
    body = "沭阳县发展和改革局"
    new = value(truth_indicators, "requests", "new", "total", year=2023, body=body)
    natural = value(truth_indicators, "requests", "new", "natural_person", year=2023, body=body)
    assert (
        value(truth_indicators, "requests", "new", "legal_person", year=2023, body=body)
        == new - natural
    )


# --- invariants on generated reports (govstats.synth: consistent arithmetic, chained years) ---


def test_invariants_on_generated_series():
    from govstats import synth

    reports = list(synth.generate(8, range(2019, 2026), seed=11))
    frame = pd.concat([r.tidy(report_id=f"g{i}") for i, r in enumerate(reports)], ignore_index=True)
    ind = analysis.indicators(frame)
    by = ["body", "year"]

    def series(section, indicator, breakdowns):
        rows = ind.loc[
            (ind["section"] == section)
            & (ind["indicator"] == indicator)
            & ind["breakdown"].isin(breakdowns)
        ]
        return rows.pivot_table(index=by, columns="breakdown", values="value", aggfunc="first")

    handled = series("requests", "handled", ["total"])["total"]
    shares = series("outcomes", "share", list(analysis.OUTCOME_GROUPS)).sum(axis=1)
    assert (shares[handled > 0] - 100).abs().max() < 1e-9
    new = series(
        "requests", "new", ["natural_person", "legal_person", *schema.LEGAL_PERSON_COLUMNS, "total"]
    )
    assert (new["natural_person"] + new["legal_person"] == new["total"]).all()
    assert (new[list(schema.LEGAL_PERSON_COLUMNS)].sum(axis=1) == new["legal_person"]).all()
    rates = ind.loc[ind["indicator"] == "correction_rate", "value"].dropna()
    assert ((rates >= 0) & (rates <= 100)).all()
    yoy = analysis.year_on_year(ind)
    ok = yoy.loc[yoy["comparable_with_previous"].fillna(False)]
    assert ((ok["value"] - ok["previous"] - ok["change"]).abs() < 1e-9).all()
    carried = series("requests", "carried_over", ["total"])["total"]
    forward = series("requests", "carried_forward", ["total"])["total"]
    shifted = forward.rename(lambda y: y + 1, level="year")
    common = carried.index.intersection(shifted.index)
    assert len(common) and (carried[common] == shifted[common]).all()  # synth chains the years
