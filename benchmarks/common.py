"""Shared bits of the benchmark scripts: a plain-text table, timing, one-core pinning, memory."""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

# run from a checkout without installing: make ``import govstats`` find the package
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def pin_one_core() -> str:
    """Pin this process to one CPU (Linux) so rates are per core; returns what was done."""
    if hasattr(os, "sched_setaffinity"):
        cpu = sorted(os.sched_getaffinity(0))[0]
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity)"


def best_of(fn, repeat: int = 3, clock=time.perf_counter) -> float:
    """The fastest of ``repeat`` runs of ``fn()``, in seconds of ``clock`` (wall time; pass
    ``time.process_time`` for this process's CPU time, steadier on a shared machine)."""
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024 / 1024


def dir_size_mb(path: Path) -> float:
    path = Path(path)
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def print_table(headers: list[str], rows: list[list], title: str | None = None) -> None:
    """Print rows as an aligned plain-text table (numbers right-aligned)."""

    def fmt(v):
        if isinstance(v, float):
            return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
        return str(v)

    cells = [[fmt(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    if title:
        print(title)
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row, raw in zip(cells, rows, strict=True):
        print(
            "  ".join(
                c.rjust(w) if isinstance(v, (int, float)) else c.ljust(w)
                for c, w, v in zip(row, widths, raw, strict=True)
            )
        )
    sys.stdout.flush()
