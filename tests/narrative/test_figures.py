"""The numbers the text states (govstats.narrative.figures), read by hand from the corpus."""

from __future__ import annotations

import pytest

import govstats
from govstats.narrative.figures import FIGURE_COLUMNS, figures_frame, narrative_figures
from govstats.report import Section
from tests.conftest import CORPUS_DIR

RAW = CORPUS_DIR / "raw"


def _figures(name: str) -> dict:
    path = RAW / name
    if not path.is_file():
        pytest.skip(f"corpus absent: {path}")
    return {f.indicator: f for f in narrative_figures(govstats.read_report(path).sections)}


def test_pingtan_2025():
    f = _figures("2025_pingtan_html.html")
    assert f["proactive_items"].value == 7700 and f["proactive_items"].approximate
    assert f["proactive_items"].printed == "主动公开政府信息7700余条"
    assert f["proactive_items"].section == "overview.proactive"
    assert f["policy_interpretations"].value == 82
    assert (f["requests_received"].value, f["requests_closed"].value) == (154, 148)
    assert f["requests_carried_forward"].value == 6
    assert (f["review_cases"].value, f["litigation_cases"].value) == (36, 9)
    assert f["review_cases"].source == "text block 34"


def test_hongze_2023_pdf():
    f = _figures("2023_hongze-qzf_pdf.pdf")
    assert f["proactive_items"].value == 1136  # printed "政府信息 1136条" (a space in the PDF)
    assert f["fees"].value == 0 and f["fees"].section == "other"
    assert f["requests_received"].value == 21


def test_a_part_or_a_running_total_is_not_the_figure():
    # 平潭 2019 lists categories: "…其他应主动公开政府信息856条" is one of them, not the total
    assert "proactive_items" not in _figures("2019_pingtan_html.html")
    # 资阳 2020: "…主动公开内容并动态更新,截至目前累计公开信息2万余条" crosses a comma
    assert "proactive_items" not in _figures("2020_ziyang-bgs_txt-pipe.txt")
    # and its "行政复议及行政诉讼案件0件" counts both kinds at once: neither figure
    assert not {"review_cases", "litigation_cases"} & set(_figures("2020_ziyang-bgs_txt-pipe.txt"))


def test_figures_of_generated_text_and_the_frame():
    sections = [
        Section("overview.proactive", "（一）主动公开", "全年主动公开政府信息 1,2 条。", "line 3"),
        Section(
            "overview.proactive", "（一）主动公开", "召开新闻发布会5场，发布政策解读12篇。", "l"
        ),
        Section("other", "六、其他需要报告的事项", "全年收取信息处理费380元。", "line 9"),
    ]
    found = {f.indicator: f.value for f in narrative_figures(sections)}
    assert found == {"press_conferences": 5, "policy_interpretations": 12, "fees": 380}
    report = govstats.Report("x", "txt", "id", "某局", 2024, "2021", sections=sections)
    frame = figures_frame([report])
    assert list(frame.columns) == FIGURE_COLUMNS and len(frame) == 3
    assert set(frame["section"]) == {"narrative"} and frame["year"].iloc[0] == 2024
