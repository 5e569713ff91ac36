"""Reading a report's tables from a stream of characters, by the template's label sequence.

For text whose line structure says nothing about the tables: what a crawler takes from a
page with ``get_text("\\n")`` or a carriage-return dump (one cell per line, labels and each of
their numbers on lines of their own, blank cells as empty lines), and web-page text with the
markup stripped, where the whole report is one paragraph (headings, header words, row labels
and the digits of a row's cells run together: ``…本机关不掌握相关政府信息80000082.没有现成…``).

The text is searched, without its whitespace, for the labels the template prints, in the
template's order, table by table (:data:`_SEQUENCES`): a table is anchored by a label only it
prints (``第二十条第（一）项``, ``本年新收政府信息公开申请数量``, ``结果维持``), and each next
label must follow its predecessor with nothing between them but numbers, the template's own
furniture (group labels, header words, section headings) and page furniture. What lies between
a row's label and the next label is the row's value text:

* numbers separated by whitespace (one cell per line) are the row's cells when there are as
  many as the template's columns, and otherwise the row is reported with those cells and the
  builder leaves it unread with a warning (a blank printed as an empty line cannot be placed:
  cells are counted by the template, never by lines);
* one digit run (one paragraph) is one cell, split by :mod:`govstats.reading.runtogether`
  with the table's arithmetic; what no arithmetic settles stays NA with a warning;
* the ordinal of the next label is not a value: ``…80000082.没有现成…`` ends the run before
  ``2.``, because the template numbers that row ``2.``.

The result is an ordinary :class:`~govstats.reading.document.Document` (format ``txt-stream``
for separated cells, ``txt-oneline`` when rows are digit runs) that
:mod:`govstats.reading.extract` builds as it builds any other. Every cell's source names the
line of the original text (and, in one-paragraph text, the character offset).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from govstats import schema
from govstats.reading import labels
from govstats.reading.document import Block, Cell, Document
from govstats.reading.numbers import parse_number

#: formats whose rows may be one digit run (cell boundaries lost): see extract / rows
RUN_FORMATS = frozenset({"txt-runtogether", "txt-oneline"})


@dataclass(frozen=True)
class _Label:
    """A label the template prints in a table's sequence."""

    text: str  # as the template prints it (the row block's label cell)
    core: str  # the folded form searched for (no ordinal, no trailing remark)
    ordinal: str  # the ordinal printed before it ("2.", "（一）", "一、"), folded; "" if none
    item: str | None  # the row's item code; None for group labels and other furniture
    required_ordinal: bool = False  # a core too short to be searched alone
    width: int = 0  # the number of value cells the template prints in the row


_NFKC_QUOTES = str.maketrans({"“": '"', "”": '"', "＂": '"', "‘": "'", "’": "'"})


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    """A character NFKC-folded (full-width digits and brackets to ASCII), quotes unified."""
    return unicodedata.normalize("NFKC", ch).translate(_NFKC_QUOTES)


_ORD = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d{1,2}\.)")


def _label(text: str, item: str | None, width: int = 0) -> _Label:
    m = _ORD.match(text)
    ordinal = m.group(0) if m else ""
    core = text[len(ordinal) :]
    core = (
        re.sub(r"（[^（）]*）$", "", core) if not core.startswith("（") else core
    )  # 部分公开（区分…）
    core = core.split("（单位")[0]
    folded = "".join(_fold_char(c) for c in core if not c.isspace())
    return _Label(
        text, folded, "".join(_fold_char(c) for c in ordinal), item, len(folded) <= 3, width
    )


@cache
def _publication_sequence(layout: str) -> tuple[tuple[_Label, ...], int]:
    """Table 二's labels in order (section headings as furniture), and its widest row."""
    out: list[_Label] = []
    section = None
    for item, columns in schema.PUBLICATION[layout].values():
        if item.section is not None and item.section != section:
            section = item.section
            out.append(_Label(section, "".join(_fold_char(c) for c in section), "", None))
        out.append(_label(item.label, item.code, len(columns)))
    return tuple(out), 3


@cache
def _request_sequence(layout: str) -> tuple[_Label, ...]:
    out: list[_Label] = []
    group = None
    for item in schema.REQUEST_ITEMS[layout]:
        if item.group and item.group != group and item.group != item.label:
            group = item.group
            out.append(_label(group, None))
        if layout == "2021" and item.code == "other":
            continue  # 2021: （六）其他处理 is a group label (printed before its sub-rows)
        out.append(_label(item.label, item.code, len(schema.REQUEST_COLUMNS)))
    return tuple(out)


#: what tables print around their header words that is not a template label: the fees
#: column's unit alone and the outcome group headings as table headers
_HEADER_EXTRAS = (
    "本年收费金额",
    "（单位：万元）",
    "单位：万元",
    "三、本年度办理结果",
    "本年度办理结果",
    "（六）其他处理",
)

#: header words and furniture that may stand between labels (besides numbers), longest first
_FURNITURE = tuple(
    sorted(
        {"".join(_fold_char(c) for c in w) for w in (*schema.header_labels(), *_HEADER_EXTRAS)},
        key=len,
        reverse=True,
    )
)


#: page furniture between rows: page numbers, "第4页", "共6页"
_PAGE = re.compile(r"^(?:[-—–－]+\d{1,3}[-—–－]+|第\d{1,3}页(?:共\d{1,3}页)?|\d{1,3}/\d{1,3})")

#: table headings (folded), in the order the template prints the tables
_TABLE_HEADINGS = {
    "publication": ("二、主动公开政府信息情况",),
    "requests": ("三、收到和处理政府信息公开申请情况",),
    "review": (
        "四、政府信息公开行政复议、行政诉讼情况",
        "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    ),
}

#: a table's first cells: where its value text may begin (table 四's 15 numbers follow its header)
_REVIEW_HEADER_END = "结果维持结果纠正其他结果尚未审结总计" * 3

#: one printed value in the folded stream: a number (sign, thousands separators, decimals, a
#: unit), a placeholder (dashes, slashes, 无); the next label is known, so 无 never starts one
_VALUE = re.compile(
    r"(?:(?:减少|增加|[+\-−])?\d[\d,.]*(?:件|个|项|条|次|人"
    r"|家|份|宗|起|笔|亿元|万元|千元|元|%)?|[—\-－―─/／]+|无)"
)


def _value_prefix(compact: str) -> int:
    """The length of the run of values at the start of ``compact``."""
    at = 0
    while True:
        m = _VALUE.match(compact, at)
        if not m or not m.end() > at:
            return at
        at = m.end()


_NON_SPACE = re.compile(r"\S+")
#: a line break (decoding leaves only \n and the form feed of a page break)
_LINE_BREAK = re.compile("[\n\x0c]")
_RULE_CHARS = frozenset("|｜│┃")
_RULES = str.maketrans({ch: " " for ch in _RULE_CHARS})


class _Stream:
    """The text without whitespace (folded per character), with each character's offset in
    the original text, and the line each offset is on."""

    def __init__(self, text: str):
        self.text = text
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.multiline = len(self.line_starts) > 3
        folded = unicodedata.normalize("NFKC", text)
        if len(folded) == len(text):  # the common case: NFKC maps character to character
            folded = folded.translate(_NFKC_QUOTES)
            spans = [(m.start(), m.group()) for m in _NON_SPACE.finditer(folded)]
            self.s = "".join([g for _i, g in spans])
            self.offsets = [i + k for i, g in spans for k in range(len(g))]
            return
        chars: list[str] = []
        offsets: list[int] = []
        fold = _fold_char
        for m in _NON_SPACE.finditer(text):
            i = m.start()
            for ch in m.group():
                f = fold(ch)
                if len(f) == 1:
                    chars.append(f)
                    offsets.append(i)
                else:  # (a character NFKC expands: ㈠ → (一); each part keeps its offset)
                    chars.extend(f)
                    offsets.extend([i] * len(f))
                i += 1
        self.s = "".join(chars)
        self.offsets = offsets

    def where(self, pos: int) -> str:
        """The place of compact position ``pos`` in the original text."""
        import bisect

        off = self.offsets[min(pos, len(self.offsets) - 1)] if self.offsets else 0
        line = bisect.bisect_right(self.line_starts, off)
        if self.multiline:
            return f"line {line}"
        return f"line {line} char {off - self.line_starts[line - 1] + 1}"

    def original(self, a: int, b: int) -> str:
        """The original text between compact positions ``a`` and ``b`` (whitespace kept)."""
        if a >= b:
            return ""
        start = self.offsets[a]
        end = self.offsets[b - 1] + 1
        return self.text[start:end]

    def gap_original(self, a: int, b: int) -> str:
        """The original text from the end of compact position ``a - 1`` to compact ``b``:
        whitespace on both sides included (it separates cells)."""
        start = self.offsets[a - 1] + 1 if a > 0 else 0
        end = self.offsets[b] if b < len(self.offsets) else len(self.text)
        return self.text[start:end]


def _strip_furniture(s: str) -> str:
    """``s`` (compact) without header words, group labels and page furniture at its start."""
    changed = True
    while changed and s:
        changed = False
        for word in _FURNITURE:
            if s.startswith(word):
                s = s[len(word) :]
                changed = True
                break
        else:
            m = _PAGE.match(s)
            if m:
                s = s[m.end() :]
                changed = True
    return s


def _strip_furniture_all(compact: str) -> str:
    """What remains of ``compact`` once furniture and values are taken out ('' if nothing)."""
    rest = compact
    while rest:
        n = _value_prefix(rest)
        stripped = _strip_furniture(rest[n:])
        if not n and stripped == rest:
            return rest
        rest = stripped
    return rest


def _is_value_text(compact: str) -> bool:
    """Whether a compact gap holds only numbers and furniture (so labels around it are adjacent)."""
    return not _strip_furniture_all(compact)


#: an ordinal printed right before a label's core, in any of the styles reports use
#: (``2.`` ``2、`` ``（二）`` ``二、``): one digit only (the template numbers sub-rows 1 to 8), so
#: that ``…40000042.没有现成…`` gives the run 4000004 and the ordinal 2.
_ORDINAL_BEFORE = re.compile(
    r"(?:\d[.、]|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}[、.])$"
)


def _find_label(stream: _Stream, label: _Label, start: int, limit: int) -> tuple[int, int] | None:
    """(start, end) of ``label`` (its ordinal included) in the compact stream within
    [start, limit), or None. The template's wording is tried first, then the short forms
    reports print (:data:`_ALIASES`)."""
    s = stream.s
    for core in (label.core,) + _ALIASES.get(label.item or "", ()):
        at = start
        while True:
            i = s.find(core, at, limit + len(core))
            if i < 0 or i >= limit:
                break
            m = _ORDINAL_BEFORE.search(s, max(0, i - 5), i)
            if m is None and label.ordinal and label.required_ordinal:
                at = i + 1
                continue
            lo = m.start() if m else i
            end = i + len(core)
            # a trailing remark printed after the core (部分公开（区分处理的…）, 收费（万元）)
            if s.startswith("(", end):
                close = s.find(")", end)
                if 0 < close - end <= 40:
                    end = close + 1
            return lo, end
    return None


def _aliases() -> dict[str, tuple[str, ...]]:
    """Short forms of row labels (those :mod:`govstats.reading.labels` knows), longest first;
    none of three characters or fewer (其他, 总计: too common to be searched for alone)."""
    out: dict[str, list[str]] = {}
    for table in ("publication", "requests"):
        for key, item in labels.row_keys(table).items():
            if item != labels.GROUP and len(key) > 3:
                out.setdefault(item, []).append("".join(_fold_char(c) for c in key))
    return {item: tuple(sorted(set(keys), key=len, reverse=True)) for item, keys in out.items()}


_ALIASES = _aliases()


#: how far (compact characters) the next label may stand from the previous one's end
_MAX_GAP = 220


def _read_sequence(
    stream: _Stream, labels: tuple[_Label, ...], start: int
) -> list[tuple[_Label, int, int]]:
    """The labels found in order from ``start``: each must follow the last one found with
    only value text between them. A label not found there is skipped (its row is missing)."""
    found: list[tuple[_Label, int, int]] = []
    cursor = start
    for label in labels:
        limit = min(len(stream.s), cursor + _MAX_GAP)
        hit = _find_label(stream, label, cursor, limit)
        if hit is None:
            continue
        lo, hi = hit
        if found and not _is_value_text(stream.s[cursor:lo]):
            # text that is neither numbers nor furniture: not the next label of this table
            # (perhaps a narrative mention further on); the label is taken as not printed
            continue
        found.append((label, lo, hi))
        cursor = hi
    return found


def _value_cells(stream: _Stream, a: int, b: int, n: int) -> list[Cell]:
    """The value cells printed between compact positions ``a`` and ``b`` for a row of ``n``
    template cells: the numbers before any furniture or label word.

    Cells are counted by the template, never by lines alone:

    1. as many numbers (whitespace-separated) as the template has cells: those are the cells;
    2. else, one cell per line, when the lines between the label and the next one (blank
       cells as whitespace-only lines, separators as empty lines) are exactly ``n``;
    3. else, when all are digit strings and either a few more than ``n`` (a cell's digits
       broken over lines by inline markup; not twice as many, which is a row that lost its
       label printed after this one) or all on one line (one paragraph with some cell
       boundaries kept as spaces): their digits as one run, for the table's arithmetic to
       split; a cell it cannot settle is NA with a warning (fewer numbers than cells on
       lines of their own are blank cells that cannot be placed: case 4);
    4. else the numbers as printed: a row with fewer than ``n`` numbers cannot be placed, and
       the builder leaves it unread with a warning naming it.
    """
    end = a + _value_prefix(stream.s[a:b])
    where = stream.where(a)
    rest = stream.s[end:b]
    if rest and _strip_furniture_all(rest):
        # text that is neither a value nor the template's furniture stands among the numbers:
        # where they belong is not certain (the builder leaves the row unread, with a warning)
        return (
            [Cell(rest[:20], f"{where} (text among the numbers: not a value)")]
            if end == a
            else [
                Cell(stream.gap_original(a, end).strip(), where),
                Cell(rest[:20], f"{where} (text among the numbers)"),
            ]
        )
    if end == a:
        return []
    raw = stream.gap_original(a, end)
    tokens = _with_units(raw.split())
    if len(tokens) == n or len(tokens) == 1:
        return [Cell(t, where) for t in tokens]
    # lines up to the first line of the next label (the gap ends at the label's first character)
    lines = _LINE_BREAK.split(raw)
    cells = [ln for ln in lines if ln != ""]
    if len(lines) > 1 and len(cells) == n:
        return [Cell(ln.strip(), where) for ln in cells]
    if (
        n > 1
        and all(t.isdecimal() for t in tokens)
        and (n < len(tokens) < n + max(2, n // 2) or not _LINE_BREAK.search(raw))
    ):
        # digits whose whitespace does not match the cells (a cell's digits broken over two
        # text nodes, some boundaries lost): one run, split by the table's arithmetic or NA
        return [Cell("".join(tokens), f"{where} (printed as {len(tokens)} numbers for {n} cells)")]
    return [Cell(t, where) for t in tokens]


_UNIT_ONLY = re.compile(r"^(?:件|个|项|条|次|人|家|份|宗|起|笔|亿元|万元|千元|元|%)$")


def _with_units(tokens: list[str]) -> list[str]:
    """Tokens with a unit printed on a line of its own (``73802895.90`` / ``元``) joined to
    the number before it."""
    if not any(_UNIT_ONLY.match(t) for t in tokens):
        return tokens
    out: list[str] = []
    for t in tokens:
        if out and _UNIT_ONLY.match(t):
            out[-1] += t
        else:
            out.append(t)
    return out


def _table_start(stream: _Stream, table: str, first: _Label, at: int) -> int | None:
    """Where ``table``'s labels begin: its heading if printed before its first label, else the
    first label itself (searched from ``at``)."""
    hit = _find_label(stream, first, at, len(stream.s))
    if hit is None:
        return None
    return hit[0]


def read_stream(text: str, name: str) -> Document | None:
    """The tables of ``text`` read by their labels in the stream of characters, as a
    Document; None when no table's labels are found in sequence."""
    # cell rules of a pipe dump or a text table mean what white space means here (same length:
    # every offset still points into the original text)
    stream = _Stream(text.translate(_RULES) if _RULE_CHARS.intersection(text) else text)
    blocks: list[tuple[int, Block]] = []  # (compact position, block): sorted at the end
    runs = separated = 0
    cursor = 0
    table_spans: list[tuple[int, int]] = []

    def add_text(t: str, at: int) -> None:
        where = stream.where(at)
        blocks.append((at, Block("text", [Cell(t, where)], where)))

    def add_row(label: _Label | None, cells: list[Cell], at: int) -> None:
        nonlocal runs, separated
        numbers = [c for c in cells if parse_number(c.text) is not None]
        if len(numbers) == 1 and len(re.sub(r"\D", "", numbers[0].text)) >= 2:
            runs += 1
        elif len(numbers) >= 2:
            separated += 1
        where = stream.where(at)
        lead = [Cell(label.text, where)] if label is not None else []
        blocks.append((at, Block("row", lead + cells, where)))

    warnings: list[str] = []
    pub = _read_publication(stream, cursor)  # anchored by its first section 第二十条第（一）项
    if pub is not None and not _header_in_order(
        stream.s[max(0, pub[2] - 400) : pub[3]], _PUBLICATION_HEADER_ORDERS
    ):
        warnings.append(
            f"{stream.where(pub[2])}: table 二's column headers are printed in another order than "
            "the template's; the table is not read from the character stream"
        )
        pub = None
    if pub is not None:
        _layout, found, lo, hi = pub
        add_text("二、主动公开政府信息情况", lo)
        _emit(stream, found, add_text, add_row, hi)
        table_spans.append((lo, hi))
        cursor = hi
    req = _read_requests(stream, cursor)  # anchored by 本年新收政府信息公开申请数量
    head = stream.s[max(cursor, req[1] - 400) : req[1]] if req is not None else ""
    if req is not None and not _header_in_order(head, (_REQUEST_HEADER_ORDER,)):
        warnings.append(
            f"{stream.where(req[1])}: table 三's applicant columns are printed in another order "
            "than the template's; the table is not read from the character stream"
        )
        req = None
    elif (
        req is not None
        and "自然人" in head
        and "商业企业" not in head
        and _rows_are_runs(stream, req[0])
    ):
        # 自然人 | 法人或其他组织 | 总计 only: how many cells a row's digits make is not known here
        warnings.append(
            f"{stream.where(req[1])}: table 三 prints only 自然人 | 法人或其"
            "他组织 | 总计; its rows are not read from the character stream"
        )
        req = None
    if req is not None:
        found, lo, hi = req
        add_text("三、收到和处理政府信息公开申请情况", lo)
        if all(
            w in head for w in ("商业", "科研", "公益")
        ):  # the five 法人或其他组织 columns are printed
            add_text(
                f"（表头）{head[-200:]}（表头）" if len(head) > 40 else head + "（表头）" * 10, lo
            )
        _emit(stream, found, add_text, add_row, hi)
        table_spans.append((lo, hi))
        cursor = hi
    rev = _read_review(stream, cursor)  # its header words, then 15 numbers
    if rev is not None and not _header_in_order(stream.s[rev[1] : rev[2]], (_REVIEW_HEADER_ORDER,)):
        warnings.append(
            f"{stream.where(rev[1])}: table 四's columns are printed in another order than the "
            "template's; the table is not read from the character stream"
        )
        rev = None
    if rev is not None:
        cells, lo, hi = rev
        add_text("四、政府信息公开行政复议、行政诉讼情况", lo)
        add_text("行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计", lo)
        add_row(None, cells, lo)
        table_spans.append((lo, hi))
    if not table_spans:
        return None
    doc = Document(
        name=name,
        format="txt-oneline" if runs > separated else "txt-stream",
        warnings=[f"{name}: {w}" for w in warnings],
    )
    # the text outside the tables (headings and header words between them included), in place
    blocks += _narrative_blocks(stream, table_spans)
    blocks.sort(key=lambda pb: pb[0])  # (stable: a table's own blocks keep their order)
    doc.blocks = [block for _at, block in blocks]
    return doc


def _rows_are_runs(stream: _Stream, found) -> bool:
    """Whether the first row found prints its numbers as one run (cell boundaries lost)."""
    rows = [k for k, f in enumerate(found) if f[0].item]
    if not rows:
        return False
    k = rows[0]
    end = found[k + 1][1] if k + 1 < len(found) else len(stream.s)
    return len(_value_cells(stream, found[k][2], end, 3)) == 1


#: the order the template prints each table's column headers in (a stream cannot tell where a
#: column went when they are printed in another order: such a table is not read from it)
_REQUEST_HEADER_ORDER = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构")
_REVIEW_HEADER_ORDER = ("结果维持", "结果纠正", "其他结果", "尚未审结")
_PUBLICATION_HEADER_ORDERS = (
    ("本年制发件数", "本年废止件数", "现行有效件数"),
    ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
)


def _header_in_order(region: str, orders: tuple[tuple[str, ...], ...]) -> bool:
    """Whether the header words of each order that ``region`` prints stand in that order
    (every occurrence: a header printed again after a page break is checked too)."""
    for order in orders:
        hits = [
            (m.start(), order.index(w)) for w in order for m in re.finditer(re.escape(w), region)
        ]
        hits.sort()
        ranks = [rank for _pos, rank in hits]
        # each repetition of the header restarts at its first word; within one, ranks rise
        last = -1
        for rank in ranks:
            if rank <= last and rank != 0:
                return False
            last = rank
    return True


def _emit(stream, found, add_text, add_row, table_end: int) -> None:
    """Row blocks for the labels found: each row's value cells are what stands between its
    label and the next label found (or the table's end)."""
    for k, (label, lo, hi) in enumerate(found):
        nxt = found[k + 1][1] if k + 1 < len(found) else table_end
        if label.item is None:
            add_text(label.text, lo)
            continue
        add_row(label, _value_cells(stream, hi, nxt, label.width), lo)


def _table_end(stream: _Stream, found, limit: int | None = None) -> int:
    """The end of the last row's value text: its numbers after the last label."""
    label, lo, hi = found[-1]
    return hi + _value_prefix(stream.s[hi : hi + 400])


def _read_publication(stream: _Stream, at: int):
    best = None
    for layout in ("2021", "2019"):
        seq, _w = _publication_sequence(layout)
        start = _table_start(stream, "publication", seq[0], at)
        if start is None:  # no 第二十条 section headings: from the table's heading
            start = _heading_end(stream, "主动公开政府信息情况", at)
            if start is None:
                continue
        found = _read_sequence(stream, seq, start)
        rows = [f for f in found if f[0].item]
        # the header words say which version the table is (its rows are counted only when
        # they say nothing): a row read in the other version's columns would be misread
        region = stream.s[start : found[-1][2] if found else start]
        markers = sum(1 for w in _LAYOUT_MARKERS[layout] if w in region)
        score = (markers, len(rows))
        if rows and (best is None or score > best[0]):
            best = (score, layout, found, start)
    if best is None:
        return None
    _score, layout, found, start = best
    return layout, found, start, _table_end(stream, found)


#: header words only one version of table 二 prints
_LAYOUT_MARKERS = {
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额"),
    "2019": (
        "本年新制作数量",
        "本年新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "采购项目数量",
    ),
}


def _heading_end(stream: _Stream, words: str, at: int) -> int | None:
    """Where the table heading ``二、<words>`` ends (its last printed occurrence before the
    requests table: the preamble lists every section title once before it), or None."""
    s = stream.s
    limit = s.find("本年新收", at)
    limit = len(s) if limit < 0 else limit
    i = s.rfind("二、" + words, at, limit)
    return None if i < 0 else i + len(words) + 2


def _read_requests(stream: _Stream, at: int):
    best = None
    for layout in ("2021", "2019"):
        seq = _request_sequence(layout)
        first = next(lbl for lbl in seq if lbl.item == "new")
        start = _table_start(stream, "requests", first, at)
        if start is None:
            continue
        found = _read_sequence(stream, seq[seq.index(first) :], start)
        rows = [f for f in found if f[0].item]
        if rows and (best is None or len(rows) > best[0]):
            best = (len(rows), found, start)
    if best is None:
        return None
    _n, found, start = best
    return found, start, _table_end(stream, found)


def _read_review(stream: _Stream, at: int):
    """Table 四: after its header words (the last 总计 of the header), the 15 numbers."""
    s = stream.s
    i = s.find("结果维持", at)
    if i < 0 or i - at > 3000:
        return None
    # the header: words of table 四 only, up to the first number
    j = i
    while j < len(s):
        rest = _strip_furniture(s[j:])
        if rest == s[j:]:
            break
        j = len(s) - len(rest)
    length = _value_prefix(s[j : j + 400])
    if not length:
        return None
    end = j + length
    return _value_cells(stream, j, end, 15), i, end


def _narrative_blocks(stream: _Stream, spans: list[tuple[int, int]]) -> list[tuple[int, Block]]:
    """Text blocks for what lies outside the tables: one per line of the original text (one
    per sentence-run between full-width spaces in one-paragraph text), with their positions."""
    out: list[tuple[int, Block]] = []
    text = stream.text
    # compact positions → original offsets of the table spans
    cut = [
        (stream.offsets[a], stream.offsets[min(b, len(stream.offsets)) - 1] + 1) for a, b in spans
    ]
    pieces: list[tuple[int, int]] = []
    prev = 0
    for a, b in cut:
        pieces.append((prev, a))
        prev = b
    pieces.append((prev, len(text)))
    import bisect

    inner = set(range(1, len(pieces) - 1))  # pieces between two tables: headings and header words
    for k, (a, b) in enumerate(pieces):
        chunk = text[a:b]
        pos = a
        for part in re.split(r"([\n\x0c]|\u3000{2,}|\s{3,})", chunk):
            if part and not part.isspace():
                t = " ".join(part.split())
                if t and (k not in inner or labels.heading_table(t)[0]):
                    line = bisect.bisect_right(stream.line_starts, pos)
                    where = f"line {line}"
                    cpos = bisect.bisect_left(stream.offsets, pos)
                    out.append((cpos, Block("text", [Cell(t, where)], where)))
            pos += len(part)
    return out
