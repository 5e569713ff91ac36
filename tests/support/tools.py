"""The text common tools make of report files, for the tool-form tests and the forms-accuracy
benchmark: PDF-to-text (Debian poppler-utils' ``pdftotext`` with ``-layout``, ``-raw`` and
bare), a text browser (``w3m -dump``), HTML/PDF-to-markdown (``markitdown``), HTML-to-text
(``html2text``) and BeautifulSoup's ``get_text("\\n")`` and ``get_text("")``.

Nothing here is part of govstats. Each :class:`Tool` takes the file's bytes and returns what
the tool prints, as UTF-8 bytes (what a user would then hand to ``govstats.read_report``);
:func:`version` says which build made it and :func:`missing` why it cannot run here (a Debian
tool names ``make system-packages``, a Python one the test extra). :func:`output` runs a tool
once per input: results are kept in memory and, given a directory, on disk, so pytest-xdist
workers share them.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

#: how to install what a tool needs when it is missing
SYSTEM_PACKAGES_HINT = "run `make system-packages` (Debian {package})"
TEST_EXTRA_HINT = "install the test extra: pip install -e '.[test]'"


@dataclass(frozen=True)
class Tool:
    """One way people turn a report file into text.

    ``kind`` is the input it takes (``"pdf"`` or ``"html"``); ``values_required`` is False for
    a tool whose output keeps no table structure (bare ``pdftotext`` writes label blocks and
    number blocks apart): reading it must give no wrong number, but need not give the values.
    """

    name: str
    kind: str
    run: Callable[[bytes], bytes]
    needs: tuple[tuple[str, str], ...]  # ("exe" | "module", name) the tool needs
    versions: tuple[Callable[[], str], ...]
    values_required: bool = True


def _with_file(data: bytes, suffix: str, fn: Callable[[str], bytes]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="govstats-tool-") as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        return fn(str(path))


def _command(args: list[str], suffix: str) -> Callable[[bytes], bytes]:
    """A command run on the input written to a file (``{}`` in ``args`` is its path)."""

    def run(data: bytes) -> bytes:
        def call(path: str) -> bytes:
            done = subprocess.run(
                [a.replace("{}", path) for a in args], capture_output=True, timeout=300
            )
            if done.returncode != 0:
                raise RuntimeError(
                    f"{' '.join(args)} exited {done.returncode}: {done.stderr[-300:]!r}"
                )
            return done.stdout

        return _with_file(data, suffix, call)

    return run


def _html_text(data: bytes) -> str:
    """The page decoded as a user's script would (BeautifulSoup's UnicodeDammit: BOM, meta
    charset, else detection), independent of govstats' own decoding."""
    from bs4 import UnicodeDammit

    return UnicodeDammit(data, is_html=True).unicode_markup


@lru_cache(maxsize=1)
def _markitdown_converter():
    from markitdown import MarkItDown

    return MarkItDown()


def _markitdown(suffix: str) -> Callable[[bytes], bytes]:
    def run(data: bytes) -> bytes:
        convert = _markitdown_converter().convert
        return _with_file(data, suffix, lambda path: convert(path).text_content.encode("utf-8"))

    return run


def _html2text(data: bytes) -> bytes:
    import html2text

    converter = html2text.HTML2Text()
    converter.body_width = 0  # no re-wrapping of long lines
    return converter.handle(_html_text(data)).encode("utf-8")


def _bs4(separator: str) -> Callable[[bytes], bytes]:
    def run(data: bytes) -> bytes:
        from bs4 import BeautifulSoup

        return BeautifulSoup(data, "lxml").get_text(separator).encode("utf-8")

    return run


def _first_line(args: list[str]) -> Callable[[], str]:
    def version() -> str:
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
        line = (done.stdout or done.stderr).strip().splitlines()[0]
        return line.split(",")[0]

    return version


def _package(name: str) -> Callable[[], str]:
    return lambda: f"{name} {importlib.metadata.version(name)}"


_PDFTOTEXT_VERSION = _first_line(["pdftotext", "-v"])
_PDFTOTEXT = (("exe", "pdftotext"),)

TOOLS: tuple[Tool, ...] = (
    Tool(
        "pdftotext-layout",
        "pdf",
        _command(["pdftotext", "-layout", "-enc", "UTF-8", "{}", "-"], ".pdf"),
        _PDFTOTEXT,
        (_PDFTOTEXT_VERSION,),
    ),
    Tool(
        "pdftotext-raw",
        "pdf",
        _command(["pdftotext", "-raw", "-enc", "UTF-8", "{}", "-"], ".pdf"),
        _PDFTOTEXT,
        (_PDFTOTEXT_VERSION,),
    ),
    Tool(
        "pdftotext-bare",
        "pdf",
        _command(["pdftotext", "-enc", "UTF-8", "{}", "-"], ".pdf"),
        _PDFTOTEXT,
        (_PDFTOTEXT_VERSION,),
        values_required=False,
    ),
    Tool(
        "markitdown-pdf",
        "pdf",
        _markitdown(".pdf"),
        (("module", "markitdown"), ("module", "pdfminer")),
        (_package("markitdown"), _package("pdfminer.six")),
    ),
    Tool(
        "w3m",
        "html",
        _command(["w3m", "-dump", "-T", "text/html", "-O", "UTF-8", "{}"], ".html"),
        (("exe", "w3m"),),
        (_first_line(["w3m", "-version"]),),
    ),
    Tool(
        "markitdown-html",
        "html",
        _markitdown(".html"),
        (("module", "markitdown"),),
        (_package("markitdown"),),
    ),
    Tool(
        "html2text",
        "html",
        _html2text,
        (("module", "html2text"), ("module", "bs4")),
        (_package("html2text"),),
    ),
    Tool(
        "bs4-newline",
        "html",
        _bs4("\n"),
        (("module", "bs4"), ("module", "lxml")),
        (_package("beautifulsoup4"), _package("lxml")),
    ),
    Tool(
        "bs4-empty",
        "html",
        _bs4(""),
        (("module", "bs4"), ("module", "lxml")),
        (_package("beautifulsoup4"), _package("lxml")),
    ),
)
BY_NAME = {tool.name: tool for tool in TOOLS}

#: Debian package of each command-line tool
DEBIAN_PACKAGE = {"pdftotext": "poppler-utils", "w3m": "w3m"}


def missing(tool: Tool) -> str | None:
    """Why ``tool`` cannot run here (naming how to install it), or None."""
    for kind, name in tool.needs:
        if kind == "exe" and shutil.which(name) is None:
            return f"{name} is not installed: " + SYSTEM_PACKAGES_HINT.format(
                package=DEBIAN_PACKAGE.get(name, name)
            )
        if kind == "module" and importlib.util.find_spec(name) is None:
            return f"Python package {name} is not installed: {TEST_EXTRA_HINT}"
    return None


@cache
def version(tool: Tool) -> str:
    """The tool's build, e.g. ``pdftotext version 22.12.0`` or
    ``markitdown 0.1.9; pdfminer.six …``."""
    if missing(tool):
        return "absent"
    return "; ".join(v() for v in tool.versions)


def versions() -> dict[str, str]:
    """Every tool's version (``absent`` when it cannot run here)."""
    return {tool.name: version(tool) for tool in TOOLS}


def kind_of(data: bytes) -> str | None:
    """``"pdf"`` or ``"html"`` by the file's content (not its name), else None."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return "pdf"
    lowered = head.lower()
    if lowered.startswith(b"<") and (b"<html" in lowered or b"<!doctype html" in lowered):
        return "html"
    return None


def tools_for(kind: str | None) -> list[Tool]:
    return [tool for tool in TOOLS if tool.kind == kind]


_MEMORY: dict[str, bytes] = {}


def output(tool: Tool, data: bytes, cache_dir: Path | None = None) -> bytes:
    """What ``tool`` prints for the input ``data`` (run once per input and tool version)."""
    build = hashlib.sha256(version(tool).encode()).hexdigest()[:8]
    key = f"{hashlib.sha256(data).hexdigest()[:20]}-{tool.name}-{build}"
    if key in _MEMORY:
        return _MEMORY[key]
    path = cache_dir / f"{key}.out" if cache_dir is not None else None
    if path is not None and path.is_file():
        result = path.read_bytes()
    else:
        result = tool.run(data)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            partial.write_bytes(result)
            os.replace(partial, path)  # atomic: another worker reads all or nothing
    _MEMORY[key] = result
    return result
