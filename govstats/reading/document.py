"""The intermediate every format reader produces: a document as a stream of blocks.

Each reader module (``text``, ``html``, ``markdown``, ``pdf``, ``docx``) turns its input into a
:class:`Document`; one shared, format-blind step (``govstats.reading.extract``) recognises the
template's labels in it and builds the report. Readers do not know the template.

Conventions all readers follow:

* Blocks come in reading order. A paragraph or loose line of text is a block of kind
  ``"text"`` with one cell; a table row is a block of kind ``"row"``.
* A row's cells are the cells *as printed*, in order; a merged (rowspan/colspan) cell
  appears once, in the row where it starts, with its spans recorded, never duplicated.
* Cell text is the visible text with whitespace runs (incl. ``&nbsp;``, full-width space,
  line breaks) folded to one ASCII space and stripped; nothing else is normalised.
* Every cell carries ``source``, a human-readable place: ``line 94`` (text), ``table 2 row 5
  cell 3`` (HTML/markdown/Word), ``page 3 (x=120, y=455)`` (PDF).
* ``table`` numbers the table a row belongs to (1-based, in document order; ``None`` for text
  formats without table boundaries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple

#: builds a NamedTuple record (:class:`Cell`, :class:`Block`, a report Value) from a tuple of all
#: its fields, without the NamedTuple's own ``__new__`` (Python code): the readers' hot loops build
#: thousands
fast_new = tuple.__new__


class Cell(NamedTuple):
    """A cell as printed (an immutable record; a NamedTuple: readers build thousands)."""

    text: str
    source: str
    rowspan: int = 1
    colspan: int = 1


class Block(NamedTuple):
    """A text block (one cell) or a table row (its cells as printed); a NamedTuple, cheap to
    build for every line of a page. Its cell list may be edited in place; it is not replaced."""

    kind: Literal["text", "row"]
    cells: list[Cell]
    source: str
    table: int | None = None

    @property
    def text(self) -> str:
        cells = self.cells
        return cells[0].text if len(cells) == 1 else " ".join([c.text for c in cells])


@dataclass
class Document:
    """A source file read into blocks. ``name`` is how messages name the file."""

    name: str
    format: str  # txt-pipe, txt-plain, txt-runtogether, txt-grid, html, markdown, pdf, docx
    blocks: list[Block] = field(default_factory=list)
    title: str | None = None
    warnings: list[str] = field(default_factory=list)

    def text_lines(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "text"]
