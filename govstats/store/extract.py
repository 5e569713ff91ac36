"""The tidy extract format (``data/extract/``): ``reports.csv`` and ``values.csv``.

A store's reports written as two CSV files and read back as :class:`~govstats.store.writer.Entry`
objects, so the bundled data can be ingested without parsing its sources.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from govstats import schema
from govstats.errors import StoreError
from govstats.store.connection import _now
from govstats.store.writer import Entry

EXTRACT_REPORTS = "reports.csv"
EXTRACT_VALUES = "values.csv"
EXTRACT_REPORT_COLUMNS = [
    "report_id", "file_name", "format", "parser_version", "read_at", "body", "year", "template",
    "layouts", "complete", "missing", "warnings", "n_values",
]  # fmt: skip
EXTRACT_VALUE_COLUMNS = schema.TIDY_COLUMNS + schema.TIDY_EXTRA_COLUMNS


def read_extract(folder: str | Path) -> Iterator[Entry]:
    """The reports of a tidy extract folder (``reports.csv`` + ``values.csv``), as entries.

    Report ids, file names, formats, parser versions and read times are those recorded when
    the extract was built. Raises :class:`StoreError` naming the file and row when the two
    files disagree.
    """
    folder = Path(folder)
    reports = pd.read_csv(
        folder / EXTRACT_REPORTS, dtype="string", keep_default_na=False, encoding="utf-8-sig"
    )
    values = pd.read_csv(
        folder / EXTRACT_VALUES,
        dtype={c: "string" for c in EXTRACT_VALUE_COLUMNS if c not in ("year", "value")}
        | {"year": "Int64", "value": "Float64"},
        keep_default_na=False,
        na_values={"value": [""], "year": [""]},
        encoding="utf-8-sig",
    )
    missing = [c for c in EXTRACT_VALUE_COLUMNS if c not in values.columns]
    if missing:
        raise StoreError(f"{folder / EXTRACT_VALUES}: missing column(s) {', '.join(missing)}")
    values["source"] = values["source"].fillna("")
    by_report = dict(tuple(values.groupby("report_id", sort=False)))
    # every reports.csv field is text, never NA (dtype="string", keep_default_na=False)
    rows: Iterable[Any] = reports.itertuples(index=False)
    for line, row in enumerate(rows, start=2):
        frame = by_report.get(row.report_id)
        count = 0 if frame is None else len(frame)
        if row.n_values and int(row.n_values) != count:
            raise StoreError(
                f"{folder / EXTRACT_REPORTS}: line {line}: report {row.report_id} lists "
                f"{row.n_values} values, {folder / EXTRACT_VALUES} holds {count}"
            )
        yield Entry(
            report_id=row.report_id,
            file_name=row.file_name,
            path=str(folder / EXTRACT_VALUES),
            format=row.format or None,
            origin="extract",
            parser_version=row.parser_version,
            read_at=datetime.fromisoformat(row.read_at) if row.read_at else _now(),
            body=row.body or None,
            year=int(row.year) if row.year else None,
            template=row.template or None,
            layouts=json.loads(row.layouts or "{}"),
            missing=json.loads(row.missing or "[]"),
            warnings=json.loads(row.warnings or "[]"),
            values=schema.tidy_frame(
                frame[EXTRACT_VALUE_COLUMNS].itertuples(index=False, name=None)
            )
            if frame is not None
            else schema.tidy_frame(),
        )


def write_extract(entries: Iterable[Entry], folder: str | Path) -> tuple[Path, Path]:
    """Write entries as a tidy extract (``reports.csv`` + ``values.csv``, UTF-8) into ``folder``.

    Files are written to a temporary name and renamed, so a failed run leaves the old extract.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta, frames = [], []
    for e in entries:
        frames.append(e.tidy()[EXTRACT_VALUE_COLUMNS])
        meta.append(
            {
                "report_id": e.report_id, "file_name": e.file_name, "format": e.format,
                "parser_version": e.parser_version,
                "read_at": e.read_at.isoformat(timespec="seconds"),
                "body": e.body, "year": e.year, "template": e.template,
                "layouts": json.dumps(e.layouts, ensure_ascii=False, sort_keys=True),
                "complete": e.complete, "missing": json.dumps(e.missing, ensure_ascii=False),
                "warnings": json.dumps(e.warnings, ensure_ascii=False), "n_values": len(e.tidy()),
            }
        )  # fmt: skip
    reports = pd.DataFrame(meta, columns=EXTRACT_REPORT_COLUMNS)
    values = pd.concat(frames, ignore_index=True) if frames else schema.tidy_frame()
    out = []
    for name, frame in ((EXTRACT_REPORTS, reports), (EXTRACT_VALUES, values)):
        target = folder / name
        tmp = target.with_suffix(".csv.tmp")
        frame.to_csv(tmp, index=False, encoding="utf-8", lineterminator="\n")
        tmp.replace(target)
        out.append(target)
    return out[0], out[1]
