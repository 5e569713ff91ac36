"""The manifest of rendered pages and the index page that lists them.

``<out>/.briefings.json`` records each page's outcome and fingerprint, so that a rerun skips
what has not changed; ``<out>/index.html`` lists every briefing with body, years, status and
data-quality flags (rendered from ``templates/briefings-index.html.j2``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from govstats.briefings.export import _jinja, years_text
from govstats.briefings.fontsubset import embed_cjk_font
from govstats.briefings.paths import write_atomic
from govstats.briefings.printing import PAGE_WORDS, PRINT_FAILED

MANIFEST_NAME = ".briefings.json"


INDEX_NAME = "index.html"


def read_manifest(out_dir: Path) -> dict[str, dict]:
    """The manifest of earlier runs: page folder → outcome fields (empty when absent/corrupt)."""
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("pages", {}) if isinstance(data, dict) else {}


def _write_manifest(out_dir: Path, entries: dict[str, dict]) -> None:
    blob = json.dumps(
        {"version": 1, "pages": entries}, ensure_ascii=False, indent=1, sort_keys=True
    )
    write_atomic(Path(out_dir) / MANIFEST_NAME, blob)


def write_index(out_dir: Path, manifest: dict[str, dict] | None = None) -> Path:
    """(Re)write ``<out>/index.html`` from the manifest: every page that exists in ``out_dir``."""
    out = Path(out_dir)
    manifest = read_manifest(out) if manifest is None else manifest
    entries = []
    for folder, fields in manifest.items():
        if not (out / folder / "index.html").is_file():
            continue
        try:
            entries.append(Outcome(**_outcome_fields(fields)).entry())
        except (
            TypeError
        ):  # an entry written by an older govstats: listed again after its next render
            continue
    path = out / INDEX_NAME
    write_atomic(path, render_index(entries, generated_at=now_text()))
    return path


def _folder(outcome: Outcome) -> str:
    return outcome.page.split("/", 1)[0]


_OUTCOME_FIELDS = (
    "kind",
    "key",
    "title",
    "years",
    "status",
    "page",
    "flags",
    "error",
    "seconds",
    "fingerprint",
    "worker",
    "pdf",
)


def _manifest_fields(outcome: Outcome) -> dict:
    fields = asdict(outcome)
    fields["years"] = list(outcome.years)
    fields["at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return fields


def _outcome_fields(entry: dict) -> dict:
    fields = {k: entry.get(k) for k in _OUTCOME_FIELDS if k in entry}
    fields["years"] = tuple(fields.get("years") or ())
    fields.setdefault("seconds", 0.0)
    fields["seconds"] = fields["seconds"] or 0.0
    return fields


@dataclass(frozen=True)
class IndexEntry:
    """One row of ``reports/index.html``.

    ``kind`` is ``body`` or ``region``; ``title`` the Chinese name; ``status`` ``ok``, ``failed``
    or ``skipped`` (unchanged since the last run, page kept); ``flags`` the number of
    data-quality findings (breaches and year-over-year mismatches), None when unknown;
    ``page`` the page's path relative to the index, ``pdf`` its printed PDF's (None: none).
    """

    kind: str
    key: str
    title: str
    years: tuple[int, ...]
    status: str
    flags: int | None
    page: str
    error: str | None = None
    seconds: float | None = None
    pdf: str | None = None

    @property
    def error_page(self) -> bool:
        """The page is an error page (failed to render; not a page that only failed to print)."""
        return self.status == "failed" and not (self.error or "").startswith(PRINT_FAILED)


STATUS_LABELS = {"ok": "成功", "failed": "失败", "skipped": "未变化（沿用）"}


KIND_LABELS = {"body": "机关简报", "region": "地区对比"}


def render_index(entries: Sequence[IndexEntry], *, generated_at: str) -> str:
    """``reports/index.html``: every briefing with its body, years, status, flags and link."""
    ordered = sorted(entries, key=lambda e: (e.kind != "region", e.key))
    counts = {s: sum(1 for e in entries if e.status == s) for s in STATUS_LABELS}
    html = (
        _jinja()
        .get_template("briefings-index.html.j2")
        .render(
            entries=ordered,
            counts=counts,
            status_labels=STATUS_LABELS,
            kind_labels=KIND_LABELS,
            generated_at=generated_at,
            years_text=years_text,
        )
    )
    return embed_cjk_font(html, extra=PAGE_WORDS)


@dataclass
class Outcome:
    """What became of one task: ``status`` ``ok``, ``failed`` or ``skipped`` (page unchanged)."""

    kind: str
    key: str
    title: str
    years: tuple[int, ...]
    status: str
    page: str
    flags: int | None = None
    error: str | None = None
    seconds: float = 0.0
    fingerprint: str = ""
    worker: str = ""
    pdf: str | None = None  # briefing.pdf relative to the index, when printed

    def entry(self) -> IndexEntry:
        return IndexEntry(
            kind=self.kind,
            key=self.key,
            title=self.title,
            years=tuple(self.years),
            status=self.status,
            flags=self.flags,
            page=self.page,
            error=first_line(self.error) if self.error else None,
            seconds=self.seconds,
            pdf=self.pdf,
        )


def first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 300 else line[:297] + "…"


def now_text() -> str:
    return datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M %Z")
