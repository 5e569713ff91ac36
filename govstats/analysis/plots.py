"""Charts of one body's indicators over the years, labelled in Chinese.

Each function takes an indicator frame (:func:`govstats.analysis.indicators`) and a body name
and returns a matplotlib :class:`~matplotlib.figure.Figure` (made outside pyplot, so a notebook
shows it once, as the cell's value). Chinese text is drawn in a real CJK font
(:mod:`govstats.analysis.fonts`). Every chart spans the body's years from first to last report and
marks

* the template change (a dashed vertical line labelled 模板变更) between a year reported on the
  2019 template and the next on the 2021 one;
* years without a report (hatched, 无报告) and years whose figures were left blank (hatched,
  未填报), so a gap never looks like a zero.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt  # noqa: F401 - in Jupyter, sets up the display of figures
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from govstats import analysis
from govstats.analysis import fonts, formatting

#: figure size (inches) and resolution used by every chart: readable, light in an HTML page
FIGSIZE = (8.0, 3.6)
DPI = 100
BREAK_LABEL = "模板变更"
NO_REPORT_LABEL = "无报告"
BLANK_LABEL = "未填报"
_HATCH = "///"
_GREY = "#9e9e9e"

_APPLICANT_COLORS = {
    "natural_person": "#4e79a7",
    "commercial": "#f28e2b",
    "research": "#59a14f",
    "social_org": "#b07aa1",
    "legal_service": "#edc948",
    "other_org": "#9c755f",
}
_OUTCOME_COLORS = {
    "granted": "#59a14f",
    "partly_granted": "#8cd17d",
    "withheld": "#e15759",
    "unavailable": "#f28e2b",
    "not_processed": "#b07aa1",
    "other": "#bab0ac",
}
_RESULT_COLORS = {
    "upheld": "#4e79a7",
    "corrected": "#e15759",
    "other": "#bab0ac",
    "pending": "#edc948",
}


def _plain(text: object) -> str:
    """Report text shown as is: a ``$`` would otherwise start matplotlib's math mode."""
    return str(text).replace("$", r"\$")


def _new_figure(ncols: int = 1, figsize: tuple[float, float] = FIGSIZE):
    fonts.use_cjk_font()
    # a Figure outside pyplot (no figure manager to make and close: 30 % quicker); returned,
    # so a notebook shows it once, as the cell's value
    # matplotlib-stubs omit "none" (no layout engine at all), which Figure accepts
    fig = Figure(figsize=figsize, dpi=DPI, layout="none")  # type: ignore[arg-type]
    axes = fig.subplots(1, ncols, squeeze=False)
    return fig, list(axes[0])


# --- layout --------------------------------------------------------------------------------
# Margins come from measuring the few things that stick out of the axes (tick labels, axis
# labels, titles, legends, texts) once, then placing the axes. Same result as matplotlib's
# constrained layout for these one-row charts at about a fifth of its cost: that layout ran
# a second draw pass (two solver rounds over every artist's bounding box) before each save.

#: white space kept around everything and between neighbouring parts (inches)
_PAD = 0.06
#: a legend below its axes hangs this fraction of the axes height under it (see :func:`_legend`)
_BELOW = 0.12


def _renderer(fig: Figure):
    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(fig)  # becomes fig.canvas
    return canvas.get_renderer()


def _fit(fig: Figure) -> Figure:
    """Place the figure's axes (one row, equal widths) so that their tick labels, axis labels,
    titles, legends and texts fit inside the figure, and the suptitle above them."""
    renderer = _renderer(fig)
    width, height = fig.get_size_inches()
    inch = fig.dpi
    axes = list(fig.axes)
    # per axes: inches sticking out left/right/top/bottom of it; legend below: its width,
    # and how far below the axes it reaches = fixed part + _BELOW × axes height
    out = []
    for ax in axes:
        need = {
            "left": 0.0,
            "right": 0.0,
            "top": 0.0,
            "bottom": 0.0,
            "below_w": 0.0,
            "below_fixed": 0.0,
        }
        if ax.axison:
            box = ax.get_window_extent(renderer)
            parts = [ax.xaxis.get_tightbbox(renderer), ax.yaxis.get_tightbbox(renderer)]
            parts += [
                t.get_window_extent(renderer)
                # the side titles' Text objects have no public accessor
                for t in (ax.title, ax._left_title, ax._right_title)  # type: ignore[attr-defined]
                if t.get_text()
            ]
            parts += [
                t.get_window_extent(renderer) for t in ax.texts if t.get_visible() and t.get_text()
            ]
            legend = ax.get_legend()
            if legend is not None:
                lb = legend.get_window_extent(renderer)
                if lb.y1 <= box.y0:  # below the axes: centred, hanging _BELOW × height under it
                    need["below_w"] = lb.width / inch
                    need["below_fixed"] = (box.y0 - lb.y0 - _BELOW * box.height) / inch
                else:
                    parts.append(lb)
            for bb in parts:
                if bb is None or bb.width == 0 and bb.height == 0:
                    continue
                need["left"] = max(need["left"], (box.x0 - bb.x0) / inch)
                need["right"] = max(need["right"], (bb.x1 - box.x1) / inch)
                need["bottom"] = max(need["bottom"], (box.y0 - bb.y0) / inch)
                need["top"] = max(need["top"], (bb.y1 - box.y1) / inch)
        out.append(need)
    top = _PAD + max(n["top"] for n in out)
    suptitle = fig._suptitle  # type: ignore[attr-defined]  # the Text (get_suptitle: its str)
    if suptitle is not None and suptitle.get_text():
        suptitle.set_y(1 - _PAD / height)
        suptitle.set_verticalalignment("top")
        top += suptitle.get_window_extent(renderer).height / inch + _PAD
    fixed_bottom = max(n["bottom"] for n in out)
    below = [n for n in out if n["below_w"]]
    if below:  # bottom = fixed + _BELOW × (height − top − bottom), solved for bottom
        hang = max(n["below_fixed"] for n in below)
        fixed_bottom = max(fixed_bottom, (hang + _BELOW * (height - top - _PAD)) / (1 + _BELOW))
    bottom = _PAD + fixed_bottom
    ax_height = height - top - bottom
    n = len(axes)
    ax_width = (width - 2 * _PAD) / n
    for _ in range(3):  # legends below wider than their axes widen the gaps: settle in a few rounds
        spill = [max(0.0, (o["below_w"] - ax_width) / 2) for o in out]
        lefts = [max(o["left"], s) for o, s in zip(out, spill, strict=True)]
        rights = [max(o["right"], s) for o, s in zip(out, spill, strict=True)]
        ax_width = (width - 2 * _PAD - sum(lefts) - sum(rights) - _PAD * (n - 1)) / n
    x = _PAD
    for ax, left, right in zip(axes, lefts, rights, strict=True):
        x += left
        ax.set_position(
            (x / width, bottom / height, max(ax_width, 0.1) / width, max(ax_height, 0.1) / height)
        )
        x += ax_width + right + _PAD
    return fig


def _laid_out(draw: Callable[..., Figure]) -> Callable[..., Figure]:
    """Decorator: the chart function's figure comes back placed by :func:`_fit`."""

    @functools.wraps(draw)
    def wrapper(*args, **kwargs) -> Figure:
        return _fit(draw(*args, **kwargs))

    return wrapper


def _body_rows(ind: pd.DataFrame, body: str, section: str) -> pd.DataFrame:
    return ind.loc[(ind["body"] == body) & (ind["section"] == section)]


def _years(ind: pd.DataFrame, body: str) -> list[int]:
    """Every year from the body's first to its last report."""
    years = ind.loc[ind["body"] == body, "year"].dropna().astype(int)
    if years.empty:
        return []
    return list(range(years.min(), years.max() + 1))


def _templates(ind: pd.DataFrame, body: str) -> dict[int, str]:
    rows = ind.loc[ind["body"] == body, ["year", "template"]].drop_duplicates("year")
    return {
        int(y): str(t) for y, t in zip(rows["year"], rows["template"], strict=True) if pd.notna(t)
    }


def _empty(fig: Figure, ax, message: str) -> Figure:
    ax.set_axis_off()
    ax.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        fontsize=13,
        color="#555555",
        transform=ax.transAxes,
    )
    return fig


def _decorate_years(
    ax, years: Sequence[int], templates: dict[int, str], blank: Sequence[int] = ()
) -> None:
    """Year ticks, the template-change line and hatched no-report / blank years."""
    ax.set_xticks(range(len(years)), [str(y) for y in years])
    ax.set_xlim(-0.6, len(years) - 0.4)
    for i, year in enumerate(years):
        if year not in templates or year in blank:
            label = NO_REPORT_LABEL if year not in templates else BLANK_LABEL
            ax.axvspan(
                i - 0.4, i + 0.4, facecolor="none", edgecolor=_GREY, hatch=_HATCH, linewidth=0
            )
            ax.text(
                i,
                0.5,
                label,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="center",
                fontsize=9,
                color="#555555",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
    known = [y for y in years if y in templates]
    for before, after in zip(known, known[1:], strict=False):
        if templates[before] != templates[after]:
            x = (years.index(before) + years.index(after)) / 2
            ax.axvline(x, color="#333333", linestyle="--", linewidth=1)
            ax.text(
                x,
                1.0,
                BREAK_LABEL,
                transform=ax.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=8,
                color="#333333",
            )
    ax.spines[["top", "right"]].set_visible(False)


def _matrix(
    rows: pd.DataFrame, indicator: str, codes: Sequence[str], years: Sequence[int]
) -> pd.DataFrame:
    """years × codes values of one indicator (NA where missing)."""
    sel = rows.loc[(rows["indicator"] == indicator) & rows["breakdown"].isin(list(codes))]
    table = sel.pivot(index="year", columns="breakdown", values="value")
    return table.reindex(index=list(years), columns=list(codes)).astype("Float64")


def _stacked_bars(
    ax, table: pd.DataFrame, colors: dict[str, str], labels: dict[str, str]
) -> list[int]:
    """Stacked bars (NA parts drawn as 0); returns the years whose every part is NA."""
    bottom = np.zeros(len(table))
    for code in table.columns:
        heights = table[code].fillna(0).to_numpy(dtype=float)
        ax.bar(
            range(len(table)),
            heights,
            bottom=bottom,
            width=0.7,
            color=colors[code],
            label=labels[code],
        )
        bottom += heights
    return [int(y) for y in table.index[table.isna().all(axis=1)]]


def _legend(ax, below: bool = False) -> None:
    """A frameless legend outside the plot: to the right, or below it (``below``)."""
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if below:
        ax.legend(
            handles,
            labels,
            fontsize=8,
            frameon=False,
            loc="upper center",
            bbox_to_anchor=(0.5, -_BELOW),
            ncol=3,
        )
    else:
        ax.legend(
            handles, labels, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0)
        )


@_laid_out
def requests_by_applicant(ind: pd.DataFrame, body: str) -> Figure:
    """New requests per year, stacked by applicant type (自然人 and each kind of legal person)."""
    fig, (ax,) = _new_figure()
    years, templates = _years(ind, body), _templates(ind, body)
    rows = _body_rows(ind, body, "requests")
    if rows.empty:
        return _empty(fig, ax, f"{_plain(body)}：暂无申请数据")
    codes = list(_APPLICANT_COLORS)
    table = _matrix(rows, "new", codes, years)
    blank = [
        y
        for y in _stacked_bars(ax, table, _APPLICANT_COLORS, analysis.APPLICANT_LABELS)
        if y in templates
    ]
    totals = _matrix(rows, "new", ["total"], years)["total"]
    for i, value in enumerate(totals):
        if pd.notna(value):
            ax.text(i, float(value), f"{value:.0f}", ha="center", va="bottom", fontsize=8)
    _decorate_years(ax, years, templates, blank)
    ax.set_ylim(0, max(float(totals.max()) if totals.notna().any() else 0.0, 1.0) * 1.12)
    ax.set_ylabel("件")
    ax.set_title(f"{_plain(body)}：本年新收政府信息公开申请（按申请人类型）", fontsize=11, pad=14)
    _legend(ax)
    return fig


@_laid_out
def outcome_composition(ind: pd.DataFrame, body: str) -> Figure:
    """Outcomes of handled requests per year as shares (%), stacked: 予以公开 … 其他处理."""
    fig, (ax,) = _new_figure()
    years, templates = _years(ind, body), _templates(ind, body)
    rows = _body_rows(ind, body, "outcomes")
    if rows.empty:
        return _empty(fig, ax, f"{_plain(body)}：暂无办理结果数据")
    codes = list(_OUTCOME_COLORS)
    table = _matrix(rows, "share", codes, years)
    blank = [
        y
        for y in _stacked_bars(ax, table, _OUTCOME_COLORS, analysis.OUTCOME_LABELS)
        if y in templates
    ]
    _decorate_years(ax, years, templates, blank)
    ax.set_ylabel("占办结申请比例（%）")
    ax.axhline(100, color="#cccccc", linewidth=0.8)
    ax.set_title(f"{_plain(body)}：申请办理结果构成", fontsize=11, pad=14)
    _legend(ax)
    return fig


@_laid_out
def refusal_reasons(ind: pd.DataFrame, body: str, year: int | None = None) -> Figure:
    """Refusal reasons (不予公开 / 无法提供 / 不予处理) of one year, most frequent first.

    ``year`` defaults to the body's latest report. Reasons never used that year are left out.
    """
    fig, (ax,) = _new_figure()
    rows = _body_rows(ind, body, "outcomes")
    if rows.empty:
        return _empty(fig, ax, f"{_plain(body)}：暂无办理结果数据")
    year = int(rows["year"].max()) if year is None else year
    reasons = analysis.leading_refusal_reasons(rows, n=len(analysis.OUTCOME_LABELS))
    reasons = reasons.loc[reasons["year"] == year]
    if reasons.empty:
        has_year = (rows["year"] == year).any()
        message = (
            f"{year}年无不予公开、无法提供或不予处理的申请"
            if has_year
            else f"{_plain(body)}：{year}年无报告"
        )
        return _empty(fig, ax, message)
    reasons = reasons.iloc[::-1]
    group_colors = [_OUTCOME_COLORS[r.split(".")[0]] for r in reasons["reason"]]
    ax.barh(range(len(reasons)), reasons["count"].to_numpy(dtype=float), color=group_colors)
    ax.set_yticks(range(len(reasons)), reasons["label"].tolist(), fontsize=8)
    for i, (count, share) in enumerate(
        zip(reasons["count"], reasons["share_of_handled"], strict=True)
    ):
        ax.text(float(count), i, f" {count:.0f}件（{share:.1f}%）", va="center", fontsize=8)
    ax.set_xlabel("件（括号内为占办结申请比例）")
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(x=0.25)
    ax.set_title(f"{_plain(body)}：{year}年不予公开、无法提供、不予处理的理由", fontsize=11)
    return fig


@_laid_out
def review_results(ind: pd.DataFrame, body: str) -> Figure:
    """Administrative reviews and lawsuits per year, stacked by result (维持/纠正/其他/未审结)."""
    fig, axes = _new_figure(2, (FIGSIZE[0], FIGSIZE[1]))
    years, templates = _years(ind, body), _templates(ind, body)
    rows = _body_rows(ind, body, "reviews")
    if rows.empty:
        for ax in axes[1:]:
            ax.set_axis_off()
        return _empty(fig, axes[0], f"{_plain(body)}：暂无行政复议、行政诉讼数据")
    codes = list(_RESULT_COLORS)
    labels = analysis.REVIEW_RESULT_LABELS
    ymax = 0.0
    for ax, case in zip(axes, ("admin_review", "lawsuit"), strict=True):
        table = _matrix(rows, case, codes, years)
        blank = [y for y in _stacked_bars(ax, table, _RESULT_COLORS, labels) if y in templates]
        _decorate_years(ax, years, templates, blank)
        ax.set_title(analysis.REVIEW_CASE_LABELS[case], fontsize=10, pad=14)
        ax.tick_params(axis="x", labelsize=8)
        ymax = max(ymax, float(table.fillna(0).sum(axis=1).max()))
    for ax in axes:
        ax.set_ylim(0, max(ymax * 1.1, 1))
        ax.yaxis.get_major_locator().set_params(integer=True)
    axes[0].set_ylabel("件")
    _legend(axes[1])
    fig.suptitle(f"{_plain(body)}：行政复议、行政诉讼结果", fontsize=11)
    return fig


#: publication series: (legend label, item, columns — the first one a year has is drawn)
#: (legend label, item, the columns summed) of a drawn series
_SeriesSpec = tuple[str, str, tuple[str, ...]]
_PUBLICATION_LINES: tuple[_SeriesSpec, ...] = (
    ("行政许可决定", "licensing", ("decisions",)),
    ("行政处罚决定", "penalties", ("decisions",)),
    ("行政强制决定", "coercion", ("decisions",)),
)
_DOC_SERIES: tuple[_SeriesSpec, ...] = (
    ("规范性文件 新制作/制发", "normative_docs", ("made", "issued")),
    ("规章 新制作/制发", "rules", ("made", "issued")),
    ("规范性文件 废止", "normative_docs", ("repealed",)),
)


def _series(
    rows: pd.DataFrame, item: str, columns: Sequence[str], years: Sequence[int]
) -> pd.Series:
    sel = rows.loc[(rows["indicator"] == item) & rows["breakdown"].isin(list(columns))]
    return (
        sel.drop_duplicates("year")
        .set_index("year")["value"]
        .reindex(list(years))
        .astype("Float64")
    )


@_laid_out
def publication_volumes(ind: pd.DataFrame, body: str) -> Figure:
    """Publication volumes per year: licensing, penalty and coercion decisions (comparable across
    the template change) and normative documents / rules made (2019) or issued (2021) and
    repealed — the made→issued series is drawn unconnected across the template change."""
    fig, axes = _new_figure(2, (FIGSIZE[0] * 1.15, FIGSIZE[1] * 1.15))
    years, templates = _years(ind, body), _templates(ind, body)
    rows = _body_rows(ind, body, "publication")
    if rows.empty:
        axes[1].set_axis_off()
        return _empty(fig, axes[0], f"{_plain(body)}：暂无主动公开数据")
    x = np.arange(len(years))
    ax = axes[0]
    blank_all = set(years)
    for (label, item, columns), color in zip(
        _PUBLICATION_LINES, ("#4e79a7", "#e15759", "#59a14f"), strict=True
    ):
        values = _series(rows, item, columns, years)
        blank_all &= {y for y, v in zip(years, values, strict=True) if pd.isna(v)}
        ax.plot(
            x, values.to_numpy(dtype=float, na_value=np.nan), marker="o", color=color, label=label
        )
    _decorate_years(ax, years, templates, [y for y in blank_all if y in templates])
    ax.set_ylabel("件")
    ax.set_title("行政许可、处罚、强制决定数量", fontsize=10, pad=14)
    _legend(ax, below=True)
    ax = axes[1]
    width = 0.8 / len(_DOC_SERIES)
    blank_docs = set(years)
    for k, ((label, item, columns), color) in enumerate(
        zip(_DOC_SERIES, ("#4e79a7", "#f28e2b", "#bab0ac"), strict=True)
    ):
        values = _series(rows, item, columns, years)
        blank_docs &= {y for y, v in zip(years, values, strict=True) if pd.isna(v)}
        ax.bar(
            x + (k - 1) * width,
            values.fillna(0).to_numpy(dtype=float),
            width=width,
            color=color,
            label=label,
        )
    _decorate_years(ax, years, templates, [y for y in blank_docs if y in templates])
    ax.set_title("规章、规范性文件（2019与2021模板口径不同）", fontsize=10, pad=14)
    _legend(ax, below=True)
    ax.tick_params(axis="x", labelsize=8)
    fig.suptitle(f"{_plain(body)}：主动公开情况", fontsize=11)
    return fig


@_laid_out
def compare_bar(
    comparison: pd.DataFrame, section: str, indicator: str, breakdown: str, max_per_level: int = 15
) -> Figure:
    """One measure of a comparison (:func:`govstats.analysis.compare`) as horizontal bars,
    bodies grouped by level and sorted by rank (at most ``max_per_level`` per level, the title
    says how many were left out); a body without a value shows 未填报 / 无法计算."""
    rows = comparison.loc[
        (comparison["section"] == section)
        & (comparison["indicator"] == indicator)
        & (comparison["breakdown"] == breakdown)
    ]
    rows = rows.sort_values(["level", "rank", "body"], na_position="last", kind="stable")
    shown = rows.groupby("level", sort=False).head(max_per_level)
    fig, (ax,) = _new_figure(1, (FIGSIZE[0], max(2.0, 0.32 * len(shown) + 1.2)))
    if shown.empty:
        return _empty(fig, ax, "暂无可比较的数据")
    shown = shown.iloc[::-1]
    values = shown["value"].to_numpy(dtype=float, na_value=np.nan)
    labels = [
        f"{_plain(b)}（{analysis.LEVEL_LABELS.get(lvl, lvl)}）"
        for b, lvl in zip(shown["body"], shown["level"], strict=True)
    ]
    ax.barh(range(len(shown)), np.nan_to_num(values), color="#4e79a7")
    unit = str(shown["unit"].iloc[0])
    for i, v in enumerate(values):
        ax.text(
            0 if np.isnan(v) else v, i, f" {formatting.fmt_value(v, unit)}", va="center", fontsize=8
        )
    ax.set_yticks(range(len(shown)), labels, fontsize=8)
    ax.margins(x=0.2)
    ax.spines[["top", "right"]].set_visible(False)
    title = str(shown["label"].iloc[0])
    if len(shown) < len(rows):
        title += f"（每个级别显示前{max_per_level}名，共{len(rows)}个机关）"
    ax.set_title(title, fontsize=11)
    return fig
