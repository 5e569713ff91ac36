"""Render briefings for many bodies: plan, worker pool, per-body execute + export, skip unchanged.

``govstats briefings`` (see :func:`briefings`) runs ``notebooks/10-briefing.ipynb`` once per
body and ``notebooks/20-compare.ipynb`` once per region, each through papermill *in-process*
in a worker, exports HTML without code (:mod:`govstats.pages`) and writes

* ``<out>/<slug>/index.html`` per body, ``<out>/region-<code>/index.html`` per region
  (folders from registry slugs only, never from raw names);
* ``<out>/index.html`` listing every briefing with body, years, status and data-quality flags;
* ``<out>/.briefings.json``, the manifest that lets a rerun skip what has not changed.

How it stays fast: workers (``--jobs``, default the core count) import papermill and nbconvert
once, and each keeps one warm kernel (:mod:`govstats.kernels`) that it reuses body after body,
with the namespace reset between bodies; a kernel that fails in any way is discarded. How it
stays robust: each body is one :class:`Task` whose failure (cell exception, timeout, dead
kernel, unsafe output) becomes a failed :class:`Outcome` with the error, written as an error
page; pages are written atomically. ``--dask-scheduler`` sends the same :func:`render_task` to
a Dask cluster instead of the local pool.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from govstats import pages
from govstats.config import NOTEBOOKS_DIR, REPORTS_DIR
from govstats.errors import GovstatsError

BRIEFING_NOTEBOOK = NOTEBOOKS_DIR / "10-briefing.ipynb"
COMPARE_NOTEBOOK = NOTEBOOKS_DIR / "20-compare.ipynb"
MANIFEST_NAME = ".briefings.json"
INDEX_NAME = "index.html"
#: per-cell execution timeout (seconds) unless ``--timeout`` says otherwise
DEFAULT_TIMEOUT = 120.0
#: the exit status is the number of failed briefings, capped here
MAX_EXIT_STATUS = 100


class BatchError(GovstatsError):
    """The batch could not be planned or run (bad selection, missing notebook or store)."""


@dataclass(frozen=True)
class Task:
    """One page to render: a notebook run with ASCII parameters, exported to ``folder``.

    ``kind`` is ``body`` or ``region``; ``key`` the body's slug or the region code;
    ``title`` the Chinese name shown on the index; ``input_hash`` a content hash of the
    store rows the page depends on (plus the registry facts), ``notebook_hash`` of the
    notebook file and the page templates: unchanged hashes mean an unchanged page.
    ``flags`` is the number of data-quality findings of the inputs (None: not computed).
    """

    kind: str
    key: str
    title: str
    notebook: str
    parameters: dict
    years: tuple[int, ...] = ()
    input_hash: str = ""
    notebook_hash: str = ""
    flags: int | None = None
    timeout: float = DEFAULT_TIMEOUT
    reuse_kernel: bool = True

    @property
    def folder(self) -> str:
        """The page's folder under the output directory (a safe slug)."""
        return pages.safe_slug(self.key if self.kind == "body" else f"region-{self.key}")

    @property
    def fingerprint(self) -> str:
        """What must be unchanged for a rerun to skip this page."""
        blob = json.dumps([self.input_hash, self.notebook_hash, self.parameters, self.title], sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()[:32]


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

    def entry(self) -> pages.IndexEntry:
        return pages.IndexEntry(
            kind=self.kind,
            key=self.key,
            title=self.title,
            years=tuple(self.years),
            status=self.status,
            flags=self.flags,
            page=self.page,
            error=_first_line(self.error) if self.error else None,
            seconds=self.seconds,
        )


@dataclass
class BatchResult:
    """The outcomes of one run (rendered, failed and skipped), and where the index is."""

    outcomes: list[Outcome]
    index: Path
    seconds: float
    jobs: int

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "failed"]

    @property
    def exit_status(self) -> int:
        """0 when nothing failed, else the number of failures capped at :data:`MAX_EXIT_STATUS`."""
        return min(len(self.failed), MAX_EXIT_STATUS)

    def summary(self) -> str:
        counts = {s: sum(o.status == s for o in self.outcomes) for s in ("ok", "failed", "skipped")}
        rendered = counts["ok"] + counts["failed"]
        rate = f", {self.seconds / rendered:.2f} s per page" if rendered else ""
        return (
            f"briefings: {counts['ok']} rendered, {counts['failed']} failed, {counts['skipped']} unchanged "
            f"in {self.seconds:.1f} s with {self.jobs} job(s){rate}; index: {self.index}"
        )


# ---------------------------------------------------------------------------------------
# Worker side: one state per process (papermill/nbconvert imported once, a warm kernel)


class _Worker:
    def __init__(self) -> None:
        # jsonschema's optional rfc3987_syntax compiles a grammar at import (1.3–1.9 s per
        # process) and nbformat's validation does not need it (../shared/NOTEBOOKS.md)
        sys.modules.setdefault("rfc3987_syntax", None)
        import nbformat
        import papermill

        from govstats import kernels

        self.nbformat = nbformat
        self.papermill = papermill
        self.kernels = kernels
        self.engine = kernels.register_engine()
        self.pool = kernels.KernelPool(cwd=str(Path.home()))
        self.exporter = pages.exporter()
        self.notebooks: dict[tuple[str, float], object] = {}
        self.name = f"{os.uname().nodename}:{os.getpid()}"

    def notebook(self, path: str):
        """The parsed notebook with the hidden reset cell first (cached per file version)."""
        key = (path, os.stat(path).st_mtime)
        if key not in self.notebooks:
            nb = self.nbformat.read(path, as_version=4)
            reset = self.nbformat.v4.new_code_cell(self.kernels.RESET_SOURCE)
            reset.metadata["tags"] = [self.kernels.RESET_TAG]
            nb.cells.insert(0, reset)
            self.notebooks[key] = nb
        return copy.deepcopy(self.notebooks[key])


_worker: _Worker | None = None


def _get_worker() -> _Worker:
    global _worker
    if _worker is None:
        _worker = _Worker()
        import atexit
        from multiprocessing import util

        # pool workers leave through os._exit: multiprocessing finalizers still run, atexit does not
        util.Finalize(_worker, _worker.pool.shutdown, exitpriority=10)
        atexit.register(_worker.pool.shutdown)
    return _worker


def warm_worker() -> None:
    """Pool initializer: import the toolchain and start this worker's kernel before work arrives."""
    worker = _get_worker()
    worker.pool.release(worker.pool.acquire(), reuse=True)


def shutdown_worker() -> None:
    """Stop this process's kernels (the local in-process run calls it when done)."""
    if _worker is not None:
        _worker.pool.shutdown()


def render_task(task: Task, out_dir: str) -> Outcome:
    """Render one page (in a worker): execute the notebook, export, write; never raises.

    Picklable and self-contained, so the local pool and Dask run the very same function.
    Returns an :class:`Outcome`; on failure an error page is written at the page's path.
    """
    started = time.perf_counter()
    path = pages.page_path(Path(out_dir), task.folder)
    relative = f"{task.folder}/index.html"
    worker_name = ""
    try:
        worker = _get_worker()
        worker_name = worker.name
        html = _execute_and_export(worker, task)
        pages.write_atomic(path, html)
        status, error = "ok", None
    except Exception as exc:  # noqa: BLE001 - every failure of one body is recorded, the batch goes on
        status, error = "failed", _describe(exc, task)
        try:
            page = pages.render_error_page(title=task.title, key=task.key, error=error, generated_at=_now())
            pages.write_atomic(path, page)
        except Exception as page_exc:  # noqa: BLE001
            error += f"\n(writing the error page failed too: {page_exc})"
    return Outcome(
        kind=task.kind,
        key=task.key,
        title=task.title,
        years=tuple(task.years),
        status=status,
        page=relative,
        flags=task.flags,
        error=error,
        seconds=time.perf_counter() - started,
        fingerprint=task.fingerprint,
        worker=worker_name,
    )


def _execute_and_export(worker: _Worker, task: Task) -> str:
    nb = worker.notebook(task.notebook)
    kernel = worker.pool.acquire()
    healthy = False
    try:
        executed = worker.papermill.execute_notebook(
            nb,
            None,
            parameters=dict(task.parameters),
            kernel_name="python3",
            engine_name=worker.engine,
            kernel=kernel,
            execution_timeout=task.timeout,
            progress_bar=False,
            log_output=False,
        )
        healthy = True
    finally:
        # a kernel that failed in any way (exception, timeout, death) is never reused
        worker.pool.release(kernel, reuse=healthy and task.reuse_kernel)
    return pages.notebook_to_page(executed, title=task.title, exporter_=worker.exporter)


def _describe(exc: BaseException, task: Task) -> str:
    """A readable error: what failed, where, and the traceback the kernel gave."""
    name = type(exc).__name__
    if name == "PapermillExecutionError":
        cell = getattr(exc, "exec_count", None)
        trace = pages.strip_ansi("\n".join(getattr(exc, "traceback", []) or []))
        return f"{exc.ename}: {exc.evalue} (notebook {Path(task.notebook).name}, cell In [{cell}])\n\n{trace}".strip()
    if name in ("CellTimeoutError", "TimeoutError"):
        return f"timed out: a cell ran longer than {task.timeout:g} s (notebook {Path(task.notebook).name})\n{exc}"
    if name == "DeadKernelError":
        return f"the kernel died while running {Path(task.notebook).name}: {exc}"
    return f"{name}: {exc}"


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= 300 else line[:297] + "…"


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().strftime("%Y-%m-%d %H:%M %Z")


# ---------------------------------------------------------------------------------------
# Backends: in-process, local process pool, Dask


def _run_inprocess(tasks: Sequence[Task], out_dir: str) -> Iterator[Outcome]:
    try:
        for task in tasks:
            yield render_task(task, out_dir)
    finally:
        shutdown_worker()


def _run_pool(tasks: Sequence[Task], out_dir: str, jobs: int, mp_context: str) -> Iterator[Outcome]:
    import multiprocessing

    context = multiprocessing.get_context(mp_context)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=warm_worker) as pool:
        futures = {pool.submit(render_task, task, out_dir): task for task in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - a worker process died: record, go on
                yield _lost(futures[future], exc)


def _run_dask(tasks: Sequence[Task], out_dir: str, address) -> Iterator[Outcome]:
    try:
        from distributed import Client, as_completed as dask_completed
    except ImportError as exc:
        raise BatchError("--dask-scheduler needs the optional extra: pip install 'govstats[dask]'") from exc
    client = address if hasattr(address, "map") else Client(address)
    try:
        futures = client.map(render_task, list(tasks), out_dir=out_dir, pure=False)
        by_key = {f.key: t for f, t in zip(futures, tasks)}
        for future in dask_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # noqa: BLE001 - a lost worker: record, go on
                yield _lost(by_key[future.key], exc)
    finally:
        if client is not address:
            client.close()


def _lost(task: Task, exc: BaseException) -> Outcome:
    return Outcome(
        kind=task.kind, key=task.key, title=task.title, years=tuple(task.years), status="failed",
        page=f"{task.folder}/index.html", flags=task.flags, error=f"worker lost: {type(exc).__name__}: {exc}",
        fingerprint=task.fingerprint,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------
# The run: skip unchanged, execute, manifest, index


def read_manifest(out_dir: Path) -> dict[str, dict]:
    """The manifest of earlier runs: page folder → outcome fields (empty when absent/corrupt)."""
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("pages", {}) if isinstance(data, dict) else {}


def _write_manifest(out_dir: Path, entries: dict[str, dict]) -> None:
    blob = json.dumps({"version": 1, "pages": entries}, ensure_ascii=False, indent=1, sort_keys=True)
    pages.write_atomic(Path(out_dir) / MANIFEST_NAME, blob)


def run(
    tasks: Sequence[Task],
    out_dir: str | Path = REPORTS_DIR,
    *,
    jobs: int | None = None,
    force: bool = False,
    dask_scheduler=None,
    progress: bool | None = None,
    mp_context: str = "spawn",
) -> BatchResult:
    """Render ``tasks`` into ``out_dir`` and write the index; failures are recorded, not raised.

    ``jobs``: worker processes (default ``os.cpu_count()``; 1 runs in this process).
    ``force``: re-render pages whose inputs and notebook are unchanged. ``dask_scheduler``:
    an address (or a ``distributed.Client``) to run on instead of the local pool.
    ``progress``: a tqdm bar (default: on a terminal and not in CI). ``mp_context``: how
    workers start (``spawn`` or ``fork``).
    """
    started = time.perf_counter()
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    manifest = read_manifest(out)
    todo: list[Task] = []
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for task in tasks:
        if task.folder in seen:
            raise BatchError(f"two pages would share the folder {task.folder!r} (duplicate slug?)")
        seen.add(task.folder)
        previous = manifest.get(task.folder)
        unchanged = (
            previous is not None
            and previous.get("status") in ("ok", "skipped")
            and previous.get("fingerprint") == task.fingerprint
            and (out / task.folder / "index.html").is_file()
        )
        if unchanged and not force:
            outcomes.append(Outcome(**{**_outcome_fields(previous), "status": "skipped", "seconds": 0.0}))
        else:
            todo.append(task)

    if todo:
        pages.prepare_fonts()  # once here, not in every worker at the same time
    if dask_scheduler is not None:
        stream = _run_dask(todo, str(out), dask_scheduler)
    elif jobs == 1 or len(todo) <= 1:
        stream = _run_inprocess(todo, str(out))
    else:
        stream = _run_pool(todo, str(out), min(jobs, len(todo)), mp_context)

    bar = _progress_bar(len(todo), progress)
    last_save = time.monotonic()
    try:
        for outcome in stream:
            outcomes.append(outcome)
            manifest[_folder(outcome)] = _manifest_fields(outcome)
            if bar is not None:
                bar.set_postfix_str(f"{outcome.key}: {outcome.status}", refresh=False)
                bar.update(1)
            if time.monotonic() - last_save > 5:  # a killed batch keeps what it finished
                _write_manifest(out, manifest)
                last_save = time.monotonic()
    finally:
        if bar is not None:
            bar.close()
        _write_manifest(out, manifest)
    index = write_index(out, manifest)
    return BatchResult(outcomes=outcomes, index=index, seconds=time.perf_counter() - started, jobs=jobs)


def write_index(out_dir: Path, manifest: dict[str, dict] | None = None) -> Path:
    """(Re)write ``<out>/index.html`` from the manifest: every page that exists in ``out_dir``."""
    out = Path(out_dir)
    manifest = read_manifest(out) if manifest is None else manifest
    entries = [
        Outcome(**_outcome_fields(fields)).entry()
        for folder, fields in manifest.items()
        if (out / folder / "index.html").is_file()
    ]
    path = out / INDEX_NAME
    pages.write_atomic(path, pages.render_index(entries, generated_at=_now()))
    return path


def _folder(outcome: Outcome) -> str:
    return outcome.page.split("/", 1)[0]


_OUTCOME_FIELDS = ("kind", "key", "title", "years", "status", "page", "flags", "error", "seconds", "fingerprint", "worker")


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


def _progress_bar(total: int, progress: bool | None):
    if progress is None:
        progress = sys.stderr.isatty() and not os.environ.get("CI")
    if not progress or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="page", desc="briefings", dynamic_ncols=True)


def file_hash(*paths: str | Path) -> str:
    """sha256 (first 32 hex) over the bytes of files and of every file under given folders."""
    digest = hashlib.sha256()
    for path in paths:
        path = Path(path)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(file.name.encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:32]
