"""The page as the reader needs it, whichever engine read it (:class:`_Page`: size, cleaned
characters, visible rules, images, tables found on the rules), and what both engines say the
same way: the clear errors for files that cannot be read, the check for a text layer, the
metadata title."""

from __future__ import annotations

from dataclasses import dataclass, field

from govstats.errors import ParseError
from govstats.reading.pdf.chars import Char, _clean_char, _fold, _ideograph, _is_cjk
from govstats.reading.pdf.ruled import _find_tables, _Table


@dataclass
class _Page:
    """One page as the reader needs it: size in points, cleaned characters, visible rules, the
    number of images, and the tables found on the rules."""

    width: float
    height: float
    chars: list[Char]
    edges: list[dict]
    images: int
    tables: list[_Table] = field(default_factory=list)


def _make_page(width: float, height: float, chars: list[Char], edges: list[dict], images: int):
    """A :class:`_Page` of an engine's characters (cleaned here) and rules, its tables found."""
    page = _Page(width, height, [_clean_char(c) for c in chars], edges, images)
    if edges:
        page.tables = _find_tables(edges)
    return page


def _encrypted(name: str) -> ParseError:
    return ParseError(
        "the PDF is encrypted (password-protected); it cannot be read without the password",
        source=name,
    )


def _damaged(name: str, exc: BaseException, where: str | None = None) -> ParseError:
    what = "cannot be opened" if where is None else "cannot be read"
    return ParseError(
        f"the PDF is damaged and {what} ({type(exc).__name__}: {exc})", source=name, where=where
    )


def _no_pages(name: str) -> ParseError:
    return ParseError("the PDF has no pages", source=name)


def _check_text_layer(pages: list[_Page], name: str) -> None:
    """Raise the scan error when no page holds text."""
    if any(p.chars for p in pages):
        return
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


def _clean_title(title) -> str | None:
    """The Title of the PDF's info dictionary when it reads as CJK text (not mojibake)."""
    if not isinstance(title, str):
        return None
    title = _fold(title)
    if not any(_is_cjk(ch) for ch in title) or any("\u0080" <= ch <= "\u00ff" for ch in title):
        return None
    return "".join(_ideograph(ch) for ch in title)
