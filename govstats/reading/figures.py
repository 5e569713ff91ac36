"""The numbers the report's text states, with where it states them.

:func:`narrative_figures` searches the sections (whitespace removed: ``1136 条`` is ``1136条``)
for the measures of :data:`FIGURES`, the section the template puts the measure in first, then
the others in reading order; the first statement found is the figure. ``requests_received``
and ``requests_carried_forward`` are read by the patterns of the reader's own narrative numbers
(:func:`govstats.reading.metadata.headline_numbers`, compared with table 三 by the checks N1 and
N2), here section by section so that each has a source.

A figure is what the text says: ``7700余条`` is 7700 with ``approximate`` set; a measure the
text does not state is absent (never 0). A statement whose scope is not the measure's is not
the figure either (each measure's ``plain`` test, below): the checks N3–N5
(:mod:`govstats.checks.template`) compare three of these figures with tables 三 and 四, and a
figure read for another scope would be a false flag.

* ``requests_closed`` (办结X件) is the number of applications closed in the year, table 三's
  三、本年度办理结果 （七）总计 (both template versions: the 2021 change of （六） is inside it).
  Taken only in a sentence about applications (申请 before it or in it) and when nothing but an
  adverb stands between the clause's start and 办结 (当年办结, 及时依法依规办结, 共办结), and the
  clause before it does not name 上年/结转: "本年新收申请中办结…", "上年结转申请2件，已办结1件"
  name a part; "（不含上年结转）" after it is a part too.
* ``review_cases`` (行政复议X件/起) and ``litigation_cases`` (行政诉讼X件/起) are table 四's
  行政复议 总计 and the two 行政诉讼 总计 (未经复议直接起诉 + 复议后起诉) only in a sentence about
  政府信息公开 (信息公开, 依申请公开 or 公开申请 in it), not a joint count ("行政复议及行政诉讼案件
  0件" counts both), not a kind of lawsuit (一审, 复议后起诉…) and not where the body is the
  reviewing authority (复议机关).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from govstats.reading.metadata import headline_numbers

if TYPE_CHECKING:
    from govstats.report import Section

_N = r"(?P<n>\d+(?:\.\d+)?)(?P<wan>万)?(?P<approx>余|多)?"
_GAP = r"[^。；;，,\d]{0,24}?"
#: where a sentence and a clause begin (what precedes a match back to one of these counts)
_SENTENCE_END = "。！？；;!?"
_CLAUSE_END = _SENTENCE_END + "，,、：:"

#: a test of a match's scope: (the compact section text, the match) → is the number the measure's
Plain = Callable[[str, re.Match], bool]


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    home: str  # the section code the template puts it in
    patterns: tuple[re.Pattern, ...]
    plain: Plain | None = None  # None: every match is the measure's


def _m(code, label, unit, home, *patterns: str, plain: Plain | None = None) -> Measure:
    return Measure(code, label, unit, home, tuple(re.compile(p) for p in patterns), plain)


def _back_to(text: str, start: int, ends: str) -> str:
    """The text before ``start`` back to the nearest of ``ends``."""
    i = start
    while i > 0 and text[i - 1] not in ends:
        i -= 1
    return text[i:start]


#: the words that may stand between a clause's start and 办结 (adverbs, no subject or scope)
_CLOSED_LEAD = re.compile(
    r"(?:其中|已经|已|共计|共|合计|总计|累计|均|全部|当年|当期|本年度|本年|全年|年内|同时|并|且"
    r"|及时|依法|依规|按时|按期|如期|限时|规范|顺利|予以|完成|对外|年度)*"
)


def _closed_plain(text: str, m: re.Match) -> bool:
    sentence = _back_to(text, m.start(), _SENTENCE_END)
    if "申请" not in sentence + m.group(0):
        return False
    lead = _back_to(text, m.start(), _CLAUSE_END)
    if not _CLOSED_LEAD.fullmatch(lead):
        return False
    clauses = [c for c in re.split(f"[{_CLAUSE_END}]", sentence[: len(sentence) - len(lead)]) if c]
    if clauses and any(w in clauses[-1] for w in ("上年", "上一年", "结转")):
        return False  # 上年结转申请2件，已办结1件: the clause before names its scope
    return not re.match(r"[（(]?不含", text[m.end() :])


#: words that make a sentence one about the disclosure regime
_DISCLOSURE = ("信息公开", "依申请公开", "公开申请")
#: a kind or instance of lawsuit right before 行政诉讼 (a part of the total)
_LAWSUIT_PART = re.compile(r"(?:一审|二审|再审|直接|复议后)(?:提起|被提起|起诉)?的?$")


def _case_plain(other: str, part: re.Pattern | None = None) -> Plain:
    """The scope test for a count of table 四: ``other`` is the other kind of case (a joint
    count names it right before: 行政复议及行政诉讼案件0件), ``part`` what makes it a part."""
    joint = re.compile(rf"{other}(?:案件)?(?:[及和与、]|以及)(?:被申请|被提起|提起|申请|被)?$")

    def plain(text: str, m: re.Match) -> bool:
        sentence = _back_to(text, m.start(), _SENTENCE_END)
        if not any(w in sentence + m.group(0) for w in _DISCLOSURE) or "复议机关" in sentence:
            return False
        return not joint.search(sentence) and not (part and part.search(sentence))

    return plain


#: the measures, in the order of the template's narrative
FIGURES = (
    _m(
        "proactive_items",
        "主动公开政府信息",
        "条",
        "overview.proactive",
        rf"(?<![应其])主动公开{_GAP}信息(?:共)?{_N}(?:条|篇)",
    ),
    _m(
        "website_items",
        "政府网站发布信息",
        "条",
        "overview.platforms",
        rf"(?:政府|门户)网站{_GAP}发布{_GAP}{_N}(?:条|篇)",
    ),
    _m(
        "press_conferences",
        "新闻发布会",
        "场",
        "overview.proactive",
        rf"新闻发布会(?:共)?{_N}场",
        rf"{_N}场[^。；;\d]{{0,12}}?新闻发布会",
    ),
    _m(
        "policy_interpretations",
        "政策解读",
        "篇",
        "overview.proactive",
        rf"解读(?:稿件|材料|文章|信息|类信息)?(?:共)?{_N}(?:篇|条|个|件)",
    ),
    _m("requests_received", "收到申请", "件", "overview.requests"),
    _m(
        "requests_closed",
        "办结申请",
        "件",
        "overview.requests",
        rf"办结(?:政府信息公开|依申请公开)?(?:申请)?(?:共)?{_N}件",
        plain=_closed_plain,
    ),
    _m("requests_carried_forward", "结转下年度", "件", "overview.requests"),
    _m(
        "review_cases",
        "行政复议",
        "件",
        "overview.requests",
        rf"行政复议(?:案件)?(?:共)?{_N}(?:件|起)",
        plain=_case_plain("行政诉讼"),
    ),
    _m(
        "litigation_cases",
        "行政诉讼",
        "件",
        "overview.requests",
        rf"行政诉讼(?:案件)?(?:共)?{_N}(?:件|起)",
        plain=_case_plain("行政复议", _LAWSUIT_PART),
    ),
    _m(
        "fees",
        "收取信息处理费",
        "元",
        "other",
        rf"(?:收取|收费){_GAP}{_N}元",
    ),
)
#: measures read by the reader's narrative numbers: code → its key there
_READER_KEYS = {"requests_received": "received", "requests_carried_forward": "carried_forward"}


@dataclass(frozen=True)
class Figure:
    indicator: str
    value: float
    unit: str
    label: str
    printed: str  # the words stating it (``主动公开政府信息1136条``)
    section: str  # the section code it was read from
    source: str  # where that section's heading is (``page 1 (x=…)``)
    approximate: bool = False  # 余/多: "more than"


def narrative_figures(sections: Sequence[Section]) -> list[Figure]:
    """The figures ``sections`` state, one per measure of :data:`FIGURES` at most."""
    compact = [(s, "".join(s.text.split())) for s in sections]
    out = []
    for measure in FIGURES:
        ordered = [c for c in compact if c[0].code == measure.home] + [
            c for c in compact if c[0].code != measure.home
        ]
        for section, text in ordered:
            figure = _find(measure, section, text)
            if figure is not None:
                out.append(figure)
                break
    return out


def _find(measure: Measure, section: Section, text: str) -> Figure | None:
    if measure.code in _READER_KEYS:
        value = headline_numbers(text).get(_READER_KEYS[measure.code])
        if value is None:
            return None
        return Figure(
            measure.code, value, measure.unit, measure.label, "", section.code, section.source
        )
    for pattern in measure.patterns:
        for m in pattern.finditer(text):
            if measure.plain is not None and not measure.plain(text, m):
                continue
            value = float(m["n"]) * (10_000 if m["wan"] else 1)
            return Figure(
                measure.code,
                value,
                measure.unit,
                measure.label,
                m.group(0),
                section.code,
                section.source,
                bool(m["approx"]),
            )
    return None
