"""The first look: the default store, built from the bundled data the first time it is read.

Someone who opens ``notebooks/01-explore.ipynb`` right after cloning or installing, before any
ingest, should see the bundled reports rather than a notice that there is no store. So when a
reader asks for the default store (no path given, no ``$GOVSTATS_DB``) and it does not exist,
the bundled sample report and extract (:data:`govstats.config.BUNDLED_DATA`, what
``make briefings`` ingests) are ingested into it first, with one line on stderr saying so. A
store named explicitly is never built: a reader of a missing one gets the usual notice or
:class:`~govstats.errors.StoreError`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from govstats import config
from govstats.errors import GovstatsError
from govstats.store.ingestion import ingest


def reading_path(db: str | os.PathLike | None = None) -> Path:
    """The store a reader opens: ``db``, else the default store (:func:`config.default_db`),
    built from the bundled data first when it is the implicit default and does not exist."""
    if not config.is_implicit_db(db):
        return Path(db) if db else config.default_db()
    path = config.default_db()
    if not path.exists():
        build_first_look(path)
    return path


def build_first_look(path: Path) -> None:
    """Ingest the bundled data into a new store at ``path`` (left alone if it appears meanwhile).

    The store is built under a temporary name beside ``path`` and linked into place, so that a
    reader never sees it half-filled and a store another process made first is kept. A failure
    (a read-only folder, …) is said in one line and leaves ``path`` missing, so the reader
    reports the missing store as usual.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.first-look")
    sources = [config.BUNDLED_DATA / "raw", config.BUNDLED_DATA / "extract"]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        summary = ingest(sources, db=tmp, progress=False)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return  # another process built it first
        except OSError:  # no hard links here: move it (a store made meanwhile is replaced)
            os.replace(tmp, path)
    except (OSError, GovstatsError) as exc:
        print(f"默认数据库 {path} 不存在，用随附的样例数据建立时出错：{exc}", file=sys.stderr)
        return
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            if leftover.is_file():
                leftover.unlink()
    print(
        f"首次使用：默认数据库 {path} 不存在，已用随附的样例数据建立（{summary.read} 份报告）。",
        file=sys.stderr,
    )
