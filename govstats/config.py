"""Paths govstats uses by default; each can be overridden by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

#: the project checkout (the folder holding ``data/``, ``notebooks/`` and ``reports/``)
PROJECT_DIR = Path(os.environ.get("GOVSTATS_HOME", Path(__file__).resolve().parent.parent))
DATA_DIR = Path(os.environ.get("GOVSTATS_DATA", PROJECT_DIR / "data"))
RAW_DIR = DATA_DIR / "raw"
NOTEBOOKS_DIR = Path(os.environ.get("GOVSTATS_NOTEBOOKS", PROJECT_DIR / "notebooks"))
REPORTS_DIR = Path(os.environ.get("GOVSTATS_REPORTS", PROJECT_DIR / "reports"))
#: the shared corpus of real reports, beside the checkout (tests skip when it is absent)
CORPUS_DIR = Path(os.environ.get("GOVSTATS_CORPUS", PROJECT_DIR.parent / "shared" / "corpus"))


def default_db() -> Path:
    """The store's path: ``$GOVSTATS_DB`` or ``data/govstats.duckdb``."""
    return Path(os.environ.get("GOVSTATS_DB", DATA_DIR / "govstats.duckdb"))
