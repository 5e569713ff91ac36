"""Visible rules from a page's painted paths, whichever engine read them: a path classified as
pdfminer does (a line, an axis-aligned rectangle or a curve), the rules a reader sees on it
(stroked lines and rectangles, thin filled bars; white fills and shading are not rules), each
as a pdfplumber-style edge dict in PDF points from the page's top left."""

from __future__ import annotations

from collections.abc import Sequence

from govstats.reading.pdf.chars import SNAP

#: a point in page space, y from the page's top
Point = tuple[float, float]
#: a path operator and the point it ends at: ``m`` move, ``l`` line, ``c`` curve, ``h`` close
Op = tuple[str, Point]
#: positions closer than this are the same (float noise of a transform)
_SAME = 1e-3


def _edge(orientation: str, x0: float, x1: float, top: float, bottom: float) -> dict:
    """A rule as a pdfplumber edge dict (positions in PDF points from the page's top left)."""
    return {
        "object_type": "rule_edge",
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
    }


def _is_visible(color) -> bool:
    """A colour that shows on white paper: pdfminer colours (gray, RGB or CMYK tuples of 0-1
    components) or pdfium's RGB triples scaled to 0-1. ``None`` is the PDF default, black."""
    if color is None:
        return True
    if isinstance(color, (int, float)):
        color = (color,)
    try:
        values = [float(v) for v in color]
    except (TypeError, ValueError):
        return True  # a pattern or named colour space: assume it is drawn
    if len(values) == 1:
        return values[0] < 0.9
    if len(values) == 3:
        return min(values) < 0.9
    if len(values) == 4:  # CMYK: white is all zero
        return max(values) > 0.1
    return True


def _rect_edges(
    x0: float, x1: float, top: float, bottom: float, filled: bool, stroked: bool
) -> list[dict]:
    """The rules of a rectangle: a thin visibly filled one is one rule along its middle; a
    visibly stroked one is its four sides. ``filled`` / ``stroked``: painted in a visible
    colour."""
    w, h = x1 - x0, bottom - top
    if filled and min(w, h) <= SNAP:
        if w >= h:
            return [_edge("h", x0, x1, (top + bottom) / 2, (top + bottom) / 2)]
        return [_edge("v", (x0 + x1) / 2, (x0 + x1) / 2, top, bottom)]
    if stroked:
        return [
            _edge("h", x0, x1, top, top),
            _edge("h", x0, x1, bottom, bottom),
            _edge("v", x0, x0, top, bottom),
            _edge("v", x1, x1, top, bottom),
        ]
    return []


def _segment_edges(points: Sequence[Point]) -> list[dict]:
    """The horizontal and vertical segments (longer than ``SNAP``) between successive points
    of a line or curve."""
    out = []
    for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
        if abs(ay - by) <= 0.5 and abs(ax - bx) > SNAP:
            out.append(_edge("h", min(ax, bx), max(ax, bx), ay, ay))
        elif abs(ax - bx) <= 0.5 and abs(ay - by) > SNAP:
            out.append(_edge("v", ax, ax, min(ay, by), max(ay, by)))
    return out


def _path_edges(ops: Sequence[Op], fill: bool, stroke: bool) -> list[dict]:
    """The visible rules of one painted path (pdfium's segments as operators; points already in
    page space). ``fill`` / ``stroke``: the path is filled / stroked in a visible colour.

    Each subpath is classified as pdfminer classifies it, so both engines see the same shapes:
    ``m l`` (``m l h``) is a line, ``m l l l h`` with axis-aligned corners a rectangle, anything
    else a curve through its points.
    """
    out: list[dict] = []
    start = 0
    for k in range(1, len(ops) + 1):
        if k == len(ops) or ops[k][0] == "m":
            out += _subpath_edges(ops[start:k], fill, stroke)
            start = k
    return out


def _subpath_edges(ops: Sequence[Op], fill: bool, stroke: bool) -> list[dict]:
    if not ops or ops[0][0] != "m":
        return []
    shape = "".join(op for op, _ in ops)
    pts = [pt for _, pt in ops]
    if len(shape) > 3 and shape.endswith("lh") and _same(pts[-2], pts[0]):
        shape = shape[:-2] + "h"  # a redundant line back to the start of a closed path
        pts.pop(-2)
    if shape in ("ml", "mlh"):
        return _segment_edges(pts[:2]) if stroke or fill else []
    if shape in ("mlllh", "mllll") and _same(pts[0], pts[4]):
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = pts[:4]
        e = _SAME
        if (
            abs(x0 - x1) <= e and abs(y1 - y2) <= e and abs(x2 - x3) <= e and abs(y3 - y0) <= e
        ) or (abs(y0 - y1) <= e and abs(x1 - x2) <= e and abs(y2 - y3) <= e and abs(x3 - x0) <= e):
            return _rect_edges(min(x0, x2), max(x0, x2), min(y0, y2), max(y0, y2), fill, stroke)
    return _segment_edges(pts) if stroke or fill else []


def _same(p: Point, q: Point) -> bool:
    return abs(p[0] - q[0]) <= _SAME and abs(p[1] - q[1]) <= _SAME
