"""The one place the PDF engine is chosen: pdfium (the default) or pdfplumber (the fallback and
the tests' reference), by argument or by the ``GOVSTATS_PDF_ENGINE`` environment variable."""

from __future__ import annotations

import os

from govstats.errors import ParseError
from govstats.reading.pdf.pages import _check_text_layer, _Page

#: the engines, the default first
ENGINES = ("pdfium", "pdfplumber")
#: the environment variable that chooses the engine when no argument does
ENGINE_VARIABLE = "GOVSTATS_PDF_ENGINE"


def pdf_engine(engine: str | None = None) -> str:
    """The engine to read with: ``engine`` when given, else ``$GOVSTATS_PDF_ENGINE``, else
    pdfium. An unknown name is a :class:`ValueError` naming the choices."""
    chosen = engine or os.environ.get(ENGINE_VARIABLE) or ENGINES[0]
    chosen = chosen.strip().lower()
    if chosen not in ENGINES:
        where = "" if engine else f" (from ${ENGINE_VARIABLE})"
        raise ValueError(f"unknown PDF engine {chosen!r}{where}; choose {' or '.join(ENGINES)}")
    return chosen


def _open_pages(
    data: bytes, name: str, engine: str | None = None
) -> tuple[list[_Page], str | None]:
    """The pages' characters, visible rules and tables, and the document's metadata title, read
    by the chosen engine; a file that cannot be read raises :class:`ParseError` naming it."""
    chosen = pdf_engine(engine)
    if b"%PDF" not in data[:1024]:
        raise ParseError("not a PDF file (no %PDF header)", source=name)
    if chosen == "pdfium":
        from govstats.reading.pdf.pdfium import _pdfium_pages

        pages, title = _pdfium_pages(data, name)
    else:
        from govstats.reading.pdf.plumber import _plumber_pages

        pages, title = _plumber_pages(data, name)
    _check_text_layer(pages, name)
    return pages, title
