"""The body registry: overrides of where a reporting body is, at what level, under whom.

Reports name their body as printed (资阳市人民政府办公室); most names are placed by
:mod:`govstats.store.resolve` from the division index. The registry, a user-editable CSV
(``$GOVSTATS_REGISTRY``, else ``data/bodies.csv`` of the govstats home, else the bundled one),
holds what resolution cannot know or should not decide (special zones such as 平潭综合实验区,
aliases, corrections) and wins over it; it maps each body to:

============ ===================================================================
column       meaning
============ ===================================================================
slug         ASCII identifier notebooks and briefings take as a parameter (``pingtan``);
             lowercase letters, digits and ``-``; unique
body         the body's name as its reports print it
region_code  the GB/T 2260 six-digit code of the region the body serves (512000), or a
             township's nine-digit code
region_name  that region's name (资阳市)
level        ``province``, ``city``, ``county``, ``township`` or ``department``
parent       the body it reports to (资阳市人民政府), may be empty
aliases      other printed names of the same body, separated by ``;`` (may be empty)
notes        free text
============ ===================================================================

Bodies are matched on a normalised key (:func:`body_key`: NFKC, whitespace and punctuation
removed), so ``平潭综合实验区`` and ``平潭综合 实验区`` are the same body. Bodies that neither
the registry nor resolution can place are never dropped: they get a stable fallback slug
(:func:`fallback_slug`) and are flagged ``known = False`` by :func:`govstats.bodies`.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from govstats import config
from govstats.errors import RegistryError

REGISTRY_COLUMNS = [
    "slug",
    "body",
    "region_code",
    "region_name",
    "level",
    "parent",
    "aliases",
    "notes",
]
LEVELS = ("province", "city", "county", "township", "department")
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE = re.compile(r"^\d{6}(?:\d{3})?$")


#: GB/T 2260 province-level divisions: two-digit code → name (headings of comparison pages)
PROVINCE_NAMES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip
#: the mainland's province-level divisions (codes below 70): name → two-digit code prefix
PROVINCES = {name: code for code, name in PROVINCE_NAMES.items() if int(code) < 70}
#: short forms as commonly written (福建, 内蒙古, 广西, …)
_PROVINCE_SHORT = {
    (n[:3] if n[:3] in ("内蒙古", "黑龙江") else n[:2]): code for n, code in PROVINCES.items()
}


def default_registry() -> Path:
    """The registry's path: ``$GOVSTATS_REGISTRY``, else ``bodies.csv`` of the data folder when
    there is one (edit it freely), else the bundled registry."""
    if os.environ.get("GOVSTATS_REGISTRY"):
        return Path(os.environ["GOVSTATS_REGISTRY"])
    local = config.data_dir() / "bodies.csv"
    return local if local.is_file() else config.BUNDLED_DATA / "bodies.csv"


def body_key(name: str) -> str:
    """The normalised key of a body name: NFKC, without whitespace, punctuation or symbols.

    >>> body_key("平潭综合 实验区（管委会）")
    '平潭综合实验区管委会'
    """
    text = unicodedata.normalize("NFKC", name)
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC").lower()


def fallback_slug(key: str) -> str:
    """A stable ASCII slug for a body the registry does not know: ``body-`` + 10 hex of its key."""
    return "body-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:10]


def region_prefix(code: str) -> str:
    """The prefix every code inside a region shares: 512000 → ``5120``, 310000 → ``31``; a
    township's nine-digit code is its own prefix (320813000 is 320813)."""
    code = str(code).strip()
    if len(code) == 9:
        if not code.endswith("000"):
            return code
        code = code[:6]
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def load_registry(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the registry CSV; one row per body plus its ``body_key``.

    Raises :class:`RegistryError` naming the file and line for a bad slug, region code or
    level, or a slug/body listed twice. A missing file gives an empty registry. The parsed
    file is kept per process, by its content's hash (each call returns its own copy), so
    that repeated store queries do not parse it again.
    """
    path = Path(path) if path is not None else default_registry()
    try:
        data = path.read_bytes()
    except OSError:  # missing (or a folder)
        return pd.DataFrame({c: pd.Series(dtype="string") for c in REGISTRY_COLUMNS + ["body_key"]})
    stamp = hashlib.sha256(data).digest()
    cached = _PARSED.get(str(path))
    if cached is None or cached[0] != stamp:
        cached = _PARSED[str(path)] = (stamp, _read_registry(path, data))
    return cached[1].copy()


#: registry path -> (sha256 of its bytes, parsed frame)
_PARSED: dict[str, tuple[bytes, pd.DataFrame]] = {}


def _read_registry(path: Path, data: bytes) -> pd.DataFrame:
    frame = pd.read_csv(
        io.BytesIO(data), dtype="string", keep_default_na=False, encoding="utf-8-sig"
    )
    lacking = [c for c in REGISTRY_COLUMNS[:5] if c not in frame.columns]
    if lacking:
        raise RegistryError(
            f"{path}: missing column(s) {', '.join(lacking)} "
            f"(expected {','.join(REGISTRY_COLUMNS)})"
        )
    for column in REGISTRY_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
        frame[column] = frame[column].fillna("").str.strip()
    frame = frame[REGISTRY_COLUMNS].astype("string")
    seen_slugs: dict[str, int] = {}
    seen_keys: dict[str, int] = {}
    keys = []
    for offset, row in enumerate(frame.itertuples(index=False)):
        line = offset + 2  # header is line 1
        where = f"{path}: line {line}"
        if not _SLUG.match(row.slug):
            raise RegistryError(
                f"{where}: slug {row.slug!r} must be lowercase ASCII letters, digits and '-'"
            )
        if not row.body:
            raise RegistryError(f"{where}: body is empty")
        if row.region_code and not _CODE.match(row.region_code):
            raise RegistryError(
                f"{where}: region_code {row.region_code!r} is not a six-digit GB/T 2260 code"
                " (or a nine-digit township code)"
            )
        if row.level and row.level not in LEVELS:
            raise RegistryError(f"{where}: level {row.level!r} is not one of {', '.join(LEVELS)}")
        key = body_key(row.body)
        for name, seen, value in (("slug", seen_slugs, row.slug), ("body", seen_keys, key)):
            if value in seen:
                raise RegistryError(
                    f"{where}: {name} {value!r} already listed on line {seen[value]}"
                )
            seen[value] = line
        keys.append(key)
    frame["body_key"] = pd.array(keys, dtype="string")
    return frame.reset_index(drop=True)


def alias_keys(registry: pd.DataFrame) -> dict[str, str]:
    """Every known name key (body and aliases) → the registry body's key."""
    out: dict[str, str] = {}
    for key, aliases in zip(
        registry["body_key"].tolist(), registry["aliases"].tolist(), strict=True
    ):
        out[key] = key
        for alias in str(aliases or "").split(";"):
            if alias.strip():
                out.setdefault(body_key(alias), key)
    return out


def canonical_key(name: str, registry: pd.DataFrame) -> str:
    """The registry key of a printed body name (its aliases resolve to it), else its own key."""
    key = body_key(name)
    return alias_keys(registry).get(key, key)


def keys_for(queries: str | Iterable[str], registry: pd.DataFrame) -> list[str]:
    """Body keys meant by slugs, printed names, aliases or keys (unknown names as their own key)."""
    if isinstance(queries, str):
        queries = [queries]
    by_slug = dict(zip(registry["slug"], registry["body_key"], strict=True))
    aliases = alias_keys(registry)
    out: list[str] = []
    for query in queries:
        query = str(query).strip()
        key = by_slug.get(query) or aliases.get(body_key(query)) or body_key(query)
        if key not in out:
            out.append(key)
    return out


def region_prefixes(region: str, registry: pd.DataFrame) -> list[str]:
    """Code prefixes of a region given as a GB/T 2260 code (``512000``) or a name (``淮安市``).

    A province is known by name (``福建省`` or ``福建``); another name is looked up in the
    division index (:mod:`govstats.store.divisions`: ``淮安市``, ``洪泽区``), and else matches a
    registry ``region_name`` equal to it or ending with it (``沭阳县`` matches ``宿迁市沭阳县``;
    special zones such as 平潭综合实验区). Raises :class:`RegistryError` when the name is
    unknown, or names several divisions (``朝阳区``) and no registry row.
    """
    region = str(region).strip()
    if _CODE.match(region):
        return [region_prefix(region)]
    if region in PROVINCES or region in _PROVINCE_SHORT:
        return [PROVINCES.get(region) or _PROVINCE_SHORT[region]]
    key = body_key(region)
    names = registry["region_name"].fillna("").map(body_key)
    codes: Iterable[str] = (
        registry.loc[names.str.endswith(key).fillna(False).astype(bool), "region_code"]
        if key
        else []
    )
    prefixes = sorted({region_prefix(c) for c in codes if c})
    divided = _division_codes(region)
    if len(divided) == 1 or (divided and not prefixes):
        if len(divided) > 1:
            listed = ", ".join(divided[:8])
            raise RegistryError(
                f"region {region!r} names several divisions ({listed}): give the code"
            )
        return [region_prefix(divided[0])]
    if not prefixes:
        raise RegistryError(
            f"region {region!r} is neither a division nor in the registry ({default_registry()})"
        )
    # the widest region that carries the name: 资阳市 (5120) covers the bodies of its districts
    return [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]


def _division_codes(name: str) -> list[str]:
    """Codes of the divisions whose full name (or name with its parents) is ``name``."""
    from govstats.store.divisions import load_divisions

    divisions = load_divisions()
    codes = list(divisions.by_name.get(name, ()))
    if not codes:  # 淮安市洪泽区: the registry-style name with its parents
        codes = [c for c in divisions.by_name.get(_last_part(divisions, name), ())
                 if divisions.region_name(c) == name]  # fmt: skip
    return sorted(codes)


def _last_part(divisions, name: str) -> str:
    for size in range(min(len(name), divisions.max_name), 1, -1):
        if name[-size:] in divisions.by_name:
            return name[-size:]
    return name


def region_code(region: str, registry: pd.DataFrame) -> str:
    """The code of a region given as a code or a name (see :func:`region_prefixes`): a
    nine-digit township code as given, else six digits (淮安市 → ``320800``)."""
    prefixes = region_prefixes(region, registry)
    if len(prefixes) > 1:
        raise RegistryError(f"region {region!r} names several regions ({', '.join(prefixes)})")
    prefix = prefixes[0]
    return prefix if len(prefix) == 9 else prefix.ljust(6, "0")


def in_region(codes: pd.Series, prefixes: Iterable[str]) -> pd.Series:
    """Boolean mask of region codes that lie within any of the prefixes."""
    codes = codes.fillna("").astype("string")
    mask = pd.Series(False, index=codes.index)
    for prefix in prefixes:
        mask |= codes.str.startswith(prefix).fillna(False).astype(bool)
    return mask
