"""Read a report published as PDF into the shared :class:`~govstats.reading.document.Document`.

Two engines read the pages into one page model (characters with their boxes and font size,
visible rules, image count); the reader above them knows page geometry, not the template: it
finds the tables a page draws with ruling lines, reads each cell's characters by position, and
turns the text around the tables into paragraphs.

* **Engines**: pdfium through ``pypdfium2`` (the default, about 7× faster per page) and
  pdfplumber (pdfminer.six; the fallback, and the tests' reference: every PDF the tests know
  gives the same tidy data with both). ``read_pdf(..., engine=)``, else
  ``$GOVSTATS_PDF_ENGINE`` (``pdfium`` | ``pdfplumber``), else pdfium; ``govstats
  --pdf-engine`` sets the variable, so that ingest's worker processes use it too. pdfium is not
  thread-safe: read PDFs in processes (ingest does), not threads.
* **How the engines were made to agree**: an upright character's box is its advance from the
  origin and the font size above the baseline, in both (pdfminer puts the bottom at the font
  descriptor's descent, which Chromium's CJK fonts lack, and pdfium at the font program's);
  pdfium's generated characters (spaces and line breaks it infers) are skipped, so spaces come
  from the gaps as before. pdfium also reports many *real* space glyphs as generated: so that
  this does not matter, a space between two CJK characters is layout in both engines (as a
  justification gap is: ``国务院 省政府`` reads ``国务院省政府``), and a space glyph does not
  extend its line (its box is not ink). What still differs in text blocks: a real space glyph
  narrower than the gap rule between a Latin and a CJK character (Chromium's CJK font has a
  0.22 em space: ``由 govstats 生成`` / ``由govstats生成``), and in the site navigation of printed
  web pages a line's top where its glyphs' fonts differ; the tidy data are the same. Glyphs
  pdfium maps to several characters (ligatures ``ﬁ``) read as pdfminer's one character does,
  ligature code points are read as their letters, ``〈〉`` U+2329/U+232A as U+3008/U+3009,
  Kangxi radicals as ideographs (pdfium maps some itself; its box for those is the glyph's, so
  such a glyph is given a font size's width). Vertical
  (Identity-V) fonts: pdfium's box is not scaled by the matrix; a font-size square at the
  origin, as pdfminer gives. Rotated pages (``/Rotate``) are read as displayed, in both;
  characters outside the CropBox are dropped by pdfium (pdfplumber keeps them). Type 3 fonts:
  no PDF the tests know uses one, so the engines were not compared on them; both read their
  characters through the font's ToUnicode map when it has one. Rules: both classify each
  painted subpath as pdfminer does (line, rectangle, curve) and keep the visibly stroked or
  thinly filled ones (:mod:`~govstats.reading.pdf.edges`); sources are rounded to hundredths
  of a point before whole points, so float noise between the engines does not move them.

* **Tables** come from the page's *visible* rules only (stroked lines, stroked rectangles, thin
  filled bars). White cell backgrounds and shaded paragraphs are ignored, so a page whose body
  text sits in white boxes is not mistaken for a table. Each drawn table is closed at its top and
  bottom so that a merged cell cut by a page break (it loses its edge there) is still a cell.
* **Cells** are read as printed: a merged cell appears once with its column span counted on
  the table's grid and its row span in the rows read (an empty spacer row or a rule offset by
  a double border adds none); its characters are assigned by position, so digits of
  neighbouring cells never run together and never change order. Lines inside a cell are joined
  (without a space between two CJK characters: a PDF line break is layout, not text).
* **Pages**: a table that runs to the foot of one page and resumes at the top of the next is one
  table; a repeated header on the new page is dropped; a merged left-hand cell cut by the page
  break is joined back (its row span grows instead of an empty cell being printed twice), also
  when merged cells nested in one another are cut at once: Chromium draws such cells whole on
  the first page and leaves their continuation unruled (an L-shaped hole, read as one cell per
  column), and may print their centred label below the page's last row. Page
  furniture (page numbers such as ``- 3 -``, ``第3页``, ``3/5``; a running header or footer
  repeated on most pages) never becomes a block.
* **Tables without rules** (on pages that draw none): rows are lines ending in numbers; value
  columns are found by lining the numbers up across rows, cells are cut at wide gaps and at any
  gap next to a digit (digits of neighbouring cells never run together), and wrapped label
  lines join the row they belong to. Best effort: labels of neighbouring columns printed with
  no gap at all between them cannot be told apart without rules.
* **Text**: lines outside tables are joined into paragraphs (a paragraph ends at a short line,
  an indented line, a heading-sized gap or a change of font size), across a page break too.
  ``Document.title`` is the largest-type heading of the first page.

Glyphs some PDF producers map to Kangxi radicals (``⼈`` U+2F08 for ``人``) are read as the
ideographs they depict. A PDF without a text layer (a scan) or one that cannot be opened
(encrypted, damaged) raises :class:`govstats.ParseError` naming the file.

The package, lowest layer first (a module imports only from the ones above it):

* ``chars`` — the character as the engines give it, the distance tolerances, glyph cleaning
  (radicals → ideographs) and tests on character text (CJK, numbers, enumerators);
* ``edges`` — painted paths classified, visible rules as edge dicts, colours that show;
* ``lines`` — characters grouped into visual lines, a line's text, wrapped lines joined,
  positions named as sources;
* ``parts`` — ``_TablePart``, the part of a table drawn on one page, and how parts of one
  table fit together across a page break;
* ``ruled`` — visible ruling lines → table grids (pdfplumber's pure table functions, no
  pdfplumber page) → table parts with cells and spans, and the text of a cut cell overflowing
  below its table;
* ``unruled`` — tables printed without rules, found by lining up value columns;
* ``pages`` — the page model both engines fill (cleaned characters, visible rules, tables),
  the clear errors for files that cannot be read, the text-layer check, the metadata title;
* ``pdfium``, ``plumber`` — the two engines; ``engines`` — the one place that chooses one;
* ``furniture`` — page numbers and running headers/footers in the page margins;
* ``reader`` — ``_Reader``, which walks the pages in order and assembles table parts and
  text lines into the :class:`~govstats.reading.document.Document`.
"""

from __future__ import annotations

from govstats.errors import ParseError
from govstats.reading.document import Document
from govstats.reading.pdf.engines import ENGINE_VARIABLE, ENGINES, _open_pages, pdf_engine
from govstats.reading.pdf.reader import _Reader

__all__ = ["ENGINES", "ENGINE_VARIABLE", "pdf_engine", "read_pdf"]


def read_pdf(data: bytes, name: str, *, engine: str | None = None) -> Document:
    """Read the bytes of a PDF report into a :class:`Document` (format ``"pdf"``).

    ``name`` is how messages name the file. ``engine`` is ``"pdfium"`` or ``"pdfplumber"``
    (default: ``$GOVSTATS_PDF_ENGINE``, else pdfium). Cell sources read
    ``page 3 (x=120, y=455)``: the 1-based page and the top-left corner of the cell or line in
    PDF points from the page's top-left. Raises :class:`ParseError` when the PDF cannot be
    opened (encrypted, damaged) or has no text layer (a scan: OCR is not done).
    """
    pages, meta_title = _open_pages(data, name, engine)
    reader = _Reader(name)
    reader.meta_title = meta_title
    for number, page in enumerate(pages, start=1):
        reader.add_page(number, page)
    try:
        return reader.finish()
    except ParseError:
        raise
    except Exception as exc:  # a page the layout cannot make sense of: say so, no traceback
        raise ParseError(
            f"the PDF's pages could not be laid out ({type(exc).__name__}: {exc})", source=name
        ) from exc
