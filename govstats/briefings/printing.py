"""Briefings as PDF: the page's running footer, and printing a written page next to itself.

A page prints as itself: its print CSS (``templates/briefing.html.j2``: A4, a page break before
each numbered section after 一、, no break inside tables, rows or charts, table heads repeated,
the back link hidden) and a running footer written into the page as a CSS ``@page`` margin box
(:func:`footer_css`: body, year, 第 n 页 / 共 m 页), so Ctrl+P in a browser gives the same pages
as ``govstats briefings --pdf``. The batch prints with headless Chromium
(:mod:`~govstats.briefings.browser`): each worker keeps one :class:`Printer` and prints page
after page through it; ``briefing.pdf`` is written next to the page's ``index.html``.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

from govstats.briefings.browser import Browser
from govstats.briefings.paths import write_atomic_bytes
from govstats.errors import PrintError

#: the PDF written next to each page's ``index.html``
PDF_NAME = "briefing.pdf"
#: how the error of a page that rendered but did not print begins
PRINT_FAILED = "PDF not printed: "

#: the year a page briefs, as its heading states it (content.title / content.region_title)
_BRIEFED_YEAR = re.compile(r"<h2\b[^>]*>[^<]*（(\d{4})年度）</h2>")


def briefed_year(html: str) -> int | None:
    """The year the page says it briefs (its first heading ending ``（2024年度）``), or None."""
    found = _BRIEFED_YEAR.search(html)
    return int(found.group(1)) if found else None


def footer_text(title: str, year: int | None) -> str:
    """The footer's fixed words: ``平潭综合实验区 · 2024年度`` (the year left out when None)."""
    return " · ".join([title.strip(), *([f"{year}年度"] if year is not None else [])])


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal: every character other than letters, digits, CJK and
    spaces is a hex escape, so a body's name can never end the string, the rule or the style."""
    out = []
    for char in text:
        if char.isalnum() or char == " " or ord(char) > 0x2E7F:
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x} ")  # the space ends the escape, not shown
    return '"' + "".join(out) + '"'


#: the page-number words of the footer (their characters join the page's font subset)
PAGE_WORDS = " · 第 页 / 共 页"


def footer_css(title: str, year: int | None) -> str:
    """The ``@page`` rule printing ``title · year年度 · 第 n 页 / 共 m 页`` at the bottom of every
    page (Chromium ≥ 131 draws CSS margin boxes; counters ``page`` and ``pages``)."""
    words = _css_string(footer_text(title, year) + " · 第 ")
    return (
        "@page { @bottom-center { content: "
        f'{words} counter(page) " 页 / 共 " counter(pages) " 页"; '
        "font-family: 'govstats-cjk', sans-serif; font-size: 8.5pt; color: #555; } }"
    )


class Printer:
    """A worker's PDF printer: one browser, started at the first page, restarted after a fault.

    :meth:`print_page` prints a written page to ``briefing.pdf`` beside it; any failure is a
    :class:`~govstats.errors.PrintError` (after one retry in a fresh browser when the browser
    itself failed), and the page keeps its HTML. Threads (a Dask worker's) print one at a time.
    """

    def __init__(self, *, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._browser: Browser | None = None
        self._lock = threading.Lock()

    def print_page(self, page: Path, html: str | None = None) -> Path:
        """Print ``page`` (an ``index.html`` on disk; ``html``: its text, if at hand) to
        ``briefing.pdf`` in its folder."""
        page = Path(page).resolve()
        target = page.with_name(PDF_NAME)
        if html is None:
            html = page.read_text(encoding="utf-8")
        with self._lock:
            data = self._print(html)
        if not data.startswith(b"%PDF-"):
            raise PrintError(f"printing {page} gave no PDF")
        write_atomic_bytes(target, data)
        return target

    def _print(self, html: str) -> bytes:
        for attempt in (1, 2):
            reused = self._browser is not None
            try:
                if self._browser is None:
                    self._browser = Browser(timeout=self.timeout)
                return self._browser.print_pdf(html)
            except PrintError:
                self._close()  # a browser that failed is not reused
                if not reused or attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Stop the browser (a later page starts a new one)."""
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._browser is not None:
            browser, self._browser = self._browser, None
            browser.close()


def remove_stale_pdf(page: Path) -> None:
    """Remove the ``briefing.pdf`` beside ``page``: an older print that the new page replaces."""
    Path(page).with_name(PDF_NAME).unlink(missing_ok=True)
