"""The pieces of the briefing (``notebooks/10-briefing.ipynb``) and comparison
(``notebooks/20-compare.ipynb``) notebooks, so the notebooks stay thin and the pieces testable.

:func:`load_body` gathers one body's series from the store (tidy values, indicators, the year
briefed) and :func:`load_region` every body of a region in one year. The display functions
take what they return and give something a notebook shows as a cell's value: an
``IPython.display.HTML`` (all text escaped), a pandas frame or Styler, a matplotlib figure, or
``None`` when there is nothing to show (the reason is shown once, by :func:`title`). Nothing
here raises because a body or year has no data: the loaders record a Chinese ``message``.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import pandas as pd
from IPython.display import HTML, Image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image as PILImage

from govstats import analysis, narrative, store
from govstats.analysis import formatting, plots
from govstats.checks import crossyear
from govstats.checks.rules import KINDS
from govstats.errors import GovstatsError
from govstats.jupyter import display
from govstats.narrative import render
from govstats.reading.sections import CODES
from govstats.store.registry import PROVINCE_NAMES

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from pandas.io.formats.style import Styler

_BOX = (
    "font-family:'Noto Sans CJK SC','Source Han Sans "
    "SC','PingFang SC','Microsoft YaHei',sans-serif;line-height:1.6"
)
_NOTICE = (
    "border-left:4px solid #bf8700;background:#fff8c5;color:#3b2300;padding:6px 10px;margin:6px 0"
)
_OK = "border-left:4px solid #1a7f37;background:#dafbe1;color:#0f3d1c;padding:6px 10px;margin:6px 0"
_META = "color:#57606a;font-size:13px;margin:0 0 8px 0"


def _html(markup: str) -> HTML:
    return HTML(f'<div style="{_BOX}">{markup}</div>')


def _e(text: Any) -> str:
    return html.escape("" if text is None or text is pd.NA else str(text))


def notice(text: str, ok: bool = False) -> HTML:
    """A highlighted one-paragraph notice (escaped): amber, or green with ``ok``."""
    return _html(f'<p style="{_OK if ok else _NOTICE}">{_e(text)}</p>')


def _years(years: int | Iterable[int] | None) -> list[int] | None:
    if years is None:
        return None
    if isinstance(years, (int, str)):
        return [int(years)]
    return sorted({int(y) for y in years}) or None


def _year_span(years: list[int]) -> str:
    if not years:
        return ""
    return f"{years[0]}年" if len(years) == 1 else f"{years[0]}—{years[-1]}年"


# --- one body ----------------------------------------------------------------------------


@dataclass
class BodySeries:
    """One body's reports as loaded for a briefing.

    ``frame`` is the tidy frame (``body`` set to the registry's name, so a body printed
    differently in some years stays one series), ``indicators`` its indicator frame,
    ``year`` the year briefed (the latest loaded unless asked), ``message`` why something is
    missing (no store, unknown body, no report for the year asked), else None.
    """

    query: str
    db: Path
    slug: str | None = None
    body: str | None = None
    level: str | None = None
    region_code: str | None = None
    region_name: str | None = None
    year: int | None = None
    years: list[int] = field(default_factory=list)
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    message: str | None = None

    @property
    def has_year(self) -> bool:
        """Whether there is a report for the year briefed."""
        return self.year is not None and self.year in self.years


def _store_missing(db: Path) -> str | None:
    if not db.is_file():
        return (
            f"数据库文件不存在：{db}。请先运行 govstats "
            "ingest 导入年度报告（例如 make briefings）。"
        )
    return None


def load_body(
    body: str,
    years: int | Iterable[int] | None = None,
    year: int | None = None,
    db: str | Path | None = None,
) -> BodySeries:
    """Load one body's series from the store for a briefing.

    ``body``: a slug (``pingtan``), printed name or alias; ``years``: the years to load (None:
    all stored); ``year``: the year briefed (None: the latest loaded); ``db``: the store (None:
    :func:`govstats.config.default_db`, built from the bundled data on first use). Never raises
    for missing data: see ``message``.
    """
    path = store.reading_path(db)
    out = BodySeries(query=str(body), db=path)
    out.message = _store_missing(path)
    if out.message:
        return out
    try:
        row = store.find_body(str(body), path)
    except GovstatsError:
        out.message = f"数据库中没有机关“{body}”。可用的机关见 govstats.bodies()。"
        return out
    out.slug, out.body = str(row["slug"]), str(row["body"])
    out.level = None if pd.isna(row["level"]) else str(row["level"])
    out.region_code = None if pd.isna(row["region_code"]) else str(row["region_code"])
    out.region_name = None if pd.isna(row["region_name"]) else str(row["region_name"])
    wanted = _years(years)
    frame = store.load(path, body=out.slug, years=wanted)
    if frame.empty:
        span = f"{_year_span(wanted)}的" if wanted else ""
        out.message = f"{out.body}在数据库中没有{span}年度报告。"
        return out
    out.frame = frame.assign(body=pd.array([out.body] * len(frame), dtype="string"))
    out.indicators = analysis.indicators(out.frame)
    out.years = sorted(int(y) for y in out.frame["year"].dropna().unique())
    out.year = int(year) if year is not None else out.years[-1]
    if not out.has_year:
        out.message = (
            f"{out.body}没有{out.year}年度的报告（已有："
            f"{'、'.join(str(y) for y in out.years)}年）。"
        )
    return out


def title(b: BodySeries) -> HTML:
    """The briefing's heading: body, years, level and region, template(s); and the message."""
    if b.body is None:
        return _html(f"<h2>政府信息公开工作年度报告简报</h2>{_notice_html(b.message)}")
    level = analysis.LEVEL_LABELS.get(b.level or analysis.UNKNOWN_LEVEL, b.level)
    templates = sorted(set(b.frame["template"].dropna().astype(str))) if not b.frame.empty else []
    meta = [f"级别：{level}"]
    if b.region_name:
        meta.append(f"地区：{b.region_name}（{b.region_code}）")
    if b.years:
        meta.append(f"报告年度：{'、'.join(str(y) for y in b.years)}")
    if templates:
        meta.append(f"报告模板：{'、'.join(t + '年版' for t in templates)}")
    heading = f"{b.body}政府信息公开工作年度报告简报"
    if b.has_year:
        heading += f"（{b.year}年度）"
    markup = f'<h2>{_e(heading)}</h2><p style="{_META}">{_e("　".join(meta))}</p>'
    if "2019" in templates and "2021" in templates:
        markup += (
            f'<p style="{_META}">2021年度起报告采用新版模板：主动公开部分（规章、规范性文件、'
            "收费）的统计口径改变，跨越模板变更的年度变化"
            "只对可比指标计算，图中以虚线标出模板变更。</p>"
        )
    return _html(markup + _notice_html(b.message))


def _notice_html(message: str | None) -> str:
    return f'<p style="{_NOTICE}">{_e(message)}</p>' if message else ""


def headlines(b: BodySeries) -> HTML | None:
    """The headline figures of the year briefed, one sentence each (本年新收申请…件，较上年…)."""
    if not b.has_year or b.body is None or b.year is None:
        return None
    table = analysis.headlines(b.indicators, b.body, b.year)
    if table.empty:
        return notice(f"{b.year}年度报告没有可用于摘要的数据。")
    items = "".join(f"<li>{_e(s)}</li>" for s in table["sentence"])
    return _html(f"<ul>{items}</ul>")


#: the rows each section's briefing table shows: (indicator, breakdown) in order
BRIEFING_ROWS: dict[str, tuple[tuple[str, str], ...]] = {
    "requests": (
        ("new", "total"),
        ("new", "natural_person"),
        ("new", "legal_person"),
        ("new_share", "natural_person"),
        ("carried_over", "total"),
        ("handled", "total"),
        ("carried_forward", "total"),
    ),
    "outcomes": tuple(
        (measure, code)
        for code in (
            "granted",
            "partly_granted",
            "withheld",
            "unavailable",
            "not_processed",
            "other",
        )
        for measure in ("count", "share")
    ),
    "reviews": (
        ("admin_review", "total"),
        ("admin_review", "corrected"),
        ("admin_review", "pending"),
        ("lawsuit", "total"),
        ("lawsuit", "corrected"),
        ("lawsuit", "pending"),
        ("correction_rate", "admin_review"),
        ("correction_rate", "lawsuit"),
        ("correction_rate", "all"),
        ("per_100_requests", "all"),
    ),
    "publication": (),  # every cell of table 1 the reports have
}


def section_table(b: BodySeries, section: str) -> pd.DataFrame | None:
    """One indicator group as a table: a row per indicator (Chinese label), a column per year,
    figures with their unit, ``未填报`` for a blank cell, ``—`` where that year's template has
    no such measure; a last column gives the change of the year briefed against the year
    before (``不可比（模板变更）`` across the template change for measures that changed).
    Sections: ``requests``, ``outcomes``, ``reviews``, ``publication``."""
    if section not in BRIEFING_ROWS:
        raise ValueError(f"unknown section {section!r}; expected one of {sorted(BRIEFING_ROWS)}")
    if b.indicators.empty or b.body is None:
        return None
    ind = b.indicators
    rows = BRIEFING_ROWS[section]
    if rows:
        keys = pd.DataFrame(list(rows), columns=["indicator", "breakdown"]).astype("string")
        ind = ind.merge(
            keys.assign(_order=range(len(keys))), on=["indicator", "breakdown"], how="inner"
        )
        ind = (
            ind.loc[ind["section"] == section]
            .sort_values(["_order", "year"])
            .drop(columns="_order")
        )
    table = analysis.series_table(ind, b.body, section)
    if b.has_year and b.year is not None and not table.empty:
        yoy = analysis.year_on_year(
            b.indicators.loc[b.indicators["year"].isin([b.year - 1, b.year])]
        )
        yoy = (
            yoy.loc[(yoy["year"] == b.year) & (yoy["section"] == section)]
            .drop_duplicates("label")
            .set_index("label")
        )
        column = f"{b.year}年较上年"
        cells = []
        for label in table.index:
            if label not in yoy.index:
                cells.append("—")
                continue
            r = yoy.loc[label]
            comparable = (
                None
                if pd.isna(r["comparable_with_previous"])
                else bool(r["comparable_with_previous"])
            )
            if comparable is False and not bool(r["break_before"]):
                comparable = (
                    None  # absent the year before without a template change: nothing to say
                )
            cells.append(
                formatting.fmt_change_cell(r["value"], r["previous"], r["unit"], comparable)
            )
        table[column] = cells
    return table


def refusals_table(b: BodySeries, n: int = 5) -> pd.DataFrame | None:
    """The ``n`` leading refusal reasons of the year briefed (件, 占办结比例, 占全部拒绝比例)."""
    if not b.has_year:
        return None
    top = analysis.leading_refusal_reasons(b.indicators.loc[b.indicators["year"] == b.year], n=n)
    if top.empty:
        return pd.DataFrame({"说明": [f"{b.year}年度没有不予公开、无法提供或不予处理的申请。"]})
    return pd.DataFrame(
        {
            "排名": top["rank"].astype(int).to_numpy(),
            "理由": top["label"].to_numpy(),
            "件数": [formatting.fmt_count(v) for v in top["count"]],
            "占办结申请": [formatting.fmt_percent(v) for v in top["share_of_handled"]],
            "占全部不予公开、无法提供、不予处理": [
                formatting.fmt_percent(v) for v in top["share_of_refusals"]
            ],
        }
    ).set_index("排名")


#: chart name → function of govstats.analysis.plots
CHARTS = {
    "requests": "requests_by_applicant",
    "outcomes": "outcome_composition",
    "refusals": "refusal_reasons",
    "reviews": "review_results",
    "publication": "publication_volumes",
}


#: draw the charts as vector SVG images instead of PNG: for pages that are printed (``--pdf``:
#: sharp at any size, smaller and quicker to print than a PNG of print resolution). Set for
#: every page by the batch's hidden first cell (:func:`set_print_charts`), so a reused kernel
#: never carries it over.
_print_charts = False


def set_print_charts(on: bool) -> None:
    """Draw this page's charts as SVG images (``on``) or as PNG (the default, for screens)."""
    global _print_charts
    _print_charts = bool(on)


def _svg(fig: Figure, alt: str) -> HTML:
    """The figure as an ``<img>`` of SVG (an image, so nothing in it can run), shown at the
    size of its PNG; its text drawn as paths, so no font is needed to show it."""
    buffer = io.BytesIO()
    # a fixed salt: the same chart gives the same ids, so a page renders byte for byte the same
    with matplotlib.rc_context({"svg.hashsalt": "govstats", "svg.fonttype": "path"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    width = round(fig.get_figwidth() * fig.dpi)
    return HTML(
        f'<img class="govstats-chart" width="{width}" alt="{_e(alt)}" '
        f'src="data:image/svg+xml;base64,{data}">'
    )


def _alt(fig: Figure) -> str:
    """The chart's alt text: its titles (or the text saying why it is empty)."""
    suptitle = fig._suptitle  # type: ignore[attr-defined]  # the Text (get_suptitle: its str)
    titles = [suptitle.get_text()] if suptitle is not None else []
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    if not titles:  # a chart that only says why it is empty
        titles = [t.get_text() for ax in fig.axes for t in ax.texts][:1]
    return ("；".join(t for t in titles if t) or "图表").replace("\\$", "$")


def _png(fig: Figure) -> Image | HTML:
    """The figure drawn once as a PNG image (the chart functions already placed the axes so
    that legends and labels fit, so no tight bounding box or layout pass is needed); as an SVG
    image for printed pages (:func:`set_print_charts`)."""
    if _print_charts:
        return _svg(fig, _alt(fig))
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    # the charts are opaque: RGB at zlib level 3 is 2× quicker to encode than savefig's RGBA
    # at level 6 and 20 % smaller (same pixels)
    buffer = io.BytesIO()
    PILImage.frombuffer(
        "RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1
    ).convert("RGB").save(buffer, format="png", compress_level=3)
    # the alt text travels in the output's metadata; nbconvert writes it into <img alt=…>
    return Image(data=buffer.getvalue(), format="png", metadata={"alt": _alt(fig)})


def chart(b: BodySeries, name: str, *, as_png: bool = True) -> Image | HTML | Figure | None:
    """The chart of one indicator group (:data:`CHARTS`) as a PNG image for the notebook (the
    matplotlib figure itself with ``as_png=False``), or None without data."""
    if name not in CHARTS:
        raise ValueError(f"unknown chart {name!r}; expected one of {sorted(CHARTS)}")
    if b.indicators.empty or (name == "refusals" and not b.has_year):
        return None
    draw = getattr(plots, CHARTS[name])
    fig = draw(b.indicators, b.body, b.year) if name == "refusals" else draw(b.indicators, b.body)
    return _png(fig) if as_png else fig


_QUALITY_COLUMNS = {
    "year": "年度",
    "kind": "类型",
    "rule": "规则",
    "expected": "应为",
    "found": "实为",
    "message": "说明",
}


def findings(b: BodySeries) -> pd.DataFrame:
    """This body's check findings over the years loaded: breaches of the template arithmetic
    in each report (``govstats.check``) and year-over-year findings (``govstats.checks.crossyear``),
    as returned by :func:`govstats.checks.crossyear.check_store`. Empty when there is no data."""
    if b.frame.empty:
        return pd.DataFrame(columns=crossyear.FINDING_COLUMNS)
    return crossyear.check_store(b.db, body=b.slug, years=b.years)


def quality(b: BodySeries) -> HTML | Styler | None:
    """The data-quality section: every finding with Chinese column names, or a green note."""
    if b.frame.empty:
        return None
    found = findings(b)
    if found.empty:
        return notice(f"{_year_span(b.years)}各年度报告未发现勾稽关系或跨年度不一致。", ok=True)

    table = found.sort_values(["year", "kind"], kind="stable")[list(_QUALITY_COLUMNS)]
    table = table.assign(kind=table["kind"].map(lambda k: KINDS.get(str(k), str(k))))
    styler = display.findings_table(table.rename(columns=_QUALITY_COLUMNS).reset_index(drop=True))
    # a fixed id instead of Styler's random one: the same data gives the same page
    return styler.set_caption(
        f"数据质量：{len(found)} 条发现（数据按报告原样保留，未作修改）"
    ).set_uuid("quality")


# --- the report text ----------------------------------------------------------------------

#: the new sentences quoted per section, and the length they are cut to (characters)
EXCERPTS_PER_SECTION = 2
EXCERPT_CHARS = 60
#: what the section says when the store keeps no text for the body
NO_TEXT = "无报告文本（仅有统计表数据）。"


@dataclass
class BodyText:
    """One body's report text, compared year on year (:func:`load_text`).

    ``years``: the years whose text the store holds; ``comparisons``: each of them against
    the year before (:func:`govstats.narrative.compare_series`; a gap is not bridged);
    ``year``: the year briefed; ``message`` why there is nothing to compare, else None.
    """

    year: int | None
    years: list[int] = field(default_factory=list)
    comparisons: list[narrative.Comparison] = field(default_factory=list)
    message: str | None = None

    @property
    def briefed(self) -> narrative.Comparison | None:
        """The comparison of the year briefed with the year before (None without one)."""
        return next((c for c in self.comparisons if c.year == self.year), None)


def load_text(b: BodySeries) -> BodyText:
    """The stored text of ``b``'s years, each year against the year before. Never raises for
    missing text: a body without text (reports from the tidy extract) gets :data:`NO_TEXT`; a
    body without data at all gets no message (:func:`title` says why)."""
    out = BodyText(year=b.year)
    if b.body is None or b.frame.empty:
        return out
    frame = store.load_sections(body=b.slug, years=b.years, db=b.db)
    if frame.empty:
        out.message = NO_TEXT
        return out
    by_year = narrative.sections_by_year(frame)
    out.years = sorted(by_year)
    out.comparisons = narrative.compare_series(by_year)
    if not out.comparisons:
        out.message = (
            f"只有{'、'.join(str(y) for y in out.years)}年度的报告文本，没有相邻年度可以比较。"
        )
    return out


def text_table(t: BodyText) -> pd.DataFrame | None:
    """Similarity of each section with the year before: a row per section (Chinese names, in
    template order), a column per year compared; ``—`` where one of the two years lacks the
    section. None when there is nothing to compare."""
    if not t.comparisons:
        return None
    printed = {s.code for c in t.comparisons for s in c.sections}
    codes = [c for c in CODES if c in printed] + sorted(printed - set(CODES))
    columns = {}
    for c in t.comparisons:
        by_code = {s.code: s.similarity for s in c.sections}
        columns[f"{c.year}年较{c.previous_year}年"] = [
            render.percent(by_code.get(code)) for code in codes
        ]
    table = pd.DataFrame(columns, index=[render.SECTION_LABELS.get(c, c) for c in codes])
    table.index.name = "部分"
    return table


def _excerpt(text: str, n: int = EXCERPT_CHARS) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def text_notes(t: BodyText) -> HTML | None:
    """The copied-problems finding of every year compared (or a green note when none is), and
    short excerpts of what the year briefed says anew (a few sentences per section, cut to
    :data:`EXCERPT_CHARS`); the message when there is nothing to compare; None without data."""
    if t.message:
        return notice(t.message)
    if not t.comparisons:
        return None
    markup = ""
    copied = [c for c in t.comparisons if narrative.COPIED_PROBLEMS in c.findings]
    for c in copied:
        problems = c.section("problems")
        share = render.percent(problems.carried_share if problems else None)
        text = f"{c.year}年度：{render.finding_label(narrative.COPIED_PROBLEMS)}（沿用{share}）。"
        markup += _notice_html(text)
    if not copied:
        span = _year_span([c.year for c in t.comparisons if c.year is not None])
        markup += (
            f'<p style="{_OK}">{_e(span)}各年度“存在的主要问题及改进情况”'
            "均未大部分沿用上年文字。</p>"
        )
    briefed = t.briefed
    if briefed is None:
        return _html(markup)
    items = []
    for s in briefed.sections:
        new = s.of_status("new")
        if not new:
            continue
        quoted = "".join(f"<li>{_e(_excerpt(x))}</li>" for x in new[:EXCERPTS_PER_SECTION])
        more = len(new) - EXCERPTS_PER_SECTION
        rest = f"<li>……另有{more}句新增</li>" if more > 0 else ""
        label = render.SECTION_LABELS.get(s.code, s.code)
        items.append(f"<li>{_e(label)}<ul>{quoted}{rest}</ul></li>")
    heading = f"{briefed.year}年度报告较{briefed.previous_year}年度新增的内容（摘录）"
    body = f"<ul>{''.join(items)}</ul>" if items else "<p>没有新增的句子。</p>"
    return _html(f"{markup}<h4>{_e(heading)}</h4>{body}")


# --- a region ----------------------------------------------------------------------------


@dataclass
class RegionYear:
    """Every body of a region in one year, as loaded for a comparison.

    ``bodies``: the region's bodies (``govstats.bodies``); ``indicators``: their indicators in
    ``year``; ``comparison``: :func:`govstats.analysis.compare`; ``flags``: one row per body
    (report present, complete, check findings); ``message`` why something is missing.
    """

    region: str | None
    db: Path
    year: int | None = None
    bodies: pd.DataFrame = field(default_factory=pd.DataFrame)
    frame: pd.DataFrame = field(default_factory=pd.DataFrame)
    indicators: pd.DataFrame = field(default_factory=pd.DataFrame)
    comparison: pd.DataFrame = field(default_factory=pd.DataFrame)
    flags: pd.DataFrame = field(default_factory=pd.DataFrame)
    message: str | None = None

    @property
    def label(self) -> str:
        """The region as a heading names it: 江苏省（320000）, 资阳市（512000）, 全部机关."""
        if not self.region:
            return "全部机关"
        if not self.region.isdigit():
            return self.region  # asked by name
        if self.region.endswith("0000") and self.region[:2] in PROVINCE_NAMES:
            return f"{PROVINCE_NAMES[self.region[:2]]}（{self.region}）"
        rows = (
            self.bodies.loc[self.bodies["region_code"] == self.region]
            if not self.bodies.empty
            else self.bodies
        )
        names = sorted(set(rows["region_name"].dropna().astype(str))) if not rows.empty else []
        return f"{names[0]}（{self.region}）" if len(names) == 1 else f"地区{self.region}"


def load_region(
    region: str | None, year: int | None = None, db: str | Path | None = None
) -> RegionYear:
    """Load every body of ``region`` (a GB/T 2260 code such as ``320000`` or a region name;
    None or "" = every body in the store) for ``year`` (None: the latest year any of them
    reported). Never raises for missing data: see ``message``."""
    path = store.reading_path(db)
    out = RegionYear(region=str(region) if region else None, db=path)
    out.message = _store_missing(path)
    if out.message:
        return out
    try:
        out.bodies = store.bodies(path, region=out.region) if out.region else store.bodies(path)
    except GovstatsError as exc:
        out.message = f"无法识别地区“{region}”：{exc}"
        return out
    if out.bodies.empty:
        out.message = f"数据库中没有{out.label}的机关。"
        return out
    all_years = sorted({int(y) for ys in out.bodies["years"] for y in ys})
    out.year = int(year) if year is not None else (all_years[-1] if all_years else None)
    slugs = out.bodies["slug"].astype(str).tolist()
    frame = (
        store.load(path, body=slugs, years=[out.year]) if out.year is not None else pd.DataFrame()
    )
    out.flags = _flags(out, frame)
    if frame.empty:
        out.message = (
            f"{out.label}的机关都没有{out.year}年度的报告（"
            f"已有：{'、'.join(map(str, all_years))}年）。"
        )
        return out
    assert out.year is not None  # else the frame is empty (above)
    names = dict(zip(out.bodies["body_key"], out.bodies["body"], strict=True))
    out.frame = frame.assign(
        body=frame["body_key"].map(names).fillna(frame["body"]).astype("string")
    )
    out.indicators = analysis.indicators(out.frame)
    out.comparison = analysis.compare(out.indicators, out.year, out.bodies[["body", "level"]])
    return out


def _flags(r: RegionYear, frame: pd.DataFrame) -> pd.DataFrame:
    """Per body: has a report for the year, its missing tables, and its check findings."""
    reports = store.reports(r.db, all_versions=False)
    reports = reports.loc[reports["year"] == r.year] if r.year is not None else reports.iloc[0:0]
    found = (
        crossyear.check_store(
            r.db, body=r.bodies["slug"].astype(str).tolist(), years=[r.year, r.year - 1]
        )
        if r.year is not None and not frame.empty
        else pd.DataFrame(columns=["body", "year", "kind"])
    )
    found = found.loc[found["year"] == r.year] if len(found) else found
    ids = frame.groupby("body_key")["report_id"].agg(set).to_dict() if not frame.empty else {}
    rows = []
    for b in r.bodies.itertuples(index=False):
        mine = reports.loc[reports["report_id"].isin(ids.get(b.body_key, set()))]
        hits = found.loc[found["report_id"].isin(mine["report_id"])] if len(found) else found
        missing = ""
        if not mine.empty:
            missing = str(mine["missing"].iloc[0] or "")
            missing = "" if missing in ("", "[]", "None") else missing
        status = "无本年度报告" if mine.empty else ("报告不完整" if missing else "有")
        rows.append(
            {
                "机关": b.body,
                "级别": analysis.LEVEL_LABELS.get(
                    b.level if isinstance(b.level, str) else analysis.UNKNOWN_LEVEL, b.level
                ),
                f"{r.year}年度报告": status,
                "缺失表格": missing or "—",
                "勾稽关系不符": int((hits["kind"] == "breach").sum()) if len(hits) else 0,
                "跨年度不一致": int((hits["kind"] == "crossyear").sum()) if len(hits) else 0,
                "正文与表格不一致": int((hits["kind"] == "narrative").sum()) if len(hits) else 0,
            }
        )
    return pd.DataFrame(rows)


def region_title(r: RegionYear) -> HTML:
    """The comparison's heading: region, year, how many bodies; and the message."""
    heading = f"{r.label}政府信息公开工作年度报告比较"
    if r.year is not None:
        heading += f"（{r.year}年度）"
    meta = ""
    if not r.bodies.empty:
        with_report = int((r.flags.iloc[:, 2] != "无本年度报告").sum()) if not r.flags.empty else 0
        meta = (
            f'<p style="{_META}">共 {len(r.bodies)} 个机关，其中 {with_report} 个有本年度报告。'
            "排名只在同一级别的机关之间进行（全市汇总不与单个部门比较）。</p>"
        )
    return _html(f"<h2>{_e(heading)}</h2>{meta}{_notice_html(r.message)}")


def flags_table(r: RegionYear) -> pd.DataFrame | None:
    """One row per body of the region: report present or missing, missing tables, findings."""
    return None if r.flags.empty else r.flags.set_index("机关")


def side_by_side(r: RegionYear) -> pd.DataFrame | None:
    """The compared indicators, a row per indicator and a column per body (grouped by level),
    each cell ``figure（第n/m）``: the rank among the m bodies of the same level with a value."""
    if r.comparison.empty:
        return None
    cmp = r.comparison
    cells = [
        f"{formatting.fmt_value(v, u)}" + (f"（第{int(k)}/{int(m)}）" if pd.notna(k) else "")
        for v, u, k, m in zip(
            cmp["value"], cmp["unit"], cmp["rank"], cmp["bodies_in_level"], strict=True
        )
    ]
    levels = cmp["level"].map(lambda lvl: analysis.LEVEL_LABELS.get(str(lvl), str(lvl)))
    table = cmp.assign(
        cell=cells, column=[f"{b}（{lvl}）" for b, lvl in zip(cmp["body"], levels, strict=True)]
    )
    order = table.drop_duplicates("label")["label"].tolist()
    columns = table.sort_values(["level", "body"]).drop_duplicates("column")["column"].tolist()
    wide = table.pivot(index="label", columns="column", values="cell").reindex(
        index=order, columns=columns
    )
    wide.index.name = "指标"
    wide.columns.name = None
    return wide.fillna("—")


#: the measures the comparison charts show
COMPARE_CHARTS = (
    ("requests", "new", "total"),
    ("outcomes", "share", "disclosed"),
    ("reviews", "per_100_requests", "all"),
)


def compare_chart(
    r: RegionYear, section: str, indicator: str, breakdown: str
) -> Image | HTML | None:
    """One compared measure as bars, bodies grouped by level, as a PNG image (None without data)."""
    if r.comparison.empty:
        return None
    return _png(plots.compare_bar(r.comparison, section, indicator, breakdown))
