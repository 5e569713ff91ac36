"""Year-on-year comparison of report text (govstats.narrative): the 平潭 series read by hand,
generated narratives with planted carry-overs, the copied-problems finding, sentence keys."""

from __future__ import annotations

import pytest

import govstats
from govstats.narrative import (
    COPIED_PROBLEMS,
    COPIED_SHARE,
    compare_sections,
    compare_series,
    split_problems,
)
from govstats.narrative.text import exact_key, number_key, sentences
from govstats.report import Section
from govstats.synth import generate
from govstats.synth.narrative import narrate
from govstats.synth.printing import render
from tests.conftest import CORPUS_DIR

RAW = CORPUS_DIR / "raw"


@pytest.fixture(scope="module")
def pingtan():
    paths = {y: RAW / f"{y}_pingtan_html.html" for y in range(2019, 2026)}
    if not all(p.is_file() for p in paths.values()):
        pytest.skip(f"corpus absent: {RAW}")
    reports = {y: govstats.read_report(p) for y, p in paths.items()}
    return {c.year: c for c in compare_series({y: r.sections for y, r in reports.items()})}


def test_pingtan_figures_read_by_hand(pingtan):
    assert sorted(pingtan) == list(range(2020, 2026))
    # 2025 vs 2024, 一、总体情况: one sentence each year; both open with the same clause
    # (平潭综合实验区坚持以习近平新时代中国特色社会主义思想为指导，全面学习贯彻党的二十大和二十届)
    # and then say other things: a part shared, no sentence carried over
    overview = pingtan[2025].section("overview")
    assert overview.similarity == pytest.approx(0.396, abs=0.005)
    assert overview.carried_share == 0.0 and [m.status for m in overview.sentences] == ["new"]
    # 2023 vs 2022, （一）主动公开方面: the opening sentence is 2022's with 坚持应公开尽公开
    # inserted and the year and count changed (an edit); 一是做好规范性文件公开。 is unchanged;
    # the other five sentences are new
    proactive = pingtan[2023].section("overview.proactive")
    statuses = [m.status for m in proactive.sentences]
    assert statuses.count("unchanged") == 1 and statuses.count("edited") == 1
    assert statuses.count("new") == 5
    assert proactive.of_status("unchanged") == ["一是做好规范性文件公开。"]
    edited = next(m for m in proactive.sentences if m.status == "edited")
    assert "2022年全区共主动公开政府信息14571条" in edited.previous and edited.score > 0.8
    assert proactive.similarity == pytest.approx(0.198, abs=0.005)
    # 六、其他需要报告的事项 2022 vs 2021: "2022年，无收取信息处理费情况。" — only the year differs
    other = pingtan[2022].section("other")
    assert other.similarity == 1.0 and [m.status for m in other.sentences] == ["renumbered"]


def test_pingtan_writes_its_problems_afresh_every_year(pingtan):
    for comparison in pingtan.values():
        problems = comparison.section("problems")
        assert problems.carried_share == 0.0 and problems.similarity < 0.1
        assert COPIED_PROBLEMS not in comparison.findings
    # 2019 printed no sub-sections, 2020 one (（二）…扎实推进主动公开): named, not compared
    assert pingtan[2020].missing == ("overview.proactive",)
    assert pingtan[2020].section("overview.proactive").similarity is None


def test_problems_then_and_improvements_now(pingtan):
    c = pingtan[2021]
    assert c.problems_then[0].startswith("（一）存在的主要问题")
    assert c.improvements_now[0].startswith("（二）改进措施")


def _series(n_bodies: int, seed: int):
    reports = narrate(generate(n_bodies, range(2019, 2026), seed=seed), seed=seed)
    bodies: dict[int, dict] = {}
    for r in reports:
        bodies.setdefault(r.body.index, {})[r.year] = r
    return bodies


@pytest.mark.parametrize("fmt", ["txt-plain", "html"])
def test_planted_carry_overs_are_found(fmt):
    """Precision and recall of carried-over sentences (unchanged or renumbered) ≥ 0.95, the
    copied-problems finding exact, on generated narratives read back from a printed form."""
    tp = fp = fn = 0
    findings = []
    kinds = set()
    for years in _series(6, seed=11).values():
        read = {y: govstats.read_report(render(r, fmt).encode()) for y, r in years.items()}
        for c in compare_series({y: rep.sections for y, rep in read.items()}):
            truth = years[c.year]
            findings.append((COPIED_PROBLEMS in c.findings, truth.narrative_copied))
            for section in c.sections:
                origin = {s.text: s.origin for s in truth.narrative[section.code]}
                if all(o == "same" for o in origin.values()):
                    kinds.add("whole section")
                for m in section.sentences:
                    real = origin[m.text] != "new"
                    found = m.status in ("unchanged", "renumbered")
                    kinds.add(origin[m.text])
                    tp += real and found
                    fp += found and not real
                    fn += real and not found
    assert kinds == {"new", "same", "renumbered", "whole section"}  # every kind was planted
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.95, (tp, fp, fn)
    assert all(found == planted for found, planted in findings)
    assert 0 < sum(planted for _f, planted in findings) < len(findings)  # both outcomes occur


def test_renumbered_and_unchanged_are_told_apart():
    for years in _series(3, seed=2).values():
        for c in compare_series({y: _sections(r) for y, r in years.items()}):
            for section in c.sections:
                origin = {s.text: s.origin for s in years[c.year].narrative[section.code]}
                for m in section.sentences:
                    expected = {"same": "unchanged", "renumbered": "renumbered"}.get(origin[m.text])
                    if expected:
                        assert m.status == expected, (m.text, m.previous)


def _sections(report) -> list[Section]:
    from govstats.synth.narrative import HEADINGS, text_of

    return [Section(code, HEADINGS[code], text_of(report, code), "") for code in HEADINGS]


def _problems(text: str) -> list[Section]:
    return [Section("problems", "五、存在的主要问题及改进情况", text, "line 1")]


def test_the_copied_finding_follows_its_threshold():
    old = "一是解读形式不够丰富。二是更新不够及时。三是队伍能力不足。下一步，我们将加强培训。"
    copied = compare_sections(_problems(old.replace("三是", "四是")), _problems(old))
    assert copied.section("problems").carried_share == 1.0
    assert copied.findings == (COPIED_PROBLEMS,)
    half = "一是解读形式不够丰富。完全不同的一句话写在这里而且很长很长。"
    c = compare_sections(_problems(half), _problems(old))
    share = c.section("problems").carried_share
    assert share < COPIED_SHARE and c.findings == ()


def test_split_problems():
    issues, improvements = split_problems(
        "2022年，工作仍有不足：一是制度不健全。二是解读不够。\n下一步，我厅将完善制度。一是加强培训。"
    )
    assert issues == ["2022年，工作仍有不足：一是制度不健全。", "二是解读不够。"]
    assert improvements == ["下一步，我厅将完善制度。", "一是加强培训。"]
    assert split_problems("只有问题。没有措施。") == (["只有问题。", "没有措施。"], [])


def test_sentence_keys():
    assert sentences("甲。乙；丙！\n（一）基本情况\n丁跨\n行的句子。") == [
        "甲。",
        "乙；",
        "丙！",
        "（一）基本情况",
        "丁跨行的句子。",
    ]
    assert exact_key("2023 年 共 5 件。") == exact_key("2023年共5件") == "2023年共5件"
    assert number_key("2023年共５件，一是") == number_key("2024年共17件，二是") == "#年共#件,#是"
