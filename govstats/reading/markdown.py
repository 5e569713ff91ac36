"""Reader for markdown: pipe tables (``| a | b |``) plus loose text lines.

Every line of a pipe table is a row (markdown's "header" line included: PDF-to-markdown
tools put data rows there); ``|---|`` separator lines are dropped. Loose lines outside tables
that read as ``label n n …`` (PDF extractions print some table rows as plain lines) become
rows too; everything else is a text block.
"""

from __future__ import annotations

import re

from govstats.reading.document import Block, Cell, Document
from govstats.reading.text import fold_ws, split_line

_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


def is_markdown(text: str) -> bool:
    """True when the text holds at least one markdown pipe table (a ``|---|`` separator line)."""
    return any(_SEPARATOR.match(ln.strip()) and "|" in ln for ln in text.splitlines())


def _cells(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [fold_ws(c) for c in re.split(r"(?<!\\)\|", body)]


def read_markdown(text: str, name: str) -> Document:
    """Read markdown text into a Document (tables numbered in document order)."""
    doc = Document(name=name, format="markdown")
    table = 0
    in_table = False
    row_in_table = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        where = f"line {number}"
        if not line:
            in_table = False
            continue
        if line.startswith("|"):
            if _SEPARATOR.match(line):
                continue
            if not in_table:
                table += 1
                in_table = True
                row_in_table = 0
            row_in_table += 1
            cells = [
                Cell(text, f"line {number} (table {table} row {row_in_table} cell {i})")
                for i, text in enumerate(_cells(line), start=1)
            ]
            doc.blocks.append(Block("row", cells, where, table=table))
            continue
        in_table = False
        plain = line.lstrip("#").strip() if line.startswith("#") else line
        cells = split_line(plain)
        if cells and len(cells) >= 2 and not line.startswith("#"):
            doc.blocks.append(Block("row", [Cell(c, where) for c in cells], where))
        else:
            doc.blocks.append(Block("text", [Cell(fold_ws(plain), where)], where))
    return doc
