"""Read a report published as PDF into the shared :class:`~govstats.reading.document.Document`.

Built on pdfplumber (pdfminer.six underneath). The reader knows page geometry, not the
template: it finds the tables a page draws with ruling lines, reads each cell's characters by
position, and turns the text around the tables into paragraphs.

* **Tables** come from the page's *visible* rules only (stroked lines, stroked rectangles, thin
  filled bars). White cell backgrounds and shaded paragraphs are ignored, so a page whose body
  text sits in white boxes is not mistaken for a table. Each drawn table is closed at its top and
  bottom so that a merged cell cut by a page break (it loses its edge there) is still a cell.
* **Cells** are read as printed: a merged cell appears once with its row/column span counted
  on the table's grid; its characters are assigned by position, so digits of neighbouring cells
  never run together and never change order. Lines inside a cell are joined (without a space
  between two CJK characters: a PDF line break is layout, not text).
* **Pages**: a table that runs to the foot of one page and resumes at the top of the next is one
  table; a repeated header on the new page is dropped; a merged left-hand cell cut by the page
  break is joined back (its row span grows instead of an empty cell being printed twice). Page
  furniture (page numbers such as ``- 3 -``, ``第3页``, ``3/5``; a running header or footer
  repeated on most pages) never becomes a block.
* **Tables without rules** (on pages that draw none): rows are lines ending in numbers; value
  columns are found by lining the numbers up across rows, cells are cut at wide gaps and at any
  gap next to a digit (digits of neighbouring cells never run together), and wrapped label
  lines join the row they belong to. Best effort: labels of neighbouring columns printed with
  no gap at all between them cannot be told apart without rules.
* **Text**: lines outside tables are joined into paragraphs (a paragraph ends at a short line,
  an indented line, a heading-sized gap or a change of font size), across a page break too.
  ``Document.title`` is the largest-type heading of the first page.

Glyphs some PDF producers map to Kangxi radicals (``⼈`` U+2F08 for ``人``) are read as the
ideographs they depict. A PDF without a text layer (a scan) or one that cannot be opened
(encrypted, damaged) raises :class:`govstats.ParseError` naming the file.
"""

from __future__ import annotations

import bisect
import io
import logging
import re
import statistics
import unicodedata
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from govstats.errors import ParseError
from govstats.reading.document import Block, Cell, Document

#: a char, as pdfplumber gives it (dict with text, x0, x1, top, bottom, size, ...)
Char = dict

#: pdf points; positions closer than this are the same rule / the same line
SNAP = 3.0
#: share of the page height at top and bottom where headers and footers live
MARGIN_ZONE = 0.12
#: a gap wider than this many character sizes splits a line into cells (unruled tables)
CELL_GAP_EM = 0.9
#: a gap wider than this many character sizes inside a cell or paragraph line is a space
SPACE_GAP_EM = 0.25

_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－_·•]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*(?:/|／|of|共)\s*\d{1,4}\s*页?)?[\s\-—–－_·•]*$"
    r"|^\s*(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$"
)
_NUMERIC = re.compile(r"^[\s+\-−－]*[0-9０-９][0-9０-９,，.．\s]*(?:%|％|元|万元|件|个|条|项)?$")
_DIGITS = re.compile(r"\d+")
_PLACEHOLDER = re.compile(r"^[\s—\-－–/／无]+$")


def read_pdf(data: bytes, name: str) -> Document:
    """Read the bytes of a PDF report into a :class:`Document` (format ``"pdf"``).

    ``name`` is how messages name the file. Cell sources read ``page 3 (x=120, y=455)``: the
    1-based page and the top-left corner of the cell or line in PDF points from the page's
    top-left. Raises :class:`ParseError` when the PDF cannot be opened (encrypted, damaged) or
    has no text layer (a scan: OCR is not done).
    """
    with _quiet_pdfminer():
        pages, meta_title = _open_pages(data, name)
        reader = _Reader(name)
        reader.meta_title = meta_title
        for number, page in enumerate(pages, start=1):
            reader.add_page(number, page)
        try:
            return reader.finish()
        except ParseError:
            raise
        except Exception as exc:  # a page the layout cannot make sense of: say so, no traceback
            raise ParseError(
                f"the PDF's pages could not be laid out ({type(exc).__name__}: {exc})", source=name
            ) from exc


# ---------------------------------------------------------------------------------------
# opening


@contextmanager
def _quiet_pdfminer() -> Iterator[None]:
    """pdfminer logs a warning per glyph of some embedded fonts; keep them off stderr."""
    logger = logging.getLogger("pdfminer")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


@dataclass
class _Page:
    width: float
    height: float
    chars: list[Char]
    edges: list[dict]
    images: int
    tables: list = field(default_factory=list)  # pdfplumber Table objects


def _open_pages(data: bytes, name: str) -> tuple[list[_Page], str | None]:
    """The pages' characters, visible rules and tables, and the document's metadata title."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    if b"%PDF" not in data[:1024]:
        raise ParseError("not a PDF file (no %PDF header)", source=name)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        cause = exc.__cause__ or exc.__context__ or exc
        if isinstance(exc, (PDFPasswordIncorrect, PDFEncryptionError)) or isinstance(
            cause, (PDFPasswordIncorrect, PDFEncryptionError)
        ):
            raise ParseError(
                "the PDF is encrypted (password-protected); it cannot be read without the password",
                source=name,
            ) from exc
        raise ParseError(
            f"the PDF is damaged and cannot be opened ({type(cause).__name__}: {cause})", source=name
        ) from exc
    pages: list[_Page] = []
    try:
        meta_title = _metadata_title(pdf)
        try:
            page_list = list(pdf.pages)
        except Exception as exc:
            raise ParseError(f"the PDF is damaged: its page tree cannot be read ({exc})", source=name) from exc
        if not page_list:
            raise ParseError("the PDF has no pages", source=name)
        for number, page in enumerate(page_list, start=1):
            try:
                chars = [_clean_char(c) for c in page.chars if c.get("text")]
                edges = _visible_edges(page)
                item = _Page(float(page.width), float(page.height), chars, edges, len(page.images))
                if edges:
                    item.tables = _find_tables(page, edges)
            except ParseError:
                raise
            except Exception as exc:
                raise ParseError(
                    f"the PDF is damaged and cannot be read ({type(exc).__name__}: {exc})",
                    source=name,
                    where=f"page {number}",
                ) from exc
            page.flush_cache()
            pages.append(item)
    finally:
        _close_quietly(pdf)
    if not any(p.chars for p in pages):
        images = sum(p.images for p in pages)
        what = f"its {len(pages)} page(s) hold {images} image(s) and no text" if images else "it holds no text"
        raise ParseError(
            f"the PDF has no text layer ({what}): it looks like a scan, and OCR is not done; "
            "publish or obtain a PDF with text, or the report in another format",
            source=name,
        )
    return pages, meta_title


def _close_quietly(pdf) -> None:
    """Close the document; a damaged page tree can make closing fail too, which must not
    replace the error that explains the file."""
    try:
        pdf.close()
    except Exception:  # the file is already being reported as unreadable (or was read)
        pass


def _metadata_title(pdf) -> str | None:
    """The Title of the PDF's info dictionary when it reads as CJK text (not mojibake)."""
    try:
        title = (pdf.metadata or {}).get("Title")
    except Exception:  # a broken info dictionary only costs the title
        return None
    if not isinstance(title, str):
        return None
    title = _fold(title)
    if not any(_is_cjk(ch) for ch in title) or any("\u0080" <= ch <= "\u00ff" for ch in title):
        return None
    return "".join(_ideograph(ch) for ch in title)


#: CJK Radicals Supplement forms that are glyph-identical to common (simplified) ideographs;
#: Unicode gives them no decomposition, so NFKC leaves them alone.
_RADICAL_SUPPLEMENT = dict(
    zip(
        "⺁⺊⺒⺓⺝⺟⺠⺩⺼⻁⻄⻅⻆⻈⻉⻋⻓⻔⻘⻚⻛⻜⻝⻠⻢⻣⻤⻥⻦⻧⻨⻩⻪⻬⻮⻰⻳⺰",
        "厂卜巳幺月母民王月虎西见角讠贝车长门青页风飞食饣马骨鬼鱼鸟卤麦黄黾齐齿龙龟纟",
    )
)


def _ideograph(ch: str) -> str:
    if "\u2f00" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff":  # Kangxi radicals, compatibility ideographs
        return unicodedata.normalize("NFKC", ch)
    return _RADICAL_SUPPLEMENT.get(ch, ch)


def _clean_char(char: Char) -> Char:
    """Radical and compatibility code points some PDF producers emit stand for the ideographs
    they are drawn as (``⼈`` U+2F08 is ``人``): read them as those ideographs."""
    text = char["text"]
    if any("\u2e80" <= ch <= "\u2fdf" or "\uf900" <= ch <= "\ufaff" for ch in text):
        char = dict(char, text="".join(_ideograph(ch) for ch in text))
    return char


# ---------------------------------------------------------------------------------------
# ruling lines and tables


def _is_visible(color) -> bool:
    """A colour that shows on white paper (pdfminer colours: gray, RGB or CMYK tuples)."""
    if color is None:
        return True  # the PDF default colour is black
    if isinstance(color, (int, float)):
        color = (color,)
    try:
        values = [float(v) for v in color]
    except (TypeError, ValueError):
        return True  # a pattern or named colour space: assume it is drawn
    if len(values) == 1:
        return values[0] < 0.9
    if len(values) == 3:
        return min(values) < 0.9
    if len(values) == 4:  # CMYK: white is all zero
        return max(values) > 0.1
    return True


def _edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    return {
        "object_type": "rule_edge",
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
    }


def _visible_edges(page) -> list[dict]:
    """Horizontal and vertical rules a reader would see: stroked lines/paths, thin filled bars."""
    edges: list[dict] = []
    for obj in list(page.rects):
        x0, x1, top, bottom = obj["x0"], obj["x1"], obj["top"], obj["bottom"]
        w, h = x1 - x0, bottom - top
        if obj.get("fill") and _is_visible(obj.get("non_stroking_color")) and min(w, h) <= SNAP:
            if w >= h:
                edges.append(_edge("h", x0, x1, (top + bottom) / 2, (top + bottom) / 2))
            else:
                edges.append(_edge("v", (x0 + x1) / 2, (x0 + x1) / 2, top, bottom))
        elif obj.get("stroke") and _is_visible(obj.get("stroking_color")):
            edges += [
                _edge("h", x0, x1, top, top),
                _edge("h", x0, x1, bottom, bottom),
                _edge("v", x0, x0, top, bottom),
                _edge("v", x1, x1, top, bottom),
            ]
    for obj in list(page.lines) + list(page.curves):
        if not _is_visible(obj.get("stroking_color")):
            continue
        points = obj.get("pts") or [(obj["x0"], obj["top"]), (obj["x1"], obj["bottom"])]
        for (ax, ay), (bx, by) in zip(points, points[1:]):
            # pdfplumber gives pts with y from the top in recent versions
            if abs(ay - by) <= 0.5 and abs(ax - bx) > SNAP:
                edges.append(_edge("h", min(ax, bx), max(ax, bx), ay, ay))
            elif abs(ax - bx) <= 0.5 and abs(ay - by) > SNAP:
                edges.append(_edge("v", ax, ax, min(ay, by), max(ay, by)))
    return edges


def _bands(edges: list[dict]) -> list[list[dict]]:
    """The rules grouped by table: blocks of vertically connected vertical rules, each with
    the horizontal rules in its height, closed at its top and bottom.

    A table cut by a page break often lacks the rule where it was cut (and a merged cell there
    has no edge at all); closing each block gives those cells back (a closing rule over an
    existing one changes nothing). Tables are found band by band so that pdfplumber's
    snapping, which pulls together rules at nearby x anywhere on the page, never moves a
    column of one table onto the column of another.
    """
    verticals = sorted((e for e in edges if e["orientation"] == "v"), key=lambda e: e["top"])
    groups: list[list[dict]] = []
    for e in verticals:
        if groups and e["top"] <= max(g["bottom"] for g in groups[-1]) + SNAP:
            groups[-1].append(e)
        else:
            groups.append([e])
    bands = []
    for group in groups:
        x0 = min(e["x0"] for e in group)
        x1 = max(e["x0"] for e in group)
        if len(group) < 2 or x1 - x0 < 2 * SNAP:
            continue
        top = min(e["top"] for e in group)
        bottom = max(e["bottom"] for e in group)
        horizontals = [
            e
            for e in edges
            if e["orientation"] == "h"
            and top - SNAP <= e["top"] <= bottom + SNAP
            and e["x1"] >= x0 - SNAP
            and e["x0"] <= x1 + SNAP
        ]
        closing = [_edge("h", x0, x1, top, top), _edge("h", x0, x1, bottom, bottom)]
        bands.append(group + horizontals + closing)
    return bands


def _find_tables(page, edges: list[dict]) -> list:
    """pdfplumber tables on the visible rules, band by band, single boxed cells included."""
    from pdfplumber.table import Table, TableFinder, TableSettings

    found = []
    for band in _bands(edges):
        settings = {
            "vertical_strategy": "explicit",
            "horizontal_strategy": "explicit",
            "explicit_vertical_lines": [e for e in band if e["orientation"] == "v"],
            "explicit_horizontal_lines": [e for e in band if e["orientation"] == "h"],
            "snap_tolerance": SNAP,
            "join_tolerance": SNAP,
            "intersection_tolerance": SNAP,
        }
        finder = TableFinder(page, TableSettings.resolve(settings))
        tables = list(finder.tables)
        # pdfplumber drops single-cell tables; a boxed line may be a table's lone first row
        grouped = {tuple(c) for t in tables for c in t.cells}
        found += tables + [Table(page, (cell,)) for cell in finder.cells if tuple(cell) not in grouped]
    return found


# ---------------------------------------------------------------------------------------
# text lines


@dataclass
class _Line:
    """One visual line of characters (sorted left to right)."""

    chars: list[Char]

    @property
    def x0(self) -> float:
        return min(c["x0"] for c in self.chars)

    @property
    def x1(self) -> float:
        return max(c["x1"] for c in self.chars)

    @property
    def top(self) -> float:
        return min(c["top"] for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c["bottom"] for c in self.chars)

    @property
    def size(self) -> float:
        sizes = Counter(round(float(c.get("size") or (c["bottom"] - c["top"])), 1) for c in self.chars)
        return sizes.most_common(1)[0][0] or 10.0

    @property
    def text(self) -> str:
        return _chars_text(self.chars)


def _chars_text(chars: list[Char]) -> str:
    """Characters of one line as text: a space where the PDF has one, or a visible gap that is
    not between two CJK characters (there it is justification)."""
    parts: list[str] = []
    prev = None
    for c in chars:
        if prev is not None and not c["text"].isspace() and not (_is_cjk(prev["text"][-1:]) and _is_cjk(c["text"][:1])):
            # a gap between two CJK characters is justification, not a space
            size = max(float(prev.get("size") or 10.0), 1.0)
            if c["x0"] - prev["x1"] > SPACE_GAP_EM * size:
                parts.append(" ")
        parts.append(c["text"])
        prev = c
    return _fold(" ".join(["".join(parts)]))


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _group_lines(chars: list[Char]) -> list[_Line]:
    """Characters into visual lines: a char joins a line its vertical middle falls in."""
    lines: list[list[Char]] = []
    bounds: list[tuple[float, float]] = []
    for c in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        mid = (c["top"] + c["bottom"]) / 2
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = bounds[i]
            if top <= mid <= bottom:
                lines[i].append(c)
                break
        else:
            lines.append([c])
            bounds.append((c["top"], c["bottom"]))
    out = [_Line(sorted(line, key=lambda c: c["x0"])) for line in lines]
    out = [line for line in out if line.text]
    return sorted(out, key=lambda line: (line.top, line.x0))


def _is_cjk(ch: str) -> bool:
    return bool(ch) and (
        "\u3000" <= ch <= "\u303f"
        or "\u3400" <= ch <= "\u9fff"
        or "\uf900" <= ch <= "\ufaff"
        or "\uff00" <= ch <= "\uffef"
        or ch in "“”‘’、，。：；！？（）《》"
    )


def _join_wrapped(parts: list[str]) -> str:
    """Join lines of one cell or paragraph: no space between two CJK characters."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and not (_is_cjk(out[-1]) and _is_cjk(part[0])):
            out += " "
        out += part
    return _fold(out)


def _where(page: int, x: float, y: float) -> str:
    return f"page {page} (x={round(x)}, y={round(y)})"


# ---------------------------------------------------------------------------------------
# page content as items in reading order


@dataclass
class _TablePart:
    """The part of one table drawn on one page (rows of cells, with their geometry)."""

    page: int
    top: float
    bottom: float
    x0: float
    x1: float
    rows: list[list[Cell]]
    boxes: list[list[tuple[float, float]]]  # per row, per cell: (x0, x1)
    n_grid_rows: int
    starts: list[int]  # grid row each emitted row starts at
    spans: list[list[int]]  # per row, per cell: grid rows covered
    cut: list[list[bool]]  # per row, per cell: its text runs into (or past) its bottom rule
    lines: list[_Line] = field(default_factory=list)  # the text lines it consumed
    single: bool = False  # drawn as one column: a boxed line, or a table's lone header row

    def reaches_foot(self, r: int, i: int) -> bool:
        return self.starts[r] + self.spans[r][i] >= self.n_grid_rows

    def drop_cells(self, r: int, keep: list[int]) -> None:
        self.rows[r] = [self.rows[r][i] for i in keep]
        self.boxes[r] = [self.boxes[r][i] for i in keep]
        self.spans[r] = [self.spans[r][i] for i in keep]
        self.cut[r] = [self.cut[r][i] for i in keep]

    def drop_rows(self, k: int) -> None:
        for name in ("rows", "boxes", "starts", "spans", "cut"):
            setattr(self, name, getattr(self, name)[k:])


@dataclass
class _OpenCell:
    """A cell whose span reached the foot of its page: it may go on on the next page."""

    box: tuple[float, float]  # x0, x1
    cell: Cell  # as emitted (replaced when it grows)
    cut: bool  # its text ran into the page break
    last_row: bool  # it is a cell of the last row before the break


_ENUMERATOR = re.compile(r"^[（(]?[一二三四五六七八九十百\d]+[)）、.．]")


class _Reader:
    """Turns the pages' items (table parts and text lines) into blocks, page after page."""

    def __init__(self, name: str):
        self.name = name
        self.blocks: list[Block] = []
        self.warnings: list[str] = []
        self.title: str | None = None
        self.meta_title: str | None = None
        self.table_count = 0
        self._pages: list[tuple[int, _Page]] = []
        self._open_table: _TablePart | None = None  # the table the previous item was
        self._open_table_number: int | None = None
        self._open_cells: list[_OpenCell] = []
        self._open_paragraph: list[_Line] | None = None
        self._right: dict[int, float] = {}  # right edge of the text, per page
        self._boxes: dict[int, tuple[Cell, tuple[float, float]]] = {}  # id(cell) -> (cell, (x0, x1))

    # Pages are collected first: furniture (running headers) is recognised across pages.
    def add_page(self, number: int, page: _Page) -> None:
        self._pages.append((number, page))

    def finish(self) -> Document:
        furniture = _running_furniture(self._pages)
        for number, page in self._pages:
            if page.images and not page.chars:
                self.warnings.append(
                    f"{self.name}: page {number} is an image without a text layer (a scanned page?); "
                    "its content was not read (OCR is not done)"
                )
        stream: list[tuple[int, _TablePart | _Line]] = []
        for number, page in self._pages:
            stream += [(number, item) for item in self._page_items(number, page, furniture)]
        stream = _isolated_singles_to_text(stream)
        previous_page = None
        previous_item = None
        for number, item in stream:
            if isinstance(item, _TablePart):
                self._flush_paragraph()
                continues = (
                    isinstance(previous_item, _TablePart) and previous_page is not None and number > previous_page
                )
                self._add_table(item, continues)
            else:
                self._open_table = None
                self._add_line(item)
            previous_page, previous_item = number, item
        self._flush_paragraph()
        self._table_wide_colspans()
        return Document(
            name=self.name,
            format="pdf",
            blocks=self.blocks,
            title=self.title or self.meta_title,
            warnings=self.warnings,
        )

    # -- one page -------------------------------------------------------------------------
    def _page_items(self, number: int, page: _Page, furniture: set[str]) -> list[_TablePart | _Line]:
        """The page's table parts and loose text lines in reading order (top to bottom)."""
        tables = list(page.tables)
        boxes = [t.bbox for t in tables]
        per_table: list[list[Char]] = [[] for _ in tables]
        loose: list[Char] = []
        for c in page.chars:
            cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
            for i, (x0, top, x1, bottom) in enumerate(boxes):
                if x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1:
                    per_table[i].append(c)
                    break
            else:
                loose.append(c)
        lines = [ln for ln in _group_lines(loose) if not _is_furniture(ln, page, furniture)]
        overflow = _overflow_lines(tables, lines, page.chars)
        lines = [ln for ln in lines if id(ln) not in {id(o) for o in overflow}]
        if self.title is None and number <= 2:
            self._take_title(lines)
        self._right[number] = max((ln.x1 for ln in lines), default=page.width)

        items: list[_TablePart | _Line] = []
        for i, (t, chars) in enumerate(zip(tables, per_table)):
            spill = [c for ln in overflow if ln.table == i for c in ln.chars]  # type: ignore[attr-defined]
            part = _table_part(number, t, chars, spill)
            if part.rows:
                items.append(part)
            elif part.lines:
                items += part.lines
        if not tables:
            parts = _unruled_tables(number, lines)
            claimed = {id(ln) for part in parts for ln in part.lines}
            lines = [ln for ln in lines if id(ln) not in claimed]
            items += parts
        items += lines
        items.sort(key=lambda it: it.top)
        return items

    def _take_title(self, lines: list[_Line]) -> None:
        top_lines = lines[:12]
        if not top_lines:
            return
        biggest = max(ln.size for ln in top_lines)
        body = Counter(round(ln.size) for ln in lines).most_common(1)[0][0]
        if biggest < body * 1.15:
            return
        group: list[_Line] = []
        for ln in top_lines:
            if ln.size >= biggest * 0.95:
                group.append(ln)
            elif group:
                break
        if group:
            self.title = _join_wrapped([ln.text for ln in group])

    # -- text -----------------------------------------------------------------------------
    def _add_line(self, line: _Line) -> None:
        para = self._open_paragraph
        if para:
            last = para[-1]
            size = max(last.size, 1.0)
            last_page, this_page = _page_of(last), _page_of(line)
            gap = line.top - last.bottom if last_page == this_page else 0.0
            left = min(ln.x0 for ln in para)
            right = max([ln.x1 for ln in para] + [self._right.get(last_page, 0.0)])
            joins = (
                last.x1 >= right - 2.5 * size  # the last line was full: the paragraph goes on
                and line.x0 <= left + 1.2 * size  # the new line is not indented
                and abs(line.x0 - left) < 3 * size
                and abs(line.size - last.size) < 0.5
                and -0.5 * size < gap < 1.2 * size
            )
            if not joins:
                self._flush_paragraph()
        if self._open_paragraph is None:
            self._open_paragraph = []
        self._open_paragraph.append(line)

    def _flush_paragraph(self) -> None:
        para, self._open_paragraph = self._open_paragraph, None
        if not para:
            return
        text = _join_wrapped([ln.text for ln in para])
        if text:
            where = _where(_page_of(para[0]), para[0].x0, para[0].top)
            self.blocks.append(Block(kind="text", cells=[Cell(text, where)], source=where))

    # -- tables ---------------------------------------------------------------------------
    def _add_table(self, part: _TablePart, continues: bool) -> None:
        previous = self._open_table
        carried: list[_OpenCell] = []
        if continues and previous is not None and _compatible(previous, part):
            number = self._open_table_number
            _drop_repeated_header(self._rows_of(number), part)
            carried = self._join_across_break(part)
        else:
            self.table_count += 1
            number = self.table_count
        for row, boxes in zip(part.rows, part.boxes):
            if row:
                self.blocks.append(Block(kind="row", cells=row, source=row[0].source, table=number))
                for cell, box in zip(row, boxes):
                    self._boxes[id(cell)] = (cell, box)
        # cells whose span reaches the foot of this part may go on at the top of the next page
        self._open_cells = [
            _OpenCell(part.boxes[r][i], cell, part.cut[r][i], r == len(part.rows) - 1)
            for r, row in enumerate(part.rows)
            for i, cell in enumerate(row)
            if part.reaches_foot(r, i)
        ] + carried
        self._open_table = part
        self._open_table_number = number

    def _table_wide_colspans(self) -> None:
        """Count column spans on the grid of the whole table, all its pages together: a part
        drawn on one page only knows the column rules of its own rows."""
        grids: dict[int | None, list[float]] = {}
        for block in self.blocks:
            if block.kind == "row":
                grids.setdefault(block.table, []).extend(
                    v for c in block.cells if self._box(c) for v in self._box(c)  # type: ignore[union-attr]
                )
        xs = {table: _grid(values) for table, values in grids.items()}
        for block in self.blocks:
            if block.kind != "row":
                continue
            grid = xs[block.table]
            for i, cell in enumerate(block.cells):
                box = self._box(cell)
                if box is None:
                    continue
                span = _index(grid, box[1]) - _index(grid, box[0])
                if span >= 1 and span != cell.colspan:
                    block.cells[i] = cell._replace(colspan=span)

    def _box(self, cell: Cell) -> tuple[float, float] | None:
        kept = self._boxes.get(id(cell))
        return kept[1] if kept is not None and kept[0] is cell else None

    def _rows_of(self, number: int | None) -> list[list[str]]:
        return [[c.text for c in b.cells] for b in self.blocks if b.kind == "row" and b.table == number]

    def _join_across_break(self, part: _TablePart) -> list[_OpenCell]:
        """Re-join what the page break cut: a merged cell, or a whole row.

        The cells at the top of the new page are matched by column with the cells of the
        page before whose span reached its foot.

        * A *row* cut by the break (a long label wrapping onto the new page): every cell of the
          new page's first row continues a cell of the last row before the break, none starts
          a numbered item (``3.``, ``（四）``), and a cell of that row ran into the break, or
          some column has text in one half only and no column has numbers in both halves.
          The halves become one row again.
        * Otherwise each *merged cell* cut by the break grows its span instead of being
          printed twice: the new page's cell is empty under a merged cell or under a label
          (never under a number or a blank: a blank cell is just blank), or the old one is an
          empty merged cell (its text printed below the break), or the old one's text ran
          into the break.

        Returns the grown cells (they may run on to the next page).
        """
        if not part.rows or not self._open_cells:
            return []
        row0 = part.rows[0]
        matches: list[int | None] = []
        for box in part.boxes[0]:
            matches.append(
                next(
                    (
                        k
                        for k, oc in enumerate(self._open_cells)
                        if abs(oc.box[0] - box[0]) <= SNAP and abs(oc.box[1] - box[1]) <= SNAP
                    ),
                    None,
                )
            )
        written = [c for c in row0 if c.text]
        split_row = False
        if all(m is not None for m in matches) and written and not any(_ENUMERATOR.match(c.text) for c in written):
            pairs = [(self._open_cells[m], c) for m, c in zip(matches, row0)]  # type: ignore[index]
            in_last = [(oc, c) for oc, c in pairs if oc.last_row]
            one_half = any(bool(oc.cell.text) != bool(c.text) for oc, c in in_last)
            both_numbers = any(_is_number(oc.cell.text) and _is_number(c.text) for oc, c in in_last)
            split_row = bool(in_last) and (any(oc.cut for oc, _ in in_last) or (one_half and not both_numbers))
        carried: list[_OpenCell] = []
        keep: list[int] = []
        for i, (cell, m) in enumerate(zip(row0, matches)):
            if m is None:
                keep.append(i)
                continue
            oc = self._open_cells[m]
            prev = oc.cell
            if split_row:
                extra = cell.rowspan - 1
            elif (
                (not cell.text and (prev.rowspan > 1 or (prev.text and not _is_number(prev.text))))
                or (not prev.text and prev.rowspan > 1)
                or (oc.cut and (prev.rowspan > 1 or cell.rowspan > 1))
            ):
                extra = cell.rowspan
            else:
                keep.append(i)
                continue
            grown = prev._replace(text=_join_wrapped([prev.text, cell.text]), rowspan=prev.rowspan + extra)
            self._replace_cell(prev, grown)
            oc.cell = grown
            if part.reaches_foot(0, i):
                carried.append(_OpenCell(oc.box, grown, part.cut[0][i], len(part.rows) == 1))
        if len(keep) != len(row0):
            part.drop_cells(0, keep)
        if not part.rows[0]:
            part.drop_rows(1)
        return carried

    def _replace_cell(self, old: Cell, new: Cell) -> None:
        kept = self._boxes.pop(id(old), None)
        if kept is not None:
            self._boxes[id(new)] = (new, kept[1])
        for block in reversed(self.blocks):
            if block.kind != "row":
                continue
            for i, c in enumerate(block.cells):
                if c is old:
                    block.cells[i] = new
                    return


def _page_of(line: _Line) -> int:
    return int(line.chars[0].get("page_number") or 0)


def _isolated_singles_to_text(stream: list[tuple[int, object]]) -> list[tuple[int, object]]:
    """One-column table parts stay tables only next to a table of the same width (a lone
    header row cut off at a page foot); elsewhere (a boxed note) their lines are text."""
    out: list[tuple[int, object]] = []
    for k, (number, item) in enumerate(stream):
        if isinstance(item, _TablePart) and item.single:
            neighbours = [stream[k - 1][1] if k else None, stream[k + 1][1] if k + 1 < len(stream) else None]
            if not any(
                isinstance(nb, _TablePart) and not nb.single and _compatible(nb, item) for nb in neighbours
            ):
                out += [(number, ln) for ln in item.lines]
                continue
        out.append((number, item))
    return out


def _overflow_lines(tables: list, lines: list[_Line], chars: list[Char]) -> list[_Line]:
    """Lines printed just below the last table of a page, inside one of its foot cells, with
    nothing after them: the text of a cell cut by the page break, overflowing the cell.

    A line qualifies when it starts within 0.3 character heights of the table's bottom rule,
    within one height when the cell above it is full (its text already touches the rule), or
    within three when that cell is empty (its vertically centred text fell below the break).
    Each returned line gets ``table``, the index of the table it belongs to.
    """
    if not tables or not lines:
        return []
    last = max(range(len(tables)), key=lambda i: tables[i].bbox[3])
    bottom = tables[last].bbox[3]
    below = [ln for ln in lines if ln.top >= bottom - 1]
    if not below or len(below) > 3:
        return []
    foot_cells = [c for c in tables[last].cells if abs(c[3] - bottom) <= SNAP]
    out: list[_Line] = []
    for ln in sorted(below, key=lambda ln: ln.top):
        size = max(ln.size, 1.0)
        cell = next((c for c in foot_cells if c[0] - 1 <= ln.x0 and ln.x1 <= c[2] + 1), None)
        if cell is None:
            return []
        if out:
            fits = ln.top - out[-1].bottom <= 1.6 * size
        else:
            inside = [
                ch
                for ch in chars
                if cell[0] <= ch["x0"] and ch["x1"] <= cell[2] and cell[1] <= ch["top"] and ch["bottom"] <= cell[3] + 1
            ]
            full = bool(inside) and max(ch["bottom"] for ch in inside) >= cell[3] - 0.3 * size
            # an empty cell at the foot: its (vertically centred) text fell below the break
            reach = 3.0 if not inside else 1.0 if full else 0.3
            fits = ln.top - bottom <= reach * size
        if not fits:
            return []
        ln.table = last  # type: ignore[attr-defined]
        out.append(ln)
    return out


def _compatible(previous: _TablePart, part: _TablePart) -> bool:
    """Two parts of one table: they span the same width (one may lack a first column)."""
    same_left = abs(previous.x0 - part.x0) <= 6 * SNAP
    same_right = abs(previous.x1 - part.x1) <= 2 * SNAP
    return same_right and (same_left or part.single or previous.single or part.x0 > previous.x0)


def _drop_repeated_header(first_rows: list[list[str]], part: _TablePart) -> None:
    """Remove leading rows of ``part`` that repeat the leading rows of the table's first page."""
    k = 0
    while k < len(part.rows) and k < len(first_rows) and [c.text for c in part.rows[k]] == first_rows[k]:
        k += 1
    if k:
        part.drop_rows(k)


def _grid(values: list[float]) -> list[float]:
    return _cluster(sorted({round(v, 1) for v in values}))


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in values:
        if not out or v - out[-1] > SNAP:
            out.append(v)
    return out


def _index(grid: list[float], v: float) -> int:
    i = bisect.bisect_left(grid, v - SNAP)
    return min(i, len(grid) - 1)


def _table_part(page: int, table, chars: list[Char], spill: list[Char]) -> _TablePart:
    """Cells of one drawn table with spans on its grid, text read by character position.

    ``spill`` are characters printed just below the table (a cut cell's overflow): they
    belong to the cell of the last grid row above them.
    """
    cells = list(table.cells)
    xs = _grid([v for c in cells for v in (c[0], c[2])])
    ys = _grid([v for c in cells for v in (c[1], c[3])])
    placed = []
    for x0, top, x1, bottom in cells:
        col, col_end = _index(xs, x0), _index(xs, x1)
        row, row_end = _index(ys, top), _index(ys, bottom)
        if col_end > col and row_end > row:
            placed.append((row, col, row_end - row, col_end - col, (x0, top, x1, bottom)))
    owner: dict[tuple[int, int], int] = {}
    for k, (row, col, rs, cs, _) in enumerate(placed):
        for r in range(row, row + rs):
            for c in range(col, col + cs):
                owner.setdefault((r, c), k)
    texts: list[list[Char]] = [[] for _ in placed]
    for ch in chars + spill:
        cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        c = bisect.bisect_right(xs, cx) - 1
        r = min(bisect.bisect_right(ys, cy) - 1, len(ys) - 2)
        k = owner.get((r, c))
        if k is not None:
            texts[k].append(ch)
    spilled = {id(ch) for ch in spill}
    by_row: dict[int, list[tuple[int, Cell, tuple[float, float], int, bool]]] = {}
    for k, (row, col, rs, cs, (x0, top, x1, bottom)) in enumerate(placed):
        lines = _group_lines(texts[k])
        text = _join_wrapped([ln.text for ln in lines])
        cut = bool(lines) and (
            lines[-1].bottom >= bottom - 0.5 or any(id(ch) in spilled for ch in texts[k])
        )
        cell = Cell(text, _where(page, x0, top), rowspan=rs, colspan=cs)
        by_row.setdefault(row, []).append((col, cell, (x0, x1), rs, cut))
    part = _TablePart(page, table.bbox[1], table.bbox[3], table.bbox[0], table.bbox[2], [], [], len(ys) - 1, [], [], [])
    for row in sorted(by_row):
        entries = sorted(by_row[row], key=lambda e: e[0])
        if all(not e[1].text for e in entries) and all(e[3] == 1 for e in entries):
            continue  # an empty spacer row carries nothing
        part.rows.append([e[1] for e in entries])
        part.boxes.append([e[2] for e in entries])
        part.starts.append(row)
        part.spans.append([e[3] for e in entries])
        part.cut.append([e[4] for e in entries])
    part.single = len(xs) <= 2
    if part.single:
        part.lines = _group_lines(chars + spill)
        if len(part.rows) > 1:  # a boxed block of text, not a table's header row
            part.rows = []
    return part


# ---------------------------------------------------------------------------------------
# page furniture


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", text.replace(" ", ""))


def _in_margin(line: _Line, page: _Page) -> bool:
    return line.bottom <= page.height * MARGIN_ZONE or line.top >= page.height * (1 - MARGIN_ZONE)


def _running_furniture(pages: list[tuple[int, _Page]]) -> set[str]:
    """Texts (digits masked) in the top/bottom margins of at least half of the pages (≥ 3)."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for _, page in pages:
        keys = set()
        for c_line in _group_lines(
            [c for c in page.chars if c["bottom"] <= page.height * MARGIN_ZONE or c["top"] >= page.height * (1 - MARGIN_ZONE)]
        ):
            keys.add(_furniture_key(c_line.text))
        seen.update(keys)
    return {k for k, n in seen.items() if n >= max(3, len(pages) // 2)}


def _is_furniture(line: _Line, page: _Page, running: set[str]) -> bool:
    if not _in_margin(line, page):
        return False
    text = line.text
    return bool(_PAGE_NUMBER.match(text)) or _furniture_key(text) in running


# ---------------------------------------------------------------------------------------
# tables drawn without rules


def _is_number(text: str) -> bool:
    return bool(_NUMERIC.match(text)) and any(ch.isdigit() for ch in text)


def _tokens(line: _Line) -> list[list[Char]]:
    """A line cut into cell candidates: at gaps wider than ``CELL_GAP_EM``, and at any visible
    gap next to a digit (the digits of one number are set close together)."""
    out: list[list[Char]] = []
    for c in line.chars:
        if c["text"].isspace():
            continue
        if out:
            prev = out[-1][-1]
            size = max(float(prev.get("size") or 10.0), 1.0)
            gap = c["x0"] - prev["x1"]
            digit = prev["text"][-1:].isdigit() or c["text"][:1].isdigit()
            if gap > CELL_GAP_EM * size or (digit and gap > SPACE_GAP_EM * size):
                out.append([c])
                continue
            out[-1].append(c)
        else:
            out.append([c])
    return out


@dataclass
class _Tokenised:
    line: _Line
    tokens: list[list[Char]]
    texts: list[str]

    @property
    def numbers(self) -> list[int]:
        return [i for i, t in enumerate(self.texts) if _is_number(t)]

    @property
    def numeric(self) -> bool:
        """Ends with numbers: two, or one after a label — a row of values."""
        n = self.numbers
        if not n or n[-1] != len(self.texts) - 1:
            return False
        return len(n) >= 2 or n[0] > 0


def _unruled_tables(page: int, lines: list[_Line]) -> list[_TablePart]:
    """Tables printed without ruling lines, from the positions of characters.

    A *row* is a line with numbers (two, or one after a label). Runs of rows, with up to
    three label-only lines between them, make a table. Value columns are found by lining up
    the numbers of all its rows; cells are cut at wide gaps and between digits at any gap, so
    the digits of neighbouring cells never run together, and a column left blank in a row
    gives an empty cell. Left of the values, label columns are found from where label
    fragments start; a wrapped row label (lines above and below the numbers) joins the row
    whose numbers lie nearest, and a group label printed across several rows (（三）不予公开)
    becomes one cell of the row at its middle. Header lines just above the first row (several
    cells reaching into the value columns) are rows of their own. Lines far from any row
    stay text.
    """
    info = [_Tokenised(ln, toks, [_chars_text(t) for t in toks]) for ln in lines for toks in [_tokens(ln)]]
    parts: list[_TablePart] = []
    i = 0
    while i < len(info):
        if not info[i].numeric:
            i += 1
            continue
        run, k = [i], i + 1
        while k < len(info):
            size = max(info[k].line.size, 1.0)
            value_x = min(info[r].tokens[n][0]["x0"] for r in run for n in info[r].numbers)
            if info[k].line.top - info[run[-1]].line.bottom > 3.5 * size and info[k].numeric:
                break
            if _is_header(info[k], value_x) or (k + 1 < len(info) and _is_header(info[k + 1], value_x)):
                break  # a header row (or the caption above one) starts the next table
            if info[k].numeric:
                run.append(k)
            elif k - run[-1] > 3:
                break
            k += 1
        if len(run) < 2 and len(info[i].numbers) < 4:
            value_x = info[i].tokens[info[i].numbers[0]][0]["x0"]
            if not (i > 0 and _is_header(info[i - 1], value_x)):  # a one-row table has its header
                i += 1
                continue
        first, last = run[0], run[-1]
        value_x = min(info[r].tokens[n][0]["x0"] for r in run for n in info[r].numbers)
        # label lines wrapped above the first row
        while first > 0 and run[0] - first < 2:
            above = info[first - 1]
            size = max(above.line.size, 1.0)
            if above.numbers or _reaches(above, value_x) or info[first].line.top - above.line.bottom > 0.8 * size:
                break
            first -= 1
        # header lines right above: several cells, reaching into the value columns
        top = first
        while top > 0 and first - top < 6:
            above = info[top - 1]
            if _is_header(above, value_x) or (top < first and _is_header(info[top], value_x) and len(above.tokens) == 1 and above.line.x1 < value_x):
                top -= 1
            else:
                break
        # label lines wrapped below the last row
        end = last
        while end + 1 < len(info) and end - last < 3:
            below = info[end + 1]
            size = max(below.line.size, 1.0)
            if below.numeric or _reaches(below, value_x) or below.line.top - info[end].line.bottom > 0.8 * size:
                break
            if end + 2 < len(info) and _is_header(info[end + 2], value_x):
                break
            end += 1
        parts.append(_unruled_part(page, info[top:first], info[first : end + 1], value_x))
        i = end + 1
    return parts


def _reaches(t: _Tokenised, value_x: float) -> bool:
    """A cell of the line starts in the value columns."""
    return any(tok[0]["x0"] >= value_x - 1 for tok in t.tokens)


def _is_header(t: _Tokenised, value_x: float) -> bool:
    """A table's header line: several cells, reaching into the value columns, no numbers."""
    return not t.numbers and len(t.tokens) >= 2 and t.tokens[-1][0]["x0"] >= value_x - 1


def _columns(spans: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Overlapping or nearby (x0, x1) spans merged into columns, left to right."""
    out: list[list[float]] = []
    for x0, x1 in sorted(spans):
        if out and x0 <= out[-1][1] + tolerance:
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


def _unruled_part(page: int, headers: list[_Tokenised], body: list[_Tokenised], value_x: float) -> _TablePart:
    """One table without rules: ``headers`` lines as rows of their own, then ``body`` (rows of
    numbers and label lines around them) with values right of ``value_x``.

    Characters right and left of ``value_x`` are regrouped into lines separately, so numbers
    set between two lines of a wrapped label never interleave with it.
    """
    size = max(statistics.median([t.line.size for t in body]), 1.0)
    chars = [c for t in body for c in t.line.chars if not c["text"].isspace()]
    value_lines = _group_lines([c for c in chars if c["x0"] >= value_x - 1])
    tokenised = [_Tokenised(ln, toks, [_chars_text(t) for t in toks]) for ln in value_lines for toks in [_tokens(ln)]]
    rows_at = [t for t in tokenised if t.numbers]
    # label text: left of the values, and lines over the value columns without numbers
    # (a label wrapped in a narrow column there)
    wordy = [c for t in tokenised if not t.numbers for c in t.line.chars]
    label_lines = _group_lines([c for c in chars if c["x0"] < value_x - 1] + wordy)
    if not rows_at:
        return _TablePart(page, 0.0, 0.0, 0.0, 0.0, [], [], 0, [], [], [], [t.line for t in headers + body])
    value_tokens = [t.tokens[n] for t in rows_at for n in t.numbers]
    value_cols = _columns([(tok[0]["x0"], tok[-1]["x1"]) for tok in value_tokens], 0.3 * size)

    def middle(cs: list[Char]) -> float:
        return (min(c["top"] for c in cs) + max(c["bottom"] for c in cs)) / 2

    def row_on(cs: list[Char]) -> int | None:
        """The value row printed on the same line as these characters, if any."""
        top, bottom = min(c["top"] for c in cs), max(c["bottom"] for c in cs)
        on = [r for r, t in enumerate(rows_at) if top <= middle(t.line.chars) <= bottom]
        return on[0] if len(on) == 1 else None

    def nearest_row(y: float) -> int:
        return min(range(len(rows_at)), key=lambda r: abs(middle(rows_at[r].line.chars) - y))

    # label columns start where label fragments start
    label_tokens = [(n, tok) for n, ln in enumerate(label_lines) for tok in _tokens(ln)]
    starts = [a for a, _ in _columns([(tok[0]["x0"], tok[0]["x0"] + 0.5 * size) for _, tok in label_tokens], 1.5 * size)]
    fragments: dict[tuple[int, int], list[Char]] = {}
    for n, tok in label_tokens:
        col = max(0, bisect.bisect_right(starts, tok[0]["x0"] + 1) - 1)
        fragments.setdefault((n, col), []).extend(tok)
    # chunks: consecutive fragments of one column making one label (a wrapped label, a group
    # label over several rows); a chunk goes to the row printed on its line, else the nearest
    cells: list[dict[int, list[Char]]] = [{} for _ in rows_at]
    for col in range(len(starts)):
        pieces = sorted(((n, cs) for (n, c), cs in fragments.items() if c == col), key=lambda p: p[0])
        chunk: list[Char] = []
        chunk_row: int | None = None
        for _, cs in pieces + [(None, [])]:
            text = _chars_text(sorted(cs, key=lambda c: c["x0"])) if cs else ""
            row = row_on(cs) if cs else None
            new = (
                not cs
                or not chunk
                or min(c["top"] for c in cs) - max(c["bottom"] for c in chunk) > 0.8 * size
                or _ENUMERATOR.match(text)
                or (row is not None and chunk_row is not None and row != chunk_row)
            )
            if new and chunk:
                r = chunk_row if chunk_row is not None else nearest_row(middle(chunk))
                cells[r].setdefault(col, []).extend(chunk)
                chunk, chunk_row = [], None
            chunk += cs
            if row is not None:
                chunk_row = row

    part = _TablePart(page, 0.0, 0.0, 0.0, 0.0, [], [], 0, [], [], [])
    for t in headers:
        part.rows.append([Cell(txt, _where(page, tok[0]["x0"], t.line.top)) for tok, txt in zip(t.tokens, t.texts)])
        part.boxes.append([(tok[0]["x0"], tok[-1]["x1"]) for tok in t.tokens])
    for r, t in enumerate(rows_at):
        row: list[Cell] = []
        boxes: list[tuple[float, float]] = []
        for col in sorted(cells[r]):
            cs = cells[r][col]
            x0 = min(c["x0"] for c in cs)
            text = _join_wrapped([ln.text for ln in _group_lines(cs)])
            row.append(Cell(text, _where(page, x0, min(c["top"] for c in cs))))
            boxes.append((x0, max(c["x1"] for c in cs)))
        values = [tok for tok, txt in zip(t.tokens, t.texts) if _is_number(txt) or _PLACEHOLDER.match(txt)]
        for tok, txt in zip(t.tokens, t.texts):
            if not any(tok is v for v in values):  # a label printed over the value columns
                row.append(Cell(txt, _where(page, tok[0]["x0"], t.line.top)))
                boxes.append((tok[0]["x0"], tok[-1]["x1"]))
        for x0, x1 in value_cols:
            here = [tok for tok in values if x0 - 1 <= (tok[0]["x0"] + tok[-1]["x1"]) / 2 <= x1 + 1]
            text = " ".join(_chars_text(tok) for tok in here)
            row.append(Cell(text, _where(page, here[0][0]["x0"] if here else x0, t.line.top)))
            boxes.append((x0, x1))
        part.rows.append(row)
        part.boxes.append(boxes)
    lines = [t.line for t in headers + body]
    part.top = min(ln.top for ln in lines)
    part.bottom = max(ln.bottom for ln in lines)
    part.x0 = min(ln.x0 for ln in lines)
    part.x1 = max(ln.x1 for ln in lines)
    part.n_grid_rows = len(part.rows)
    part.starts = list(range(len(part.rows)))
    part.spans = [[1] * len(row) for row in part.rows]
    part.cut = [[False] * len(row) for row in part.rows]
    part.lines = lines
    return part
