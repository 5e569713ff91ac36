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


def chromium_path() -> str:
    """The chromium executable; installs the Debian packages once if needed, else skips."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path:
        return path
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and this user cannot apt-get install it")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *PACKAGES]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
        if done.returncode != 0:
            pytest.fail(f"installing chromium failed: {' '.join(cmd)}\n{done.stderr[-2000:]}")
    path = shutil.which("chromium")
    if not path:
        pytest.fail("apt-get installed chromium but no 'chromium' is on PATH")
    return path
