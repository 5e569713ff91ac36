"""Installable anywhere: what ships as package data, where data lives, declared dependencies, the
first look (a missing default store built from the bundled data).

The slow end-to-end check — a fresh venv, ``pip install .``, then ingest, briefings and the
explore notebook from an empty folder — is ``scripts/check_install.sh`` (``make check-install``,
run by ``.ci/run``).
"""

from __future__ import annotations

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from govstats import config
from govstats.store import registry
from tests.conftest import PROJECT_DIR

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

PYPROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))
ENV = ("GOVSTATS_HOME", "GOVSTATS_DATA", "GOVSTATS_DB", "GOVSTATS_REPORTS", "GOVSTATS_REGISTRY")


@pytest.fixture
def clean_env(monkeypatch):
    """No GOVSTATS_* location variables: the defaults decide."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# --- package data ------------------------------------------------------------------------


def test_bundled_files_are_the_checkouts_own():
    """In a checkout the bundled notebooks and data are the top-level folders (symlinks, one
    copy of each file), and everything the first look and the briefings need is there."""
    assert config.BUNDLED_DIR.joinpath("notebooks").resolve() == PROJECT_DIR / "notebooks"
    assert config.BUNDLED_DATA.resolve() == PROJECT_DIR / "data"
    for name in (
        "notebooks/01-explore.ipynb",
        "notebooks/10-briefing.ipynb",
        "notebooks/20-compare.ipynb",
        "data/bodies.csv",
        "data/extract/reports.csv",
        "data/extract/values.csv",
        "data/raw/2020_ziyang-bgs_txt-pipe.txt",
    ):
        assert (config.BUNDLED_DIR / name).is_file(), name


def test_package_data_globs_name_every_bundled_file():
    """Each bundled file the code reads is matched by a package-data glob (else a wheel lacks
    it)."""
    globs = PYPROJECT["tool"]["setuptools"]["package-data"]["govstats"]
    package = PROJECT_DIR / "govstats"
    shipped = {p for g in globs for p in package.glob(g)}
    wanted = [
        *config.NOTEBOOKS_DIR.glob("*.ipynb"),
        *(config.BUNDLED_DATA / "extract").glob("*.csv"),
        config.BUNDLED_DATA / "bodies.csv",
        config.BUNDLED_DATA / "raw" / "2020_ziyang-bgs_txt-pipe.txt",
        *(package / "templates").glob("*.j2"),
    ]
    missing = [str(p) for p in wanted if package / p.relative_to(package) not in shipped]
    assert not missing and wanted
    assert not any(p.suffix == ".duckdb" for p in shipped)


# --- where data lives ---------------------------------------------------------------------


def test_home_is_the_working_directory_or_the_nearest_home_above_it(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    assert config.home() == tmp_path
    assert config.default_db() == tmp_path / "data" / "govstats.duckdb"
    assert config.reports_dir() == tmp_path / "reports"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bodies.csv").write_text("slug,body\n", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    clean_env.chdir(tmp_path / "notebooks")  # where JupyterLab starts a notebook's kernel
    assert config.home() == tmp_path
    assert config.default_db() == tmp_path / "data" / "govstats.duckdb"


def test_the_checkout_is_the_home_of_its_own_commands(clean_env):
    """``make briefings`` in a checkout writes the checkout's data/ and reports/."""
    clean_env.chdir(PROJECT_DIR)
    assert config.home() == PROJECT_DIR
    clean_env.chdir(PROJECT_DIR / "notebooks")
    assert config.reports_dir() == PROJECT_DIR / "reports"


def test_environment_overrides(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    clean_env.setenv("GOVSTATS_HOME", str(tmp_path / "h"))
    assert config.default_db() == tmp_path / "h" / "data" / "govstats.duckdb"
    assert config.reports_dir() == tmp_path / "h" / "reports"
    clean_env.setenv("GOVSTATS_DATA", str(tmp_path / "d"))
    clean_env.setenv("GOVSTATS_REPORTS", str(tmp_path / "r"))
    assert config.default_db() == tmp_path / "d" / "govstats.duckdb"
    assert config.reports_dir() == tmp_path / "r"
    clean_env.setenv("GOVSTATS_DB", str(tmp_path / "x.duckdb"))
    assert config.default_db() == tmp_path / "x.duckdb"


def test_registry_is_the_homes_own_else_the_bundled_one(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    assert registry.default_registry() == config.BUNDLED_DATA / "bodies.csv"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bodies.csv").write_text("slug,body\n", encoding="utf-8")
    assert registry.default_registry() == tmp_path / "data" / "bodies.csv"
    clean_env.setenv("GOVSTATS_REGISTRY", str(tmp_path / "mine.csv"))
    assert registry.default_registry() == tmp_path / "mine.csv"


# --- the first look -----------------------------------------------------------------------


def test_first_look_builds_the_missing_default_store_once(clean_env, tmp_path, capfd):
    from govstats.jupyter import explorer

    clean_env.chdir(tmp_path)
    table = explorer.bodies_table()  # what 01-explore.ipynb shows first
    err = capfd.readouterr().err
    assert err.count("首次使用") == 1 and str(tmp_path / "data" / "govstats.duckdb") in err
    assert "pingtan" in set(table["代号"])
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == [
        "govstats.duckdb"
    ]  # no leftovers
    explorer.bodies_table()
    assert "首次使用" not in capfd.readouterr().err


def test_first_look_holds_what_make_briefings_ingests(clean_env, tmp_path, bundled_store):
    import govstats

    clean_env.chdir(tmp_path)
    first_look = govstats.load()
    made = govstats.load(bundled_store)
    key = ["report_id", "table", "item", "column"]
    assert len(first_look) == len(made) > 0
    assert (
        first_look.sort_values(key)
        .reset_index(drop=True)
        .equals(made.sort_values(key).reset_index(drop=True))
    )


def test_a_store_named_explicitly_is_never_built(clean_env, tmp_path):
    from govstats.briefings import content

    clean_env.chdir(tmp_path)
    assert "数据库文件不存在" in content.load_body("pingtan", db=tmp_path / "none.duckdb").message
    clean_env.setenv("GOVSTATS_DB", str(tmp_path / "env.duckdb"))
    assert "数据库文件不存在" in content.load_body("pingtan").message
    assert not list(tmp_path.rglob("*.duckdb"))


def test_first_look_that_cannot_write_says_why_and_leaves_the_notice(clean_env, tmp_path, capfd):
    from govstats.briefings import content

    (tmp_path / "data").write_text("not a folder", encoding="utf-8")  # data/ cannot be made
    clean_env.setenv("GOVSTATS_HOME", str(tmp_path))
    series = content.load_body("pingtan")
    assert "数据库文件不存在" in series.message
    assert "用随附的样例数据建立时出错" in capfd.readouterr().err


# --- declared dependencies ----------------------------------------------------------------


def _requirement_names(requirements: list[str]) -> set[str]:
    return {_canonical(re.match(r"[A-Za-z0-9._-]+", r).group(0)) for r in requirements}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_roots(folder: Path) -> dict[str, set[str]]:
    """Top-level names of the third-party modules imported under ``folder`` → files importing
    them."""
    local = {"govstats", "tests", "common"} | {p.stem for p in folder.glob("*.py")}
    roots: dict[str, set[str]] = {}
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                root = name.split(".")[0]
                if root not in sys.stdlib_module_names and root not in local:
                    roots.setdefault(root, set()).add(str(path.relative_to(PROJECT_DIR)))
    return roots


@pytest.mark.slow
@pytest.mark.parametrize(
    ("folder", "extras"),
    [
        ("govstats", ("dask",)),
        ("tests", ("dask", "test")),
        ("benchmarks", ("dask", "test", "bench")),
    ],
)
def test_every_imported_distribution_is_declared(folder, extras):
    """Each third-party module imported (at any level, lazily too) comes from a distribution
    that pyproject.toml declares: the dependencies, or an extra this folder may use."""
    project = PYPROJECT["project"]
    declared = _requirement_names(project["dependencies"])
    for extra in extras:
        declared |= _requirement_names(project["optional-dependencies"][extra])
    owners = packages_distributions()
    undeclared = {}
    for root, files in sorted(_imported_roots(PROJECT_DIR / folder).items()):
        dists = {_canonical(d) for d in owners.get(root, [])}
        if not dists & declared:
            undeclared[root] = (sorted(dists) or ["no installed distribution"], sorted(files)[:3])
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


# --- the browser --------------------------------------------------------------------------


def test_a_missing_browser_skips_naming_the_install_command(monkeypatch):
    """The test suite installs nothing: no chromium → skip, naming ``make system-packages``."""
    import subprocess

    from tests.support import chromium

    monkeypatch.setattr(chromium.shutil, "which", lambda name: None)
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail(f"ran {a[0]}"))
    with pytest.raises(pytest.skip.Exception, match="make system-packages"):
        chromium.chromium_path(("fonts-noto-cjk",))
