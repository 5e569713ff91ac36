"""Briefings as PDF: the page's running footer, and printing a written page next to itself.

A page prints as itself: its print CSS (``templates/briefing.html.j2``: A4, a page break before
each numbered section after 一、, no break inside tables, rows or charts, table heads repeated,
the back link hidden) and a running footer written into the page as a CSS ``@page`` margin box
(:func:`footer_css`: body, year, 第 n 页 / 共 m 页), so Ctrl+P in a browser gives the same pages
as ``govstats briefings --pdf``. The batch prints with headless Chromium
(:mod:`~govstats.briefings.browser`) in a print stage of its own (:func:`print_pages`): the
workers render pages and go on to the next one, while the batch's process hands each written
page to one of a few :class:`Printer` threads, each with its own browser, so that rendering
never waits for a print. ``briefing.pdf`` is written next to the page's ``index.html``.
"""

from __future__ import annotations

import dataclasses
import math
import queue
import re
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING

from govstats.briefings.browser import Browser
from govstats.briefings.paths import write_atomic_bytes
from govstats.errors import PrintError

if TYPE_CHECKING:  # manifest imports this module's words
    from govstats.briefings.manifest import Outcome

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
    """A PDF printer: one browser, started at the first page, restarted after a fault.

    :meth:`print_page` prints a written page to ``briefing.pdf`` beside it; any failure is a
    :class:`~govstats.errors.PrintError` (after one retry in a fresh browser when the browser
    itself failed), and the page keeps its HTML. Threads sharing one printer print one at a time.
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

    def start(self) -> None:
        """Start the browser now, before the first page arrives (a failure here is not raised:
        the first page tries again and reports it)."""
        with self._lock:
            if self._browser is None:
                try:
                    self._browser = Browser(timeout=self.timeout)
                except PrintError:
                    pass

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


#: pages rendered in parallel per browser printing them: a print costs about a tenth of a
#: page's rendering, so one browser keeps up with several workers (and each browser started
#: costs about 1.5 CPU-s and 200 MB)
WORKERS_PER_BROWSER = 4


def browsers_for(jobs: int) -> int:
    """How many browsers print the pages of ``jobs`` rendering workers."""
    return max(1, math.ceil(jobs / WORKERS_PER_BROWSER))


def print_pages(outcomes: Iterable[Outcome], out: Path, *, browsers: int = 1) -> Iterator[Outcome]:
    """Print every page that rendered (``status`` ok) to ``briefing.pdf`` while the pages keep
    coming, and yield each outcome once it is final: printed (``pdf`` set, the print's seconds
    added) or failed with :data:`PRINT_FAILED` and the reason (its HTML page stands); outcomes
    that did not render pass through as they come.

    ``browsers`` threads each drive one :class:`Printer`; their browsers start at once, while
    the first pages render. Printing happens where ``out`` is: with a Dask cluster, the folder
    the workers write to must be readable here.
    """
    printers: queue.SimpleQueue[Printer] = queue.SimpleQueue()
    for _ in range(browsers):
        printers.put(Printer())
    pool = ThreadPoolExecutor(max_workers=browsers, thread_name_prefix="govstats-print")
    try:
        for _ in range(browsers):
            pool.submit(_with_printer, printers, Printer.start)
        pending: set[Future[Outcome]] = set()
        for outcome in outcomes:
            if outcome.status == "ok":
                pending.add(pool.submit(_print_outcome, printers, out, outcome))
            else:
                yield outcome
            done = {future for future in pending if future.done()}
            pending -= done
            for future in done:
                yield future.result()
        for future in as_completed(pending):
            yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        while not printers.empty():
            printers.get().close()


def _with_printer(printers: queue.SimpleQueue[Printer], job):
    printer = printers.get()  # a free printer: one page at a time per browser
    try:
        return job(printer)
    finally:
        printers.put(printer)


def _print_outcome(printers: queue.SimpleQueue[Printer], out: Path, outcome: Outcome) -> Outcome:
    """``outcome``'s page printed (never raises: a failure is the page's failed outcome)."""

    def job(printer: Printer) -> Outcome:
        started = time.perf_counter()
        try:
            printer.print_page(out / outcome.page)
        except Exception as exc:  # this page's failure; its HTML page stands
            return dataclasses.replace(
                outcome,
                status="failed",
                error=f"{PRINT_FAILED}{exc}",
                seconds=outcome.seconds + time.perf_counter() - started,
            )
        return dataclasses.replace(
            outcome,
            pdf=Path(outcome.page).with_name(PDF_NAME).as_posix(),
            seconds=outcome.seconds + time.perf_counter() - started,
        )

    return _with_printer(printers, job)
