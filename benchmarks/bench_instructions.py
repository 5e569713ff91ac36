"""Instructions per report for ``read_report`` and for lxml alone, counted by valgrind.

    .venv/bin/python benchmarks/bench_instructions.py            # corpus HTML pages, 3 rounds
    .venv/bin/python benchmarks/bench_instructions.py --glob '202[45]_pingtan*.html' --rounds 10
    # the pages as one paragraph vs as pipe text
    .venv/bin/python benchmarks/bench_instructions.py --oneline

Wall-clock ratios on a shared or virtual machine move by ±10 % from run to run; instruction
counts do not (they are the same on every run of the same code), so this is the figure to compare
two versions of the reader with. It is not a time: Python code runs fewer instructions per cycle
than libxml2's parser, and valgrind's CPU lacks the SHA extensions the hashing of the report id
uses on a real one. Needs valgrind (``apt-get install valgrind``); takes a minute or two.

Each mode runs in its own process under ``valgrind --tool=callgrind``: ``none`` (imports, one
warm-up read and parse of each page), ``read`` (that plus ``rounds`` × ``read_report`` of each
page) and ``lxml`` (plus ``rounds`` × ``lxml.html.document_fromstring``); the differences divided
by the number of reads are the instructions per report.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from common import print_table

from tests.support.checkout import CORPUS_DIR

_CHILD = """
import sys
import lxml.html
import govstats
mode, rounds, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
pages = [open(p, "rb").read() for p in paths]
if mode.startswith("oneline") or mode == "pipe" or mode == "none-text":
    # each page as one paragraph (BeautifulSoup get_text("")) and as pipe text of its Document
    from bs4 import BeautifulSoup
    from govstats.reading import read_document
    from govstats.reading.decode import decode
    from govstats.synth.writing import write
    texts = []
    for path, page in zip(paths, pages):
        one = page
        if path.endswith((".html", ".htm")):
            one = BeautifulSoup(decode(page, path)[0], "lxml").get_text("").encode()
        texts.append((one, write(read_document(one, path), "txt-pipe").encode()))
    for one, pipe in texts:
        govstats.read_report(one, name="warm-up")
        govstats.read_report(pipe, name="warm-up")
    for _ in range(rounds if mode != "none-text" else 0):
        for one, pipe in texts:
            govstats.read_report(one if mode == "oneline" else pipe, name="bench")
    sys.exit(0)
for page in pages:
    govstats.read_report(page, name="warm-up")
    lxml.html.document_fromstring(page)
for _ in range(rounds if mode != "none" else 0):
    for page in pages:
        if mode == "read":
            govstats.read_report(page, name="bench")
        else:
            lxml.html.document_fromstring(page)
"""


def _instructions(mode: str, rounds: int, paths: list[Path], workdir: Path) -> int:
    script = workdir / "child.py"
    script.write_text(_CHILD, encoding="utf-8")
    out = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={workdir / mode}.out",
            sys.executable,
            str(script),
            mode,
            str(rounds),
            *map(str, paths),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"Collected\s*:\s*([\d,]+)", out.stderr)
    if match is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{out.stderr[-2000:]}")
    return int(match.group(1).replace(",", ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--glob", default="*.html", help="corpus raw/ files to read (default: every HTML page)"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="reads of each page per mode (default 3)"
    )
    parser.add_argument(
        "--oneline",
        action="store_true",
        help=(
            "instead: each page as one paragraph "
            "(get_text('')) against the same report as pipe text"
        ),
    )
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        print("skipped: valgrind not found (apt-get install valgrind)")
        return 0  # (make bench goes on to the other benchmarks)
    paths = sorted((CORPUS_DIR / "raw").glob(args.glob))
    if not paths:
        print(f"no corpus files match {CORPUS_DIR / 'raw' / args.glob}", file=sys.stderr)
        return 2
    if args.oneline:
        return _oneline(args, paths)
    read, lxml = _per_read(("none", "read", "lxml"), args.rounds, paths)
    kb = sum(p.stat().st_size for p in paths) / len(paths) / 1024
    print_table(
        ["pages", "KB/page", "read_report M instr", "lxml M instr", "ratio"],
        [[len(paths), kb, read / 1e6, lxml / 1e6, read / lxml]],
        title=f"Instructions per report (valgrind callgrind, {args.rounds} rounds of {args.glob})",
    )
    return 0


def _per_read(modes: tuple[str, str, str], rounds: int, paths: list[Path]) -> tuple[float, float]:
    """Instructions per read of the second and third mode, each less the first (the baseline:
    imports and warm-up), the three counted in parallel processes."""
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(3) as pool:
        base, a, b = pool.map(lambda mode: _instructions(mode, rounds, paths, Path(tmp)), modes)
    reads = rounds * len(paths)
    return (a - base) / reads, (b - base) / reads


def _oneline(args, paths: list[Path]) -> int:
    """One-paragraph text against pipe text of the same reports (issue target: ≤ 1.5×)."""
    one, pipe = _per_read(("none-text", "oneline", "pipe"), args.rounds, paths)
    print_table(
        ["pages", "one paragraph M instr", "pipe text M instr", "ratio", "<=1.5x"],
        [[len(paths), one / 1e6, pipe / 1e6, one / pipe, "ok" if one <= 1.5 * pipe else "SLOW"]],
        title=(
            "Instructions per report, one paragraph vs pipe text "
            f"(valgrind callgrind, {args.rounds} rounds of {args.glob})"
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
