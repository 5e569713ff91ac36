"""Choosing between readings of one report: every reading is checked before it is accepted.

A text whose line structure is absent or inconsistent can be read two ways: by its lines
(:mod:`govstats.reading.text`) and by the template's label sequence in its stream of
characters (:mod:`govstats.reading.stream`). :func:`needs_another_reading` says when the line
reading is in doubt (a table missing or cut off, a breach of the template arithmetic, cells
left undetermined); :func:`choose` then keeps, table by table, the reading the arithmetic
accepts: a table read without breach beats one with a breach, and among equals the one with
more determined cells; a tie keeps the line reading. A breach that survives every reading is
the report's own and stays (``govstats.check`` flags it); a table no reading reads
consistently keeps what its best reading determined, with that reading's warnings.
"""

from __future__ import annotations

from dataclasses import replace

from govstats import schema
from govstats.report import Report

#: what the extract step calls each table in its warnings
_TABLE_NAMES = {
    "publication": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review": "四、政府信息公开行政复议、行政诉讼情况",
}


def _breaches(report: Report) -> dict[str, int]:
    from govstats.checks import check

    findings = check(report)
    findings = findings[findings["kind"] == "breach"]
    return findings["table"].value_counts().to_dict()


def needs_another_reading(report: Report | None) -> bool:
    """Whether a reading leaves room for doubt: no report, a table missing, an
    undetermined cell, or a breach of the template arithmetic."""
    if report is None or not report.complete:
        return True
    if any(v.value is None and "undetermined" in v.source for v in report.values.values()):
        return True
    return bool(_breaches(report))


def _score(report: Report, breaches: dict[str, int], table: str) -> tuple[int, int, int]:
    cells = [v for k, v in report.values.items() if k[0] == table]
    if not cells:
        return (0, 0, 0)
    determined = sum(1 for v in cells if v.value is not None or "undetermined" not in v.source)
    return (1, -breaches.get(table, 0), determined)


def choose(first: Report | None, second: Report | None) -> Report | None:
    """The readings combined table by table (see the module docstring); ``first`` (the line
    reading) wins ties. Either may be None (that reading found nothing)."""
    if first is None or second is None:
        return first or second
    b1, b2 = _breaches(first), _breaches(second)
    pick = {t: (second if _score(second, b2, t) > _score(first, b1, t) else first) for t in schema.TABLES}
    if all(r is first for r in pick.values()):
        return first
    if all(r is second for r in pick.values() if r is not None) and all(
        _score(first, b1, t)[0] == 0 or pick[t] is second for t in schema.TABLES
    ):
        base, other = second, first
    else:
        base, other = first, second
    values = {}
    layouts = dict(base.layouts)
    taken = [t for t in schema.TABLES if pick[t] is other and _score(other, b1 if other is first else b2, t)[0]]
    for key, value in base.values.items():
        if key[0] not in taken:
            values[key] = value
    for key, value in other.values.items():
        if key[0] in taken:
            values[key] = value
    for t in taken:
        for k, v in other.layouts.items():
            if k.split(".")[0] == t:
                layouts[k] = v
    present = {k[0] for k in values}
    missing = [t for t in schema.TABLES if t not in present or (t in (base.missing if t not in taken else other.missing))]
    stale = tuple(f"table {_TABLE_NAMES[t]} " for t in taken)
    warnings = [w for w in base.warnings if not any(s in w and ("not found" in w or "incomplete" in w) for s in stale)]
    for t in taken:
        warnings.append(f"{base.name}: table {_TABLE_NAMES[t]} read by its labels in the text's stream of characters ({other.format}); the line reading was incomplete or broke the template arithmetic")
    warnings += [w for w in other.warnings if w not in warnings and any(_mentions(w, t) for t in taken)]
    ordered = {k: values[k] for k in sorted(values, key=lambda k: schema.TABLES.index(k[0]))}
    return replace(base, values=ordered, layouts=layouts, missing=missing, warnings=warnings)


def _mentions(warning: str, table: str) -> bool:
    return _TABLE_NAMES[table] in warning or "row " in warning
