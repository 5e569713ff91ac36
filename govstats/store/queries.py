"""Reading the store: :func:`load` (tidy values with provenance), :func:`reports`,
:func:`bodies`, :func:`find_body`, :func:`ingest_errors` and :func:`export`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from govstats import schema
from govstats.config import default_db
from govstats.errors import GovstatsError
from govstats.store.connection import BODY_COLUMNS, connect
from govstats.store.extract import EXTRACT_VALUE_COLUMNS
from govstats.store.firstlook import reading_path
from govstats.store.registry import (
    alias_keys,
    fallback_slug,
    in_region,
    keys_for,
    load_registry,
    region_prefixes,
)

#: columns of the frame :func:`load` returns: the tidy columns, ``source``, then provenance
LOAD_COLUMNS = EXTRACT_VALUE_COLUMNS + ["body_key", "version", "superseded_by"]


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
        """SELECT body_key, arg_max(body, year) AS body, count(*) AS n_reports,
                  min(year) AS first_year, max(year) AS last_year,
                  list(DISTINCT year ORDER BY year) AS years
           FROM reports WHERE superseded_by IS NULL AND body_key IS NOT NULL GROUP BY body_key""",
    )
    stored = _query(
        con, "SELECT body_key, " + ", ".join(BODY_COLUMNS) + " FROM bodies WHERE slug IS NOT NULL"
    )
    current["canonical"] = current["body_key"].map(lambda k: aliases.get(k, k)).astype("string")
    if current["canonical"].duplicated().any():  # several printed names of one registry body
        current = current.sort_values("last_year", kind="stable")
        current = current.groupby("canonical", as_index=False, sort=False).agg(
            body=("body", "last"), n_reports=("n_reports", "sum"),
            first_year=("first_year", "min"), last_year=("last_year", "max"),
            years=("years", lambda ys: sorted({y for y_list in ys for y in y_list})),
        )  # fmt: skip
    current = current.drop(columns=["body_key"], errors="ignore").rename(
        columns={"canonical": "body_key"}
    )
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
    columns = [
        "body_key",
        "body",
        *BODY_COLUMNS,
        "known",
        "n_reports",
        "first_year",
        "last_year",
        "years",
    ]
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
    with connect(reading_path(db), read_only=True) as con:
        out = _bodies_frame(con, registry)
    if region is not None:
        out = out[
            in_region(out["region_code"], region_prefixes(region, _with_regions(registry, out)))
        ]
    return out.reset_index(drop=True)


def _with_regions(registry: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The registry plus region names of bodies registered in the store (for region lookups)."""
    extra = frame.loc[~frame["body_key"].isin(registry["body_key"]) & frame["region_code"].notna()]
    return pd.concat(
        [
            registry,
            extra[["slug", "body", "region_code", "region_name", "level", "parent", "body_key"]],
        ]
    )


def find_body(query: str, db: str | Path | None = None) -> pd.Series:
    """The :func:`bodies` row of a body given by slug, printed name, alias or key.

    Raises :class:`GovstatsError` when the store holds no such body.
    """
    registry = load_registry()
    with connect(reading_path(db), read_only=True) as con:
        keys = _resolve_keys(con, registry, query, None)
        table = _bodies_frame(con, registry)
    hit = table[table["body_key"].isin(keys or [])]
    if hit.empty:
        raise GovstatsError(
            f"no body {query!r} in the store {db or default_db()} (see govstats.bodies())"
        )
    return hit.iloc[0]


def _region_keys(con: duckdb.DuckDBPyConnection, registry: pd.DataFrame, region: str) -> set[str]:
    """Registry keys (and keys of bodies registered in the store) whose region lies in ``region``.

    Registry facts win over facts registered in the store, as in :func:`bodies`; cheaper than
    building the whole :func:`bodies` table."""
    stored = _query(
        con, "SELECT body_key, region_code, region_name FROM bodies WHERE slug IS NOT NULL"
    )
    facts = pd.concat(
        [
            registry[["body_key", "region_code", "region_name"]].replace("", pd.NA),
            stored[~stored["body_key"].isin(registry["body_key"])],
        ],
        ignore_index=True,
    )
    return set(
        facts.loc[in_region(facts["region_code"], region_prefixes(region, facts)), "body_key"]
    )


def _resolve_keys(
    con: duckdb.DuckDBPyConnection, registry: pd.DataFrame, body, region
) -> list[str] | None:
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
                wanted |= {
                    r[0]
                    for r in con.execute(
                        "SELECT body_key FROM bodies WHERE slug = ?", [query]
                    ).fetchall()
                }
                if query.startswith("body-"):
                    keys = con.execute(
                        "SELECT DISTINCT body_key FROM reports WHERE body_key IS NOT NULL"
                    ).fetchall()
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
    with connect(reading_path(db), read_only=True) as con:
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
            rkeys = [
                k
                for (k,) in con.execute(
                    f"SELECT rkey FROM reports r WHERE {' AND '.join(where)}", params
                ).fetchall()
            ]
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
        body_key=pd.Series(dtype="string"),
        version=pd.Series(dtype="Int64"),
        superseded_by=pd.Series(dtype="string"),
    )


def reports(db: str | Path | None = None, *, all_versions: bool = True) -> pd.DataFrame:
    """The ``reports`` table (provenance of each stored report) as a frame, by body and year."""
    where = "" if all_versions else "WHERE superseded_by IS NULL"
    with connect(reading_path(db), read_only=True) as con:
        return _query(
            con, f"SELECT * EXCLUDE (rkey) FROM reports {where} ORDER BY body_key, year, version"
        )


def ingest_errors(db: str | Path | None = None) -> pd.DataFrame:
    """The ``ingest_errors`` table: files that could not be stored, with the reason."""
    with connect(reading_path(db), read_only=True) as con:
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
        raise GovstatsError(
            f"{path}: cannot export to {suffix or 'a file without suffix'}; use .parquet or .csv"
        )
    frame = load(db, **filters)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if suffix == ".csv":
        frame.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\n")
    else:
        frame.to_parquet(tmp, index=False)
    tmp.replace(path)
    return path
