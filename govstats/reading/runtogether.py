"""Recovering cell boundaries lost in copied text (``640020470`` = 64 | 0 | 0 | 2 | 0 | 4 | 70).

A digit run is split into the row's cells (no part has a leading zero unless it is ``0``).
The table's own arithmetic decides between the candidate splits: a row's 总计 is the sum of
its applicant cells, a review group's 总计 the sum of its four results, and across rows the
template's column relations (R1: 一 + 二 = （七） + 四; R3: （七） = the sum of the outcome
rows). A cell gets a value only when every split consistent with that arithmetic agrees on
it; otherwise it stays NA and the caller warns. When the published table itself breaks a
column relation (a real breach), the relations are relaxed step by step rather than forcing
a wrong split.

A run may also hold *marks* (:func:`is_marked_run`): a placeholder (``无``, ``—``, ``/``,
``-``) inside a run is a cell boundary and that cell is NA (``5无989`` = 5 | 无 | 989); a
minus sign (``-``, ``－``, ``减少``) starts a negative cell, allowed only in the columns the
caller says are signed (table 1's 本年增/减). An ASCII or full-width hyphen can be either, so
both readings are candidates. In candidate splits a placeholder cell is the printed
placeholder (a ``str``), a number an ``int``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from itertools import product

from govstats import schema

#: a row constraint: (index of the total cell, indices of its parts)
Group = tuple[int, tuple[int, ...]]
#: a column relation: (rows on the left, rows on the right), checked per column
Relation = tuple[tuple[str, ...], tuple[str, ...]]
#: rows read normally: row → its cell values (None for NA, a str for a placeholder)
Known = Mapping[str, Sequence[Decimal | int | str | None]]

#: more candidate splits of one digit run than this: the run is left undetermined
MAX_CANDIDATES = 20_000
#: combinations of rows' candidates tried by :func:`solve_table`
MAX_SEARCH = 20_000
#: cells tried while splitting one digit run (about a tenth of a second); beyond, the run is
#: left undetermined, so a long run (a mangled file) cannot make the reader hang
MAX_STEPS = 200_000


#: one token of a marked run: a digit string, a minus-or-placeholder hyphen, a minus word,
#: or a placeholder
_TOKEN = re.compile(r"(?P<digits>\d+)|(?P<hyphen>[-－])|(?P<minus>减少|−)|(?P<na>[—―─]+|[/／]|无)")
#: a whole marked run: digits and marks only, at least one digit and one mark
_MARKED = re.compile(r"(?:\d|[-－—―─/／无−]|减少)+")


def is_marked_run(text: str) -> bool:
    """True for a run of digits holding placeholders or minus signs (``5无989``, ``25-244``)."""
    text = text.replace(" ", "")
    return (
        bool(_MARKED.fullmatch(text)) and any(c.isdecimal() for c in text) and not text.isdecimal()
    )


def _tokens(run: str) -> list[tuple[str, str]]:
    run = "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in run.replace(" ", ""))
    return [(m.lastgroup or "", m.group()) for m in _TOKEN.finditer(run)]


def _marked_candidates(
    run: str, n: int, groups: Sequence[Group], signed: frozenset[int]
) -> list[tuple] | None:
    """Every split of a marked run into ``n`` cells satisfying ``groups``; None when there are
    too many.

    Blank cells print nothing, so in run-together text they vanish from the run: a split
    may also place a blank cell (``""``) anywhere no printed token stands (``20-2`` for
    上一年 | 本年增/减 | 处理决定 is 20 | - | 2 or 20 | -2 | blank, so only 20 is certain).
    """
    tokens = _tokens(run)
    out: list[tuple] = []
    cells: list = []
    steps = 0

    def rec(t: int, off: int, k: int, negative: bool) -> None:
        """Cells ``k ..`` from token ``t`` (from its character ``off``); ``negative``: a
        minus sign was just read."""
        nonlocal steps
        steps += 1
        if steps > MAX_STEPS:
            raise _TooMany
        if k < n and not negative and (not cells or cells[-1] != ""):
            # vanished blank cells here (a run of them placed in one go: each split found once)
            for blanks in range(1, n - k + 1):
                cells.extend([""] * blanks)
                printed(t, off, k + blanks, False)
                del cells[len(cells) - blanks :]
        printed(t, off, k, negative)

    def printed(t: int, off: int, k: int, negative: bool) -> None:
        """The next cell is the next printed token (or the split ends here)."""
        if t == len(tokens):
            if k == n and not negative:
                out.append(tuple(cells))
                if len(out) > MAX_CANDIDATES:
                    raise _TooMany
            return
        if k == n:
            return
        kind, text = tokens[t]
        if kind == "digits":
            if negative and k not in signed:
                return
            rest = text[off:]
            for length in range(1, len(rest) + 1):
                if length > 1 and rest[0] == "0":
                    break
                cells.append(-int(rest[:length]) if negative else int(rest[:length]))
                if off + length < len(text):
                    rec(t, off + length, k + 1, False)
                else:
                    rec(t + 1, 0, k + 1, False)
                cells.pop()
            return
        if negative:  # a sign must be followed by digits
            return
        if kind in ("hyphen", "minus"):
            printed(t + 1, 0, k, True)
        if kind in ("hyphen", "na"):
            cells.append(text)
            rec(t + 1, 0, k + 1, False)
            cells.pop()

    try:
        rec(0, 0, 0, False)
    except _TooMany:
        return None
    return [c for c in out if all(_group_holds(c, total, idx) for total, idx in groups)]


def _group_holds(cells: Sequence, total: int, parts: Sequence[int]) -> bool:
    """A total equals the sum of its parts, placeholder and blank cells counting 0 (blank
    cells vanish from a run, so without that a wrong split with a blank would fit)."""

    def value(v: object) -> int:
        return v if isinstance(v, int) else 0

    return value(cells[total]) == sum(value(cells[i]) for i in parts)


def run_candidates(
    run: str, n: int, groups: Sequence[Group] = (), signed: frozenset[int] = frozenset()
) -> list[tuple] | None:
    """Every split of a run (plain digits or marked) into ``n`` cells satisfying ``groups``;
    ``signed``: the cell indices that may be negative. None when there are too many."""
    if is_marked_run(run):
        return _marked_candidates(run, n, groups, signed)
    return _candidates(run.replace(" ", ""), n, groups)


def agreed_split(
    run: str, n: int, groups: Sequence[Group] = (), signed: frozenset[int] = frozenset()
) -> tuple | None:
    """The cells every split of ``run`` agrees on (None where they differ); None if no split
    fits."""
    found = run_candidates(run, n, groups, signed)
    return _agree(found, n) if found else None


class _TooMany(Exception):
    """The search for splits went past MAX_CANDIDATES or MAX_STEPS."""


def splits(digits: str, n: int, groups: Sequence[Group] = ()) -> Iterator[tuple[int, ...]]:
    """Every split of ``digits`` into ``n`` integers satisfying ``groups``.

    Raises :class:`ValueError` when there are more than :data:`MAX_CANDIDATES` of them or
    the search takes more than :data:`MAX_STEPS` steps.
    """
    found = _candidates(digits, n, groups)
    if found is None:
        raise ValueError(f"too many ways to split {digits!r} into {n} cells")
    yield from found


def _candidates(digits: str, n: int, groups: Sequence[Group]) -> list[tuple[int, ...]] | None:
    """Every split of ``digits`` into ``n`` integers satisfying ``groups``; None when there
    are more than :data:`MAX_CANDIDATES` or the search takes more than :data:`MAX_STEPS`.

    A group's total cell, once its parts are chosen, is forced (it must print their sum), so
    only the parts are enumerated; a partial sum that no longer fits in the digits left for
    its total prunes the branch. When the last cell is the total of all the others it is
    chosen first (it is a suffix of the run): then the parts must add up to a known number,
    which bounds each of them and forces the last one.
    """
    if not digits.isascii():  # full-width (any decimal) digits: compared as ASCII, zeros included
        if not digits.isdecimal():
            return []
        digits = "".join(str(unicodedata.decimal(c)) for c in digits)
    if n < 1 or len(digits) < n:
        return []
    forced = {t: tuple(idx) for t, idx in groups if all(i < t for i in idx)}
    pending = [(t, tuple(idx)) for t, idx in groups if t not in forced]
    out: list[tuple[int, ...]] = []
    steps = 0
    parts = [0] * n

    def search(end: int, last: int, target: int | None, target_parts: tuple[int, ...]) -> None:
        """Split ``digits[:end]`` into cells ``0 .. last-1``; with ``target``, the cells in
        ``target_parts`` must add up to it (the last of them is forced)."""
        final_part = max(target_parts) if target_parts else -1
        later = {t: idx for t, idx in forced.items() if t < last}

        def fits(k: int, pos: int) -> bool:
            for t, idx in later.items():
                if t < k:
                    continue
                partial = sum(parts[i] for i in idx if i < k)
                if end - pos - (t - k) - (last - 1 - t) < len(str(partial)):
                    return False
            return True

        def rec(k: int, pos: int, partial: int) -> None:
            nonlocal steps
            steps += 1
            if steps > MAX_STEPS:
                raise _TooMany
            if k == last:
                if pos == end and all(parts[t] == sum(parts[i] for i in idx) for t, idx in pending):
                    out.append(tuple(parts))
                    if len(out) > MAX_CANDIDATES:
                        raise _TooMany
                return
            if end - pos < last - k:
                return
            need = None
            if k in later:
                need = sum(parts[i] for i in later[k])
            if k == final_part:
                assert target is not None  # target_parts come with their target
                rest = target - partial
                if rest < 0 or (need is not None and need != rest):
                    return
                need = rest
            if need is not None:
                text = str(need)
                if digits.startswith(text, pos) and (k < last - 1 or pos + len(text) == end):
                    parts[k] = need
                    if fits(k + 1, pos + len(text)):
                        rec(
                            k + 1, pos + len(text), partial + need if k in target_parts else partial
                        )
                return
            limit = end - pos - (last - k - 1)
            bound = None
            if target is not None and k in target_parts:
                bound = target - partial
                limit = min(limit, len(str(target)))
            for length in range(1, limit + 1):
                piece = digits[pos : pos + length]
                if length > 1 and piece[0] == "0":
                    break
                value = int(piece)
                if bound is not None and value > bound:
                    break
                parts[k] = value
                if fits(k + 1, pos + length):
                    rec(k + 1, pos + length, partial + value if k in target_parts else partial)

        rec(0, 0, 0)

    try:
        if (
            set(forced.get(n - 1, ())) == set(range(n - 1)) and n > 1
        ):  # the last cell totals all others:
            # try each suffix for it (a table-三 row); with other groups before it this would
            # repeat their search for every suffix
            for length in range(1, len(digits) - n + 2):
                tail = digits[len(digits) - length :]
                if length > 1 and tail[0] == "0":
                    continue
                parts[n - 1] = int(tail)
                search(len(digits) - length, n - 1, parts[n - 1], forced[n - 1])
        else:
            search(len(digits), n, None, ())
    except _TooMany:
        return None
    return out


def _agree(solutions: Sequence[tuple[int, ...]], n: int) -> tuple[int | None, ...] | None:
    if not solutions:
        return None
    return tuple(
        solutions[0][i] if all(s[i] == solutions[0][i] for s in solutions) else None
        for i in range(n)
    )


def split_row(digits: str, n: int, groups: Sequence[Group] = ()) -> tuple[int, ...] | None:
    """The split of one row when it is unique, else None."""
    found = _candidates(digits, n, groups)
    return found[0] if found and len(found) == 1 else None


def split_review(digits: str) -> tuple[int | str | None, ...] | None:
    """Table 四's 15 cells from one run (digits, or marked); undetermined cells None, a
    placeholder cell its printed text; None if no split fits."""
    groups = [(g * 5 + 4, (g * 5, g * 5 + 1, g * 5 + 2, g * 5 + 3)) for g in range(3)]
    found = run_candidates(digits, 15, groups)
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
    known: Known,
    n: int,
    groups: Sequence[Group],
    relation_sets: Sequence[Sequence[Relation]],
) -> dict[str, tuple[int | None, ...]]:
    """Split several rows' digit runs jointly.

    ``runs``: row → digit run (or marked run); ``known``: rows read normally (values, None for NA);
    ``groups``: per-row sum constraints; ``relation_sets``: column relations to try, strongest
    first. Returns row → values (None where undetermined); rows with no consistent split map
    to all None.
    """
    candidates: dict[str, list[tuple[int, ...]]] = {}
    for row, digits in runs.items():
        found = run_candidates(digits, n, groups)
        candidates[row] = found if found is not None else []
    splittable = {row: c for row, c in candidates.items() if c}  # rows with no split stay NA
    for relations in relation_sets:
        solutions = _search(splittable, known, n, relations)
        if solutions:
            return {
                row: (_agree([s[row] for s in solutions], n) if row in splittable else None)
                or (None,) * n
                for row in runs
            }
    return {row: _agree(c, n) or (None,) * n for row, c in candidates.items()}


def _search(
    candidates: Mapping[str, list[tuple[int, ...]]],
    known: Known,
    n: int,
    relations: Sequence[Relation],
) -> list[dict[str, tuple[int, ...]]]:
    usable = [
        rel for rel in relations if all(x in candidates or x in known for x in rel[0] + rel[1])
    ]
    candidates = _propagate(dict(candidates), known, n, usable)
    rows = sorted(candidates, key=lambda r: len(candidates[r]))
    size = 1
    for r in rows:
        size *= len(candidates[r])
        if size > MAX_SEARCH:
            return []
    solutions = []
    for combo in product(*(candidates[r] for r in rows)):
        chosen = dict(zip(rows, combo, strict=True))
        if all(_holds(rel, chosen, known, n) for rel in usable):
            solutions.append(chosen)
    return solutions


def _propagate(
    candidates: dict[str, list[tuple[int, ...]]],
    known: Known,
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
                if len(keep) == 1:  # decided now: the next relations see it (not a stale ``fixed``)
                    fixed[row] = keep[0]
                changed = True
    return candidates


def _holds(
    rel: Relation,
    chosen: Mapping[str, tuple[int, ...]],
    known: Known,
    n: int,
) -> bool:
    left, right = rel
    for col in range(n):
        values = []
        for side in (left, right):
            total: Decimal | int = 0
            for row in side:
                v = chosen[row][col] if row in chosen else known[row][col]
                if v is None or isinstance(v, str):  # NA (a placeholder in a marked run)
                    break
                total += v
            else:
                values.append(total)
                continue
            break
        if len(values) == 2 and values[0] != values[1]:
            return False
    return True
