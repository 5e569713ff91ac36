"""Printed body names: which kind of body a name ends with, and the place part before it.

A reporting body's name is a place part followed by a kind (the patterns of issue 14)::

    淮安市洪泽区 | 人民政府                 government of a division (any level)
    资阳市      | 人民政府办公室            its general office (办公厅 / 办公室)
    沭阳县      | 发展和改革局 (发改局)     a department: a kind from :data:`DEPARTMENTS`
    上海市      | 科委 (科学技术委员会)     … or one of its abbreviations
    高良涧街道  | 办事处                   a street office (the place is the 街道 itself)
    淮安        | 经济技术开发区管委会      a zone's administrative committee

:func:`split_kind` lists every (place part, kind) reading of a name's key (see
:func:`govstats.store.registry.body_key`); placing the place part on the map is the job of
:mod:`govstats.store.resolve`. Nothing here reads data: the vocabulary is in this module.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

#: categories of body kinds
CATEGORIES = ("government", "office", "department", "street_office", "zone")


@dataclass(frozen=True)
class Kind:
    """What a body is, given the division it serves.

    ``category`` is one of :data:`CATEGORIES`; ``name`` the canonical name of the kind
    (教育局, 人民政府办公室); ``slug`` its ASCII part of a body slug ('' for a government);
    ``printed`` the text the name ended with (发改局); ``listed`` False for a department whose
    kind is not in the vocabulary (it is recognised by its ending: 局, 委员会, 中心 …);
    ``province_only`` True for kinds that exist at the province level only (…厅).
    """

    category: str
    name: str
    slug: str
    printed: str
    listed: bool = True
    province_only: bool = False


#: department kinds: (full stem, its short stems, suffixes it takes, slug stem). A printed name
#: is a stem + suffix (教育 + 局); ``委`` stands for 委员会 wherever 委员会 is listed (科委,
#: 发改委). The slug of a kind is its slug stem + the suffix's letter (jy + j = jyj), so that every
#: printed form of one body (上海市科学技术委员会, 上海市科委) gets one slug.
DEPARTMENTS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("发展和改革", ("发展改革", "发改"), ("委员会", "局"), "fg"),
    ("教育", ("教",), ("厅", "局", "委员会"), "jy"),
    ("教育和体育", ("教育体育", "教体"), ("局",), "jt"),
    ("科学技术", ("科技", "科"), ("厅", "局", "委员会"), "kj"),
    ("科学技术和工业信息化", ("科技和工业信息化", "科工信"), ("局",), "kgx"),
    ("工业和信息化", ("工业信息化", "工信"), ("厅", "局", "委员会"), "gx"),
    ("经济和信息化", ("经济信息化", "经信"), ("厅", "局", "委员会"), "jx"),
    ("民族宗教事务", ("民族事务", "民宗", "民族宗教"), ("委员会", "局", "厅"), "mz"),
    ("公安", (), ("厅", "局"), "ga"),
    ("民政", (), ("厅", "局"), "mzh"),
    ("司法", (), ("厅", "局"), "sf"),
    ("财政", (), ("厅", "局"), "cz"),
    ("人力资源和社会保障", ("人力资源社会保障", "人社"), ("厅", "局"), "rs"),
    ("自然资源", (), ("厅", "局"), "zr"),
    (
        "自然资源和规划",
        ("自然资源规划", "规划和自然资源", "规划自然资源"),
        ("局", "委员会"),
        "zrgh",
    ),
    ("国土资源", ("国土",), ("厅", "局"), "gt"),
    ("生态环境", (), ("厅", "局"), "sthj"),
    ("环境保护", ("环保",), ("厅", "局"), "hb"),
    (
        "住房和城乡建设",
        ("住房城乡建设", "住建", "住房和城乡建设管理"),
        ("厅", "局", "委员会"),
        "zj",
    ),
    ("交通运输", ("交通",), ("厅", "局", "委员会"), "jt"),
    ("水利", (), ("厅", "局"), "sl"),
    ("水务", (), ("局",), "sw"),
    ("农业农村", ("农业", "农"), ("厅", "局", "委员会"), "nync"),
    ("商务", ("商",), ("厅", "局", "委员会"), "sw"),
    ("文化和旅游", ("文化旅游", "文旅"), ("厅", "局"), "wl"),
    (
        "文化广电和旅游",
        ("文化广电旅游", "文广旅", "文广新旅", "文化广电体育和旅游", "文广体旅"),
        ("局",),
        "wgl",
    ),
    ("卫生健康", ("卫健", "卫生和健康"), ("委员会", "局"), "wj"),
    ("卫生和计划生育", ("卫生计生", "卫计"), ("委员会", "局"), "wjw"),
    ("退役军人事务", ("退役军人",), ("厅", "局"), "ty"),
    ("应急管理", ("应急",), ("厅", "局"), "yj"),
    ("审计", (), ("厅", "局"), "sj"),
    ("外事", (), ("办公室",), "ws"),
    ("国有资产监督管理", ("国资",), ("委员会",), "gz"),
    ("市场监督管理", ("市场监管",), ("局", "厅"), "sc"),
    ("统计", (), ("局",), "tj"),
    ("医疗保障", ("医保",), ("局",), "yb"),
    ("体育", (), ("局",), "ty"),
    ("林业和草原", ("林草", "林业"), ("局",), "lc"),
    ("广播电视", ("广电",), ("局",), "gd"),
    ("信访", (), ("局", "办公室"), "xf"),
    (
        "地方金融监督管理",
        ("地方金融监管", "金融监管", "地方金融管理", "金融工作", "金融"),
        ("局", "办公室"),
        "jr",
    ),
    ("机关事务管理", ("机关事务", "机关事务服务"), ("局",), "jg"),
    ("粮食和物资储备", ("粮食和储备", "粮食"), ("局",), "ls"),
    ("人民防空", ("人防",), ("办公室",), "rf"),
    ("国防动员", (), ("办公室",), "gfdy"),
    (
        "政务服务管理",
        ("政务服务", "政务服务和数据管理", "政务服务数据管理"),
        ("局", "办公室"),
        "zw",
    ),
    ("行政审批", ("行政审批服务",), ("局",), "xzsp"),
    ("数据", ("大数据", "大数据发展管理", "数据资源管理", "大数据管理"), ("局",), "sj"),
    (
        "城市管理",
        ("城管", "城市管理和综合执法", "城市管理综合执法", "城市管理行政执法"),
        ("局", "委员会"),
        "cg",
    ),
    ("综合行政执法", (), ("局",), "zhzf"),
    ("乡村振兴", (), ("局",), "xczx"),
    ("扶贫开发", ("扶贫",), ("办公室", "局"), "fp"),
    ("侨务", (), ("办公室",), "qw"),
    ("台湾事务", ("台务",), ("办公室",), "tw"),
    ("港澳事务", (), ("办公室",), "ga"),
    ("研究", (), ("室",), "yj"),
    ("参事", (), ("室",), "cs"),
    ("新闻", (), ("办公室",), "xw"),
    ("地方志", ("史志",), ("办公室",), "dfz"),
    ("安全生产监督管理", ("安全监管", "安监"), ("局",), "aj"),
    ("食品药品监督管理", ("食品药品监管", "食药监"), ("局",), "sy"),
    ("药品监督管理", ("药品监管", "药监"), ("局",), "yj"),
    ("工商行政管理", ("工商",), ("局",), "gs"),
    ("质量技术监督", ("质监",), ("局",), "zj"),
    ("知识产权", (), ("局",), "zscq"),
    ("档案", (), ("局",), "da"),
    ("人口和计划生育", ("人口计生",), ("委员会", "局"), "rk"),
    ("规划", (), ("局", "委员会"), "gh"),
    ("住房保障和房产管理", ("房产管理", "房管", "住房保障房屋管理"), ("局",), "fg"),
    ("投资促进", ("投促",), ("局",), "tc"),
    ("营商环境建设", ("营商环境", "营商"), ("局",), "ys"),
    ("海洋与渔业", ("海洋和渔业", "海洋渔业"), ("局", "厅"), "hy"),
    ("畜牧兽医", ("畜牧",), ("局",), "xm"),
    ("口岸", (), ("办公室",), "ka"),
    ("机构编制委员会", ("编",), ("办公室",), "bb"),
    ("公共资源交易", (), ("中心", "管理局", "局"), "ggzy"),
    ("气象", (), ("局",), "qx"),
)
#: suffix → its letter in slugs; ``厅`` marks a province-level department
_SUFFIX_SLUG = {
    "厅": "t",
    "局": "j",
    "委员会": "w",
    "办公室": "b",
    "中心": "zx",
    "管理局": "glj",
    "室": "s",
}
#: government, general office, street office
_GOVERNMENT = {"人民政府": "人民政府", "政府": "人民政府"}
_OFFICES = {
    "人民政府办公厅": ("人民政府办公厅", "bgt"), "人民政府办公室": ("人民政府办公室", "bgs"),
    "政府办公厅": ("人民政府办公厅", "bgt"), "政府办公室": ("人民政府办公室", "bgs"),
    "政府办": ("人民政府办公室", "bgs"),
    "办公厅": ("人民政府办公厅", "bgt"),
}  # fmt: skip
_STREET = {"办事处": "街道办事处", "办": "街道办事处"}
#: zones: what a zone's name ends with, then its committee (管理委员会 / 管委会), optional
_ZONE = re.compile(
    r"^(?P<place>.+?)(?P<zone>(?:国家级)?(?:经济技术开发区|经济开发区|高新技术产业开发区|高新技术"
    r"开发区|高新区|经开区|开发区|工业园区|产业园区|综合实验区|综合试验区|实验区|试验区|示范区|新"
    r"区|保税区|自由贸易试验区|片区))(?P<committee>管理委员会|管委会)?$"
)
#: endings by which a department not in the vocabulary is still recognised
_DEPARTMENT_ENDINGS = re.compile(
    r"(?:局|厅|委员会|办公室|中心|管理处|管理站|管理所|服务中心|事务所|研究院|院|馆|署|队|站|委)$"
)


def _department_table() -> dict[str, Kind]:
    table: dict[str, Kind] = {}
    for full, shorts, suffixes, slug in DEPARTMENTS:
        for suffix in suffixes:
            forms = [suffix] + (["委"] if suffix == "委员会" else [])
            for stem in (full, *shorts):
                for form in forms:
                    printed = stem + form
                    if suffix == "办公室" and stem != full:
                        forms_extra = [stem + "办"]
                    else:
                        forms_extra = []
                    for text in [printed, *forms_extra]:
                        table.setdefault(
                            text,
                            Kind("department", full + suffix, slug + _SUFFIX_SLUG[suffix], text,
                                 province_only=suffix == "厅"),
                        )  # fmt: skip
    return table


_DEPARTMENT_KINDS = _department_table()
#: the longest printed kind (for scanning a name from its end)
_LONGEST = max(len(k) for k in _DEPARTMENT_KINDS)


def split_kind(key: str) -> list[tuple[str, Kind]]:
    """Every reading of a body name's key as (place part, kind), most specific first.

    >>> [(p, k.category, k.name) for p, k in split_kind("沭阳县发改局")]
    [('沭阳县', 'department', '发展和改革局')]
    >>> [(p, k.category) for p, k in split_kind("淮安市洪泽区人民政府")]
    [('淮安市洪泽区', 'government')]

    A department may carry its government's name before the kind (资阳市人民政府国有资产监督
    管理委员会); the place part then excludes ``人民政府``. An empty list: not a body name this
    module knows how to read (it has no place part or no kind ending).
    """
    out: list[tuple[str, Kind]] = []

    def add(place: str, kind: Kind) -> None:
        for suffix in ("人民政府", "政府"):  # 资阳市人民政府外事办公室 → 资阳市 | 外事办公室
            if (
                kind.category in ("department", "street_office")
                and place.endswith(suffix)
                and len(place) > len(suffix)
            ):
                place = place[: -len(suffix)]
                break
        if place and (place, kind) not in out:
            out.append((place, kind))

    longest = ""  # the longest office/government ending only (人民政府, not 政府 of 人民政府)
    for printed in sorted([*_OFFICES, *_GOVERNMENT], key=len, reverse=True):
        if key.endswith(printed):
            longest = printed
            break
    if longest in _OFFICES:
        name, slug = _OFFICES[longest]
        add(key[: -len(longest)], Kind("office", name, slug, longest))
    elif longest:
        add(key[: -len(longest)], Kind("government", _GOVERNMENT[longest], "", longest))
    for size in range(min(_LONGEST, len(key) - 1), 1, -1):
        kind = _DEPARTMENT_KINDS.get(key[-size:])
        if kind is not None:
            add(key[:-size], kind)
    for printed, name in _STREET.items():
        place = key[: -len(printed)]
        if key.endswith(printed) and place.endswith("街道"):
            add(place, Kind("street_office", name, "", printed))
    found = _ZONE.match(key)
    if found:
        zone = found["zone"] + (found["committee"] or "")
        add(
            found["place"],
            Kind("zone", found["zone"] + "管理委员会", "zone-" + _short_hash(found["zone"]), zone),
        )
    if not any(kind.category == "department" for _, kind in out):
        for cut in range(1, len(key) - 1):  # an unlisted department: 资阳市 | 城市更新局
            rest = key[cut:]
            if (
                _DEPARTMENT_ENDINGS.search(rest)
                and len(rest) >= 3
                and not rest.startswith(("人民政府", "政府"))
            ):
                add(
                    key[:cut], Kind("department", rest, "d" + _short_hash(rest), rest, listed=False)
                )
    return out


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
