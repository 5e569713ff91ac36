"""Postcodes and telephone area codes of China's cities, as evidence of where a report is from.

The data set is the ``phone`` package's ``phone.dat`` (the choice is argued in
``docs/registry.md``): its record area lists, for each city that mobile number blocks are
registered in, ``province|city|postcode|area code`` (``吉林|长春|130000|0431``). The file is read
without importing the package. Each record's city is placed through the division index
(:mod:`govstats.store.divisions`): a prefecture (长春 → 220100), a municipality (北京 → 110000),
a county-level city under a province (仙桃 → 429004), or a county-level name within its
prefecture (延吉 → 222400, 思茅 → 530800 普洱市). A county-level name whose prefecture already has a
record with another area code is dropped (江汉 0728 is not 武汉市 027), as is any name placed
nowhere or in several places: a code of a dropped record is no evidence for anything.

A postcode points to a city whose postcode shares its first four digits (the digits of the
postal zone and of the city's own office: 130012 → 1300 → 长春); a municipality's postcodes
share their first two (10xxxx is 北京市). A telephone number printed with its area code
(``0431-88776655``, ``(010) 12345678``) points to the cities of that area code.
"""

from __future__ import annotations

import re
import struct
import warnings
from dataclasses import dataclass
from pathlib import Path

from govstats.store.divisions import Divisions, _package_file

PACKAGE = "phone"
#: a postcode after its label: 邮编：130012, 邮政编码 223100
_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：]?\s*(\d{6})(?!\d)")
#: a fixed-line number with its area code set apart: (010) 12345678, 0431-88776655, 0517—8391234
_PHONE = re.compile(
    r"(?<![\d.])(?:[(（](0\d{2,3})[)）]\s*[-－—–]?|(0\d{2,3})\s*[-－—–])\s*[2-9]\d{6,7}(?!\d)"
)


@dataclass(frozen=True)
class ContactCodes:
    """Where postcodes and area codes point: division codes (prefectures, municipalities,
    county-level cities under a province). ``dropped``: the data set's cities not placed."""

    by_area: dict[str, tuple[str, ...]]
    by_post4: dict[str, tuple[str, ...]]
    by_post2: dict[str, tuple[str, ...]]
    source: str
    dropped: tuple[str, ...] = ()

    def postcode(self, code: str) -> tuple[str, ...]:
        """The divisions a six-digit postcode points to (none when it is unknown)."""
        return tuple(
            dict.fromkeys(self.by_post4.get(code[:4], ()) + self.by_post2.get(code[:2], ()))
        )

    def area(self, code: str) -> tuple[str, ...]:
        """The divisions a telephone area code (with its leading 0) points to."""
        return self.by_area.get(code, ())


EMPTY = ContactCodes({}, {}, {}, "absent")


def find_codes(text: str) -> list[tuple[str, str]]:
    """The postcodes and area codes printed in ``text``: ``[("postcode", "130012"),
    ("area code", "0431"), …]`` in order of first appearance, each once."""
    found: dict[tuple[str, str], None] = {}
    for match in _POSTCODE.finditer(text):
        found.setdefault(("postcode", match[1]), None)
    for match in _PHONE.finditer(text):
        found.setdefault(("area code", match[1] or match[2]), None)
    return list(found)


def read_records(path: Path) -> list[tuple[str, str, str, str]]:
    """``(province, city, postcode, area code)`` of each record in a ``phone.dat`` file."""
    with path.open("rb") as handle:
        head = handle.read(8)
        _, first_index = struct.unpack("<4si", head)
        area = handle.read(first_index - 8)
    out = []
    for raw in area.split(b"\0"):
        parts = raw.decode("utf-8").split("|")
        if len(parts) == 4:
            province, city, post, phone = parts
            out.append((province, city, post.zfill(6) if post.isdigit() else "", phone))
    return out


def build_contact_codes(divisions: Divisions) -> ContactCodes:
    """Place the data set's cities in the division index (a few milliseconds); without the
    package (or its file) no code is evidence, and a warning says so."""
    try:
        path = _package_file(PACKAGE, "phone", "phone.dat")
        records = read_records(path)
    except (ImportError, OSError, struct.error, UnicodeDecodeError) as exc:
        warnings.warn(
            f"postcodes and area codes are not used as evidence: {exc}", RuntimeWarning,
            stacklevel=2,
        )  # fmt: skip
        return EMPTY
    import importlib.metadata

    version = importlib.metadata.version(PACKAGE)
    direct: dict[str, set[tuple[str, str]]] = {}
    indirect: dict[str, set[tuple[str, str]]] = {}
    dropped: list[str] = []
    for province, city, post, phone in records:
        code, is_direct = _place(divisions, province, city)
        if code is None:
            dropped.append(f"{province}{city}")
            continue
        (direct if is_direct else indirect).setdefault(code, set()).add((post, phone))
    for code, pairs in indirect.items():
        areas = {phone for _, phone in direct.get(code, ())}
        if areas and not {phone for _, phone in pairs} <= areas:
            dropped.append(f"{divisions[code].name}: {sorted(pairs)}")
            continue
        direct.setdefault(code, set()).update(pairs)
    by_area: dict[str, list[str]] = {}
    by_post4: dict[str, list[str]] = {}
    by_post2: dict[str, list[str]] = {}
    for code, pairs in sorted(direct.items()):
        for post, phone in sorted(pairs):
            if phone:
                _add(by_area, phone, code)
            if post and divisions[code].level == "province":  # a municipality: 10xxxx
                _add(by_post2, post[:2], code)
            elif post:
                _add(by_post4, post[:4], code)
    return ContactCodes(
        by_area={k: tuple(v) for k, v in by_area.items()},
        by_post4={k: tuple(v) for k, v in by_post4.items()},
        by_post2={k: tuple(v) for k, v in by_post2.items()},
        source=f"{PACKAGE} {version} (phone.dat {_data_version(path)}, {len(records)} cities)",
        dropped=tuple(dropped),
    )


def _add(index: dict[str, list[str]], key: str, code: str) -> None:
    codes = index.setdefault(key, [])
    if code not in codes:
        codes.append(code)


def _data_version(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(4).decode("ascii", "replace")


def _place(divisions: Divisions, province: str, city: str) -> tuple[str | None, bool]:
    """The division a record's city is (a prefecture, a municipality, a county-level city under
    its province: direct) or lies in (a county-level name: its prefecture); None when it is
    placed nowhere or in several places."""
    provinces = [
        c for c in divisions.by_short.get(province, ()) + divisions.by_name.get(province, ())
        if divisions[c].level == "province"
    ]  # fmt: skip
    if len(set(provinces)) != 1:
        return None, False
    top = provinces[0]
    names = (city, city + "市", city + "地区", city + "盟", city + "州")
    found = {
        c
        for n in names
        for c in divisions.by_name.get(n, ()) + divisions.by_short.get(n, ())
        if c[:2] == top[:2] and divisions[c].level != "township"
    }
    for level in ("city", "province"):  # 吉林|吉林 is 吉林市, 北京|北京 北京市
        at = [c for c in found if divisions[c].level == level]
        if len(at) == 1:
            return at[0], True
        if at:
            return None, False
    if len(found) != 1:
        return None, False
    (county,) = found
    parent = divisions[county].parent
    if divisions[parent].level == "province":  # 仙桃市, 济源市: a city of its own
        return county, True
    return parent, False
