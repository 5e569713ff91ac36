"""Report metadata from its text: the body, the year covered, and the narrative's headline numbers.

* body and year from the title (``平潭综合实验区2025年度政府信息公开工作年度报告``,
  ``2020年资阳市人民政府办公室信息公开工作年度报告``), searched in the page ``<title>`` and in
  the first lines of the text (a title broken over lines is joined);
* the year from the preamble's statistics period (``统计期限为2020年1月1日至…``) first;
* headline numbers of the narrative: ``received`` (本年共收到…件) and ``carried_forward``
  (…件结转下年度), compared with the tables by :func:`govstats.checks.template.check` (the
  other figures the text states are found by :mod:`govstats.reading.figures`, which reads these
  two section by section).
"""

from __future__ import annotations

import re

from govstats.reading.document import Document

_TITLE = re.compile(
    r"(?P<pre>[\u4e00-\u9fff（）()]{2,40}?)?(?P<year>(?:19|20)\d{2})年度?"
    r"(?P<post>[\u4e00-\u9fff（）()]{0,40}?)(?:政府)?(?:信息公开|政务公开)(?:工作)?年度?报告"
)
_PERIOD = re.compile(
    r"(?:统计|数据)[^。]{0,20}?(?:期限|时限|周期|时间"
    r"|期间|范围)[^。\d]{0,12}?((?:19|20)\d{2})年1月1日"
)
_PERIOD_LOOSE = re.compile(r"((?:19|20)\d{2})年1月1日(?:起)?至(?:(?:19|20)\d{2}年)?12月31日")

#: common abbreviations in body names → the full form (上海市科委 → 上海市科学技术委员会)
BODY_ABBREVIATIONS = {
    "科委": "科学技术委员会",
    "发改委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "经信委": "经济和信息化委员会",
    "卫健委": "卫生健康委员会",
    "住建委": "住房和城乡建设委员会",
    "住建局": "住房和城乡建设局",
    "教委": "教育委员会",
    "商务委": "商务委员会",
    "交通委": "交通委员会",
    "民宗委": "民族宗教事务委员会",
    "人社局": "人力资源和社会保障局",
    "市场监管局": "市场监督管理局",
    "政府办": "人民政府办公室",
}
_PREFIX_NOISE = ("关于", "现公布", "公布", "正文", "发布")


def _compact(text: str) -> str:
    """``text`` without any whitespace (str.split cuts at the same characters as
    ``[\\s\\u00a0\\u3000]``)."""
    return "".join(text.split())


def expand_body(body: str) -> str:
    """Expand a known abbreviation at the end of a body name (上海市科委 → 上海市科学技术委员会)."""
    for short, full in BODY_ABBREVIATIONS.items():
        if body.endswith(short) and not body.endswith(full):
            return body[: -len(short)] + full
    return body


_STOP = set("由与向在对的和及是为请于从按据经将把被本报告即系等了、，。（）()《》“”")


def qualify_body(body: str, text: str) -> str:
    """The body with the city/prefecture the text prefixes it with (洪泽区人民政府 →
    淮安市洪泽区人民政府).

    Only when the title's name has no 省/市/州/盟 of its own and the text writes the longer
    name; the prefix is the longest run of 2-4 characters before 市/州/盟 that holds no
    function character (由, 与, 请, …).
    """
    if any(ch in body for ch in "省市州盟"):
        return body
    for i in (m.start() for m in re.finditer(re.escape(body), text)):
        if i < 3 or text[i - 1] not in "市州盟":
            continue
        for length in (4, 3, 2):
            prefix = text[max(0, i - 1 - length) : i - 1]
            if len(prefix) == length and not (set(prefix) & _STOP):
                return prefix + text[i - 1] + body
    return body


def parse_title(text: str) -> tuple[str | None, int | None]:
    """``(body, year)`` from a title-like text, each None when not found."""
    m = _TITLE.search(_compact(text))
    if not m:
        return None, None
    year = int(m["year"])
    post = (m["post"] or "").strip("的")
    pre = m["pre"] or ""
    for noise in _PREFIX_NOISE:
        if noise in pre:
            pre = pre.split(noise)[-1]
    body = post or pre or None
    return (expand_body(body) if body else None), year


_SIGNATURE = re.compile(
    r"^(?P<body>[\u4e00-\u9fff（）"
    r"()]{2,40}?(?:人民政府|政府|办公室|办公厅|局|委员会|委|厅|中心|院"
    r"|办事处|管委会|街道|署|处))(?:(?:19|20)\d{2}年\d{1,2}月\d{1,2}日)?$"
)


def signature_body(doc: Document) -> str | None:
    """The body that signs the report at its end (``沭阳县发展和改革局 2024年1月17日``), if any."""
    for line in reversed(doc.text_lines()[-8:]):
        m = _SIGNATURE.match(_compact(line))
        if m:
            return expand_body(m["body"])
    return None


_PUBLISHER_KEYS = {"发布机构", "发文机关", "发布单位", "公开主体", "信息来源单位", "主办单位"}


def publisher_body(doc: Document) -> str | None:
    """The body a site's metadata table names (``发布机构 | 沭阳县发展和改革局``), if any."""
    for block in doc.blocks:
        if block.kind != "row":
            continue
        texts = [_compact(c.text).rstrip(":：") for c in block.cells]
        for key, value in zip(texts, texts[1:], strict=False):
            if key in _PUBLISHER_KEYS and value and _SIGNATURE.match(value):
                return expand_body(value)
    return None


#: a title quoted inside the text: "发布河北省教育厅2022年政府信息公开工作年度报告", "现公布…",
#: an attachment's name at the end ("附件：河北省教育厅2022年政府信息公开工作年度报告")
_TITLE_IN_TEXT = re.compile(
    r"(?:发布|现公布|公布|现将|附件[:：]|附件\d?[:：]?)(?P<title>[\u4e00-\u9fff（）"
    r"()]{2,40}?(?:19|20)\d{2}年度?[\u4e00-\u9fff（）"
    r"()]{0,20}?(?:政府)?(?:信息公开|政务公开)(?:工作)?年度?报告)"
)


def titled_in_text(compact: str) -> tuple[str | None, int | None]:
    """``(body, year)`` from a title the text quotes (preamble or attachment line), if any."""
    for m in _TITLE_IN_TEXT.finditer(compact):
        body, year = parse_title(m["title"])
        if body and body not in ("本机关", "本单位", "我单位", "本年度", "本"):
            return body, year
    return None, None


#: the body as the overview names itself: "2022年，省教育厅坚持…" (the province left out)
_SELF_NAMED = re.compile(
    r"(?:19|20)\d{2}年(?:度)?[,，](?P<body>省[\u4e00-\u9fff]{2,16}?(?:厅|局|委员会|办公厅|办公室))"
    r"(?=坚持|认真|深入|全面|始终|紧紧|以|在|按照|严格|持续|不断|高度|围绕|聚焦|进一步)"
)
#: the province the preamble's regulations name:
#: "《河北省实施〈中华人民共和国政府信息公开条例〉办法》"
_PROVINCE_RULE = re.compile(r"《(?P<province>[\u4e00-\u9fff]{2,3}?省)实施")


def self_named_body(compact: str) -> str | None:
    """``河北省教育厅`` from "省教育厅" in the overview and the province whose implementing
    rules the preamble cites; None unless both are found and the province is one."""
    m = _SELF_NAMED.search(compact[:4000])
    if not m:
        return None
    provinces = {p["province"] for p in _PROVINCE_RULE.finditer(compact[:4000])}
    if len(provinces) != 1:
        return None
    return provinces.pop() + m["body"][1:]


def find_year(text: str) -> int | None:
    """The year of the statistics period the preamble states, or None."""
    compact = _compact(text)
    m = _PERIOD.search(compact) or _PERIOD_LOOSE.search(compact)
    return int(m.group(1)) if m else None


def head_text(doc: Document, lines: int = 8) -> str:
    """The first text lines of the document, joined (titles are often broken over lines)."""
    out: list[str] = []
    for block in doc.blocks:
        if len(out) >= lines:
            break
        if block.kind == "text":
            out.append(block.text)
    return "".join(out)


def compact_text(doc: Document) -> str:
    """All the document's text lines joined, without whitespace (what the preamble and
    narrative searches read)."""
    return _compact("".join(doc.text_lines()))


def extract_metadata(doc: Document, compact: str | None = None) -> tuple[str | None, int | None]:
    """``(body, year)`` of a document: title first, then the opening lines, then the preamble.

    ``compact``: :func:`compact_text` of ``doc`` when the caller has it already."""
    body = year = None
    for candidate in (doc.title or "", head_text(doc, 3), head_text(doc, 12)):
        b, y = parse_title(candidate)
        if b and not body:
            body = b
        if y and not year:
            year = y
        if body:
            break
    if body is None:
        body = signature_body(doc) or publisher_body(doc)
    if compact is None:
        compact = compact_text(doc)
    if body is None:  # no title (a crawler kept it in another field): the text names the body
        body, title_year = titled_in_text(compact)
        year = year or title_year
        body = body or self_named_body(compact)
    if body:
        body = qualify_body(body, compact)
    period_year = find_year(compact)
    if period_year:
        year = period_year
    return body, year


_NUM = r"(\d+)\s*件"
_RECEIVED = (
    re.compile(
        r"(?:共|全年|本年度?|累计)[^。；;，,]{0,16}?(?:收到|受理|接收)[^。；;，,\d]{0,20}?" + _NUM
    ),
    # (no optional "共|全年" before it: it would not change what is found, and a pattern that
    # starts with one of three characters is searched for far more quickly)
    re.compile(r"(?:收到|受理|接收)[^。；;，,\d]{0,20}?申请[^。；;，,\d]{0,6}?" + _NUM),
    re.compile(r"共收到" + _NUM + r"申请"),
)
_CARRIED = (
    re.compile(_NUM + r"[^。；;，,\d]{0,6}?结转(?:至)?下一?年度?"),
    re.compile(r"结转(?:至)?下一?年度?[^。；;，,\d]{0,12}?" + _NUM),
    re.compile(r"转下一?年度[^。；;，,\d]{0,12}?" + _NUM),
    re.compile(r"结转至(?:(?:19|20)\d{2}年度?)" + _NUM),
)

#: a word each pattern of the kind holds (a text without any cannot match: not searched)
_RECEIVED_WORDS = ("收到", "受理", "接收")
_CARRIED_WORDS = ("结转", "转下")


def narrative_numbers(doc: Document, compact: str | None = None) -> dict[str, float]:
    """Headline numbers the narrative states: ``received`` and ``carried_forward`` (when found),
    in the document's text (``compact``: that text with white space removed, when the caller
    has it already); see :func:`headline_numbers`."""
    return headline_numbers(compact_text(doc) if compact is None else compact)


def headline_numbers(text: str) -> dict[str, float]:
    """``received`` and ``carried_forward`` as ``text`` (white space removed) states them.

    Only sentences about applications count (``申请`` must appear in or right after the
    match: "全年受理网络问政182件" is not about 信息公开申请).
    """
    out: dict[str, float] = {}
    for key, patterns, words in (
        ("received", _RECEIVED, _RECEIVED_WORDS),
        ("carried_forward", _CARRIED, _CARRIED_WORDS),
    ):
        if not any(w in text for w in words):  # every pattern of the kind holds one of these words
            continue
        for pattern in patterns:
            for m in pattern.finditer(text):
                if key == "received" and "申请" not in text[m.start() : m.end() + 4]:
                    continue
                out[key] = float(m.group(1))
                break
            if key in out:
                break
    return out
