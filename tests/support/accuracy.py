"""Measured accuracy per form: generated reports printed in a form, read back, their cells counted
right / NA / WRONG (``tests/support/scoring.py``). Shared by
``tests/reading/test_forms_accuracy.py`` (a small sample, fast) and ``benchmarks/forms_accuracy.py``
(≥ 500 reports a form).

Forms are of two kinds, both found at run time (no list to keep in step):

* every format of :func:`govstats.synth.formats` (the writer's formats, the Word-style HTML
  flavour, and the forms of ``govstats.synth.toolforms`` as helpers add them); the cells NA may be
  left in are :func:`govstats.synth.ambiguous_cells`;
* real tools (``tests/support/tools.py``) run on a generated page or PDF, named
  ``<tool>(<source>)``, e.g. ``w3m(html)``, ``pdftotext-raw(pdf)``. A tool form's ambiguous
  cells are those of the generated form its output is like (get_text("\\n") is txt-lines,
  get_text("") is one paragraph, pdftotext -raw and markitdown's PDF text drop blank cells);
  the generated PDF is :func:`govstats.synth.render` ``(report, "pdf")`` when a PDF writer is
  installed, else the HTML printed by headless Chromium (``tests/support/render.py``, a few
  seconds a page).

A form is *read in full* (every cell right outside its ambiguous ones, asserted by the test)
when its module says so: a ``govstats.synth.toolforms`` module lists such forms of its own in
``READ_IN_FULL``; the writer's formats and the Word flavour are in :data:`BUILTIN_READ_IN_FULL`
(txt-runtogether is not: its arithmetic may leave a cell NA that synth does not declare).
Elsewhere only WRONG == 0 is required.
"""

from __future__ import annotations

import hashlib
import importlib
import pkgutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import govstats
from govstats import synth
from govstats.errors import ParseError
from govstats.synth import toolforms
from govstats.synth.toolforms import crawl
from tests.support import scoring, tools

#: the writer's formats the reader reads in full (the round-trip tests assert them too)
BUILTIN_READ_IN_FULL = frozenset(
    f for f in synth.TEXT_FORMATS + synth.FLAVOUR_FORMATS if f != "txt-runtogether"
)

#: the options of the two samples: plain reports, and reports with what real ones do
OPTIONS = {
    "plain": synth.PLAIN,
    "irregular": synth.Options(
        breach_rate=0.2,
        blank_rate=0.3,
        variant_rate=0.5,
        unit_rate=0.3,
        merged_rate=0.3,
        old_table1_rate=0.3,
    ),
}


@dataclass(frozen=True)
class ToolForm:
    """A real tool run on a generated ``source`` (``"html"`` or ``"pdf"``)."""

    tool: tools.Tool
    source: str
    ambiguous: Callable[[synth.GeneratedReport], frozenset]

    @property
    def name(self) -> str:
        return f"{self.tool.name}({self.source})"


def _none(report: synth.GeneratedReport) -> frozenset:
    return frozenset()


#: tool → the cells its output makes ambiguous (by the generated form it is like)
_TOOL_AMBIGUITY = {
    "bs4-newline": crawl.cells_of_blank_rows,
    "bs4-empty": crawl.cells_of_unsplit_runs,
    "pdftotext-raw": crawl.cells_of_blank_rows,
    "markitdown-pdf": crawl.cells_of_blank_rows,
}


def tool_forms() -> dict[str, ToolForm]:
    out = {}
    for tool in tools.TOOLS:
        form = ToolForm(tool, tool.kind, _TOOL_AMBIGUITY.get(tool.name, _none))
        out[form.name] = form
    return out


def generated_forms() -> tuple[str, ...]:
    return synth.formats()


def all_forms() -> tuple[str, ...]:
    return generated_forms() + tuple(tool_forms())


def read_in_full(form: str) -> bool:
    """Whether the reader must get every cell of ``form`` outside its ambiguous ones."""
    if form in BUILTIN_READ_IN_FULL:
        return True
    for info in pkgutil.iter_modules(toolforms.__path__):
        module = importlib.import_module(f"{toolforms.__name__}.{info.name}")
        if form in getattr(module, "READ_IN_FULL", ()):
            return True
    return False


def missing(form: str) -> str | None:
    """Why ``form`` cannot be measured here (a tool or the browser absent), or None."""
    tool_form = tool_forms().get(form)
    if tool_form is None:
        return None
    reason = tools.missing(tool_form.tool)
    if reason is None and tool_form.source == "pdf" and "pdf" not in synth.formats():
        import shutil

        if not (shutil.which("chromium") or shutil.which("chromium-browser")):
            reason = (
                "no PDF writer and no chromium to print the "
                "generated page: run `make system-packages`"
            )
    return reason


def sample(n: int, options: str, seed: int = 0) -> list[synth.GeneratedReport]:
    """``n`` generated reports (every level and year, numbers carried over from earlier years)."""
    out = []
    for i in range(n):
        years = range(2019, 2019 + 1 + (i * 5 + seed) % 7)
        out.append(list(synth.generate(1, years, seed, OPTIONS[options], first_body=i))[-1])
    return out


#: generated PDFs by the hash of their page (Chromium takes seconds a page: print each once)
_PDFS: dict[str, bytes] = {}


def _pdf(report: synth.GeneratedReport) -> bytes:
    if "pdf" in synth.formats():
        return synth.render(report, "pdf")
    from tests.support.render import html_to_pdf

    html = synth.render(report, "html")
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()
    if key not in _PDFS:
        with tempfile.TemporaryDirectory(prefix="govstats-pdf-") as tmp:
            _PDFS[key] = html_to_pdf(html, Path(tmp) / "report.pdf").read_bytes()
    return _PDFS[key]


def text_of(report: synth.GeneratedReport, form: str) -> bytes:
    """What a user would hand the reader: the form's text (or PDF bytes)."""
    tool_form = tool_forms().get(form)
    if tool_form is None:
        content = synth.render(report, form)
        return content.encode("utf-8") if isinstance(content, str) else content
    source = (
        synth.render(report, "html").encode("utf-8") if tool_form.source == "html" else _pdf(report)
    )
    return tools.output(tool_form.tool, source)


def ambiguous(report: synth.GeneratedReport, form: str) -> frozenset:
    tool_form = tool_forms().get(form)
    return (
        tool_form.ambiguous(report)
        if tool_form is not None
        else synth.ambiguous_cells(report, form)
    )


def expected_cells(report: synth.GeneratedReport) -> dict:
    """The generated report's answer per cell (with merged legal-person columns, the printed
    aggregate as column ``legal_person``)."""
    cells = {
        (t, i, c): v
        for t, items in report.values.items()
        for i, cols in items.items()
        for c, v in cols.items()
    }
    for item, value in report.legal_person.items():
        cells[("requests", item, "legal_person")] = value
    return cells


def measure(report: synth.GeneratedReport, form: str) -> tuple[scoring.Score, str | None]:
    """The report printed in ``form`` and read back, counted; and the ParseError's message if
    the reader refused it (every cell then counts NA, none wrong)."""
    data = text_of(report, form)
    expected = expected_cells(report)
    allowed = ambiguous(report, form)
    try:
        read = govstats.read_report(data, name=f"{report.name}.{form}")
        got, error, warned = scoring.values_of(read), None, bool(read.warnings)
    except ParseError as e:
        got, error, warned = {}, str(e), True
    result = scoring.score(got, expected, allowed)
    if not warned:
        result.silent_na = sum(
            1 for k, v in expected.items() if v is not None and got.get(k) is None
        )
    return result, error
