"""The pdfplumber engine (pdfminer.six underneath): the fallback, and the tests' reference for
the pdfium engine. Each page's characters as pdfplumber gives them and its visible rules from
pdfplumber's rectangles, lines and curves."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from govstats.errors import ParseError
from govstats.reading.pdf import pages as model
from govstats.reading.pdf.edges import _is_visible, _rect_edges, _segment_edges
from govstats.reading.pdf.pages import _Page


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


def _plumber_pages(data: bytes, name: str) -> tuple[list[_Page], str | None]:
    """The pages read by pdfplumber, and the document's metadata title."""
    with _quiet_pdfminer():
        return _read(data, name)


def _read(data: bytes, name: str) -> tuple[list[_Page], str | None]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    locked = (PDFPasswordIncorrect, PDFEncryptionError)
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        cause = exc.__cause__ or exc.__context__ or exc
        if isinstance(exc, locked) or isinstance(cause, locked):
            raise model._encrypted(name) from exc
        raise model._damaged(name, cause) from exc
    pages: list[_Page] = []
    try:
        try:
            title = model._clean_title((pdf.metadata or {}).get("Title"))
        except Exception:  # a broken info dictionary only costs the title
            title = None
        try:
            page_list = list(pdf.pages)
        except Exception as exc:
            raise ParseError(
                f"the PDF is damaged: its page tree cannot be read ({exc})", source=name
            ) from exc
        if not page_list:
            raise model._no_pages(name)
        for number, page in enumerate(page_list, start=1):
            try:
                chars = _on_baselines(page)
                item = model._make_page(
                    float(page.width), float(page.height), chars, _visible_edges(page),
                    len(page.images),
                )  # fmt: skip
            except ParseError:
                raise
            except Exception as exc:
                raise model._damaged(name, exc, where=f"page {number}") from exc
            page.flush_cache()
            pages.append(item)
    finally:
        _close_quietly(pdf)
    return pages, title


def _on_baselines(page) -> list[dict]:
    """The page's characters, an upright one's box the font size above its baseline (as the
    pdfium engine sets it): pdfminer puts the box's bottom at the font descriptor's descent,
    which Chromium's CJK fonts do not give (zero there, the font program's in pdfium)."""
    height, offset = float(page.height), float(page.mediabox[1])
    out = []
    for c in page.chars:
        if not c.get("text"):
            continue
        matrix, size = c.get("matrix"), float(c.get("size") or 0)
        if c.get("upright") and matrix and size > 0:
            baseline = height - matrix[5] + offset
            # a descent below the baseline, not a vertical font's box (origin at its top)
            if -0.5 * size <= c["bottom"] - baseline <= 0.5 * size:
                c = dict(c, top=baseline - size, bottom=baseline)
        out.append(c)
    return out


def _close_quietly(pdf) -> None:
    """Close the document; a damaged page tree can make closing fail too, which must not
    replace the error that explains the file."""
    try:
        pdf.close()
    except Exception:  # the file is already being reported as unreadable (or was read)
        pass


def _visible_edges(page) -> list[dict]:
    """Horizontal and vertical rules a reader would see: stroked lines/paths, thin filled bars."""
    edges: list[dict] = []
    for obj in list(page.rects):
        edges += _rect_edges(obj["x0"], obj["x1"], obj["top"], obj["bottom"], *_painted(obj))
    for obj in list(page.lines) + list(page.curves):
        if any(_painted(obj)):
            # pdfplumber gives pts with y from the top in recent versions
            edges += _segment_edges(
                obj.get("pts") or [(obj["x0"], obj["top"]), (obj["x1"], obj["bottom"])]
            )
    return edges


def _painted(obj: dict) -> tuple[bool, bool]:
    """Whether a pdfplumber graphic is filled / stroked in a colour that shows."""
    return (
        bool(obj.get("fill")) and _is_visible(obj.get("non_stroking_color")),
        bool(obj.get("stroke")) and _is_visible(obj.get("stroking_color")),
    )
