"""Reading the store: :func:`load` (tidy values with provenance), :func:`reports`,
:func:`bodies`, :func:`find_body`, :func:`ingest_errors` and :func:`export`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple, overload

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
    body_key,
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


@overload
def _as_list(value: None) -> None: ...
@overload
def _as_list(value: object) -> list: ...
def _as_list(value) -> list | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Iterable):  # one year may be a numpy integer
        return [value]
    return list(value)


#: columns of :func:`bodies`
BODIES_COLUMNS = [
    "body_key", "body", *BODY_COLUMNS, "status", "known", "n_reports", "first_year",
    "last_year", "years",
]  # fmt: skip
_FACTS = ["slug", "region_code", "region_name", "level", "parent"]
_UNPLACED = "unknown: not resolved yet (run `govstats bodies --refresh`)"


class _Placed(NamedTuple):
    """The placed frame (:func:`_placed_now`) and its lookups: every slug, registry key and
    printed key → the slugs it names; slug → ``key\x1fstored slug`` of its reports."""

    frame: pd.DataFrame
    names: dict[str, set[str]]
    pairs: dict[str, list[str]]
    #: (printed key, stored slug) -> the body's key where the two differ (see _body_ids)
    ids: dict[tuple[str, str], str]


def _placed(con: duckdb.DuckDBPyConnection, registry: pd.DataFrame) -> _Placed:
    """:func:`_placed_now`, kept per process while the store's reports and placements (its
    row count, last row key and ``store_meta.placement`` stamp) and the registry are the
    same: a notebook's successive loads do not rebuild it."""
    marker = con.execute(
        "SELECT count(*), max(rkey), (SELECT max(value) FROM store_meta WHERE key = 'placement'), "
        "(SELECT count(*) FROM bodies WHERE slug IS NOT NULL), (SELECT path FROM "
        "duckdb_databases() WHERE database_name = current_database()) FROM reports"
    ).fetchall()[0]
    key = (marker, hash(tuple(registry.itertuples(index=False, name=None))))
    cached = _PLACED.get(marker[-1])
    if cached is None or cached[0] != key:
        frame = _placed_now(con, registry)
        names: dict[str, set[str]] = {}
        pairs: dict[str, list[str]] = {}
        if not frame.empty:
            for slug, canonical, key_, stored in zip(
                frame["slug"],
                frame["canonical"],
                frame["body_key"],
                frame["stored_slug"],
                strict=True,
            ):
                for name in (slug, canonical, key_):
                    names.setdefault(name, set()).add(slug)
                pairs.setdefault(slug, []).append(f"{key_}\x1f{stored}")
        ids = {}
        if not frame.empty:
            differ = frame[frame["body_id"] != frame["body_key"]]
            pairs_ = zip(differ["body_key"], differ["stored_slug"], strict=True)
            ids = dict(zip(pairs_, differ["body_id"], strict=True))
        cached = _PLACED[marker[-1]] = (key, _Placed(frame, names, pairs, ids))
    return cached[1]  # shared: callers never modify it


#: database file -> ((store marker, registry rows), placed): see :func:`_placed`
_PLACED: dict[str, tuple] = {}


def _placed_now(con: duckdb.DuckDBPyConnection, registry: pd.DataFrame) -> pd.DataFrame:
    """One row per (printed key, stored resolution) of the stored reports, with the facts
    that hold now: the registry file's (by key or alias), else those registered in the store,
    else the stored resolution; an unresolved name gets its fallback slug. ``stored_slug`` is
    the slug kept in ``reports`` (``''`` when none), ``canonical`` the registry key of the
    name, ``n_reports`` counts current versions. Slug collisions are settled here (see
    :mod:`govstats.store.placement`)."""
    groups = _query(
        con,
        """SELECT body_key, coalesce(slug, '') AS stored_slug, region_code, region_name, level,
                  parent, resolution AS status,
                  coalesce(arg_max(body, year) FILTER (WHERE superseded_by IS NULL),
                           arg_max(body, year)) AS body,
                  count(*) FILTER (WHERE superseded_by IS NULL) AS n_reports,
                  min(year) FILTER (WHERE superseded_by IS NULL) AS first_year,
                  max(year) FILTER (WHERE superseded_by IS NULL) AS last_year,
                  list(DISTINCT year ORDER BY year) FILTER (WHERE superseded_by IS NULL) AS years,
                  arg_max(resolution_why, year) AS why, arg_max(candidates, year) AS candidates
           FROM reports WHERE body_key IS NOT NULL GROUP BY ALL""",
    )
    registered = _query(
        con, "SELECT body_key, " + ", ".join(BODY_COLUMNS) + " FROM bodies WHERE slug IS NOT NULL"
    )
    aliases = alias_keys(registry)
    out = groups.rename(columns={c: f"_{c}" for c in _FACTS[1:]})
    out["canonical"] = out["body_key"].map(lambda k: aliases.get(k, k)).astype("string")
    listed = registry[["body_key", *_FACTS]].replace("", pd.NA)
    listed = listed.rename(columns={"body_key": "canonical"}).assign(_listed=True)
    out = out.merge(listed, on="canonical", how="left")
    extra = registered.rename(columns={c: f"{c}_r" for c in _FACTS}).assign(_registered=True)
    out = out.merge(extra, on="body_key", how="left")
    in_registry = out["_listed"].fillna(False).astype(bool)
    in_store = ~in_registry & out["_registered"].fillna(False).astype(bool)
    resolved = (
        ~in_registry & ~in_store & (out["status"] == "resolved").fillna(False).astype(bool)
        & (out["stored_slug"] != "")
    )  # fmt: skip
    for column in _FACTS:
        stored = out["stored_slug"] if column == "slug" else out[f"_{column}"]
        value = out[column].where(in_registry, out[f"{column}_r"].where(in_store, stored))
        out[column] = value.where(in_registry | in_store | resolved, pd.NA).astype("string")
    loose = ~(in_registry | in_store | resolved)
    out.loc[loose, "slug"] = [fallback_slug(k) for k in out.loc[loose, "canonical"]]
    out.loc[in_registry | in_store, "status"] = "resolved"
    out["status"] = out["status"].fillna(_UNPLACED)
    out["source"] = "resolved"
    out.loc[in_registry, "source"] = "registry"
    out.loc[in_store, "source"] = "registered"
    out.loc[loose, "source"] = "unresolved"
    out = out.drop(columns=[c for c in out.columns if c.startswith("_") or c.endswith("_r")])
    if out.empty:
        return out
    out["rank"] = out["source"].map(_PRECEDENCE)
    return _body_ids(_settle_slugs(out))


def _body_ids(out: pd.DataFrame) -> pd.DataFrame:
    """``body_id``: the key a body goes by in :func:`bodies` and :func:`load` — the registry
    key of its first printed name (by source, then latest year), so that several printed names
    of one body are one ``body_key``; when two bodies share it (朝阳区… of two cities), the
    first by source, region code and slug keeps it and the others get ``#<slug>`` appended."""
    order = out.sort_values(["rank", "last_year", "body_key"], ascending=[True, False, True])
    first = order.groupby("slug", sort=False)["canonical"].first()
    slugs = out[["slug", "rank", "region_code"]].drop_duplicates("slug")
    slugs = slugs.assign(_id=slugs["slug"].map(first), _region=slugs["region_code"].fillna(""))
    slugs = slugs.sort_values(["rank", "_region", "slug"], kind="stable")
    taken = slugs["_id"].duplicated()
    slugs.loc[taken, "_id"] = slugs.loc[taken, "_id"] + "#" + slugs.loc[taken, "slug"]
    out["body_id"] = out["slug"].map(dict(zip(slugs["slug"], slugs["_id"], strict=True)))
    return out


_PRECEDENCE = {"registry": 0, "registered": 1, "resolved": 2, "unresolved": 3}


def _settle_slugs(out: pd.DataFrame) -> pd.DataFrame:
    """Two bodies (different region codes) claiming one slug: the first by source, region
    code and key keeps it, the others get ``-<region code>`` (``-<hash of the key>``)."""
    region = out["region_code"].fillna("")
    owner = (
        out.assign(_region=region)
        .sort_values(["rank", "_region", "canonical"], kind="stable")
        .groupby("slug", sort=False)["_region"]
        .first()
    )
    clash = region != out["slug"].map(owner)
    if clash.any():
        out.loc[clash, "slug"] = [
            f"{slug}-{code}" if code else f"{slug}-{fallback_slug(key)[5:]}"
            for slug, code, key in zip(
                out.loc[clash, "slug"], region[clash], out.loc[clash, "canonical"], strict=True
            )
        ]
    return out


def _bodies_frame(con: duckdb.DuckDBPyConnection, registry: pd.DataFrame) -> pd.DataFrame:
    placed = _placed(con, registry).frame
    if placed.empty:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in BODIES_COLUMNS})
    current = placed[placed["n_reports"] > 0].copy()
    current["years"] = [[] if y is None else list(y) for y in current["years"]]
    # several printed names of one body: the latest printed name
    current = current.sort_values(["rank", "last_year", "body_key"], ascending=[True, False, True])
    out = current.groupby("slug", as_index=False, sort=False).agg(
        body_key=("body_id", "first"), body=("body", "first"),
        region_code=("region_code", "first"), region_name=("region_name", "first"),
        level=("level", "first"), parent=("parent", "first"), status=("status", "first"),
        n_reports=("n_reports", "sum"), first_year=("first_year", "min"),
        last_year=("last_year", "max"),
        years=("years", lambda ys: sorted({int(y) for y_list in ys for y in y_list})),
    )  # fmt: skip
    out["known"] = (out["status"] == "resolved").astype("boolean")
    out = out[BODIES_COLUMNS].astype(
        {c: "string" for c in ["body_key", "body", *BODY_COLUMNS, "status"]}
        | {"n_reports": "Int64", "first_year": "Int64", "last_year": "Int64"}
    )
    return out.sort_values("body_key", kind="stable").reset_index(drop=True)


def bodies(db: str | Path | None = None, *, region: str | None = None) -> pd.DataFrame:
    """Every body in the store, with where it is; one row per body.

    Columns: ``body_key``, ``body`` (as printed in its latest report), ``slug``, ``region_code``,
    ``region_name``, ``level``, ``parent``, ``status`` (``resolved``, ``ambiguous: …``,
    ``unknown: …``), ``known`` (resolved: by the registry file, by facts registered in the
    store, or from the division index at ingest), ``n_reports`` (current versions),
    ``first_year``, ``last_year``, ``years`` (list of ints). Printed names resolved to one
    body are one row. An unresolved body is listed with a fallback slug ``body-<hash>``.
    ``region``: a GB/T 2260 code or region name (淮安市) to keep only its bodies.
    """
    registry = load_registry()
    with connect(reading_path(db), read_only=True) as con:
        out = _bodies_frame(con, registry)
    if region is not None:
        out = out[
            in_region(out["region_code"], region_prefixes(region, _with_regions(registry, out)))
        ]
    return out.reset_index(drop=True)


def unresolved(db: str | Path | None = None) -> pd.DataFrame:
    """The printed body names of the store that could not be placed, with why.

    Columns: ``body`` (as printed), ``body_key``, ``slug`` (the fallback slug), ``status``,
    ``why``, ``candidates`` (list of ``code name``), ``n_reports`` (all versions), ``files``
    (the reports' file names).
    """
    import json

    registry = load_registry()
    with connect(reading_path(db), read_only=True) as con:
        placed = _placed(con, registry).frame
        counts = _query(
            con,
            "SELECT body_key, coalesce(slug, '') AS stored_slug, coalesce(resolution, ?) AS "
            "status, count(*) AS n_all, list(file_name ORDER BY rkey) AS files FROM reports "
            "WHERE body_key IS NOT NULL GROUP BY ALL",
            [_UNPLACED],
        )
    columns = ["body", "body_key", "slug", "status", "why", "candidates", "n_reports", "files"]
    if placed.empty:
        return pd.DataFrame(columns=columns)
    hit = placed[placed["status"] != "resolved"].merge(
        counts, on=["body_key", "stored_slug", "status"], how="left"
    )
    hit["candidates"] = [json.loads(c) if isinstance(c, str) else [] for c in hit["candidates"]]
    hit["files"] = [[] if f is None else list(f) for f in hit["files"]]
    hit["n_reports"] = hit["n_all"].astype("Int64")
    return hit[columns].sort_values(["body_key", "status"]).reset_index(drop=True)


def _with_regions(registry: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """The registry plus region names of the store's bodies (for region lookups by name)."""
    extra = frame.loc[~frame["body_key"].isin(registry["body_key"]) & frame["region_code"].notna()]
    return pd.concat([registry, extra[["slug", "body", "region_code", "region_name", "level",
                                       "parent", "body_key"]]])  # fmt: skip


def find_body(query: str, db: str | Path | None = None) -> pd.Series:
    """The :func:`bodies` row of a body given by slug, printed name, alias or key.

    Raises :class:`GovstatsError` when the store holds no such body.
    """
    registry = load_registry()
    with connect(reading_path(db), read_only=True) as con:
        placed = _placed(con, registry)
        table = _bodies_frame(con, registry)
    slugs = _matching_slugs(placed, registry, [query])
    hit = table[table["slug"].isin(slugs)]
    if hit.empty:
        raise GovstatsError(
            f"no body {query!r} in the store {db or default_db()} (see govstats.bodies())"
        )
    return hit.iloc[0]


def _matching_slugs(placed: _Placed, registry: pd.DataFrame, queries) -> set[str]:
    """The (settled) slugs of the bodies meant by slugs, printed names, aliases or keys."""
    names = placed.names
    out: set[str] = set()
    for query in queries:
        query = str(query).strip()
        for name in {query, body_key(query), *keys_for(query, registry)}:
            out |= names.get(name, set())
    return out


def _selection(
    con: duckdb.DuckDBPyConnection, registry: pd.DataFrame, body, region
) -> list[str] | None:
    """The stored reports meant by ``body`` (slugs, names, aliases) and ``region``, as
    ``body_key || chr(31) || stored slug`` values (None: no filter)."""
    if body is None and region is None:
        return None
    placed = _placed(con, registry)
    frame = placed.frame
    if frame.empty:
        return []
    slugs = (
        set(frame["slug"]) if body is None else _matching_slugs(placed, registry, _as_list(body))
    )
    if region is not None:
        facts = _with_regions(registry, frame.drop_duplicates("slug"))
        inside = frame.loc[in_region(frame["region_code"], region_prefixes(region, facts)), "slug"]
        slugs &= set(inside)
    pairs = placed.pairs
    return sorted(p for slug in slugs for p in pairs.get(slug, ()))


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
    ``govstats.schema`` (value in 元 for money), ``source``, then ``body_key`` (the body's key
    as :func:`bodies` gives it: one for all printed names of a body, distinct for two bodies
    printing the same name), ``version`` and ``superseded_by`` (NA for current versions). Rows
    by body, year, version, template order. Opens the store read-only.
    """
    registry = load_registry()
    with connect(reading_path(db), read_only=True) as con:
        keys = _selection(con, registry, body, region)
        ids = _placed(con, registry).ids
        where: list[str] = []
        params: list[object] = []
        if not all_versions:
            where.append("r.superseded_by IS NULL")
        if keys is not None:
            if not keys:
                return _empty_load()
            where.append(
                f"r.body_key || chr(31) || coalesce(r.slug, '') IN ({','.join('?' * len(keys))})"
            )
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
        join, key = "", "r.body_key"
        if ids:  # printed keys that are not their body's key
            con.register("_govstats_ids", pa.table({
                "k": [k for k, _ in ids], "s": [s for _, s in ids], "id": list(ids.values()),
            }))  # fmt: skip
            join = "LEFT JOIN _govstats_ids m ON m.k = r.body_key AND m.s = coalesce(r.slug, '')"
            key = "coalesce(m.id, r.body_key)"
        sql = f"""
            SELECT v.report_id, r.body, r.year, r.template, v."table", v.item, v."column", v.value,
                   v.label, v.source, {key} AS body_key, r.version, r.superseded_by
            FROM "values" v JOIN reports r ON v.rkey = r.rkey {join}
            {"WHERE " + " AND ".join(where) if where else ""}
            ORDER BY {key}, r.year, r.version, v.seq"""
        try:
            out = _query(con, sql, params)
        finally:
            if ids:
                con.unregister("_govstats_ids")
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
            con,
            f"SELECT * EXCLUDE (rkey, evidence) FROM reports {where} "
            "ORDER BY body_key, year, version",
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
