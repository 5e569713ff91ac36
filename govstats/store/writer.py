"""Writing the store: an :class:`Entry` per report, whole reports per transaction, versions.

The writer holds the store's lock for about a second at a time (so readers and other writers
get in), skips reports already stored, numbers versions per body and year, and records
files that failed in ``ingest_errors``. :func:`add_reports` stores reports already read;
:func:`register_bodies` records registry facts of bodies absent from the registry file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from govstats import schema
from govstats.store.connection import BODY_COLUMNS, _now, connect
from govstats.store.placement import PLACE_COLUMNS, Placer, identity, refresh_connection
from govstats.store.registry import alias_keys, body_key, load_registry
from govstats.store.sections import (
    sections_table,
    textless_extract_ids,
    textless_sections,
    write_sections,
)

if TYPE_CHECKING:
    from govstats.report import Report


@dataclass
class Entry:
    """One report ready to store: its provenance and its values.

    The values are given either as a tidy frame (``values``) or, cheaper, as an Arrow table
    in the layout of the ``values`` table (``arrow``); :meth:`tidy` gives the frame either way.
    ``text``: the source's text when the body's name needs it to be placed (an ambiguous name;
    see :mod:`govstats.store.placement`), else None.
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
    #: the report's text by section (govstats.report.Section); none for a tidy extract
    sections: list = field(default_factory=list)
    text: str | None = None

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
                    columns["table"],
                    columns["item"],
                    columns["column"],
                    columns["value"],
                    columns["label"],
                    columns["source"],
                    strict=True,
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
        ("report_id", pa.string()), ("seq", pa.int32()), ("table", pa.string()),
        ("item", pa.string()), ("column", pa.string()), ("value", pa.float64()),
        ("label", pa.string()), ("source", pa.string()),
    ]
)  # fmt: skip


_REPORT_COLUMNS = [
    "report_id", "file_name", "path", "format", "origin", "parser_version", "read_at",
    "ingested_at", "body", "body_key", "year", "template", "layouts", "complete", "missing",
    "warnings", "n_values", "version", "superseded_by", "rkey", *PLACE_COLUMNS,
]  # fmt: skip
_REPORTS_SCHEMA = pa.schema(
    [
        (name, pa.timestamp("us") if name in ("read_at", "ingested_at")
         else pa.int32() if name in ("year", "n_values", "version", "rkey")
         else pa.bool_() if name == "complete" else pa.string())
        for name in _REPORT_COLUMNS
    ]
)  # fmt: skip


def entry_from_report(
    report: Report, *, path: str, origin: str = "file", read_at: datetime | None = None
) -> Entry:
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
        sections=list(report.sections),
    )


class _Writer:
    """Writes entries, holding the store's lock for at most ``hold`` seconds at a stretch.

    Releasing the lock now and then lets a concurrent ingest or a notebook in between batches.
    """

    def __init__(self, db: str | Path | None, hold: float = 1.0):
        self.db = db
        self.hold = hold
        self._cm: AbstractContextManager[duckdb.DuckDBPyConnection] | None = None
        self.con: duckdb.DuckDBPyConnection | None = None
        self._since = 0.0
        registry = load_registry()
        self._alias = alias_keys(registry)
        self.placer: Placer | None = None

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
            self.body_keys = {
                r[0] for r in self.con.execute("SELECT body_key FROM bodies").fetchall()
            }
            errors = self.con.execute("SELECT content_hash, path FROM ingest_errors").fetchall()
            self.error_hashes = {h for h, _ in errors if h}
            self.error_paths = {p for _, p in errors}
            row = self.con.execute("SELECT coalesce(max(rkey), 0) + 1 FROM reports").fetchone()
            assert row is not None  # an aggregate without GROUP BY always returns one row
            self.next_rkey: int = row[0]
            if self.placer is None:  # the bodies registered in the store, as at the start
                self.placer = Placer.for_store(self.con)
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

    def textless_extract_ids(self) -> set[str]:
        """Reports stored from a tidy extract and still without text (their originals are
        worth reading although their content is known)."""
        return textless_extract_ids(self.acquire())

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
                    "SELECT report_id FROM reports WHERE "
                    f"report_id IN ({','.join('?' * len(ids))})",
                    ids,
                ).fetchall()
            }
            keys = {e.report_id: body_key(e.body) if e.body else None for e in entries}
            placer = self.placer
            assert placer is not None  # made when the connection was acquired
            placed = {
                e.report_id: placer.row(e.body, e.text, e.path)
                for e in entries
                if e.report_id not in present
            }
            owner = {
                rid: identity(keys[rid], row[0], row[5], self._alias) for rid, row in placed.items()
            }
            # (body, year) -> [highest version, ids of current reports]
            state = self._versions(con, {k for k in keys.values() if k}, set(owner.values()))
            now = _now()
            out: list[tuple[str, str | None]] = []
            report_rows: list[tuple[Any, ...]] = []
            tables: list[pa.Table] = []
            updates: list[tuple[str, str]] = []
            new_bodies: dict[str, str | None] = {}
            # a report stored without its text (from a tidy extract) gets the text of the same
            # report read from its original: the values stay, the sections are added
            texts: list[pa.Table] = textless_sections(
                con, [e for e in entries if e.report_id in present and e.sections]
            )  # each stored report's sections (table ``sections``)
            for entry in entries:
                if entry.report_id in present:
                    out.append(("skipped", None))
                    continue
                present.add(entry.report_id)
                key = keys[entry.report_id]
                version, previous = 1, []
                ident = owner[entry.report_id]
                if ident is not None and entry.year is not None:
                    slot = state.setdefault((ident, entry.year), [0, []])
                    version, previous = slot[0] + 1, slot[1]
                    slot[0], slot[1] = version, [entry.report_id]
                values = entry.values_table()
                rkey = self.next_rkey + len(report_rows)
                report_rows.append(
                    (
                        entry.report_id, entry.file_name, entry.path, entry.format, entry.origin,
                        entry.parser_version, entry.read_at, now, entry.body, key, entry.year,
                        entry.template,
                        json.dumps(entry.layouts, ensure_ascii=False, sort_keys=True),
                        entry.complete,
                        json.dumps(entry.missing, ensure_ascii=False),
                        json.dumps(entry.warnings, ensure_ascii=False),
                        values.num_rows, version, None, rkey, *placed[entry.report_id],
                    )
                )  # fmt: skip
                tables.append(
                    values.append_column("rkey", pa.array(np.full(values.num_rows, rkey, np.int32)))
                )
                if entry.sections:
                    texts.append(sections_table(entry.report_id, entry.sections))
                updates += [(old, entry.report_id) for old in previous]
                if key is not None and key not in self.body_keys:
                    new_bodies.setdefault(key, entry.body)
                out.append(("read", previous[0] if previous else None))
            if report_rows:
                self._insert(con, "reports", pa.Table.from_pylist(
                    [dict(zip(_REPORT_COLUMNS, row, strict=True)) for row in report_rows],
                    schema=_REPORTS_SCHEMA,
                ))  # fmt: skip
                self._insert(con, "values", pa.concat_tables(tables))
            write_sections(con, texts)
            if updates:
                # a report superseded within this batch was inserted above: one UPDATE covers both
                final = dict(updates)
                con.register(
                    "_govstats_updates", pa.table({"old": list(final), "new": list(final.values())})
                )
                try:
                    con.execute(
                        "UPDATE reports SET superseded_by = u.new FROM "
                        "_govstats_updates u WHERE reports.report_id = u.old"
                    )
                finally:
                    con.unregister("_govstats_updates")
            if new_bodies:
                con.executemany(
                    "INSERT INTO bodies (body_key, body, first_seen) "
                    "VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    [[k, b, now] for k, b in new_bodies.items()],
                )
            stored = [rid for rid in ids if rid in self.error_hashes]
            paths = [e.path for e in entries if e.path in self.error_paths]
            if stored or paths:
                con.execute(
                    "DELETE FROM ingest_errors WHERE content_hash IN "
                    f"({','.join('?' * len(stored)) or 'NULL'}) OR path IN "
                    f"({','.join('?' * len(paths)) or 'NULL'})",
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

    def _versions(self, con, keys: set[str], idents: set[str | None]) -> dict[tuple, list]:
        """(body, year) → [highest version, ids of its current reports] of the stored reports
        that may share a body with the entries: same printed keys (and their registry
        aliases), or same resolved slugs."""
        canonical = {self._alias.get(k, k) for k in keys}
        wanted = sorted({k for k, c in self._alias.items() if c in canonical} | keys | canonical)
        slugs = sorted(i for i in idents if i and not i.startswith("key:"))
        state: dict[tuple, list] = {}
        if not wanted and not slugs:
            return state
        rows = con.execute(
            "SELECT report_id, body_key, slug, resolution, year, version, superseded_by "
            f"FROM reports WHERE body_key IN ({','.join('?' * len(wanted)) or 'NULL'}) "
            f"OR slug IN ({','.join('?' * len(slugs)) or 'NULL'})",
            wanted + slugs,
        ).fetchall()
        for rid, key, slug, status, year, version, superseded_by in rows:
            slot = state.setdefault((identity(key, slug, status, self._alias), year), [0, []])
            slot[0] = max(slot[0], version or 0)
            if superseded_by is None:
                slot[1].append(rid)
        return state

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
        strings = frame[column].astype("string")
        # pandas-stubs lacks na_value=None (NA -> None), which pandas accepts
        objects = strings.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]
        return pa.array(objects, type=pa.string())

    floats = pd.to_numeric(frame["value"]).astype("Float64")
    value = floats.to_numpy(dtype=object, na_value=None)  # type: ignore[call-overload]  # as above
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
        """The closing summary line, e.g.
        ``read 11 (1 new version), skipped 0 already present, failed 0``."""
        versions = (
            f" ({self.new_versions} new version{'s' if self.new_versions != 1 else ''})"
            if self.new_versions
            else ""
        )
        ignored = f", ignored {self.ignored} not a report format" if self.ignored else ""
        return (
            f"read {self.read}{versions}, skipped {self.skipped} "
            f"already present, failed {self.failed}{ignored}"
        )


class _Pending:
    """Parsed entries waiting for their transaction: flushed by count or after half a second."""

    def __init__(
        self,
        writer: _Writer,
        known: set[str],
        summary: IngestSummary,
        done,
        batch: int,
        wait: float = 0.5,
    ):
        self.writer, self.known, self.summary, self.done = writer, known, summary, done
        self.batch, self.wait = max(1, batch), wait
        self.entries: list[Entry] = []
        self.since = 0.0

    def add(self, entry: Entry) -> None:
        # a known report read again with its text goes on to the writer, which adds the text
        # if the stored report has none (first stored from an extract) and skips it either way
        waiting = next((e for e in self.entries if e.report_id == entry.report_id), None)
        if waiting is not None or (entry.report_id in self.known and not entry.sections):
            if waiting is not None and not waiting.sections:  # its extract, not yet written
                waiting.sections = entry.sections
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
        for entry, (status, superseded) in zip(entries, results, strict=True):
            self.known.add(entry.report_id)
            if status == "read":
                self.summary.report_ids.append(entry.report_id)
                self.summary.new_versions += superseded is not None
            self.done(status, entry.path, entry.report_id)


def add_reports(
    reports: Iterable[Report | Entry],
    db: str | Path | None = None,
    *,
    batch: int = 500,
    hold: float = 5.0,
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
            pending.add(
                report
                if isinstance(report, Entry)
                else entry_from_report(report, path=report.name, origin="api")
            )
        pending.flush()
    return summary


def register_bodies(frame: pd.DataFrame, db: str | Path | None = None) -> int:
    """Record registry facts for bodies in the store (for bodies absent from ``data/bodies.csv``,
    e.g. generated ones). ``frame`` has ``body`` and any of slug, region_code, region_name,
    level, parent. The stored reports of those bodies are placed again (same transaction).
    Returns the number of rows written. The registry file still wins."""
    rows = []
    for rec in frame.to_dict("records"):
        rows.append(
            [body_key(rec["body"]), rec["body"], _now(), *(rec.get(c) for c in BODY_COLUMNS)]
        )
    with connect(db) as con:
        con.execute("BEGIN TRANSACTION")
        con.executemany(
            """INSERT INTO bodies VALUES (?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (body_key) DO UPDATE SET
               slug = excluded.slug, region_code = excluded.region_code,
               region_name = excluded.region_name, level = excluded.level,
               parent = excluded.parent""",
            rows,
        )
        try:
            refresh_connection(con, keys={row[0] for row in rows})
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
    return len(rows)


# ---------------------------------------------------------------------------------------
