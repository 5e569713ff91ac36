"""Find Debian's chromium for a browser test (and the Debian packages it needs beside it) or skip.

The browser is found where govstats finds it (``govstats.briefings.browser``: ``chromium`` on
``PATH`` or ``$GOVSTATS_CHROMIUM``), with the same flags. Nothing is installed here:
``make system-packages`` (scripts/system_packages.sh), which ``make test`` runs first, installs
them; without them the browser tests skip, naming it.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from govstats.briefings.browser import CHROMIUM_PACKAGE, FLAGS, find_chromium
from tests.support.checkout import CHECKOUT

__all__ = ["ARTIFACTS", "FLAGS", "chromium_path"]

#: where browser tests keep their screenshots and rendered pages for a human to look at
ARTIFACTS = CHECKOUT / "tests" / "artifacts"


def _missing_packages(packages: list[str]) -> list[str]:
    """The Debian packages of ``packages`` that are not installed (per dpkg; none without dpkg)."""
    if not shutil.which("dpkg-query"):
        return []
    missing = []
    for name in packages:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True
        )
        if "install ok installed" not in done.stdout:
            missing.append(name)
    return missing


def chromium_path(extra_packages: tuple[str, ...] = ()) -> str:
    """The chromium executable; skips the test when it, or one of ``extra_packages`` (further
    Debian packages the test needs, e.g. ``fonts-noto-cjk`` so Chinese text in a web UI
    renders), is missing, naming the command that installs them."""
    path = find_chromium()
    missing = ([] if path else [CHROMIUM_PACKAGE]) + _missing_packages(list(extra_packages))
    if missing or path is None:
        pytest.skip(f"{' '.join(missing)} not installed: run `make system-packages`")
    return path
