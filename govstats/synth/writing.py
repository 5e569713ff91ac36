"""Serialise a :class:`~govstats.reading.document.Document` back to the text formats govstats reads.

``write(document, fmt) -> str`` with ``fmt`` one of :data:`FORMATS`:

==================  ==========================================================================
``txt-pipe``        every cell on its own line ending in `` |`` (a blank cell is a bare ``|``),
                    a bare ``|`` line after each row (as the 资阳 sample's dump has)
``txt-plain``       one line per row, cells separated by tabs (blank cells stay as empty fields)
``txt-runtogether`` one line per row, label cells joined by a space, then the value cells'
                    texts glued together with no separator (cell boundaries lost)
``markdown``        pipe tables (the first row of each table before a ``|---|`` line),
                    text blocks as paragraphs
``html``            a simple UTF-8 page: ``<p>`` per text block, ``<table>`` with the recorded
                    rowspan/colspan
==================  ==========================================================================

Used by the reader tests (a report written in each format must read back to the same tidy
frame) and by :mod:`govstats.synth` (generated reports).
"""

from __future__ import annotations

import html as html_lib
from itertools import groupby

from govstats.reading.document import Block, Document
from govstats.reading.numbers import is_value_text

FORMATS = ("txt-pipe", "txt-plain", "txt-runtogether", "markdown", "html")


def write(document: Document, fmt: str) -> str:
    """``document`` as text in ``fmt`` (see the module docstring); raises ValueError for other
    formats."""
    writers = {
        "txt-pipe": _pipe,
        "txt-plain": _plain,
        "txt-runtogether": _runtogether,
        "markdown": _markdown,
        "html": _html,
    }
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    return writers[fmt](document)


def _lines_of(document: Document, row_line) -> str:
    out: list[str] = _title_line(document)
    for block in document.blocks:
        if block.kind == "text":
            out.append(block.text)
        else:
            out.extend(row_line(block))
    return "\n".join(out) + "\n"


def _title_line(document: Document) -> list[str]:
    """The document's title as a first line, unless the text already opens with it."""
    first = next((b.text for b in document.blocks if b.kind == "text"), "")
    return [document.title] if document.title and document.title != first else []


def _pipe(document: Document) -> str:
    def row(block: Block) -> list[str]:
        return [f"{c.text} |" if c.text else "|" for c in block.cells] + ["|"]

    return _lines_of(document, row)


def _plain(document: Document) -> str:
    return _lines_of(
        document, lambda block: ["\t".join(c.text.replace("\t", " ") for c in block.cells)]
    )


def _split_label(block: Block) -> tuple[list[str], list[str]]:
    last_label = -1
    for i, cell in enumerate(block.cells):
        if cell.text and not is_value_text(cell.text):
            last_label = i
    return [c.text for c in block.cells[: last_label + 1] if c.text], [
        c.text for c in block.cells[last_label + 1 :]
    ]


def _runtogether(document: Document) -> str:
    def row(block: Block) -> list[str]:
        labels, values = _split_label(block)
        return [" ".join(labels) + "".join(values)]

    return _lines_of(document, row)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _markdown(document: Document) -> str:
    out: list[str] = [f"{line}\n" for line in _title_line(document)]
    for is_row, run in groupby(
        document.blocks, key=lambda b: (b.kind == "row", b.table if b.kind == "row" else None)
    ):
        blocks = list(run)
        if not is_row[0]:
            for block in blocks:
                out += [block.text, ""]
            continue
        width = max(len(b.cells) for b in blocks)
        for n, block in enumerate(blocks):
            cells = [_md_cell(c.text) for c in block.cells]
            out.append("| " + " | ".join(cells) + " |")
            if n == 0:
                out.append("|" + "---|" * width)
        out.append("")
    return "\n".join(out)


def _html(document: Document) -> str:
    esc = html_lib.escape
    title = esc(document.title or document.name)
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{title}</title></head><body>",
    ]
    for is_row, blocks in groupby(
        document.blocks, key=lambda b: (b.kind == "row", b.table if b.kind == "row" else None)
    ):
        if not is_row[0]:
            out += [f"<p>{esc(b.text)}</p>" for b in blocks]
            continue
        out.append('<table border="1">')
        for block in blocks:
            cells = []
            for c in block.cells:
                spans = (f' rowspan="{c.rowspan}"' if c.rowspan > 1 else "") + (
                    f' colspan="{c.colspan}"' if c.colspan > 1 else ""
                )
                cells.append(f"<td{spans}>{esc(c.text)}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"
