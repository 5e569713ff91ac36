"""Ingest: find the reports under some paths, parse them (in a pool of worker processes when
there are many), and store them through the writer in the order they were found.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from govstats.errors import GovstatsError, StoreError
from govstats.store.connection import _now, content_hash
from govstats.store.extract import (
    EXTRACT_REPORT_COLUMNS,
    EXTRACT_REPORTS,
    EXTRACT_VALUES,
    read_extract,
)
from govstats.store.placement import needs_text, source_text
from govstats.store.writer import Entry, IngestSummary, _Pending, _Writer, entry_from_report

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor  # imported when workers start

#: suffixes a folder walk picks up (files named on the command line are always tried)
REPORT_SUFFIXES = {
    ".txt",
    ".text",
    ".htm",
    ".html",
    ".shtml",
    ".xhtml",
    ".md",
    ".markdown",
    ".pdf",
    ".docx",
    ".doc",
}


@dataclass
class _FileSource:
    path: Path


@dataclass
class _ExtractSource:
    folder: Path


def _is_extract_dir(folder: Path) -> bool:
    reports = folder / EXTRACT_REPORTS
    if not (reports.is_file() and (folder / EXTRACT_VALUES).is_file()):
        return False
    with reports.open(encoding="utf-8-sig") as fh:
        header = fh.readline().strip().split(",")
    return header[: len(EXTRACT_REPORT_COLUMNS)] == EXTRACT_REPORT_COLUMNS


def discover(paths: Iterable[str | Path]) -> tuple[list[_FileSource | _ExtractSource], int]:
    """The sources under ``paths`` (files, folders walked recursively, tidy extracts), and how
    many files a folder walk passed over (hidden, README, not a report format).

    A path that does not exist raises :class:`StoreError`.
    """
    sources: list[_FileSource | _ExtractSource] = []
    ignored = 0
    seen: set[Path] = set()

    def add(source) -> None:
        key = (source.path if isinstance(source, _FileSource) else source.folder).resolve()
        if key not in seen:
            seen.add(key)
            sources.append(source)

    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise StoreError(f"{path}: no such file or folder")
        if path.is_file():
            if path.name in (EXTRACT_REPORTS, EXTRACT_VALUES) and _is_extract_dir(path.parent):
                add(_ExtractSource(path.parent))
            else:
                add(_FileSource(path))
            continue
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            here = Path(folder)
            if _is_extract_dir(here):
                add(_ExtractSource(here))
                files = [f for f in files if f not in (EXTRACT_REPORTS, EXTRACT_VALUES)]
            for name in sorted(files):
                suffix = Path(name).suffix.lower()
                if (
                    name.startswith(".")
                    or name.upper().startswith(("README", "LICENSE"))
                    or (suffix and suffix not in REPORT_SUFFIXES)
                ):
                    ignored += 1
                    continue
                add(_FileSource(here / name))
    return sources, ignored


def _show_progress() -> bool:
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("true", "1", "yes")


#: an ingest left to choose (``jobs=None``) parses in this process below this many files
#: (PDFs and Word files weighed by :data:`HEAVY_FILE_WEIGHT`): starting worker processes costs
#: about a second
POOL_MIN_FILES = 64
#: a PDF or Word file counts as this many text files towards :data:`POOL_MIN_FILES`: one costs
#: tens of text files' parsing (about 50 ms per PDF against 2-5 ms per text report), so a
#: folder of a few PDFs already pays for the worker processes
HEAVY_FILE_WEIGHT = 16
HEAVY_SUFFIXES = (".pdf", ".docx")
#: parsed reports in flight per worker process (bounds the memory an ingest holds)
_IN_FLIGHT_PER_JOB = 8


def parse_weight(sources: Iterable) -> int:
    """The parsing cost of ``sources`` in text files: a file 1, a PDF or Word file
    :data:`HEAVY_FILE_WEIGHT` (extract folders are read in this process and count nothing)."""
    return sum(
        HEAVY_FILE_WEIGHT if s.path.suffix.lower() in HEAVY_SUFFIXES else 1
        for s in sources
        if isinstance(s, _FileSource)
    )


def parse_jobs(sources: Iterable, known: int, jobs: int | None) -> int:
    """The parse processes for ``sources`` with ``known`` contents already stored: ``jobs``
    when given, else :func:`default_jobs` — but one (this process) when what is left to parse
    weighs less than :data:`POOL_MIN_FILES` text files (:func:`parse_weight`)."""
    if jobs is not None:
        return max(1, int(jobs))
    if parse_weight(sources) - known < POOL_MIN_FILES:
        return 1
    return default_jobs()


def default_jobs() -> int:
    """Worker processes an ingest uses by default: the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def ingest(
    paths: Iterable[str | Path],
    db: str | Path | None = None,
    *,
    progress: bool | None = None,
    on_result: Callable[[str, str, str], None] | None = None,
    batch: int | None = None,
    jobs: int | None = None,
) -> IngestSummary:
    """Read every report under ``paths`` into the store; return what happened.

    ``paths``: files, folders (walked recursively; see :data:`REPORT_SUFFIXES`) and tidy
    extract folders. Files whose bytes are already stored are skipped without parsing; a file
    that fails is recorded in ``ingest_errors`` with its reason and the others go on. Parsed
    reports are written in transactions of up to ``batch`` whole reports (default 16, or 128
    with worker processes; at least every half second), so an interrupted ingest leaves whole
    reports only and a rerun completes it. ``jobs``: processes that parse files (default
    :func:`default_jobs`, but in this process when less than :data:`POOL_MIN_FILES` text files'
    worth need parsing, a PDF counting :data:`HEAVY_FILE_WEIGHT`; ``1``: always in this
    process). Workers only parse; this process alone reads the files,
    skips known content and writes the store, in the order the files were found, with at most
    ``8 × jobs`` parsed reports waiting. ``progress``: a tqdm bar (default: on a terminal, not in
    CI).
    ``on_result(status, path, detail)`` is called once a file's fate is settled (after its commit),
    with status ``read``, ``skipped`` or ``failed``. Raises :class:`StoreBusyError` when the store
    stays locked.
    """
    from tqdm.auto import tqdm

    sources, ignored = discover(paths)
    summary = IngestSummary(ignored=ignored)
    show = _show_progress() if progress is None else progress
    bar = tqdm(total=len(sources), unit="file", disable=not show, desc="ingest")

    def done(status: str, where: str, detail: str = "") -> None:
        if status == "failed":
            summary.failed += 1
            summary.errors.append((where, detail))
        else:
            setattr(summary, status, getattr(summary, status) + 1)
        bar.update(1)
        if on_result is not None:
            on_result(status, where, detail)

    def fail(where: str, data_hash: str | None, reason: str) -> None:
        writer.record_error(where, data_hash, reason)
        writer.maybe_release()
        done("failed", where, reason)

    def settle(where: str, data_hash: str, parsed: Entry | str) -> None:
        if isinstance(parsed, str):
            fail(where, data_hash, parsed)
        else:
            pending.add(parsed)

    with _Writer(db) as writer:
        known = writer.known_ids()
        # originals of reports stored from an extract without text are read for their text
        wanting_text = writer.textless_extract_ids()
        writer.release()
        workers = parse_jobs(sources, len(known), jobs)
        # a commit costs ~15 ms: with parsing off this process, the writer is the bottleneck
        pending = _Pending(writer, known, summary, done, batch or (16 if workers == 1 else 128))
        with _ParsePool(workers) as pool:
            for source in sources:
                if isinstance(source, _ExtractSource):
                    for args in pool.drain():  # keep the order the sources were found in
                        settle(*args)
                    try:
                        entries = list(read_extract(source.folder))
                    except (StoreError, ValueError, KeyError) as exc:
                        fail(str(source.folder), None, f"not a readable extract: {exc}")
                        continue
                    bar.total += len(entries) - 1
                    for entry in entries:
                        if entry.report_id not in known:  # stored now, without text: its
                            wanting_text.add(entry.report_id)  # original, later on, has it
                        pending.add(entry)
                    continue
                where = str(source.path)
                try:
                    data = source.path.read_bytes()
                except OSError as exc:
                    fail(where, None, f"cannot read: {exc.strerror or exc}")
                    continue
                data_hash = content_hash(data)
                if data_hash in known and data_hash not in wanting_text:
                    done("skipped", where, data_hash)
                    continue
                for args in pool.submit(data, where, data_hash):
                    settle(*args)
            for args in pool.drain():
                settle(*args)
        pending.flush()
        bar.close()
    return summary


def _parse_outcome(data: bytes, where: str) -> Entry | str:
    """A file's entry, or the reason it could not be read (run in a worker process)."""
    try:
        return _parse(data, where)
    except Exception as exc:  # one bad file (or a reader bug) must not stop the batch
        return str(exc) if isinstance(exc, GovstatsError) else f"{type(exc).__name__}: {exc}"


def _watch_parent(pid: int) -> None:
    """In a parse worker: ignore Ctrl-C (the ingest handles it and stops the pool) and exit
    once the ingesting process ``pid`` is gone (killed with -9, a worker would otherwise wait
    for work forever, and so would the forkserver)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)

    proc = os.path.exists("/proc/self/stat")

    def alive() -> bool:
        if proc:
            try:
                with open(f"/proc/{pid}/stat", "rb") as fh:
                    return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"  # a zombie is gone too
            except OSError:
                return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except OSError:  # exists, owned by someone else
            pass
        return True

    def watch() -> None:
        while alive():
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="govstats-parent-watch", daemon=True).start()


class _ParsePool:
    """Parses files in worker processes (or in this one for ``jobs == 1``), results in order.

    :meth:`submit` hands a file over and returns the (where, hash, entry or reason) results
    that became due, oldest first, so that at most ``jobs × 8`` parsed files are in flight.
    Workers start from a ``forkserver`` (no fork of this process's DuckDB threads) with the
    reader preloaded, and never open the store.
    """

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.limit = jobs * _IN_FLIGHT_PER_JOB
        self.executor: ProcessPoolExecutor | None = None
        self.queue: deque = deque()

    def __enter__(self) -> _ParsePool:
        if self.jobs > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context(
                "forkserver" if "forkserver" in methods else "spawn"
            )
            if "forkserver" in methods:
                context.set_forkserver_preload(["govstats.store", "govstats.reading"])
            self.executor = ProcessPoolExecutor(
                self.jobs, mp_context=context, initializer=_watch_parent, initargs=(os.getpid(),)
            )
        return self

    def __exit__(self, *exc) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=exc[0] is None, cancel_futures=True)

    def submit(self, data: bytes, where: str, data_hash: str) -> list[tuple[str, str, Entry | str]]:
        if self.executor is None:
            return [(where, data_hash, _parse_outcome(data, where))]
        self.queue.append((where, data_hash, self.executor.submit(_parse_outcome, data, where)))
        due = []
        while len(self.queue) >= self.limit or (self.queue and self.queue[0][2].done()):
            due.append(self._pop())
        return due

    def drain(self) -> list[tuple[str, str, Entry | str]]:
        out = []
        while self.queue:
            out.append(self._pop())
        return out

    def _pop(self) -> tuple[str, str, Entry | str]:
        where, data_hash, future = self.queue.popleft()
        try:
            return where, data_hash, future.result()
        except Exception as exc:  # a worker died (killed, out of memory): say so, go on
            from concurrent.futures.process import BrokenProcessPool

            if isinstance(exc, BrokenProcessPool):
                raise StoreError(
                    f"{where}: a parsing worker process died ({exc}); "
                    "files stored so far are kept, rerun to go on"
                ) from exc
            return where, data_hash, f"{type(exc).__name__}: {exc}"


def _parse(data: bytes, where: str) -> Entry:
    from govstats.reading import read_report

    read_at = _now()
    report = read_report(data, name=where)
    entry = entry_from_report(report, path=where, read_at=read_at)
    if needs_text(report.body):  # an ambiguous name: the report's own text decides its place
        entry.text = source_text(data, where)
    return entry
