"""Resolving printed body names (issue 14): corpus bodies, a generated list of real-form names
over every province, tricky hand-written names, ambiguity, historic names, generated bodies."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from govstats import synth
from govstats.store.bodynames import split_kind
from govstats.store.divisions import load_divisions, short_names
from govstats.store.registry import load_registry
from govstats.store.resolve import Resolver
from tests.conftest import CORPUS_DIR, PROJECT_DIR, corpus_entries

REGISTRY = PROJECT_DIR / "data" / "bodies.csv"


@pytest.fixture(scope="module")
def divisions():
    return load_divisions()


@pytest.fixture(scope="module")
def bare(divisions, tmp_path_factory) -> Resolver:
    """A resolver whose registry holds only the special zone 平潭 (and its aliases)."""
    registry = load_registry(REGISTRY)
    path = tmp_path_factory.mktemp("registry") / "bodies.csv"
    registry[registry["slug"] == "pingtan"].drop(columns="body_key").to_csv(path, index=False)
    return Resolver(divisions, load_registry(path))


# --- the corpus -----------------------------------------------------------------------------------


def test_every_corpus_body_resolves_without_the_registry(bare):
    entries = corpus_entries()
    if not entries:
        pytest.skip(f"corpus absent: no {CORPUS_DIR}/manifest.json")
    truth = load_registry(REGISTRY).set_index("body")[["region_code", "level"]]
    # corpus bodies that have no registry row at all
    truth = pd.concat([truth, pd.DataFrame(
        {"region_code": ["130000", "130000"], "level": ["department", "department"]},
        index=["河北省教育厅", "河北省工业和信息化厅"],
    )])  # fmt: skip
    for entry in entries:
        path = CORPUS_DIR / entry["file"]
        is_text = path.suffix in (".txt", ".md", ".html")
        text = path.read_text("utf-8", errors="replace") if is_text else None
        got = bare.resolve(entry["body"], text=text, folder=Path(entry["file"]).parent)
        want = truth.loc[entry["body"]]
        assert got.status == "resolved", (entry["body"], got.status)
        assert (got.region_code, got.level) == (want["region_code"], want["level"]), (
            entry["body"],
            got,
        )
        if got.level == "department":
            assert got.parent == load_divisions().government(got.region_code)


# --- a generated list of real-form names ----------------------------------------------------------


def _unique_full(divisions, name: str) -> bool:
    return len(divisions.by_name.get(name, ())) == 1 and name not in divisions.by_short


def generated_names(divisions, seed: int = 14) -> list[tuple[str, str | None, str, str | None]]:
    """(name, expected code or None for ambiguous, expected level, deciding text) over every
    province: governments, offices, departments (full and abbreviated), names without their
    city, townships and street offices, and ambiguous district names with and without text."""
    rng = random.Random(seed)
    out: list[tuple[str, str | None, str, str | None]] = []
    provinces = [
        c
        for c, row in divisions.by_code.items()
        if row[2] == "province" and c[:2] not in ("81", "82")
    ]
    by_parent = divisions.children
    for province in sorted(provinces):
        p = divisions[province]
        short = short_names(p)[0]
        out += [(f"{p.name}人民政府", province, "province", None),
                (f"{p.name}人民政府办公厅", province, "department", None),
                (p.name + rng.choice(["教育厅", "财政厅", "公安厅", "自然资源厅", "交通运输厅"]),
                 province, "department", None),
                (short + rng.choice(["发改委", "卫健委", "工信厅", "人社厅", "住建厅"]),
                 province, "department", None)]  # fmt: skip
        below = sorted(by_parent.get(province, ()))
        cities = [c for c in below if divisions[c].level == "city"]
        counties = [c for c in below if divisions[c].level == "county"]
        for city in rng.sample(cities, min(2, len(cities))):
            name = divisions[city].name
            out += [(f"{name}人民政府", city, "city", None),
                    (f"{name}人民政府办公室", city, "department", None),
                    (p.name + name + rng.choice(["公安局", "统计局", "民政局", "司法局"]),
                     city, "department", None),
                    (name + rng.choice(["发改委", "卫健委", "市场监管局", "医保局", "应急局"]),
                     city, "department", None)]  # fmt: skip
            counties += [c for c in by_parent.get(city, ()) if divisions[c].level == "county"][:40]
        for county in rng.sample(sorted(counties), min(4, len(counties))):
            c = divisions[county]
            region = divisions.region_name(county)
            out += [(f"{region}人民政府", county, "county", None),
                    (region + rng.choice(["教育局", "财政局", "发展和改革局", "卫生健康委员会",
                                          "农业农村局"]),
                     county, "department", None)]  # fmt: skip
            if _unique_full(divisions, c.name):
                out += [
                    (f"{c.name}人民政府", county, "county", None),
                    (f"{c.name}发改局", county, "department", None),
                ]
            towns = sorted(by_parent.get(county, ()))
            if towns:
                town = divisions[rng.choice(towns)]
                if sum(divisions[t].name == town.name for t in towns) == 1:
                    kind = "办事处" if town.name.endswith("街道") else "人民政府"
                    out.append((f"{region}{town.name}{kind}", town.code, "township", None))
    # every district name several cities carry: ambiguous alone, decided by an address
    for name, codes in sorted(divisions.by_name.items()):
        if len(codes) > 1 and all(divisions[c].level == "county" for c in codes):
            out.append((f"{name}人民政府", None, "county", None))
            for code in codes:
                city = divisions[divisions[code].parent]
                out.append((f"{name}人民政府", code, "county", f"地址：{city.name}{name}人民路1号"))
    return out


#: tricky real names: (name, expected code, level, text)
TRICKY = [
    ("洪泽区人民政府", "320813", "county", None),
    ("淮安市洪泽区人民政府", "320813", "county", None),
    ("洪泽县人民政府", "320813", "county", None),  # 县改区 2016: the former name
    ("上海市科委", "310000", "department", None),
    ("河北省工信厅", "130000", "department", None),
    ("沭阳县发改局", "321322", "department", None),
    ("湖北省公安厅", "420000", "department", None),  # not 公安县 + 厅
    ("公安县人民政府", "421022", "county", None),
    ("吉林省吉林市人民政府", "220200", "city", None),
    ("吉林市人民政府", "220200", "city", None),
    ("吉林省人民政府", "220000", "province", None),
    ("楚雄州人民政府", "532300", "city", None),
    ("延边州人民政府", "222400", "city", None),
    ("内蒙古自治区人民政府", "150000", "province", None),
    ("宁夏卫健委", "640000", "department", None),
    ("河北发改委", "130000", "department", None),  # the province, not 天津市河北区
    ("河北区人民政府", "120105", "county", None),
    ("北京市朝阳区教育委员会", "110105", "department", None),
    ("长春市朝阳区人民政府", "220104", "county", None),
    ("朝阳区人民政府", "220104", "county", "长春市朝阳区人民政府办公室 地址：长春市朝阳区西安大路"),
    ("朝阳区人民政府", "110105", "county", "北京市朝阳区人民政府 2023年政府信息公开工作年度报告"),
    ("鼓楼区人民政府", "350102", "county", "联系电话：0591-… 地址：福州市鼓楼区"),
    ("广州市人民政府办公厅", "440100", "department", None),
    ("资阳市人民政府国有资产监督管理委员会", "512000", "department", None),
    ("南京市发改委", "320100", "department", None),
    ("洪泽区人民政府高良涧街道办事处", "320813001", "township", None),
    ("东莞市石碣镇人民政府", "441900101", "township", None),
    ("济源市人民政府", "419001", "county", None),
    ("神农架林区人民政府", "429021", "county", None),
    ("重庆市教委", "500000", "department", None),
    ("天津市滨海新区人民政府", "120116", "county", None),
    ("江苏省淮安市人民政府", "320800", "city", None),
    ("苏州工业园区管理委员会", "320500", "department", None),
    ("平潭综合实验区管委会", "350128", "city", None),
    ("平潭综合实验区", "350128", "city", None),
    ("平潭综合实验区教育局", "350128", "department", None),  # the registry's zone as a place
]


def _score(resolver, cases):
    right, wrong, ambiguous_ok = [], [], 0
    for name, code, level, text in cases:
        got = resolver.resolve(name, text=text)
        if code is None:
            assert got.region_code is None and got.status.startswith("ambiguous"), (
                name,
                got.status,
            )
            ambiguous_ok += 1
        elif got.region_code == code and got.level == level:
            right.append(name)
        else:
            wrong.append((name, code, level, got.region_code, got.level, got.status))
    return right, wrong, ambiguous_ok


@pytest.mark.slow
def test_generated_names_resolve(bare, divisions):
    cases = generated_names(divisions)
    assert len(cases) >= 300
    assert len({c[1][:2] for c in cases if c[1]}) >= 31  # every province
    assert Counter(c[2] for c in cases).keys() >= {
        "province",
        "city",
        "county",
        "township",
        "department",
    }
    right, wrong, ambiguous = _score(bare, cases)
    decided = len(cases) - ambiguous
    assert len(right) / decided >= 0.99, wrong[:20]
    assert not [
        w for w in wrong if w[3] is not None
    ]  # a miss is an unresolved name, never a wrong code
    assert ambiguous >= 25


def test_tricky_names(bare):
    right, wrong, _ = _score(bare, TRICKY)
    assert not wrong


def test_ambiguous_without_evidence_lists_candidates(bare):
    got = bare.resolve("鼓楼区人民政府")
    assert got.status.startswith("ambiguous: 鼓楼区 is ")
    assert {c.code for c in got.candidates} == {"320106", "320302", "350102", "410204"}
    assert got.region_code is None and got.slug is None


def test_conflicting_evidence_stays_ambiguous(bare):
    got = bare.resolve("朝阳区人民政府", text="北京市朝阳区 … 长春市朝阳区")
    assert got.region_code is None and "several candidates" in got.status


def test_folder_decides(bare):
    assert bare.resolve("鼓楼区人民政府", folder="reports/南京市/2023").region_code == "320106"
    assert (
        bare.resolve("鼓楼区人民政府", folder="https://www.nanjing.gov.cn/gl/2023.html").region_code
        == "320106"
    )


def test_unknown_names(bare):
    assert bare.resolve("某某公司").status.startswith("unknown")
    assert bare.resolve("崇文区人民政府").status.startswith("unknown")  # merged into 东城区 in 2010
    assert bare.resolve("").status.startswith("unknown")


def test_historic_name_says_why(bare):
    got = bare.resolve("洪泽县人民政府")
    assert got.region_code == "320813" and "former name" in got.why


# --- slugs, levels, parents -----------------------------------------------------------------------


@pytest.mark.slow
def test_slugs_are_ascii_unique_and_the_same_for_every_printed_form(bare, divisions):
    slug = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
    above = [c for c, row in divisions.by_code.items() if row[2] != "township"]
    slugs = [divisions.slug(c) for c in above]
    assert all(slug.match(s) for s in slugs) and len(set(slugs)) == len(slugs)
    town_codes = sorted(c for c, row in divisions.by_code.items() if row[2] == "township")[::7]
    towns = [divisions.slug(c) for c in town_codes]
    assert len(set(towns)) == len(towns)
    assert bare.resolve("上海市科委").slug == bare.resolve("上海市科学技术委员会").slug
    assert bare.resolve("南京市发改委").slug == bare.resolve("南京市发展和改革委员会").slug
    assert bare.resolve("北京市朝阳区人民政府").slug == "beijing-chaoyang"


def test_department_levels_and_parents(bare):
    got = bare.resolve("沭阳县发展和改革局")
    assert (got.level, got.government_level, got.parent) == (
        "department",
        "county",
        "宿迁市沭阳县人民政府",
    )
    got = bare.resolve("淮安市洪泽区人民政府")
    assert (got.level, got.government_level, got.parent) == ("county", None, "淮安市人民政府")
    assert bare.resolve("河北省人民政府").parent == ""


def test_a_registry_place_names_its_departments(bare):
    got = bare.resolve("平潭综合实验区教育局")
    assert (got.slug, got.government_level, got.parent) == ("pingtan-jyj", "city", "平潭综合实验区")


def test_registry_overrides_win():
    resolver = Resolver(load_divisions(), load_registry(REGISTRY))
    got = resolver.resolve("沭阳县发改局")
    assert (got.slug, got.source) == ("shuyang-fgj", "registry")


def test_kind_vocabulary_reads_abbreviations():
    kinds = {p: k.name for p, k in split_kind("上海市科委")}
    assert kinds["上海市"] == "科学技术委员会"
    assert any(k.name == "发展和改革委员会" for _, k in split_kind("南京市发改委"))
    assert any(k.category == "street_office" for _, k in split_kind("高良涧街道办事处"))


# --- the generator's fictional bodies -------------------------------------------------------------


def test_generated_bodies_resolve_through_their_own_registry(divisions):
    bodies = [synth.make_body(i, 3) for i in range(0, 60)]
    frame = pd.DataFrame([{"body": b.name, "slug": b.slug, "region_code": b.region_code,
                           "region_name": b.region_name, "level": b.level}
                          for b in bodies])  # fmt: skip
    plain = Resolver(divisions, load_registry(REGISTRY))
    registered = Resolver(divisions, load_registry(REGISTRY), registered=frame)
    for body in bodies:
        assert plain.resolve(body.name).region_code is None
        got = registered.resolve(body.name)
        assert (got.region_code, got.slug, got.source) == (
            body.region_code,
            body.slug,
            "registered",
        )
    assert not [c for c in divisions.by_code if c[:2] in synth.SYNTHETIC_REGION_PREFIXES]
