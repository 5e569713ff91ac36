"""Where govstats finds what it ships and where it keeps what it makes.

What ships with the package (read-only, the same for every user) is under :data:`BUNDLED_DIR`:
the notebooks, the body registry ``data/bodies.csv``, the sample report in ``data/raw`` and the
tidy extract ``data/extract``. In a checkout ``govstats/bundled/notebooks`` and
``govstats/bundled/data`` are symlinks to the checkout's ``notebooks/`` and ``data/`` (one copy
of each file); a wheel holds the files themselves.

What govstats makes (the store, the briefing pages) lives in the *govstats home*, never in the
source tree. The home is, first match wins:

1. ``$GOVSTATS_HOME``;
2. the working directory or the nearest folder above it that is a home already, i.e. holds
   ``data/govstats.duckdb`` or ``data/bodies.csv`` (so a notebook's kernel, which starts in
   ``notebooks/``, finds the checkout's store, and ``make briefings`` in a checkout writes its
   ``data/`` and ``reports/``);
3. the working directory.

Each place can also be set on its own: ``$GOVSTATS_DATA`` (the data folder, default
``HOME/data``), ``$GOVSTATS_DB`` (the store, default ``DATA/govstats.duckdb``),
``$GOVSTATS_REPORTS`` (the briefing pages, default ``HOME/reports``), ``$GOVSTATS_REGISTRY``
(the registry, default ``DATA/bodies.csv`` when it exists, else the bundled one) and
``$GOVSTATS_NOTEBOOKS`` (the notebooks, default the bundled ones). These are functions, not
constants, so that they follow the working directory and the environment at the time of use.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

#: the files shipped inside the package (govstats must be installed as files, not zipped)
BUNDLED_DIR = Path(str(resources.files("govstats") / "bundled"))
#: the bundled data: ``bodies.csv``, ``raw/`` (the sample report), ``extract/`` (the tidy extract)
BUNDLED_DATA = BUNDLED_DIR / "data"
#: the notebooks the briefings and the first look run
NOTEBOOKS_DIR = Path(os.environ.get("GOVSTATS_NOTEBOOKS", BUNDLED_DIR / "notebooks"))

#: what makes a folder a govstats home (found by looking up from the working directory)
_HOME_MARKERS = ("data/govstats.duckdb", "data/bodies.csv")


def home() -> Path:
    """The govstats home: ``$GOVSTATS_HOME``, else the nearest of the working directory and
    its parents that holds ``data/govstats.duckdb`` or ``data/bodies.csv``, else the working
    directory."""
    if os.environ.get("GOVSTATS_HOME"):
        return Path(os.environ["GOVSTATS_HOME"])
    cwd = Path.cwd()
    for folder in (cwd, *cwd.parents):
        if any((folder / marker).is_file() for marker in _HOME_MARKERS):
            return folder
    return cwd


def data_dir() -> Path:
    """The data folder: ``$GOVSTATS_DATA`` or ``data/`` of the home."""
    return Path(os.environ.get("GOVSTATS_DATA") or home() / "data")


def reports_dir() -> Path:
    """Where the briefing pages go: ``$GOVSTATS_REPORTS`` or ``reports/`` of the home."""
    return Path(os.environ.get("GOVSTATS_REPORTS") or home() / "reports")


def default_db() -> Path:
    """The store's path: ``$GOVSTATS_DB`` or ``govstats.duckdb`` in the data folder."""
    return Path(os.environ.get("GOVSTATS_DB") or data_dir() / "govstats.duckdb")


def is_implicit_db(db: str | os.PathLike | None) -> bool:
    """Whether ``db`` asks for the default store without naming it (None or "", and no
    ``$GOVSTATS_DB``): the store that is built from the bundled data on first use."""
    return not db and not os.environ.get("GOVSTATS_DB")
