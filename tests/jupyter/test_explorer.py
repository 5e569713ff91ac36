"""govstats.jupyter.explorer: reports rebuilt from the store, the selection, the widget (no front
end)."""

from __future__ import annotations

import pytest

import govstats
from govstats.errors import GovstatsError
from govstats.jupyter import explorer


def test_stored_report_matches_the_report_read_from_file(bundled_store, sample_path):
    read = govstats.read_report(sample_path)
    stored = explorer.stored_report("ziyang-bgs", 2020, bundled_store)
    assert (stored.body, stored.year, stored.template, stored.report_id) == (
        read.body,
        read.year,
        read.template,
        read.report_id,
    )
    assert stored.layouts == read.layouts and stored.missing == read.missing
    assert list(stored.values) == list(read.values)
    for key, value in read.values.items():
        got = stored.values[key]
        assert (got.value, got.label, got.source) == (value.value, value.label, value.source), key
    assert 'class="govstats-report"' in stored._repr_html_()


def test_stored_report_of_a_missing_year_names_body_and_year(bundled_store):
    with pytest.raises(GovstatsError, match="ziyang-bgs.*1999"):
        explorer.stored_report("ziyang-bgs", 1999, bundled_store)


@pytest.mark.slow
def test_selection_is_clipped_to_stored_years(bundled_store):
    ex = explorer.explore("pingtan", years=(2015, 2020), db=bundled_store)
    assert ex.all_years == list(range(2019, 2026))
    assert (ex.years, ex.year) == ((2019, 2020), 2020)
    assert ex.series.years == [2019, 2020] and ex.series.has_year
    ex.select(year=2019)
    assert ex.report().year == 2019
    ex.select(body="ziyang-bgs")  # a new body starts from all its years
    assert (ex.years, ex.year) == ((2020, 2020), 2020)
    assert len(ex.indicators()) > 2 and len(ex.charts()) >= 4  # a single-year series draws too


def test_unknown_body_and_missing_store_give_messages(bundled_store, tmp_path):
    ex = explorer.explore("no-such-body", years=(2019, 2025), db=bundled_store)
    assert "没有机关" in ex.series.message and ex.years is None
    body, span, year = ex.widget().children[0].children  # the widget builds, with nothing to pick
    assert span.disabled and year.disabled and body.value == "no-such-body"
    assert "没有机关" in ex.report().data and "没有机关" in ex.charts()[0].data
    absent = tmp_path / "absent.duckdb"
    assert "数据库文件不存在" in explorer.bodies_table(absent).data
    missing = explorer.explore("pingtan", years=(2019, 2025), db=absent)
    assert "数据库文件不存在" in missing.quality().data
    assert missing.widget().children[0].children[0].options == (("pingtan", "pingtan"),)


def test_bodies_table_lists_every_stored_body(bundled_store):
    table = explorer.bodies_table(bundled_store)
    assert {"pingtan", "ziyang-bgs"} <= set(table["代号"])
    assert table.loc[table["代号"] == "pingtan", "年度"].item() == "、".join(
        str(y) for y in range(2019, 2026)
    )


@pytest.mark.slow
def test_widget_controls_change_the_selection(bundled_store):
    pytest.importorskip("ipywidgets")
    ex = explorer.explore("pingtan", years=(2020, 2023), db=bundled_store)
    box = ex.widget()
    body, span, year = box.children[0].children
    assert body.value == "pingtan" and span.value == (2020, 2023) and year.value == 2023
    assert list(year.options) == [2020, 2021, 2022, 2023]
    year.value = 2021
    assert ex.year == 2021
    span.value = (2022, 2025)
    assert (
        ex.years == (2022, 2025)
        and ex.year == 2025
        and list(year.options) == [2022, 2023, 2024, 2025]
    )
    body.value = "ziyang-bgs"
    assert ex.body == "ziyang-bgs" and list(year.options) == [2020] and year.value == 2020
    assert (
        ex._repr_mimebundle_()["application/vnd.jupyter.widget-view+json"]["model_id"]
        == box.model_id
    )


def test_views_become_html_for_the_widget_panes():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd
    from IPython.display import HTML, Image

    fig, ax = plt.subplots()
    ax.plot([1, 2])
    png = explorer.as_html(fig)
    assert (
        png.startswith('<img alt="" style="max-width:100%" src="data:image/png;base64,')
        and not plt.get_fignums()
    )
    image = explorer.as_html(Image(data=b"\x89PNG\r\n\x1a\n" + b"0" * 16, format="png"))
    assert "data:image/png;base64,iVBORw0KGgo" in image
    both = explorer.as_html(
        explorer.Shown([HTML("<h4>标题</h4>"), pd.DataFrame({"a": ["<b>x</b>"]})])
    )
    assert both.startswith("<h4>标题</h4>") and "&lt;b&gt;x&lt;/b&gt;" in both
    assert explorer.as_html("<script>") == "<pre>&lt;script&gt;</pre>"


def test_text_tab_shows_two_years_side_by_side(text_store):
    db, name = text_store
    ex = explorer.explore(name, db=db)
    assert ex.text_years == [2022, 2023, 2024] and explorer.TABS[-1] == "文本对比"
    shown = ex.text_diff().data
    assert ex.text_pair == (2023, 2024) and "2024年度与2023年度报告文本对比" in shown
    assert 'class="s unchanged"' in shown and 'class="s new"' in shown  # muted / marked
    assert ".govstats-diff .new{" in shown  # the styles travel with the pane
    assert "<script>" not in shown and "&lt;script&gt;alert(1)" in shown
    assert "“存在的主要问题及改进情况”大部分沿用上年文字" in shown  # 2024's copied problems
    ex.select_text(previous=2022)
    assert ex.text_pair == (2022, 2024) and "2024年度与2022年度" in ex.text_diff().data
    ex.select_text(previous=2024)  # the same year twice: the one before it
    assert ex.text_pair == (2023, 2024)
    ex.select_text(year=2022)
    assert ex.text_pair == (2023, 2022)  # any two years, either way round


def test_text_tab_without_text_says_so(bundled_store):
    pingtan = explorer.explore("pingtan", db=bundled_store)  # from the tidy extract
    assert pingtan.text_years == [] and "无报告文本（仅有统计表数据）" in pingtan.text_diff().data
    ziyang = explorer.explore("ziyang-bgs", db=bundled_store)  # one year of text
    assert ziyang.text_pair is None and "只有2020年度的报告文本" in ziyang.text_diff().data
    unknown = explorer.explore("no-such-body", db=bundled_store)
    assert "没有机关" in unknown.text_diff().data


def test_text_tab_widget(text_store):
    pytest.importorskip("ipywidgets")
    db, name = text_store
    ex = explorer.explore(name, db=db)
    box = ex.widget()
    tab = box.children[2]
    controls, pane = tab.children[explorer.TABS.index("文本对比")].children
    then, now = controls.children
    assert pane.value == "" and ex._sections is None  # the text is read when its tab opens
    tab.selected_index = explorer.TABS.index("文本对比")
    assert (then.value, now.value) == (2023, 2024) and list(now.options) == [2022, 2023, 2024]
    assert "2024年度与2023年度报告文本对比" in pane.value
    then.value = 2022
    assert ex.text_pair == (2022, 2024) and "2024年度与2022年度报告文本对比" in pane.value
