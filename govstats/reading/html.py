"""Reader for HTML pages: report tables (rowspan/colspan, Word-exported markup) and text.

The page is walked in document order. Every innermost ``<table>`` (one without tables inside;
outer tables are page layout) becomes row blocks, its cells as printed with their spans;
everything else becomes text blocks at block-element boundaries. Scripts, styles and the
``<head>`` are skipped; the ``<title>`` is kept as ``Document.title``. Cell text folds
whitespace (``&nbsp;``, full-width space, line breaks inside Word's nested spans) to one space.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from govstats.errors import ParseError
from govstats.reading.document import Block, Cell, Document
from govstats.reading.text import fold_ws

_SKIP = {"script", "style", "noscript", "head", "template", "iframe", "object", "svg", "select", "button"}
_BLOCK = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article",
    "header", "footer", "nav", "aside", "blockquote", "pre", "hr", "center", "form", "dl", "dt",
    "dd", "table", "tr", "td", "th", "main", "figure", "figcaption", "caption", "address", "title",
}
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _hidden(el) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or el.get("hidden") is not None


def cell_text(el) -> str:
    """The visible text of an element, block boundaries (``<p>``, ``<br>``) as spaces."""
    if len(el) == 0:  # the common case of a plain cell
        return fold_ws(el.text or "")
    parts: list[str] = []

    def walk(node) -> None:
        tag = _tag(node)
        if tag in _SKIP or (tag and _hidden(node)):
            return
        if tag in _BLOCK:
            parts.append(" ")
        if isinstance(node.tag, str) and node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if tag in _BLOCK:
            parts.append(" ")

    walk(el)
    return fold_ws("".join(parts))


def _span(el, attr: str) -> int:
    raw = el.get(attr)
    if raw is None:
        return 1
    try:
        return max(1, int(re.sub(r"\D", "", raw) or 1))
    except ValueError:
        return 1


def read_html(text: str, name: str) -> Document:
    """Read an HTML page (or fragment) into a Document."""
    try:
        root = lxml.html.document_fromstring(_XML_DECL.sub("", text))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ParseError(f"cannot parse HTML ({exc})", source=name) from exc
    doc = Document(name=name, format="html")
    title = root.find(".//title")
    if title is not None and title.text_content().strip():
        doc.title = fold_ws(title.text_content())
    buffer: list[str] = []
    table_no = 0

    def flush() -> None:
        text_ = fold_ws("".join(buffer))
        buffer.clear()
        if text_:
            where = f"text block {sum(1 for b in doc.blocks if b.kind == 'text') + 1}"
            doc.blocks.append(Block("text", [Cell(text_, where)], where))

    def emit_table(table) -> None:
        nonlocal table_no
        table_no += 1
        rows = [tr for tr in table.iter("tr") if _nearest(tr, "table") is table]
        for r, tr in enumerate(rows, start=1):
            cells = []
            for c, td in enumerate((x for x in tr if _tag(x) in ("td", "th")), start=1):
                if _hidden(td):
                    continue
                cells.append(
                    Cell(
                        cell_text(td),
                        f"table {table_no} row {r} cell {c}",
                        rowspan=_span(td, "rowspan"),
                        colspan=_span(td, "colspan"),
                    )
                )
            if cells:
                doc.blocks.append(Block("row", cells, f"table {table_no} row {r}", table=table_no))

    def walk(node) -> None:
        tag = _tag(node)
        if tag in _SKIP or (tag and _hidden(node)):
            return
        if tag == "table" and not node.xpath(".//table"):
            flush()
            emit_table(node)
            return
        if tag in _BLOCK:
            flush()
        if tag and node.text:
            buffer.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                buffer.append(child.tail)
        if tag in _BLOCK:
            flush()

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    images = len((body if body is not None else root).findall(".//img"))
    data_rows = sum(1 for b in doc.blocks if b.kind == "row")
    if images and data_rows < 10:
        doc.warnings.append(f"the page holds {images} image(s) and hardly any table cells: its tables may be images (OCR needed)")
    return doc


def _nearest(el, tag: str):
    parent = el.getparent()
    while parent is not None and _tag(parent) != tag:
        parent = parent.getparent()
    return parent
