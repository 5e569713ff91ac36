"""Shared fixtures: the real-report corpus in ../shared/corpus (skipped with a reason when
absent)."""

from __future__ import annotations

import json
import sys
import types
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
    return [pytest.param(e, id=Path(e["file"]).stem, marks=pytest.mark.corpus) for e in entries]


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


#: a sentence of generated report text that is markup (to prove every text shown is escaped)
TEXT_XSS = "<script>alert(1)</script>局"


@pytest.fixture(scope="session")
def text_store(tmp_path_factory) -> tuple[Path, str]:
    """A store of one generated body's reports read from printed text (2022–2024), and the
    body's name: 2024's 存在的主要问题 copied from 2023's, and 2024's 总体情况 one new, long
    sentence that starts with markup (:data:`TEXT_XSS`)."""
    import govstats
    from govstats.synth import generate
    from govstats.synth.narrative import Sentence, narrate
    from govstats.synth.printing import render

    folder = tmp_path_factory.mktemp("text-store")
    reports = narrate(generate(1, [2022, 2023, 2024], seed=5), seed=5)
    last, now = reports[1], reports[2]
    now.narrative["problems"] = [Sentence(s.text, "same") for s in last.narrative["problems"]]
    now.narrative["overview"] = [Sentence(f"{TEXT_XSS}另有说明{'很长的说明' * 20}。", "new")]
    for r in reports:
        (folder / f"{r.year}.txt").write_text(render(r, "txt-plain"), encoding="utf-8")
    db = folder / "text.duckdb"
    summary = govstats.ingest([folder], db=db, progress=False)
    assert summary.failed == 0, summary.errors
    return db, reports[0].body.name


def pytest_report_header(config) -> list[str]:
    """The versions of the text tools the tool-form tests run (tests/reading/test_tool_forms.py)."""
    from tests.support import tools

    return ["text tools: " + "; ".join(f"{name}: {v}" for name, v in tools.versions().items())]


#: names through which a test (or a fixture or module helper it uses) reads ../shared/corpus
_CORPUS_NAMES = frozenset(
    {"CORPUS_DIR", "corpus_dir", "corpus_entries", "corpus_params", "truth_for"}
)


def _reads_corpus(fn, depth: int = 2) -> bool:
    """Whether ``fn``'s code, or a function of its module it calls (``depth`` levels), names the
    corpus (nested functions, lambdas and comprehensions included)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    names: set[str] = set()
    stack = [code]
    while stack:
        c = stack.pop()
        names.update(c.co_names, c.co_varnames)
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))
    if names & _CORPUS_NAMES:
        return True
    module = sys.modules.get(fn.__module__)
    if depth == 0 or module is None:
        return False
    return any(
        isinstance(h, types.FunctionType)
        and h.__module__ == module.__name__
        and _reads_corpus(h, depth - 1)
        for h in (getattr(module, n, None) for n in names)
    )


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test that reads the corpus ``corpus`` (so ``-m "not corpus"`` leaves it out),
    whether or not it carries the marker by hand: the tests using the ``corpus_dir`` fixture,
    parametrized over :func:`corpus_params`, or naming the corpus in their code, in a fixture they
    use or in a helper of their module."""
    for item in items:
        if item.get_closest_marker("corpus") is not None:
            continue
        info = getattr(item, "_fixtureinfo", None)
        fixtures = [d.func for defs in getattr(info, "name2fixturedefs", {}).values() for d in defs]
        if "corpus_dir" in item.fixturenames or any(
            _reads_corpus(f) for f in [getattr(item, "function", None), *fixtures]
        ):
            item.add_marker(pytest.mark.corpus)
