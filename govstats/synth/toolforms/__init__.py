"""Generated reports printed the way common tools and crawlers leave them (``govstats.synth``).

Each module of this package renders one class of real input the reader must handle: text a
crawler took from a page, the output of a PDF-to-text tool, a markdown converter's tables, a
grid drawn with box characters, tables printed in pieces. A module declares its forms in a
module-level ``FORMS`` tuple of :class:`Form`; this package collects them (no list to keep in
step), and :func:`govstats.synth.render` prints a generated report in any of them.

A form's ``render(document, report, rng)`` gets the report as the reader intermediate
(:func:`govstats.synth.to_document`, the tables laid out as the template prints them), the
:class:`~govstats.synth.GeneratedReport` (truth and printed texts) and a seeded
``numpy.random.Generator``, and returns the text. A form that makes some cells ambiguous by
its nature (a blank cell in a one-paragraph dump, say) names them with ``ambiguous(report)``:
the round-trip tests accept NA (with a warning) or the true value there, and never another
number.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from govstats.reading.document import Document
    from govstats.synth import GeneratedReport

Key = tuple[str, str, str]


def _none(report: GeneratedReport) -> frozenset[Key]:
    return frozenset()


@dataclass(frozen=True)
class Form:
    """One rendering: ``name`` (as :func:`govstats.synth.render` takes it), file ``suffix``,
    what it stands for (``description``: the tool or crawler that makes it), ``render``, and
    the cells it makes ambiguous (default: none, every cell must read back exactly)."""

    name: str
    suffix: str
    description: str
    render: Callable[[Document, GeneratedReport, np.random.Generator], str]
    ambiguous: Callable[[GeneratedReport], frozenset[Key]] = _none


@lru_cache(maxsize=1)
def forms() -> dict[str, Form]:
    """Every form of the package's modules, by name (a name defined twice is an error)."""
    out: dict[str, Form] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for form in getattr(module, "FORMS", ()):
            if form.name in out:
                raise RuntimeError(f"tool form {form.name!r} defined twice ({info.name})")
            out[form.name] = form
    return out
