"""Every original of the corpus (its HTML pages and PDFs, found by content in ../shared/corpus/raw)
run through the tools people use (``tests/support/tools.py``: pdftotext -layout/-raw/bare,
w3m -dump, markitdown, html2text, BeautifulSoup get_text), read back with
``govstats.read_report`` and compared with the file's truth.

Each (file, tool) is two tests:

* ``test_no_wrong_number``: no number that is not the truth's, for every tool (bare pdftotext
  included) — never expected to fail. An NA, or a clear ParseError, is not a wrong number.
* ``test_full_reading``: every truth cell right (``na_ok`` cells may be NA), body, year and
  template right, the published breaches of the arithmetic flagged and no others. Not for bare
  pdftotext, which writes label blocks and number blocks apart. A cell may be NA only where the
  tool's text itself is ambiguous, decided from the text and the truth, not from the reader
  (:func:`tests.support.scoring.unexplained_na`: a table 二 row whose digits ran together and
  can be cut more than one way, as ``get_text("")`` prints them).

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
            out.append(pytest.param(path, tool.name, id=f"{path.stem}-{tool.name}"))
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
        return tool, text, govstats.read_report(text, name=f"{path.name} | {tool.name}")
    except ParseError as error:
        return tool, text, error


def _as_text(output: str | bytes) -> str:
    return output if isinstance(output, str) else output.decode("utf-8", errors="replace")


def _where(path: Path, tool: tools.Tool) -> str:
    return f"{path.name} through {tool.name} ({tools.version(tool)})"


@pytest.mark.corpus
@pytest.mark.parametrize("path, tool_name", _cases(full=False))
def test_no_wrong_number(path, tool_name, tool_cache):
    tool, _, report = _read(path, tool_name, tool_cache)
    if isinstance(report, ParseError):
        return  # refused with a reason: no number at all, so no wrong one
    result = scoring.score_truth(report, _truth(path))
    assert result.wrong_cells == [], f"{_where(path, tool)}: {result.wrong} WRONG numbers"


@pytest.mark.corpus
@pytest.mark.parametrize("path, tool_name", _cases(full=True))
def test_full_reading(path, tool_name, tool_cache):
    tool, text, report = _read(path, tool_name, tool_cache)
    where = _where(path, tool)
    if isinstance(report, ParseError):
        pytest.fail(f"{where}: {report}", pytrace=False)
    truth = _truth(path)
    result = scoring.score_truth(report, truth)
    # NA only where the tool's text itself is ambiguous (a table 二 row whose digits ran together
    # with several cuts, as BeautifulSoup get_text("") makes them): never a miss of the reader
    unexplained = scoring.unexplained_na(_as_text(text), truth, result.na_cells)
    assert result.wrong_cells + unexplained == [], (
        f"{where}: {result.right} right, {result.na} NA, {result.wrong} WRONG of {result.cells}"
    )
    assert (report.body, report.year, report.template) == (
        truth["body"],
        truth["year"],
        truth["template"],
    ), where
    assert scoring.breach_difference(report, truth) == [], where


def test_only_a_run_the_text_makes_ambiguous_excuses_an_na():
    """The allowance of test_full_reading can fail: a run with one cut, a run the answer is not a
    cut of, a row of another table, and a label that is not followed by a run are not excused."""
    docs = {"issued": 69, "repealed": 3, "in_force": 665}
    truth = {"template": "2021", "values": {"publication": {"normative_docs": docs}}}
    cells = [f"publication/normative_docs/{c}" for c in docs]
    assert scoring.unexplained_na("行政规范性文件693665行政许可", truth, cells) == []
    assert scoring.unexplained_na("行政规范性文件 69 3 665", truth, cells) == cells
    assert scoring.unexplained_na("行政规范性文件693666", truth, cells) == cells
    assert scoring.unexplained_na("行政规范性文件", truth, cells) == cells
    one_cut = {
        "template": "2021",
        "values": {"publication": {"normative_docs": dict.fromkeys(docs, 0)}},
    }
    assert scoring.unexplained_na("行政规范性文件000", one_cut, cells) == cells
    assert scoring.unexplained_na("693665", truth, ["requests/new/total"]) == ["requests/new/total"]
