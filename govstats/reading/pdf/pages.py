"""Opening a PDF with pdfplumber: each page's cleaned characters, visible rules and tables, and
the document's metadata title; a file that cannot be read raises :class:`ParseError` naming it."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from govstats.errors import ParseError
from govstats.reading.pdf.chars import Char, _clean_char, _fold, _ideograph, _is_cjk
from govstats.reading.pdf.ruled import _find_tables, _visible_edges


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
    """One page as the reader needs it: size in points, cleaned characters, visible rules, the
    number of images, and the tables pdfplumber found on the rules."""

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
            f"the PDF is damaged and cannot be opened ({type(cause).__name__}: {cause})",
            source=name,
        ) from exc
    pages: list[_Page] = []
    try:
        meta_title = _metadata_title(pdf)
        try:
            page_list = list(pdf.pages)
        except Exception as exc:
            raise ParseError(
                f"the PDF is damaged: its page tree cannot be read ({exc})", source=name
            ) from exc
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
        what = (
            f"its {len(pages)} page(s) hold {images} image(s) and no text"
            if images
            else "it holds no text"
        )
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
