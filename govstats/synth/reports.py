"""Generated bodies and their reports: the numbers, consistent by construction, and the
irregularities real reports have (planted breaches, blanks, label variants, units, merged columns).

Numbers follow the template's arithmetic (勾稽关系) exactly, per report and across years:

* requests, per applicant column: ``new + carried_over == total + carried_forward`` (R1); the
  ``total`` column is the sum of the six applicant columns on every row (R2); ``total`` is the
  sum of the outcome rows (R3); ``carried_over`` of year Y is ``carried_forward`` of Y−1.
* review: every item's ``total`` is the sum of its four outcome cells (R6, R7).
* publication (2021 template): ``in_force`` (Y) = ``in_force`` (Y−1) + ``issued`` − ``repealed``;
  (2019 template): ``previous`` (Y+1) = ``previous`` (Y) + ``change`` (Y).

A planted breach breaks one rule of the catalogue (:mod:`govstats.checks.rules`) and is recorded
in ``GeneratedReport.breaches`` with the rule code and the places a check must report. Money is
in 元 in ``values``, printed in 万元 where the template says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from govstats import schema
from govstats.checks.rules import REVIEW_RULES, RULES, of_kind

if TYPE_CHECKING:
    from govstats.synth.narrative import Form as NarrativeForm

Key = tuple[str, str, str]
Values = dict[str, dict[str, dict[str, float | None]]]

#: the second line of every rendered report (a reader may keep it; a person cannot miss it)
SYNTHETIC_NOTICE = "【示例】本报告由 govstats 生成，为虚构的合成示例数据，不是任何机关的真实报告。"
#: every generated body name contains this marker
SYNTHETIC_MARKER = "示例"
#: generated region codes are 6 digits starting with one of these (unused by GB/T 2260)
SYNTHETIC_REGION_PREFIXES = tuple(str(p) for p in range(90, 100))

LEVELS = ("province", "city", "county", "department")
#: the typical number of new requests a year (median) per level
_LEVEL_SCALE = {"province": 1500.0, "city": 250.0, "county": 40.0, "department": 6.0}

# place-name syllables for fictional names (index → name is a bijection, so names are unique)
_SYLLABLES = (
    "青山河口东湖西岭南川北原白沙红石金塘玉泉松林柳岸桃源梅溪竹园兰亭石门云台凤凰龙潭"
    "清水平阳安宁永丰长乐富春宝华明月星海临江望海双桥三元五福新城古镇"
)
_DEPARTMENTS = (
    "发展和改革局",
    "教育局",
    "公安局",
    "财政局",
    "自然资源和规划局",
    "生态环境局",
    "住房和城乡建设局",
    "交通运输局",
    "卫生健康委员会",
    "市场监督管理局",
    "统计局",
    "司法局",
    "民政局",
    "人力资源和社会保障局",
    "农业农村局",
    "应急管理局",
)


def _syllable(n: int) -> str:
    """A two-character place name for ``n`` (cycles through the syllable pairs)."""
    pairs = len(_SYLLABLES) // 2
    k = n % pairs
    return _SYLLABLES[2 * k : 2 * k + 2]


def _place_name(n: int) -> str:
    """A unique fictional place name for every ``n >= 0`` (2, 4, 6… characters)."""
    pairs = len(_SYLLABLES) // 2
    parts = [_syllable(n)]
    n //= pairs
    while n:
        n -= 1
        parts.append(_syllable(n))
        n //= pairs
    return "".join(parts)


# ---------------------------------------------------------------------------------------------
# Bodies


@dataclass(frozen=True)
class SyntheticBody:
    """A fictional reporting body.

    ``scale`` is the body's typical number of new requests a year (its size); ``region_code``
    a 6-digit code in the fictional range 90xxxx–99xxxx; ``slug`` an ASCII identifier.
    """

    index: int
    name: str
    level: str
    region_code: str
    region_name: str
    slug: str
    scale: float


#: bodies come in groups of this many per fictional city: the city government (every 50th
#: group: a province government instead), its general office, 8 departments, 10 counties
GROUP_SIZE = 20


def make_body(index: int, seed: int = 0) -> SyntheticBody:
    """The ``index``-th fictional body of generator ``seed`` (independent of how many are made).

    Consecutive bodies form regions as real ones do: group ``index // GROUP_SIZE`` is one
    fictional city (region code ``9PCC00``) with its government, general office, departments
    (same code) and counties (``9PCCKK``); every 50th group's first body is a province
    government (``9P0000``). Codes repeat after 9,900 groups (198,000 bodies); names never do.
    """
    rng = np.random.default_rng([seed, index, 1])
    group, pos = divmod(index, GROUP_SIZE)
    pcode = SYNTHETIC_REGION_PREFIXES[(group // 99) % 10]
    city_code = f"{pcode}{group % 99 + 1:02d}00"
    city = f"示例{_place_name(group)}市"
    if pos == 0 and group % 50 == 0:
        province = f"示例{_place_name(group)}省"
        level, name, region, code = "province", f"{province}人民政府", province, f"{pcode}0000"
    elif pos <= 1:
        office = "人民政府" if pos == 0 else "人民政府办公室"
        level, name, region, code = "city", f"{city}{office}", city, city_code
    elif pos < 10:
        dept = _DEPARTMENTS[(pos - 2 + group) % len(_DEPARTMENTS)]
        level, name, region, code = "department", f"{city}{dept}", city, city_code
    else:
        kind = "区" if rng.random() < 0.5 else "县"
        region = f"{city}示例{_place_name(index)}{kind}"
        level, name, code = "county", f"{region}人民政府", f"{city_code[:4]}{pos - 9:02d}"
    # sizes are log-normal around the level's median; a third of small bodies are near idle
    scale = float(_LEVEL_SCALE[level] * rng.lognormal(0.0, 0.8))
    if level in ("county", "department") and rng.random() < 0.35:
        scale *= 0.05
    return SyntheticBody(
        index=index,
        name=name,
        level=level,
        region_code=code,
        region_name=region,
        slug=f"synthetic-{seed}-{index:06d}",
        scale=scale,
    )


# ---------------------------------------------------------------------------------------------
# Reports


@dataclass(frozen=True)
class PlantedBreach:
    """A deliberate breach of the template arithmetic in a generated report.

    ``rule`` is one of :data:`BREACH_RULES` (a code of the catalogue, :mod:`govstats.checks.rules`);
    ``table`` the table; ``where`` the places a check must report, each a ``(rule, place)`` pair
    where place is the column code for a rule checked per column (R1, R3) and the item code for
    one checked per row (R2, R6, R7); ``cells`` the cells altered and ``delta`` by how much.
    """

    rule: str
    table: str
    where: tuple[tuple[str, str], ...]
    cells: tuple[Key, ...]
    delta: int


#: the rules a breach can be planted for: the catalogue's per-column and per-row breach rules
BREACH_RULES = tuple(r.code for r in of_kind("breach") if r.per in ("column", "item"))


@dataclass
class GeneratedReport:
    """One generated report: what to print and what a reader must return.

    ``values`` is the truth in the nested ``{table: {item: {column: value}}}`` shape of the
    corpus truth files (money in 元, ``None`` for a blank cell; 2021 layout carries ``other``
    as the sum of its sub-rows). ``printed`` holds each cell's text as printed, ``row_labels``
    the row labels printed where they differ from the template's. With
    ``merged_legal_person`` the five legal-person columns are printed as one; their values
    are ``None`` and ``legal_person`` holds the printed aggregate per request item.
    """

    body: SyntheticBody
    year: int
    template: str
    layouts: dict[str, str]
    values: Values
    printed: dict[Key, str] = field(default_factory=dict)
    row_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    column_labels: dict[tuple[str, str], str] = field(default_factory=dict)
    breaches: list[PlantedBreach] = field(default_factory=list)
    merged_legal_person: bool = False
    legal_person: dict[str, float | None] = field(default_factory=dict)
    synthetic: bool = True
    #: section code → sentences (govstats.synth.narrative.narrate); None: the short sample text
    narrative: dict | None = None
    #: the planted finding "problems section largely copied from last year"
    narrative_copied: bool | None = None
    #: how the narrative is printed (govstats.synth.narrative.Form); None: the template's
    narrative_form: NarrativeForm | None = None

    @property
    def name(self) -> str:
        """A file-name stem, e.g. ``synthetic-7-000012_2023``."""
        return f"{self.body.slug}_{self.year}"

    def value(self, table: str, item: str, column: str) -> float | None:
        return self.values.get(table, {}).get(item, {}).get(column)

    def cells(self) -> list[Key]:
        """The report's template cells in template order."""
        return schema.cells(self.layouts["publication"], self.layouts["requests"])

    def tidy(self, report_id: str | None = None):
        """The expected tidy frame (schema.md columns + ``source`` left empty)."""
        return schema.values_to_tidy(
            self.values,
            report_id=report_id or self.name,
            body=self.body.name,
            year=self.year,
            template=self.template,
        )

    def __repr__(self) -> str:
        return (
            f"<GeneratedReport {self.body.name} {self.year} template={self.template} "
            f"breaches={[b.rule for b in self.breaches]} merged={self.merged_legal_person}>"
        )


@dataclass(frozen=True)
class Options:
    """What real-world irregularities to put into generated reports (rates are per report).

    ``breach_rate``: share of reports with one planted breach (rule chosen among ``breach_rules``);
    ``blank_rate``: share of zero cells printed blank (NA); ``variant_rate``: share of labels
    printed in a variant form; ``unit_rate``: share of numeric cells printed with a unit or in
    another digit style; ``merged_rate``: share of reports printing 法人或其他组织 as one column;
    ``old_table1_rate``: share of 2021+ reports still printing the 2019 table 1.
    """

    breach_rate: float = 0.0
    breach_rules: tuple[str, ...] = BREACH_RULES
    blank_rate: float = 0.0
    variant_rate: float = 0.0
    unit_rate: float = 0.0
    merged_rate: float = 0.0
    old_table1_rate: float = 0.0


PLAIN = Options()


def generate(
    n_bodies: int,
    years: Iterable[int] = range(2019, 2026),
    seed: int = 0,
    options: Options = PLAIN,
    *,
    first_body: int = 0,
) -> Iterator[GeneratedReport]:
    """Yield reports for ``n_bodies`` fictional bodies × ``years`` (body by body, years in order).

    Deterministic: the same ``seed`` gives the same reports, and body ``i`` is the same whatever
    ``n_bodies`` is (bodies are generated from ``(seed, i)``), so a run can be split into chunks
    with ``first_body``. The template follows the year (``schema.template_for_year``). Numbers
    chain across the given years (carried-over, documents in force, item counts). A generator:
    100,000 reports are never all in memory.
    """
    years = sorted(years)
    for index in range(first_body, first_body + n_bodies):
        body = make_body(index, seed)
        rng = np.random.default_rng([seed, index, 2])
        state: dict = {}
        for year in years:
            yield _report_for_year(body, year, rng, state, options)


def generate_one(
    seed: int = 0, year: int = 2023, options: Options = PLAIN, *, index: int = 0
) -> GeneratedReport:
    """One report (body ``index`` of ``seed``, one year): handy in tests and examples."""
    return next(generate(1, [year], seed, options, first_body=index))


def _poisson(rng: np.random.Generator, lam: float) -> int:
    return int(rng.poisson(max(lam, 0.0)))


def _report_for_year(
    body: SyntheticBody, year: int, rng: np.random.Generator, state: dict, options: Options
) -> GeneratedReport:
    template = schema.template_for_year(year)
    growth = 1.0 + 0.08 * (year - 2019)
    lam = body.scale * growth * rng.lognormal(0.0, 0.25)
    pub_layout = template
    if template == "2021" and rng.random() < options.old_table1_rate:
        pub_layout = "2019"
    layouts = {"publication": pub_layout, "requests": template, "review": "2019"}
    values: Values = {
        "publication": _publication(body, pub_layout, lam, rng, state),
        "requests": _requests(template, lam, rng, state),
        "review": _review(lam, rng),
    }
    report = GeneratedReport(
        body=body, year=year, template=pub_layout, layouts=layouts, values=values
    )
    report.printed = {key: _print_number(report, key) for key in report.cells()}
    if options.breach_rate and rng.random() < options.breach_rate:
        _plant_breach(report, rng, options.breach_rules)
    if options.merged_rate and rng.random() < options.merged_rate:
        _merge_legal_person(report)
    if options.blank_rate:
        _blank_zeros(report, rng, options.blank_rate)
    if options.unit_rate:
        _restyle_numbers(report, rng, options.unit_rate)
    if options.variant_rate:
        _vary_labels(report, rng, options.variant_rate)
    return report


def _publication(
    body: SyntheticBody, layout: str, lam: float, rng: np.random.Generator, state: dict
):
    """Table 1 for one year; ``state`` carries stocks between years."""
    makes_rules = body.level in ("province", "city")
    docs_rate = {"province": 30.0, "city": 15.0, "county": 6.0, "department": 1.5}[body.level]
    out: dict[str, dict[str, float]] = {}
    for item, rate in (("rules", 3.0 if makes_rules else 0.0), ("normative_docs", docs_rate)):
        made = _poisson(rng, rate)
        stock = state.get(("in_force", item))
        if stock is None:
            stock = _poisson(rng, rate * 8)
        if layout == "2019":
            published = made if rng.random() < 0.8 else int(rng.integers(0, made + 1))
            total = state.get(("published_total", item), stock) + published
            state[("published_total", item)] = total
            state[("in_force", item)] = total
            out[item] = {"made": made, "published": published, "total": total}
        else:
            repealed = int(rng.integers(0, stock // 5 + 2)) if rng.random() < 0.3 and stock else 0
            repealed = min(repealed, stock)
            in_force = stock + made - repealed
            state[("in_force", item)] = in_force
            out[item] = {"issued": made, "repealed": repealed, "in_force": in_force}
    decisions_rate = {"province": 4000.0, "city": 1500.0, "county": 400.0, "department": 60.0}[
        body.level
    ]
    item_codes = (
        ("licensing", "other_services", "penalties", "coercion")
        if layout == "2019"
        else ("licensing", "penalties", "coercion")
    )
    for item in item_codes:
        share = {"licensing": 1.0, "other_services": 0.3, "penalties": 0.4, "coercion": 0.05}[item]
        decisions = (
            _poisson(rng, decisions_rate * share * rng.lognormal(0, 0.5))
            if rng.random() < 0.8
            else 0
        )
        if layout == "2019":
            previous = state.get(("items", item))
            if previous is None:
                previous = _poisson(rng, 20 * share)
            change = int(rng.integers(-min(previous, 5), 6))
            state[("items", item)] = previous + change
            out[item] = {"previous": previous, "change": change, "decisions": decisions}
        else:
            out[item] = {"decisions": decisions}
    if layout == "2019":
        previous = state.get(("items", "fees"))
        if previous is None:
            previous = _poisson(rng, 3)
        change = int(rng.integers(-min(previous, 2), 3))
        state[("items", "fees")] = previous + change
        out["fees"] = {"previous": previous, "change": change}
        projects = _poisson(rng, 5) if rng.random() < 0.4 else 0
        # amounts in 元, whole hundreds so that any printing in 万元 is exact with 2 decimals
        amount = float(projects * int(rng.integers(50, 5000)) * 100) if projects else 0.0
        out["procurement"] = {"projects": projects, "amount": amount}
    else:
        # 万元 with 2 decimals (as printed), stored in 元
        top = {"province": 50_000_000, "city": 5_000_000, "county": 500_000, "department": 50_000}[
            body.level
        ]
        cents = int(rng.integers(0, top)) if rng.random() < 0.5 else 0
        out["fees"] = {"amount": float(cents * 100)}
    return {k: {c: float(v) for c, v in cols.items()} for k, cols in out.items()}


_APPLICANT_WEIGHTS = np.array([0.86, 0.07, 0.01, 0.01, 0.03, 0.02])
_OUTCOME_WEIGHTS = {
    "granted": 0.38,
    "partly_granted": 0.10,
    "withheld.state_secret": 0.002,
    "withheld.prohibited": 0.004,
    "withheld.security": 0.004,
    "withheld.third_party": 0.01,
    "withheld.internal": 0.01,
    "withheld.process": 0.015,
    "withheld.enforcement_file": 0.005,
    "withheld.query": 0.01,
    "unavailable.not_held": 0.25,
    "unavailable.needs_creation": 0.03,
    "unavailable.unclear": 0.02,
    "not_processed.petition": 0.03,
    "not_processed.duplicate": 0.02,
    "not_processed.publication": 0.005,
    "not_processed.excessive": 0.005,
    "not_processed.confirmation": 0.005,
    "other": 0.04,
    "other.no_correction": 0.025,
    "other.no_fee": 0.003,
    "other.other": 0.012,
}


def _requests(layout: str, lam: float, rng: np.random.Generator, state: dict):
    """Table 2 for one year: consistent by construction (R1, R2, R3; carried-over chains)."""
    applicants = schema.APPLICANT_COLUMNS
    new_total = 0 if rng.random() < min(0.6, 2.0 / (1.0 + lam)) else _poisson(rng, lam)
    new = rng.multinomial(new_total, _APPLICANT_WEIGHTS)
    carried_over = state.get("carried_forward")
    if carried_over is None:
        carried_over = rng.binomial(new, 0.04)
    handled = new + carried_over
    carried_forward = rng.binomial(handled, 0.05 if rng.random() < 0.5 else 0.0)
    done = handled - carried_forward
    state["carried_forward"] = carried_forward
    outcomes = schema.OUTCOME_ITEMS[layout]
    weights = np.array([_OUTCOME_WEIGHTS[o] for o in outcomes])
    weights = weights / weights.sum()
    by_outcome = np.stack(
        [rng.multinomial(int(n), weights) for n in done], axis=1
    )  # outcome × applicant
    rows: dict[str, np.ndarray] = {"new": new, "carried_over": carried_over}
    rows.update({o: by_outcome[i] for i, o in enumerate(outcomes)})
    rows["total"] = done
    rows["carried_forward"] = carried_forward
    out = {}
    for item in schema.REQUEST_ITEMS[layout]:
        if item.code == "other" and layout == "2021":
            continue
        cols = {c: float(v) for c, v in zip(applicants, rows[item.code], strict=True)}
        cols["total"] = float(sum(rows[item.code]))
        out[item.code] = cols
    if layout == "2021":
        _derive_other(out)
    return out


def _derive_other(requests: dict) -> None:
    """2021 layout: ``other`` = sum of its three sub-rows (NA only when all three are NA)."""
    subs = [requests[i.code] for i in schema.OTHER_SUBROWS]
    other = {}
    for column in (c.code for c in schema.REQUEST_COLUMNS):
        parts = [s[column] for s in subs if s[column] is not None]
        other[column] = float(sum(parts)) if parts else None
    requests["other"] = other


def _review(lam: float, rng: np.random.Generator):
    out = {}
    for item, share in (
        ("admin_review", 0.03),
        ("lawsuit_direct", 0.012),
        ("lawsuit_after_review", 0.006),
    ):
        n = _poisson(rng, lam * share)
        parts = rng.multinomial(n, [0.7, 0.1, 0.12, 0.08])
        cols = {
            c: float(v)
            for c, v in zip(("upheld", "corrected", "other", "pending"), parts, strict=True)
        }
        cols["total"] = float(n)
        out[item] = cols
    return out


# ---------------------------------------------------------------------------------------------
# Printing numbers, irregularities


def _is_money(report: GeneratedReport, key: Key) -> bool:
    return (report.layouts["publication"], key[1], key[2]) in schema.MONEY_CELLS and key[
        0
    ] == "publication"


def _print_number(report: GeneratedReport, key: Key) -> str:
    value = report.value(*key)
    if value is None:
        return ""
    if _is_money(report, key) and (report.layouts["publication"], key[1], key[2]) == (
        "2021",
        "fees",
        "amount",
    ):
        return f"{value / 10000:.2f}"  # the template prints 万元
    return str(int(value)) if float(value).is_integer() else repr(value)


def _plant_breach(report: GeneratedReport, rng: np.random.Generator, rules: Sequence[str]) -> None:
    """Alter cells so that exactly the rule instances in the recorded breach fail."""
    # the review rules (R6, R7) are one move (one group total raised; the rule is the group's),
    # drawn as one so that a seed gives the same reports whatever the codes
    moves = list(dict.fromkeys("review" if RULES[r].table == "review" else r for r in rules))
    rule = str(rng.choice(moves))
    delta = int(rng.integers(1, 6))
    req = report.values["requests"]
    if rule == "review":
        item = str(
            rng.choice([i.code for i in schema.REVIEW_ITEMS if REVIEW_RULES[i.code] in rules])
        )
        rule = REVIEW_RULES[item]
        cells: tuple[Key, ...] = (("review", item, "total"),)
        where: tuple[tuple[str, str], ...] = ((rule, item),)
    elif rule == "R2":
        # the total column of carried_over and carried_forward both up: R1 (total column) holds
        cells = (("requests", "carried_over", "total"), ("requests", "carried_forward", "total"))
        where = (("R2", "carried_over"), ("R2", "carried_forward"))
    else:
        column = str(rng.choice(schema.APPLICANT_COLUMNS))
        if rule == "R1":
            # carried_forward up in one column and in the total column: rows still add up (R2)
            cells = (
                ("requests", "carried_forward", column),
                ("requests", "carried_forward", "total"),
            )
        else:  # R3: （七）总计 and 四、结转 moved in opposite directions, R1 and R2 hold
            cells = (
                ("requests", "total", column),
                ("requests", "total", "total"),
                ("requests", "carried_forward", column),
                ("requests", "carried_forward", "total"),
            )
        where = ((rule, column), (rule, "total"))
    signs = [1] * len(cells)
    if rule == "R3":
        # move cases from 四、结转 to （七）总计 (or back), never printing a negative number
        carried = _unblanked(req["carried_forward"][column])
        total = _unblanked(req["total"][column])
        if carried >= 1:
            delta, signs = min(delta, int(carried)), [1, 1, -1, -1]
        elif total >= 1:
            delta, signs = min(delta, int(total)), [-1, -1, 1, 1]
        else:  # nothing to move in this column: break the balance instead
            rule, cells, signs = "R1", cells[2:], [1, 1]
            where = (("R1", column), ("R1", "total"))
    for (table, item, column_), sign in zip(cells, signs, strict=True):
        report.values[table][item][column_] = (
            _unblanked(report.values[table][item][column_]) + sign * delta
        )
        report.printed[(table, item, column_)] = _print_number(report, (table, item, column_))
    report.breaches.append(
        PlantedBreach(rule=rule, table=cells[0][0], where=where, cells=cells, delta=delta)
    )


def _unblanked(value: float | None) -> float:
    # breaches are planted on a freshly generated report, before any cell is blanked or merged
    assert value is not None, "a breach is planted before cells are blanked"
    return value


def _merge_legal_person(report: GeneratedReport) -> None:
    """Print only 自然人 | 法人或其他组织 | 总计: the five parts become NA, their sum is kept."""
    report.merged_legal_person = True
    report.breaches = [
        PlantedBreach(
            b.rule,
            b.table,
            tuple(
                dict.fromkeys(
                    (rule, "legal_person" if place in schema.LEGAL_PERSON_COLUMNS else place)
                    for rule, place in b.where
                )
            ),
            b.cells,
            b.delta,
        )
        for b in report.breaches
    ]
    for item, cols in report.values["requests"].items():
        parts = [cols[c] for c in schema.LEGAL_PERSON_COLUMNS]
        report.legal_person[item] = (
            None if all(p is None for p in parts) else float(sum(p for p in parts if p is not None))
        )
        for c in schema.LEGAL_PERSON_COLUMNS:
            cols[c] = None
            report.printed.pop(("requests", item, c), None)


_BLANKS = ("", "—", "-", "/", "无", "　")


def _blank_zeros(report: GeneratedReport, rng: np.random.Generator, rate: float) -> None:
    """Print some zero cells blank (or as a placeholder): their value becomes NA.

    Only zeros, so arithmetic read with blank = 0 still holds; never a cell a planted breach
    altered. Table 2 blanks come in whole rows of an applicant column below the first two rows,
    like reports that leave unused columns empty.
    """
    for key in report.cells():
        table, item, column = key
        if (
            key not in report.printed
            or (table == "requests" and item == "other")
            or _in_breach(report, key)
        ):
            continue
        if report.value(*key) == 0 and rng.random() < rate:
            report.values[table][item][column] = None
            report.printed[key] = str(rng.choice(_BLANKS))
    if report.layouts["requests"] == "2021":
        _derive_other(report.values["requests"])


def _in_breach(report: GeneratedReport, key: Key) -> bool:
    """Whether ``key`` takes part in a planted breach's rule instances (kept printed, so the
    breach is found whatever a check makes of blanks)."""
    table, item, column = key
    for breach in report.breaches:
        if table != breach.table:
            continue
        for rule, place in breach.where:
            per = RULES[rule].per
            if per == "column" and column == place:
                return True
            if per == "item" and item == place:
                return True
    return False


_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


def _restyle_numbers(report: GeneratedReport, rng: np.random.Generator, rate: float) -> None:
    """Units inside cells (``12件``, ``3.50万元``, ``251000元``), full-width digits, ``1,234``."""
    pub = report.layouts["publication"]
    for key, text in list(report.printed.items()):
        value = report.value(*key)
        if value is None or rng.random() >= rate:
            continue
        table, item, column = key
        if (pub, item, column) == ("2021", "fees", "amount") and table == "publication":
            report.printed[key] = f"{text}万元"
        elif (pub, item, column) == ("2019", "procurement", "amount") and table == "publication":
            report.printed[key] = (
                f"{value / 10000:.2f}万元" if rng.random() < 0.5 else f"{int(value)}元"
            )
        elif value < 0:
            report.printed[key] = f"减少{int(-value)}"
        else:
            style = rng.integers(3)
            if style == 0:
                report.printed[key] = f"{text}件"
            elif style == 1:
                report.printed[key] = text.translate(_FULLWIDTH)
            elif value >= 1000 and "." not in text:
                report.printed[key] = f"{int(value):,}"


#: printed variants of row labels (template.md §6), by (table, item)
ROW_LABEL_VARIANTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("requests", "new"): ("本年新收政府信息公开申请数量", "一、本年新收"),
    ("requests", "carried_over"): ("二、上年结转",),
    ("requests", "carried_forward"): ("四、结转下年度继续办理", "四、结转下年度"),
    ("requests", "partly_granted"): ("（二）部分公开（区分处理）", "（二）部分公开"),
    ("requests", "withheld.state_secret"): ("1、属于国家秘密", "属于国家秘密"),
    ("requests", "withheld.prohibited"): ("2、其他法律行政法规禁止公开",),
    ("requests", "withheld.security"): ('3.危及"三安全一稳定"', "3、危及“三安全一稳定”"),
    ("requests", "withheld.third_party"): ("4、保护第三方合法权益",),
    ("requests", "unavailable.not_held"): (
        "1、本机关不掌握相关政府信息",
        "本机关不掌握相关政府信息",
    ),
    ("requests", "not_processed.duplicate"): ("2、重复申请",),
    ("requests", "total"): ("（七）总 计", "(七)总计"),
    ("requests", "granted"): ("(一)予以公开",),
}
#: printed variants of group labels (the merged left cells) of table 2
GROUP_LABEL_VARIANTS = {
    "（三）不予公开": ("（三）不予 公开", "(三)不予公开"),
    "（四）无法提供": ("（四）无法 提供",),
    "（五）不予处理": ("（五）不予 处理",),
}
COLUMN_LABEL_VARIANTS = {("requests", "total"): ("总 计",), ("review", "total"): ("总 计",)}


def _vary_labels(report: GeneratedReport, rng: np.random.Generator, rate: float) -> None:
    for key, options in ROW_LABEL_VARIANTS.items():
        if rng.random() < rate:
            report.row_labels[key] = str(rng.choice(list(options)))
    for label, options in GROUP_LABEL_VARIANTS.items():
        if rng.random() < rate:
            report.row_labels[("group", label)] = str(rng.choice(list(options)))
    for key, options in COLUMN_LABEL_VARIANTS.items():
        if rng.random() < rate:
            report.column_labels[key] = str(rng.choice(list(options)))
