"""Find Debian's chromium (and the Debian packages a browser test needs beside it) or skip.

Nothing is installed here: ``make system-packages`` (scripts/system_packages.sh), which
``make test`` runs first, installs them; without them the browser tests skip, naming it.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

PACKAGES = ["chromium"]
#: flags that keep a headless Chromium off the (closed) network and quiet on this machine
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
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    missing = ([] if path else PACKAGES) + _missing_packages(list(extra_packages))
    if missing:
        pytest.skip(f"{' '.join(missing)} not installed: run `make system-packages`")
    return path
