"""Recovering cell boundaries lost in copied text (``640020470`` = 64 | 0 | 0 | 2 | 0 | 4 | 70).

A digit run is split into the row's cells (no part has a leading zero unless it is ``0``).
The table's own arithmetic decides between the candidate splits: a row's 总计 is the sum of
its applicant cells, a review group's 总计 the sum of its four results, and across rows the
template's column relations (R1: 一 + 二 = （七） + 四; R3: （七） = the sum of the outcome
rows). A cell gets a value only when every split consistent with that arithmetic agrees on
it; otherwise it stays NA and the caller warns. When the published table itself breaks a
column relation (a real breach), the relations are relaxed step by step rather than forcing
a wrong split.
"""

from __future__ import annotations

from itertools import product
from typing import Iterator, Mapping, Sequence

from govstats import schema

#: a row constraint: (index of the total cell, indices of its parts)
Group = tuple[int, tuple[int, ...]]
#: a column relation: (rows on the left, rows on the right), checked per column
Relation = tuple[tuple[str, ...], tuple[str, ...]]

MAX_CANDIDATES = 20_000
MAX_SEARCH = 20_000


def splits(digits: str, n: int, groups: Sequence[Group] = ()) -> Iterator[tuple[int, ...]]:
    """Every split of ``digits`` into ``n`` integers satisfying ``groups``, in lexical order.

    A group's total cell, once its parts are chosen, is forced (it must print their sum), so
    only the parts are enumerated; a partial sum that no longer fits in the digits left for
    its total prunes the branch.
    """
    forced = {t: idx for t, idx in groups if all(i < t for i in idx)}
    pending = [(t, idx) for t, idx in groups if t not in forced]
    later_totals = {t: idx for t, idx in forced.items()}
    parts: list[int] = []

    def fits(pos: int) -> bool:
        k = len(parts)
        for t, idx in later_totals.items():
            if t < k:
                continue
            partial = sum(parts[i] for i in idx if i < k)
            cells_between = t - k  # cells still to fill before the total (exclusive)
            if len(digits) - pos - cells_between - (n - 1 - t) < len(str(partial)):
                return False
        return True

    def rec(pos: int) -> Iterator[tuple[int, ...]]:
        k = len(parts)
        if k == n:
            if pos == len(digits) and all(parts[t] == sum(parts[i] for i in idx) for t, idx in pending):
                yield tuple(parts)
            return
        remaining_cells = n - k
        if len(digits) - pos < remaining_cells:
            return
        if k in forced:
            need = str(sum(parts[i] for i in forced[k]))
            if digits.startswith(need, pos) and (k < n - 1 or pos + len(need) == len(digits)):
                parts.append(int(need))
                yield from rec(pos + len(need))
                parts.pop()
            return
        limit = len(digits) - pos - (remaining_cells - 1)
        for length in range(1, limit + 1):
            piece = digits[pos : pos + length]
            if length > 1 and piece[0] == "0":
                break
            parts.append(int(piece))
            if fits(pos + length):
                yield from rec(pos + length)
            parts.pop()

    yield from rec(0)


def _candidates(digits: str, n: int, groups: Sequence[Group]) -> list[tuple[int, ...]] | None:
    out = []
    for s in splits(digits, n, groups):
        out.append(s)
        if len(out) > MAX_CANDIDATES:
            return None
    return out


def _agree(solutions: Sequence[tuple[int, ...]], n: int) -> tuple[int | None, ...] | None:
    if not solutions:
        return None
    return tuple(solutions[0][i] if all(s[i] == solutions[0][i] for s in solutions) else None for i in range(n))


def split_row(digits: str, n: int, groups: Sequence[Group] = ()) -> tuple[int, ...] | None:
    """The split of one row when it is unique, else None."""
    found = _candidates(digits, n, groups)
    return found[0] if found and len(found) == 1 else None


def split_review(digits: str) -> tuple[int | None, ...] | None:
    """Table 四's 15 cells from one digit run; undetermined cells None; None if no split fits."""
    groups = [(g * 5 + 4, (g * 5, g * 5 + 1, g * 5 + 2, g * 5 + 3)) for g in range(3)]
    found = _candidates(digits, 15, groups)
    if not found:
        return None
    return _agree(found, 15)


def request_constraints(layout: str) -> list[list[Relation]]:
    """Column relations of table 三, strongest set first: [R1 + R3, R1 only, none]."""
    outcomes = schema.OUTCOME_ITEMS[layout]
    r1: Relation = (("new", "carried_over"), ("total", "carried_forward"))
    r3: Relation = (("total",), tuple(outcomes))
    return [[r1, r3], [r1], []]


def solve_table(
    runs: Mapping[str, str],
    known: Mapping[str, Sequence[object]],
    n: int,
    groups: Sequence[Group],
    relation_sets: Sequence[Sequence[Relation]],
) -> dict[str, tuple[int | None, ...]]:
    """Split several rows' digit runs jointly.

    ``runs``: row → digit run; ``known``: rows read normally (values, None for NA);
    ``groups``: per-row sum constraints; ``relation_sets``: column relations to try, strongest
    first. Returns row → values (None where undetermined); rows with no consistent split map
    to all None.
    """
    candidates: dict[str, list[tuple[int, ...]]] = {}
    for row, digits in runs.items():
        found = _candidates(digits, n, groups)
        candidates[row] = found if found is not None else []
    splittable = {row: c for row, c in candidates.items() if c}  # rows with no split stay NA
    for relations in relation_sets:
        solutions = _search(splittable, known, n, relations)
        if solutions:
            return {
                row: (_agree([s[row] for s in solutions], n) if row in splittable else None) or (None,) * n
                for row in runs
            }
    return {row: _agree(c, n) or (None,) * n for row, c in candidates.items()}


def _search(
    candidates: Mapping[str, list[tuple[int, ...]]],
    known: Mapping[str, Sequence[object]],
    n: int,
    relations: Sequence[Relation],
) -> list[dict[str, tuple[int, ...]]]:
    usable = [rel for rel in relations if all(x in candidates or x in known for x in rel[0] + rel[1])]
    candidates = _propagate(dict(candidates), known, n, usable)
    rows = sorted(candidates, key=lambda r: len(candidates[r]))
    size = 1
    for r in rows:
        size *= len(candidates[r])
        if size > MAX_SEARCH:
            return []
    solutions = []
    for combo in product(*(candidates[r] for r in rows)):
        chosen = dict(zip(rows, combo))
        if all(_holds(rel, chosen, known, n) for rel in usable):
            solutions.append(chosen)
    return solutions


def _propagate(
    candidates: dict[str, list[tuple[int, ...]]],
    known: Mapping[str, Sequence[object]],
    n: int,
    relations: Sequence[Relation],
) -> dict[str, list[tuple[int, ...]]]:
    """Narrow a row's candidates by each relation in which it is the only undecided row."""
    changed = True
    while changed:
        changed = False
        fixed = {r: c[0] for r, c in candidates.items() if len(c) == 1}
        for rel in relations:
            open_rows = [r for r in rel[0] + rel[1] if r in candidates and len(candidates[r]) > 1]
            if len(open_rows) != 1:
                continue
            row = open_rows[0]
            keep = [c for c in candidates[row] if _holds(rel, {**fixed, row: c}, known, n)]
            if keep and len(keep) < len(candidates[row]):  # none fits: a published breach, leave it
                candidates[row] = keep
                changed = True
    return candidates


def _holds(rel: Relation, chosen: Mapping[str, tuple[int, ...]], known: Mapping[str, Sequence[object]], n: int) -> bool:
    left, right = rel
    for col in range(n):
        values = []
        for side in (left, right):
            total = 0
            for row in side:
                v = chosen[row][col] if row in chosen else known[row][col]
                if v is None:
                    break
                total += v
            else:
                values.append(total)
                continue
            break
        if len(values) == 2 and values[0] != values[1]:
            return False
    return True
