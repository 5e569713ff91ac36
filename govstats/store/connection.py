"""The store file: its schema, opening it (lock retries, a short-lived read cache), creating it.

The store is a single DuckDB file (default ``data/govstats.duckdb``, ``$GOVSTATS_DB`` or the
``db`` argument), created on first use. Its tables (schema version :data:`SCHEMA_VERSION`):

``reports`` — one row per source document stored
    ============== ========= ======================================================
    report_id      VARCHAR   first 16 hex of sha256 of the source bytes (primary key)
    file_name      VARCHAR   the source file's name
    path           VARCHAR   where it was ingested from (for extracts: the extract file)
    format         VARCHAR   the format the reader recognised (html, pdf, txt-pipe, …)
    origin         VARCHAR   ``file`` (parsed at ingest), ``extract`` (from a tidy extract),
                             ``api`` (a Report handed to :func:`add_reports`)
    parser_version VARCHAR   ``govstats.__version__`` of the parser that read it
    read_at        TIMESTAMP when the source was parsed (UTC)
    ingested_at    TIMESTAMP when it entered this store (UTC)
    body           VARCHAR   the body as printed
    body_key       VARCHAR   normalised body name (:func:`govstats.store.registry.body_key`)
    year           INTEGER   the year reported on
    template       VARCHAR   ``2019`` / ``2021``
    layouts        VARCHAR   JSON: table → layout it was read as
    complete       BOOLEAN   all three tables were read
    missing        VARCHAR   JSON list of absent or cut tables
    warnings       VARCHAR   JSON list of the reader's warnings
    n_values       INTEGER   rows this report has in ``values``
    version        INTEGER   1, 2, … per body and year, in ingest order
    superseded_by  VARCHAR   report_id of the newer version; NULL for the current one
    rkey           INTEGER   1, 2, … in the order reports entered the store (internal row key)
    slug           VARCHAR   the body's resolved slug (NULL unless resolved), and its
    region_code    VARCHAR   GB/T 2260 code (nine digits for a township),
    region_name    VARCHAR   region name,
    level          VARCHAR   level (province, city, county, township, department),
    parent         VARCHAR   parent government (:mod:`govstats.store.placement`)
    resolution     VARCHAR   ``resolved``, ``ambiguous: …`` or ``unknown: …``
    resolution_why VARCHAR   how it was decided, or why not
    candidates     VARCHAR   JSON list of ``code name`` the name may mean
    evidence       VARCHAR   the report's text, kept only when the name alone is ambiguous
    ============== ========= ======================================================

``values`` — the tidy rows (``govstats.schema``): ``report_id``, ``seq`` (template order),
    ``table``, ``item``, ``column``, ``value`` (DOUBLE, NULL for a blank cell, money in 元),
    ``label`` (as printed), ``source`` (line / cell / page it was read from), ``rkey`` (the
    report's row key). ``body``, ``year`` and ``template`` come from ``reports``. Rows are
    appended in ``rkey`` order, so DuckDB's per-row-group min/max of ``rkey`` lets a query for
    a few reports (one body's series) skip all other row groups instead of scanning
    ``report_id`` (a hash, in no order).

``bodies`` — one row per body key seen or registered: ``body_key``, ``body`` (as first
    printed), ``first_seen``, and optional registry facts (``slug``, ``region_code``,
    ``region_name``, ``level``, ``parent``) set by :func:`register_bodies`; the registry file
    (``data/bodies.csv``) takes precedence over them.

``ingest_errors`` — files that could not be stored: ``path``, ``file_name``,
    ``content_hash``, ``reason``, ``parser_version``, ``at``. The latest failure per path;
    removed once that path or that content is stored.

``store_meta`` — ``schema_version``; ``placement``, a stamp rewritten whenever placements are
(readers cache them per store state). A store of schema version 1 (no ``rkey``) or 2 (no
resolution) is upgraded in place, in one transaction, the first time this version opens it
(even to read); an upgrade that fails changes nothing and raises :class:`StoreError`.

Ingest is idempotent (same bytes → skipped); each report's rows are written inside one
transaction together with its ``reports`` row (a transaction holds whole reports, several at a
time for speed, never part of one), so a killed ingest leaves whole reports only and a rerun
completes it; a newer file for the same body and year becomes a new version that supersedes
the old one (still in the store, ``load(..., all_versions=True)``). DuckDB admits one writing
process: a writer waits up to ``$GOVSTATS_LOCK_TIMEOUT`` seconds (default 30) for the lock,
then raises :class:`~govstats.errors.StoreBusyError`, and releases the lock about every second
so that others get in. Loads open the file read-only (a connection kept for
``$GOVSTATS_READ_CACHE_SECONDS``, default 2, so successive loads are fast).
"""

from __future__ import annotations

import atexit
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from govstats.config import default_db
from govstats.errors import StoreBusyError, StoreError

SCHEMA_VERSION = 3
BODY_COLUMNS = ["slug", "region_code", "region_name", "level", "parent"]

_DDL = [
    "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS reports (
        report_id VARCHAR PRIMARY KEY, file_name VARCHAR, path VARCHAR, format VARCHAR,
        origin VARCHAR, parser_version VARCHAR, read_at TIMESTAMP, ingested_at TIMESTAMP,
        body VARCHAR, body_key VARCHAR, year INTEGER, template VARCHAR, layouts VARCHAR,
        complete BOOLEAN, missing VARCHAR, warnings VARCHAR, n_values INTEGER,
        version INTEGER, superseded_by VARCHAR, rkey INTEGER, slug VARCHAR,
        region_code VARCHAR, region_name VARCHAR, level VARCHAR, parent VARCHAR,
        resolution VARCHAR, resolution_why VARCHAR, candidates VARCHAR, evidence VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS "values" (
        report_id VARCHAR NOT NULL, seq INTEGER, "table" VARCHAR, item VARCHAR, "column" VARCHAR,
        value DOUBLE, label VARCHAR, source VARCHAR, rkey INTEGER)""",
    """CREATE TABLE IF NOT EXISTS bodies (
        body_key VARCHAR PRIMARY KEY, body VARCHAR, first_seen TIMESTAMP, slug VARCHAR,
        region_code VARCHAR, region_name VARCHAR, level VARCHAR, parent VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS ingest_errors (
        path VARCHAR, file_name VARCHAR, content_hash VARCHAR, reason VARCHAR,
        parser_version VARCHAR, "at" TIMESTAMP)""",
]


def content_hash(data: bytes) -> str:
    """The report id of a source: the first 16 hex characters of the sha256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _lock_timeout() -> float:
    return float(os.environ.get("GOVSTATS_LOCK_TIMEOUT", "30"))


def _is_lock_conflict(exc: Exception) -> bool:
    text = str(exc)
    return (
        "Could not set lock" in text
        or "Conflicting lock" in text
        or "different configuration" in text
    )


def _open(path: Path, read_only: bool, timeout: float | None) -> duckdb.DuckDBPyConnection:
    """Open the file, retrying while another process holds the lock; then check the schema."""
    deadline = time.monotonic() + (_lock_timeout() if timeout is None else timeout)
    pause = 0.02
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except (duckdb.IOException, duckdb.ConnectionException) as exc:
            if not _is_lock_conflict(exc):
                raise StoreError(f"{path}: cannot open the store: {exc}") from exc
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    f"store is busy: {path} is locked by another process (an ingest?); gave up "
                    f"after {timeout if timeout is not None else _lock_timeout():g} "
                    "s, try again when it has finished"
                ) from exc
            time.sleep(pause)
            pause = min(pause * 1.5, 0.25)
    try:
        _ensure_schema(con, path, read_only)
    except _NeedsUpgrade:
        con.close()
        _open(path, False, timeout).close()  # upgrades the file, then read it as asked
        return _open(path, read_only, timeout)
    except BaseException:
        con.close()
        raise
    return con


class _ReadCache:
    """Read-only connections kept open for a moment, so that a notebook's successive loads do
    not pay DuckDB's open cost (tens of ms) each time.

    A read-only connection holds a shared lock that keeps writers out, so each is closed after
    ``$GOVSTATS_READ_CACHE_SECONDS`` (default 2) of idleness — a waiting ingest gets in then —
    and at once when this process opens the same file for writing. 0 disables the cache.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._open: dict[str, list] = {}  # path -> [connection, users, timer]

    @staticmethod
    def idle_seconds() -> float:
        return float(os.environ.get("GOVSTATS_READ_CACHE_SECONDS", "2"))

    @contextmanager
    def cursor(self, path: Path, timeout: float | None) -> Iterator[duckdb.DuckDBPyConnection]:
        key = str(path.resolve())
        with self._lock:
            slot = self._open.get(key)
            if slot is None:
                slot = self._open[key] = [_open(path, True, timeout), 0, None]
            slot[1] += 1
            if slot[2] is not None:
                slot[2].cancel()
                slot[2] = None
            cursor = slot[0].cursor()
        try:
            yield cursor
        finally:
            cursor.close()
            with self._lock:
                slot[1] -= 1
                if slot[1] == 0 and self._open.get(key) is slot:
                    slot[2] = threading.Timer(self.idle_seconds(), self._expire, args=(key, slot))
                    slot[2].daemon = True
                    slot[2].start()

    def _expire(self, key: str, slot: list) -> None:
        with self._lock:
            if slot[1] == 0 and self._open.get(key) is slot:
                del self._open[key]
                slot[0].close()

    def evict(self, path: Path) -> None:
        """Close this process's cached reader of ``path`` (before opening it for writing)."""
        with self._lock:
            slot = self._open.pop(str(path.resolve()), None)
        if slot is not None:
            if slot[2] is not None:
                slot[2].cancel()
            slot[0].close()

    def close_all(self) -> None:
        """Close every cached reader (at exit, in the main thread: a timer thread closing a
        DuckDB connection during interpreter shutdown could abort the process)."""
        with self._lock:
            slots, self._open = list(self._open.values()), {}
        for connection, _, timer in slots:
            if timer is not None:
                timer.cancel()
            connection.close()

    def close_idle_before_fork(self) -> None:
        """Before this process forks: close the cached readers not in use. DuckDB hands every
        later connect() to a file the database instance this process already has open — in a
        forked child too, where that instance's worker threads do not exist and a lock one of
        them held at the fork stays held. Closed now, a child opens an instance of its own."""
        if not self._lock.acquire(blocking=False):
            return  # another thread is opening a reader (it may wait for a lock): fork as before
        try:
            idle = [key for key, slot in self._open.items() if slot[1] == 0]
            slots = [self._open.pop(key) for key in idle]
        finally:
            self._lock.release()
        for connection, _, timer in slots:
            if timer is not None:
                timer.cancel()
            connection.close()

    def forget_after_fork(self) -> None:
        """In a forked child: drop the parent's connections that were in use at the fork
        without touching them (a DuckDB instance is not fork-safe; closing it here could
        hang), and start afresh."""
        _FORKED_LEFTOVERS.extend(slot[0] for slot in self._open.values())
        self._lock = threading.Lock()
        self._open = {}


_READERS = _ReadCache()
_FORKED_LEFTOVERS: list = []  # kept referenced so that they are never destructed in the child
atexit.register(_READERS.close_all)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_READERS.close_idle_before_fork, after_in_child=_READERS.forget_after_fork
    )


@contextmanager
def connect(
    db: str | Path | None = None, *, read_only: bool = False, timeout: float | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the store, closed (or, read-only, returned to a short-lived cache) on exit.

    Writable connections create the file and its tables on first use. While another process
    holds the file's lock, retries for ``timeout`` seconds (``$GOVSTATS_LOCK_TIMEOUT``,
    default 30), then raises :class:`StoreBusyError`. A read-only connection to a store that
    does not exist raises :class:`StoreError`.
    """
    path = Path(db) if db is not None else default_db()
    if read_only:
        if not path.is_file():
            raise StoreError(
                f"{path}: no store here yet (run `govstats ingest PATH... --db {path}` first)"
            )
        if _ReadCache.idle_seconds() > 0:
            with _READERS.cursor(path, timeout) as cursor:
                yield cursor
            return
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        _READERS.evict(path)
        if not path.exists():
            _create(path)
    con = _open(path, read_only, timeout)
    try:
        yield con
    finally:
        con.close()


def _create(path: Path) -> None:
    """Create a new, empty store at ``path`` so that it appears whole or not at all.

    DuckDB creates a database file before it locks it and writes its header: another process
    opening the path in between (two ingests starting at once on a loaded machine) finds an
    empty file and fails with "not a valid DuckDB database file". So the store is built under
    a temporary name beside ``path`` and hard-linked into place, which fails if the path exists
    by then: a process that loses this race uses the store the winner made. Where hard links
    are not supported DuckDB creates the file in place, as before.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{threading.get_ident()}.new")
    try:
        con = duckdb.connect(str(tmp))
        try:
            _ensure_schema(con, tmp, False)
            con.execute(
                "CHECKPOINT"
            )  # everything in the main file: no write-ahead log to carry over
        finally:
            con.close()
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created the store first
        except OSError:
            pass  # a file system without hard links: _open lets DuckDB create it in place
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)


def _ensure_schema(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    try:
        rows = con.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException:  # a new (or foreign) file: no store_meta table
        rows = None
    if rows is not None:
        found = int(rows[0][0]) if rows else 0
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"{path}: store schema version {found} is newer than "
                f"this govstats ({SCHEMA_VERSION}); upgrade govstats"
            )
        if found == SCHEMA_VERSION:
            return
        if found in (1, 2):
            if read_only:
                raise _NeedsUpgrade(path)
            _upgrade(con, path, found)
            return
    if read_only:
        raise StoreError(f"{path}: not a govstats store (no schema version {SCHEMA_VERSION})")
    con.execute("BEGIN")
    for statement in _DDL:
        con.execute(statement)
    con.execute(
        "INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]
    )
    con.execute("COMMIT")


class _NeedsUpgrade(Exception):
    """A read-only open met a store of an older schema: it is upgraded by a writable open."""


def _upgrade(con: duckdb.DuckDBPyConnection, path: Path, found: int) -> None:
    """Bring a store of schema ``found`` to :data:`SCHEMA_VERSION` in ONE transaction: a
    failure (say, a registry that cannot be read) leaves the file as it was, with an error
    naming it."""
    con.execute("SET enable_progress_bar = false")
    con.execute("BEGIN TRANSACTION")
    try:
        if found == 1:
            _upgrade_from_1(con)
        _upgrade_from_2(con)
        con.execute(
            "UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)]
        )
        con.execute("COMMIT")
    except BaseException as exc:
        con.execute("ROLLBACK")
        if isinstance(exc, Exception) and not isinstance(exc, StoreError):
            raise StoreError(
                f"{path}: cannot upgrade the store from schema version {found} to "
                f"{SCHEMA_VERSION} (nothing was changed): {exc}"
            ) from exc
        raise


def _upgrade_from_1(con: duckdb.DuckDBPyConnection) -> None:
    """Schema 1 → 2: number the reports in ingest order (``rkey``) and rewrite ``values``
    with that key, in key order (so that row-group zone maps work)."""
    con.execute("ALTER TABLE reports ADD COLUMN rkey INTEGER")
    con.execute(
        """UPDATE reports SET rkey = k.n FROM (
               SELECT report_id, row_number() OVER (ORDER BY ingested_at, report_id) AS n
               FROM reports) k
           WHERE reports.report_id = k.report_id"""
    )
    con.execute(
        """CREATE TABLE values_v2 AS SELECT v.*, r.rkey FROM "values" v
           JOIN reports r USING (report_id) ORDER BY r.rkey, v.seq"""
    )
    con.execute('DROP TABLE "values"')
    con.execute('ALTER TABLE values_v2 RENAME TO "values"')


def _upgrade_from_2(con: duckdb.DuckDBPyConnection) -> None:
    """Schema 2 → 3: the resolution of each report's body (``slug``, ``region_code``, …,
    ``resolution``), resolved from the printed name and the file's folder (the text of old
    reports is not in the store: a name only the text could place stays ambiguous until the
    file is ingested again into a new store), and versions renumbered per resolved body."""
    from govstats.store.placement import PLACE_COLUMNS, refresh_connection

    for column in PLACE_COLUMNS:
        con.execute(f"ALTER TABLE reports ADD COLUMN {column} VARCHAR")
    refresh_connection(con)


# ---------------------------------------------------------------------------------------
# What gets written: one entry per report
