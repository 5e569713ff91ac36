"""Running poppler's ``pdftotext`` (Debian ``poppler-utils``) in its three modes for the tests.

``-layout`` keeps the page's columns with spaces, ``-raw`` writes text in content-stream
order, and no option (``bare``) writes text blocks in reading order, a table's labels and its
number columns as separate blocks.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

MODES = {"layout": ["-layout"], "raw": ["-raw"], "bare": []}


def require_pdftotext() -> str:
    """The pdftotext executable, or skip the test with the way to install it."""
    path = shutil.which("pdftotext")
    if path is None:
        pytest.skip("pdftotext is not installed (Debian poppler-utils): run `make system-packages`")
    return path


def version() -> str:
    done = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True)
    return (done.stderr or done.stdout).splitlines()[0].strip()


def pdftotext(pdf: Path, mode: str) -> bytes:
    """The text ``pdftotext`` makes of ``pdf`` in ``mode`` (layout, raw or bare), UTF-8."""
    done = subprocess.run(
        ["pdftotext", *MODES[mode], "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return done.stdout
