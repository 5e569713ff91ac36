"""Resolve a printed body name to its region, level, parent government and slug.

::

    >>> resolve("洪泽区人民政府").region_code
    '320813'
    >>> resolve("朝阳区人民政府").status
    'ambiguous: 朝阳区 is 110105 北京市朝阳区 or 220104 长春市朝阳区; no text to decide from'
    >>> resolve("朝阳区人民政府", text="地址：长春市朝阳区人民大街").region_code
    '220104'

Order of sources: the registry file (``data/bodies.csv``: overrides, special zones, aliases)
first; then bodies registered in the store (``registered``: the generator's fictional bodies,
whose names carry 示例 and never touch the real data set); then the division index
(:mod:`govstats.store.divisions`) read with the kind vocabulary (:mod:`govstats.store.bodynames`).

A name whose place has several candidates is decided only by evidence: names of a candidate's
prefecture or province (or of its townships) in the report's own text (preamble, signature, the
``地址：`` line) or in the file's folder or URL (Chinese names, or the pinyin of a prefecture or
province); and postcodes (``邮编：130012``) and telephone area codes (``电话：0431-…``) in its
first and last lines and contact lines (:mod:`govstats.store.contacts`), which decide when no
place name does and must agree with one that does. When nothing decides, or the evidence points
both ways, the resolution is ``ambiguous`` with its candidates, and no region code. Never a guess.
"""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from govstats.store.bodynames import Kind, split_kind
from govstats.store.contacts import ContactCodes, build_contact_codes, find_codes
from govstats.store.divisions import Divisions, load_divisions, short_names
from govstats.store.registry import body_key, default_registry, load_registry

#: printed by the generator in every fictional body's name (govstats.synth.SYNTHETIC_MARKER)
SYNTHETIC_MARKER = "示例"
#: a division name cut before its suffix is not a short name (洪泽 | 县人民政府 is 洪泽县)
_SUFFIX_CHARS = frozenset("省市县区镇乡旗盟州")
_CONNECTORS = ("人民政府", "政府")
#: where a report names its own place: its first and last lines, and address/contact lines
_CONTACT = re.compile(
    r"^.*(?:地址|通讯地址|邮编|邮政编码|联系电话|电话|传真|联系方式|网址).*$", re.M
)
_HEAD = 1500


class Candidate(NamedTuple):
    """A region a name may mean: code and registry-style region name."""

    code: str
    region_name: str


@dataclass(frozen=True)
class Resolution:
    """What a printed body name resolves to.

    ``level``: ``province``, ``city``, ``county``, ``township`` (a government or street office
    of that level) or ``department`` (any other body; ``government_level`` is the level of the
    government it belongs to). ``parent``: the name of the government it reports to. ``status``:
    ``resolved``, ``ambiguous: …`` or ``unknown: …``; only a resolved name has a region code and
    a slug. ``candidates``: the regions an ambiguous name may mean (the chosen one when resolved).
    ``why``: how it was decided. ``source``: ``registry``, ``registered`` or ``divisions``.
    """

    name: str
    status: str
    region_code: str | None = None
    region_name: str | None = None
    level: str | None = None
    government_level: str | None = None
    parent: str | None = None
    slug: str | None = None
    kind: str | None = None
    candidates: tuple[Candidate, ...] = ()
    why: str = ""
    source: str | None = None

    @property
    def resolved(self) -> bool:
        return self.status == "resolved"

    def as_row(self) -> dict[str, str]:
        """The columns ``govstats resolve`` prints."""
        return {
            "name": self.name, "region_code": self.region_code or "",
            "region_name": self.region_name or "", "level": self.level or "",
            "parent": self.parent or "", "slug": self.slug or "", "status": self.status,
        }  # fmt: skip


class _Token(NamedTuple):
    text: str
    codes: tuple[str, ...]
    how: str  # 'full', 'short', 'historic' or 'registry'
    note: str
    row: dict | None = None


@dataclass
class Resolver:
    """Resolves names against the division index, a registry frame and registered bodies.

    ``registry``: a frame as :func:`govstats.store.registry.load_registry` returns (overrides);
    ``registered``: bodies with known facts outside the registry file (columns ``body``,
    ``slug``, ``region_code``, ``region_name``, ``level``, ``parent``), e.g. the generator's.
    """

    divisions: Divisions
    registry: pd.DataFrame
    registered: pd.DataFrame | None = None
    _rows: dict[str, dict] = field(default_factory=dict, repr=False)
    _extra: dict[str, dict] = field(default_factory=dict, repr=False)
    _slugs: set[str] = field(default_factory=set, repr=False)
    _places: dict[str, dict] = field(default_factory=dict, repr=False)
    _needs: dict[str, bool] = field(default_factory=dict, repr=False)
    _contacts: ContactCodes | None = field(default=None, repr=False)

    @property
    def contacts(self) -> ContactCodes:
        """Where postcodes and area codes point (built on first use: a few milliseconds)."""
        if self._contacts is None:
            self._contacts = build_contact_codes(self.divisions)
        return self._contacts

    def __post_init__(self) -> None:
        for row in self.registry.to_dict("records"):
            self._rows[row["body_key"]] = row
            self._slugs.add(row["slug"])
            names = [row["body"]] + [
                a for a in str(row.get("aliases") or "").split(";") if a.strip()
            ]
            for alias in names[1:]:
                self._rows.setdefault(body_key(alias), row)
            # a registry body that is a place (平潭综合实验区) is a place in its departments' names
            if (
                row.get("level") in ("province", "city", "county")
                and row.get("region_code") in self.divisions
            ):
                for printed in names:
                    key = body_key(printed)
                    if not key.endswith(("人民政府", "管委会", "管理委员会")):
                        self._places.setdefault(key, row)
        if self.registered is not None:
            for row in self.registered.to_dict("records"):
                self._extra[body_key(row["body"])] = row

    # --- the entry point ----------------------------------------------------------------

    def resolve(
        self, name: str, *, text: str | None = None, folder: str | Path | None = None
    ) -> Resolution:
        """Resolve one printed name; ``text`` is the report's text, ``folder`` its folder or URL."""
        key = body_key(name)
        row = self._rows.get(key)
        if row is not None:
            return self._from_row(name, row, "registry", f"listed in the registry ({row['slug']})")
        row = self._extra.get(key)
        if row is not None:
            return self._from_row(name, row, "registered", "registered in the store")
        if SYNTHETIC_MARKER in name:
            return Resolution(
                name, "unknown: a generated (示例) body that is not registered",
                source="registered",
                why="fictional bodies resolve only through the generator's registered bodies",
            )  # fmt: skip
        if not key:
            return Resolution(name, "unknown: empty name")
        return self._from_divisions(name, key, text, folder)

    def needs_evidence(self, name: str) -> bool:
        """Whether the division index alone leaves ``name`` ambiguous (whatever the registry
        says): the report's text is then the evidence to keep. Cached per name."""
        got = self._needs.get(name)
        if got is None:
            key = body_key(name)
            got = self._needs[name] = bool(key) and self._from_divisions(
                name, key, None, None
            ).status.startswith("ambiguous")
        return got

    def _from_row(self, name: str, row: dict, source: str, why: str) -> Resolution:
        def value(column: str) -> str | None:
            got = row.get(column)
            return None if got is None or pd.isna(got) or str(got) == "" else str(got)

        code, level = value("region_code"), value("level")
        government_level = None
        if level == "department" and code is not None and code in self.divisions:
            government_level = self.divisions[code].level
        region_name = value("region_name")
        return Resolution(
            name=name, status="resolved", region_code=code, region_name=region_name, level=level,
            government_level=government_level, parent=value("parent"), slug=value("slug"),
            source=source,
            candidates=(Candidate(code, region_name or ""),) if code else (), why=why,
        )  # fmt: skip

    # --- reading the name ---------------------------------------------------------------

    def _from_divisions(
        self, name: str, key: str, text: str | None, folder: str | Path | None
    ) -> Resolution:
        best: tuple[tuple[int, ...], Kind, list[_Token], tuple[str, ...]] | None = None
        dead_ends: list[str] = []
        for order, (place, kind) in enumerate(split_kind(key)):
            for tokens in self._segment(place):
                codes, problem = self._chain(tokens)
                if problem:
                    dead_ends.append(problem)
                    continue
                codes = _fit_kind(self.divisions, codes, kind)
                if not codes:
                    continue
                score = (
                    sum(t.how == "historic" for t in tokens), int(not kind.listed),
                    sum(t.how == "short" for t in tokens), order, -len(tokens),
                )  # fmt: skip
                if best is None or score < best[0]:
                    best = (score, kind, tokens, codes)
        if best is None:
            why = dead_ends[0] if dead_ends else "no division name followed by a known kind of body"
            return Resolution(name, f"unknown: {why}", source="divisions", why=why)
        _, kind, tokens, codes = best
        how = "; ".join(t.note for t in tokens if t.note)
        candidates = tuple(Candidate(c, self.divisions.region_name(c)) for c in codes)
        if len(codes) > 1:
            chosen, evidence = _decide(self.divisions, codes, text, folder, self.contacts)
            if chosen is None:
                place = tokens[-1].text
                listed = " or ".join(f"{c.code} {c.region_name}" for c in candidates[:8])
                more = f" (and {len(candidates) - 8} more)" if len(candidates) > 8 else ""
                status = f"ambiguous: {place} is {listed}{more}; {evidence}"
                return Resolution(
                    name,
                    status,
                    kind=kind.category,
                    candidates=candidates,
                    why=evidence,
                    source="divisions",
                )
            how = "; ".join(filter(None, [how, evidence]))
            codes = (chosen,)
        return self._resolution(name, kind, codes[0], candidates, how, tokens)

    def _resolution(
        self, name: str, kind: Kind, code: str, candidates, how: str, tokens
    ) -> Resolution:
        divisions = self.divisions
        division = divisions[code]
        region_slug = divisions.slug(code)
        if kind.category == "government":
            level, government_level = division.level, None
            parent = divisions.government(division.parent) if division.parent else ""
            slug = region_slug
        elif kind.category == "street_office":
            level, government_level = "township", None
            parent = divisions.government(division.parent)
            slug = region_slug
        else:
            level, government_level = "department", division.level
            parent = divisions.government(code)
            slug = f"{region_slug}-{kind.slug}"
        row = tokens[-1].row
        if row is not None:  # a registry place: its own facts (平潭综合实验区 is a city-level zone)
            if kind.category == "government":
                return self._from_row(
                    name, row, "registry", f"{tokens[-1].text} is listed in the registry"
                )
            government_level, parent, slug = row["level"], row["body"], f"{row['slug']}-{kind.slug}"
        if (
            slug in self._slugs
        ):  # taken by a registry body (which is another body: it was not matched)
            slug = f"{slug}-{code}"
        printed = "".join(t.text for t in tokens)
        why = f"{printed} = {code} {divisions.region_name(code)}; {kind.printed} = {kind.name}"
        if not kind.listed:
            why += " (a department kind not in the vocabulary)"
        return Resolution(
            name=name, status="resolved", region_code=code,
            region_name=row["region_name"] if row is not None else divisions.region_name(code),
            level=level, government_level=government_level,
            parent=parent, slug=slug, kind=kind.category, candidates=candidates,
            why="; ".join(filter(None, [why, how])), source="divisions",
        )  # fmt: skip

    def _segment(self, place: str) -> list[list[_Token]]:
        """Every way to read ``place`` as a sequence of division names (full, short, historic)."""
        divisions = self.divisions
        out: list[list[_Token]] = []

        def walk(pos: int, tokens: list[_Token]) -> None:
            if pos == len(place):
                out.append(list(tokens))
                return
            if tokens:
                for connector in _CONNECTORS:  # 洪泽区人民政府高良涧街道办事处
                    if place.startswith(connector, pos) and pos + len(connector) < len(place):
                        walk(pos + len(connector), tokens)
                        break
            for size in range(min(divisions.max_name, len(place) - pos), 1, -1):
                text = place[pos : pos + size]
                end = pos + size
                row = self._places.get(text)
                if row is not None:
                    tokens.append(
                        _Token(
                            text,
                            (row["region_code"],),
                            "registry",
                            f"{text}: registry ({row['slug']})",
                            row,
                        )
                    )
                    walk(end, tokens)
                    tokens.pop()
                codes = divisions.by_name.get(text)
                if codes:
                    tokens.append(_Token(text, codes, "full", ""))
                    walk(end, tokens)
                    tokens.pop()
                codes = divisions.by_short.get(text)
                if (
                    codes and len(codes) > 1
                ):  # 河北 is 河北省 (a province's short name is the usual one)
                    codes = tuple(c for c in codes if c.endswith("0000") and len(c) == 6) or codes
                if codes and (end == len(place) or place[end] not in _SUFFIX_CHARS):
                    tokens.append(_Token(text, codes, "short", ""))
                    walk(end, tokens)
                    tokens.pop()
                old = divisions.historic.get(text)
                if old and not divisions.by_name.get(text):
                    successors = tuple(dict.fromkeys(h.successor for h in old if h.successor))
                    spans = ", ".join(f"{h.code} {h.first}-{h.last}" for h in old)
                    note = f"{text} is a former name ({spans})"
                    if successors:
                        note += " now " + ", ".join(f"{c} {divisions[c].name}" for c in successors)
                    tokens.append(_Token(text, successors, "historic", note))
                    walk(end, tokens)
                    tokens.pop()

        walk(0, [])
        return out

    def _chain(self, tokens: list[_Token]) -> tuple[tuple[str, ...], str]:
        """Codes of the last token that lie within a code of each earlier token, in order."""
        allowed: tuple[str, ...] | None = None
        for token in tokens:
            if not token.codes:
                return (), f"{token.note}, no successor in the data set"
            codes = token.codes
            if allowed is not None:
                codes = tuple(
                    c for c in codes if any(a in self.divisions.ancestors(c) for a in allowed)
                )
                if not codes:
                    return (), f"{token.text} does not lie within {tokens[0].text}"
            allowed = codes
        return allowed or (), ""


def _fit_kind(divisions: Divisions, codes: tuple[str, ...], kind: Kind) -> tuple[str, ...]:
    """Drop candidates the kind rules out: a …厅 belongs to a province; a street office and a
    township's government to a township."""
    if kind.province_only:
        provinces = tuple(c for c in codes if divisions[c].level == "province")
        return provinces or codes
    if kind.category == "street_office":
        return tuple(c for c in codes if divisions[c].level == "township")
    return codes


# --- evidence ---------------------------------------------------------------------------------


def _decide(
    divisions: Divisions,
    codes: tuple[str, ...],
    text: str | None,
    folder,
    contacts: ContactCodes | None = None,
) -> tuple[str | None, str]:
    """The candidate that the report's text or folder alone points to, and why (or None).

    Place names decide first (:func:`_decide_by_names`); postcodes and area codes in the text
    (:func:`_decide_by_codes`) decide when no place name does, and must not contradict one."""
    if not text and not folder:
        return None, "no text to decide from"
    chosen, why, named = _decide_by_names(divisions, codes, text, folder)
    if not text or contacts is None:
        return chosen, why
    narrowed, code_why = _decide_by_codes(divisions, codes, _own_lines(text), contacts)
    if narrowed is None:  # no code, or none that points to a candidate
        return chosen, why
    if not narrowed:
        return None, code_why
    if chosen is not None:
        if chosen in narrowed:
            return chosen, f"{why}; {code_why}"
        return None, f"the evidence conflicts: {why}, but {code_why}"
    if named:  # place names of several candidates: codes do not overrule them
        return None, why
    if len(narrowed) == 1:
        return narrowed[0], code_why
    return None, f"{code_why}; nothing in the text decides between them"


def _decide_by_codes(
    divisions: Divisions, codes: tuple[str, ...], text: str, contacts: ContactCodes
) -> tuple[tuple[str, ...] | None, str]:
    """The candidates that every postcode and area code in ``text`` (a report's own lines,
    :func:`_own_lines`) that points to some candidate agrees on, and why; ``None`` when no code
    points to a candidate, ``()`` when codes point to different ones (a conflict)."""
    found = find_codes(text)
    if not found:
        return None, ""
    units = {c: [c, *divisions.ancestors(c)] for c in codes}
    narrowed: tuple[str, ...] | None = None
    said: list[str] = []
    for what, value in found:
        places = contacts.postcode(value) if what == "postcode" else contacts.area(value)
        hits = tuple(c for c in codes if any(p in units[c] for p in places))
        if not hits:
            continue  # a code of somewhere else (or unknown) decides nothing
        shown = " or ".join(f"{c} {divisions.region_name(c)}" for c in hits[:4])
        said.append(f"the {what} {value} points to {shown}")
        narrowed = hits if narrowed is None else tuple(c for c in narrowed if c in hits)
    if narrowed is None:
        return None, ""
    if not narrowed:
        return (), "the evidence conflicts: " + ", but ".join(said)
    return narrowed, "; ".join(said[:3]) + f" ({contacts.source})"


def _decide_by_names(
    divisions: Divisions, codes: tuple[str, ...], text: str | None, folder
) -> tuple[str | None, str, bool]:
    """The candidate that place names in the text or folder point to, why, and whether names
    of several candidates were found."""
    names = {c: _place_names(divisions, c) for c in codes}
    common = set.intersection(*(set(v) for v in names.values()))
    names = {c: {n: w for n, w in v.items() if n not in common} for c, v in names.items()}
    zones: list[tuple[str, str]] = []
    if folder:
        zones.append(("the folder", str(folder)))
    if text:
        zones.append(("the report's first and last lines and contact lines", _own_lines(text)))
        zones.append(("the report's text", text))
    for strength in ("full", "short", "township"):
        for where, zone in zones:
            hits = {
                c: sorted(n for n, w in v.items() if w == strength and n in zone)
                for c, v in names.items()
            }
            found = {c: h for c, h in hits.items() if h}
            if len(found) == 1:
                ((code, words),) = found.items()
                return (
                    code,
                    f"{where} names {'、'.join(words[:3])} ({code} {divisions.region_name(code)})",
                    False,
                )
            if len(found) > 1:
                shown = "; ".join(f"{c}: {'、'.join(h[:2])}" for c, h in found.items())
                return None, f"{where} names places of several candidates ({shown})", True
    if folder:
        lowered = str(folder).lower()
        pinyin = {c: {p for p in _place_pinyin(divisions, c) if len(p) >= 4} for c in codes}
        common_p = set.intersection(*pinyin.values())
        found = {c: sorted(p for p in v - common_p if p in lowered) for c, v in pinyin.items()}
        found = {c: h for c, h in found.items() if h}
        if len(found) == 1:
            ((code, words),) = found.items()
            why = f"the folder/URL carries {words[0]} ({code} {divisions.region_name(code)})"
            return code, why, False
    return None, "nothing in the text decides", False


def _place_names(divisions: Divisions, code: str) -> dict[str, str]:
    """Names that point to ``code``: its ancestors' full and short names, its townships' names."""
    out: dict[str, str] = {}
    for ancestor in divisions.ancestors(code):
        division = divisions[ancestor]
        out.setdefault(division.name, "full")
        for short in short_names(division):
            if len(short) >= 2:
                out.setdefault(short, "short")
    for child in divisions.children.get(code, ()):
        name = divisions[child].name
        if len(name) >= 3:
            out.setdefault(name, "township")
    return out


def _place_pinyin(divisions: Divisions, code: str) -> set[str]:
    return {
        divisions._pinyin(a) for a in divisions.ancestors(code) if divisions[a].level != "province"
    } | {divisions.slug(a) for a in divisions.ancestors(code) if divisions[a].level == "province"}


# --- defaults ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _own_lines(text: str) -> str:
    """Where a report names its own place: its first and last lines, and contact lines (the
    last few texts memoised: place names and codes both read them)."""
    return "\n".join([text[:_HEAD], text[-_HEAD:], *_CONTACT.findall(text)])


@functools.cache
def _default_resolver(path: str, stamp: tuple[int, int]) -> Resolver:
    return Resolver(load_divisions(), load_registry(path))


#: (registry path, monotonic time of the last look at the file, its resolver)
_LAST: list = [None, 0.0, None]


def default_resolver(registry: str | Path | None = None) -> Resolver:
    """The resolver of the registry file (``data/bodies.csv``), rebuilt when the file changes
    (looked at no more than once a second)."""
    path = str(Path(registry) if registry is not None else default_registry())
    now = time.monotonic()
    if _LAST[0] == path and now - _LAST[1] < 1.0:
        return _LAST[2]
    try:
        stat = os.stat(path)
        stamp = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        stamp = (0, 0)
    _LAST[:] = [path, now, _default_resolver(path, stamp)]
    return _LAST[2]


def resolve(name: str, *, text: str | None = None, folder: str | Path | None = None) -> Resolution:
    """Resolve a printed body name with the default registry (see :class:`Resolver`)."""
    return default_resolver().resolve(name, text=text, folder=folder)


def resolve_many(names: Iterable[str], *, text: str | None = None, folder=None) -> list[Resolution]:
    """Resolve several names against the same text and folder."""
    resolver = default_resolver()
    return [resolver.resolve(n, text=text, folder=folder) for n in names]
