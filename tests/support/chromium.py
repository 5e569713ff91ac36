"""Find Debian's chromium for browser tests, installing it (as root, via apt-get) when missing.

The test setup installs it, never a person by hand: CI machines start without it.
"""

from __future__ import annotations

import os
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
    """The Debian packages of ``packages`` that are not installed (per dpkg)."""
    missing = []
    for name in packages:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", name], capture_output=True, text=True
        )
        if "install ok installed" not in done.stdout:
            missing.append(name)
    return missing


def chromium_path(extra_packages: tuple[str, ...] = ()) -> str:
    """The chromium executable; installs the Debian packages once if needed, else skips.

    ``extra_packages`` are further Debian packages the test needs next to the browser (e.g.
    ``fonts-noto-cjk`` so Chinese text in a web UI renders); they are installed when missing.
    apt-get waits (bounded) for a dpkg lock held by another installer instead of failing.
    """
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    wanted = ([] if path else PACKAGES) + (_missing_packages(list(extra_packages)) if shutil.which("dpkg-query") else [])
    if path and not wanted:
        return path
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        if path:
            return path
        pytest.skip("chromium is not installed and this user cannot apt-get install it")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    lock = ["-o", "DPkg::Lock::Timeout=600"]
    for cmd in (["apt-get", *lock, "update", "-q"], ["apt-get", *lock, "install", "-y", "-q", *wanted]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
        if done.returncode != 0:
            pytest.fail(f"installing {' '.join(wanted)} failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    path = shutil.which("chromium")
    if not path:
        pytest.fail("apt-get installed chromium but no 'chromium' is on PATH")
    return path
