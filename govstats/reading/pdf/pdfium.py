"""The pdfium engine (pypdfium2), the default: each page's characters and visible rules read
from pdfium's text page and page objects, in the page model the pdfplumber engine gives.

* **Coordinates** are PDF points in the page as displayed: from the top left of the page's
  visible box (the CropBox, clipped to the MediaBox), after its ``/Rotate``. Characters whose
  middle lies outside that box are not on the page a reader sees, and are dropped.
* **Characters** are pdfium's, one per character index: its Unicode value, the advance-wide
  "loose" box (x0, x1 and the bottom, at the font's descent) and the font size as displayed
  (the size pdfium reports, scaled by the character's matrix); the top is the bottom less that
  size, as pdfminer sets it. Characters pdfium generates (the spaces and line breaks it infers
  between words and lines) are skipped: the reader infers spaces from the gaps itself. A glyph
  mapped to several characters (a ligature ``ﬁ`` → ``f`` ``i``) gives several characters on
  one box; their text reads the same as pdfplumber's one character ``fi``.
* **Rules** come from the path objects, form XObjects included (their matrices applied): each
  subpath classified as pdfminer does (line, axis-aligned rectangle, curve), painted in the
  path's own fill and stroke colours (:mod:`govstats.reading.pdf.edges`).

pdfium is not thread-safe: one document is read at a time per process (ingestion uses
processes). Every pdfium object (document, page, text page) is closed as soon as it is read,
so memory stays bounded on long documents.
"""

from __future__ import annotations

import ctypes
import math

from govstats.errors import ParseError
from govstats.reading.pdf.chars import Char, _is_cjk
from govstats.reading.pdf.edges import Op, _is_visible, _path_edges
from govstats.reading.pdf.pages import (
    _clean_title,
    _damaged,
    _encrypted,
    _make_page,
    _no_pages,
    _Page,
)

#: a page-space transform ``(a, b, c, d, e, f)``: x' = a x + c y + e, y' = b x + d y + f
_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
#: form XObjects nested deeper than this are not followed (a malformed file may loop)
_MAX_DEPTH = 12
#: pdfium's generated characters are spaces and line breaks
_GENERATED = {0x20, 0x0D, 0x0A, 0x02, 0xFFFE}


def _pdfium_pages(data: bytes, name: str) -> tuple[list[_Page], str | None]:
    """The pages read by pdfium, and the document's metadata title."""
    import pypdfium2
    import pypdfium2.raw as C

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        code = getattr(exc, "err_code", None)
        if code in (C.FPDF_ERR_PASSWORD, C.FPDF_ERR_SECURITY):
            raise _encrypted(name) from exc
        if code == C.FPDF_ERR_SUCCESS:  # opened, but no page in it
            raise _no_pages(name) from exc
        raise _damaged(name, exc) from exc
    pages: list[_Page] = []
    try:
        try:
            title = _clean_title(document.get_metadata_value("Title"))
        except Exception:  # a broken info dictionary only costs the title
            title = None
        for index in range(len(document)):
            try:
                page = document[index]
            except Exception as exc:
                raise _damaged(name, exc, where=f"page {index + 1}") from exc
            try:
                pages.append(_read_page(C, page.raw, index + 1))
            except ParseError:
                raise
            except Exception as exc:
                raise _damaged(name, exc, where=f"page {index + 1}") from exc
            finally:
                page.close()
    finally:
        document.close()
    if not pages:
        raise _no_pages(name)
    return pages, title


class _View:
    """User space → the page as displayed: y from the top of the visible box, after the
    page's rotation (clockwise quarter turns)."""

    def __init__(self, C, raw):
        box = C.FS_RECTF()
        if not C.FPDF_GetPageBoundingBox(raw, box):
            raise ValueError("the page has no MediaBox")
        self.left, self.right = sorted((box.left, box.right))
        self.bottom, self.top = sorted((box.bottom, box.top))
        self.turns = C.FPDFPage_GetRotation(raw) % 4
        w, h = self.right - self.left, self.top - self.bottom
        self.width, self.height = (h, w) if self.turns % 2 else (w, h)

    @property
    def matrix(self) -> _Matrix:
        """The transform: user space → display (x, y from the top)."""
        t = self.turns
        if t == 0:
            return (1.0, 0.0, 0.0, -1.0, -self.left, self.top)
        if t == 1:
            return (0.0, 1.0, 1.0, 0.0, -self.bottom, -self.left)
        if t == 2:
            return (-1.0, 0.0, 0.0, 1.0, self.right, -self.bottom)
        return (0.0, -1.0, -1.0, 0.0, self.top, self.right)


def _read_page(C, raw, number: int) -> _Page:
    view = _View(C, raw)
    textpage = C.FPDFText_LoadPage(raw)
    if not textpage:
        raise ValueError("pdfium could not load the page's text")
    try:
        chars = _chars(C, textpage, view, number)
    finally:
        C.FPDFText_ClosePage(textpage)
    edges: list[dict] = []
    images = _objects(C, raw, view, edges)
    return _make_page(view.width, view.height, chars, edges, images)


def _chars(C, textpage, view: _View, number: int) -> list[Char]:
    """The page's characters as pdfplumber-style dicts (text, x0, x1, top, bottom, size,
    page_number), generated ones and those outside the visible box left out."""
    box = C.FS_RECTF()
    matrix = C.FS_MATRIX()
    get_unicode, is_generated = C.FPDFText_GetUnicode, C.FPDFText_IsGenerated
    get_box, get_matrix, get_size = (
        C.FPDFText_GetLooseCharBox,
        C.FPDFText_GetMatrix,
        C.FPDFText_GetFontSize,
    )
    get_origin = C.FPDFText_GetCharOrigin
    ox, oy = ctypes.c_double(), ctypes.c_double()
    page_width, page_height = view.width, view.height
    va, vb, vc, vd, ve, vf = view.matrix
    out: list[Char] = []
    count = C.FPDFText_CountChars(textpage)
    codes = _codes(C, textpage, count)
    for i in range(count):
        code = codes[i] if codes is not None else get_unicode(textpage, i)
        if code == 0 or (code in _GENERATED and is_generated(textpage, i) == 1):
            continue
        if not get_box(textpage, i, box) or not get_matrix(textpage, i, matrix):
            continue
        font_size = get_size(textpage, i)
        size = font_size * math.hypot(matrix.c, matrix.d)
        left, low, right, high = box.left, box.bottom, box.right, box.top
        ax, ay = va * left + vc * low + ve, vb * left + vd * low + vf
        bx, by = va * right + vc * high + ve, vb * right + vd * high + vf
        x0, x1 = (ax, bx) if ax <= bx else (bx, ax)
        top, bottom = (ay, by) if ay <= by else (by, ay)
        # the character's up direction on the displayed page
        ux, uy = va * matrix.c + vc * matrix.d, vb * matrix.c + vd * matrix.d
        if size > 0 and uy < 0 and abs(ux) <= 0.01 * -uy:
            # upright: the advance from the origin, the font size above the baseline
            get_origin(textpage, i, ox, oy)
            advance = x1 - x0
            loose = abs((bottom - top) - abs(matrix.a) * font_size) <= 0.02 * size
            if not loose or advance > 3 * size:
                # not pdfium's loose box: its glyph box (a radical it mapped), or a vertical
                # font's box unscaled by the matrix; such glyphs are a font size wide
                advance = size if advance > 3 * size or _is_cjk(chr(code)) else advance
            px, py = ox.value, oy.value
            x0, bottom = va * px + vc * py + ve, vb * px + vd * py + vf
            x1, top = x0 + advance, bottom - size
        else:
            size = size or (bottom - top)
        mid_x, mid_y = (x0 + x1) / 2, (top + bottom) / 2
        if not (0 <= mid_x <= page_width and 0 <= mid_y <= page_height):
            continue  # outside the visible box
        try:
            text = chr(code)
        except (ValueError, OverflowError):
            continue
        out.append(
            {
                "text": text,
                "x0": x0,
                "x1": x1,
                "top": top,
                "bottom": bottom,
                "size": size,
                "page_number": number,
            }
        )
    return out


def _codes(C, textpage, count: int) -> list[int] | None:
    """The page's characters' code points in one call (one UTF-16 unit per character index);
    None when the text holds a surrogate pair (then the indexes no longer line up)."""
    if count <= 0:
        return []
    buffer = (ctypes.c_ushort * (count + 1))()
    written = C.FPDFText_GetText(textpage, 0, count, buffer)
    units = list(buffer[: max(written - 1, 0)])
    if len(units) != count or any(0xD800 <= u <= 0xDFFF for u in units):
        return None
    return units


def _objects(C, raw, view: _View, edges: list[dict]) -> int:
    """Walk the page's objects (into form XObjects): the visible rules of each path go to
    ``edges``; returns the number of images."""
    images = 0
    matrix = C.FS_MATRIX()
    # (object count, getter, container, matrix into page space, depth)
    stack = [(C.FPDFPage_CountObjects(raw), C.FPDFPage_GetObject, raw, _IDENTITY, 0)]
    while stack:
        count, get, container, outer, depth = stack.pop()
        for k in range(max(count, 0)):
            obj = get(container, k)
            if not obj:
                continue
            kind = C.FPDFPageObj_GetType(obj)
            if kind == C.FPDF_PAGEOBJ_IMAGE:
                images += 1
            elif kind == C.FPDF_PAGEOBJ_PATH:
                edges += _path_rules(C, obj, _matrix(C, obj, matrix), outer, view)
            elif kind == C.FPDF_PAGEOBJ_FORM and depth < _MAX_DEPTH:
                own = _matrix(C, obj, matrix)
                stack.append(
                    (
                        C.FPDFFormObj_CountObjects(obj),
                        C.FPDFFormObj_GetObject,
                        obj,
                        _compose(own, outer),
                        depth + 1,
                    )
                )
    return images


def _matrix(C, obj, buffer) -> _Matrix:
    if not C.FPDFPageObj_GetMatrix(obj, buffer):
        return _IDENTITY
    return (buffer.a, buffer.b, buffer.c, buffer.d, buffer.e, buffer.f)


def _compose(inner: _Matrix, outer: _Matrix) -> _Matrix:
    """The transform applying ``inner`` first, then ``outer``."""
    a, b, c, d, e, f = inner
    A, B, Cc, D, E, F = outer
    return (
        a * A + b * Cc,
        a * B + b * D,
        c * A + d * Cc,
        c * B + d * D,
        e * A + f * Cc + E,
        e * B + f * D + F,
    )


def _path_rules(C, obj, own: _Matrix, outer: _Matrix, view: _View) -> list[dict]:
    """The visible rules of one path object, its points mapped through its ``own`` matrix and
    the ``outer`` one of the form XObjects it is in to the page."""
    mode, stroke = ctypes.c_int(), ctypes.c_int()
    if not C.FPDFPath_GetDrawMode(obj, mode, stroke):
        return []
    stroked = bool(stroke.value) and _colour_visible(C.FPDFPageObj_GetStrokeColor, obj)
    filled = mode.value != 0 and _colour_visible(C.FPDFPageObj_GetFillColor, obj)
    if not (filled or stroked):
        return []
    count = C.FPDFPath_CountSegments(obj)
    a, b, c, d, e, f = _compose(_compose(own, outer), view.matrix)
    x, y = ctypes.c_float(), ctypes.c_float()
    get_segment, get_point, get_type = (
        C.FPDFPath_GetPathSegment,
        C.FPDFPathSegment_GetPoint,
        C.FPDFPathSegment_GetType,
    )
    segments = []
    for k in range(count):
        segment = get_segment(obj, k)
        if segment and get_point(segment, x, y):
            px, py = x.value, y.value
            point = (a * px + c * py + e, b * px + d * py + f)
            segments.append((get_type(segment), point, segment))
    moveto, lineto, bezierto = C.FPDF_SEGMENT_MOVETO, C.FPDF_SEGMENT_LINETO, C.FPDF_SEGMENT_BEZIERTO
    ops: list[Op] = []
    start = (0.0, 0.0)
    curve = 0
    for j, (kind, point, segment) in enumerate(segments):
        if kind == moveto:
            ops.append(("m", point))
            start, curve = point, 0
        elif kind == lineto:
            ops.append(("l", point))
        elif kind == bezierto:  # two control points, then the end point
            curve += 1
            if curve % 3 == 0:
                ops.append(("c", point))
        # a subpath is closed at its end (asked there only: each question costs a call)
        ends = j + 1 == len(segments) or segments[j + 1][0] == moveto
        if ends and C.FPDFPathSegment_GetClose(segment):
            ops.append(("h", start))
    return _path_edges(ops, filled, stroked)


def _colour_visible(getter, obj) -> bool:
    r, g, b, alpha = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if not getter(obj, r, g, b, alpha):
        return True  # a pattern: assume it is drawn
    return _is_visible((r.value / 255, g.value / 255, b.value / 255))
