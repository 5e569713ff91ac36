"""Reader for HTML pages: report tables (rowspan/colspan, Word-exported markup) and text.

The page is read in document order. Every innermost ``<table>`` (one without tables inside;
outer tables are page layout) becomes row blocks, its cells as printed with their spans;
everything else becomes text blocks at block-element boundaries. Scripts, styles and the
``<head>`` are skipped, and so are hidden elements (``display:none``, ``hidden``; inside a
report table a hidden cell is skipped, a hidden row is read); the ``<title>`` is kept as
``Document.title``. Cell text folds whitespace (``&nbsp;``, full-width space, line breaks
inside Word's nested spans) to one space.

This is the reader's hot path, so lxml's C code does the walking: hidden subtrees are
removed from the parsed tree, then one XSLT pass (skipping scripts, styles, comments…) writes
the whole page as text in which block boundaries, tables, rows and cells are marked with
Unicode noncharacters (removed from the input first, so the marks are unambiguous), and
Python only cuts that text.
"""

from __future__ import annotations

import re

import lxml.etree

from govstats.errors import ParseError
from govstats.reading.document import Block, Cell, Document, fast_new
from govstats.reading.text import fold_ws

_SKIP = (
    "script",
    "style",
    "noscript",
    "head",
    "template",
    "iframe",
    "object",
    "svg",
    "select",
    "button",
)
_BLOCK = (
    "p",
    "div",
    "br",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "blockquote",
    "pre",
    "hr",
    "center",
    "form",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "main",
    "figure",
    "figcaption",
    "caption",
    "address",
    "title",
)
_CELL_TAGS = ("td", "th")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)

# marks in the text the XSLT pass writes (noncharacters: never meaningful in a page)
_BREAK = "\ufdd0"  # a block boundary
# followed by T (a report table starts), R (a row), C (a cell), S (a cell with fields), E (the table
# ends)
_ITEM = "\ufdd1"
_FIELD = "\ufdd2"  # ends C; separates an S cell's hidden flag, rowspan, colspan and text
_NONCHARS = {ord(c): None for c in (_BREAK, _ITEM, _FIELD)}

#: the namespace of the attributes this reader puts on report tables and hidden cells (an
#: HTML page cannot carry namespaced attributes, so they never clash with the page's own)
_NS = "urn:govstats:html"
_TABLE_ATTR = f"{{{_NS}}}table"
_HIDDEN_ATTR = f"{{{_NS}}}hidden"


def _page_stylesheet() -> lxml.etree.XSLT:
    blocks = "|".join(_BLOCK)
    skip = "|".join(_SKIP)
    # line breaks only between two tags or inside a tag: a stylesheet drops whitespace-only text
    source = f"""<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:g="{_NS}">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="{skip}"/>
<xsl:template match="{skip}" mode="cell"/>
<xsl:template match="{blocks}">{_BREAK}<xsl:apply-templates/>{_BREAK}</xsl:template>
<xsl:template match="table[@g:table]" priority="2">{_ITEM}T<xsl:for-each
  select=".//tr">{_ITEM}R<xsl:for-each select="td|th">
<xsl:choose>
<xsl:when test="@g:hidden or @rowspan or @colspan">{_ITEM}S<xsl:if
  test="@g:hidden">h</xsl:if>{_FIELD}<xsl:value-of select="@rowspan"/>{_FIELD}<xsl:value-of
  select="@colspan"/>{_FIELD}</xsl:when>
<xsl:otherwise>{_ITEM}C{_FIELD}</xsl:otherwise></xsl:choose><xsl:apply-templates mode="cell"/>
</xsl:for-each></xsl:for-each>{_ITEM}E</xsl:template>
<xsl:template match="{blocks}" mode="cell"><xsl:text> </xsl:text><xsl:apply-templates mode="cell"/>
<xsl:text> </xsl:text></xsl:template>
</xsl:stylesheet>"""
    return lxml.etree.XSLT(lxml.etree.XML(source))


#: page → marked text (built once; an XSLT object may be used from several threads)
_PAGE_TEXT = _page_stylesheet()

#: lxml's plain HTML parser: the same tree as ``lxml.html.document_fromstring`` without its
#: Python-level element class lookup on every element touched
_PARSER = lxml.etree.HTMLParser()
_UTF8_PARSER = lxml.etree.HTMLParser(encoding="utf-8")

#: a style that hides its element (as a browser reads it: any case, any spaces around the colon)
_HIDING_STYLE = re.compile(r"display\s*:\s*none", re.I)
#: the same in the raw page (lower-cased bytes), where the colon may be written as an entity
_RAW_HIDING_STYLE = re.compile(rb"display\s*(?::|&#0*58;|&#x0*3a;|&colon;)\s*none")
#: where the raw page (lower-cased bytes) may give an element the ``hidden`` attribute (also
#: matches some class lists and text: then the tree is searched, which settles it)
_RAW_HIDDEN_ATTR = re.compile(rb"""hidden(?=[\s=/>])""")  # (a literal first: a fast search)
_BEFORE_ATTR = frozenset(b""" \t\n\r\f"'/""")
#: where a raw page holds text that is not markup: scripts, styles, comments (lower-cased bytes)
_RAW_TEXT = re.compile(rb"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<!--.*?-->", re.S)
#: a start tag, its attribute values quoted or not (a quoted value may hold ``>``)
_START_TAG = re.compile(
    rb"""<([a-z][a-z0-9:_-]*)(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?|\s*/)*\s*>"""
)
#: beyond this many places in the raw page, every style is read instead
_MAX_PLACES = 40
_STYLES = lxml.etree.XPath(".//@style")
_STRING = lxml.etree.XPath("string()", smart_strings=False)
_COUNT_IMAGES = lxml.etree.XPath("count(.//img)")
_HIDDEN_ATTRS = lxml.etree.XPath("descendant::*/@hidden")

#: characters lxml keeps from a page but refuses in text it is given (the whitespace ones read as
#: spaces)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CONTROL_SPACES = set("\x0b\x0c\x1c\x1d\x1e\x1f")


def _tag(el) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _hidden(el) -> bool:
    style = el.get("style")
    return (style is not None and _HIDING_STYLE.search(style) is not None) or el.get(
        "hidden"
    ) is not None


def _span(raw: str) -> int:
    """A rowspan/colspan attribute as printed → the span (1 when absent or unreadable)."""
    if not raw:
        return 1
    if raw.isdecimal():
        return max(1, int(raw))
    try:
        return max(1, int(re.sub(r"\D", "", raw) or 1))
    except ValueError:
        return 1


def _innermost_tables(top) -> set:
    """Tables without tables inside, as found in the page before anything is removed.

    In document order a table holds another exactly when it is the next table's nearest
    table ancestor.
    """
    tables = list(top.iter("table"))
    out = set()
    for i, table in enumerate(tables):
        if i + 1 == len(tables) or next(tables[i + 1].iterancestors("table"), None) is not table:
            out.add(table)
    return out


def _hidden_elements(root, top, page: bytes) -> list:
    """Elements below ``top`` hidden by ``display:none`` or the ``hidden`` attribute
    (``page``: the raw page as UTF-8 bytes)."""
    low = page.lower()
    may_hide = any(
        m.start() and low[m.start() - 1] in _BEFORE_ATTR for m in _RAW_HIDDEN_ATTR.finditer(low)
    )
    found = [a.getparent() for a in _HIDDEN_ATTRS(top)] if may_hide else []
    if _RAW_HIDING_STYLE.search(low):  # the markup may hide something by style: find which styles
        styled = _hiding_styles_from_page(root, low)
        if styled is None:
            styled = _hiding_styles_by_scan(top)
        found.extend(el for el in styled if el not in found)
    return found


def _hiding_styles_by_scan(top) -> list:
    """Every element below ``top`` whose ``style`` hides it, found by reading every style."""
    styles = _STYLES(top)
    joined = "\0".join(styles)
    found: list[lxml.etree._Element] = []
    index = position = 0
    for match in _HIDING_STYLE.finditer(joined):
        index += joined.count("\0", position, match.start())
        position = match.start()
        el = styles[index].getparent()
        if not found or found[-1] is not el:
            found.append(el)
    return found


def _hiding_styles_from_page(root, low: bytes) -> list | None:
    """The elements whose ``style`` hides them, found from the places the raw page
    (``low``: lower-cased UTF-8 bytes) prints ``display:none`` — reading every style of a
    large portal page costs more than parsing it.

    Each place must be inside a start tag, whose element (same tag name, on the lines the tag
    spans) then hides itself by its style, or inside a script, style sheet or comment. Any
    other place (a tag not found, ``display:none`` in text or only in another attribute)
    returns None and the caller reads every style instead. (Only a style whose letters are
    written as character references, or a start tag faked inside another attribute's value,
    could hide from this; no published report does either.)
    """
    found: list = []
    raw_text: list[tuple[int, int]] | None = None
    for n, match in enumerate(_RAW_HIDING_STYLE.finditer(low)):
        if n == _MAX_PLACES:  # reading every style is quicker than looking up this many places
            return None
        at = match.start()
        tag, lt = None, at
        for _ in range(3):  # the nearest "<" may sit inside an attribute value: try a few
            lt = low.rfind(b"<", 0, lt)
            if lt < 0:
                break
            candidate = _START_TAG.match(low, lt)
            if candidate is not None and candidate.end() > at:
                tag = candidate
                break
        hit = []
        if tag is not None:
            first, last = low.count(b"\n", 0, lt) + 1, low.count(b"\n", 0, tag.end()) + 1
            for el in root.iter(tag.group(1).decode()):  # in document order, so in order of lines
                line = el.sourceline or 0
                if line > last:
                    break
                if line >= first and _hidden(el):
                    hit.append(el)
        if not hit:  # no element hidden here: fine only in a script, style sheet or comment
            if raw_text is None:
                raw_text = [m.span() for m in _RAW_TEXT.finditer(low)]
            if not any(start < at < end for start, end in raw_text):
                return None
            continue
        found.extend(el for el in hit if el not in found)
    return found


def _remove_hidden(root, top, page: bytes, innermost: set) -> None:
    """Drop hidden elements from the tree; inside a report table mark hidden cells instead.

    Inside a report table only what a cell holds is dropped: a hidden cell is marked (skipped
    when the row is read, so the cells after it keep their numbers), and a hidden row or row
    group is read like any other.
    """
    for el in _hidden_elements(root, top, page):
        in_cell = False
        for ancestor in el.iterancestors():
            tag = ancestor.tag
            if tag in _CELL_TAGS:
                in_cell = True
            elif tag == "table":
                if ancestor in innermost and not in_cell:
                    if el.tag in _CELL_TAGS:
                        el.set(_HIDDEN_ATTR, "")
                    el = None
                break
        if el is not None and el.getparent() is not None:
            _drop(el)


def _drop(el) -> None:
    """Remove ``el`` and its subtree, keeping its tail text in place."""
    parent = el.getparent()
    if el.tail:
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)


def _parse(text: str, name: str, utf8: bytes | None = None):
    try:
        if utf8 is not None:  # the same page as bytes: lxml reads UTF-8 faster than a str
            root = lxml.etree.fromstring(utf8, _UTF8_PARSER)
        else:
            root = lxml.etree.fromstring(_XML_DECL.sub("", text), _PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ParseError(f"cannot parse HTML ({exc})", source=name) from exc
    if root is None:
        raise ParseError("cannot parse HTML (Document is empty)", source=name)
    return root


def _visible_chars(match: re.Match) -> str:
    return " " if match.group() in _CONTROL_SPACES else ""


def read_html(text: str, name: str, *, utf8: bytes | None = None) -> Document:
    """Read an HTML page (or fragment) into a Document.

    ``utf8``: optionally the page's bytes when they are exactly ``text`` in UTF-8 (no BOM),
    which lxml parses faster than the str.
    """
    if (
        _BREAK in text or _ITEM in text or _FIELD in text
    ):  # (one-character searches of a str are quick)
        text = text.translate(_NONCHARS)
        utf8 = None
    if utf8 is not None and _XML_DECL.match(text):
        utf8 = None
    try:
        return _read_tree(_parse(text, name, utf8), utf8 or _utf8(text), name)
    except ValueError:  # lxml refuses to set text holding control characters: drop them, read again
        text = _CONTROL.sub(_visible_chars, text)
        return _read_tree(_parse(text, name), _utf8(text), name)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _read_tree(root, page: bytes, name: str) -> Document:
    """The Document of the parsed ``root`` (``page``: the page as UTF-8 bytes)."""
    doc = Document(name=name, format="html")
    title = next(root.iter("title"), None)
    if title is not None:
        title_text = _STRING(title)
        if title_text.strip():
            doc.title = fold_ws(title_text)
    body = root.find("body")
    top = body if body is not None else root
    images = int(_COUNT_IMAGES(top))
    if _tag(top) not in _SKIP and not _hidden(top):
        innermost = _innermost_tables(top)
        _remove_hidden(root, top, page, innermost)
        for table in innermost:
            table.set(_TABLE_ATTR, "")
        _add_blocks(
            doc, bytes(_PAGE_TEXT(top)).decode("utf-8")
        )  # (quicker than str() of the result)
    data_rows = sum(1 for b in doc.blocks if b.kind == "row")
    if images and data_rows < 10:
        doc.warnings.append(
            f"the page holds {images} image(s) and hardly any "
            "table cells: its tables may be images (OCR needed)"
        )
    return doc


def _folded(marked: str) -> str:
    """The marked text with whitespace folded as :func:`fold_ws` folds each piece: runs to one
    space, none next to a mark (so every piece between marks comes out stripped)."""
    marked = " ".join(marked.split())
    for mark in (_BREAK, _ITEM, _FIELD):
        marked = marked.replace(" " + mark, mark).replace(mark + " ", mark)
    return marked


def _add_blocks(doc: Document, marked: str) -> None:
    """Cut the XSLT pass's marked text into text blocks and table rows, in page order."""
    blocks = doc.blocks
    n_text = n_table = row_no = cell_no = 0
    cells: list[Cell] = []
    items = _folded(marked).split(_ITEM)
    page_text = items[0]
    for item in items[1:] + ["E"]:  # a sentinel end: the text after the last table is read too
        if page_text:
            for piece in page_text.split(_BREAK):
                if piece:
                    n_text += 1
                    where = f"text block {n_text}"
                    blocks.append(
                        fast_new(
                            Block, ("text", [fast_new(Cell, (piece, where, 1, 1))], where, None)
                        )
                    )
            page_text = ""
        kind = item[:1]
        if kind == "C":  # a cell without spans (fast_new: see document.py)
            cell_no += 1
            cells.append(
                fast_new(Cell, (item[2:], f"table {n_table} row {row_no} cell {cell_no}", 1, 1))
            )
            continue
        if kind == "S":  # a cell with spans or hidden
            cell_no += 1
            hidden, rowspan, colspan, text = item[1:].split(_FIELD, 3)
            if not hidden:
                source = f"table {n_table} row {row_no} cell {cell_no}"
                cells.append(
                    fast_new(
                        Cell,
                        (
                            text,
                            source,
                            _span(rowspan) if rowspan else 1,
                            _span(colspan) if colspan else 1,
                        ),
                    )
                )
            continue
        if cells:  # a row or the table ends
            blocks.append(fast_new(Block, ("row", cells, f"table {n_table} row {row_no}", n_table)))
            cells = []
        if kind == "R":
            row_no += 1
            cell_no = 0
        elif kind == "T":
            n_table += 1
            row_no = 0
        else:  # "E": the table ends, page text follows
            page_text = item[1:].lstrip(" ")
