"""The store: every report read, in one DuckDB file, with provenance and versions.

This package owns everything between a Report and a query: the store file and its schema,
opened with lock retries and a short-lived read cache (:mod:`~govstats.store.connection`, whose
docstring documents the tables); the writer that stores whole reports per transaction and
numbers versions (:mod:`~govstats.store.writer`); ingest, which finds files and parses them in
a pool of worker processes (:mod:`~govstats.store.ingestion`); the tidy extract format of
``data/extract/`` (:mod:`~govstats.store.extract`); the queries notebooks and briefings call
(:mod:`~govstats.store.queries`), which build a missing default store from the bundled data on
first use (:mod:`~govstats.store.firstlook`); and the body registry
(:mod:`~govstats.store.registry`). Everything public is importable from ``govstats.store`` itself.
"""

from __future__ import annotations

from govstats.errors import StoreBusyError, StoreError
from govstats.store.connection import BODY_COLUMNS, SCHEMA_VERSION, connect, content_hash
from govstats.store.extract import (
    EXTRACT_REPORT_COLUMNS,
    EXTRACT_REPORTS,
    EXTRACT_VALUE_COLUMNS,
    EXTRACT_VALUES,
    read_extract,
    write_extract,
)
from govstats.store.firstlook import reading_path
from govstats.store.ingestion import POOL_MIN_FILES, REPORT_SUFFIXES, default_jobs, discover, ingest
from govstats.store.queries import (
    LOAD_COLUMNS,
    bodies,
    export,
    find_body,
    ingest_errors,
    load,
    reports,
)
from govstats.store.writer import (
    Entry,
    IngestSummary,
    add_reports,
    entry_from_report,
    register_bodies,
)

__all__ = [
    "BODY_COLUMNS", "EXTRACT_REPORT_COLUMNS", "EXTRACT_REPORTS", "EXTRACT_VALUE_COLUMNS",
    "EXTRACT_VALUES", "LOAD_COLUMNS", "POOL_MIN_FILES", "REPORT_SUFFIXES", "SCHEMA_VERSION",
    "Entry", "IngestSummary", "StoreBusyError", "StoreError", "add_reports", "bodies", "connect",
    "content_hash", "default_jobs", "discover", "entry_from_report", "export", "find_body",
    "ingest", "ingest_errors", "load", "read_extract", "reading_path", "register_bodies", "reports",
    "write_extract",
]  # fmt: skip
