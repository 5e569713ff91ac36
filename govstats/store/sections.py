"""The report text in the store: table ``sections``, written at ingest, read by
:func:`load_sections`.

``sections`` — one row per section of a report's text (:mod:`govstats.reading.sections`):
    ``report_id``, ``seq`` (reading order, from 0), ``code`` (``overview``,
    ``overview.proactive``, …, ``problems``, ``other``), ``heading`` (as printed), ``text``
    (without the heading), ``source`` (where the heading was read).

The table is an addition that needs no schema version of its own: :func:`ensure_sections_table`
creates it when absent (the first write of a store that predates it), and a store without it
reads as one whose reports have no text. Reports stored from a tidy extract (``data/extract``)
have no text: the extract holds the tables only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from govstats.report import Section
from govstats.store.connection import connect
from govstats.store.registry import load_registry

SECTION_COLUMNS = ["report_id", "seq", "code", "heading", "text", "source"]
LOAD_SECTION_COLUMNS = ["report_id", "body", "year", "seq", "code", "heading", "text", "source"]

_SCHEMA = pa.schema(
    [
        ("report_id", pa.string()),
        ("seq", pa.int32()),
        ("code", pa.string()),
        ("heading", pa.string()),
        ("text", pa.string()),
        ("source", pa.string()),
    ]
)


# -- migration step (issue 15): the sections table, created if absent ---------------------------
def ensure_sections_table(con: duckdb.DuckDBPyConnection) -> None:
    """Create table ``sections`` in the store ``con`` writes to, if it is not there yet."""
    con.execute(
        """CREATE TABLE IF NOT EXISTS sections (
            report_id VARCHAR NOT NULL, seq INTEGER, code VARCHAR, heading VARCHAR,
            text VARCHAR, source VARCHAR)"""
    )


def _has_sections_table(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_name = 'sections'"
        ).fetchall()
    )


# -----------------------------------------------------------------------------------------------


def sections_table(report_id: str, sections: Sequence[Section]) -> pa.Table:
    """The rows of ``sections`` for one report, as Arrow."""
    return pa.table(
        {
            "report_id": [report_id] * len(sections),
            "seq": list(range(len(sections))),
            "code": [s.code for s in sections],
            "heading": [s.heading for s in sections],
            "text": [s.text for s in sections],
            "source": [s.source for s in sections],
        },
        schema=_SCHEMA,
    )


def textless_sections(con: duckdb.DuckDBPyConnection, entries: Sequence[Any]) -> list[pa.Table]:
    """The sections of ``entries`` (reports already stored, read again with their text) whose
    stored report has none: a report first stored from a tidy extract, then read from its
    original (same content, so the same report id), gets its text."""
    by_id = {e.report_id: e for e in entries}
    if not by_id:
        return []
    with_text: set[str] = set()
    if _has_sections_table(con):
        ids = sorted(by_id)
        marks = ",".join("?" * len(ids))
        query = f"SELECT DISTINCT report_id FROM sections WHERE report_id IN ({marks})"
        with_text = {r[0] for r in con.execute(query, ids).fetchall()}
    return [sections_table(rid, e.sections) for rid, e in by_id.items() if rid not in with_text]


def textless_extract_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The reports stored from a tidy extract (``origin`` extract) that have no sections."""
    no_text = (
        " AND report_id NOT IN (SELECT DISTINCT report_id FROM sections)"
        if _has_sections_table(con)
        else ""
    )
    query = f"SELECT report_id FROM reports WHERE origin = 'extract'{no_text}"
    return {r[0] for r in con.execute(query).fetchall()}


def write_sections(con: duckdb.DuckDBPyConnection, tables: list[pa.Table]) -> None:
    """Append the sections of reports being stored (inside the writer's transaction)."""
    tables = [t for t in tables if t.num_rows]
    if not tables:
        return
    ensure_sections_table(con)
    con.register("_govstats_sections", pa.concat_tables(tables))
    try:
        con.execute("INSERT INTO sections BY NAME SELECT * FROM _govstats_sections")
    finally:
        con.unregister("_govstats_sections")


def load_sections(
    body: str | Iterable[str] | None = None,
    years: int | Iterable[int] | None = None,
    *,
    db: str | Path | None = None,
    all_versions: bool = False,
) -> pd.DataFrame:
    """The stored text by section (current versions only, unless ``all_versions``).

    ``body``: slug, printed name, alias or key, or several (as :func:`govstats.load`);
    ``years``: a year or several. Columns :data:`LOAD_SECTION_COLUMNS`, by body, year, version
    and reading order; empty when the store holds no text for them. Opens the store read-only.
    """
    # (lazy: queries and firstlook import the ingestion, which imports the writer, which
    # imports this module)
    from govstats.store.firstlook import reading_path
    from govstats.store.queries import _as_list, _query, _selection

    registry = load_registry() if body is not None else None
    with connect(reading_path(db), read_only=True) as con:
        if not _has_sections_table(con):
            return _empty()
        where: list[str] = []
        params: list[str | int] = []
        if not all_versions:
            where.append("r.superseded_by IS NULL")
        keys = _selection(con, registry, body, None) if registry is not None else None
        if keys is not None:
            if not keys:
                return _empty()
            placeholders = ",".join("?" * len(keys))
            where.append(f"r.body_key || chr(31) || coalesce(r.slug, '') IN ({placeholders})")
            params += list(keys)
        year_list = _as_list(years)
        if year_list is not None:
            where.append(f"r.year IN ({','.join('?' * len(year_list))})")
            params += [int(y) for y in year_list]
        out = _query(
            con,
            f"""SELECT s.report_id, r.body, r.year, s.seq, s.code, s.heading, s.text, s.source
                FROM sections s JOIN reports r ON s.report_id = r.report_id
                {"WHERE " + " AND ".join(where) if where else ""}
                ORDER BY r.body_key, r.year, r.version, s.seq""",
            params,
        )
    out.columns = LOAD_SECTION_COLUMNS
    return out


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype="Int64" if c in ("year", "seq") else "string")
            for c in LOAD_SECTION_COLUMNS
        }
    )
