"""The explore notebook's interactive view: pick a body and years from the store, see it update.

:func:`explore` returns an :class:`Explorer`. Displayed in JupyterLab it is a small ipywidgets
app (a body drop-down, a year-range slider, the year whose tables to show, and tabs for the
report's tables, the indicators, the charts, the data quality and the text of two years side by
side) that redraws when a selection changes. Its methods give the same pieces for the current
selection as plain cell values, so a notebook run without a front end (papermill, nbval,
nbconvert) still shows them.

Everything shown comes from :mod:`govstats.briefings.content` (indicators, charts, findings),
:mod:`govstats.jupyter.display` (the report laid out as printed) and :mod:`govstats.narrative`
(the text compared, rendered by :func:`govstats.narrative.render.comparison_html`); this module
only wires widgets.
The panes are ``ipywidgets.HTML`` values (:func:`as_html`), not Output widgets capturing display
calls: building the view inside a cell's display then sends no nested outputs (papermill's client
stalled on those until its cell timeout). :func:`stored_report` rebuilds a
:class:`~govstats.report.Report` from the store.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import ipywidgets as w
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, display

from govstats import analysis, narrative, store
from govstats.briefings import content
from govstats.errors import GovstatsError
from govstats.narrative import render
from govstats.report import Report, Section, Value
from govstats.store import reading_path

#: tab titles, in order
TABS = ("报表", "指标", "图表", "数据质量", "文本对比")
#: the indicator groups shown in the 指标 tab: section → heading
SECTIONS = analysis.SECTION_LABELS


def _json_list(text: Any) -> list:
    if text is None or text is pd.NA or (isinstance(text, float) and pd.isna(text)):
        return []
    value = json.loads(text) if isinstance(text, str) else text
    return list(value or [])


def stored_report(body: str, year: int, db: str | Path | None = None) -> Report:
    """The current stored version of ``body``'s report for ``year``, as a :class:`Report`.

    ``body``: slug, printed name or alias; ``db``: the store (None: ``default_db()``). Values,
    labels, sources, layouts, missing tables and warnings are as stored; the printed text of
    each cell is not stored, so ``Value.printed`` is "". Raises :class:`GovstatsError` naming
    the body and year when the store has no such report.
    """
    path = reading_path(db)
    frame = store.load(path, body=body, years=[int(year)])
    if frame.empty:
        raise GovstatsError(f"{path}: no stored report of {body!r} for {year}")
    report_id = str(frame["report_id"].iloc[0])
    frame = frame.loc[frame["report_id"] == report_id]
    meta = store.reports(path, all_versions=False)
    meta = meta.loc[meta["report_id"] == report_id].iloc[0]
    values = {
        (str(t), str(i), str(c)): Value(
            None if pd.isna(v) else float(v),
            "",
            "" if pd.isna(lab) else str(lab),
            "" if pd.isna(src) else str(src),
        )
        for t, i, c, v, lab, src in frame[
            ["table", "item", "column", "value", "label", "source"]
        ].itertuples(index=False)
    }
    layouts = (
        json.loads(meta["layouts"])
        if isinstance(meta["layouts"], str)
        else dict(meta["layouts"] or {})
    )
    return Report(
        name=str(meta["file_name"]),
        format=str(meta["format"]),
        report_id=report_id,
        body=None if pd.isna(meta["body"]) else str(meta["body"]),
        year=int(meta["year"]),
        template=None if pd.isna(meta["template"]) else str(meta["template"]),
        values=values,
        layouts=layouts,
        missing=[str(t) for t in _json_list(meta["missing"])],
        warnings=[str(w) for w in _json_list(meta["warnings"])],
    )


class Shown(list):
    """Several displayable things shown one after the other as one cell's value.

    Figures are closed once shown, so the inline backend does not draw them a second time.
    """

    def _ipython_display_(self) -> None:
        for item in self:
            display(item)
            if hasattr(item, "savefig"):
                plt.close(item)


class Explorer:
    """One body and a span of years from the store, with a widget view and plain-value views.

    Attributes ``body`` (slug), ``years`` (first, last), ``year`` (the report shown) hold the
    selection; :meth:`select` changes it. ``text_pair`` (the year compared with, the year
    shown) holds the two years whose text :meth:`text_diff` compares; :meth:`select_text`
    changes it. ``series`` is the :class:`content.BodySeries` of the selection (its
    ``message`` says why something is missing).
    """

    def __init__(
        self,
        body: str,
        years: tuple[int, int] | None = None,
        year: int | None = None,
        db: str | Path | None = None,
    ):
        self.db = reading_path(db)
        self.body = body
        self.years = years
        self.year = year
        self.series = content.BodySeries(query=body, db=self.db)
        self.all_years: list[int] = []
        self._widget: w.Widget | None = None
        self._full: content.BodySeries | None = None  # the body's whole series, read once per body
        self._sections: dict[int, list[Section]] | None = None  # the body's text, read when shown
        self.text_pair: tuple[int, int] | None = None
        self.select(body, years, year)

    # -- selection ------------------------------------------------------------------------

    def select(
        self, body: str | None = None, years: tuple[int, int] | None = None, year: int | None = None
    ) -> None:
        """Change the selection (None keeps a part; ``years`` not stored are clipped).

        The store is read again only when the body or the span of years changes.
        """
        new_body = self._full is None or (body is not None and body != self.body)
        if new_body or self._full is None:
            self.body = body if body is not None else self.body
            self.years, self.year = years, year
            self._full = content.load_body(self.body, db=self.db)
            self.all_years = self._full.years
            self._sections, self.text_pair = None, None
        else:
            self.years = years if years is not None else self.years
            self.year = year if year is not None else self.year
        if not self.all_years:  # no store, unknown body or no reports: nothing to select
            self.series, self.years, self.year = self._full, None, None
            return
        lo, hi = self.years or (self.all_years[0], self.all_years[-1])
        chosen = [y for y in self.all_years if lo <= y <= hi] or self.all_years
        self.years = (chosen[0], chosen[-1])
        if self.year not in chosen:
            self.year = chosen[-1]
        if new_body or chosen != self.series.years:
            if chosen == self.all_years:
                self.series = replace(self._full)
            else:
                self.series = content.load_body(self.body, years=chosen, year=self.year, db=self.db)
        self.series.year = self.year  # in the loaded span, so has_year holds and no message is due

    # -- plain views (what each tab shows) ------------------------------------------------

    def title(self):
        """Heading: body, years, level, region, templates (and why data is missing)."""
        return content.title(self.series)

    def report(self) -> Report | Any:
        """The report of the selected year laid out as printed (a Report; displays as HTML)."""
        if not self.series.has_year or self.year is None:
            return content.notice(self.series.message or "没有可显示的年度报告。")
        return stored_report(self.body, self.year, self.db)

    def indicators(self) -> Shown:
        """Headline sentences and the four indicator tables (headings included)."""
        out = Shown()
        if self.series.indicators.empty:
            return Shown([content.notice(self.series.message or "没有指标数据。")])
        head = content.headlines(self.series)
        if head is not None:
            out += [HTML(f"<h4>{self.year}年度核心数据</h4>"), head]
        for section, heading in SECTIONS.items():
            table = content.section_table(self.series, section)
            if table is not None and len(table):
                out += [HTML(f"<h4>{heading}</h4>"), table]
        return out

    def charts(self) -> Shown:
        """The charts of the indicator groups (matplotlib figures)."""
        figures = [content.chart(self.series, name) for name in content.CHARTS]
        shown: list[object] = [f for f in figures if f is not None]
        return Shown(shown or [content.notice(self.series.message or "没有可绘制的数据。")])

    def quality(self):
        """This body's breaches and year-over-year findings over the selected years."""
        shown = content.quality(self.series)
        return shown if shown is not None else content.notice(self.series.message or "没有数据。")

    def _text(self) -> dict[int, list[Section]]:
        """year → the body's stored sections (read once per body; empty without text)."""
        if self._sections is None:
            slug = self._full.slug if self._full is not None else None
            frame = store.load_sections(body=slug, db=self.db) if slug and self.all_years else None
            self._sections = {} if frame is None else narrative.sections_by_year(frame)
        return self._sections

    @property
    def text_years(self) -> list[int]:
        """The years whose report text the store holds for the body."""
        return sorted(self._text())

    def select_text(self, previous: int | None = None, year: int | None = None) -> None:
        """Choose the two years the 文本对比 tab compares (None keeps a part; by default the
        latest year with text and the one before it; a year without text is replaced so)."""
        years = self.text_years
        if not years:
            self.text_pair = None
            return
        now = year if year is not None else (self.text_pair[1] if self.text_pair else None)
        now = now if now in years else years[-1]
        then = previous if previous is not None else (self.text_pair[0] if self.text_pair else None)
        if then not in years or then == now:
            before = [y for y in years if y < now]
            then = before[-1] if before else now
        self.text_pair = (then, now)

    def text_diff(self) -> HTML:
        """The text of the two years of ``text_pair`` section by section, side by side:
        carried-over sentences muted, new ones marked (:func:`render.comparison_html`)."""
        by_year = self._text()
        if not by_year:
            missing = self._full.message if self._full is not None else None
            return content.notice(missing or content.NO_TEXT)
        if self.text_pair is None:
            self.select_text()
        assert self.text_pair is not None  # there is text (above)
        then, now = self.text_pair
        if then == now:
            return content.notice(f"只有{now}年度的报告文本，没有可以对比的年度。")
        c = narrative.compare_sections(by_year[now], by_year[then], year=now, previous_year=then)
        heading = f"{self.series.body or self.body}：{now}年度与{then}年度报告文本对比"
        return HTML(
            f'<style type="text/css">{render.CSS}</style><h4>{html.escape(heading)}</h4>'
            + render.comparison_html(c, f"{then}年", f"{now}年")
        )

    # -- the widget -----------------------------------------------------------------------

    def widget(self) -> w.Widget:
        """The interactive view (built once): selectors on top, tabs below, redrawn on change."""
        if self._widget is None:
            self._widget = _build_widget(self)
        return self._widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.widget()._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self) -> str:
        return f"<Explorer {self.body} {self.years} year={self.year} db={self.db}>"


def bodies_table(db: str | Path | None = None):
    """The bodies in the store with their slug, level, region and years (a notice when the
    store does not exist yet)."""
    path = reading_path(db)
    missing = content._store_missing(path)
    if missing:
        return content.notice(missing)
    table = store.bodies(path)
    columns = {
        "slug": "代号",
        "body": "机关",
        "level": "级别",
        "region_name": "地区",
        "region_code": "区划代码",
        "years": "年度",
        "known": "已登记",
    }
    table = table.assign(years=table["years"].map(lambda ys: "、".join(str(y) for y in ys)))
    return table[list(columns)].rename(columns=columns)


def _body_options(db: Path) -> list[tuple[str, str]]:
    if not db.is_file():
        return []
    table = store.bodies(db)
    return [(f"{b}（{s}）", str(s)) for b, s in zip(table["body"], table["slug"], strict=True)]


def as_html(item: Any) -> str:
    """One view (a Report, frame, Styler, IPython HTML/Image, figure or :class:`Shown`) as an
    HTML fragment, for the widget's panes: the widget shows HTML values, so nothing is printed
    or captured while the view is drawn. Figures are embedded as PNG and closed."""
    if isinstance(item, Shown):
        return "".join(as_html(i) for i in item)
    if hasattr(item, "savefig"):  # a matplotlib figure
        buffer = io.BytesIO()
        item.savefig(buffer, format="png")
        plt.close(item)
        return _img(buffer.getvalue())
    png = getattr(item, "_repr_png_", None)
    if png is not None:
        data = png()
        data = data[0] if isinstance(data, tuple) else data
        if data:
            return _img(data if isinstance(data, bytes) else base64.b64decode(data))
    markup = getattr(item, "_repr_html_", None)
    if markup is not None:
        out = markup()
        if out:
            return out
    return f"<pre>{html.escape(str(item))}</pre>"


def _img(png: bytes) -> str:
    return (
        '<img alt="" style="max-width:100%" '
        f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
    )


def _build_widget(ex: Explorer) -> w.Widget:
    options = _body_options(ex.db)
    if ex.body not in [s for _, s in options]:
        options.append((ex.body, ex.body))
    body = w.Dropdown(
        options=options, value=ex.body, description="机关", layout=w.Layout(width="28em")
    )
    span = w.SelectionRangeSlider(
        options=ex.all_years or [0],
        description="年度范围",
        continuous_update=False,
        layout=w.Layout(width="28em"),
    )
    year = w.Dropdown(options=[], description="报表年度", layout=w.Layout(width="14em"))
    heading = w.HTML()
    panes = [w.HTML() for _ in TABS]
    then = w.Dropdown(options=[], description="对比年度", layout=w.Layout(width="14em"))
    now = w.Dropdown(options=[], description="本年度", layout=w.Layout(width="14em"))
    text = TABS.index("文本对比")
    children: list[w.Widget] = list(panes)
    children[text] = w.VBox([w.HBox([then, now]), panes[text]])
    tab = w.Tab(children=children, titles=TABS)
    busy = {"now": False}  # programmatic option changes must not redraw half-updated state

    def sync_controls() -> None:
        busy["now"] = True
        try:
            span.options = ex.all_years or [0]
            span.value = ex.years if ex.years else (span.options[0], span.options[-1])
            span.disabled = not ex.all_years
            chosen = [y for y in ex.all_years if ex.years and ex.years[0] <= y <= ex.years[1]]
            year.options = chosen
            year.value = ex.year if ex.year in chosen else None
            year.disabled = not chosen
        finally:
            busy["now"] = False

    views = (ex.report, ex.indicators, ex.charts, ex.quality, ex.text_diff)
    stale: set[int] = set()  # tabs drawn for an older selection: redrawn when opened

    def sync_text() -> None:  # the text is read only once its tab is opened
        busy["now"] = True
        try:
            if ex.text_pair is None:
                ex.select_text()
            then.options = now.options = ex.text_years
            then.value, now.value = ex.text_pair or (None, None)
            then.disabled = now.disabled = len(ex.text_years) < 2
        finally:
            busy["now"] = False

    def draw_tab(change=None) -> None:
        index = tab.selected_index or 0
        if index in stale:
            stale.discard(index)
            if index == text:
                sync_text()
            panes[index].value = as_html(views[index]())

    def redraw() -> None:
        heading.value = as_html(ex.title())
        stale.update(range(len(views)))
        draw_tab()

    def changed(change) -> None:
        if busy["now"]:
            return
        if change["owner"] in (then, now):
            ex.select_text(then.value, now.value)
            sync_text()
            stale.add(text)
            draw_tab()
            return
        if change["owner"] is body:
            ex.select(body=body.value)
        elif change["owner"] is span:
            ex.select(years=tuple(span.value))
        else:
            ex.select(year=year.value)
        sync_controls()
        redraw()

    sync_controls()
    redraw()
    for control in (body, span, year, then, now):
        control.observe(changed, names="value")
    tab.observe(draw_tab, names="selected_index")
    return w.VBox([w.HBox([body, span, year]), heading, tab])


def explore(
    body: str,
    years: tuple[int, int] | list[int] | None = None,
    year: int | None = None,
    db: str | Path | None = None,
) -> Explorer:
    """An :class:`Explorer` of ``body`` (slug, name or alias) over ``years`` (first, last;
    None: all stored), showing the tables of ``year`` (None: the last); ``db``: the store
    (None or "": ``govstats.config.default_db()``). Display it for the interactive view."""
    span = None if years is None else (min(years), max(years))
    return Explorer(body, span, year, db or None)
