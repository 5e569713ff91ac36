"""Headless Chromium: finding it, and one browser per worker process driven over a pipe.

:func:`find_chromium` is the one place that knows where the browser is (Debian's ``chromium``,
``$GOVSTATS_CHROMIUM`` to use another); the tests find it through it too. :class:`Browser`
starts one headless Chromium with ``--remote-debugging-pipe`` and speaks the DevTools protocol
(JSON messages ending in a NUL byte on file descriptors 3 and 4) with the standard library only:
it opens one tab and prints page after page through ``Page.printToPDF``, so a batch pays the
browser's start once per worker, not once per page, and no renderer process per page.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from govstats.errors import PrintError

#: the Debian package that provides the browser (``make system-packages`` installs it)
CHROMIUM_PACKAGE = "chromium"
#: names of the executable looked up on ``PATH``
CHROMIUM_NAMES = ("chromium", "chromium-browser")
#: flags that keep a headless Chromium off the (closed) network and quiet on a server
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: whether Chromium writes a tagged PDF (its structure tree for screen readers and reflow). Off:
#: it costs about a third of a print's CPU time (0.5 against 0.35 CPU-s for a 12-page briefing)
#: and 25% of the file; the HTML page is the accessible form of a briefing, the PDF its print
TAGGED_PDF = False
#: A4 in inches (210 × 297 mm), for ``Page.printToPDF``
A4_INCHES = (210 / 25.4, 297 / 25.4)
#: resolves once the document's web fonts are loaded and its images decoded
_READY = (
    "Promise.all([document.fonts.ready, "
    "...Array.from(document.images, (img) => img.decode().catch(() => null))]).then(() => true)"
)


def find_chromium() -> str | None:
    """The Chromium executable: ``$GOVSTATS_CHROMIUM`` if set, else ``chromium`` (or
    ``chromium-browser``) on ``PATH``; None when there is none."""
    configured = os.environ.get("GOVSTATS_CHROMIUM")
    if configured:
        return shutil.which(configured)
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def missing_message() -> str:
    """The one line saying that there is no browser, and what to install."""
    return (
        "--pdf needs headless Chromium, which was not found: install the Debian package "
        f"{CHROMIUM_PACKAGE} (`make system-packages`, or `sudo apt-get install "
        f"{CHROMIUM_PACKAGE}`) or set GOVSTATS_CHROMIUM; the HTML pages are written without PDF"
    )


class Browser:
    """One headless Chromium with one tab, printing pages to PDF (one process; not thread-safe).

    Raises :class:`~govstats.errors.PrintError` when the browser is missing, does not start,
    dies, or a page does not load or print within ``timeout`` seconds.
    """

    def __init__(self, executable: str | None = None, *, timeout: float = 60.0) -> None:
        executable = executable or find_chromium()
        if executable is None:
            raise PrintError(missing_message())
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="govstats-chromium-")
        self._log = open(Path(self._profile) / "stderr.log", "wb")  # noqa: SIM115
        ours_in, theirs_out = os.pipe()  # the browser writes replies on its fd 4
        theirs_in, ours_out = os.pipe()  # and reads commands on its fd 3

        def child_fds() -> None:  # in the child, before exec: its ends become fds 3 and 4
            read_end, write_end = os.dup(theirs_in), os.dup(theirs_out)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        try:
            self._process = subprocess.Popen(
                [executable, *FLAGS, "--remote-debugging-pipe",
                 f"--user-data-dir={self._profile}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._log,
                pass_fds=(3, 4), preexec_fn=child_fds,
            )  # fmt: skip
        except OSError as exc:
            self._cleanup()
            raise PrintError(f"cannot start {executable}: {exc}") from exc
        finally:
            os.close(theirs_in)
            os.close(theirs_out)
        self._in: int | None = ours_in
        self._out: int | None = ours_out
        self._buffer = b""
        self._next_id = 0
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self._session = self._call(
                "Target.attachToTarget", {"targetId": target, "flatten": True}
            )["sessionId"]
            tree = self._call("Page.getFrameTree", session=True)
            self._frame = tree["frameTree"]["frame"]["id"]
        except PrintError:
            self.close()
            raise

    # --- the protocol ---------------------------------------------------------------------
    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode("utf-8") + b"\0"
        if self._out is None:
            raise PrintError("the browser is closed")
        try:
            while data:
                data = data[os.write(self._out, data) :]
        except OSError as exc:
            raise PrintError(f"the browser is gone: {exc}{self._stderr_tail()}") from exc

    def _receive(self, deadline: float) -> dict:
        if self._in is None:
            raise PrintError("the browser is closed")
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise PrintError(f"the browser did not answer within {self.timeout:g} s")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise PrintError(f"the browser exited{self._stderr_tail()}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _call(self, method: str, params: dict | None = None, *, session: bool = False) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        self._send(message)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise PrintError(f"{method}: {reply['error'].get('message', reply['error'])}")
                return reply.get("result", {})
            # anything else is an event (none is enabled) or a late reply: not ours

    def _stderr_tail(self) -> str:
        try:
            tail = (Path(self._profile) / "stderr.log").read_bytes()[-600:]
        except OSError:
            return ""
        text = tail.decode("utf-8", "replace").strip()
        return f" (its last words: {text})" if text else ""

    # --- printing -------------------------------------------------------------------------
    def print_pdf(self, html: str, *, paper: tuple[float, float] = A4_INCHES) -> bytes:
        """The page ``html`` printed to PDF, once its web fonts and images are ready: ``paper``
        (inches; the page's own ``@page`` size wins), backgrounds, its CSS margin boxes.

        The page replaces the tab's document (``Page.setDocumentContent``) instead of being
        navigated to: no new renderer process per page. Its base URL is ``about:blank``, so the
        page must be self-contained (briefings are: only ``data:`` resources).
        """
        self._call("Page.setDocumentContent", {"frameId": self._frame, "html": html}, session=True)
        self._call("Runtime.evaluate", {"expression": _READY, "awaitPromise": True}, session=True)
        printed = self._call(
            "Page.printToPDF",
            {"paperWidth": paper[0], "paperHeight": paper[1], "preferCSSPageSize": True,
             "printBackground": True, "displayHeaderFooter": False,
             "generateTaggedPDF": TAGGED_PDF},
            session=True,
        )  # fmt: skip
        return base64.b64decode(printed["data"])

    def close(self) -> None:
        """Stop the browser and remove its profile (safe to call twice)."""
        process = getattr(self, "_process", None)
        if process is not None and process.poll() is None:
            try:
                self._send({"id": 0, "method": "Browser.close", "params": {}})
                process.wait(timeout=5)
            except (PrintError, subprocess.TimeoutExpired):
                process.kill()
                process.wait()
        for fd in (getattr(self, "_in", None), getattr(self, "_out", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._in = self._out = None
        self._cleanup()

    def _cleanup(self) -> None:
        log = getattr(self, "_log", None)
        if log is not None and not log.closed:
            log.close()
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
