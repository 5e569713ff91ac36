"""Cell text → number: the one place that knows how reports print numbers.

Handles full-width digits (``１２３``), thousands separators (``1,234`` ``1，234``), units inside
cells (``12件`` ``251000元`` ``3.5万元``), signed changes (``-3`` ``+2`` ``减少3`` ``增加2``), and
the placeholders reports print for "nothing" (blank, ``—``, ``-``, ``/``, ``无``), which are NA, not
0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

#: texts that mean "no value printed" (the value is NA, the text is kept as printed)
PLACEHOLDERS = frozenset(
    {
        "",
        "—",
        "——",
        "-",
        "--",
        "－",
        "―",
        "─",
        "/",
        "／",
        "\\",
        "无",
        "空",
        "不适用",
        "/ /",
        "×",
        "x",
        "X",
        "*",
    }
)

#: money units → factor to 元
MONEY_UNITS = {
    "元": Decimal(1),
    "万元": Decimal(10_000),
    "亿元": Decimal(100_000_000),
    "千元": Decimal(1_000),
}
#: count units reports append to counts
COUNT_UNITS = ("件", "个", "项", "条", "次", "人", "家", "份", "宗", "起", "笔")

_NUMBER = re.compile(
    r"""^
    (?P<sign>[+\-−－]|增加|减少|增|减|新增|净增|净减)?\s*
    (?P<num>\d+(?:[.]\d+)?)\s*
    (?P<unit>万元|亿元|千元|元|[件个项条次人家份宗起笔])?
    $""",
    re.VERBOSE,
)
_SPLIT_DIGITS = re.compile(r"[+\-]?\s*\d[\d\s]*(?:\.\d+)?")
_SEPARATORS = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))")


@dataclass(frozen=True)
class Number:
    """A parsed cell: ``value`` (None for a placeholder), the ``unit`` printed in the cell, if
    any."""

    value: Decimal | None
    unit: str | None = None


def normalize_text(text: str) -> str:
    """Fold full-width ASCII (digits, letters, signs) to ASCII and strip; keeps CJK as is."""
    return unicodedata.normalize("NFKC", text).strip()


_DASHES = re.compile(r"[—－\-―─]+")


def is_placeholder(text: str) -> bool:
    """True for a cell that prints "nothing": blank or one of :data:`PLACEHOLDERS`."""
    if not text:
        return True
    t = normalize_text(text).replace(" ", "")
    return t in PLACEHOLDERS or bool(_DASHES.fullmatch(t))


@lru_cache(maxsize=65536)
def parse_number(text: str) -> Number | None:
    """Parse one cell's text.

    Returns ``Number(value, unit)``; ``value`` is None for a placeholder (NA). Returns ``None``
    when the text is not a number at all (a label, a sentence). Money units are reported in
    ``unit`` and not applied (see :func:`to_yuan`).
    """
    if is_placeholder(text):
        return Number(None)
    t = normalize_text(text)
    t = t.replace("−", "-")
    t = _SEPARATORS.sub("", t)
    # a number whose digits were split across markup: "2 0" in one cell is 20
    if _SPLIT_DIGITS.fullmatch(t):
        t = re.sub(r"\s+", "", t)
    m = _NUMBER.match(t)
    if not m:
        return None
    try:
        value = Decimal(m["num"])
    except InvalidOperation:  # pragma: no cover - the pattern only lets decimals through
        return None
    sign = m["sign"] or ""
    if sign in ("-", "−", "－", "减少", "减", "净减"):
        value = -value
    return Number(value, m["unit"])


def is_value_text(text: str) -> bool:
    """True if a cell holds a number or a placeholder (i.e. it is a value cell, not a label)."""
    return parse_number(text) is not None


def to_yuan(number: Number, default_unit: str = "元") -> Decimal | None:
    """The amount of a money cell in 元: the cell's own unit if printed, else ``default_unit``."""
    if number.value is None:
        return None
    unit = number.unit if number.unit in MONEY_UNITS else default_unit
    return number.value * MONEY_UNITS.get(unit, Decimal(1))


def unit_in_header(text: str) -> str | None:
    """The money unit a column header declares, e.g. 本年收费金额（单位：万元） → 万元."""
    m = re.search(r"(万元|亿元|千元|元)", normalize_text(text))
    return m.group(1) if m else None
