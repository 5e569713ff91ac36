"""Read a report published as a Word file (.docx) into the shared :class:`Document`.

Built on python-docx for the package (zip, relationships, core properties) and on the
WordprocessingML it exposes for the body:

* The body's paragraphs and *real* tables come in body order (content controls ``w:sdt`` are
  looked into). A paragraph is a ``"text"`` block; each table row a ``"row"`` block.
* Merged cells: ``w:gridSpan`` gives the column span; a ``w:vMerge`` run (``restart`` then
  continuation cells) gives the row span, counted on the table grid (``w:gridBefore`` shifts a
  row's cells). Continuation cells are not repeated.
* Cell text is the text of its paragraphs (deleted revisions and field codes left out; tabs,
  line breaks and paragraph breaks are whitespace), folded to single spaces. A table nested in
  a cell contributes its text to that cell.
* ``source`` reads ``table 2 row 5 cell 3`` (1-based; the cell's position in the row as stored)
  or ``paragraph 12`` for text.
* ``Document.title``: the file's core-properties title, else its first Title/Heading-styled
  paragraph, else its first non-empty paragraph.

A file that is not a readable Word document raises :class:`govstats.ParseError` naming it.
"""

from __future__ import annotations

import io
import re
import zipfile

from govstats.errors import ParseError
from govstats.reading.document import Block, Cell, Document

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_P, _TBL, _TR, _TC, _SDT = (f"{{{W}}}{t}" for t in ("p", "tbl", "tr", "tc", "sdt"))
_T, _TAB, _BR, _CR = (f"{{{W}}}{t}" for t in ("t", "tab", "br", "cr"))
_SKIP = {f"{{{W}}}{t}" for t in ("del", "instrText", "delText", "rPr", "pPr")}
_VAL = f"{{{W}}}val"


def read_docx(data: bytes, name: str) -> Document:
    """Read the bytes of a .docx report into a :class:`Document` (format ``"docx"``).

    ``name`` is how messages name the file. Raises :class:`ParseError` when the bytes are not
    a readable Word document (not a zip, no ``word/document.xml``, malformed XML, or an
    encrypted / old binary ``.doc`` file).
    """
    word = _open(data, name)
    reader = _BodyReader(name)
    try:
        reader.read(word.element.body)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ParseError(f"the Word document's body cannot be read ({exc})", source=name) from exc
    title = (word.core_properties.title or "").strip() or reader.heading or reader.first_text
    return Document(
        name=name, format="docx", blocks=reader.blocks, title=_fold(title) if title else None
    )


def _open(data: bytes, name: str):
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ParseError(
            "this is an OLE compound file: an encrypted Word document or an old binary .doc, "
            "which cannot be read; save it as an unencrypted .docx",
            source=name,
        )
    try:
        return docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as exc:
        raise ParseError(f"not a readable Word (.docx) document ({exc})", source=name) from exc
    except Exception as exc:  # lxml XMLSyntaxError, ValueError on broken parts, ...
        raise ParseError(
            f"the Word document is damaged and cannot be read ({type(exc).__name__}: {exc})",
            source=name,
        ) from exc


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u3000", " ")).strip()


def _text(element) -> str:
    """The visible text under ``element``: w:t runs, tabs and breaks as spaces."""
    out: list[str] = []
    _walk(element, out)
    return _fold("".join(out))


def _walk(element, out: list[str]) -> None:
    """Collect text in document order, skipping deleted revisions and field codes."""
    for child in element:
        tag = child.tag
        if tag in _SKIP:
            continue
        if tag == _T:
            out.append(child.text or "")
        elif tag in (_TAB, _BR, _CR):
            out.append(" ")
        elif tag == _P:
            _walk(child, out)
            out.append(" ")
        else:
            _walk(child, out)


def _int(element, path: str, default: int) -> int:
    found = element.find(path)
    if found is None:
        return default
    try:
        return int(found.get(_VAL, default))
    except ValueError:
        return default


class _BodyReader:
    def __init__(self, name: str):
        self.name = name
        self.blocks: list[Block] = []
        self.tables = 0
        self.paragraphs = 0
        self.heading: str | None = None
        self.first_text: str | None = None

    def read(self, body) -> None:
        for child in body:
            if child.tag == _P:
                self._paragraph(child)
            elif child.tag == _TBL:
                self._table(child)
            elif child.tag == _SDT:
                content = child.find(f"{{{W}}}sdtContent")
                if content is not None:
                    self.read(content)

    def _paragraph(self, p) -> None:
        self.paragraphs += 1
        text = _text(p)
        if not text:
            return
        where = f"paragraph {self.paragraphs}"
        self.blocks.append(Block(kind="text", cells=[Cell(text, where)], source=where))
        if self.first_text is None:
            self.first_text = text
        if self.heading is None:
            style = p.find(f"{{{W}}}pPr/{{{W}}}pStyle")
            if style is not None and re.match(r"(?i)(title|heading\s*1|1$)", style.get(_VAL, "")):
                self.heading = text

    def _table(self, tbl) -> None:
        self.tables += 1
        number = self.tables
        rows = tbl.findall(_TR)
        # grid position of every w:tc, and which are vMerge continuations
        layout: list[list[tuple[int, int, str | None, object]]] = []  # (col, colspan, vmerge, tc)
        for tr in rows:
            col = _int(tr, f"{{{W}}}trPr/{{{W}}}gridBefore", 0)
            entries = []
            for tc in tr.iter(_TC):
                if tc.getparent() is not tr and tc.getparent().tag != f"{{{W}}}sdtContent":
                    continue  # a cell of a nested table, or deeper
                span = _int(tc, f"{{{W}}}tcPr/{{{W}}}gridSpan", 1)
                vm = tc.find(f"{{{W}}}tcPr/{{{W}}}vMerge")
                vmerge = None if vm is None else (vm.get(_VAL) or "continue")
                entries.append((col, max(span, 1), vmerge, tc))
                col += max(span, 1)
            layout.append(entries)
        for r, entries in enumerate(layout):
            cells: list[Cell] = []
            for i, (col, span, vmerge, tc) in enumerate(entries, start=1):
                if vmerge == "continue":
                    continue
                rowspan = 1
                if vmerge == "restart":
                    for below in layout[r + 1 :]:
                        if any(c == col and v == "continue" for c, _, v, _ in below):
                            rowspan += 1
                        else:
                            break
                where = f"table {number} row {r + 1} cell {i}"
                cells.append(Cell(_text(tc), where, rowspan=rowspan, colspan=span))
            if cells:
                self.blocks.append(
                    Block(
                        kind="row", cells=cells, source=f"table {number} row {r + 1}", table=number
                    )
                )
