"""Paths of the checkout the tests, benchmarks and scripts run from (not of an installed govstats).

``CHECKOUT`` is the folder holding ``tests/``; ``DATA`` its committed ``data/`` (the sample report,
the extract, the registry); ``CORPUS_DIR`` the shared corpus of real reports, ``$GOVSTATS_CORPUS``
or ``../shared/corpus`` beside the checkout (tests that need it skip when it is absent).
"""

from __future__ import annotations

import os
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
DATA = CHECKOUT / "data"
CORPUS_DIR = Path(os.environ.get("GOVSTATS_CORPUS") or CHECKOUT.parent / "shared" / "corpus")
