"""Planning a batch: which pages, with which notebook parameters and input hashes.

:func:`plan` turns a selection (bodies, regions, every body) into :class:`Task` objects, one per
page: a body's briefing (``notebooks/10-briefing.ipynb``) or a region's comparison
(``notebooks/20-compare.ipynb``), with a content hash of the store rows the page depends on and
of the notebook and templates, so that a rerun can skip a page whose inputs did not change.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from govstats import store
from govstats.briefings.export import TEMPLATES_DIR
from govstats.briefings.kernels import DEFAULT_TIMEOUT
from govstats.briefings.paths import safe_slug
from govstats.checks import crossyear
from govstats.config import NOTEBOOKS_DIR
from govstats.errors import BriefingError, RegistryError
from govstats.store.registry import PROVINCE_NAMES, load_registry, region_code, region_prefix

BRIEFING_NOTEBOOK = NOTEBOOKS_DIR / "10-briefing.ipynb"


COMPARE_NOTEBOOK = NOTEBOOKS_DIR / "20-compare.ipynb"


@dataclass(frozen=True)
class Task:
    """One page to render: a notebook run with ASCII parameters, exported to ``folder``.

    ``kind`` is ``body`` or ``region``; ``key`` the body's slug or the region code;
    ``title`` the Chinese name shown on the index; ``input_hash`` a content hash of the
    store rows the page depends on (plus the registry facts), ``notebook_hash`` of the
    notebook file and the page templates: unchanged hashes mean an unchanged page.
    ``flags`` is the number of data-quality findings of the inputs (None: not computed).
    ``pdf``: the page is also printed to ``briefing.pdf`` beside it.
    """

    kind: str
    key: str
    title: str
    notebook: str
    parameters: dict
    years: tuple[int, ...] = ()
    input_hash: str = ""
    notebook_hash: str = ""
    flags: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    reuse_kernel: bool = True
    db: str | None = None  # the store: a body's flags are counted from it (None: keep ``flags``)
    members: tuple[str, ...] = ()  # a region's bodies (slugs): its flags are the sum of theirs
    pdf: bool = False  # also print the page to briefing.pdf (its charts drawn as SVG)

    @property
    def folder(self) -> str:
        """The page's folder under the output directory (a safe slug)."""
        return safe_slug(self.key if self.kind == "body" else f"region-{self.key}")

    @property
    def fingerprint(self) -> str:
        """What must be unchanged for a rerun to skip this page."""
        parts = [self.input_hash, self.notebook_hash, self.parameters, self.title]
        blob = json.dumps(
            parts + ["pdf"] if self.pdf else parts,  # a printed page has SVG charts
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


#: the key of the comparison page over every body of the store (``region-all/``)
ALL_REGIONS = "all"


def briefing_parameters(slug: str, db: str, years: Sequence[int] | None) -> dict:
    """Parameters of ``10-briefing.ipynb`` for one body (ASCII: papermill escapes the rest)."""
    return {"body": slug, "years": sorted(years) if years else None, "year": None, "db": db}


def compare_parameters(region: str | None, db: str, years: Sequence[int] | None) -> dict:
    """Parameters of ``20-compare.ipynb`` for one region (None: every body in the store),
    compared in the latest of ``years`` (None: the latest year in the store)."""
    return {"region": region, "year": max(years) if years else None, "db": db}


def plan(
    db: str | Path | None = None,
    *,
    bodies: Sequence[str] = (),
    regions: Sequence[str] = (),
    all_bodies: bool = False,
    years: Sequence[int] | None = None,
    briefing_notebook: str | Path = BRIEFING_NOTEBOOK,
    compare_notebook: str | Path = COMPARE_NOTEBOOK,
    timeout: float = DEFAULT_TIMEOUT,
    reuse_kernel: bool = True,
) -> list[Task]:
    """The pages to render for a selection of the store's bodies.

    ``bodies``: slugs (or printed names) → one briefing each. ``regions``: GB/T 2260 codes or
    region names (``320800``, ``淮安市``) → a comparison page per region plus a briefing for
    each body whose region code lies in it (a city: its government and office, its
    departments, its districts and counties and theirs). ``all_bodies``:
    every body, plus a comparison page per region code of the bodies and per province with
    bodies in more than one region. ``years`` restricts the years briefed. Each task carries
    a content hash of the store rows it depends on and the notebook's hash. Raises
    :class:`BriefingError` for an empty selection, an unknown body or a missing notebook.
    """

    db_path = str(store.reading_path(db).resolve())
    if not Path(db_path).is_file():
        raise BriefingError(f"no store at {db_path}: run `govstats ingest` first (or pass --db)")
    if not (bodies or regions or all_bodies):
        raise BriefingError("say which briefings to render: --body SLUG…, --region CODE… or --all")
    table = store.bodies(db_path)
    if table.empty:
        raise BriefingError(f"the store {db_path} holds no reports: run `govstats ingest` first")
    table = table.assign(
        slug=table["slug"].astype(str), region_code=table["region_code"].fillna("").astype(str)
    )

    chosen: dict[str, None] = {}  # slugs, in order, no duplicates
    region_codes: dict[str, None] = {}
    if all_bodies:
        chosen.update(dict.fromkeys(table["slug"]))
        region_codes.update(dict.fromkeys(shared_regions(table["region_code"])))
        if len(table) > 1:
            region_codes[ALL_REGIONS] = None
    for query in bodies:
        hit = table[
            (table["slug"] == query) | (table["body"] == query) | (table["body_key"] == query)
        ]
        if hit.empty:
            known = ", ".join(table["slug"].head(20))
            raise BriefingError(f"no body {query!r} in the store {db_path} (slugs: {known}…)")
        chosen.update(dict.fromkeys(hit["slug"]))
    for query in regions:
        code = _region_code(str(query).strip(), table)
        members = table[table["region_code"].str.startswith(region_prefix(code))]
        if members.empty:
            raise BriefingError(f"no body of region {query} ({code}) in the store {db_path}")
        region_codes[code] = None
        chosen.update(dict.fromkeys(members["slug"]))

    wanted = None if all_bodies else sorted(chosen)
    frame = store.load(db_path, body=wanted, years=list(years) if years else None)
    body_hashes = _content_hashes(frame, table)
    notebooks = {}
    for path in (briefing_notebook, compare_notebook):
        path = Path(path)
        if path.is_file():
            notebooks[str(path)] = file_hash(path, TEMPLATES_DIR)

    def notebook_hash(path: Path) -> str:
        if str(path) not in notebooks:
            raise BriefingError(f"notebook {path} not found")
        return notebooks[str(path)]

    tasks: list[Task] = []
    rows = table.set_index("slug")
    for slug in chosen:
        row = rows.loc[slug]
        body_years = tuple(int(y) for y in row["years"] if not years or int(y) in set(years))
        tasks.append(
            Task(
                kind="body",
                key=safe_slug(slug),
                title=str(row["body"]),
                notebook=str(Path(briefing_notebook)),
                parameters=briefing_parameters(slug, db_path, years),
                years=body_years,
                input_hash=body_hashes.get(row["body_key"], ""),
                notebook_hash=notebook_hash(Path(briefing_notebook)),
                db=db_path,
                timeout=timeout,
                reuse_kernel=reuse_kernel,
            )
        )
    for code in region_codes:
        if code == ALL_REGIONS:
            members = table
        else:
            members = table[table["region_code"].str.startswith(region_prefix(code))]
        member_years = sorted(
            {int(y) for ys in members["years"] for y in ys if not years or int(y) in set(years)}
        )
        tasks.append(
            Task(
                kind="region",
                key=code,
                title=_region_title(code, table),
                notebook=str(Path(compare_notebook)),
                parameters=compare_parameters(
                    None if code == ALL_REGIONS else code, db_path, years
                ),
                years=tuple(member_years),
                input_hash=_combine(body_hashes.get(k, "") for k in sorted(members["body_key"])),
                notebook_hash=notebook_hash(Path(compare_notebook)),
                members=tuple(str(m) for m in members["slug"]),
                timeout=timeout,
                reuse_kernel=reuse_kernel,
            )
        )
    return tasks


def _region_code(region: str, table: pd.DataFrame) -> str:
    """The code of a region given as a GB/T 2260 code or a name (淮安市, 平潭综合实验区)."""
    facts = pd.concat([load_registry(), table[["region_code", "region_name"]]], ignore_index=True)
    try:
        return region_code(region, facts)
    except RegistryError as exc:
        raise BriefingError(
            f"{exc}; give a six-digit GB/T 2260 code (e.g. 320800) or a division's name (淮安市)"
        ) from exc


def shared_regions(codes: Iterable[str]) -> list[str]:
    """Regions worth a comparison page: those (own code, city, province) holding ≥ 2 bodies.

    ``codes`` holds one GB/T 2260 code per body. Of regions holding exactly the same bodies
    only the narrowest is kept (two districts of one city: the city, not also the province).
    """

    codes = [c for c in codes if c and re.fullmatch(r"\d{6}(?:\d{3})?", c)]
    candidates = {c for code in codes for c in (code, code[:6], code[:4] + "00", code[:2] + "0000")}
    best: dict[tuple[int, ...], str] = {}
    for candidate in sorted(candidates, key=lambda c: -len(region_prefix(c))):
        members = tuple(
            i for i, code in enumerate(codes) if code.startswith(region_prefix(candidate))
        )
        if len(members) >= 2 and members not in best:
            best[members] = candidate
    return sorted(best.values())


def body_flags(db: str, slug: str, years: Sequence[int] | None = None) -> int:
    """Number of data-quality findings of one body's current reports: template-arithmetic
    breaches plus year-over-year mismatches, exactly what the briefing's 数据质量 section
    lists (``govstats.checks.crossyear.check_store``)."""

    return len(crossyear.check_store(db, body=slug, years=list(years) if years else None))


def _region_title(code: str, table) -> str:
    if code == ALL_REGIONS:
        return "全部机关对比"
    names = table.loc[table["region_code"] == code, "region_name"].dropna().unique()
    if len(names):
        return f"{names[0]} 各机关对比"
    from govstats.store.divisions import load_divisions

    divisions = load_divisions()
    if code in divisions:
        return f"{divisions.region_name(code)} 各机关对比"
    if code.endswith("0000") and code[:2] in PROVINCE_NAMES:
        return f"{PROVINCE_NAMES[code[:2]]} 各机关对比"
    return f"地区 {code} 各机关对比"


def _content_hashes(frame, table) -> dict[str, str]:
    """body_key → a hash of its stored rows (values, labels, sources, report ids) and registry
    facts."""

    hashed = pd.util.hash_pandas_object(
        frame[
            ["report_id", "year", "template", "table", "item", "column", "value", "label", "source"]
        ].astype("string"),
        index=False,
    )
    out: dict[str, str] = {}
    for key, positions in frame.groupby("body_key", sort=False).indices.items():
        digest = hashlib.sha256(hashed.to_numpy()[positions].tobytes())
        out[str(key)] = digest.hexdigest()[:32]
    facts = table.set_index("body_key")[
        ["body", "slug", "region_code", "region_name", "level", "parent"]
    ].astype("string")
    for key, row in facts.iterrows():
        extra = json.dumps(
            [None if pd.isna(v) else str(v) for v in row.tolist()], ensure_ascii=False
        )
        out[str(key)] = _combine([out.get(str(key), ""), extra])
    return out


def _combine(parts: Iterable[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def file_hash(*paths: str | Path) -> str:
    """sha256 (first 32 hex) over the bytes of files and of every file under given folders."""
    digest = hashlib.sha256()
    for path in paths:
        path = Path(path)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:32]
