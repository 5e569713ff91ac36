"""The import-layer contract: lower stages never import higher ones.

reading, checks and store never import the analysis, briefing or JupyterLab modules; analysis
never imports the briefing modules; narrative (the text compared year on year) never imports the
briefing or JupyterLab modules. Every ``import`` statement counts, at module
level or inside a function (a lazy import is still a dependency). Each stage is a package of
``govstats``; the modules at the top (schema, report, errors, config, cli) belong to no stage.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import govstats

PACKAGE = Path(govstats.__file__).parent

#: stage → the packages (dotted prefixes under ``govstats``) that make it up
STAGES = {
    "reading": ("reading",),
    "checks": ("checks",),
    "store": ("store",),
    "analysis": ("analysis",),
    "briefings": ("briefings",),
    "jupyter": ("jupyter",),
    "synth": ("synth",),
    "narrative": ("narrative",),
}
#: stage → stages it must never import
FORBIDDEN = {
    "reading": ("analysis", "briefings", "jupyter"),
    "checks": ("analysis", "briefings", "jupyter"),
    "store": ("analysis", "briefings", "jupyter"),
    "analysis": ("briefings",),
    "narrative": ("briefings", "jupyter"),
}
#: the modules at the top of the package, in no stage
TOP = ("schema", "report", "errors", "config", "cli")


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
                base = ".".join(
                    [
                        "govstats",
                        *package[: len(package) - node.level + 1],
                        *([node.module] if node.module else []),
                    ]
                )
            else:
                base = node.module or ""
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        out.update(n[len("govstats.") :] for n in names if n.startswith("govstats."))
    return out


def imports_of(path: Path) -> set[str]:
    return imported_modules(
        path.read_text(encoding="utf-8"), module_name(path), is_package=path.name == "__init__.py"
    )


def module_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py"))


def test_the_stages_name_packages_that_exist():
    for prefixes in STAGES.values():
        for prefix in prefixes:
            assert (PACKAGE / prefix.replace(".", "/") / "__init__.py").is_file(), prefix


def test_every_module_is_in_a_stage_or_at_the_top():
    loose = [
        n for n in map(module_name, module_files()) if n and n not in TOP and stage_of(n) is None
    ]
    assert not loose, f"modules in no stage: {loose} (put them in a package of STAGES or in TOP)"


def test_stage_of_names_packages_not_prefixes():
    assert stage_of("checks.rules") == "checks" and stage_of("checks") == "checks"
    assert stage_of("checksum") is None and stage_of("report") is None


def test_imported_modules_sees_lazy_relative_and_from_imports():
    source = (
        "import govstats.store.queries\nfrom . import labels\nfrom ..checks import check\n"
        "def f():\n    from govstats.jupyter import display\n"
    )
    found = imported_modules(source, "reading.pdf.grid")
    assert {
        "store.queries",
        "reading.pdf.labels",
        "reading.checks.check",
        "jupyter.display",
    } <= found
    assert "checks.check" in imported_modules("from ..checks import check\n", "reading.text")


def forbidden_imports(module: str, imported: set[str]) -> list[str]:
    """The modules of ``imported`` that ``govstats.<module>``'s stage must not import."""
    forbidden = FORBIDDEN.get(stage_of(module) or "", ())
    return sorted(m for m in imported if stage_of(m) in forbidden)


def test_the_contract_can_fail():
    lazy = "def f():\n    from govstats.briefings import plan\n"
    assert forbidden_imports("analysis.measures", imported_modules(lazy, "analysis.measures")) == [
        "briefings",
        "briefings.plan",
    ]
    assert forbidden_imports(
        "reading.text", imported_modules("from ..jupyter import display\n", "reading.text")
    )
    assert forbidden_imports("store.queries", {"analysis.plots"}) == ["analysis.plots"]
    assert not forbidden_imports("jupyter.explorer", {"briefings.content", "store"})


@pytest.mark.parametrize("path", module_files(), ids=lambda p: module_name(p) or "__init__")
def test_no_module_imports_a_higher_stage(path):
    bad = forbidden_imports(module_name(path), imports_of(path))
    assert not bad, f"govstats.{module_name(path)} ({stage_of(module_name(path))}) imports {bad}"


def module_level_imports(path: Path, modules: set[str]) -> set[str]:
    """The govstats modules ``path`` imports when it is imported: module-level statements only
    (not in a function, not under ``if TYPE_CHECKING``), the names that are modules, without the
    module's own parent packages (Python has imported them first)."""
    module = module_name(path)
    body = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            body += node.orelse
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            body.append(node)
    source = "\n".join(ast.unparse(n) for n in body if isinstance(n, (ast.Import, ast.ImportFrom)))
    names = imported_modules(source, module, is_package=path.name == "__init__.py") & modules
    ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 1)}
    return names - ancestors - {module}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle of ``graph`` found by a depth-first search (each reported once, by its
    members)."""
    cycles, seen, state = [], set(), {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycle = stack[stack.index(nxt) :] + [nxt]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    cycles.append(cycle)
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def test_import_cycles_are_found():
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_at_module_level():
    files = {module_name(p): p for p in module_files()}
    modules = set(files)
    graph = {m: module_level_imports(p, modules) for m, p in files.items()}
    assert not import_cycles(graph), import_cycles(graph)
