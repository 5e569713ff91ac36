"""Tables printed in pieces (class 5 of issue 12), in markdown and in HTML.

Real reports print the template's tables as several small tables:

* table 二 as four sub-tables, each under its own ``第二十条第（X）项`` heading line, each with
  its own ``信息内容 | …`` header and only the columns of its section;
* table 四 as three small tables under the headings ``行政复议``,
  ``行政诉讼（未经复议直接起诉）`` and ``行政诉讼（复议后起诉）``, each with the five header
  cells ``结果维持 | 结果纠正 | 其他结果 | 尚未审结 | 总计`` and one row of numbers;
* table 三 cut by page breaks: into two to four pieces, or into one-row tables, with page
  furniture between them (``- 4 -``, ``— 5 —``, ``第4页``), the section heading printed again
  (``…（续）``) and the header rows repeated or not; a group label's merged cell is cut at the
  break (its sub-rows on the next page print without it).

Every cell stays readable: the form makes no cell ambiguous.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from govstats import schema
from govstats.reading.document import Block, Cell, Document
from govstats.synth.toolforms import Form
from govstats.synth.writing import write

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from govstats.synth import GeneratedReport

#: the headings table 四's pieces print, in template order
REVIEW_PIECE_HEADINGS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")
_FURNITURE = ("- {n} -", "— {n} —", "第{n}页", "第 {n} 页", "{n}")


def tables(doc: Document) -> list[tuple[list[Block], list[Block]]]:
    """The document cut at its tables: (text blocks before the table, the table's rows) per
    table, and the text after the last table as a final entry without rows."""
    out: list[tuple[list[Block], list[Block]]] = []
    texts: list[Block] = []
    rows: list[Block] = []
    current = None
    for block in doc.blocks:
        if block.kind == "row" and block.table == current:
            rows.append(block)
            continue
        if rows:
            out.append((texts, rows))
            texts, rows = [], []
        if block.kind == "row":
            current = block.table
            rows.append(block)
        else:
            current = None
            texts.append(block)
    if rows:
        out.append((texts, rows))
        texts = []
    out.append((texts, []))
    return out


class _Pieces:
    """A new Document built piece by piece (tables renumbered in order)."""

    def __init__(self, doc: Document):
        self.doc = Document(name=doc.name, format=doc.format, title=doc.title)
        self.table = 0

    def text(self, text: str) -> None:
        where = f"block {len(self.doc.blocks) + 1}"
        self.doc.blocks.append(Block("text", [Cell(text, where)], where))

    def table_of(self, rows: list[list[Cell]]) -> None:
        self.table += 1
        for n, cells in enumerate(rows, 1):
            self.doc.blocks.append(
                Block("row", cells, f"table {self.table} row {n}", table=self.table)
            )


def _plain(text: str) -> Cell:
    return Cell(text, "")


def _publication(out: _Pieces, rows: list[Block]) -> None:
    """Table 二 as one small table per 第二十条 section, under its heading line."""
    piece: list[list[Cell]] = []
    width = 0
    for block in rows:
        cells = block.cells
        if len(cells) == 1:  # the section row spanning the table: a heading line of its own
            if piece:
                out.table_of(piece)
            piece = []
            out.text(cells[0].text)
            continue
        if cells[0].text == schema.PUBLICATION_ROW_HEADER:  # the section's own columns only
            width = len([c for c in cells if c.text])
        piece.append([_plain(c.text) for c in cells[:width]])  # (no colspan, no spacer cell)
    if piece:
        out.table_of(piece)


def _review(out: _Pieces, rows: list[Block]) -> None:
    """Table 四 as three small tables under their headings, five header cells and one row."""
    header_row = rows[2].cells[:5]
    data = rows[-1].cells
    for k, heading in enumerate(REVIEW_PIECE_HEADINGS):
        out.text(heading)
        out.table_of(
            [
                [_plain(c.text) for c in header_row],
                [_plain(c.text) for c in data[5 * k : 5 * k + 5]],
            ]
        )


def _requests(
    out: _Pieces, rows: list[Block], rng: np.random.Generator, page: list[int], n_header: int
) -> None:
    """Table 三 cut by page breaks, with page furniture and repeated headings between pieces."""
    header, body = rows[:n_header], rows[n_header:]
    one_row = rng.random() < 0.3
    if one_row:
        cuts = list(range(1, len(body)))  # one-row tables (a page furniture line at some cuts)
    else:
        k = int(rng.integers(1, 4))
        cuts = sorted(set(int(c) for c in rng.integers(1, len(body), size=k)))
    repeat_header = rng.random() < 0.5
    repeat_heading = rng.random() < 0.5
    furniture = str(rng.choice(_FURNITURE))
    bounds = [0] + cuts + [len(body)]
    for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False)):
        piece: list[list[Cell]] = []
        if i == 0 or repeat_header:
            piece += [list(h.cells) for h in header]
        piece += _clip(body, a, b)
        out.table_of(piece)
        if b < len(body) and (not one_row or rng.random() < 0.3):
            page[0] += 1
            out.text(furniture.format(n=page[0]))
            if repeat_heading:
                out.text(schema.TABLE_LABELS["requests"] + "（续）")


def _clip(body: list[Block], a: int, b: int) -> list[list[Cell]]:
    """Rows ``a:b`` of the body with merged label cells cut at the piece's end."""
    out = []
    for at in range(a, b):
        cells = []
        for c in body[at].cells:
            rowspan = min(c.rowspan, b - at)
            cells.append(Cell(c.text, c.source, rowspan, c.colspan))
        out.append(cells)
    return out


def pieces_document(doc: Document, report: GeneratedReport, rng: np.random.Generator) -> Document:
    """``doc`` (of ``report``) with its three statistical tables printed in pieces."""
    out = _Pieces(doc)
    page = [int(rng.integers(2, 6))]
    parts = tables(doc)
    for k, (texts, rows) in enumerate(parts):
        for block in texts:
            out.text(block.text)
        if not rows:
            continue
        if k == 0:
            _publication(out, rows)
        elif k == 1:
            _requests(out, rows, rng, page, 2 if report.merged_legal_person else 3)
        else:
            _review(out, rows)
    return out.doc


def _render_markdown(document: Document, report: GeneratedReport, rng: np.random.Generator) -> str:
    return write(pieces_document(document, report, rng), "markdown")


def _render_html(document: Document, report: GeneratedReport, rng: np.random.Generator) -> str:
    return write(pieces_document(document, report, rng), "html")


FORMS = (
    Form(
        "pieces-markdown",
        ".md",
        "markdown with tables printed in pieces: table 二 per 第二十条 section, table 四 as three "
        "small tables under 行政复议 / 行政诉讼（…） headings, "
        "table 三 cut by page breaks with page furniture",
        _render_markdown,
    ),
    Form(
        "pieces-html",
        ".html",
        "an HTML page with tables printed in pieces (as pieces-markdown), merged cells cut at "
        "the page breaks",
        _render_html,
    ),
)
