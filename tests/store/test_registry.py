"""The body registry: data/bodies.csv, normalised keys, slugs, regions."""

from __future__ import annotations

import pandas as pd
import pytest

from govstats.store.divisions import load_divisions
from govstats.store.registry import (
    RegistryError,
    body_key,
    canonical_key,
    fallback_slug,
    in_region,
    keys_for,
    load_registry,
    region_prefix,
    region_prefixes,
)
from govstats.store.resolve import Resolver
from tests.conftest import PROJECT_DIR, corpus_entries

BUNDLED = PROJECT_DIR / "data" / "bodies.csv"


def test_body_key_folds_width_space_and_punctuation():
    assert body_key("平潭综合 实验区") == "平潭综合实验区"
    assert (
        body_key("平潭综合实验区（管委会）")
        == body_key("平潭综合实验区(管委会)")
        == "平潭综合实验区管委会"
    )
    assert body_key("\u3000资阳市人民政府办公室\n") == "资阳市人民政府办公室"
    assert body_key("ＡＢＣ局") == "abc局"


def test_bundled_registry_is_valid_and_the_corpus_bodies_resolve():
    registry = load_registry(BUNDLED)
    # the special zone, and four rows that only keep the slugs of existing pages and docs
    # stable (their bodies resolve to the same places without them: tests/store/test_resolve.py)
    assert list(registry["slug"]) == [
        "pingtan",
        "ziyang-bgs",
        "hongze-qzf",
        "shuyang-fgj",
        "sh-kewei",
    ]
    assert registry["region_code"].str.fullmatch(r"\d{6}").all()
    codes = dict(zip(registry["slug"], registry["region_code"], strict=True))
    assert codes == {
        "pingtan": "350128",
        "ziyang-bgs": "512000",
        "hongze-qzf": "320813",
        "shuyang-fgj": "321322",
        "sh-kewei": "310000",
    }
    resolver = Resolver(load_divisions(), registry)
    for entry in corpus_entries():
        got = resolver.resolve(entry["body"])
        assert got.resolved and got.slug == entry["file"].split("_")[1].split("/")[-1], (
            entry["body"],
            got,
        )


@pytest.mark.parametrize(
    "row, complaint",
    [
        ("Ping Tan,平潭综合实验区,350128,平潭,city,,,", "slug 'Ping Tan'"),
        ("pingtan,平潭综合实验区,3501,平潭,city,,,", "region_code '3501'"),
        ("pingtan,平潭综合实验区,350128,平潭,town,,,", "level 'town'"),
        ("pingtan,,350128,平潭,city,,,", "body is empty"),
    ],
)
def test_bad_rows_are_named_by_file_and_line(tmp_path, row, complaint):
    path = tmp_path / "bodies.csv"
    path.write_text(
        "slug,body,region_code,region_name,level,parent,aliases,notes\n" + row + "\n",
        encoding="utf-8",
    )
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    assert f"{path}: line 2" in str(info.value) and complaint in str(info.value)


def test_duplicate_body_is_refused(tmp_path):
    path = tmp_path / "bodies.csv"
    path.write_text(
        "slug,body,region_code,region_name,level,parent,aliases,notes\n"
        "a,平潭综合实验区,350128,平潭,city,,,\nb,平潭综合 实验区,350128,平潭,city,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(
        RegistryError, match="line 3: body '平潭综合实验区' already listed on line 2"
    ):
        load_registry(path)


def test_missing_registry_is_empty(tmp_path):
    assert load_registry(tmp_path / "absent.csv").empty


def test_slugs_names_and_aliases_resolve_to_keys():
    registry = load_registry(BUNDLED)
    assert keys_for("pingtan", registry) == ["平潭综合实验区"]
    assert keys_for(["平潭综合实验区管委会", "ziyang-bgs"], registry) == [
        "平潭综合实验区",
        "资阳市人民政府办公室",
    ]
    assert canonical_key("平潭综合实验区管理委员会", registry) == "平潭综合实验区"
    # an unknown body is its own key, never dropped
    assert keys_for("示例市示例局", registry) == ["示例市示例局"]


def test_fallback_slug_is_stable_ascii():
    slug = fallback_slug(body_key("示例市示例局"))
    assert slug == fallback_slug("示例市示例局") and slug.startswith("body-") and slug.isascii()
    assert slug != fallback_slug("示例市另一局")


def test_regions_by_code_and_by_name():
    registry = load_registry(BUNDLED)
    assert (
        region_prefix("512000") == "5120"
        and region_prefix("310000") == "31"
        and region_prefix("321322") == "321322"
    )
    assert region_prefixes("资阳市", registry) == ["5120"]
    assert region_prefixes("沭阳县", registry) == [
        "321322"
    ]  # region_name 宿迁市沭阳县 ends with it
    assert region_prefixes("320000", registry) == ["32"]
    assert region_prefixes("福建省", registry) == region_prefixes("福建", registry) == ["35"]
    assert region_prefixes("内蒙古", registry) == ["15"] and region_prefixes(
        "江苏省", registry
    ) == ["32"]
    with pytest.raises(RegistryError, match="'火星市' is neither a division nor in the registry"):
        region_prefixes("火星市", registry)
    codes = pd.Series(["512000", "512002", "320813", None], dtype="string")
    assert list(in_region(codes, ["5120"])) == [True, True, False, False]
    assert list(in_region(codes, region_prefixes("320000", registry))) == [
        False,
        False,
        True,
        False,
    ]
