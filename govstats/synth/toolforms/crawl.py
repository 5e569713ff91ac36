"""Report text as crawlers take it from web pages: line breaks of every kind, one cell per line,
or the whole report as one paragraph.

Three forms, each after a real example in ``../shared/corpus``:

``txt-cr``
    The page's text nodes joined and kept with carriage returns as the only line breaks
    (``2022_hebei-jyt_txt-cr.txt``): narrative paragraphs end in one ``\\r``; every table cell
    is one "line", cells separated by a run of ``k`` breaks and rows by a longer run (the
    corpus file has 3 and 5), a table opened and closed by longer runs still; a short header
    cell may be wrapped inside its cell (``商业\\r企业``). A blank cell is an empty line or a
    ``\\xa0`` line. The title is not in the text (the crawler keeps it in another field): body
    and year stand in the preamble (``现公布…年度报告``); an ``附件：<title>`` line may close it.
``txt-lines``
    BeautifulSoup ``get_text("\\n")`` of the report's HTML page: every text node on its own
    line (cells, and the whitespace between tags as empty lines); an empty cell has no text
    node, so it leaves no line at all. The line breaks are the kinds other tools write:
    ``\\n``, ``\\r\\n``, ``\\u2028``, ``\\u2029``, ``\\x0b``, ``\\x0c``, ``\\x85``, one kind per
    document with others mixed in.
``txt-oneline``
    The whole page as one paragraph (``2022_hebei-gxt_txt-oneline.txt``): text nodes joined
    with nothing, so headings, header words, row labels and the digits of adjacent cells run
    together (``…本机关不掌握相关政府信息40000042.没有现成…``). Sections are separated by
    nothing, a space or ``\\u3000\\u3000`` (one style per document; with ``\\u3000\\u3000`` a few
    header cells keep theirs too, as the corpus file's table 4 does). Variants: with or without
    a breadcrumb or metadata block first, an ``附件下载：…`` line last, and the title.

Ambiguous cells (NA with a warning is right there, the true value too, another number never):

* ``txt-cr`` and ``txt-lines``: every value cell of a row that has a blank printed as nothing
  or as white space — the row then has fewer lines than the template's cells, and which
  cell is blank is not certain from the lines alone.
* ``txt-oneline``: every value cell of a row whose run of digits does not have exactly one
  split consistent with the row's own arithmetic (a 总计 cell is the sum of its row's parts;
  see :func:`govstats.reading.runtogether.run_candidates`) equal to the printed cells, and
  every value cell of a row with a blank printed as nothing or white space, with units or
  thousands separators (they are taken out, conservatively), with a decimal number beside
  another cell, or with placeholders only (``——`` may be one blank cell or two). Conservative on
  purpose: a reader that settles such a row by the table's column sums (as the corpus file's
  ``121010014`` rows need) is right too.

In 2021 reports the ``（六）其他处理`` total (``other``) is the sum of its three printed sub-rows,
so its cell in a column is ambiguous when one of theirs is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lxml import html as lxml_html

from govstats import schema
from govstats.reading import runtogether
from govstats.reading.numbers import is_value_text
from govstats.synth.toolforms import Form, Key
from govstats.synth.writing import write

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from govstats.reading.document import Block, Document
    from govstats.synth import GeneratedReport


# ---------------------------------------------------------------------------------------------
# The report's value rows (shared by the ambiguity rules)


def _value_rows(
    report: GeneratedReport,
) -> Iterator[tuple[list[Key], list[str], list, frozenset[int]]]:
    """Each printed row of values: its cell keys, printed texts, row sum constraints
    (:data:`govstats.reading.runtogether.Group`) and the indices of signed cells."""
    pub = report.layouts["publication"]
    for item, columns in schema.PUBLICATION[pub].values():
        keys = [("publication", item.code, c.code) for c in columns]
        signed = frozenset(
            i for i, c in enumerate(columns) if ("publication", c.code) in schema.SIGNED_CELLS
        )
        yield keys, [report.printed.get(k, "") for k in keys], [], signed
    layout = report.layouts["requests"]
    for item in schema.REQUEST_ITEMS[layout]:
        if layout == "2021" and item.code == "other":
            continue  # not printed: the sum of its sub-rows
        if report.merged_legal_person:
            keys = [("requests", item.code, c) for c in ("natural_person", "legal_person", "total")]
            aggregate = report.legal_person.get(item.code)
            texts = [
                report.printed.get(keys[0], ""),
                "" if aggregate is None else str(int(aggregate)),
                report.printed.get(keys[2], ""),
            ]
            yield keys, texts, [(2, (0, 1))], frozenset()
        else:
            keys = [("requests", item.code, c.code) for c in schema.REQUEST_COLUMNS]
            yield (
                keys,
                [report.printed.get(k, "") for k in keys],
                [(6, (0, 1, 2, 3, 4, 5))],
                frozenset(),
            )
    keys = [("review", i.code, c.code) for i in schema.REVIEW_ITEMS for c in schema.REVIEW_COLUMNS]
    groups = [(g * 5 + 4, (g * 5, g * 5 + 1, g * 5 + 2, g * 5 + 3)) for g in range(3)]
    yield keys, [report.printed.get(k, "") for k in keys], groups, frozenset()


def _with_other(report: GeneratedReport, keys: set[Key]) -> frozenset[Key]:
    """Add the 2021 ``other`` total's cell of each column where one of its sub-rows is ambiguous."""
    if report.layouts["requests"] == "2021":
        subs = {i.code for i in schema.OTHER_SUBROWS}
        for table, item, column in list(keys):
            if table == "requests" and item in subs:
                keys.add(("requests", "other", column))
    return frozenset(keys)


def _is_blank_line(text: str) -> bool:
    """A cell that leaves no line of its own (nothing printed, or white space only)."""
    return not text.strip()


def cells_of_blank_rows(report: GeneratedReport) -> frozenset[Key]:
    """One-cell-per-line forms: the value cells of rows with a cell that leaves no line."""
    out: set[Key] = set()
    for keys, texts, _, _ in _value_rows(report):
        if any(_is_blank_line(t) for t in texts):
            out.update(keys)
    return _with_other(report, out)


# ---------------------------------------------------------------------------------------------
# txt-cr


def _title_free_text(document: Document) -> list[Block]:
    """The blocks without the title line (the crawler keeps the title elsewhere)."""
    blocks = list(document.blocks)
    if blocks and blocks[0].kind == "text" and blocks[0].text == document.title:
        blocks = blocks[1:]
    return blocks


def _tables(blocks: list[Block]) -> Iterator[tuple[str, list[Block]]]:
    """Consecutive blocks grouped: ("text", [one block]) or ("table", [its rows])."""
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind != "row":
            yield "text", [block]
            i += 1
            continue
        j = i
        while j < len(blocks) and blocks[j].kind == "row" and blocks[j].table == block.table:
            j += 1
        yield "table", blocks[i:j]
        i = j


#: legal-person column labels a narrow cell wraps (the corpus file's 商业\r企业, 科研\r机构)
_WRAPPED_HEADERS = frozenset(c.label for c in schema.REQUEST_COLUMNS if len(c.label) == 4)


def _render_cr(document: Document, report: GeneratedReport, rng: np.random.Generator) -> str:
    cell_gap = int(rng.integers(1, 4))  # breaks between cells (3 in the corpus file)
    row_gap = cell_gap + int(rng.integers(1, 3))  # between rows (5 there)
    blank = "" if rng.random() < 0.5 else "\xa0"
    wrap = rng.random() < 0.5
    out: list[str] = ["\r"] if rng.random() < 0.5 else []
    previous = None
    for kind, blocks in _tables(_title_free_text(document)):
        if kind == "text":
            if previous == "table":
                out.append("\r" * (row_gap + int(rng.integers(0, 4))))
            elif previous == "text":
                out.append("\r\r" if rng.random() < 0.15 else "\r")
            out.append(blocks[0].text)
        else:
            out.append("\r" * (row_gap + int(rng.integers(0, 4))))
            rows = []
            for block in blocks:
                cells = []
                for cell in block.cells:
                    text = cell.text
                    if not text:
                        text = blank
                    elif wrap and text in _WRAPPED_HEADERS:
                        text = text[:2] + "\r" + text[2:]
                    cells.append(text)
                rows.append(("\r" * cell_gap).join(cells))
            out.append(("\r" * row_gap).join(rows))
        previous = kind
    if rng.random() < 0.5:
        out.append(f"\r\r\r\r附件：{document.title}")
    return "".join(out) + "\r"


# ---------------------------------------------------------------------------------------------
# txt-lines


def html_text_nodes(html: str) -> list[str]:
    """The text nodes of an HTML page in document order, as BeautifulSoup's ``strings`` gives
    them (``get_text(sep)`` is ``sep.join`` of these): element texts and tails, the white space
    between tags included, the doctype and comments excluded."""
    root = lxml_html.document_fromstring(html)
    out: list[str] = []

    def walk(element) -> None:
        if isinstance(element.tag, str) and element.text:
            out.append(element.text)
        for child in element:
            walk(child)
            if child.tail:
                out.append(child.tail)

    walk(root)
    return out


#: the line breaks other tools write (besides ``\n``)
LINE_BREAKS = ("\n", "\r\n", "\u2028", "\u2029", "\x0b", "\x0c", "\x85")


def _render_lines(document: Document, report: GeneratedReport, rng: np.random.Generator) -> str:
    text = "\n".join(html_text_nodes(write(document, "html")))
    main = LINE_BREAKS[int(rng.integers(len(LINE_BREAKS)))]
    mix = float(rng.choice([0.0, 0.05, 0.3]))
    pieces = text.split("\n")
    out = [pieces[0]]
    for piece in pieces[1:]:
        out.append(LINE_BREAKS[int(rng.integers(len(LINE_BREAKS)))] if rng.random() < mix else main)
        out.append(piece)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# txt-oneline

#: section separators of one-paragraph page text (one per document)
ONELINE_SEPARATORS = ("", " ", "\u3000\u3000")


def _front_matter(report: GeneratedReport, title: str, rng: np.random.Generator) -> str:
    """A breadcrumb or a page's metadata block, as crawlers keep them before the article."""
    year = report.year + 1
    if rng.random() < 0.5:
        return (
            f"当前位置：首页 > 政务公开 > 政府信息公开年报 > {title}"
            if rng.random() < 0.5
            else "首页>信息公开>政府信息公开年报>正文"
        )
    return (
        f"索引号：{report.body.region_code}/{year}-{int(rng.integers(1, 999)):05d}"
        f"发布机构：{report.body.name}发布日期：{year}年01月{int(rng.integers(10, 31))}日"
        f"主题分类：政务公开浏览次数：{int(rng.integers(10, 9999))}"
    )


def _render_oneline(document: Document, report: GeneratedReport, rng: np.random.Generator) -> str:
    sep = ONELINE_SEPARATORS[int(rng.integers(len(ONELINE_SEPARATORS)))]
    title = document.title or ""
    blocks = _title_free_text(document)
    parts: list[str] = []  # sections, joined by ``sep``
    if rng.random() < 0.5:
        parts.append(_front_matter(report, title, rng))
    if rng.random() < 0.5:
        parts.append(title)
    for kind, group in _tables(blocks):
        if kind == "text":
            parts.append(group[0].text)
            continue
        pieces: list[str] = []
        last_label = False
        for block in group:
            for cell in block.cells:
                label = bool(cell.text) and not is_value_text(cell.text)
                if label and last_label and sep == "\u3000\u3000" and rng.random() < 0.15:
                    pieces.append(sep)
                pieces.append(cell.text)
                last_label = label
        # a table follows its heading with nothing between them
        parts[-1] = parts[-1] + "".join(pieces) if parts else "".join(pieces)
    if rng.random() < 0.5:
        parts.append(f"附件下载：{title}.pdf")
    lead = str(rng.choice(["", "\n\n", sep])) if sep else str(rng.choice(["", "\n\n"]))
    return lead + sep.join(parts) + (sep if sep and rng.random() < 0.5 else "")


_UNITS = re.compile(r"[件,，]|万元|元")


def cells_of_unsplit_runs(report: GeneratedReport) -> frozenset[Key]:
    out: set[Key] = set()
    for keys, texts, groups, signed in _value_rows(report):
        if len(keys) == 1:
            continue  # one number between two labels: its own digits whatever they are
        if (
            any(_is_blank_line(t) for t in texts)
            or any(_UNITS.search(t) or "." in t or "．" in t for t in texts)
            or not any(c.isdecimal() for t in texts for c in t)
        ):  # placeholders only: how many?
            out.update(keys)
            continue
        found = runtogether.run_candidates("".join(texts), len(keys), groups, signed)
        want = [
            report.legal_person.get(k[1]) if k[2] == "legal_person" else report.value(*k)
            for k in keys
        ]
        if not found or len(found) != 1 or not _same_split(found[0], want):
            out.update(keys)
        elif not groups and any(
            runtogether.run_candidates("".join(texts), k) for k in range(1, len(keys))
        ):
            out.update(
                keys
            )  # no arithmetic, and the digits also make fewer numbers: a blank may have vanished
    return _with_other(report, out)


def _same_split(split: tuple, want: list) -> bool:
    """The one split is the truth: a placeholder where the cell is blank, else its number."""
    for got, value in zip(split, want, strict=True):
        if value is None:
            if not isinstance(got, str):
                return False
        elif isinstance(got, str) or got != value:
            return False
    return True


FORMS = (
    Form(
        "txt-cr",
        ".txt",
        "crawler text with carriage returns as the only line breaks, one cell per line, "
        "no title (2022_hebei-jyt_txt-cr.txt)",
        _render_cr,
        cells_of_blank_rows,
    ),
    Form(
        "txt-lines",
        ".txt",
        "BeautifulSoup get_text('\\n') of the HTML page, line breaks of every kind",
        _render_lines,
        cells_of_blank_rows,
    ),
    Form(
        "txt-oneline",
        ".txt",
        "the whole page text as one paragraph, digits of adjacent cells run together "
        "(2022_hebei-gxt_txt-oneline.txt)",
        _render_oneline,
        cells_of_unsplit_runs,
    ),
)
