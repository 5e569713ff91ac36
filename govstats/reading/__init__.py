"""Reading annual reports: ``read_report(source) -> Report`` for any supported format.

The format is sniffed from the content, never from the file name: ``%PDF`` → PDF; a zip
holding ``word/document.xml`` → Word; otherwise the bytes are decoded (BOM, HTML ``<meta
charset>``, strict UTF-8, then detection — GBK/GB18030 included) and the text is HTML,
tables drawn with box characters (text-browser dumps), markdown tables, a pipe dump (one cell per
line ending in ``|``), or plain / run-together text. Each format's module turns the input into a
:class:`~govstats.reading.document.Document`; :mod:`govstats.reading.extract` builds the Report from
it.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from govstats.errors import ParseError
from govstats.reading.choice import choose, needs_another_reading
from govstats.reading.decode import decode
from govstats.reading.document import Document
from govstats.report import Report

__all__ = ["read_report", "read_document", "sniff"]

#: text formats whose lines may say nothing of the tables (one cell per line, one paragraph):
#: when their line reading is in doubt, the stream reading is tried too (govstats.reading.choice)
STREAM_READ_FORMATS = frozenset({"txt-plain", "txt-runtogether"})

#: text-like sources larger than this are refused (annual reports are well under 10 MB of text)
MAX_TEXT_BYTES = 64 * 1024 * 1024

_HTML = re.compile(r"<(?:!doctype\s+html|html|body|table|tr|td|div|p)\b", re.I)


def sniff(data: bytes) -> str:
    """The container of ``data`` by its first bytes: ``pdf``, ``docx``, ``zip`` (a zip archive
    that is not a Word document) or ``text`` (anything else; once decoded, :func:`_text_format`
    tells html, markdown, txt-grid, txt-pipe and txt-plain apart)."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                if "word/document.xml" in zf.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
        return "zip"
    return "text"


def _text_format(text: str) -> str:
    from govstats.reading.grid import is_grid_text
    from govstats.reading.markdown import is_markdown, is_markdown_with_html
    from govstats.reading.text import is_pipe_text

    if _HTML.search(text[:200_000]):
        return "markdown" if is_markdown_with_html(text) else "html"
    if is_grid_text(text):
        return "txt-grid"
    if is_markdown(text):
        return "markdown"
    if is_pipe_text(text):
        return "txt-pipe"
    return "txt-plain"


def read_document(data: bytes, name: str) -> Document:
    """Read ``data`` (named ``name`` in messages) into the format-neutral Document.

    For text whose lines hold none of the tables (one cell per line, one paragraph), the
    Document of its stream reading (:mod:`govstats.reading.stream`), when that finds them."""
    doc, text = _read(data, name)
    if text is not None and doc.format in STREAM_READ_FORMATS:
        from govstats.reading.extract import build_report
        from govstats.reading.stream import read_stream

        try:
            build_report(doc, data)
        except ParseError:
            return read_stream(text, name) or doc
    return doc


def _read(data: bytes, name: str) -> tuple[Document, str | None]:
    """The Document, and the decoded text for formats read from text (else None)."""
    if not data or data.isspace():  # (not data.strip(): that copies a large page)
        raise ParseError("empty file", source=name)
    kind = sniff(data)
    if kind == "pdf":
        from govstats.reading.pdf import read_pdf

        return read_pdf(data, name), None
    if kind == "docx":
        from govstats.reading.docx import read_docx

        return read_docx(data, name), None
    if kind == "zip":
        raise ParseError("a zip archive that is not a Word (.docx) document", source=name)
    if len(data) > MAX_TEXT_BYTES:
        raise ParseError(
            f"too large for a report ({len(data) / 2**20:.0f} MB "
            f"of text; the limit is {MAX_TEXT_BYTES // 2**20} MB)",
            source=name,
        )
    text, encoding = decode(data, name)
    fmt = _text_format(text)
    if fmt == "html":
        from govstats.reading.html import read_html

        return read_html(text, name, utf8=data if encoding == "utf-8" else None), text
    if fmt == "markdown":
        from govstats.reading.markdown import read_markdown

        return read_markdown(text, name), text
    if fmt == "txt-grid":
        from govstats.reading.grid import read_grid_text

        return read_grid_text(text, name), text
    from govstats.reading.text import read_pipe_text, read_plain_text

    if fmt == "txt-pipe":
        return read_pipe_text(text, name), text
    return read_plain_text(text, name), text


def read_report(source: str | Path | bytes, *, name: str | None = None) -> Report:
    """Read one annual report from a path or from bytes.

    ``name`` is how messages and ``Report.name`` refer to the source (default: the path, or
    ``<bytes>``). Returns the Report: values with provenance, template per table, metadata,
    warnings, and the tables that are missing. Raises :class:`govstats.ParseError` (naming
    the file and place) when the source cannot be read or is not an annual report at all.
    """
    from govstats.reading.extract import build_report

    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = name or "<bytes>"
    else:
        path = Path(source)
        name = name or str(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise ParseError("no such file", source=name) from exc
        except IsADirectoryError as exc:
            raise ParseError("is a directory, not a report file", source=name) from exc
        except OSError as exc:
            raise ParseError(f"cannot read ({exc.strerror})", source=name) from exc
    doc, text = _read(data, name)
    # the text to read as a stream too, if the format allows it
    stream_text = text if doc.format in STREAM_READ_FORMATS else None
    if stream_text is not None and _few_rows(doc):  # no line structure: the stream first
        report = _stream_report(stream_text, data, name)
        if report is not None:
            return report
        stream_text = None
    try:
        report, error = build_report(doc, data), None
    except ParseError as exc:
        report, error = None, exc
    if stream_text is not None and needs_another_reading(report):
        other = _stream_report(stream_text, data, name)
        if other is not None:
            report = choose(report, other)
    if report is None:
        assert error is not None
        raise error
    return report


def _few_rows(doc: Document) -> bool:
    """Whether the lines of ``doc`` hold too few table rows to be a table at all (one cell
    per line, one paragraph): the template's three tables have 30 and more rows."""
    rows = 0
    for block in doc.blocks:
        if block.kind == "row":
            rows += 1
            if rows >= 8:
                return False
    return True


def _stream_report(text: str, data: bytes, name: str) -> Report | None:
    """The report read from the stream of characters (:mod:`govstats.reading.stream`), or
    None when that finds no table."""
    from govstats.reading.extract import build_report
    from govstats.reading.stream import read_stream

    doc = read_stream(text, name)
    if doc is None:
        return None
    try:
        return build_report(doc, data)
    except ParseError:
        return None
