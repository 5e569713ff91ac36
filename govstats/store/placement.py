"""Placing stored reports' bodies: resolution at ingest, the body identity, ``refresh``.

Each report keeps the resolution of its printed body name (:mod:`govstats.store.resolve`)
in its ``reports`` row: ``slug``, ``region_code``, ``region_name``, ``level``, ``parent``,
``resolution`` (``resolved``, ``ambiguous: …`` or ``unknown: …``), ``resolution_why``,
``candidates`` (JSON list of ``code name``) and, only for a name the division index alone
leaves ambiguous, ``evidence`` (the report's text, so that :func:`refresh` can decide again
without the file).

A report's body is, in this order: the registry row its name (or an alias) matches, the body
registered in the store (:func:`~govstats.store.writer.register_bodies`), its resolved slug;
an unresolved name is its own body (by normalised key, slug ``body-<hash>``). Versions are
numbered per body and year. Two different bodies may not share a slug: when they would (a
slug registered by hand that a resolved body also has), the first by source (registry,
registered, resolved), then region code, then key keeps it and each other one gets
``-<region code>`` appended (``-<10 hex of its key>`` without a code).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from govstats.errors import GovstatsError, StoreError
from govstats.store.divisions import load_divisions
from govstats.store.registry import alias_keys, load_registry
from govstats.store.resolve import Resolution, Resolver, default_resolver

#: the columns of ``reports`` that hold a report's resolution, in table order
PLACE_COLUMNS = [
    "slug",
    "region_code",
    "region_name",
    "level",
    "parent",
    "resolution",
    "resolution_why",
    "candidates",
    "evidence",
]


def needs_text(name: str | None) -> bool:
    """Whether the division index alone leaves ``name`` ambiguous, so that the report's text
    must be kept as evidence (cached per name)."""
    return bool(name) and default_resolver().needs_evidence(str(name))


def source_text(data: bytes, name: str) -> str | None:
    """The text of a report's source, as evidence for its body's place: the decoded text of a
    text format, the text of a PDF's or Word file's blocks. None when it cannot be read."""
    from govstats.reading import read_document, sniff
    from govstats.reading.decode import decode

    try:
        if sniff(data) == "text":
            return decode(data, name)[0]
        return "\n".join(block.text for block in read_document(data, name).blocks)
    except (GovstatsError, ValueError):
        return None


def registered_bodies(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Bodies registered in the store (``bodies`` rows with a slug)."""
    return con.execute(
        "SELECT body, slug, region_code, region_name, level, parent FROM bodies "
        "WHERE slug IS NOT NULL"
    ).df()


class Placer:
    """Resolves body names for the store: the registry file first, then the bodies registered
    in the store, then the division index. A name's resolution is cached unless it needs the
    report's text (an ambiguous name), which is then resolved with that text and folder."""

    def __init__(self, registry: pd.DataFrame, registered: pd.DataFrame | None = None):
        self.resolver = Resolver(load_divisions(), registry, registered)
        self._cache: dict[str, Resolution] = {}

    @classmethod
    def for_store(cls, con: duckdb.DuckDBPyConnection) -> Placer:
        return cls(load_registry(), registered_bodies(con))

    def place(self, name: str | None, text: str | None = None, folder=None) -> Resolution:
        if not name:
            return Resolution(name or "", "unknown: no body name read")
        got = self._cache.get(name)
        if got is None:
            got = self._cache[name] = self.resolver.resolve(name)
        if got.status.startswith("ambiguous") and (text or folder):
            return self.resolver.resolve(name, text=text, folder=folder)
        return got

    def row(self, name: str | None, text: str | None, path: str | None) -> tuple:
        """The :data:`PLACE_COLUMNS` values of a report named ``name`` read from ``path``."""
        folder = str(Path(path).parent) if path else None
        got = self.place(name, text, folder)
        candidates = json.dumps(
            [f"{c.code} {c.region_name}" for c in got.candidates], ensure_ascii=False
        )
        evidence = text if text and name and self.resolver.needs_evidence(name) else None
        ok = got.resolved
        return (
            got.slug if ok else None, got.region_code if ok else None,
            got.region_name if ok else None, got.level if ok else None,
            got.parent if ok else None, got.status, got.why, candidates, evidence,
        )  # fmt: skip


def identity(key: str | None, slug, status, aliases: dict[str, str]) -> str | None:
    """The body a stored report belongs to (for versions): its resolved slug, else its
    registry-canonical key (``key:`` prefixed, so that it never equals a slug)."""
    if key is None:
        return None
    if status == "resolved" and isinstance(slug, str) and slug:
        return slug
    return "key:" + aliases.get(key, key)


def refresh_connection(
    con: duckdb.DuckDBPyConnection, *, keys: Iterable[str] | None = None
) -> dict[str, int]:
    """Re-resolve the reports (all, or those of body ``keys``) and renumber versions, inside
    the caller's transaction. Returns counts: ``reports``, ``changed``, ``resolved``,
    ``ambiguous``, ``unknown``, ``versions`` (reports whose version changed)."""
    registry = load_registry()
    placer = Placer(registry, registered_bodies(con))
    frame = con.execute(
        "SELECT rkey, report_id, body, body_key, path, year, version, superseded_by, "
        + ", ".join(PLACE_COLUMNS)
        + " FROM reports ORDER BY rkey"
    ).df()
    wanted = None if keys is None else set(keys)
    rows = []
    for rec in frame.itertuples(index=False):
        if wanted is not None and rec.body_key not in wanted:
            rows.append(tuple(_none(getattr(rec, c)) for c in PLACE_COLUMNS))
            continue
        text = _none(rec.evidence)
        rows.append(placer.row(_none(rec.body), text, _none(rec.path)))
    placed = pd.DataFrame(rows, columns=PLACE_COLUMNS, index=frame.index)
    changed = (
        placed.astype("string").fillna("\0") != frame[PLACE_COLUMNS].astype("string").fillna("\0")
    ).any(axis=1)
    aliases = alias_keys(registry)
    ids = [
        identity(_none(k), s, st, aliases)
        for k, s, st in zip(frame["body_key"], placed["slug"], placed["resolution"], strict=True)
    ]
    version, superseded = _versions(frame, ids)
    renumbered = (version != frame["version"].astype("Int64").fillna(-1).astype(int)) | (
        superseded.fillna("") != frame["superseded_by"].fillna("")
    )
    update = changed | renumbered
    if update.any():
        table = pa.table(
            {
                "rkey": pa.array(frame.loc[update, "rkey"].astype(int), pa.int32()),
                **{c: _strings(placed.loc[update, c]) for c in PLACE_COLUMNS},
                "version": pa.array(version[update].astype(int), pa.int32()),
                "superseded_by": _strings(superseded[update]),
            }
        )
        con.register("_govstats_placed", table)
        try:
            sets = ", ".join(f"{c} = p.{c}" for c in [*PLACE_COLUMNS, "version", "superseded_by"])
            con.execute(
                f"UPDATE reports SET {sets} FROM _govstats_placed p WHERE reports.rkey = p.rkey"
            )
        finally:
            con.unregister("_govstats_placed")
    con.execute(  # readers' cached placements (govstats.store.queries) are out of date now
        "INSERT OR REPLACE INTO store_meta VALUES ('placement', CAST(uuid() AS VARCHAR))"
    )
    status = placed["resolution"].fillna("")
    return {
        "reports": len(frame),
        "changed": int(changed.sum()),
        "resolved": int((status == "resolved").sum()),
        "ambiguous": int(status.str.startswith("ambiguous").sum()),
        "unknown": int(status.str.startswith("unknown").sum()),
        "versions": int(renumbered.sum()),
    }


def _versions(frame: pd.DataFrame, ids: list) -> tuple[pd.Series, pd.Series]:
    """Versions 1, 2, … per (body, year) in ingest order (rkey); each older version is
    superseded by the next one."""
    version = pd.Series(1, index=frame.index, dtype=int)
    superseded = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    groups: dict[tuple, list[int]] = {}
    for pos, (ident, year) in enumerate(zip(ids, frame["year"], strict=True)):
        if ident is None or pd.isna(year):
            continue
        groups.setdefault((ident, int(year)), []).append(pos)
    report_ids = frame["report_id"].tolist()
    index = frame.index
    for positions in groups.values():  # rows come in rkey order
        for n, pos in enumerate(positions):
            version.iat[pos] = n + 1
            if n + 1 < len(positions):
                superseded.iat[pos] = report_ids[positions[n + 1]]
    version.index = index
    return version, superseded


def _strings(values: pd.Series) -> pa.Array:
    return pa.array([None if _none(v) is None else str(v) for v in values], pa.string())


def _none(value: Any) -> Any:
    return (
        None
        if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value))
        else value
    )


def refresh(db: str | Path | None = None) -> dict[str, int]:
    """Re-resolve every stored report's body against the current registry, the bodies
    registered in the store and the division index, and renumber versions per body and year;
    in one transaction (a failure leaves the store as it was). Returns the counts of
    :func:`refresh_connection`."""
    from govstats.store.connection import connect
    from govstats.store.firstlook import reading_path

    path = reading_path(db)  # the default store is built from the bundled data on first use
    if not Path(path).is_file():
        raise StoreError(f"{path}: no store here yet (run `govstats ingest PATH... --db {path}`)")
    with connect(path) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            counts = refresh_connection(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return counts
