"""Generated (synthetic) annual reports: plausible, internally consistent, clearly fictional.

Used by the round-trip and fuzz tests and by the throughput benchmarks, never as data::

    from govstats import synth
    for report in synth.generate(n_bodies=50, years=range(2019, 2025), seed=7):
        text = synth.render(report, "html-word")      # what a body might publish
        report.values                                  # what a reader must return

Every generated body is fictional and says so: its name carries 示例 (e.g.
示例青山市示例河口区人民政府), its region code lies in the unused range 90xxxx–99xxxx (GB/T 2260
assigns no province code above 82), each rendered report states in its second line that it is
generated sample data (:data:`SYNTHETIC_NOTICE`), and ``GeneratedReport.synthetic`` is True.

Numbers follow the template's arithmetic (勾稽关系) exactly, per report and across years:

* requests, per applicant column: ``new + carried_over == total + carried_forward`` (R1); the
  ``total`` column is the sum of the six applicant columns on every row (R2); ``total`` is the
  sum of the outcome rows (R3); ``carried_over`` of year Y is ``carried_forward`` of Y−1.
* review: every item's ``total`` is the sum of its four outcome cells.
* publication (2021 template): ``in_force`` (Y) = ``in_force`` (Y−1) + ``issued`` − ``repealed``;
  (2019 template): ``previous`` (Y+1) = ``previous`` (Y) + ``change`` (Y).

Options add what real reports do: planted breaches of the arithmetic (recorded in
``GeneratedReport.breaches`` with the rule and place a check must report), blank cells (printed
``—``, ``-``, ``/``, ``无`` or nothing; their value is NA), label variants (template.md §6), units
and digit styles inside cells (``12件``, ``3.50万元``, full-width digits, ``1,234``), and the
legal-person columns merged into one ``法人或其他组织`` column.

Printing (:mod:`~govstats.synth.printing`) builds the reader intermediate
(:class:`govstats.reading.document.Document`) and hands it to
:mod:`govstats.synth.writing` for the plain formats; the Word-style HTML flavour (:func:`word_html`)
dresses the simple HTML the way Word/TRS exports look. Money is in 元 in ``values``, printed in 万元
where the template says so.

The package: :mod:`~govstats.synth.reports` makes bodies and their reports (numbers and
irregularities), :mod:`~govstats.synth.printing` prints them in every format,
:mod:`~govstats.synth.writing` writes a Document in the plain text formats,
:mod:`~govstats.synth.toolforms` holds the forms tools and crawlers leave, and
:mod:`~govstats.synth.corpus` writes a corpus with truth files and compares readings with the
truth. Everything public is importable from ``govstats.synth`` itself.
"""

from __future__ import annotations

from govstats.synth.corpus import differences, to_report, truth_record, write_corpus
from govstats.synth.printing import (
    BINARY_FORMATS,
    FLAVOUR_FORMATS,
    SUFFIX,
    TEXT_FORMATS,
    ambiguous_cells,
    formats,
    render,
    suffix,
    to_document,
    word_html,
)
from govstats.synth.reports import (
    BREACH_RULES,
    COLUMN_LABEL_VARIANTS,
    GROUP_LABEL_VARIANTS,
    GROUP_SIZE,
    LEVELS,
    PLAIN,
    ROW_LABEL_VARIANTS,
    SYNTHETIC_MARKER,
    SYNTHETIC_NOTICE,
    SYNTHETIC_REGION_PREFIXES,
    GeneratedReport,
    Key,
    Options,
    PlantedBreach,
    SyntheticBody,
    Values,
    generate,
    generate_one,
    make_body,
)

__all__ = [
    "BINARY_FORMATS", "BREACH_RULES", "COLUMN_LABEL_VARIANTS", "FLAVOUR_FORMATS",
    "GROUP_LABEL_VARIANTS", "GROUP_SIZE", "LEVELS", "PLAIN", "ROW_LABEL_VARIANTS", "SUFFIX",
    "SYNTHETIC_MARKER", "SYNTHETIC_NOTICE", "SYNTHETIC_REGION_PREFIXES", "TEXT_FORMATS",
    "GeneratedReport", "Key", "Options", "PlantedBreach", "SyntheticBody", "Values",
    "ambiguous_cells", "differences", "formats", "generate", "generate_one", "make_body",
    "render", "suffix", "to_document", "to_report", "truth_record", "word_html", "write_corpus",
]  # fmt: skip
