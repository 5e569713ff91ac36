"""Rich notebook display: a Report as the published tables, check findings and tidy frames readably.

:func:`report_html` lays a :class:`~govstats.report.Report` out the way the template prints its
three statistical tables (二、主动公开 with its 第二十条 sub-tables; 三、申请 with the three-row
applicant header and the hierarchical row labels; 四、复议/诉讼 with its two header bands), in
the version each table was read as (``Report.layouts``). Blank cells show a muted "—" (a 0 shows
as 0); cells involved in a breach of the template arithmetic (``govstats.check``) are
highlighted with the rule in their tooltip; every value's tooltip gives the label and text as
printed and the place it was read (line / cell / page). Warnings show as notices.

The HTML is self-contained: inline ``style=`` attributes only (no ``<style>`` block, no
script), so it renders the same in JupyterLab, in nbconvert's HTML and offline. Every text
that comes from a report is escaped.

``Report._repr_html_`` delegates here; :func:`findings_table` and :func:`tidy_table` give
check results and tidy frames as pandas Stylers.
"""

from __future__ import annotations

import html
import math
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from govstats import schema
from govstats.checks.template import check, finding_cells

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

    from govstats.report import Key, Report

# ---------------------------------------------------------------------------------------
# Inline styles (one place; no <style> block so sanitising front ends keep them).

_FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
_BOX = (
    f"font-family:{_FONT};font-size:13px;line-height:1.45;colo"
    "r:#1f2328;background:#fff;padding:8px 10px;max-width:100%"
)
_TABLE = "border-collapse:collapse;margin:4px 0 14px 0;font-size:12.5px;table-layout:auto"
_TH = (
    "border:1px solid #8c959f;background:#eef1f4;color:#1f2328;padding:3px "
    "6px;font-weight:600;text-align:center;vertical-align:middle;white-space:nowrap"
)
_TH_ROW = (
    "border:1px solid #8c959f;background:#f6f8fa;color:#1f2328;padding:3px "
    "6px;font-weight:normal;text-align:left;vertical-align:middle"
)
_TH_SECTION = (
    "border:1px solid #8c959f;background:#dde3ea;color:#1"
    "f2328;padding:3px 6px;font-weight:600;text-align:left"
)
_TH_NOTE = (
    "border:1px solid #8c959f;background:#f6f8fa;color:#57606a;padding:3px "
    "6px;font-weight:normal;font-size:11px;text-align:left;max-width:16em"
)
_TD = (
    "border:1px solid #8c959f;padding:3px 6px;text-align:right;font-var"
    "iant-numeric:tabular-nums;color:#1f2328;background:#fff;cursor:help"
)
_TD_BLANK = _TD + ";color:#8c959f;background:#fafbfc;text-align:center"
_TD_ABSENT = _TD + (
    ";color:#b0b7be;background:repeating-linear-gradient(45deg,#fff,#fff "
    "4px,#f1f3f5 4px,#f1f3f5 8px);text-align:center"
)
_TD_BREACH = (
    ";background:#ffe3e3;outline:2px solid "
    "#d1242f;outline-offset:-2px;color:#82071e;font-weight:600"
)
_NOTICE = (
    "border-left:4px solid #bf8700;background:#fff8c5;color:#3b2300;padding:4px 8px;margin:3px 0"
)
_ALERT = (
    "border-left:4px solid #d1242f;background:#ffebe9;color:#82071e;padding:4px 8px;margin:3px 0"
)
_OK = "border-left:4px solid #1a7f37;background:#dafbe1;color:#0f3d1c;padding:4px 8px;margin:3px 0"
_H = "margin:12px 0 4px 0;font-size:14px;font-weight:600"
_META = "border-collapse:collapse;font-size:12.5px;margin:2px 0 8px 0"
_META_TH = (
    "text-align:left;padding:1px 10px 1px "
    "0;color:#57606a;font-weight:normal;border:none;background:none"
)
_META_TD = "text-align:left;padding:1px 0;border:none;background:none"
_LEGEND = "font-size:11.5px;color:#57606a;margin:2px 0 6px 0"

#: the column code the reader gives a printed 法人或其他组织 aggregate (only 自然人 | 法人或其他组织
#: | 总计)
MERGED_LEGAL_PERSON = "legal_person"
#: text of a blank cell (a muted dash; the printed text, if any, is in the tooltip)
BLANK_MARK = "—"
#: text of a cell the report does not have at all (table missing, or not in its layout)
ABSENT_MARK = "·"


def _e(text: Any) -> str:
    """Escape anything for HTML text and attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


def _attrs(**attrs: Any) -> str:
    out = []
    for name, value in attrs.items():
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")
        out.append(f' {name}="{_e(value)}"')
    return "".join(out)


def _th(text: str, style: str = _TH, **attrs: Any) -> str:
    return f"<th{_attrs(style=style, **attrs)}>{_e(text)}</th>"


# ---------------------------------------------------------------------------------------
# Numbers


def format_value(value: float | None, *, money: bool = False) -> str:
    """A cell value as shown: integers without decimals, thousands separators, money in 元.

    ``None``/NA gives :data:`BLANK_MARK`. Money (stored in 元) gets the unit appended so a
    2021 fee amount is not misread against the header's 万元.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return BLANK_MARK
    number = float(value)
    text = f"{number:,.0f}" if number.is_integer() else f"{number:,.2f}".rstrip("0").rstrip(".")
    return f"{text} 元" if money else text


# ---------------------------------------------------------------------------------------
# Findings (breaches) → the cells they involve


def _finding_keys(cells: Any) -> set[Key]:
    """The report cells a finding names: ``govstats.check``'s ``"table/item/column; …"`` text,
    or an iterable of (table, item, column) tuples."""
    if cells is None or cells is pd.NA or (isinstance(cells, float) and math.isnan(cells)):
        return set()
    if isinstance(cells, str):
        keys: Iterable = finding_cells(cells)
    elif isinstance(cells, tuple) and len(cells) == 3 and all(isinstance(p, str) for p in cells):
        keys = [cells]
    else:
        keys = cells
    return {(str(key[0]), str(key[1]), str(key[2])) for key in keys if len(key) == 3}


def breaches_by_cell(report: Report, findings: pd.DataFrame | None) -> dict[Key, list[str]]:
    """Map each cell involved in a breach to the readable rule texts that involve it.

    ``findings`` is a frame from ``govstats.check`` (rows of kind ``breach`` are used; kind
    ``narrative`` findings concern the text, not cells).
    """
    out: dict[Key, list[str]] = defaultdict(list)
    if findings is None or len(findings) == 0:
        return out
    for row in findings.to_dict("records"):
        if str(row.get("kind", "breach")) != "breach":
            continue
        text = _finding_text(row)
        for key in _finding_keys(row.get("cells")):
            out[key].append(text)
    return out


def _finding_text(row: Mapping[Hashable, Any]) -> str:
    parts = [str(row.get("rule") or "").strip()]
    message = row.get("message")
    if (
        message is not None
        and not (isinstance(message, float) and math.isnan(message))
        and str(message).strip()
    ):
        parts.append(str(message).strip())
    else:
        parts.append(f"应为 {row.get('expected')}，实为 {row.get('found')}")
    return "：".join(p for p in parts if p)


def _run_checks(report: Report) -> pd.DataFrame:
    """``govstats.check(report)``."""
    return check(report)


# ---------------------------------------------------------------------------------------
# Cells


class _CellRenderer:
    """Renders one report's cells; records which keys it drew (the rest go to 其他读取值)."""

    def __init__(self, report: Report, breaches: Mapping[Key, list[str]]):
        self.report = report
        self.breaches = breaches
        self.drawn: set[Key] = set()

    def td(self, key: Key, *, colspan: int = 1, present: bool = True) -> str:
        self.drawn.add(key)
        table, item, column = key
        template = self.report.layouts.get(table) or self.report.template or "2021"
        money = (template, item, column) in schema.MONEY_CELLS
        value = self.report.values.get(key)
        colspan_attr = colspan if colspan > 1 else None
        tip = [schema_label(key, template)]
        if value is None:
            tip.append("本报告未读取此格" if present else "本表缺失")
            attrs = _attrs(
                style=_TD_ABSENT,
                colspan=colspan_attr,
                title=chr(10).join(tip),
                data_cell="/".join(key),
            )
            return f"<td{attrs}>{ABSENT_MARK}</td>"
        if value.label and value.label != tip[0]:
            tip.append(f"印刷标签：{value.label}")
        printed = value.printed if value.printed is not None else ""
        if value.value is None:
            style = _TD_BLANK
            text = BLANK_MARK
            tip.append(f"空白（印刷为：“{printed}”）" if printed.strip() else "空白（未填写）")
            cls = "gs-blank"
        else:
            style = _TD
            text = format_value(value.value, money=money)
            tip.append(f"印刷为：{printed}")
            cls = "gs-value"
        if value.source:
            tip.append(f"来源：{value.source}")
        rules = self.breaches.get(key)
        if rules:
            style += _TD_BREACH
            cls += " gs-breach"
            tip += [f"⚠ 违反勾稽关系 {r}" for r in rules]
            text = f"{text} ⚠"
        attrs = _attrs(
            class_=cls,
            style=style,
            colspan=colspan_attr,
            title=chr(10).join(tip),
            data_cell="/".join(key),
        )
        return f"<td{attrs}>{_e(text)}</td>"


def schema_label(key: Key, template: str) -> str:
    """The template's own "row / column" label of a cell, or the codes when unknown."""
    try:
        return schema.template_label(*key, template=template)
    except (KeyError, StopIteration):
        return "/".join(key)


# ---------------------------------------------------------------------------------------
# The three tables


def _publication_html(r: _CellRenderer, version: str) -> str:
    entries = schema.PUBLICATION.get(version)
    if entries is None:
        return _notice(f"未知的表一版本：{version}")
    present = "publication" not in r.report.missing
    width = max(len(cols) for _, cols in entries.values())
    rows: list[str] = []
    last_section = None
    for item, columns in entries.values():
        if item.section != last_section:
            last_section = item.section
            rows.append(f"<tr>{_th(item.section or '', _TH_SECTION, colspan=width + 1)}</tr>")
            header = [_th(schema.PUBLICATION_ROW_HEADER)]
            for n, col in enumerate(columns):
                span = width - len(columns) + 1 if n == len(columns) - 1 else 1
                header.append(_th(col.label, colspan=span if span > 1 else None))
            rows.append(f"<tr>{''.join(header)}</tr>")
        cells = [_th(item.label, _TH_ROW)]
        for n, col in enumerate(columns):
            span = width - len(columns) + 1 if n == len(columns) - 1 else 1
            cells.append(r.td(("publication", item.code, col.code), colspan=span, present=present))
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return _table("publication", rows)


def _requests_html(r: _CellRenderer, layout: str) -> str:
    items = schema.REQUEST_ITEMS.get(layout)
    if items is None:
        return _notice(f"未知的表二版式：{layout}")
    present = "requests" not in r.report.missing
    cols = schema.REQUEST_COLUMNS
    legal = [c for c in cols if c.group == schema.LEGAL_PERSON_LABEL]
    if any(k[0] == "requests" and k[2] == MERGED_LEGAL_PERSON for k in r.report.values):
        # printed as 自然人 | 法人或其他组织 | 总计: show it so; the five parts were not printed
        r.drawn |= {("requests", i.code, c.code) for i in items for c in legal}
        cols = (cols[0], schema.Column(MERGED_LEGAL_PERSON, schema.LEGAL_PERSON_LABEL), cols[-1])
        header = [
            f"<tr>{_th(schema.REQUESTS_CORNER_NOTE, _TH_NOTE, colspan=3, rowspan=2)}"
            f"{_th(schema.APPLICANT_HEADER, colspan=len(cols))}</tr>",
            "<tr>" + "".join(_th(c.label) for c in cols) + "</tr>",
        ]
    else:
        header = [
            f"<tr>{_th(schema.REQUESTS_CORNER_NOTE, _TH_NOTE, colspan=3, rowspan=3)}"
            f"{_th(schema.APPLICANT_HEADER, colspan=len(cols))}</tr>",
            "<tr>"
            + "".join(
                _th(c.label, rowspan=2)
                if c.group is None
                else (_th(c.group, colspan=len(legal)) if c is legal[0] else "")
                for c in cols
            )
            + "</tr>",
            "<tr>" + "".join(_th(c.label) for c in legal) + "</tr>",
        ]
    # 2021: ``other`` is derived from its sub-rows; the template prints no row for it (its sum
    # is named in the tooltip of the （六） group label instead).
    shown = [i for i in items if not (layout == "2021" and i.code == "other")]
    derived_other = {}
    if layout == "2021":
        for c in cols:
            r.drawn.add(("requests", "other", c.code))
            v = r.report.values.get(("requests", "other", c.code))
            derived_other[c.label] = format_value(None if v is None else v.value)
    result_group = next(i.group for i in shown if i.code == "granted")
    assert result_group is not None  # the template puts 'granted' in the outcome group
    outcome = [i for i in shown if i.group is not None]
    group_sizes: defaultdict[str | None, int] = defaultdict(int)
    for i in outcome:
        group_sizes[i.group] += 1
    rows = header
    started: set[str] = set()
    for item in shown:
        labels = []
        if item.group is None:
            labels.append(_th(item.label, _TH_ROW, colspan=3))
        else:
            if result_group not in started:
                started.add(result_group)
                labels.append(_th(result_group, _TH_ROW, rowspan=len(outcome)))
            if item.group == result_group:
                labels.append(_th(item.label, _TH_ROW, colspan=2))
            else:
                if item.group not in started:
                    started.add(item.group)
                    tip = None
                    if derived_other and item.code.startswith("other."):
                        tip = "合计（由三个子项相加）：" + "，".join(
                            f"{k} {v}" for k, v in derived_other.items()
                        )
                    labels.append(
                        _th(item.group, _TH_ROW, rowspan=group_sizes[item.group], title=tip)
                    )
                labels.append(_th(item.label, _TH_ROW))
        cells = [r.td(("requests", item.code, c.code), present=present) for c in cols]
        rows.append(f"<tr>{''.join(labels)}{''.join(cells)}</tr>")
    return _table("requests", rows)


def _review_html(r: _CellRenderer) -> str:
    present = "review" not in r.report.missing
    cols = schema.REVIEW_COLUMNS
    review = [i for i in schema.REVIEW_ITEMS if i.group is None]
    lawsuit = [i for i in schema.REVIEW_ITEMS if i.group is not None]
    lawsuit_group = next((i.group for i in lawsuit if i.group is not None), None)
    band1 = "".join(_th(i.label, colspan=len(cols)) for i in review)
    band1 += _th(lawsuit_group, colspan=len(cols) * len(lawsuit)) if lawsuit_group else ""
    band2 = "".join(_th(c.label, rowspan=2) for _ in review for c in cols)
    band2 += "".join(_th(i.label, colspan=len(cols)) for i in lawsuit)
    band3 = "".join(_th(c.label) for _ in lawsuit for c in cols)
    data = "".join(
        r.td(("review", i.code, c.code), present=present) for i in review + lawsuit for c in cols
    )
    rows = [f"<tr>{band1}</tr>", f"<tr>{band2}</tr>", f"<tr>{band3}</tr>", f"<tr>{data}</tr>"]
    return _table("review", rows)


def _table(name: str, rows: list[str]) -> str:
    return (
        '<div style="overflow-x:auto"><table class="gs-table" '
        f'data-table="{name}" style="{_TABLE}">' + "".join(rows) + "</table></div>"
    )


def _notice(text: str, style: str = _NOTICE) -> str:
    return f'<div class="gs-notice" style="{style}">{_e(text)}</div>'


def _extras_html(r: _CellRenderer) -> str:
    """Values the report holds outside the template layout (e.g. a merged 法人或其他组织)."""
    extra = [k for k in r.report.values if k not in r.drawn]
    if not extra:
        return ""
    rows = [f"<tr>{_th('表')}{_th('行')}{_th('列')}{_th('数值')}</tr>"]
    for key in extra:
        rows.append(f"<tr>{''.join(_th(part, _TH_ROW) for part in key)}{r.td(key)}</tr>")
    return f'<div style="{_H}">模板之外读取的数值</div>' + _table("extras", rows)


# ---------------------------------------------------------------------------------------
# The report


def report_html(
    report: Report, findings: pd.DataFrame | None = None, *, run_checks: bool = True
) -> str:
    """The report as one self-contained HTML fragment (for ``_repr_html_`` and exports).

    ``findings`` are check results (``govstats.check(report)``); when omitted and
    ``run_checks`` is true they are computed here, so breaches are always marked. Returns a
    ``<div class="govstats-report">`` with the metadata, notices and the three tables.
    """
    if findings is None and run_checks:
        findings = _run_checks(report)
    breaches = breaches_by_cell(report, findings)
    renderer = _CellRenderer(report, breaches)
    template = report.template or "2021"
    pub_version = report.layouts.get("publication") or template
    req_layout = report.layouts.get("requests") or template

    blank = sum(1 for v in report.values.values() if v.value is None)
    n_breach = 0
    if findings is not None and len(findings):
        n_breach = (
            int((findings["kind"].astype(str) == "breach").sum())
            if "kind" in findings
            else len(findings)
        )
    layouts = "、".join(
        f"{schema.TABLE_LABELS.get(t, t).split('、', 1)[-1]}：{v}"
        for t, v in report.layouts.items()
    )
    meta = [
        ("发布机关", report.body or "（未识别）"),
        ("年度", report.year if report.year is not None else "（未识别）"),
        ("模板版本", (report.template or "（未识别）") + (f"（{layouts}）" if layouts else "")),
        ("文件", f"{report.name}（{report.format}，id {report.report_id}）"),
        (
            "完整性",
            "完整"
            if report.complete
            else "不完整：缺少 " + "、".join(schema.TABLE_LABELS.get(t, t) for t in report.missing),
        ),
        (
            "数值",
            f"{len(report.values)} 格，其中空白 {blank} 格"
            + (f"，违反勾稽关系 {n_breach} 处" if findings is not None else "（未做勾稽检查）"),
        ),
    ]
    parts = [
        f'<div class="govstats-report" style="{_BOX}">',
        '<div style="font-size:16px;font-weight:600;margin-bottom:4px">'
        f"{_e(report.body or '（未识别机关）')} "
        f"{_e(report.year if report.year is not None else '')}年度政府信息公开工作年度报告</div>",
        f'<table class="gs-meta" style="{_META}">'
        + "".join(
            f'<tr><th style="{_META_TH}">{_e(k)}</th><td style="{_META_TD}">{_e(v)}</td></tr>'
            for k, v in meta
        )
        + "</table>",
    ]
    for w in report.warnings:
        parts.append(_notice(f"提示：{w}"))
    if findings is not None:
        if n_breach:
            for row in findings.to_dict("records"):
                style = _ALERT if str(row.get("kind", "breach")) == "breach" else _NOTICE
                parts.append(
                    _notice(
                        ("违反勾稽关系 " if style is _ALERT else "与正文不符 ")
                        + _finding_text(row),
                        style,
                    )
                )
        elif len(findings):
            for row in findings.to_dict("records"):
                parts.append(_notice("与正文不符 " + _finding_text(row)))
        else:
            parts.append(_notice("勾稽关系检查：未发现违反。", _OK))
    parts.append(
        f'<div style="{_LEGEND}">图例：{_e(BLANK_MARK)} 空白（与 0 不同）；{_e(ABSENT_MARK)} '
        '未读取；<span style="background:#ffe3e3;outline:1px solid #d1242f;padding:0 '
        '3px">⚠</span> 违反勾稽关系。将鼠标停在数字上可'
        "查看印刷文字与来源（行 / 单元格 / 页）。</div>"
    )
    for table, body_html in (
        ("publication", lambda: _publication_html(renderer, pub_version)),
        ("requests", lambda: _requests_html(renderer, req_layout)),
        ("review", lambda: _review_html(renderer)),
    ):
        parts.append(f'<div style="{_H}">{_e(schema.TABLE_LABELS[table])}</div>')
        if table in report.missing:
            parts.append(_notice("本报告缺少此表（或此表不完整），下列空格未读取。", _ALERT))
        parts.append(body_html())
    parts.append(_extras_html(renderer))
    parts.append("</div>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------
# Frames


def _na_dash(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return BLANK_MARK
    if isinstance(value, float):
        return format_value(value)
    return str(value)


def findings_table(findings: pd.DataFrame) -> Styler:
    """Check results (``govstats.check``) as a readable table: breaches red, other findings
    (narrative, year-over-year) amber. The kind is read from ``kind`` (or ``类型``).

    An empty frame renders as a one-row "no breach" note rather than an empty grid.
    """
    if len(findings) == 0:
        frame = pd.DataFrame({"结果": ["未发现违反勾稽关系"]})
        return frame.style.hide(axis="index").set_properties(
            **{"background-color": "#dafbe1", "color": "#0f3d1c"}
        )

    def colour(row: pd.Series) -> list[str]:
        kind = str(row.get("kind", row.get("类型", "breach")))
        breach = kind in ("breach", "勾稽关系不符")
        css = (
            "background-color:#ffebe9;color:#82071e"
            if breach
            else "background-color:#fff8c5;color:#3b2300"
        )
        return [css] * len(row)

    return (
        findings.style.apply(colour, axis=1)
        .format(_na_dash, escape="html")
        .hide(axis="index")
        .set_table_styles(
            [{"selector": "th", "props": "text-align:left;background:#eef1f4;color:#1f2328"}]
        )
        .set_caption(f"勾稽关系检查：{len(findings)} 条发现")
    )


def tidy_table(frame: pd.DataFrame, max_rows: int = 200) -> Styler:
    """A tidy frame (schema.md) as a readable table: NA as a muted dash, numbers grouped.

    Shows at most ``max_rows`` rows (the caption says how many were left out).
    """
    shown = frame.head(max_rows)
    caption = f"{len(frame)} 行" + (f"（显示前 {max_rows} 行）" if len(frame) > max_rows else "")

    def muted(value: Any) -> str:
        return (
            "color:#8c959f"
            if value is pd.NA or value is None or (isinstance(value, float) and math.isnan(value))
            else ""
        )

    styler = shown.style.format(_na_dash, escape="html").hide(axis="index").set_caption(caption)
    if "value" in shown.columns:
        styler = styler.map(muted, subset=["value"]).set_properties(
            subset=["value"], **{"text-align": "right"}
        )
    return styler
