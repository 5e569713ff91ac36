"""Measured accuracy per form on a small sample (the full measure is benchmarks/forms_accuracy.py).

For every form (``tests/support/accuracy.py``: each format of ``synth.formats()``, new
``govstats.synth.toolforms`` forms included as they appear, and each real tool run on a generated
page or PDF), generated reports — plain and irregular — are printed in the form, read back and
their cells counted:

* ``test_no_wrong_number``: WRONG == 0, for every form. Never an expected failure: a wrong
  number is the worst failure a reader can have.
* ``test_read_in_full``: every cell right outside the form's ambiguous ones, and a warning
  whenever one is NA, for the forms whose module declares it (``READ_IN_FULL``; the writer's
  own formats).

A refused input (ParseError) has no wrong number. A tool that is absent skips, naming
``make system-packages`` or the test extra; forms on a generated PDF printed by Chromium take
seconds a page, so they use fewer reports and are marked slow.
"""

from __future__ import annotations

import warnings
from functools import cache

import pytest

from govstats import synth
from tests.support import accuracy, scoring

#: reports per form and options ("plain", "irregular")
PER_OPTIONS = 10
#: the same on a PDF printed by Chromium
PER_OPTIONS_PRINTED = 1


def _printed(form: str) -> bool:
    tool_form = accuracy.tool_forms().get(form)
    return tool_form is not None and tool_form.source == "pdf" and "pdf" not in synth.formats()


def _params(forms) -> list:
    out = []
    for form in forms:
        marks = [pytest.mark.slow, pytest.mark.browser] if _printed(form) else []
        if form.startswith("markitdown"):
            marks.append(pytest.mark.slow)
        out.append(pytest.param(form, id=form, marks=marks))
    return out


@cache
def _sample(options: str, n: int) -> tuple:
    return tuple(accuracy.sample(n, options, seed=3))


@cache
def _measured(form: str) -> tuple[scoring.Score, tuple[str, ...]]:
    n = PER_OPTIONS_PRINTED if _printed(form) else PER_OPTIONS
    total, refused = scoring.Score(), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for options in accuracy.OPTIONS:
            for report in _sample(options, n):
                result, error = accuracy.measure(report, form)
                for cells in (result.wrong_cells, result.na_cells):
                    cells[:] = [f"{report.name} ({options}): {c}" for c in cells]
                total.add(result)
                if error:
                    refused.append(f"{report.name}: {error}")
    return total, tuple(refused)


def _setup(form: str) -> tuple[scoring.Score, tuple[str, ...]]:
    reason = accuracy.missing(form)
    if reason:
        pytest.skip(reason)
    return _measured(form)


@pytest.mark.slow
@pytest.mark.parametrize("form", _params(accuracy.all_forms()))
def test_no_wrong_number(form):
    result, _ = _setup(form)
    assert result.wrong == 0, (
        f"{form}: {result.wrong} WRONG of {result.cells} cells:\n"
        + "\n".join(result.wrong_cells[:20])
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "form", _params(f for f in accuracy.all_forms() if accuracy.read_in_full(f))
)
def test_read_in_full(form):
    result, refused = _setup(form)
    assert not refused, f"{form}: refused\n" + "\n".join(refused[:5])
    assert result.silent_na == 0, f"{form}: {result.silent_na} cells left NA without a warning"
    assert result.na == 0 and result.wrong == 0, (
        f"{form}: {result.right} right, {result.na} NA "
        f"outside the ambiguous cells, {result.wrong} WRONG:\n"
        + "\n".join((result.wrong_cells + result.na_cells)[:20])
    )
