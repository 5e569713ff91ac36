"""Shared fixtures: the real-report corpus in ../shared/corpus (skipped with a reason when
absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.checkout import CHECKOUT as PROJECT_DIR
from tests.support.checkout import CORPUS_DIR

SAMPLE = PROJECT_DIR / "data" / "raw" / "2020_ziyang-bgs_txt-pipe.txt"


def corpus_available() -> bool:
    return (CORPUS_DIR / "manifest.json").is_file()


def corpus_entries() -> list[dict]:
    """The manifest entries of the corpus, [] when ../shared/corpus is absent."""
    if not corpus_available():
        return []
    return json.loads((CORPUS_DIR / "manifest.json").read_text(encoding="utf-8"))


def truth_for(entry: dict) -> dict:
    return json.loads((CORPUS_DIR / entry["truth"]).read_text(encoding="utf-8"))


def corpus_params(formats: tuple[str, ...] | None = None) -> list:
    """pytest params over corpus reports with a truth file; one skipped param when absent."""
    entries = [e for e in corpus_entries() if e.get("truth")]
    if formats is not None:
        entries = [e for e in entries if e["format"].split(" ")[0].split("-")[0] in formats]
    if not entries:
        return [
            pytest.param(
                None, marks=pytest.mark.skip(reason=f"corpus absent: no {CORPUS_DIR}/manifest.json")
            )
        ]
    return [pytest.param(e, id=Path(e["file"]).stem) for e in entries]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not corpus_available():
        pytest.skip(f"corpus absent: {CORPUS_DIR} (expected ../shared/corpus beside the checkout)")
    return CORPUS_DIR


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


def ingest_bundled(db: Path) -> Path:
    """Build a store of the bundled data (data/raw + data/extract) at ``db``, as ``make briefings``
    does."""
    import govstats

    extract = PROJECT_DIR / "data" / "extract"
    if not extract.is_dir():
        pytest.skip(f"bundled extract missing: {extract}")
    summary = govstats.ingest([PROJECT_DIR / "data" / "raw", extract], db=db, progress=False)
    assert summary.failed == 0, summary.errors
    return db


@pytest.fixture(scope="session")
def bundled_store(tmp_path_factory) -> Path:
    """A store holding the bundled data, shared by the tests that only read it."""
    return ingest_bundled(tmp_path_factory.mktemp("bundled-store") / "govstats.duckdb")


def pytest_report_header(config) -> list[str]:
    """The versions of the text tools the tool-form tests run (tests/reading/test_tool_forms.py)."""
    from tests.support import tools

    return ["text tools: " + "; ".join(f"{name}: {v}" for name, v in tools.versions().items())]
