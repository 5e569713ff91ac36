"""govstats.analysis.plots and govstats.analysis.fonts: Chinese labels in a real CJK font, breaks
and gaps marked."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from matplotlib import font_manager

from govstats import analysis, errors
from govstats.analysis import fonts, plots
from tests.analysis.test_measures import PUB_2019, PUB_2021, base_requests, report, review_row, row

CHARTS = (
    "requests_by_applicant",
    "outcome_composition",
    "refusal_reasons",
    "review_results",
    "publication_volumes",
)


@pytest.fixture(scope="module")
def ind() -> pd.DataFrame:
    """资阳市 2019–2020 on the 2019 template, 2021 and 2023 on 2021 (no 2022 report), 2023 blank."""
    frames = []
    for year in (2019, 2020, 2021, 2023):
        pub = PUB_2019 if year <= 2020 else PUB_2021
        reqs = base_requests(new=row(year - 2015, 1))
        if year == 2023:
            reqs = base_requests(
                new=dict.fromkeys(
                    (
                        "natural_person",
                        "commercial",
                        "research",
                        "social_org",
                        "legal_service",
                        "other_org",
                        "total",
                    )
                )
            )
        review = {"admin_review": review_row(1, 1), "lawsuit_direct": review_row(0, 0, 1)}
        frames.append(
            report(year, "资阳市人民政府办公室", requests=reqs, publication=pub, review=review)
        )
    return analysis.indicators(pd.concat(frames, ignore_index=True))


def texts(fig) -> list[str]:
    title = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    return (
        [t.get_text() for ax in fig.axes for t in ax.texts]
        + [ax.get_title() for ax in fig.axes]
        + title
    )


def test_bundled_font_is_found_and_registered():
    path = fonts.bundled_font_path()
    assert path is not None and path.name == "NotoSansCJK-Regular.ttc"
    family = fonts.use_cjk_font()
    assert family == fonts.NOTO_FAMILY
    found = font_manager.findfont(
        font_manager.FontProperties(family=family), fallback_to_default=False
    )
    assert found.endswith(".ttc")


@pytest.mark.parametrize("chart", CHARTS)
def test_chinese_labels_draw_without_missing_glyphs(ind, chart):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = getattr(plots, chart)(ind, "资阳市人民政府办公室")
        fig.canvas.draw()
    missing = [str(w.message) for w in caught if "missing from font" in str(w.message)]
    assert not missing, missing
    assert any("资阳市" in t for t in texts(fig))


@pytest.mark.parametrize(
    "chart",
    ["requests_by_applicant", "outcome_composition", "review_results", "publication_volumes"],
)
def test_template_break_and_missing_years_are_marked(ind, chart):
    fig = getattr(plots, chart)(ind, "资阳市人民政府办公室")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2019", "2020", "2021", "2022", "2023"]
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and dashed[0].get_xdata()[0] == pytest.approx(
        1.5
    )  # between 2020 and 2021
    labels = texts(fig)
    assert plots.BREAK_LABEL in labels and plots.NO_REPORT_LABEL in labels


def test_blank_year_is_marked_not_drawn_as_zero(ind):
    fig = plots.requests_by_applicant(ind, "资阳市人民政府办公室")
    assert plots.BLANK_LABEL in texts(fig)


def test_body_without_data_gets_a_message_not_a_crash(ind):
    for chart in CHARTS:
        fig = getattr(plots, chart)(ind, "没有的机关")
        assert any("暂无" in t for t in texts(fig)), chart


def test_refusal_reasons_of_a_year_without_refusals(ind):
    quiet = analysis.indicators(
        report(
            2021,
            "乙局",
            requests=base_requests(
                **{
                    "withheld.process": row(0),
                    "unavailable.not_held": row(0),
                    "not_processed.duplicate": row(0),
                }
            ),
        )
    )
    assert "2021年无不予公开、无法提供或不予处理的申请" in texts(
        plots.refusal_reasons(quiet, "乙局")
    )


@pytest.mark.slow
def test_compare_bar(ind):
    other = analysis.indicators(report(2021, "乙局", requests=base_requests()))
    cmp = analysis.compare(
        pd.concat([ind, other]), 2021, {"资阳市人民政府办公室": "department", "乙局": "department"}
    )
    fig = plots.compare_bar(cmp, "requests", "new", "total")
    # bottom to top: 资阳 7 (rank 2), 乙局 10 (rank 1)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
        "资阳市人民政府办公室（部门）",
        "乙局（部门）",
    ]
    assert fig.axes[0].get_title() == "本年新收申请·总计"


def test_without_the_bundled_font_a_system_cjk_font_or_a_clear_error(monkeypatch):
    monkeypatch.setattr(fonts, "bundled_font_path", lambda: None)
    fonts.cjk_font_family.cache_clear()
    try:
        installed = {f.name for f in font_manager.fontManager.ttflist}
        if any(family in installed for family in fonts.SYSTEM_FAMILIES):
            assert fonts.cjk_font_family() in fonts.SYSTEM_FAMILIES
        else:
            with pytest.raises(errors.FontNotFoundError, match="noto-cjk-sans-otc"):
                fonts.cjk_font_family()
    finally:
        fonts.cjk_font_family.cache_clear()


@pytest.mark.slow
def test_compare_bar_keeps_large_regions_readable():
    frames = [report(2021, f"第{i}局", requests=base_requests(new=row(i))) for i in range(1, 31)]
    cmp = analysis.compare(analysis.indicators(pd.concat(frames)), 2021)
    fig = plots.compare_bar(cmp, "requests", "new", "total", max_per_level=10)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 10 and labels[-1] == "第30局（未登记）"  # the largest on top
    assert "共30个机关" in fig.axes[0].get_title()


def test_body_names_are_drawn_as_text_not_math():
    ind = analysis.indicators(report(2021, "$甲局", requests=base_requests()))
    fig = plots.requests_by_applicant(ind, "$甲局")
    fig.canvas.draw()  # an unbalanced $ would be a mathtext error
    assert fig.axes[0].get_title().startswith(r"\$甲局")
