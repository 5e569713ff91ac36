"""Every original of the corpus (its HTML pages and PDFs, found by content in ../shared/corpus/raw)
run through the tools people use (``tests/support/tools.py``: pdftotext -layout/-raw/bare,
w3m -dump, markitdown, html2text, BeautifulSoup get_text), read back with
``govstats.read_report`` and compared with the file's truth.

Each (file, tool) is two tests:

* ``test_no_wrong_number``: no number that is not the truth's, for every tool (bare pdftotext
  included) — never expected to fail. An NA, or a clear ParseError, is not a wrong number.
* ``test_full_reading``: every truth cell right (``na_ok`` cells may be NA), body, year and
  template right, the published breaches of the arithmetic flagged and no others. Not for bare
  pdftotext, which writes label blocks and number blocks apart. Cases that fail today are in
  :data:`NOT_YET` (expected failures, not strict): delete an entry when its form is fixed.

The tools' versions are printed in the run's header (``tests/conftest.py``) and in every
failure message. Each tool runs once per file and session (outputs cached on disk for the
pytest-xdist workers); a missing tool skips, naming ``make system-packages`` or the test extra.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest

import govstats
from govstats.errors import ParseError
from tests.conftest import CORPUS_DIR
from tests.support import scoring, tools

#: (file stem, tool) → why its full reading fails today (test_full_reading is xfail there)
NOT_YET: dict[tuple[str, str], str] = {
    (
        "2019_pingtan_html",
        "bs4-empty",
    ): (
        "one paragraph: table 二 digit runs with several splits (table 二 has no arithmetic) stay "
        "NA with a warning: ambiguous by the form, not a miss"
    ),
    (
        "2020_pingtan_html",
        "bs4-empty",
    ): (
        "one paragraph: table 二 digit runs with several splits (table 二 has no arithmetic) stay "
        "NA with a warning: ambiguous by the form, not a miss"
    ),
    (
        "2021_pingtan_html",
        "bs4-empty",
    ): (
        "one paragraph: table 二 digit runs with several splits (table 二 has no arithmetic) stay "
        "NA with a warning: ambiguous by the form, not a miss"
    ),
    (
        "2022_pingtan_html",
        "bs4-empty",
    ): (
        "one paragraph: table 二 digit runs with several splits (table 二 has no arithmetic) stay "
        "NA with a warning: ambiguous by the form, not a miss"
    ),
    (
        "2023_pingtan_html",
        "bs4-empty",
    ): (
        "one paragraph: table 二 digit runs with several splits (table 二 has no arithmetic) stay "
        "NA with a warning: ambiguous by the form, not a miss"
    ),
    (
        "2024_pingtan_html",
        "bs4-empty",
    ): (
        "one paragraph: table 二 digit runs with several splits (table 二 has no arithmetic) stay "
        "NA with a warning: ambiguous by the form, not a miss"
    ),
    (
        "2025_pingtan_html",
        "bs4-empty",
    ): (
        "one paragraph: table 二 digit runs with several splits (table 二 has no arithmetic) stay "
        "NA with a warning: ambiguous by the form, not a miss"
    ),
}


def _originals() -> list[tuple[Path, str]]:
    raw = CORPUS_DIR / "raw"
    found = []
    for path in sorted(raw.iterdir()) if raw.is_dir() else []:
        kind = tools.kind_of(path.read_bytes()[:4096]) if path.is_file() else None
        if kind is not None:
            found.append((path, kind))
    return found


def _cases(full: bool) -> list:
    originals = _originals()
    if not originals:
        return [
            pytest.param(
                None, None, marks=pytest.mark.skip(reason=f"corpus absent: no {CORPUS_DIR}/raw")
            )
        ]
    out = []
    for path, kind in originals:
        for tool in tools.tools_for(kind):
            if full and not tool.values_required:
                continue
            reason = NOT_YET.get((path.stem, tool.name)) if full else None
            marks = [pytest.mark.xfail(strict=False, reason=reason)] if reason else []
            out.append(pytest.param(path, tool.name, id=f"{path.stem}-{tool.name}", marks=marks))
    return out


@pytest.fixture(scope="session")
def tool_cache(tmp_path_factory) -> Path:
    """A directory the tools' outputs are kept in for the session (shared by xdist workers)."""
    base = tmp_path_factory.getbasetemp()
    return (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "tool-outputs"


@cache
def _truth(path: Path) -> dict:
    truth = CORPUS_DIR / "truth" / f"{path.stem}.json"
    if not truth.is_file():
        pytest.fail(f"{path} has no truth file {truth}", pytrace=False)
    return json.loads(truth.read_text(encoding="utf-8"))


def _read(path: Path, tool_name: str, cache: Path):
    """(tool, its output, the report read from it or the ParseError it gave)."""
    tool = tools.BY_NAME[tool_name]
    reason = tools.missing(tool)
    if reason:
        pytest.skip(reason)
    text = tools.output(tool, path.read_bytes(), cache)
    try:
        return tool, govstats.read_report(text, name=f"{path.name} | {tool.name}")
    except ParseError as error:
        return tool, error


def _where(path: Path, tool: tools.Tool) -> str:
    return f"{path.name} through {tool.name} ({tools.version(tool)})"


@pytest.mark.corpus
@pytest.mark.parametrize("path, tool_name", _cases(full=False))
def test_no_wrong_number(path, tool_name, tool_cache):
    tool, report = _read(path, tool_name, tool_cache)
    if isinstance(report, ParseError):
        return  # refused with a reason: no number at all, so no wrong one
    result = scoring.score_truth(report, _truth(path))
    assert result.wrong_cells == [], f"{_where(path, tool)}: {result.wrong} WRONG numbers"


@pytest.mark.corpus
@pytest.mark.parametrize("path, tool_name", _cases(full=True))
def test_full_reading(path, tool_name, tool_cache):
    tool, report = _read(path, tool_name, tool_cache)
    where = _where(path, tool)
    if isinstance(report, ParseError):
        pytest.fail(f"{where}: {report}", pytrace=False)
    truth = _truth(path)
    result = scoring.score_truth(report, truth)
    assert result.wrong_cells + result.na_cells == [], (
        f"{where}: {result.right} right, {result.na} NA, {result.wrong} WRONG of {result.cells}"
    )
    assert (report.body, report.year, report.template) == (
        truth["body"],
        truth["year"],
        truth["template"],
    ), where
    assert scoring.breach_difference(report, truth) == [], where
