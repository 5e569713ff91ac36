"""The import-layer contract: lower stages never import higher ones.

reading, checks and store never import the analysis, briefing or JupyterLab modules; analysis
never imports the briefing modules. Every ``import`` statement counts, at module level or
inside a function (a lazy import is still a dependency). The modules are named by stage here
until the flat modules move into their packages (issue 13).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import govstats

PACKAGE = Path(govstats.__file__).parent

#: stage → the modules (dotted prefixes under ``govstats``) that make it up
STAGES = {
    "reading": ("reading",),
    "checks": ("checks", "crossyear"),
    "store": ("store",),
    "analysis": ("analysis", "formatting", "plots", "fonts"),
    "briefings": ("briefing", "batch", "pages", "kernels"),
    "jupyter": ("display", "explorer"),
}
#: stage → stages it must never import
FORBIDDEN = {
    "reading": ("analysis", "briefings", "jupyter"),
    "checks": ("analysis", "briefings", "jupyter"),
    "store": ("analysis", "briefings", "jupyter"),
    "analysis": ("briefings",),
}


def stage_of(module: str) -> str | None:
    """The stage of ``govstats.<module>`` (``reading.pdf.grid`` → ``reading``), or None."""
    for stage, prefixes in STAGES.items():
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return stage
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """The govstats modules the code of ``govstats.<module>`` imports, relative to the package
    (``store.registry``); ``from govstats.a import b`` counts as both ``a`` and ``a.b``."""
    here = module.split(".") if module else []
    package = here if is_package else here[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(["govstats", *package[: len(package) - node.level + 1], *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        out.update(n[len("govstats.") :] for n in names if n.startswith("govstats."))
    return out


def imports_of(path: Path) -> set[str]:
    return imported_modules(path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py")


def module_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def test_the_stages_name_modules_that_exist():
    names = {module_name(p) for p in module_files()}
    for prefixes in STAGES.values():
        for prefix in prefixes:
            assert any(n == prefix or n.startswith(prefix + ".") for n in names), prefix


def test_imported_modules_sees_lazy_relative_and_from_imports():
    source = (
        "import govstats.store.queries\nfrom . import labels\nfrom ..checks import check\n"
        "def f():\n    from govstats import display\n"
    )
    found = imported_modules(source, "reading.pdf.grid")
    assert {"store.queries", "reading.pdf.labels", "reading.checks.check", "display"} <= found
    assert "checks.check" in imported_modules("from ..checks import check\n", "reading.text")


@pytest.mark.parametrize("path", module_files(), ids=lambda p: module_name(p) or "__init__")
def test_no_module_imports_a_higher_stage(path):
    stage = stage_of(module_name(path))
    forbidden = FORBIDDEN.get(stage or "", ())
    bad = sorted(m for m in imports_of(path) if stage_of(m) in forbidden)
    assert not bad, f"govstats.{module_name(path)} ({stage}) imports {bad}"
