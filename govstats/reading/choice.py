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
    from govstats.checks.template import breaches_by_table

    return breaches_by_table(report)


def needs_another_reading(report: Report | None) -> bool:
    """Whether a reading leaves room for doubt: no report, a table missing, an
    undetermined cell, or a breach of the template arithmetic."""
    if report is None or not report.complete:
        return True
    if any(v.value is None and "undetermined" in v.source for v in report.values.values()):
        return True
    return bool(_breaches(report))


def _determined(report: Report, table: str) -> int:
    return sum(
        1
        for k, v in report.values.items()
        if k[0] == table and not (v.value is None and "undetermined" in v.source)
    )


def _pick(first: Report, second: Report, b1: dict[str, int], b2: dict[str, int], table: str) -> str:
    """How to read ``table``: ``"first"``, ``"second"`` or ``"merge"`` (see :func:`choose`)."""
    n1, n2 = _determined(first, table), _determined(second, table)
    has1 = any(k[0] == table for k in first.values)
    has2 = any(k[0] == table for k in second.values)
    if not has2:
        return "first"
    if not has1:
        return "second"
    ok1, ok2 = not b1.get(table), not b2.get(table)
    if ok1 and n1 >= n2:
        return "first"
    if ok2 and n2 >= n1 and not ok1:
        return "second"
    return "merge"


def choose(first: Report | None, second: Report | None) -> Report | None:
    """The readings combined table by table; ``first`` (the line reading) wins ties. Either
    may be None (that reading found nothing).

    A table goes to the reading that reads it without breaching the template arithmetic and
    determines at least as many cells as the other. Otherwise (both break it, or the one that
    does not determines fewer cells) the table is *merged*: the reading that determines more
    is kept, except that a cell both readings determine with different numbers is left NA
    with a warning, so that a reading which shifted values between rows or columns does not
    get through where the other reading contradicts it. A breach both readings share is the
    report's own and is flagged by :func:`govstats.check` as usual.
    """
    if first is None or second is None:
        return first or second
    b1, b2 = _breaches(first), _breaches(second)
    picks = {t: _pick(first, second, b1, b2, t) for t in schema.TABLES}
    if all(p == "first" for p in picks.values()):
        return first
    base, other = (
        (second, first)
        if sum(p == "second" for p in picks.values()) > sum(p == "first" for p in picks.values())
        or not first.values
        else (first, second)
    )
    values = dict(base.values)
    layouts = dict(base.layouts)
    warnings = list(base.warnings)
    missing = set(base.missing)
    for table, how in picks.items():
        source = first if how == "first" else second if how == "second" else None
        if source is None:  # merge
            keep, alt = (
                (first, second)
                if _determined(first, table) >= _determined(second, table)
                else (second, first)
            )
            source = keep
        if source is not base:
            for key in [k for k in values if k[0] == table]:
                del values[key]
            values.update({k: v for k, v in source.values.items() if k[0] == table})
            layouts.update({k: v for k, v in source.layouts.items() if k.split(".")[0] == table})
            missing.discard(table)
            if table in source.missing:
                missing.add(table)
            warnings = [
                w
                for w in warnings
                if not (_TABLE_NAMES[table] in w and ("not found" in w or "incomplete" in w))
            ]
            warnings += [w for w in source.warnings if w not in warnings]
            warnings.append(
                f"{base.name}: table {_TABLE_NAMES[table]} read by its labels in the text's "
                f"stream of characters ({source.format}): the line "
                "reading was incomplete or broke the template arithmetic"
            )
        if how == "merge":
            alt = second if source is first else first
            for key, value in list(values.items()):
                if key[0] != table or value.value is None:
                    continue
                theirs = alt.values.get(key)
                if (
                    theirs is not None
                    and theirs.value is not None
                    and abs(theirs.value - value.value) > 1e-9
                ):
                    values[key] = value._replace(
                        value=None,
                        source=(
                            f"{value.source} (readings disagree: {value.value:g} by the "
                            f"{source.format} reading, {theirs.value:g} "
                            f"by the {alt.format} reading)"
                        ),
                    )
                    warnings.append(
                        f"{base.name}: {value.label}: the {source.format} and {alt.format} "
                        f"readings give {value.value:g} and {theirs.value:g}; left NA"
                    )
    present = {k[0] for k in values}
    missing |= {t for t in schema.TABLES if t not in present}
    order = {
        k: n
        for n, k in enumerate(
            list(first.values) + [k for k in second.values if k not in first.values]
        )
    }
    ordered = {
        k: values[k]
        for k in sorted(values, key=lambda k: (schema.TABLES.index(k[0]), order.get(k, 0)))
    }
    return replace(
        base,
        values=ordered,
        layouts=layouts,
        missing=[t for t in schema.TABLES if t in missing],
        warnings=warnings,
    )
