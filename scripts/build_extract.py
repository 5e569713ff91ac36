"""Regenerate ``data/extract/`` — the tidy extract of the real-report corpus — with govstats'
parser.

The raw texts of real reports stay in ``../shared/corpus`` (never committed); the figures read
from them are committed as a tidy extract (``reports.csv``: one row per report with its
provenance; ``values.csv``: the tidy rows of ``govstats.schema`` plus ``source``), which
``govstats ingest data/raw data/extract`` loads into the store on a fresh clone.

    .venv/bin/python scripts/build_extract.py [--corpus ../shared/corpus] [--out data/extract]

Every file under ``CORPUS/raw`` is read with ``govstats.read_report``. A file that fails stops
the script (exit 1) and nothing is written, so a partial extract is never committed. When a
report's bytes, parser version and values are unchanged, its previous ``read_at`` is kept,
so a rebuild that changes nothing leaves the files byte-identical. Values are compared with
the corpus truth files where they exist and differences are printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the checkout: tests.support

from govstats import __version__, schema
from govstats.errors import GovstatsError
from govstats.reading import read_report
from govstats.store import (
    EXTRACT_REPORTS,
    Entry,
    discover,
    entry_from_report,
    read_extract,
    write_extract,
)
from tests.support.checkout import CORPUS_DIR, DATA


def _previous(out: Path) -> dict[str, Entry]:
    if not (out / EXTRACT_REPORTS).is_file():
        return {}
    return {e.report_id: e for e in read_extract(out)}


def _truths(corpus: Path) -> dict[str, dict]:
    manifest = corpus / "manifest.json"
    if not manifest.is_file():
        return {}
    out = {}
    for entry in json.loads(manifest.read_text(encoding="utf-8")):
        if entry.get("truth"):
            out[Path(entry["file"]).name] = json.loads(
                (corpus / entry["truth"]).read_text(encoding="utf-8")
            )
    return out


def build(corpus: Path, out: Path) -> int:
    """Read the corpus and write the extract; returns the exit status."""
    sources, _ = discover([corpus / "raw"])
    previous = _previous(out)
    truths = _truths(corpus)
    entries, failures = [], []
    for source in sources:
        path = source.path
        try:
            report = read_report(path.read_bytes(), name=path.name)
        except GovstatsError as exc:
            failures.append(f"{path}: {exc}")
            continue
        entry = entry_from_report(report, path=f"corpus/raw/{path.name}", origin="extract")
        entry.file_name = path.name
        old = previous.get(entry.report_id)
        if (
            old is not None
            and old.parser_version == __version__
            and schema.tidy_to_values(old.tidy()) == schema.tidy_to_values(entry.tidy())
            and old.tidy()["label"].tolist() == entry.tidy()["label"].tolist()
            and old.tidy()["source"].tolist() == entry.tidy()["source"].tolist()
        ):
            entry.read_at = old.read_at
        truth = truths.get(path.name)
        verdict = "no truth file"
        if truth is not None:
            got = schema.tidy_to_values(entry.tidy())
            wrong = [
                f"{t}/{i}/{c}"
                for t, items in truth["values"].items()
                for i, cols in items.items()
                for c, v in cols.items()
                if got.get(t, {}).get(i, {}).get(c, "absent") != v
            ]
            verdict = (
                "matches truth"
                if not wrong
                else f"{len(wrong)} cells differ from truth: {', '.join(wrong[:5])}"
            )
        print(f"{path.name:40} {entry.body} {entry.year} {len(entry.tidy()):4d} values  {verdict}")
        entries.append(entry)
    if failures:
        print("\n".join(["not written; these files failed:", *failures]), file=sys.stderr)
        return 1
    reports, values = write_extract(entries, out)
    print(f"wrote {len(entries)} reports to {reports} and {values}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=CORPUS_DIR,
        help="the corpus folder (default ../shared/corpus)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DATA / "extract",
        help="the extract folder (default data/extract)",
    )
    args = parser.parse_args(argv)
    if not (args.corpus / "raw").is_dir():
        print(
            f"{args.corpus}/raw: no corpus here (expected ../shared/corpus beside the checkout)",
            file=sys.stderr,
        )
        return 2
    return build(args.corpus, args.out)


if __name__ == "__main__":
    sys.exit(main())
