"""The template's vocabulary as data: tables, row items, columns and their printed labels.

This is the one place that knows the official template (``../shared/template.md``) and the
canonical codes of ``../shared/schema.md``. Readers, checks, the store and the analysis all
speak these codes; nothing else hard-codes a label.

The tidy frame (one row per template cell) has the nine columns of :data:`TIDY_COLUMNS`
plus ``source`` (where in the file the value was read):

========== ======= ==============================================================
column     type    meaning
========== ======= ==============================================================
report_id  str     short hash of the source document's bytes
body       str     the reporting body as printed, e.g. 资阳市人民政府办公室
year       int     the year the report covers
template   str     "2019" or "2021" (follows table 1 as printed)
table      str     ``publication``, ``requests`` or ``review``
item       str     row code (below)
column     str     column code (below)
value      float   the number, NA where the cell is blank; money in 元
label      str     row and column labels exactly as this report printed them
source     str     where the value was read (line, table/row/cell, page)
========== ======= ==============================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import overload

import pandas as pd

TEMPLATES = ("2019", "2021")
TABLES = ("publication", "requests", "review")

TABLE_LABELS = {
    "publication": "二、主动公开政府信息情况",
    "requests": "三、收到和处理政府信息公开申请情况",
    "review": "四、政府信息公开行政复议、行政诉讼情况",
}

TIDY_COLUMNS = [
    "report_id",
    "body",
    "year",
    "template",
    "table",
    "item",
    "column",
    "value",
    "label",
]
TIDY_EXTRA_COLUMNS = ["source"]


@dataclass(frozen=True)
class Item:
    """One row of a template table: its code, the label the template prints, its group."""

    code: str
    label: str
    group: str | None = None  # printed group label, e.g. （三）不予公开 for withheld.*
    section: str | None = None  # publication only: 第二十条第（X）项


@dataclass(frozen=True)
class Column:
    code: str
    label: str
    group: str | None = None  # printed group label, e.g. 法人或其他组织, 行政复议


# ---------------------------------------------------------------------------------------
# Table 1: publication (第二十条). Columns differ per sub-table and per template version.

_PUB_2019_DOCS = (
    Column("made", "本年新制作数量"),
    Column("published", "本年新公开数量"),
    Column("total", "对外公开总数量"),
)
_PUB_2019_ITEMS3 = (
    Column("previous", "上一年项目数量"),
    Column("change", "本年增/减"),
    Column("decisions", "处理决定数量"),
)
_PUB_2021_DOCS = (
    Column("issued", "本年制发件数"),
    Column("repealed", "本年废止件数"),
    Column("in_force", "现行有效件数"),
)
_PUB_2021_DECISIONS = (Column("decisions", "本年处理决定数量"),)

#: publication items per template: item -> (Item, its columns)
PUBLICATION: dict[str, dict[str, tuple[Item, tuple[Column, ...]]]] = {
    "2019": {
        "rules": (Item("rules", "规章", section="第二十条第（一）项"), _PUB_2019_DOCS),
        "normative_docs": (
            Item("normative_docs", "规范性文件", section="第二十条第（一）项"),
            _PUB_2019_DOCS,
        ),
        "licensing": (
            Item("licensing", "行政许可", section="第二十条第（五）项"),
            _PUB_2019_ITEMS3,
        ),
        "other_services": (
            Item("other_services", "其他对外管理服务事项", section="第二十条第（五）项"),
            _PUB_2019_ITEMS3,
        ),
        "penalties": (
            Item("penalties", "行政处罚", section="第二十条第（六）项"),
            _PUB_2019_ITEMS3,
        ),
        "coercion": (Item("coercion", "行政强制", section="第二十条第（六）项"), _PUB_2019_ITEMS3),
        "fees": (
            Item("fees", "行政事业性收费", section="第二十条第（八）项"),
            (Column("previous", "上一年项目数量"), Column("change", "本年增/减")),
        ),
        "procurement": (
            Item("procurement", "政府集中采购", section="第二十条第（九）项"),
            (Column("projects", "采购项目数量"), Column("amount", "采购总金额")),
        ),
    },
    "2021": {
        "rules": (Item("rules", "规章", section="第二十条第（一）项"), _PUB_2021_DOCS),
        "normative_docs": (
            Item("normative_docs", "行政规范性文件", section="第二十条第（一）项"),
            _PUB_2021_DOCS,
        ),
        "licensing": (
            Item("licensing", "行政许可", section="第二十条第（五）项"),
            _PUB_2021_DECISIONS,
        ),
        "penalties": (
            Item("penalties", "行政处罚", section="第二十条第（六）项"),
            _PUB_2021_DECISIONS,
        ),
        "coercion": (
            Item("coercion", "行政强制", section="第二十条第（六）项"),
            _PUB_2021_DECISIONS,
        ),
        "fees": (
            Item("fees", "行政事业性收费", section="第二十条第（八）项"),
            (Column("amount", "本年收费金额（单位：万元）"),),
        ),
    },
}

#: (template, item, column) cells whose value is money, stored in 元.
MONEY_CELLS = {("2019", "procurement", "amount"), ("2021", "fees", "amount")}
#: the unit the template prints for a money cell when the report prints none (2021 fees: 万元).
MONEY_DEFAULT_UNIT = {("2019", "procurement", "amount"): "元", ("2021", "fees", "amount"): "万元"}
#: cells that may be negative (a signed change)
SIGNED_CELLS = {("publication", "change")}

# ---------------------------------------------------------------------------------------
# Table 2: requests (申请 × applicant type). Same columns in both versions.

REQUEST_COLUMNS: tuple[Column, ...] = (
    Column("natural_person", "自然人"),
    Column("commercial", "商业企业", group="法人或其他组织"),
    Column("research", "科研机构", group="法人或其他组织"),
    Column("social_org", "社会公益组织", group="法人或其他组织"),
    Column("legal_service", "法律服务机构", group="法人或其他组织"),
    Column("other_org", "其他", group="法人或其他组织"),
    Column("total", "总计"),
)
APPLICANT_COLUMNS = tuple(c.code for c in REQUEST_COLUMNS if c.code != "total")
LEGAL_PERSON_COLUMNS = tuple(c.code for c in REQUEST_COLUMNS if c.group == "法人或其他组织")
LEGAL_PERSON_LABEL = "法人或其他组织"
#: the aggregate column of a report that prints only 自然人 | 法人或其他组织 | 总计 (the five
#: legal-person parts are then NA); an addition to schema.md's columns.
LEGAL_PERSON_COLUMN = Column("legal_person", LEGAL_PERSON_LABEL)
#: every requests column code -> its printed label, the merged aggregate included
REQUEST_COLUMN_LABELS = {c.code: c.label for c in REQUEST_COLUMNS} | {
    "legal_person": LEGAL_PERSON_LABEL
}
#: the header band above table 2's columns and the 勾稽关系 note in its corner, as printed
APPLICANT_HEADER = "申请人情况"
REQUESTS_CORNER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
#: the printed header of table 1's first column
PUBLICATION_ROW_HEADER = "信息内容"

_W = "（三）不予公开"
_U = "（四）无法提供"
_N = "（五）不予处理"
_O = "（六）其他处理"
_R = "三、本年度办理结果"

_REQUEST_ITEMS_COMMON_HEAD = (
    Item("new", "一、本年新收政府信息公开申请数量"),
    Item("carried_over", "二、上年结转政府信息公开申请数量"),
    Item("granted", "（一）予以公开", group=_R),
    Item("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", group=_R),
    Item("withheld.state_secret", "1.属于国家秘密", group=_W),
    Item("withheld.prohibited", "2.其他法律行政法规禁止公开", group=_W),
    Item("withheld.security", "3.危及“三安全一稳定”", group=_W),
    Item("withheld.third_party", "4.保护第三方合法权益", group=_W),
    Item("withheld.internal", "5.属于三类内部事务信息", group=_W),
    Item("withheld.process", "6.属于四类过程性信息", group=_W),
    Item("withheld.enforcement_file", "7.属于行政执法案卷", group=_W),
    Item("withheld.query", "8.属于行政查询事项", group=_W),
    Item("unavailable.not_held", "1.本机关不掌握相关政府信息", group=_U),
    Item("unavailable.needs_creation", "2.没有现成信息需要另行制作", group=_U),
    Item("unavailable.unclear", "3.补正后申请内容仍不明确", group=_U),
    Item("not_processed.petition", "1.信访举报投诉类申请", group=_N),
    Item("not_processed.duplicate", "2.重复申请", group=_N),
    Item("not_processed.publication", "3.要求提供公开出版物", group=_N),
    Item("not_processed.excessive", "4.无正当理由大量反复申请", group=_N),
    Item("not_processed.confirmation", "5.要求行政机关确认或重新出具已获取信息", group=_N),
)
_REQUEST_ITEMS_COMMON_TAIL = (
    Item("total", "（七）总计", group=_R),
    Item("carried_forward", "四、结转下年度继续办理"),
)
OTHER_SINGLE = Item("other", _O, group=_R)
OTHER_SUBROWS = (
    Item(
        "other.no_correction",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        group=_O,
    ),
    Item(
        "other.no_fee",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        group=_O,
    ),
    Item("other.other", "3.其他", group=_O),
)

#: requests items per layout of （六）其他处理: "2019" single row, "2021" three sub-rows.
#: In the 2021 layout the derived ``other`` (sum of sub-rows) is also part of the tidy frame.
REQUEST_ITEMS: dict[str, tuple[Item, ...]] = {
    "2019": _REQUEST_ITEMS_COMMON_HEAD + (OTHER_SINGLE,) + _REQUEST_ITEMS_COMMON_TAIL,
    "2021": _REQUEST_ITEMS_COMMON_HEAD
    + OTHER_SUBROWS
    + (OTHER_SINGLE,)
    + _REQUEST_ITEMS_COMMON_TAIL,
}
#: the outcome rows whose sum is （七）总计, per layout (``other`` counted once).
OUTCOME_ITEMS: dict[str, tuple[str, ...]] = {
    layout: tuple(
        i.code
        for i in items
        if i.code not in ("new", "carried_over", "total", "carried_forward")
        and not (layout == "2021" and i.code == "other")
    )
    for layout, items in REQUEST_ITEMS.items()
}
OUTCOME_GROUPS = {
    "granted": "（一）予以公开",
    "partly_granted": "（二）部分公开",
    "withheld": _W,
    "unavailable": _U,
    "not_processed": _N,
    "other": _O,
}

# ---------------------------------------------------------------------------------------
# Table 3: review (行政复议、行政诉讼). One row of 15 cells, identical in both versions.

REVIEW_ITEMS: tuple[Item, ...] = (
    Item("admin_review", "行政复议"),
    Item("lawsuit_direct", "未经复议直接起诉", group="行政诉讼"),
    Item("lawsuit_after_review", "复议后起诉", group="行政诉讼"),
)
REVIEW_COLUMNS: tuple[Column, ...] = (
    Column("upheld", "结果维持"),
    Column("corrected", "结果纠正"),
    Column("other", "其他结果"),
    Column("pending", "尚未审结"),
    Column("total", "总计"),
)


def header_labels() -> frozenset[str]:
    """Every label the template prints in a table's header rows: 信息内容 and the column labels of
    table 二 (both versions), 申请人情况 and table 三's columns with their group 法人或其他组织,
    and table 四's branch labels (行政复议, 行政诉讼 and its two kinds), which head its columns,
    with its outcome columns. The readers use it to tell header words from row labels."""
    publication = {
        c.label for items in PUBLICATION.values() for _, columns in items.values() for c in columns
    }
    requests = {c.label for c in REQUEST_COLUMNS} | {c.group for c in REQUEST_COLUMNS if c.group}
    review = {i.label for i in REVIEW_ITEMS} | {i.group for i in REVIEW_ITEMS if i.group}
    review |= {c.label for c in REVIEW_COLUMNS}
    return frozenset({PUBLICATION_ROW_HEADER, APPLICANT_HEADER} | publication | requests | review)


@overload
def template_for_year(year: int) -> str: ...
@overload
def template_for_year(year: int | None) -> str | None: ...
def template_for_year(year: int | None) -> str | None:
    """The template a report for ``year`` should use: 2019 up to 2020, 2021 from 2021 on."""
    if year is None:
        return None
    return "2019" if year <= 2020 else "2021"


def cells(publication: str, requests: str) -> list[tuple[str, str, str]]:
    """Every (table, item, column) cell of a report, in template order.

    ``publication`` is the template version table 1 is printed in, ``requests`` the layout of
    table 2's （六）其他处理 ("2019": one row; "2021": three sub-rows plus their sum ``other``).
    """
    out: list[tuple[str, str, str]] = []
    for item, columns in PUBLICATION[publication].values():
        out += [("publication", item.code, c.code) for c in columns]
    for item in REQUEST_ITEMS[requests]:
        out += [("requests", item.code, c.code) for c in REQUEST_COLUMNS]
    for item in REVIEW_ITEMS:
        out += [("review", item.code, c.code) for c in REVIEW_COLUMNS]
    return out


def template_label(table: str, item: str, column: str, template: str = "2021") -> str:
    """The label the template prints for a cell, "row / column" (for display and ``label``)."""
    if table == "publication":
        entry = PUBLICATION[template].get(item) or PUBLICATION["2019"][item]
        col = next(c for c in entry[1] if c.code == column)
        return f"{entry[0].label} / {col.label}"
    if table == "requests":
        row = next(
            i for layout in ("2021", "2019") for i in REQUEST_ITEMS[layout] if i.code == item
        )
        return f"{row.label} / {REQUEST_COLUMN_LABELS[column]}"
    row = next(i for i in REVIEW_ITEMS if i.code == item)
    col = next(c for c in REVIEW_COLUMNS if c.code == column)
    return f"{row.label} / {col.label}"


def values_to_tidy(
    values: Mapping[str, Mapping[str, Mapping[str, float | None]]],
    *,
    report_id: str,
    body: str,
    year: int,
    template: str,
    labels: Mapping[tuple[str, str, str], str] | None = None,
    sources: Mapping[tuple[str, str, str], str] | None = None,
) -> pd.DataFrame:
    """Build the tidy frame from nested ``{table: {item: {column: value}}}`` (the truth-file shape).

    ``None`` becomes NA. Labels default to the template's own; sources default to "".
    Rows come in the order of ``values``.
    """
    rows = []
    for table, items in values.items():
        for item, cols in items.items():
            for column, value in cols.items():
                key = (table, item, column)
                rows.append(
                    (
                        report_id,
                        body,
                        year,
                        template,
                        table,
                        item,
                        column,
                        value,
                        (labels or {}).get(key) or template_label(table, item, column, template),
                        (sources or {}).get(key, ""),
                    )
                )
    return tidy_frame(rows)


def tidy_frame(rows: Iterable[tuple] | None = None) -> pd.DataFrame:
    """A tidy frame with the canonical columns and dtypes, from row tuples in column order."""
    frame = pd.DataFrame(list(rows or []), columns=TIDY_COLUMNS + TIDY_EXTRA_COLUMNS)
    frame = frame.astype(
        {
            "report_id": "string",
            "body": "string",
            "year": "Int64",
            "template": "string",
            "table": "string",
            "item": "string",
            "column": "string",
            "value": "Float64",
            "label": "string",
            "source": "string",
        }
    )
    return frame


def tidy_to_values(frame: pd.DataFrame) -> dict[str, dict[str, dict[str, float | None]]]:
    """The inverse of :func:`values_to_tidy` for one report: nested dict, NA as ``None``."""
    out: dict[str, dict[str, dict[str, float | None]]] = {}
    for table, item, column, value in frame[["table", "item", "column", "value"]].itertuples(
        index=False
    ):
        out.setdefault(table, {}).setdefault(item, {})[column] = (
            None if pd.isna(value) else float(value)
        )
    return out
