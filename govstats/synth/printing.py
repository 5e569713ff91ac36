"""A generated report printed: as the reader intermediate, then in any format a reader takes.

:func:`to_document` lays the report out as the template prints it (a
:class:`govstats.reading.document.Document`); :func:`render` prints it in one of
:func:`formats`: the plain text formats of :mod:`govstats.synth.writing`, the Word-style HTML
flavour (:func:`word_html`, dressed the way Word/TRS exports look) and the forms of common tools
and crawlers (:mod:`govstats.synth.toolforms`). :func:`suffix` and :func:`ambiguous_cells` say
how a format is stored and which cells it leaves ambiguous by its nature.
"""

from __future__ import annotations

import html as html_lib
import importlib
import re
import zlib

import numpy as np
from lxml import html as lxml_html

from govstats import schema
from govstats.reading.document import Block, Cell, Document
from govstats.synth import toolforms
from govstats.synth.reports import SYNTHETIC_NOTICE, GeneratedReport, Key
from govstats.synth.writing import write

#: formats written by :func:`govstats.synth.writing.write`
TEXT_FORMATS = ("txt-pipe", "txt-plain", "txt-runtogether", "markdown", "html")
#: flavours this module adds on top of them
FLAVOUR_FORMATS = ("html-word",)
#: formats rendered by the PDF/Word helpers' writers when they exist (see :func:`formats`)
BINARY_FORMATS = ("pdf", "docx")


# ---------------------------------------------------------------------------------------------
# The report as a Document


class _DocumentBuilder:
    def __init__(self, name: str, fmt: str):
        self.doc = Document(name=name, format=fmt)
        self.table: int | None = None
        self.row_no = 0

    def text(self, line: str) -> None:
        n = len(self.doc.blocks) + 1
        self.doc.blocks.append(Block("text", [Cell(line, f"block {n}")], f"block {n}"))

    def start_table(self) -> None:
        self.table = (self.table or 0) + 1
        self.row_no = 0

    def row(self, *cells: str | tuple[str, int, int]) -> None:
        self.row_no += 1
        where = f"table {self.table} row {self.row_no}"
        out = []
        for i, c in enumerate(cells, 1):
            text, rowspan, colspan = (c, 1, 1) if isinstance(c, str) else c
            out.append(Cell(text, f"{where} cell {i}", rowspan=rowspan, colspan=colspan))
        self.doc.blocks.append(Block("row", out, where, table=self.table))


def to_document(report: GeneratedReport, fmt: str = "html") -> Document:
    """The report as the reader intermediate: title, preamble, the three tables, closing text.

    Tables are laid out as the template prints them (header bands, merged cells recorded as
    spans); cell texts are ``report.printed``; row labels follow ``report.row_labels``.
    """
    b = _DocumentBuilder(f"{report.name}.{fmt}", fmt)
    body, year = report.body.name, report.year
    title = f"{body}{year}年政府信息公开工作年度报告"
    b.doc.title = title
    b.text(title)
    b.text(SYNTHETIC_NOTICE)
    b.text(
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）规定，现公布{title}。"
        "本报告由总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
        "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、"
        "其他需要报告的事项六个部分组成。"
        f"本报告中所列数据统计期限为{year}年1月1日至{year}年12月31日。"
    )
    if report.narrative is None:
        b.text("一、总体情况")
        b.text(f"{year}年，{body}认真贯彻落实《条例》，持续推进政务公开工作（示例文本）。")
    else:
        _narrative(b, report, ("overview",) + tuple(_SUBSECTIONS))
    b.text(schema.TABLE_LABELS["publication"])
    b.start_table()
    _publication_rows(b, report)
    b.text(schema.TABLE_LABELS["requests"])
    b.start_table()
    _requests_rows(b, report)
    b.text(schema.TABLE_LABELS["review"])
    b.start_table()
    _review_rows(b, report)
    if report.narrative is None:
        b.text("五、存在的主要问题及改进情况")
        b.text("（示例文本）政务公开工作仍有不足，下一步将持续改进。")
        b.text("六、其他需要报告的事项")
        b.text("本机关未收取信息处理费。" if report.template == "2021" else "无。")
    else:
        _narrative(b, report, ("problems", "other"))
    return b.doc


_SUBSECTIONS = (
    "overview.proactive",
    "overview.requests",
    "overview.management",
    "overview.platforms",
    "overview.oversight",
)


def _narrative(b: _DocumentBuilder, report: GeneratedReport, codes: tuple[str, ...]) -> None:
    """The generated narrative's sections (govstats.synth.narrative): heading, one paragraph,
    printed in ``report.narrative_form`` (heading variants, a lost 五、 heading, page furniture
    after the last section)."""
    from govstats.synth.narrative import PROBLEMS_PARTS, Form, problems_parts, text_of

    form = report.narrative_form or Form()
    for code in codes:
        if code == "problems" and form.lost_problems_heading:
            issues, improvements = problems_parts(report)
            b.text(PROBLEMS_PARTS[0])
            b.text(issues)
            if improvements:
                b.text(PROBLEMS_PARTS[1])
                b.text(improvements)
            continue
        b.text(form.heading(code))
        b.text(text_of(report, code))
    if codes[-1] == "other":
        for line in form.furniture:
            b.text(line)


def _cell(report: GeneratedReport, key: Key) -> str:
    return report.printed.get(key, "")


def _publication_rows(b: _DocumentBuilder, report: GeneratedReport) -> None:
    layout = report.layouts["publication"]
    by_section: dict[str, list] = {}
    for item, columns in schema.PUBLICATION[layout].values():
        assert item.section is not None  # the template puts every table 二 row in a section
        by_section.setdefault(item.section, []).append((item, columns))
    for section, entries in by_section.items():
        b.row((section, 1, 4))
        columns = entries[0][1]
        span = 3 if len(columns) == 1 else 1
        header = [(c.label, 1, span) for c in columns] + ([("", 1, 1)] if len(columns) == 2 else [])
        b.row(schema.PUBLICATION_ROW_HEADER, *header)
        for item, cols in entries:
            label = report.row_labels.get(("publication", item.code), item.label)
            cells = [(_cell(report, ("publication", item.code, c.code)), 1, span) for c in cols]
            cells += [("", 1, 1)] if len(cols) == 2 else []
            b.row(label, *cells)


_RESULTS = "三、本年度办理结果"


def _requests_rows(b: _DocumentBuilder, report: GeneratedReport) -> None:
    layout = report.layouts["requests"]
    merged = report.merged_legal_person
    col_label = {
        c.code: report.column_labels.get(("requests", c.code), c.label)
        for c in schema.REQUEST_COLUMNS
    }
    if merged:
        b.row((schema.REQUESTS_CORNER_NOTE, 2, 3), (schema.APPLICANT_HEADER, 1, 3))
        b.row(col_label["natural_person"], schema.LEGAL_PERSON_LABEL, col_label["total"])
    else:
        b.row((schema.REQUESTS_CORNER_NOTE, 3, 3), (schema.APPLICANT_HEADER, 1, 7))
        b.row(
            (col_label["natural_person"], 2, 1),
            (schema.LEGAL_PERSON_LABEL, 1, 5),
            (col_label["total"], 2, 1),
        )
        b.row(*[col_label[c] for c in schema.LEGAL_PERSON_COLUMNS])

    def numbers(item: str) -> list[str]:
        if merged:
            aggregate = report.legal_person.get(item)
            return [
                _cell(report, ("requests", item, "natural_person")),
                "" if aggregate is None else str(int(aggregate)),
                _cell(report, ("requests", item, "total")),
            ]
        return [_cell(report, ("requests", item, c.code)) for c in schema.REQUEST_COLUMNS]

    def label(item: schema.Item) -> str:
        return report.row_labels.get(("requests", item.code), item.label)

    def group(text: str) -> str:
        return report.row_labels.get(("group", text), text)

    items = [
        i for i in schema.REQUEST_ITEMS[layout] if not (layout == "2021" and i.code == "other")
    ]
    n_result_rows = len(
        [i for i in items if i.code not in ("new", "carried_over", "carried_forward")]
    )
    first_result = True
    seen_groups: set[str] = set()
    for item in items:
        if item.code in ("new", "carried_over", "carried_forward"):
            b.row((label(item), 1, 3), *numbers(item.code))
            continue
        assert item.group is not None  # the template puts every other table 三 row in a group
        lead: list = []
        if first_result:
            lead.append((_RESULTS, n_result_rows, 1))
            first_result = False
        if item.group == _RESULTS:
            b.row(*lead, (label(item), 1, 2), *numbers(item.code))
            continue
        if item.group not in seen_groups:
            seen_groups.add(item.group)
            size = len([i for i in items if i.group == item.group])
            lead.append((group(item.group), size, 1))
        b.row(*lead, label(item), *numbers(item.code))


def _review_rows(b: _DocumentBuilder, report: GeneratedReport) -> None:
    cols = [
        report.column_labels.get(("review", c.code), c.label) if c.code == "total" else c.label
        for c in schema.REVIEW_COLUMNS
    ]
    b.row(("行政复议", 1, 5), ("行政诉讼", 1, 10))
    b.row(*[(c, 2, 1) for c in cols], ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5))
    b.row(*(cols + cols))
    b.row(
        *[
            _cell(report, ("review", i.code, c.code))
            for i in schema.REVIEW_ITEMS
            for c in schema.REVIEW_COLUMNS
        ]
    )


# ---------------------------------------------------------------------------------------------
# Rendering


def formats() -> tuple[str, ...]:
    """The formats :func:`render` can produce in this installation."""
    out = TEXT_FORMATS + FLAVOUR_FORMATS + tuple(toolforms.forms())
    return out + tuple(f for f in BINARY_FORMATS if _binary_writer(f) is not None)


def _binary_writer(fmt: str):
    """The PDF/Word writer of the format helpers, when they provide one (else ``None``)."""
    for module_name, attr in (
        ("govstats.synth.writing", f"write_{fmt}"),
        (f"govstats.reading.{fmt}", f"write_{fmt}"),
    ):
        writer = getattr(importlib.import_module(module_name), attr, None)
        if writer is not None:
            return writer
    return None


def render(report: GeneratedReport, fmt: str) -> str | bytes:
    """The report printed in ``fmt`` (one of :func:`formats`): ``str`` for text, ``bytes`` for
    PDF/docx."""
    document = to_document(report, fmt)
    if fmt in TEXT_FORMATS:
        return write(document, fmt)
    if fmt == "html-word":
        return word_html(write(document, "html"), seed=report.body.index * 31 + report.year)
    form = toolforms.forms().get(fmt)
    if form is not None:
        rng = np.random.default_rng([report.body.index, report.year, zlib.crc32(fmt.encode())])
        return form.render(document, report, rng)
    writer = _binary_writer(fmt) if fmt in BINARY_FORMATS else None
    if writer is None:
        raise ValueError(f"cannot render format {fmt!r}; available: {', '.join(formats())}")
    return writer(document)


_TD_STYLE = (
    "width:{w}pt;border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;"
    "padding:0cm 5.4pt 0cm 5.4pt"
)
_SPAN_STYLE = (
    "font-size:10.5pt;font-family:宋体;mso-ascii-font-family:Calibri;mso-hansi-font-family:Calibri"
)


def word_html(simple_html: str, seed: int = 0) -> str:
    """Dress simple HTML the way Word / TRS editors export it (same cells, same text).

    Adds a Word ``<head>`` (mso meta, conditional comments, a style sheet), ``MsoNormalTable``
    attributes, per-cell mso styles, each cell's text inside ``<p class=MsoNormal><span …>``
    with digits split across several spans, ``<o:p>`` marks, ``&nbsp;`` padding around labels
    and in empty cells, and non-breaking spaces inside some long labels. A reader that folds
    whitespace and joins a cell's text recovers exactly the simple HTML's cell texts.
    """
    rng = np.random.default_rng(seed)
    tree = lxml_html.document_fromstring(simple_html)
    out: list[str] = [
        '<html xmlns:v="urn:schemas-microsoft-com:vml" '
        'xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">',
        '<head><meta http-equiv=Content-Type content="text/html; charset=utf-8">',
        '<meta name=ProgId content=Word.Document><meta name=Generator content="Microsoft Word 15">',
        "<!--[if gte mso "
        "9]><xml><w:WordDocument><w:View>Print</w:View></w:WordDocument></xml><![endif]-->",
        '<style><!-- p.MsoNormal {mso-style-parent:""; margin:0cm; font-size:10.5pt;} '
        "table.MsoNormalTable {mso-style-name:普通表格;} --></style>",
        f"<title>{html_lib.escape(tree.findtext('.//title') or '')}</title></head>",
        "<body lang=ZH-CN style='tab-interval:21.0pt'><div class=WordSection1>",
    ]
    body = tree.find("body")
    for element in body.iterchildren() if body is not None else []:
        if element.tag == "table":
            out.append(_word_table(element, rng))
        else:
            text = element.text_content()
            out.append(
                "<p class=MsoNormal style='text-indent:21.0pt;mso-char-indent-count:2.0'>"
                f"<span style='{_SPAN_STYLE}'>{html_lib.escape(text)}<o:p></o:p></span></p>"
            )
    out.append("</div></body></html>")
    return "\n".join(out)


def _word_cell_text(text: str, rng: np.random.Generator) -> str:
    if not text:
        return (
            "<p class=MsoNormal align=center style='text-align:c"
            "enter'><span lang=EN-US>&nbsp;<o:p></o:p></span></p>"
        )
    if re.fullmatch(r"[0-9.,]+", text) and len(text) > 1 and rng.random() < 0.6:
        cut = int(rng.integers(1, len(text)))
        pieces = [text[:cut], text[cut:]]  # digits split across spans, as Word does after edits
    elif len(text) > 6 and rng.random() < 0.5:
        cut = int(rng.integers(1, len(text)))
        pieces = [text[:cut], text[cut:]]
    else:
        pieces = [text]
    spans = "".join(
        f"<span lang=EN-US style='{_SPAN_STYLE}'>{html_lib.escape(p)}</span>" for p in pieces
    )
    pad = "&nbsp;&nbsp;" if not text[0].isdigit() and rng.random() < 0.3 else ""
    return (
        "<p class=MsoNormal align=center style='text-align:center;mso-pagination:widow-orphan'>"
        f"{pad}{spans}{pad}<span lang=EN-US><o:p></o:p></span></p>"
    )


def _word_table(table, rng: np.random.Generator) -> str:
    rows: list[str] = []
    for tr in table.iter("tr"):
        cells = []
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            span = "".join(
                f" {a}={td.get(a)}" for a in ("rowspan", "colspan") if td.get(a) not in (None, "1")
            )
            text = " ".join(td.text_content().split())
            width = 40 * int(td.get("colspan") or 1)
            cells.append(
                f"<td{span} valign=middle "
                f"style='{_TD_STYLE.format(w=width)}'>{_word_cell_text(text, rng)}</td>"
            )
        rows.append(f"<tr style='mso-yfti-irow:{len(rows)};height:15.6pt'>{''.join(cells)}</tr>")
    return (
        "<div align=center><table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
        "style='border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt;"
        "mso-yfti-tbllook:1184;mso-padding-alt:0cm 5.4pt 0cm 5.4pt'><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


#: file suffix per format
SUFFIX = {
    "txt-pipe": ".txt",
    "txt-plain": ".txt",
    "txt-runtogether": ".txt",
    "markdown": ".md",
    "html": ".html",
    "html-word": ".html",
    "pdf": ".pdf",
    "docx": ".docx",
}


def suffix(fmt: str) -> str:
    """The file suffix of format ``fmt`` (a tool form's own, else :data:`SUFFIX`)."""
    form = toolforms.forms().get(fmt)
    return form.suffix if form is not None else SUFFIX[fmt]


def ambiguous_cells(report: GeneratedReport, fmt: str) -> frozenset:
    """The cells format ``fmt`` makes ambiguous by its nature (NA with a warning is right there)."""
    form = toolforms.forms().get(fmt)
    return form.ambiguous(report) if form is not None else frozenset()
