"""Postcodes and telephone area codes as evidence for ambiguous body names (issue 14, item 2):
they narrow the candidates, decide nothing when unknown or shared, and never overrule a place
name that says otherwise."""

from __future__ import annotations

import pytest

from govstats.store import contacts
from govstats.store.divisions import load_divisions
from govstats.store.registry import load_registry
from govstats.store.resolve import Resolver
from tests.store.test_resolve import REGISTRY

CHAOYANG = "朝阳区人民政府"
BEIJING, CHANGCHUN = "110105", "220104"


@pytest.fixture(scope="module")
def divisions():
    return load_divisions()


@pytest.fixture(scope="module")
def bare(divisions) -> Resolver:
    registry = load_registry(REGISTRY)
    return Resolver(divisions, registry[registry["slug"] == "pingtan"].reset_index(drop=True))


@pytest.fixture(scope="module")
def table(bare):
    return bare.contacts


def _code(resolver, text, name=CHAOYANG):
    return resolver.resolve(name, text=f"2023年政府信息公开工作年度报告\n{text}\n").region_code


def test_postcode_decides(bare):
    got = bare.resolve(CHAOYANG, text="联系方式\n邮编：130012\n")
    assert got.region_code == CHANGCHUN
    assert "postcode 130012" in got.why
    assert _code(bare, "邮政编码 100020") == BEIJING  # a municipality: 10xxxx


@pytest.mark.parametrize(
    "line", ["电话：010-65092345", "联系电话：（010）65092345", "电话 (010) 65092345"]
)
def test_area_code_decides(bare, line):
    assert _code(bare, line) == BEIJING


def test_area_code_of_changchun(bare):
    assert _code(bare, "咨询电话：0431—88776655") == CHANGCHUN
    assert _code(bare, "电话：025-84001234", "鼓楼区人民政府") == "320106"  # 南京
    assert _code(bare, "邮编：350001", "鼓楼区人民政府") == "350102"  # 福州


def test_codes_agreeing_with_place_names(bare):
    got = bare.resolve(CHAOYANG, text="地址：长春市人民大街 邮编：130012 电话：0431-88776655")
    assert got.region_code == CHANGCHUN and "长春市" in got.why and "postcode 130012" in got.why


def test_code_against_place_name_stays_ambiguous(bare):
    got = bare.resolve(CHAOYANG, text="地址：长春市人民大街\n电话：010-65092345")
    assert got.region_code is None and got.status.startswith("ambiguous")
    assert "conflicts" in got.status and "010" in got.status and "长春市" in got.status


def test_codes_against_each_other_stay_ambiguous(bare):
    got = bare.resolve(CHAOYANG, text="邮编：130012\n电话：010-65092345")
    assert got.region_code is None and "conflicts" in got.status


@pytest.mark.parametrize(
    "text",
    [
        "邮编：999999",  # no such postcode
        "邮编：210008",  # 南京: a code of none of the candidates
        "电话：0999-1234567",  # 伊犁: dropped from the table (not placed), no evidence
        "电话：0517-83912345 邮编：223001",  # 淮安: none of the candidates
        "12345678",  # no code at all
    ],
)
def test_unknown_or_foreign_codes_decide_nothing(bare, text):
    got = bare.resolve(CHAOYANG, text=text)
    assert got.region_code is None and got.status.startswith("ambiguous"), got.status


def test_a_code_shared_by_candidates_decides_nothing(bare, divisions, table):
    # 0731 is 长沙, 株洲 and 湘潭: a district name carried by two of them stays ambiguous
    shared = [a for a, codes in table.by_area.items() if len(codes) > 1]
    assert "0731" in shared and "028" in shared
    for name, codes in divisions.by_name.items():
        cities = {divisions[c].parent for c in codes if divisions[c].level == "county"}
        if len(cities) > 1 and cities <= set(table.by_area["0731"]):
            got = bare.resolve(f"{name}人民政府", text="电话：0731-88776655")
            assert got.region_code is None and got.status.startswith("ambiguous"), name


def test_every_ambiguous_district_is_decided_by_its_own_codes_or_not_at_all(bare, divisions):
    """Each district name several cities carry, with the telephone number or postcode of each
    candidate's city in the text: that candidate, or ambiguous; never another one."""
    table = bare.contacts
    area_of = {c: a for a, codes in table.by_area.items() for c in codes}
    post_of = {c: p for p, codes in table.by_post4.items() for c in codes}
    decided = tried = 0
    for name, codes in sorted(divisions.by_name.items()):
        if len(codes) < 2 or not all(divisions[c].level == "county" for c in codes):
            continue
        for code in codes:
            city = divisions[code].parent
            lines = []
            if city in area_of:
                lines.append(f"电话：{area_of[city]}-66778899")
            if city in post_of:
                lines.append(f"邮编：{post_of[city]}01")
            for line in lines:
                tried += 1
                got = bare.resolve(f"{name}人民政府", text=line).region_code
                assert got in (code, None), (name, code, line, got)
                decided += got == code
    assert tried >= 100 and decided / tried >= 0.8, (decided, tried)


def test_table_places_cities_through_the_division_index(divisions, table):
    assert table.area("0431") == ("220100",) and table.postcode("130012") == ("220100",)
    assert table.area("010") == ("110000",)
    assert table.area("0517") == ("320800",)  # 淮安
    assert table.postcode("132011") == ("220200",)  # 吉林市, not 吉林省
    every = {c for codes in table.by_area.values() for c in codes}
    assert all(c in divisions for c in every)
    prefectures = [c for c in divisions.by_code if divisions[c].level == "city"]
    assert sum(c in every for c in prefectures) >= 320  # of 333
    assert any(d.startswith("湖北江汉") or "武汉市" in d for d in table.dropped)  # not 武汉 0728


def test_find_codes():
    text = "地址：某路1号 邮编：130012\n电话：0431-88776655 传真：(0431)88776656 2021-12345678"
    assert contacts.find_codes(text) == [("postcode", "130012"), ("area code", "0431")]
    assert contacts.find_codes("3.0-1234567 共12345678件") == []


def test_without_the_data_set_codes_are_no_evidence(divisions, monkeypatch):
    def missing(*args):
        raise ImportError("the phone package is not installed")

    monkeypatch.setattr(contacts, "_package_file", missing)
    with pytest.warns(RuntimeWarning, match="not used as evidence"):
        table = contacts.build_contact_codes(divisions)
    assert table is contacts.EMPTY
    resolver = Resolver(divisions, load_registry(REGISTRY).iloc[0:0], _contacts=table)
    assert resolver.resolve(CHAOYANG, text="邮编：130012").region_code is None
