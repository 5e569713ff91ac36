"""Numbers written the way a Chinese annual report prints them.

Counts as ``154件``, shares as ``12.5%``, money with its unit stated (``24252.31万元``), and
year-on-year sentences (``较上年增长12.5%``, ``较上年下降3.0%``, ``与上年持平``). A blank cell
(NA) is written ``未填报`` ("not reported"), never as 0.

Used by the briefing notebook (via :func:`govstats.analysis.headlines`) and by the batch
briefings; all functions are pure and return ``str``.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

#: how a blank (NA) value is written
NOT_REPORTED = "未填报"
#: how a ratio that cannot be computed (denominator 0 or blank) is written
NOT_COMPUTABLE = "无法计算"
#: units of ratios: their NA means "cannot be computed", not "left blank"
RATIO_UNITS = ("%", "件/百件")
#: money units and their size in 元
MONEY_UNITS = {"元": 1, "万元": 10_000, "亿元": 100_000_000}
#: units whose values are percentages (their changes are in percentage points)
PERCENT_UNITS = ("%",)


def is_missing(value: Any) -> bool:
    """True for None, NA, NaN and ±inf (nothing sensible to print)."""
    if value is None or value is pd.NA:
        return True
    try:
        return bool(pd.isna(value)) or math.isinf(float(value))
    except (TypeError, ValueError):
        return False


def _trim(number: float, digits: int) -> str:
    """``number`` with at most ``digits`` decimals, trailing zeros dropped (12.50 → 12.5)."""
    text = f"{number:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def fmt_count(value: Any, unit: str = "件") -> str:
    """A count as a report prints it: ``154件``; a non-integer keeps two decimals; NA → 未填报."""
    if is_missing(value):
        return NOT_REPORTED
    number = float(value)
    text = str(int(round(number))) if number == round(number) else _trim(number, 2)
    return f"{text}{unit}"


def fmt_percent(value: Any, digits: int = 1) -> str:
    """A percentage given in percent (12.345 → ``12.3%``); NA → 未填报."""
    if is_missing(value):
        return NOT_REPORTED
    return f"{float(value):.{digits}f}%"


def money_unit(yuan: Any) -> str:
    """The unit a report would choose for an amount in 元: 元 below 1万, 万元 below 1亿, else
    亿元."""
    if is_missing(yuan):
        return "元"
    size = abs(float(yuan))
    return "元" if size < 10_000 else "万元" if size < 100_000_000 else "亿元"


def fmt_money(yuan: Any, unit: str | None = None, digits: int = 2) -> str:
    """An amount held in 元, written in ``unit`` (元, 万元 or 亿元; chosen by size when None).

    ``fmt_money(242523110.82, "万元")`` → ``24252.31万元``; NA → 未填报.
    """
    if is_missing(yuan):
        return NOT_REPORTED
    unit = unit or money_unit(yuan)
    if unit not in MONEY_UNITS:
        raise ValueError(f"unknown money unit {unit!r}; expected one of {sorted(MONEY_UNITS)}")
    return f"{_trim(float(yuan) / MONEY_UNITS[unit], digits)}{unit}"


def fmt_money_row(values: Any, digits: int = 2) -> list[str]:
    """Several amounts in 元 written in one unit (chosen by the largest), as a table row reads best:
    ``[242523110.82, 91163600]`` → ``["24252.31万元", "9116.36万元"]``."""
    values = list(values)
    sizes = [abs(float(v)) for v in values if not is_missing(v)]
    unit = money_unit(max(sizes)) if sizes else "元"
    if unit == "亿元" and min(sizes) < 100_000_000:
        unit = "万元"  # a row mixing 亿 and 万 magnitudes reads best in 万元
    return [fmt_money(v, unit, digits) for v in values]


def fmt_value(value: Any, unit: str) -> str:
    """Format ``value`` according to its ``unit`` as used in analysis frames.

    ``%`` → percent; ``元`` → money (unit chosen by size); anything else → a count with that
    unit appended (件, 项, 个, 件/百件 …). A ratio (:data:`RATIO_UNITS`) that is NA was not
    computable (its denominator is 0 or blank) and is written :data:`NOT_COMPUTABLE`.
    """
    if unit in RATIO_UNITS and is_missing(value):
        return NOT_COMPUTABLE
    if unit in PERCENT_UNITS:
        return fmt_percent(value)
    if unit == "元":
        return fmt_money(value)
    return fmt_count(value, unit)


def fmt_change(current: Any, previous: Any, unit: str = "件", comparable: bool = True) -> str:
    """The year-on-year phrase: ``较上年增长12.5%`` / ``较上年下降3.0%`` / ``与上年持平``.

    For shares (unit ``%``) the change is given in percentage points (``较上年提高2.1个百分点``).
    When a change cannot be computed, says why: ``上年未填报``, ``上年为0`` (relative change
    undefined), ``因报告模板变更，与上年不可比``.
    """
    if not comparable:
        return "因报告模板变更，与上年不可比"
    if is_missing(current):
        return "本年无法计算" if unit in RATIO_UNITS else "本年未填报"
    if is_missing(previous):
        return "上年无可比数据"
    current, previous = float(current), float(previous)
    if unit in PERCENT_UNITS:
        points = current - previous
        if round(points, 1) == 0:
            return "与上年持平"
        verb = "提高" if points > 0 else "降低"
        return f"较上年{verb}{abs(points):.1f}个百分点"
    if current == previous:
        return "与上年持平"
    if previous == 0:
        change = "增加" if current > previous else "减少"
        return f"上年为0，本年{change}{fmt_value(abs(current - previous), unit)}"
    pct = (current - previous) / abs(previous) * 100
    verb = "增长" if pct > 0 else "下降"
    return f"较上年{verb}{abs(pct):.1f}%"


def fmt_change_cell(
    current: Any, previous: Any, unit: str = "件", comparable: bool | None = True
) -> str:
    """The year-on-year change as a table cell: ``增长12.5%``, ``下降3.0%``, ``提高2.1个百分点``,
    ``持平``, ``上年为0``; ``不可比（模板变更）`` when ``comparable`` is False (the measure changed
    or did not exist before the template change); ``—`` when either year has no figure or there
    is no previous year (``comparable`` None)."""
    if comparable is False:
        return "不可比（模板变更）"
    if comparable is None or is_missing(current) or is_missing(previous):
        return "—"
    if float(previous) == 0 and float(current) != 0 and unit not in PERCENT_UNITS:
        return "上年为0"
    text = fmt_change(current, previous, unit)
    return "持平" if text == "与上年持平" else text.removeprefix("较上年")


def sentence(
    label: str,
    current: Any,
    previous: Any = None,
    unit: str = "件",
    comparable: bool = True,
    with_change: bool = True,
) -> str:
    """One headline sentence: ``本年新收申请154件，较上年增长108.1%。``

    ``label`` is the subject (e.g. ``本年新收申请``); ``unit`` as in :func:`fmt_value`.
    With ``with_change=False`` (no previous year known) only the figure is stated.
    """
    text = f"{label}{fmt_value(current, unit)}"
    if with_change and not is_missing(current):
        text += f"，{fmt_change(current, previous, unit, comparable)}"
    return text + "。"
