"""Page furniture: page numbers (``- 3 -``, ``第3页``, ``3/5``) and running headers or footers
repeated in the top and bottom margins of most pages; such lines never become blocks."""

from __future__ import annotations

import re
from collections import Counter

from govstats.reading.pdf.chars import MARGIN_ZONE
from govstats.reading.pdf.lines import _group_lines, _Line
from govstats.reading.pdf.pages import _Page

_PAGE_NUMBER = re.compile(
    r"^[\s\-—–－_·•]*(?:第\s*)?\d{1,4}\s*(?:页)?(?:\s*(?:/|／|of|共)\s*\d{1,4}\s*页?)?[\s\-—–－_·•"
    r"]*$|^\s*(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?\s*$"
)
_DIGITS = re.compile(r"\d+")


def _furniture_key(text: str) -> str:
    """A margin text with spaces removed and digit runs masked as ``#`` (page numbers vary)."""
    return _DIGITS.sub("#", text.replace(" ", ""))


def _in_margin(line: _Line, page: _Page) -> bool:
    """The line lies in the top or bottom ``MARGIN_ZONE`` of its page."""
    return line.bottom <= page.height * MARGIN_ZONE or line.top >= page.height * (1 - MARGIN_ZONE)


def _running_furniture(pages: list[tuple[int, _Page]]) -> set[str]:
    """Texts (digits masked) in the top/bottom margins of at least half of the pages (≥ 3)."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for _, page in pages:
        keys = set()
        for c_line in _group_lines(
            [
                c
                for c in page.chars
                if c["bottom"] <= page.height * MARGIN_ZONE
                or c["top"] >= page.height * (1 - MARGIN_ZONE)
            ]
        ):
            keys.add(_furniture_key(c_line.text))
        seen.update(keys)
    return {k for k, n in seen.items() if n >= max(3, len(pages) // 2)}


def _is_furniture(line: _Line, page: _Page, running: set[str]) -> bool:
    """A margin line that is a page number or one of the ``running`` texts
    (:func:`_running_furniture`)."""
    if not _in_margin(line, page):
        return False
    text = line.text
    return bool(_PAGE_NUMBER.match(text)) or _furniture_key(text) in running
