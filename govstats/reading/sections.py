"""The report's narrative as sections: heading as printed, canonical code, text, source.

A report prints six parts (../shared/template.md §1): 一、总体情况 with its sub-sections
（一）主动公开 … （五）监督保障, the three statistical tables (二、三、四),
五、存在的主要问题及改进情况 and 六、其他需要报告的事项. :func:`find_sections` reads a
:class:`Document`'s text blocks in order and returns the narrative ones with a canonical code:

==========================  ====================================================================
``overview``                一、总体情况 / 一、概述 (text before its first recognised sub-section)
``overview.proactive``      （一）主动公开（方面/情况…）
``overview.requests``       （二）依申请公开…
``overview.management``     （三）政府信息管理…
``overview.platforms``      （四）（政府信息公开）平台建设…
``overview.oversight``      （五）监督保障…
``problems``                五、存在的主要问题及改进情况 (和/及, 整改措施, …)
``other``                   六、其他需要报告的事项
==========================  ====================================================================

How headings are found:

* in every text block, at the block's start or anywhere in it (one-paragraph text prints
  ``…。一、总体情况2022年…（一）主动公开方面。…``): a top-level heading is a numeral and ``、``
  followed by one of the template's headings (and not by a list separator: the preamble's
  "一、总体情况；二、…" is a list, not a heading); they are accepted in template order only, so a
  later mention of an earlier heading is text;
* sub-sections are recognised inside 一、总体情况 only, by a keyword of their title (主动公开,
  依申请公开, 信息管理, 平台, 监督/保障); a sub-heading without one (（一）基本情况) stays text of
  ``overview``; a short top-level line that is not a template heading but names a sub-section's
  subject (上海市科委: 三、主动公开工作情况) is that sub-section;
* the table headings (二、主动公开政府信息情况, 三、…, 四、…) start a table region: everything up to
  the next narrative heading is left out (the tables are read by :mod:`~govstats.reading.extract`).
  A sub-heading （一）（存在的）主要问题 there starts ``problems`` when its own heading was lost;
* the last section ends at the signature (a body's name and a date line), an attachment line, or
  the page's furniture (附件下载, 扫一扫…, a run of short link lines); in one-paragraph text, at
  the furniture's words wherever they stand (扫一扫在手机, 【打印本页】, 网站标识码, …).

Sections that are not found are named in ``missing`` (canonical codes, template order); none is
ever made up.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from govstats.reading.document import Document
from govstats.report import Section

#: the canonical codes in template order, each with its Chinese name
NAMED_CODES = (
    ("overview", "总体情况"), ("overview.proactive", "主动公开"),
    ("overview.requests", "依申请公开"), ("overview.management", "政府信息管理"),
    ("overview.platforms", "政府信息公开平台建设"), ("overview.oversight", "监督保障"),
    ("problems", "存在的主要问题及改进情况"), ("other", "其他需要报告的事项"),
)  # fmt: skip
CODES = tuple(code for code, _name in NAMED_CODES)

_NUM = "[一二三四五六七八九十]"
#: top-level template headings after "一、": code → pattern; the table ones start a table region
_TOP_PATTERNS = {
    "overview": r"(?:总体情况|总体概况|工作概述|工作概况|概述|概况)",
    "publication": r"主动公开政府信息(?:的)?(?:情况)?",
    "requests": r"收到和处理政府信息公开申请(?:的)?(?:情况)?",
    "review": (
        r"(?:因)?政府信息公开(?:工作)?(?:被申请)?行政(?:法)?复议[、和及与,，]?(?:提起)?"
        r"行政诉讼(?:的)?(?:情况)?"
    ),
    "problems": (
        r"(?:政府信息公开工作)?存在(?:的)?(?:主要)?问题(?:[及和与、](?:改进|整改)(?:的)?(?:情况|措施)?)?"
    ),
    "other": r"其他需(?:要)?报告(?:的)?事项",
}
#: template order of the top-level parts (a heading is accepted only at or after the current one)
_ORDER = {"overview": 0, "publication": 1, "requests": 2, "review": 3, "problems": 4, "other": 5}
_TABLES = frozenset({"publication", "requests", "review"})

_TOP = re.compile(
    rf"(?<![第一二三四五六七八九十]){_NUM}{{1,2}}\s*[、.．]\s*(?:"
    + "|".join(f"(?P<{code}>{pattern})" for code, pattern in _TOP_PATTERNS.items())
    + ")"
)
#: a top-level heading after or before one of these is an item of a list (the preamble's contents)
_LIST_NEXT = frozenset("、；;，,和及与")
#: a sub-heading's mark: （一） or (一), at a block's start or after a sentence's end
_SUB = re.compile(rf"[（(]\s*{_NUM}{{1,2}}\s*[）)]")
#: a sub-heading's mark follows a block's start, a sentence's end or a top-level heading
_SUB_AFTER = frozenset(" \t\n\u3000\u00a0。；;：:！!？?）)")
#: a short top-level line that is no template heading (an overview part printed as 二、…)
_LOOSE_TOP = re.compile(rf"^{_NUM}{{1,2}}\s*[、.．]")
#: sub-section subject keywords, tried in this order on a sub-heading's title
_SUBJECTS = (
    ("overview.requests", re.compile(r"依申请公开|依申请|公开申请|申请公开")),
    ("overview.proactive", re.compile(r"主动公开")),
    ("overview.management", re.compile(r"信息管理")),
    ("overview.platforms", re.compile(r"平台")),
    ("overview.oversight", re.compile(r"监督保障|监督|保障|考核|问责")),
)
#: the problems sub-heading that starts ``problems`` when 五、… itself was lost
_PROBLEMS_SUB = re.compile(r"(?:存在(?:的)?)?(?:主要)?问题")
_TITLE_STOP = re.compile(r"[。：:；;！!？?\n]")
_RUNS_ON = re.compile(r"[0-9０-９，,]")
#: what may follow a sub-heading's keyword in its title (主动公开|政府信息情况, 平台|建设方面,
#: 公开申请|办理情况); not 公开 (（二）依申请公开公开工作小组…: the text's subject)
_TITLE_TAIL = re.compile(r"(?:政府信息)?(?:建设|工作|办理)?(?:方面|情况)?")
#: a sub-heading's title is at most this long (a longer run without a stop is text)
MAX_TITLE = 30

#: lines that end the last section: page furniture, attachments, the signature's date
_END_LINE = re.compile(
    r"^(?:附件下载|附件[:：]|附件\d|扫一扫|【?打印本页|【打印】|【?关闭窗口|【关闭】|分享到|上一篇|"
    r"下一篇|相关链接|相关文件|相关阅读|责任编辑|文件下载|主办单位[:：]|网站标识码|版权所有)"
)
#: page furniture that ends the last section wherever it stands (one-paragraph text runs the
#: page's links and footer into the report's last sentence): words no report text prints
_FURNITURE = re.compile(
    r"扫一扫在手机|分享到[:：]|【打印本页】|【关闭窗口】|打印本页关闭窗口|网站标识码|ICP备\d"
)
_DATE_LINE = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_SIGNATURE = re.compile(
    r"^[\u4e00-\u9fff（）()]{2,40}(?:人民政府|政府|办公室|办公厅|局|委员会|委|厅|中心|院|办事处|"
    r"管委会|街道|署|处)\s*(?:(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)?\s*$"
)
#: the signature printed at the end of one-paragraph text
_TAIL_SIGNATURE = re.compile(
    r"[\s。]*(?:[\u4e00-\u9fff（）()]{2,40}?\s*)?(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$"
)
#: what a section's text does not start with (the stop after its heading)
_LEADING = " \t\n\u3000\u00a0。：:；;，,.．、"
#: this many short lines in a row are navigation, not report text
SHORT_RUN = 3
_SHORT = 15


class _Heading(NamedTuple):
    block: int  # index into the text blocks
    start: int  # where the heading starts in the block's text
    end: int  # where the section's text starts
    code: str  # a canonical code, or a table's code
    heading: str


class FoundSections(NamedTuple):
    sections: list[Section]
    missing: list[str]


def find_sections(doc: Document) -> FoundSections:
    """The narrative sections of ``doc`` in reading order, and the codes not found."""
    blocks = [(b.text, b.source) for b in doc.blocks if b.kind == "text" and b.text]
    headings = _headings(blocks)
    sections: list[Section] = []
    for n, h in enumerate(headings):
        if h.code in _TABLES:
            continue
        nxt = headings[n + 1] if n + 1 < len(headings) else None
        last = nxt is None
        parts = []
        stop = nxt.block if nxt else len(blocks) - 1
        for i in range(h.block, stop + 1):
            text = blocks[i][0]
            begin = h.end if i == h.block else 0
            end = nxt.start if nxt is not None and i == nxt.block else len(text)
            if last and i > h.block and _ends_report(blocks, i, i > h.block + 1):
                break
            parts.append(text[begin:end].strip())
        text = "\n".join(p for p in parts if p).lstrip(_LEADING)
        if last:
            furniture = _FURNITURE.search(text)
            text = text[: furniture.start()].rstrip() if furniture else text
            text = _TAIL_SIGNATURE.sub("", text) if len(text) > 40 else text
        sections.append(Section(h.code, h.heading, text.strip(), _source(blocks[h.block], h.start)))
    found = {s.code for s in sections}
    return FoundSections(sections, [c for c in CODES if c not in found])


def _source(block: tuple[str, str], start: int) -> str:
    text, source = block
    if start == 0:
        return source
    return f"{source} char {start + 1}" if re.fullmatch(r"line \d+", source) else source


def _ends_report(blocks: list[tuple[str, str]], i: int, runs: bool) -> bool:
    """Whether block ``i`` ends the report's text (``runs``: a run of short lines may)."""
    text = blocks[i][0].strip()
    if _END_LINE.match(text) or _DATE_LINE.match(text):
        return True
    nxt = blocks[i + 1][0].strip() if i + 1 < len(blocks) else ""
    if _SIGNATURE.match(text) and (_DATE_LINE.match(nxt) or not nxt or _DATE_LINE.search(text)):
        return True
    run = blocks[i : i + SHORT_RUN]
    return (
        runs
        and len(run) == SHORT_RUN
        and all(len(t.strip()) < _SHORT and not re.search(r"[。；;]", t) for t, _s in run)
    )


def _headings(blocks: list[tuple[str, str]]) -> list[_Heading]:
    """Every accepted heading, in reading order (the state machine of the module docstring)."""
    out: list[_Heading] = []
    state = -1  # template order of the current top-level part
    current = None  # its code
    for i, (text, _where) in enumerate(blocks):
        marks = sorted(_candidates(text), key=lambda h: h[0])
        for start, end, kind, code, heading in marks:
            if out and out[-1].block == i and start < out[-1].end:
                continue  # inside a heading already taken
            if kind == "top":
                order = _ORDER[code]
                if order < state or (order == state and code not in _TABLES):
                    continue  # a mention of an earlier part, not its heading
                state, current = order, code
                out.append(_Heading(i, start, end, code, heading))
            elif kind in ("sub", "loose") and current == "overview":
                out.append(_Heading(i, start, end, code, heading))
            elif kind == "problems-sub" and current in _TABLES:
                state, current = _ORDER["problems"], "problems"
                out.append(_Heading(i, start, end, "problems", heading))
    return out


def _candidates(text: str):
    """``(start, end, kind, code, heading)`` for every heading-like mark in one block's text."""
    top_ends = set()
    for m in _TOP.finditer(text):
        code = m.lastgroup
        assert code is not None
        if (m.end() < len(text) and text[m.end()] in _LIST_NEXT) or (
            m.start() and text[m.start() - 1] in _LIST_NEXT
        ):
            continue  # an item of a list
        top_ends.add(m.end())
        yield m.start(), m.end(), "top", code, m.group(0)
    for m in _SUB.finditer(text):
        if m.start() and text[m.start() - 1] not in _SUB_AFTER and m.start() not in top_ends:
            continue
        title_end = _title_end(text, m.end())
        title = text[m.end() : title_end]
        if _PROBLEMS_SUB.match(title):
            yield m.start(), title_end, "problems-sub", "problems", text[m.start() : title_end]
            continue
        code = _subject(title)
        if code:
            yield m.start(), title_end, "sub", code, text[m.start() : title_end].strip()
    stripped = text.strip()
    if (
        _LOOSE_TOP.match(stripped)
        and len(stripped) <= MAX_TITLE
        and not _TITLE_STOP.search(stripped)
        and not _TOP.match(stripped)
    ):
        code = _subject(stripped)
        if code:
            yield text.index(stripped), len(text), "loose", code, stripped


def _title_end(text: str, at: int) -> int:
    """Where a sub-heading's title that starts at ``at`` ends (the section text follows)."""
    rest = text[at:]
    if len(rest.strip()) <= MAX_TITLE + 10 and not _TITLE_STOP.search(rest.strip()):
        return len(text)  # the heading is the whole line
    stop = _TITLE_STOP.search(rest)
    if stop and stop.start() <= MAX_TITLE and not _RUNS_ON.search(rest, 0, stop.start()):
        return at + stop.start()
    # no stop, or text runs on (a title in running text holds no number, no comma): the
    # keyword and its tail (（二）依申请公开情况全年收到申请3件 → （二）依申请公开情况)
    for _code, pattern in _SUBJECTS:
        m = pattern.search(rest[:MAX_TITLE])
        if m:
            tail = _TITLE_TAIL.match(rest, m.end())
            return at + (tail.end() if tail else m.end())
    m = _PROBLEMS_SUB.match(rest)
    return at + (m.end() if m else 0)


def _subject(title: str) -> str | None:
    for code, pattern in _SUBJECTS:
        if pattern.search(title):
            return code
    return None
