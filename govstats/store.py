"""The store: every report read, in one DuckDB file, with provenance and versions.

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
    body_key       VARCHAR   normalised body name (:func:`govstats.registry.body_key`)
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

``store_meta`` — ``schema_version``. A store of schema version 1 (no ``rkey``) is upgraded
in place, in one transaction, the first time this version opens it (even to read).

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
import json
import os
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from govstats import schema
from govstats.config import default_db
from govstats.errors import GovstatsError, StoreBusyError
from govstats.registry import alias_keys, body_key, fallback_slug, in_region, keys_for, load_registry, region_prefixes

if TYPE_CHECKING:
    from govstats.report import Report

SCHEMA_VERSION = 2
#: suffixes a folder walk picks up (files named on the command line are always tried)
REPORT_SUFFIXES = {".txt", ".text", ".htm", ".html", ".shtml", ".xhtml", ".md", ".markdown", ".pdf", ".docx", ".doc"}
#: the files of a tidy extract (``data/extract/``): report metadata and tidy values
EXTRACT_REPORTS = "reports.csv"
EXTRACT_VALUES = "values.csv"
EXTRACT_REPORT_COLUMNS = [
    "report_id", "file_name", "format", "parser_version", "read_at", "body", "year", "template",
    "layouts", "complete", "missing", "warnings", "n_values",
]  # fmt: skip
EXTRACT_VALUE_COLUMNS = schema.TIDY_COLUMNS + schema.TIDY_EXTRA_COLUMNS
#: columns of the frame :func:`load` returns: the tidy columns, ``source``, then provenance
LOAD_COLUMNS = EXTRACT_VALUE_COLUMNS + ["body_key", "version", "superseded_by"]
BODY_COLUMNS = ["slug", "region_code", "region_name", "level", "parent"]

_DDL = [
    "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    """CREATE TABLE IF NOT EXISTS reports (
        report_id VARCHAR PRIMARY KEY, file_name VARCHAR, path VARCHAR, format VARCHAR,
        origin VARCHAR, parser_version VARCHAR, read_at TIMESTAMP, ingested_at TIMESTAMP,
        body VARCHAR, body_key VARCHAR, year INTEGER, template VARCHAR, layouts VARCHAR,
        complete BOOLEAN, missing VARCHAR, warnings VARCHAR, n_values INTEGER,
        version INTEGER, superseded_by VARCHAR, rkey INTEGER)""",
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


class StoreError(GovstatsError):
    """The store file is missing, of a newer schema, or an extract is malformed."""


def content_hash(data: bytes) -> str:
    """The report id of a source: the first 16 hex characters of the sha256 of its bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _lock_timeout() -> float:
    return float(os.environ.get("GOVSTATS_LOCK_TIMEOUT", "30"))


def _is_lock_conflict(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text or "different configuration" in text


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
                    f"store is busy: {path} is locked by another process (an ingest?); "
                    f"gave up after {timeout if timeout is not None else _lock_timeout():g} s, try again when it has finished"
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
    os.register_at_fork(before=_READERS.close_idle_before_fork, after_in_child=_READERS.forget_after_fork)


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
            raise StoreError(f"{path}: no store here yet (run `govstats ingest PATH... --db {path}` first)")
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
            con.execute("CHECKPOINT")  # everything in the main file: no write-ahead log to carry over
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
            raise StoreError(f"{path}: store schema version {found} is newer than this govstats ({SCHEMA_VERSION}); upgrade govstats")
        if found == SCHEMA_VERSION:
            return
        if found == 1:
            if read_only:
                raise _NeedsUpgrade(path)
            _upgrade_from_1(con)
            return
    if read_only:
        raise StoreError(f"{path}: not a govstats store (no schema version {SCHEMA_VERSION})")
    con.execute("BEGIN")
    for statement in _DDL:
        con.execute(statement)
    con.execute("INSERT OR REPLACE INTO store_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    con.execute("COMMIT")


class _NeedsUpgrade(Exception):
    """A read-only open met a store of an older schema: it is upgraded by a writable open."""


def _upgrade_from_1(con: duckdb.DuckDBPyConnection) -> None:
    """Schema 1 → 2 in one transaction: number the reports in ingest order (``rkey``) and
    rewrite ``values`` with that key, in key order (so that row-group zone maps work)."""
    con.execute("SET enable_progress_bar = false")
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("ALTER TABLE reports ADD COLUMN rkey INTEGER")
        con.execute(
            """UPDATE reports SET rkey = k.n FROM (
                   SELECT report_id, row_number() OVER (ORDER BY ingested_at, report_id) AS n FROM reports) k
               WHERE reports.report_id = k.report_id"""
        )
        con.execute(
            """CREATE TABLE values_v2 AS SELECT v.*, r.rkey FROM "values" v JOIN reports r USING (report_id)
               ORDER BY r.rkey, v.seq"""
        )
        con.execute('DROP TABLE "values"')
        con.execute('ALTER TABLE values_v2 RENAME TO "values"')
        con.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------------------------------
# What gets written: one entry per report


@dataclass
class Entry:
    """One report ready to store: its provenance and its values.

    The values are given either as a tidy frame (``values``) or, cheaper, as an Arrow table
    in the layout of the ``values`` table (``arrow``); :meth:`tidy` gives the frame either way.
    """

    report_id: str
    file_name: str
    path: str
    format: str | None
    origin: str
    parser_version: str
    read_at: datetime
    body: str | None
    year: int | None
    template: str | None
    layouts: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    values: pd.DataFrame | None = None
    arrow: pa.Table | None = None

    @property
    def complete(self) -> bool:
        return not self.missing

    def tidy(self) -> pd.DataFrame:
        """The report's tidy frame (``govstats.schema`` columns plus ``source``)."""
        if self.values is None:
            table = self.arrow if self.arrow is not None else _VALUES_SCHEMA.empty_table()
            columns = table.to_pydict()
            self.values = schema.tidy_frame(
                (self.report_id, self.body, self.year, self.template, t, i, c, v, lab, src)
                for t, i, c, v, lab, src in zip(
                    columns["table"], columns["item"], columns["column"], columns["value"], columns["label"], columns["source"]
                )
            )
        return self.values

    def values_table(self) -> pa.Table:
        """The rows for the store's ``values`` table, as Arrow."""
        if self.arrow is None:
            self.arrow = _values_table(self.report_id, self.tidy())
        return self.arrow


_VALUES_SCHEMA = pa.schema(
    [
        ("report_id", pa.string()), ("seq", pa.int32()), ("table", pa.string()), ("item", pa.string()),
        ("column", pa.string()), ("value", pa.float64()), ("label", pa.string()), ("source", pa.string()),
    ]
)  # fmt: skip


_REPORT_COLUMNS = [
    "report_id", "file_name", "path", "format", "origin", "parser_version", "read_at", "ingested_at",
    "body", "body_key", "year", "template", "layouts", "complete", "missing", "warnings", "n_values",
    "version", "superseded_by", "rkey",
]  # fmt: skip
_REPORTS_SCHEMA = pa.schema(
    [
        (name, pa.timestamp("us") if name in ("read_at", "ingested_at") else pa.int32() if name in ("year", "n_values", "version", "rkey")
         else pa.bool_() if name == "complete" else pa.string())
        for name in _REPORT_COLUMNS
    ]
)  # fmt: skip


def entry_from_report(report: Report, *, path: str, origin: str = "file", read_at: datetime | None = None) -> Entry:
    """An :class:`Entry` for a :class:`~govstats.report.Report` read from ``path``."""
    from govstats import __version__

    keys = list(report.values)
    cells = list(report.values.values())
    arrow = pa.Table.from_arrays(
        [
            pa.array([report.report_id] * len(keys), pa.string()),
            pa.array(range(len(keys)), pa.int32()),
            pa.array([k[0] for k in keys], pa.string()),
            pa.array([k[1] for k in keys], pa.string()),
            pa.array([k[2] for k in keys], pa.string()),
            pa.array([None if v.value is None else float(v.value) for v in cells], pa.float64()),
            pa.array([v.label for v in cells], pa.string()),
            pa.array([v.source for v in cells], pa.string()),
        ],
        schema=_VALUES_SCHEMA,
    )
    return Entry(
        report_id=report.report_id,
        file_name=Path(report.name).name if report.name else Path(path).name,
        path=path,
        format=report.format,
        origin=origin,
        parser_version=__version__,
        read_at=read_at or _now(),
        body=report.body,
        year=report.year,
        template=report.template,
        layouts=dict(report.layouts),
        missing=list(report.missing),
        warnings=[str(w) for w in report.warnings],
        arrow=arrow,
    )


class _Writer:
    """Writes entries, holding the store's lock for at most ``hold`` seconds at a stretch.

    Releasing the lock now and then lets a concurrent ingest or a notebook in between batches.
    """

    def __init__(self, db: str | Path | None, hold: float = 1.0):
        self.db = db
        self.hold = hold
        self._cm = None
        self.con: duckdb.DuckDBPyConnection | None = None
        self._since = 0.0
        self._alias = alias_keys(load_registry())
        self._groups: dict[str, list[str]] = {}

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            self._cm = connect(self.db)
            self.con = self._cm.__enter__()
            self._since = time.monotonic()
            # while we hold the lock nobody else writes: cache what the checks below need
            self.body_keys = {r[0] for r in self.con.execute("SELECT body_key FROM bodies").fetchall()}
            errors = self.con.execute("SELECT content_hash, path FROM ingest_errors").fetchall()
            self.error_hashes = {h for h, _ in errors if h}
            self.error_paths = {p for _, p in errors}
            self.next_rkey = self.con.execute("SELECT coalesce(max(rkey), 0) + 1 FROM reports").fetchone()[0]
        return self.con

    def release(self) -> None:
        if self._cm is not None:
            cm, self._cm, self.con = self._cm, None, None
            cm.__exit__(None, None, None)

    def maybe_release(self) -> None:
        if self.con is not None and time.monotonic() - self._since > self.hold:
            self.release()

    def known_ids(self) -> set[str]:
        con = self.acquire()
        return {r[0] for r in con.execute("SELECT report_id FROM reports").fetchall()}

    def _canonical(self, key: str) -> str:
        return self._alias.get(key, key)

    def _group(self, key: str) -> list[str]:
        """The body keys that name the same registry body as ``key`` (aliases included)."""
        if key not in self._groups:
            canonical = self._canonical(key)
            self._groups[key] = sorted({k for k, c in self._alias.items() if c == canonical} | {key, canonical})
        return self._groups[key]

    def write_many(self, entries: list[Entry]) -> list[tuple[str, str | None]]:
        """Store entries in ONE transaction (whole reports only, never part of one).

        Returns per entry ("read" | "skipped", id of the report it superseded or None).
        A newer entry for a body and year supersedes the current one (also within the batch).
        """
        if not entries:
            return []
        con = self.acquire()
        con.execute("BEGIN TRANSACTION")
        try:
            ids = [e.report_id for e in entries]
            present = {
                r[0]
                for r in con.execute(
                    f"SELECT report_id FROM reports WHERE report_id IN ({','.join('?' * len(ids))})", ids
                ).fetchall()
            }
            keys = {e.report_id: body_key(e.body) if e.body else None for e in entries}
            wanted = sorted({k for e in entries if keys[e.report_id] for k in self._group(keys[e.report_id])})
            # (canonical body, year) -> [highest version, ids of current reports]
            state: dict[tuple[str, int], list] = {}
            if wanted:
                rows = con.execute(
                    f"SELECT report_id, body_key, year, version, superseded_by FROM reports "
                    f"WHERE body_key IN ({','.join('?' * len(wanted))})",
                    wanted,
                ).fetchall()
                for rid, key, year, version, superseded_by in rows:
                    slot = state.setdefault((self._canonical(key), year), [0, []])
                    slot[0] = max(slot[0], version or 0)
                    if superseded_by is None:
                        slot[1].append(rid)
            now = _now()
            out: list[tuple[str, str | None]] = []
            report_rows, tables, updates, new_bodies = [], [], [], {}
            for entry in entries:
                if entry.report_id in present:
                    out.append(("skipped", None))
                    continue
                present.add(entry.report_id)
                key = keys[entry.report_id]
                version, previous = 1, []
                if key is not None and entry.year is not None:
                    slot = state.setdefault((self._canonical(key), entry.year), [0, []])
                    version, previous = slot[0] + 1, slot[1]
                    slot[0], slot[1] = version, [entry.report_id]
                values = entry.values_table()
                rkey = self.next_rkey + len(report_rows)
                report_rows.append(
                    (
                        entry.report_id, entry.file_name, entry.path, entry.format, entry.origin,
                        entry.parser_version, entry.read_at, now, entry.body, key, entry.year, entry.template,
                        json.dumps(entry.layouts, ensure_ascii=False, sort_keys=True), entry.complete,
                        json.dumps(entry.missing, ensure_ascii=False), json.dumps(entry.warnings, ensure_ascii=False),
                        values.num_rows, version, None, rkey,
                    )
                )  # fmt: skip
                tables.append(values.append_column("rkey", pa.array(np.full(values.num_rows, rkey, np.int32))))
                updates += [(old, entry.report_id) for old in previous]
                if key is not None and key not in self.body_keys:
                    new_bodies.setdefault(key, entry.body)
                out.append(("read", previous[0] if previous else None))
            if report_rows:
                self._insert(con, "reports", pa.Table.from_pylist(
                    [dict(zip(_REPORT_COLUMNS, row)) for row in report_rows], schema=_REPORTS_SCHEMA
                ))  # fmt: skip
                self._insert(con, "values", pa.concat_tables(tables))
            if updates:
                # a report superseded within this batch was inserted above: one UPDATE covers both
                final = dict(updates)
                con.register("_govstats_updates", pa.table({"old": list(final), "new": list(final.values())}))
                try:
                    con.execute(
                        "UPDATE reports SET superseded_by = u.new FROM _govstats_updates u WHERE reports.report_id = u.old"
                    )
                finally:
                    con.unregister("_govstats_updates")
            if new_bodies:
                con.executemany(
                    "INSERT INTO bodies (body_key, body, first_seen) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [[k, b, now] for k, b in new_bodies.items()],
                )
            stored = [rid for rid in ids if rid in self.error_hashes]
            paths = [e.path for e in entries if e.path in self.error_paths]
            if stored or paths:
                con.execute(
                    f"DELETE FROM ingest_errors WHERE content_hash IN ({','.join('?' * len(stored)) or 'NULL'}) "
                    f"OR path IN ({','.join('?' * len(paths)) or 'NULL'})",
                    stored + paths,
                )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        self.next_rkey += len(report_rows)
        self.body_keys |= set(new_bodies)
        self.error_hashes -= set(ids)
        self.error_paths -= {e.path for e in entries}
        return out

    @staticmethod
    def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
        con.register("_govstats_rows", rows)
        try:
            con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM _govstats_rows')
        finally:
            con.unregister("_govstats_rows")

    def record_error(self, path: str, data_hash: str | None, reason: str) -> None:
        from govstats import __version__

        con = self.acquire()
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM ingest_errors WHERE path = ?", [path])
        con.execute(
            "INSERT INTO ingest_errors VALUES (?, ?, ?, ?, ?, ?)",
            [path, Path(path).name, data_hash, reason, __version__, _now()],
        )
        con.execute("COMMIT")
        if data_hash:
            self.error_hashes.add(data_hash)
        self.error_paths.add(path)


def _values_table(report_id: str, frame: pd.DataFrame) -> pa.Table:
    n = len(frame)

    def text(column: str) -> pa.Array:
        if column not in frame.columns:
            return pa.array([None] * n, type=pa.string())
        return pa.array(frame[column].astype("string").to_numpy(dtype=object, na_value=None), type=pa.string())

    value = pd.to_numeric(frame["value"]).astype("Float64").to_numpy(dtype=object, na_value=None)
    return pa.Table.from_arrays(
        [
            pa.array([report_id] * n, type=pa.string()), pa.array(range(n), type=pa.int32()),
            text("table"), text("item"), text("column"), pa.array(value, type=pa.float64()),
            text("label"), text("source"),
        ],
        schema=_VALUES_SCHEMA,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# Ingest


@dataclass
class IngestSummary:
    """What an ingest did. ``errors`` holds (path, reason) per failed file."""

    read: int = 0
    skipped: int = 0
    failed: int = 0
    new_versions: int = 0
    ignored: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    report_ids: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The closing summary line, e.g. ``read 11 (1 new version), skipped 0 already present, failed 0``."""
        versions = f" ({self.new_versions} new version{'s' if self.new_versions != 1 else ''})" if self.new_versions else ""
        ignored = f", ignored {self.ignored} not a report format" if self.ignored else ""
        return f"read {self.read}{versions}, skipped {self.skipped} already present, failed {self.failed}{ignored}"


@dataclass
class _FileSource:
    path: Path


@dataclass
class _ExtractSource:
    folder: Path


def _is_extract_dir(folder: Path) -> bool:
    reports = folder / EXTRACT_REPORTS
    if not (reports.is_file() and (folder / EXTRACT_VALUES).is_file()):
        return False
    with reports.open(encoding="utf-8-sig") as fh:
        header = fh.readline().strip().split(",")
    return header[: len(EXTRACT_REPORT_COLUMNS)] == EXTRACT_REPORT_COLUMNS


def discover(paths: Iterable[str | Path]) -> tuple[list[_FileSource | _ExtractSource], int]:
    """The sources under ``paths`` (files, folders walked recursively, tidy extracts), and how
    many files a folder walk passed over (hidden, README, not a report format).

    A path that does not exist raises :class:`StoreError`.
    """
    sources: list[_FileSource | _ExtractSource] = []
    ignored = 0
    seen: set[Path] = set()

    def add(source) -> None:
        key = (source.path if isinstance(source, _FileSource) else source.folder).resolve()
        if key not in seen:
            seen.add(key)
            sources.append(source)

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise StoreError(f"{path}: no such file or folder")
        if path.is_file():
            if path.name in (EXTRACT_REPORTS, EXTRACT_VALUES) and _is_extract_dir(path.parent):
                add(_ExtractSource(path.parent))
            else:
                add(_FileSource(path))
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            here = Path(folder)
            if _is_extract_dir(here):
                add(_ExtractSource(here))
                files = [f for f in files if f not in (EXTRACT_REPORTS, EXTRACT_VALUES)]
            for name in sorted(files):
                suffix = Path(name).suffix.lower()
                if name.startswith(".") or name.upper().startswith(("README", "LICENSE")) or (
                    suffix and suffix not in REPORT_SUFFIXES
                ):
                    ignored += 1
                    continue
                add(_FileSource(here / name))
    return sources, ignored


def read_extract(folder: str | Path) -> Iterator[Entry]:
    """The reports of a tidy extract folder (``reports.csv`` + ``values.csv``), as entries.

    Report ids, file names, formats, parser versions and read times are those recorded when
    the extract was built. Raises :class:`StoreError` naming the file and row when the two
    files disagree.
    """
    folder = Path(folder)
    reports = pd.read_csv(folder / EXTRACT_REPORTS, dtype="string", keep_default_na=False, encoding="utf-8-sig")
    values = pd.read_csv(
        folder / EXTRACT_VALUES,
        dtype={c: "string" for c in EXTRACT_VALUE_COLUMNS if c not in ("year", "value")} | {"year": "Int64", "value": "Float64"},
        keep_default_na=False,
        na_values={"value": [""], "year": [""]},
        encoding="utf-8-sig",
    )
    missing = [c for c in EXTRACT_VALUE_COLUMNS if c not in values.columns]
    if missing:
        raise StoreError(f"{folder / EXTRACT_VALUES}: missing column(s) {', '.join(missing)}")
    values["source"] = values["source"].fillna("")
    by_report = dict(tuple(values.groupby("report_id", sort=False)))
    for line, row in enumerate(reports.itertuples(index=False), start=2):
        frame = by_report.get(row.report_id)
        count = 0 if frame is None else len(frame)
        if row.n_values and int(row.n_values) != count:
            raise StoreError(
                f"{folder / EXTRACT_REPORTS}: line {line}: report {row.report_id} lists {row.n_values} values, "
                f"{folder / EXTRACT_VALUES} holds {count}"
            )
        yield Entry(
            report_id=row.report_id,
            file_name=row.file_name,
            path=str(folder / EXTRACT_VALUES),
            format=row.format or None,
            origin="extract",
            parser_version=row.parser_version,
            read_at=datetime.fromisoformat(row.read_at) if row.read_at else _now(),
            body=row.body or None,
            year=int(row.year) if row.year else None,
            template=row.template or None,
            layouts=json.loads(row.layouts or "{}"),
            missing=json.loads(row.missing or "[]"),
            warnings=json.loads(row.warnings or "[]"),
            values=schema.tidy_frame(frame[EXTRACT_VALUE_COLUMNS].itertuples(index=False, name=None))
            if frame is not None
            else schema.tidy_frame(),
        )


def write_extract(entries: Iterable[Entry], folder: str | Path) -> tuple[Path, Path]:
    """Write entries as a tidy extract (``reports.csv`` + ``values.csv``, UTF-8) into ``folder``.

    Files are written to a temporary name and renamed, so a failed run leaves the old extract.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta, frames = [], []
    for e in entries:
        frames.append(e.tidy()[EXTRACT_VALUE_COLUMNS])
        meta.append(
            {
                "report_id": e.report_id, "file_name": e.file_name, "format": e.format,
                "parser_version": e.parser_version, "read_at": e.read_at.isoformat(timespec="seconds"),
                "body": e.body, "year": e.year, "template": e.template,
                "layouts": json.dumps(e.layouts, ensure_ascii=False, sort_keys=True),
                "complete": e.complete, "missing": json.dumps(e.missing, ensure_ascii=False),
                "warnings": json.dumps(e.warnings, ensure_ascii=False), "n_values": len(e.tidy()),
            }
        )  # fmt: skip
    reports = pd.DataFrame(meta, columns=EXTRACT_REPORT_COLUMNS)
    values = pd.concat(frames, ignore_index=True) if frames else schema.tidy_frame()
    out = []
    for name, frame in ((EXTRACT_REPORTS, reports), (EXTRACT_VALUES, values)):
        target = folder / name
        tmp = target.with_suffix(".csv.tmp")
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        tmp.replace(target)
        out.append(target)
    return out[0], out[1]


def _show_progress() -> bool:
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("true", "1", "yes")


#: an ingest left to choose (``jobs=None``) parses in this process below this many files:
#: starting worker processes costs about a second
POOL_MIN_FILES = 64
#: parsed reports in flight per worker process (bounds the memory an ingest holds)
_IN_FLIGHT_PER_JOB = 8


def default_jobs() -> int:
    """Worker processes an ingest uses by default: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def ingest(
    paths: Iterable[str | Path],
    db: str | Path | None = None,
    *,
    progress: bool | None = None,
    on_result: Callable[[str, str, str], None] | None = None,
    batch: int | None = None,
    jobs: int | None = None,
) -> IngestSummary:
    """Read every report under ``paths`` into the store; return what happened.

    ``paths``: files, folders (walked recursively; see :data:`REPORT_SUFFIXES`) and tidy
    extract folders. Files whose bytes are already stored are skipped without parsing; a file
    that fails is recorded in ``ingest_errors`` with its reason and the others go on. Parsed
    reports are written in transactions of up to ``batch`` whole reports (default 16, or 128
    with worker processes; at least every half second), so an interrupted ingest leaves whole
    reports only and a rerun completes it. ``jobs``: processes that parse files (default :func:`default_jobs`, but in this process
    when fewer than :data:`POOL_MIN_FILES` files need parsing; ``1``: always in this
    process). Workers only parse; this process alone reads the files, skips known content
    and writes the store, in the order the files were found, with at most
    ``8 × jobs`` parsed reports waiting. ``progress``: a tqdm bar (default: on a terminal, not
    in CI). ``on_result(status, path, detail)`` is called once a file's fate is settled (after
    its commit), with status ``read``, ``skipped`` or ``failed``. Raises
    :class:`StoreBusyError` when the store stays locked.
    """
    from tqdm.auto import tqdm

    sources, ignored = discover(paths)
    summary = IngestSummary(ignored=ignored)
    show = _show_progress() if progress is None else progress
    bar = tqdm(total=len(sources), unit="file", disable=not show, desc="ingest")

    def done(status: str, where: str, detail: str = "") -> None:
        if status == "failed":
            summary.failed += 1
            summary.errors.append((where, detail))
        else:
            setattr(summary, status, getattr(summary, status) + 1)
        bar.update(1)
        if on_result is not None:
            on_result(status, where, detail)

    def fail(where: str, data_hash: str | None, reason: str) -> None:
        writer.record_error(where, data_hash, reason)
        writer.maybe_release()
        done("failed", where, reason)

    def settle(where: str, data_hash: str, parsed: Entry | str) -> None:
        if isinstance(parsed, str):
            fail(where, data_hash, parsed)
        else:
            pending.add(parsed)

    with _Writer(db) as writer:
        known = writer.known_ids()
        writer.release()
        n_files = sum(isinstance(s, _FileSource) for s in sources)
        workers = max(1, default_jobs() if jobs is None else int(jobs))
        if jobs is None and n_files - len(known) < POOL_MIN_FILES:
            workers = 1
        # a commit costs ~15 ms: with parsing off this process, the writer is the bottleneck
        pending = _Pending(writer, known, summary, done, batch or (16 if workers == 1 else 128))
        with _ParsePool(workers) as pool:
            for source in sources:
                if isinstance(source, _ExtractSource):
                    for args in pool.drain():  # keep the order the sources were found in
                        settle(*args)
                    try:
                        entries = list(read_extract(source.folder))
                    except (StoreError, ValueError, KeyError) as exc:
                        fail(str(source.folder), None, f"not a readable extract: {exc}")
                        continue
                    bar.total += len(entries) - 1
                    for entry in entries:
                        pending.add(entry)
                    continue
                where = str(source.path)
                try:
                    data = source.path.read_bytes()
                except OSError as exc:
                    fail(where, None, f"cannot read: {exc.strerror or exc}")
                    continue
                data_hash = content_hash(data)
                if data_hash in known:
                    done("skipped", where, data_hash)
                    continue
                for args in pool.submit(data, where, data_hash):
                    settle(*args)
            for args in pool.drain():
                settle(*args)
        pending.flush()
        bar.close()
    return summary


def _parse_outcome(data: bytes, where: str) -> Entry | str:
    """A file's entry, or the reason it could not be read (run in a worker process)."""
    try:
        return _parse(data, where)
    except Exception as exc:  # noqa: BLE001 — one bad file (or a reader bug) must not stop the batch
        return str(exc) if isinstance(exc, GovstatsError) else f"{type(exc).__name__}: {exc}"


def _watch_parent(pid: int) -> None:
    """In a parse worker: ignore Ctrl-C (the ingest handles it and stops the pool) and exit
    once the ingesting process ``pid`` is gone (killed with -9, a worker would otherwise wait
    for work forever, and so would the forkserver)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = os.path.exists("/proc/self/stat")

    def alive() -> bool:
        if proc:
            try:
                with open(f"/proc/{pid}/stat", "rb") as fh:
                    return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"  # a zombie is gone too
            except OSError:
                return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:  # exists, owned by someone else
            pass
        return True

    def watch() -> None:
        while alive():
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="govstats-parent-watch", daemon=True).start()


class _ParsePool:
    """Parses files in worker processes (or in this one for ``jobs == 1``), results in order.

    :meth:`submit` hands a file over and returns the (where, hash, entry or reason) results
    that became due, oldest first, so that at most ``jobs × 8`` parsed files are in flight.
    Workers start from a ``forkserver`` (no fork of this process's DuckDB threads) with the
    reader preloaded, and never open the store.
    """

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.limit = jobs * _IN_FLIGHT_PER_JOB
        self.executor = None
        self.queue: deque = deque()

    def __enter__(self) -> _ParsePool:
        if self.jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            if "forkserver" in methods:
                context.set_forkserver_preload(["govstats.store", "govstats.reading"])
            self.executor = ProcessPoolExecutor(
                self.jobs, mp_context=context, initializer=_watch_parent, initargs=(os.getpid(),)
            )
        return self

    def __exit__(self, *exc) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=exc[0] is None, cancel_futures=True)

    def submit(self, data: bytes, where: str, data_hash: str) -> list[tuple[str, str, Entry | str]]:
        if self.executor is None:
            return [(where, data_hash, _parse_outcome(data, where))]
        self.queue.append((where, data_hash, self.executor.submit(_parse_outcome, data, where)))
        due = []
        while len(self.queue) >= self.limit or (self.queue and self.queue[0][2].done()):
            due.append(self._pop())
        return due

    def drain(self) -> list[tuple[str, str, Entry | str]]:
        out = []
        while self.queue:
            out.append(self._pop())
        return out

    def _pop(self) -> tuple[str, str, Entry | str]:
        where, data_hash, future = self.queue.popleft()
        try:
            return where, data_hash, future.result()
        except Exception as exc:  # noqa: BLE001 — a worker died (killed, out of memory): say so, go on
            from concurrent.futures.process import BrokenProcessPool

            if isinstance(exc, BrokenProcessPool):
                raise StoreError(f"{where}: a parsing worker process died ({exc}); files stored so far are kept, rerun to go on") from exc
            return where, data_hash, f"{type(exc).__name__}: {exc}"


class _Pending:
    """Parsed entries waiting for their transaction: flushed by count or after half a second."""

    def __init__(self, writer: _Writer, known: set[str], summary: IngestSummary, done, batch: int, wait: float = 0.5):
        self.writer, self.known, self.summary, self.done = writer, known, summary, done
        self.batch, self.wait = max(1, batch), wait
        self.entries: list[Entry] = []
        self.since = 0.0

    def add(self, entry: Entry) -> None:
        if entry.report_id in self.known or any(e.report_id == entry.report_id for e in self.entries):
            self.done("skipped", entry.path, entry.report_id)
            return
        if not self.entries:
            self.since = time.monotonic()
        self.entries.append(entry)
        if len(self.entries) >= self.batch or time.monotonic() - self.since > self.wait:
            self.flush()

    def flush(self) -> None:
        entries, self.entries = self.entries, []
        if not entries:
            return
        results = self.writer.write_many(entries)
        self.writer.maybe_release()
        for entry, (status, superseded) in zip(entries, results):
            self.known.add(entry.report_id)
            if status == "read":
                self.summary.report_ids.append(entry.report_id)
                self.summary.new_versions += superseded is not None
            self.done(status, entry.path, entry.report_id)


def _parse(data: bytes, where: str) -> Entry:
    from govstats.reading import read_report

    read_at = _now()
    report = read_report(data, name=where)
    return entry_from_report(report, path=where, read_at=read_at)


def add_reports(
    reports: Iterable[Report | Entry], db: str | Path | None = None, *, batch: int = 500, hold: float = 5.0
) -> IngestSummary:
    """Store reports already read (e.g. generated ones): whole reports, ``batch`` per transaction.

    Same semantics as :func:`ingest` (skip known ids, versions per body and year); holds the
    store's lock for up to ``hold`` seconds at a stretch.
    """
    summary = IngestSummary()

    def done(status: str, where: str, detail: str = "") -> None:
        setattr(summary, status, getattr(summary, status) + 1)

    with _Writer(db, hold=hold) as writer:
        pending = _Pending(writer, writer.known_ids(), summary, done, batch, wait=float("inf"))
        for report in reports:
            pending.add(report if isinstance(report, Entry) else entry_from_report(report, path=report.name, origin="api"))
        pending.flush()
    return summary


def register_bodies(frame: pd.DataFrame, db: str | Path | None = None) -> int:
    """Record registry facts for bodies in the store (for bodies absent from ``data/bodies.csv``,
    e.g. generated ones). ``frame`` has ``body`` and any of slug, region_code, region_name,
    level, parent. Returns the number of rows written. The registry file still wins."""
    rows = []
    for rec in frame.to_dict("records"):
        rows.append([body_key(rec["body"]), rec["body"], _now(), *(rec.get(c) for c in BODY_COLUMNS)])
    with connect(db) as con:
        con.execute("BEGIN TRANSACTION")
        con.executemany(
            """INSERT INTO bodies VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (body_key) DO UPDATE SET
               slug = excluded.slug, region_code = excluded.region_code, region_name = excluded.region_name,
               level = excluded.level, parent = excluded.parent""",
            rows,
        )
        con.execute("COMMIT")
    return len(rows)


# ---------------------------------------------------------------------------------------
# Reading the store


def _query(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    """Run a query and return its rows as a frame with nullable dtypes (via Arrow)."""
    relation = con.sql(sql, params=params or None)
    fetch = getattr(relation, "to_arrow_table", None) or relation.arrow  # renamed in DuckDB 1.4
    return _to_pandas(fetch())


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    mapping = {
        pa.string(): pd.StringDtype(),
        pa.large_string(): pd.StringDtype(),
        pa.int32(): pd.Int64Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.float64(): pd.Float64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    return table.to_pandas(types_mapper=mapping.get)


def _as_list(value) -> list | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):  # one year may be a numpy integer
        return [value]
    return list(value)


def _bodies_frame(con: duckdb.DuckDBPyConnection, registry: pd.DataFrame) -> pd.DataFrame:
    aliases = alias_keys(registry)
    current = _query(
        con,
        """SELECT body_key, arg_max(body, year) AS body, count(*) AS n_reports, min(year) AS first_year,
                  max(year) AS last_year, list(DISTINCT year ORDER BY year) AS years
           FROM reports WHERE superseded_by IS NULL AND body_key IS NOT NULL GROUP BY body_key""",
    )
    stored = _query(con, "SELECT body_key, " + ", ".join(BODY_COLUMNS) + " FROM bodies WHERE slug IS NOT NULL")
    current["canonical"] = current["body_key"].map(lambda k: aliases.get(k, k)).astype("string")
    if current["canonical"].duplicated().any():  # several printed names of one registry body
        current = current.sort_values("last_year", kind="stable")
        current = current.groupby("canonical", as_index=False, sort=False).agg(
            body=("body", "last"), n_reports=("n_reports", "sum"), first_year=("first_year", "min"),
            last_year=("last_year", "max"), years=("years", lambda ys: sorted({y for y_list in ys for y in y_list})),
        )  # fmt: skip
    current = current.drop(columns=["body_key"], errors="ignore").rename(columns={"canonical": "body_key"})
    facts = pd.concat(
        [
            registry[["body_key", *BODY_COLUMNS]].replace("", pd.NA),
            stored[~stored["body_key"].isin(registry["body_key"])],
        ],
        ignore_index=True,
    )
    out = current.merge(facts.assign(known=True), on="body_key", how="left")
    out["known"] = out["known"].fillna(False).astype("boolean")
    missing_slug = out["slug"].isna()
    out.loc[missing_slug, "slug"] = [fallback_slug(k) for k in out.loc[missing_slug, "body_key"]]
    out["years"] = [list(map(int, y)) for y in out["years"]]
    columns = ["body_key", "body", *BODY_COLUMNS, "known", "n_reports", "first_year", "last_year", "years"]
    out = out[columns].astype(
        {c: "string" for c in ["body_key", "body", *BODY_COLUMNS]}
        | {"n_reports": "Int64", "first_year": "Int64", "last_year": "Int64"}
    )
    return out.sort_values("body_key", kind="stable").reset_index(drop=True)


def bodies(db: str | Path | None = None, *, region: str | None = None) -> pd.DataFrame:
    """Every body in the store, with its registry facts; one row per body.

    Columns: ``body_key``, ``body`` (as printed in its latest report), ``slug``, ``region_code``,
    ``region_name``, ``level``, ``parent``, ``known`` (in the registry file or registered in
    the store), ``n_reports`` (current versions), ``first_year``, ``last_year``, ``years``
    (list of ints). Bodies the registry does not know are listed with ``known = False`` and a
    fallback slug. ``region``: a GB/T 2260 code or region name (资阳市) to keep only its bodies.
    """
    registry = load_registry()
    with connect(db, read_only=True) as con:
        out = _bodies_frame(con, registry)
    if region is not None:
        out = out[in_region(out["region_code"], region_prefixes(region, _with_regions(registry, out)))]
    return out.reset_index(drop=True)


def _with_regions(registry: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The registry plus region names of bodies registered in the store (for region lookups)."""
    extra = frame.loc[~frame["body_key"].isin(registry["body_key"]) & frame["region_code"].notna()]
    return pd.concat([registry, extra[["slug", "body", "region_code", "region_name", "level", "parent", "body_key"]]])


def find_body(query: str, db: str | Path | None = None) -> pd.Series:
    """The :func:`bodies` row of a body given by slug, printed name, alias or key.

    Raises :class:`GovstatsError` when the store holds no such body.
    """
    registry = load_registry()
    with connect(db, read_only=True) as con:
        keys = _resolve_keys(con, registry, query, None)
        table = _bodies_frame(con, registry)
    hit = table[table["body_key"].isin(keys or [])]
    if hit.empty:
        raise GovstatsError(f"no body {query!r} in the store {db or default_db()} (see govstats.bodies())")
    return hit.iloc[0]


def _region_keys(con: duckdb.DuckDBPyConnection, registry: pd.DataFrame, region: str) -> set[str]:
    """Registry keys (and keys of bodies registered in the store) whose region lies in ``region``.

    Registry facts win over facts registered in the store, as in :func:`bodies`; cheaper than
    building the whole :func:`bodies` table."""
    stored = _query(con, "SELECT body_key, region_code, region_name FROM bodies WHERE slug IS NOT NULL")
    facts = pd.concat(
        [
            registry[["body_key", "region_code", "region_name"]].replace("", pd.NA),
            stored[~stored["body_key"].isin(registry["body_key"])],
        ],
        ignore_index=True,
    )
    return set(facts.loc[in_region(facts["region_code"], region_prefixes(region, facts)), "body_key"])


def _resolve_keys(con: duckdb.DuckDBPyConnection, registry: pd.DataFrame, body, region) -> list[str] | None:
    """The stored ``body_key`` values meant by ``body`` (slugs, names, aliases) and ``region``."""
    if body is None and region is None:
        return None
    aliases = alias_keys(registry)
    wanted: set[str] = set()
    if body is not None:
        registry_slugs = set(registry["slug"])
        for query in _as_list(body):
            query = str(query).strip()
            if query.isascii() and query not in registry_slugs:
                # a slug registered in the store, or the fallback slug of an unregistered body
                wanted |= {r[0] for r in con.execute("SELECT body_key FROM bodies WHERE slug = ?", [query]).fetchall()}
                if query.startswith("body-"):
                    keys = con.execute("SELECT DISTINCT body_key FROM reports WHERE body_key IS NOT NULL").fetchall()
                    wanted |= {k for (k,) in keys if fallback_slug(aliases.get(k, k)) == query}
            wanted |= set(keys_for(query, registry))
    if region is not None:
        in_it = _region_keys(con, registry, region)
        wanted = in_it if body is None else wanted & in_it
    # every printed-name key that resolves to a wanted body
    expanded = set(wanted)
    for key, canonical in aliases.items():
        if canonical in wanted:
            expanded.add(key)
    return sorted(expanded)


def load(
    db: str | Path | None = None,
    body: str | Iterable[str] | None = None,
    years: int | Iterable[int] | None = None,
    table: str | Iterable[str] | None = None,
    *,
    region: str | None = None,
    all_versions: bool = False,
) -> pd.DataFrame:
    """The stored tidy values as a frame (current versions only, unless ``all_versions``).

    ``body``: slug (``pingtan``), printed name, alias or key, or several; ``years``: a year or
    several; ``table``: ``publication``/``requests``/``review`` or several; ``region``: a GB/T
    2260 code or region name (资阳市) whose bodies to keep. Columns: the tidy columns of
    ``govstats.schema`` (value in 元 for money), ``source``, then ``body_key``, ``version`` and
    ``superseded_by`` (NA for current versions). Rows by body, year, version, template order.
    Opens the store read-only.
    """
    registry = load_registry() if body is not None or region is not None else None
    with connect(db, read_only=True) as con:
        keys = _resolve_keys(con, registry, body, region) if registry is not None else None
        where, params = [], []
        if not all_versions:
            where.append("r.superseded_by IS NULL")
        if keys is not None:
            if not keys:
                return _empty_load()
            where.append(f"r.body_key IN ({','.join('?' * len(keys))})")
            params += keys
        year_list = _as_list(years)
        if year_list is not None:
            where.append(f"r.year IN ({','.join('?' * len(year_list))})")
            params += [int(y) for y in year_list]
        if keys is not None:
            # a few bodies: find their reports' row keys first, then read only the row groups
            # of ``values`` that hold them (min/max of rkey per row group; rkey literals so
            # that the filter reaches the scan)
            rkeys = [k for (k,) in con.execute(f"SELECT rkey FROM reports r WHERE {' AND '.join(where)}", params).fetchall()]
            if not rkeys:
                return _empty_load()
            listed = ",".join(str(int(k)) for k in rkeys)
            where, params = [f"v.rkey IN ({listed})", f"r.rkey IN ({listed})"], []
        tables = _as_list(table)
        if tables is not None:
            where.append(f'v."table" IN ({",".join("?" * len(tables))})')
            params += tables
        sql = f"""
            SELECT v.report_id, r.body, r.year, r.template, v."table", v.item, v."column", v.value,
                   v.label, v.source, r.body_key, r.version, r.superseded_by
            FROM "values" v JOIN reports r ON v.rkey = r.rkey
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY r.body_key, r.year, r.version, v.seq"""
        out = _query(con, sql, params)
    out.columns = LOAD_COLUMNS
    return out


def _empty_load() -> pd.DataFrame:
    frame = schema.tidy_frame()
    return frame.assign(
        body_key=pd.Series(dtype="string"), version=pd.Series(dtype="Int64"), superseded_by=pd.Series(dtype="string")
    )


def reports(db: str | Path | None = None, *, all_versions: bool = True) -> pd.DataFrame:
    """The ``reports`` table (provenance of each stored report) as a frame, by body and year."""
    where = "" if all_versions else "WHERE superseded_by IS NULL"
    with connect(db, read_only=True) as con:
        return _query(con, f"SELECT * EXCLUDE (rkey) FROM reports {where} ORDER BY body_key, year, version")


def ingest_errors(db: str | Path | None = None) -> pd.DataFrame:
    """The ``ingest_errors`` table: files that could not be stored, with the reason."""
    with connect(db, read_only=True) as con:
        return _query(con, 'SELECT * FROM ingest_errors ORDER BY "at", path')


def export(db: str | Path | None, path: str | Path, **filters) -> Path:
    """Write the stored tidy values (:func:`load` with ``filters``) to Parquet or CSV.

    The format follows the suffix: ``.parquet``/``.pq`` or ``.csv`` (UTF-8 with BOM, so that
    spreadsheet programs show the Chinese labels). Written to a temporary file, then renamed.
    Returns the path written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".parquet", ".pq", ".csv"):
        raise GovstatsError(f"{path}: cannot export to {suffix or 'a file without suffix'}; use .parquet or .csv")
    frame = load(db, **filters)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if suffix == ".csv":
        frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    else:
        frame.to_parquet(tmp, index=False)
    tmp.replace(path)
    return path
