"""Recognising the template's printed labels, tolerant of how real reports print them.

A printed label is reduced to *keys*: NFKC-folded (full-width brackets and punctuation to
ASCII), whitespace removed (line breaks inside labels: ``不予 公开``), quotes unified
(``“三安全一稳定”`` vs ``"三安全一稳定"``), then split at ordinals (``三、`` ``（一）`` ``1.``
``1、``) so that a row printing its group label in front (``（三）不予公开 1.属于国家秘密``) yields
one key per segment, each without its ordinal and without a trailing explanatory parenthesis
(``部分公开（区分处理的，只计这一情形…）`` → ``部分公开``). Keys are then looked up in tables built
from :mod:`govstats.schema` plus the variants of template.md §6.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache, lru_cache

from govstats import schema

#: marker for a label the template prints that is not a data row of its own (group labels,
#: subtotals some reports add): such a row is recognised and skipped, never gap-filled.
GROUP = "<group>"

_ORDINAL = re.compile(
    r"(?:[一二三四五六七八九十]+[、.]|\([一二三四五六七八九十]+\)|(?<![\d.])\d{1,2}[.、](?!\d))"
)
_QUOTES = str.maketrans({"“": '"', "”": '"', "＂": '"', "‘": "'", "’": "'", "「": '"', "」": '"'})


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """NFKC-fold, unify quotes and drop all whitespace: the comparable form of a label."""
    t = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", "", t)


def _strip_remark(segment: str) -> str:
    """Drop a trailing explanatory parenthesis and trailing colons/punctuation."""
    seg = re.sub(r"\([^()]*\)?$", "", segment) if not segment.startswith("(") else segment
    return seg.strip(":：,，;；。.、 ")


@lru_cache(maxsize=65536)
def label_keys(text: str) -> tuple[str, ...]:
    """The keys of a printed label, one per ordinal segment, in printed order."""
    t = fold(text)
    if not t:
        return ()
    starts = [m.start() for m in _ORDINAL.finditer(t)]
    bounds = sorted(set([0] + starts + [len(t)]))
    keys = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        seg = _ORDINAL.sub("", t[a:b], count=1) if a in starts else t[a:b]
        seg = _strip_remark(seg)
        if seg:
            keys.append(seg)
    return tuple(keys)


def _key(label: str) -> str:
    keys = label_keys(label)
    return keys[-1] if keys else ""


# ---------------------------------------------------------------------------------------
# Row labels per table: key -> item code (or GROUP)

_PUBLICATION_ALIASES = {
    "规范性文件": "normative_docs",
    "行政规范性文件": "normative_docs",
    "其他对外管理服务": "other_services",
    "政府集中采购项目": "procurement",
    "行政事业性收费项目": "fees",
}

_REQUEST_ALIASES = {
    "本年新收": "new",
    "本年新收申请": "new",
    "本年新收申请数量": "new",
    "本年新收政府信息公开申请": "new",
    "上年结转": "carried_over",
    "上年结转申请": "carried_over",
    "上年结转申请数量": "carried_over",
    "上年结转政府信息公开申请": "carried_over",
    "予以公开情况": "granted",
    "同意公开": "granted",
    "部分公开情况": "partly_granted",
    "结转下年度": "carried_forward",
    "结转下年度继续办理": "carried_forward",
    "结转下年度继续办理申请数量": "carried_forward",
    "结转下一年度继续办理": "carried_forward",
    "总计": "total",
    "合计": "total",
    "危及三安全一稳定": "withheld.security",
    "其他": "other.other",
    "其他处理": "other",
}

_REQUEST_GROUPS = (
    "本年度办理结果",
    "办理结果",
    "不予公开",
    "无法提供",
    "不予处理",
    "申请人情况",
    "小计",
)

_REVIEW_ALIASES = {
    "行政复议": "admin_review",
    "未经复议直接起诉": "lawsuit_direct",
    "复议后起诉": "lawsuit_after_review",
}


@cache
def row_keys(table: str) -> dict[str, str]:
    """Known row keys of ``table`` ("publication" / "requests") → item code or :data:`GROUP`."""
    out: dict[str, str] = {}
    if table == "publication":
        for items in schema.PUBLICATION.values():
            for item, _cols in items.values():
                out[_key(item.label)] = item.code
        out.update(_PUBLICATION_ALIASES)
    elif table == "requests":
        for request_items in schema.REQUEST_ITEMS.values():
            for item in request_items:
                out[_key(item.label)] = item.code
        out.update({k: GROUP for k in _REQUEST_GROUPS})
        out.update(_REQUEST_ALIASES)
    elif table == "review":
        out.update(_REVIEW_ALIASES)
    return out


@cache
def _fuzzy_candidates(table: str) -> list[str]:
    return [k for k in row_keys(table) if len(k) >= 4]


def match_row(
    text_or_keys: str | tuple[str, ...] | list[str], table: str, *, fuzzy: bool = True
) -> str | None:
    """The item a printed row label names in ``table``, :data:`GROUP`, or None.

    The last recognised segment wins (``（三）不予公开 1.属于国家秘密`` → withheld.state_secret).
    With ``fuzzy``, a segment of at least 5 characters that is unrecognised but close to
    exactly one known label (a typo such as ``其他法律行政止公开``) is accepted.
    """
    keys = label_keys(text_or_keys) if isinstance(text_or_keys, str) else tuple(text_or_keys)
    return _match_keys(keys, table, fuzzy)


@lru_cache(maxsize=65536)
def _match_keys(keys: tuple[str, ...], table: str, fuzzy: bool) -> str | None:
    known = row_keys(table)
    for key in reversed(keys):
        if key in known:
            return known[key]
    if fuzzy:
        for key in reversed(keys):
            if len(key) < 5:
                continue
            close = difflib.get_close_matches(key, _fuzzy_candidates(table), n=2, cutoff=0.8)
            if len(close) == 1 or (len(close) == 2 and known[close[0]] == known[close[1]]):
                return known[close[0]]
    return None


# ---------------------------------------------------------------------------------------
# Column headers and section headings: what tells which table we are in.

_HEADER_WORDS = {
    "publication": ("信息内容", "第二十条"),
    "requests": (
        "申请人情况",
        "自然人",
        "法人或其他组织",
        "商业企业",
        "科研机构",
        "社会公益组织",
        "法律服务机构",
        "勾稽关系",
    ),
    "review": ("结果维持", "结果纠正", "其他结果", "尚未审结", "未经复议直接起诉", "复议后起诉"),
}

_HEADINGS = {
    "publication": ("主动公开政府信息情况",),
    "requests": ("收到和处理政府信息公开申请情况",),
    "review": (
        "行政复议、行政诉讼情况",
        "行政复议和行政诉讼情况",
        "行政复议,行政诉讼情况",
        "行政复议、提起行政诉讼",
        "行政复议和提起行政诉讼",
        "行政法复议",
        "行政复议、行政诉讼",
    ),
    None: ("存在的主要问题", "存在问题及改进", "其他需要报告", "主要问题及改进", "主要问题"),
}


@lru_cache(maxsize=65536)  # called on every line of every page: one lookup, not three calls
def header_table(text: str) -> str | None:
    """The table a header/heading cell belongs to ("publication"/"requests"/"review"), else None."""
    return _header_of(fold(text))


@lru_cache(maxsize=65536)
def _header_of(t: str) -> str | None:
    for table, words in _HEADER_WORDS.items():
        if any(w in t for w in words):
            return table
    return None


@lru_cache(maxsize=65536)  # called on every line of every page: one lookup, not three calls
def heading_table(text: str) -> tuple[bool, str | None]:
    """Whether a short line is a section heading, and of which table (None: a narrative section).

    Returns ``(False, None)`` for ordinary text. Long paragraphs that merely mention a
    section title (the preamble lists all six) are not headings.
    """
    t = fold(text)
    if not t or len(t) > 40:
        return False, None
    return _heading_of(t)


@lru_cache(maxsize=65536)
def _heading_of(t: str) -> tuple[bool, str | None]:
    for table, words in _HEADINGS.items():
        if any(w in t for w in words):
            return True, table
    return False, None


#: template markers of each version in table 1 (column headers and rows)
PUBLICATION_MARKERS = {
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "采购项目数量",
        "采购总金额",
        "其他对外管理服务事项",
        "政府集中采购",
        "第二十条第(九)项",
    ),
    "2021": (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年处理决定数量",
        "本年收费金额",
        "行政规范性文件",
        "制发件数",
        "废止件数",
        "现行有效",
        "收费金额",
        "收费总金额",
    ),
}


_FOLDED_MARKERS = {v: tuple(fold(w) for w in words) for v, words in PUBLICATION_MARKERS.items()}


@lru_cache(maxsize=65536)  # called on every line of every page: one lookup, not three calls
def publication_markers(text: str) -> frozenset[str]:
    """Which template versions' table-1 markers ``text`` contains."""
    return _markers_of(fold(text))


@lru_cache(maxsize=65536)
def _markers_of(t: str) -> frozenset[str]:
    return frozenset(v for v, words in _FOLDED_MARKERS.items() if any(w in t for w in words))


#: table 三 header words → column code (``legal_person``: the group heading over the five
#: parts, or the aggregate column of a 3-column report); see :func:`request_header_columns`
REQUEST_HEADER_COLUMNS = {
    "自然人": "natural_person",
    "商业企业": "commercial",
    "科研机构": "research",
    "社会公益组织": "social_org",
    "法律服务机构": "legal_service",
    "其他": "other_org",
    "法人或其他组织": "legal_person",
    "法人或者其他组织": "legal_person",
    "总计": "total",
    "合计": "total",
}
#: header words that make a table 三 header unreadable for column order: a subtotal column
#: (located by arithmetic elsewhere) or words of no template column
_REQUEST_HEADER_UNKNOWN = ("小计", "其他单位", "个体工商户", "社会组织", "其中")
#: the corner note (本列数据的勾稽关系为…): names no column; left unclosed (text run into it by
#: an extraction) the header is unreadable
_REQUEST_HEADER_NOTE = re.compile(r"\([^()]*勾稽关系[^()]*\)")
#: column words longest first, so 法人或其他组织 is not read as 其他
_REQUEST_WORDS = tuple(sorted(REQUEST_HEADER_COLUMNS, key=len, reverse=True))
_REQUEST_WORD_RE = re.compile("|".join(map(re.escape, _REQUEST_WORDS)))
_LEGAL_PARTS = ("commercial", "research", "social_org", "legal_service", "other_org")


def _request_header_tokens(text: str) -> tuple[str, ...] | None:
    """The column codes a header text names, in printed order; None if it holds an unknown
    column word (a 小计 subtotal, …)."""
    t = _REQUEST_HEADER_NOTE.sub("", fold(text))
    if "勾稽关系" in t or any(w in t for w in _REQUEST_HEADER_UNKNOWN):
        return None
    return tuple(REQUEST_HEADER_COLUMNS[m.group()] for m in _REQUEST_WORD_RE.finditer(t))


def request_header_columns(
    groups: list[list[str]] | list[tuple[str, ...]],
) -> tuple[str, ...] | None:
    """The table 三 value columns in the order the header prints them, or None when the
    header does not say it unambiguously.

    ``groups``: the header's texts, one group per printed header row (a table row's cells, or
    one text line). Two layouts are read:

    * one level: the columns named in one group (``自然人 | 商业企业 | … | 总计``);
    * two levels: a group naming the top columns with the ``法人或其他组织`` group heading
      (``自然人 | 法人或其他组织 | 总计``, in any order), followed by a group naming the parts
      it spans (``商业企业 | 科研机构 | …``): the parts take the heading's place. A heading
      with no parts below it is the 3-column report's aggregate column ``legal_person``.

    A group printed again as it was (a header repeated on a new page) is read once. None
    (the caller keeps the template order) when a column is named twice, a subtotal or
    unknown column word is printed, the parts precede their heading, or the words of one
    level are spread over several groups (text extracted from a PDF may print the cells of
    one header row on separate lines, and their order across lines says nothing).
    Returns codes of :data:`govstats.schema.REQUEST_COLUMNS` (plus ``legal_person``).
    """
    named: list[tuple[str, ...]] = []
    seen: set[tuple[str, ...]] = set()
    for group in groups:
        printed = tuple(fold(t) for t in group)
        if printed in seen:
            continue  # a header row printed again (repeated on a new page)
        seen.add(printed)
        tokens: tuple[str, ...] = ()
        for text in group:
            found = _request_header_tokens(text)
            if found is None:
                return None
            tokens += found
        if tokens:
            named.append(tokens)
    flat = [code for tokens in named for code in tokens]
    if not flat or len(set(flat)) != len(flat):
        return None
    parts = [g for g in named if any(c in _LEGAL_PARTS for c in g)]
    tops = [g for g in named if any(c not in _LEGAL_PARTS for c in g)]
    if "legal_person" not in flat:  # one level: every column in one group
        return named[0] if len(named) == 1 else None
    if len(tops) != 1 or len(parts) > 1:
        return None
    top = tops[0]
    if not parts:
        return top
    sub = parts[0]
    if sub is top:  # one group holding both levels (a dump of the header cells in one row)
        first = next(i for i, c in enumerate(top) if c in _LEGAL_PARTS)
        top, sub = top[:first], top[first:]
        if any(c not in _LEGAL_PARTS for c in sub):
            return None  # a top column after the parts: the levels are interleaved
    elif named.index(sub) < named.index(top):
        return None  # the parts printed above their heading
    at = top.index("legal_person")
    return top[:at] + sub + top[at + 1 :]


#: table 1 column header words → column code (both template versions; 处理决定数量 also
#: inside 本年处理决定数量: words are matched longest first)
PUBLICATION_HEADER_COLUMNS = {
    fold(col.label).split("(")[0]: col.code
    for items in schema.PUBLICATION.values()
    for _item, columns in items.values()
    for col in columns
}
_PUBLICATION_WORD_RE = re.compile(
    "|".join(map(re.escape, sorted(PUBLICATION_HEADER_COLUMNS, key=len, reverse=True)))
)


@lru_cache(maxsize=4096)
def publication_header_columns(texts: tuple[str, ...]) -> tuple[str, ...] | None:
    """The table 1 column codes one printed header row (its cell texts, or one text line)
    names, in printed order; None when it names none or one twice."""
    codes = tuple(
        PUBLICATION_HEADER_COLUMNS[m.group()]
        for t in texts
        for m in _PUBLICATION_WORD_RE.finditer(fold(t))
    )
    return codes if codes and len(set(codes)) == len(codes) else None
