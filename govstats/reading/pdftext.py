"""Text as PDF-to-text tools leave it: page furniture dropped, split row labels re-attached.

``pdftotext -raw``, ``pdftotext -layout`` and copy-paste from PDF viewers print a table row
whose label wraps in its cell over several lines, with the row's numbers on one of them:

* the head of the label before the numbers and its tail after (``3.补正后申请内容仍不明`` /
  ``2 0 0 0 0 0 2`` / ``确``), or the whole label on lines of its own above a line of numbers;
* a group label (a cell merged over its sub-rows) between or in front of its sub-rows' lines,
  in pieces (``（五）不`` / ``2.重复申请 0 0 0 0 0 0 0`` / ``予处理``), one character per line
  (``办`` / ``理`` / ``结`` / ``果``), or glued in front of a sub-row's label
  (``予处理 4.无正当…``);
* page numbers (``- 4 -``, ``— 5 —``, ``第4页``, ``第 4 页 共 9 页``), a running header repeating
  the report title, and form feeds between the rows.

:func:`prepare_lines` is a pre-pass of the plain-text reader (:mod:`govstats.reading.text`):
it drops the page furniture, and gives a line of numbers the label whose pieces surround it
when, and only when, those pieces make a template row label (:mod:`govstats.reading.labels`)
that names the row the template's label sequence allows next. Numbers never move: a line's
numbers stay the numbers of that line, and a piece that makes no label stays a text line. A
line whose own label already names a row is left as printed.

Text whose label blocks and number blocks were written apart (bare ``pdftotext``, which prints
a table column by column; one cell per line) shows runs of lines holding only numbers: there a
label next to a number says nothing about the row, so no label is attached at all, and a line
of table 三 holding some but not all of a row's numbers (a block of the first columns) is not
read as a row (with a warning).

A line of numbers right after a row's line, with no label of its own (a cell wrapped over two
lines: ``… (一)予以公开 １ 1 0 0`` / ``办理结果 ０``), leaves both lines unread, with a warning:
which digits belong to which cell is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from govstats import schema
from govstats.reading import labels
from govstats.reading.numbers import is_value_text

#: page numbers and page counters printed in a page's header or footer
_PAGE_MARK = re.compile(
    r"^(?:[-—–－―─~～·•]\s*\d{1,4}\s*[-—–－―─~～·•]"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$"
)
#: a bare page number (``4``, ``4/9``): furniture only at a page's first or last line
_EDGE_NUMBER = re.compile(r"^(\d{1,4})(?:\s*/\s*\d{1,4})?$")
#: an ordinal starting a label segment (``1.`` ``（三）`` ``四、``), on the folded text
_ORDINAL = labels._ORDINAL
#: a label with the digits of the first number glued to its end
_GLUED_NUMBER = re.compile(r"^(?P<label>.*[^\d\s.、])(?P<digits>\d+)$")
#: column header words that are also row labels
_HEADER_WORDS = frozenset({"其他", "总计", "合计", "小计"})
_CJK = re.compile(r"[\u4e00-\u9fff，、：；（）“”]")

#: the longest text line taken as a piece of a label (longer lines are narrative paragraphs)
MAX_PIECE = 40
#: the most pieces one label is re-assembled from (a long label wrapped in a narrow column)
MAX_PIECES = 8
#: consecutive lines holding only numbers that show label and number blocks written apart
DETACHED_RUN = 3


def _orders() -> dict[str, tuple[list[str], frozenset[str]]]:
    """Per table: the row sequence of the template (both versions merged) and the rows that
    may be absent (printed in one version only, or a group label some reports print as a row)."""
    versions = list(schema.PUBLICATION.values())
    pub = list(schema.PUBLICATION["2019"])
    pub_optional = frozenset(i for i in pub if not all(i in v for v in versions))
    req = [i.code for i in schema.REQUEST_ITEMS["2021"]]
    common = set.intersection(*({i.code for i in items} for items in schema.REQUEST_ITEMS.values()))
    req_optional = frozenset(i for i in req if i not in common) | {"other"}
    return {"publication": (pub, pub_optional), "requests": (req, req_optional)}


_ORDER = _orders()


@dataclass(slots=True)
class _Line:
    number: int
    text: str
    kind: str  # blank, furniture, values, piece, barrier
    label: str = ""
    values: tuple[str, ...] = ()
    tokens_ok: bool = True  # values written with spaces (a label can be put in front of them)


def is_page_furniture(line: str) -> bool:
    """Whether a line reads as a page number wherever it stands (``- 4 -``, ``第4页``, …; a bare
    ``4`` is one only at a page's edge)."""
    return bool(_PAGE_MARK.match(line.strip()))


def _split(text: str):
    from govstats.reading.text import split_line  # (text imports this module)

    return split_line(text)


def prepare_lines(
    text: str, warnings: list[str] | None = None, name: str = ""
) -> list[tuple[int, str]]:
    """The lines of ``text`` as ``(line number, text)``, page furniture dropped and split row
    labels re-attached to their line of numbers (see the module docstring). Line numbers are
    those of ``str.splitlines`` (a re-assembled row keeps the number of its line of numbers).
    Rows left unread (a cell wrapped over two lines) are named in ``warnings``."""
    lines = _classify(text)
    if not any(line.kind == "furniture" for line in lines) and not _has_pieces(lines):
        return [(line.number, line.text) for line in lines if line.kind != "blank"]
    if _detached(lines):
        dropped = _drop_partial_rows(lines)
        if dropped and warnings is not None:
            warnings.append(
                f"{name}: label and number blocks are written apart (as bare pdftotext writes a "
                f"table): {dropped} line(s) of table 三 holding part of a "
                "row's numbers not read (pdftotext -layout keeps rows together)"
            )
    else:
        for first, second in _reattach(lines):
            if warnings is not None:
                warnings.append(
                    f"{name}: line {second.number}: numbers right after the row of line "
                    f"{first.number} without a label of their own (a cell wrapped over two "
                    "lines): the cells of that row cannot be told apart; not read"
                )
    return [
        (line.number, line.text)
        for line in lines
        if line.kind not in ("blank", "furniture", "gone")
    ]


def _classify(text: str) -> list[_Line]:
    raw = text.splitlines(keepends=True)
    out: list[_Line] = []
    page_edges: set[int] = set()
    page_of: list[int] = []
    page = 1
    first_on_page: int | None = None
    last_content: int | None = None
    for i, chunk in enumerate(raw):
        printed = chunk.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        stripped = printed.strip()
        page_of.append(page)
        if stripped:
            if first_on_page is None:
                first_on_page = i
                page_edges.add(i)
            last_content = i
        if chunk.endswith("\x0c") or "\x0c" in printed:
            if last_content is not None:
                page_edges.add(last_content)
            page += 1
            first_on_page = last_content = None
        out.append(_Line(i + 1, printed, "blank" if not stripped else "text"))
    if last_content is not None:
        page_edges.add(last_content)
    for i, line in enumerate(out):
        if line.kind == "blank":
            continue
        s = line.text.strip().strip("\x0c")
        if _PAGE_MARK.match(s):
            line.kind = "furniture"
            continue
        m = _EDGE_NUMBER.match(s)
        if (
            m
            and i in page_edges
            and int(m.group(1)) in (page_of[i], page_of[i] - 1, page_of[i] + 1)
        ):
            line.kind = "furniture"
            continue
        if "\t" in line.text:
            line.kind = "barrier"  # tab-separated cells: the text has its own cell structure
            continue
        cells = _split(line.text.strip())
        if cells is not None:
            line.kind = "values"
            if cells and not is_value_text(cells[0]):
                line.label, line.values = cells[0], tuple(cells[1:])
            else:
                line.values = tuple(cells)
            continue
        folded = labels.fold(s)
        line.kind = (
            "piece" if len(folded) <= MAX_PIECE and not labels.heading_table(s)[0] else "barrier"
        )
    _mark_running_headers(out)
    return out


def _mark_running_headers(lines: list[_Line]) -> None:
    """A text line printed again and again next to page furniture (the report title as a
    running header): every copy after the first is furniture."""
    seen: dict[str, int] = {}
    for line in lines:
        if line.kind in ("piece", "barrier"):
            key = labels.fold(line.text)
            seen[key] = seen.get(key, 0) + 1
    repeated = {k for k, n in seen.items() if n >= 2 and len(k) >= 6}
    if not repeated:
        return
    content = [line for line in lines if line.kind != "blank"]
    first: set[str] = set()
    for i, line in enumerate(content):
        if line.kind not in ("piece", "barrier"):
            continue
        key = labels.fold(line.text)
        if key not in repeated:
            continue
        if key not in first:
            first.add(key)
            continue
        if (
            labels.header_table(line.text)
            or labels.match_row(line.text, "requests", fuzzy=False)
            or labels.match_row(line.text, "publication", fuzzy=False)
        ):
            continue  # a table header or label printed again is the table's, not furniture
        near = [content[j] for j in (i - 1, i + 1) if 0 <= j < len(content)]
        if any(n.kind == "furniture" for n in near):
            line.kind = "furniture"


def _has_pieces(lines: list[_Line]) -> bool:
    """Whether some line of numbers has a label that names no row (or none): only then can
    pieces need re-attaching."""
    return any(line.kind == "values" and _own_item(line.label) is None for line in lines)


#: the cells of a full table 三 row
_REQUEST_CELLS = len(schema.REQUEST_COLUMNS)


def _drop_partial_rows(lines: list[_Line]) -> int:
    """In text whose label and number blocks are written apart, the lines of table 三 holding
    several numbers but not a whole labelled row (a block of some columns, ``727 62 9``) say
    nothing about which cells they are: they become text (their label kept). Returns how many."""
    context: str | None = None
    dropped = 0
    for line in lines:
        if line.kind in ("piece", "barrier"):
            is_heading, table = labels.heading_table(line.text)
            if is_heading:
                context = table
            elif line.kind == "piece" and (header := labels.header_table(line.text)):
                context = header
            continue
        if line.kind != "values":
            continue
        own = _own_item(line.label)
        if own is not None:
            context = own[0]
        if (
            context == "requests"
            and len(line.values) >= 2
            and (own is None or len(line.values) != _REQUEST_CELLS)
        ):
            line.text, line.kind = line.label, ("piece" if line.label else "gone")
            dropped += 1
    return dropped


def _detached(lines: list[_Line]) -> bool:
    """True when runs of lines hold only numbers (label and number blocks written apart)."""
    run = 0
    for line in lines:
        if line.kind in ("blank", "furniture"):
            continue
        if line.kind == "values" and not line.label:
            run += 1
            if run >= DETACHED_RUN:
                return True
        else:
            run = 0
    return False


@lru_cache(maxsize=65536)
def _own_item(label: str, fuzzy: bool = False) -> tuple[str, str] | None:
    """(table, item) the last segment of a printed label names (``（三）不予公开 1.属于国家秘密``
    → withheld.state_secret), else None: a label whose last segment names nothing (a label cut
    short: ``（六）其他 1.申请人无正当理由逾期``) names no row, whatever its group label says."""
    keys = labels.label_keys(label) if label else ()
    if not keys:
        return None
    for table in ("publication", "requests"):
        item = labels.match_row(keys[-1:], table, fuzzy=fuzzy)
        if item is not None and item != labels.GROUP:
            return table, item
    return None


def _fuzzy_item(label: str) -> tuple[str, str] | None:
    return _own_item(label, True)


def _last_segment(label: str) -> str:
    """The folded text of a label from its last ordinal on (the row's own words)."""
    folded = labels.fold(label)
    starts = [m.start() for m in _ORDINAL.finditer(folded)]
    return folded[starts[-1] :] if starts else folded


def _join(parts: list[str]) -> str:
    """Pieces of one label joined: no space between two CJK characters (a line break inside a
    cell), one space otherwise."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and not (_CJK.match(out[-1]) and _CJK.match(part[0])):
            out += " "
        out += part
    return out


class _Sequence:
    """Where the reading stands in each table's template row sequence.

    A row may come next when every row the template has between it and the last row placed
    is one that may be absent, or one of the rows passed since without being placed (a line
    of numbers left as printed, a row label standing without numbers)."""

    def __init__(self) -> None:
        self.last: dict[str, int] = {}
        self.passed = 0

    def allows(self, table: str, item: str) -> bool:
        order, optional = _ORDER[table]
        at = order.index(item)
        last = self.last.get(table, -1)
        return (
            at > last and sum(order[j] not in optional for j in range(last + 1, at)) <= self.passed
        )

    def place(self, table: str, item: str) -> None:
        order, optional = _ORDER[table]
        if item not in optional:
            self.last[table] = max(self.last.get(table, -1), order.index(item))
            self.passed = 0

    def pass_over(self, pieces: list[_Line], context: str | None) -> None:
        """A line of numbers not placed, after ``pieces``."""
        self.passed += 1 + sum(
            1 for p in pieces if (o := _own_item(p.text)) is not None and o[0] == context
        )


def _reattach(lines: list[_Line]) -> list[tuple[_Line, _Line]]:
    """Re-attach split labels in place; returns the pairs of lines left unread (a line of
    numbers continuing the one before it)."""
    unread: list[tuple[_Line, _Line]] = []
    previous: _Line | None = None  # the last line of numbers, when nothing but numbers followed it
    seq = _Sequence()
    context: str | None = None
    content = [line for line in lines if line.kind not in ("blank", "furniture")]
    pending: list[_Line] = []  # pieces since the last line of numbers, not yet attached
    #: whether the last line of numbers got its row: pieces between two lines of numbers that
    #: have none could be the tail of the one as well as the head of the other (numbers printed
    #: before their labels), so they are attached as heads only after a settled line
    settled = True
    for at, line in enumerate(content):
        if line.kind == "gone":
            previous = None
            continue  # a tail attached to the line of numbers before it
        if line.kind in ("piece", "barrier"):
            previous = None
            is_heading, table = labels.heading_table(line.text)
            if is_heading:
                context, settled, seq.passed = table, True, 0
            elif line.kind == "piece" and (header := labels.header_table(line.text)):
                context, settled = header, True  # a header between: no label reaches across it
            if line.kind == "barrier":
                pending = []
            else:
                pending.append(line)
            continue
        above, previous = previous, line
        own = _own_item(line.label)
        if own is None and (glued := _GLUED_NUMBER.match(line.label)) and _own_item(glued["label"]):
            # a label touching its first number (``3.危及“三安全一稳定”0 0 0``, -layout): the
            # digits after a label that names a row are no part of it
            line.label, line.values = glued["label"], (glued["digits"], *line.values)
            line.text = line.label + " " + " ".join(line.values)
            own = _own_item(line.label)
        if own is not None:
            context = own[0]
            seq.place(*own)
            pending, settled = [], True
            continue
        after: list[_Line] = []
        for nxt in content[at + 1 :]:
            if nxt.kind != "piece" or len(after) >= MAX_PIECES:
                break
            after.append(nxt)
        choice = _choose(line, pending[-MAX_PIECES:] if settled else [], after, context, seq)
        if choice is None:
            fuzzy = _fuzzy_item(line.label) if line.label else None
            if fuzzy is None and above is not None and context in _ORDER and _continues(line):
                # a cell wrapped over two lines (``办理结果 ０`` under ``… (一)予以公开 １ 1 0 0``):
                # which numbers belong to which cell of the row above is lost: neither is read
                unread.append((above, line))
                above.text, above.kind = above.label, ("piece" if above.label else "gone")
                line.kind, previous = "gone", None
                pending, settled = [], False
                continue
            if fuzzy is not None:
                context = fuzzy[0]
                seq.place(*fuzzy)
            elif line.label and any(labels.match_row(line.label, t, fuzzy=False) for t in _ORDER):
                # a label cut short behind a group label that names a row itself (``（六）其他
                # 1.申请人无正当理由逾期``): keep only its own words, so the numbers are not read
                # as the group label's row
                line.label = _last_segment(line.label)
                line.text = line.label + " " + " ".join(line.values)
            if fuzzy is None:
                seq.pass_over(pending, context)
            pending, settled = [], fuzzy is not None
            continue
        heads, tails, label, (table, item) = choice
        for piece in heads + tails:
            piece.kind = "gone"
        # the label as re-assembled, then the line's numbers as printed (the pieces are gone;
        # words of a group label glued in front, if any, are dropped with them)
        line.text = label + " " + " ".join(line.values)
        line.label = label
        seq.place(table, item)
        context = table
        pending, settled = [], True
    return unread


def _continues(line: _Line) -> bool:
    """Whether a line of numbers right after another one continues it: it has no label of its
    own, only group-label words or a label's tail (no ordinal, naming no row)."""
    if _own_item(line.label):
        return False
    own = _without_group_words(line.label) if line.label else ""
    return not own or (_own_item(own) is None and not _ORDINAL.search(labels.fold(own)))


@lru_cache(maxsize=1)
def _group_texts() -> tuple[str, ...]:
    """The printed group labels of table 三 (cells merged over their sub-rows), folded."""
    groups = {i.group for items in schema.REQUEST_ITEMS.values() for i in items if i.group}
    groups |= {i.label for i in schema.REQUEST_ITEMS["2019"] if i.code == "other"}
    return tuple(labels.fold(g) for g in groups)


@lru_cache(maxsize=65536)
def _without_group_words(text: str) -> str:
    """``text`` without the words in front that are pieces of a group label (``予处理`` in
    ``予处理 4.无正当理由大量反复``, ``三、本年 法提供`` in ``三、本年 法提供 2.没有现成…``)."""
    tokens = text.split()
    k = 0
    while k < len(tokens) and any(labels.fold(tokens[k]) in g for g in _group_texts()):
        k += 1
    return " ".join(tokens[k:])


def _choose(
    line: _Line, before: list[_Line], after: list[_Line], context: str | None, seq: _Sequence
):
    """The unique smallest re-assembly of ``line``'s label from the pieces around it that names
    the row the sequence allows next, or None: ``(heads, tails, label, (table, item))``."""
    if context not in _ORDER:
        return None
    own = line.label
    found_at: list[tuple[int, int, str, tuple[str, str]]] = []
    for size in range(0, 2 * MAX_PIECES + 1):
        for h in range(0, min(size, len(before)) + 1):
            t = size - h
            if t > len(after):
                continue
            heads, tails = before[len(before) - h :], after[:t]
            for strip in (False, True):
                parts = [p.text for p in heads] + [own] + [p.text for p in tails]
                if strip:
                    parts = [_without_group_words(p) for p in parts]
                if t and not (parts[h] or any(parts[:h])):
                    continue  # a label wholly after its numbers: no sign it is this row's
                if any(_ORDINAL.search(labels.fold(p)) for p in parts[h + 1 :]):
                    continue  # a piece starting a new label is no tail
                candidate = _join(parts)
                found = _own_item(candidate)
                if found is None or found[0] != context or not seq.allows(*found):
                    continue
                found_at.append((h, t, candidate, found))
                break
        if found_at:
            break
    if not found_at or len({f[3] for f in found_at}) != 1:
        return None  # none, or pieces that make two different rows: the line is left as printed
    h, t, candidate, found = found_at[0]
    for piece in before[: len(before) - h] if h else ():
        # a whole row label standing before the heads, a row that may come next: label and
        # number blocks may be written apart (a bare 其他 / 总计 is a column header word)
        other = _own_item(piece.text)
        if (
            other is not None
            and other[0] == context
            and other[1] not in _ORDER[context][1]
            and labels.fold(piece.text) not in _HEADER_WORDS
            and seq.allows(*other)
        ):
            return None
    if own and _fuzzy_item(own) not in (None, found):
        return None  # the label as printed reads as another row
    return before[len(before) - h :], after[:t], candidate, found
