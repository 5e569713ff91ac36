"""Test-side rendering of reports into the formats bodies publish: PDF (headless Chromium's
``--print-to-pdf``), Word (.docx, python-docx) and a scanned, image-only PDF (pypdfium2 + Pillow).

Nothing here is part of govstats: these helpers make realistic input files for the PDF and
Word readers' tests from the corpus reports.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import lxml.html

from govstats.reading.document import Document
from tests.support.chromium import FLAGS, chromium_path

#: Debian packages the printed pages need: Chinese glyphs (else Chromium prints empty boxes)
FONT_PACKAGES = ("fonts-noto-cjk",)

#: A4 pages with ``- n -`` page numbers in the footer, as Chinese government PDFs print them
PAGE_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-center { content: "- " counter(page) " -"; font-size: 11pt; } }
"""


def inject_css(html: str, css: str) -> str:
    """The page with ``css`` added as the last style sheet of its head."""
    style = f"<style>{css}</style>"
    if re.search(r"</head\s*>", html, re.I):
        return re.sub(r"</head\s*>", lambda m: style + m.group(0), html, count=1, flags=re.I)
    return style + html


def break_before_row(html: str, row_text: str) -> str:
    """Force a page break before the table row whose text contains ``row_text``.

    Used to cut table 3 (申请情况) inside its merged （三）不予公开 group. Raises ValueError when
    no row holds the text.
    """
    root = lxml.html.document_fromstring(html)
    for tr in root.iter("tr"):
        text = re.sub(r"\s+", "", tr.text_content())
        if row_text in text and not tr.xpath(".//tr"):
            style = tr.get("style", "")
            tr.set("style", f"break-before: page; page-break-before: always; {style}")
            return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    raise ValueError(f"no table row contains {row_text!r}")


def repeat_header_rows(html: str, table_text: str, rows: int) -> str:
    """Make the first ``rows`` rows of the table containing ``table_text`` its ``<thead>``:
    Chromium then prints them again at the top of every page the table continues on."""
    root = lxml.html.document_fromstring(html)
    for table in root.iter("table"):
        if table_text in re.sub(r"\s+", "", table.text_content()) and not table.xpath(".//table"):
            trs = [tr for tr in table.iter("tr")][:rows]
            head = lxml.html.Element("thead")
            parent = trs[0].getparent()
            parent.addprevious(head) if parent.tag == "tbody" else table.insert(0, head)
            for tr in trs:
                head.append(tr)
            return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    raise ValueError(f"no table contains {table_text!r}")


def html_to_pdf(html: str, out: Path, *, header_footer: bool = False, timeout: float = 120) -> Path:
    """Print an HTML page to ``out`` with headless Chromium (offline; A4 with page numbers).

    ``header_footer`` keeps Chromium's own running header (date, title) and footer (URL, n/m):
    page furniture the reader must drop.
    """
    out = Path(out)
    source = out.with_suffix(".html")
    source.write_text(inject_css(html, PAGE_CSS), encoding="utf-8")
    cmd = [
        chromium_path(FONT_PACKAGES),
        *FLAGS,
        f"--user-data-dir={out.parent / ('.chromium-' + out.stem)}",
        "--run-all-compositor-stages-before-draw",
        "--virtual-time-budget=3000",
        f"--print-to-pdf={out}",
        *([] if header_footer else ["--no-pdf-header-footer"]),
        source.as_uri(),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        raise RuntimeError(f"chromium could not print {source}: {done.stderr[-1500:]}")
    return out


def document_to_docx(doc: Document, out: Path) -> Path:
    """Write a reader :class:`Document` as a Word file: text blocks as paragraphs, each table's
    rows as a real Word table with merged cells as real merges (gridSpan / vMerge)."""
    import docx

    word = docx.Document()
    if doc.title:
        word.core_properties.title = doc.title
    blocks = doc.blocks
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "text":
            word.add_paragraph(block.text)
            i += 1
            continue
        j = i
        while j < len(blocks) and blocks[j].kind == "row" and blocks[j].table == block.table:
            j += 1
        _add_table(word, [b.cells for b in blocks[i:j]])
        i = j
    word.save(str(out))
    return Path(out)


def _layout(rows: list[list]) -> tuple[list[tuple[int, int, object]], int]:
    """HTML table layout: each cell's (row, column) on the grid, skipping spanned slots."""
    taken: set[tuple[int, int]] = set()
    placed = []
    width = 0
    for r, cells in enumerate(rows):
        c = 0
        for cell in cells:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
            width = max(width, c)
    return placed, max([width] + [c + 1 for _, c in taken])


def _add_table(word, rows: list[list]) -> None:
    placed, width = _layout(rows)
    height = max([len(rows)] + [r + cell.rowspan for r, _, cell in placed])
    table = word.add_table(rows=height, cols=width)
    table.style = "Table Grid"
    for r, c, cell in placed:
        target = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            end = table.cell(min(r + cell.rowspan, height) - 1, min(c + cell.colspan, width) - 1)
            target = target.merge(end)
        target.text = cell.text


def scanned_pdf(pdf: Path, out: Path, *, page: int = 0, scale: float = 2.0) -> Path:
    """An image-only PDF of one page of ``pdf`` (what a scanner produces): no text layer."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        image = document[page].render(scale=scale).to_pil().convert("RGB")
    finally:
        document.close()
    image.save(str(out), "PDF", resolution=72 * scale)
    return Path(out)
