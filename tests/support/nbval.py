"""Running nbval over notebooks in a pytest subprocess, as a user's ``pytest --nbval-lax`` would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: the sanitizer nbval applies before comparing ``# NBVAL_CHECK_OUTPUT`` cells
SANITIZE = Path(__file__).parents[1] / "nbval_sanitize.cfg"


def run_nbval(notebooks: list[Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """nbval over ``notebooks`` in a new pytest process, with ``env`` added to the environment.

    This run's PYTEST_ADDOPTS is dropped: nbval runs a notebook's cells in one kernel, in order,
    and options such as ``-n 2`` would deal them to two."""
    base = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax"]
    cmd += ["--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE), *map(str, notebooks)]
    return subprocess.run(cmd, cwd=cwd, env=base | env, capture_output=True, text=True, timeout=300)
