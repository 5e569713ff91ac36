"""Characters grouped into visual lines, a line's text, and lines of one cell or paragraph
joined; ``_where`` names a position on a page as a cell's or block's source."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from govstats.reading.pdf.chars import SPACE_GAP_EM, Char, _fold, _is_cjk


@dataclass
class _Line:
    """One visual line of characters (sorted left to right; never changed once grouped, so
    its extent, size and text are computed once)."""

    chars: list[Char]
    #: the ruled table whose cell the line spilled out of (set by the ruled reader), else None
    table: int | None = field(default=None, compare=False, repr=False)

    @cached_property
    def _box(self) -> tuple[float, float, float, float]:
        # the ink: a space glyph (which pdfium mostly does not report) does not extend a line
        chars = [c for c in self.chars if not c["text"].isspace()] or self.chars
        return (
            min(c["x0"] for c in chars),
            min(c["top"] for c in chars),
            max(c["x1"] for c in chars),
            max(c["bottom"] for c in chars),
        )

    x0 = property(lambda self: self._box[0])
    top = property(lambda self: self._box[1])
    x1 = property(lambda self: self._box[2])
    bottom = property(lambda self: self._box[3])

    @cached_property
    def size(self) -> float:
        sizes = Counter(
            round(float(c.get("size") or (c["bottom"] - c["top"])), 1) for c in self.chars
        )
        return sizes.most_common(1)[0][0] or 10.0

    @cached_property
    def text(self) -> str:
        return _chars_text(self.chars)


def _chars_text(chars: list[Char]) -> str:
    """Characters of one line as text: a space where the PDF has one, or a visible gap, but
    never between two CJK characters (there it is layout: justification, or a space glyph)."""
    parts: list[str] = []
    prev = None
    for c in chars:
        if (
            prev is not None
            and not c["text"].isspace()
            and not (_is_cjk(prev["text"][-1:]) and _is_cjk(c["text"][:1]))
        ):
            # a gap between two CJK characters is justification, not a space
            size = max(float(prev.get("size") or 10.0), 1.0)
            if c["x0"] - prev["x1"] > SPACE_GAP_EM * size:
                parts.append(" ")
        parts.append(c["text"])
        prev = c
    text = _fold("".join(parts))
    return _CJK_SPACE.sub("", text) if " " in text else text


#: a space between two CJK characters (a space glyph there is layout, as a justification gap
#: is; pdfium reports most such glyphs as generated, pdfminer keeps them)
_CJK_SPACE = re.compile(
    "(?<=[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’、，。：；！？（）《》]) "
    "(?=[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’、，。：；！？（）《》])"
)


def _group_lines(chars: list[Char]) -> list[_Line]:
    """Characters into visual lines: a char joins a line its vertical middle falls in."""
    lines: list[list[Char]] = []
    bounds: list[tuple[float, float]] = []
    for c in sorted(chars, key=lambda c: (round(c["top"], 1), c["x0"])):
        mid = (c["top"] + c["bottom"]) / 2
        for i in range(len(lines) - 1, max(-1, len(lines) - 4), -1):
            top, bottom = bounds[i]
            if top <= mid <= bottom:
                lines[i].append(c)
                break
        else:
            lines.append([c])
            bounds.append((c["top"], c["bottom"]))
    out = [_Line(sorted(line, key=lambda c: c["x0"])) for line in lines]
    out = [line for line in out if line.text]
    return sorted(out, key=lambda line: (line.top, line.x0))


def _join_wrapped(parts: list[str]) -> str:
    """Join lines of one cell or paragraph: no space between two CJK characters."""
    out = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if out and not (_is_cjk(out[-1]) and _is_cjk(part[0])):
            out += " "
        out += part
    return _fold(out)


def _where(page: int, x: float, y: float) -> str:
    """A source label: the 1-based page and a position in PDF points from the page's top left
    (rounded to hundredths first, so that both engines' float noise names the same point)."""
    return f"page {page} (x={round(round(x, 2))}, y={round(round(y, 2))})"
