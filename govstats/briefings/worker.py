"""The worker side of a batch: one state per process, and one page rendered per task.

A worker imports papermill and nbconvert once and keeps one warm kernel
(:mod:`~govstats.briefings.kernels`) that it reuses page after page. :func:`render_task` executes a
task's notebook in it, exports the page (:mod:`~govstats.briefings.export`) and writes it; any
failure becomes a failed :class:`Outcome` and an error page. It is picklable and self-contained,
so the local pool and Dask run the very same function.
"""

from __future__ import annotations

import atexit
import copy
import os
import sys
import threading
import time
from multiprocessing import util
from pathlib import Path
from typing import Any

from govstats.briefings.export import exporter, notebook_to_page, render_error_page, strip_ansi
from govstats.briefings.manifest import Outcome, now_text
from govstats.briefings.paths import page_path, write_atomic
from govstats.briefings.plan import Task, body_flags
from govstats.briefings.printing import remove_stale_pdf


class _Worker:
    def __init__(self) -> None:
        # jsonschema's optional rfc3987_syntax compiles a grammar at import (1.3–1.9 s per
        # process) and nbformat's validation does not need it (../shared/NOTEBOOKS.md)
        # (a None entry makes the import fail; typeshed types sys.modules as modules only)
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
        import nbformat
        import papermill

        from govstats.briefings import kernels

        self.nbformat = nbformat
        self.papermill = papermill
        self.kernels = kernels
        self.engine = kernels.register_engine()
        self.pool = kernels.KernelPool(cwd=str(Path.home()))
        self.exporter = exporter()
        self.notebooks: dict[tuple[str, float], Any] = {}
        self.name = f"{os.uname().nodename}:{os.getpid()}"

    def notebook(self, path: str, *, printed: bool = False):
        """The parsed notebook (cached per file version) with two hidden cells first: the
        kernel's reset, and how this page's charts are drawn (``printed``: as SVG)."""
        key = (path, os.stat(path).st_mtime)
        if key not in self.notebooks:
            self.notebooks[key] = self.nbformat.read(path, as_version=4)
        nb = copy.deepcopy(self.notebooks[key])
        for source in reversed((self.kernels.RESET_SOURCE, _PRINT_CHARTS_SOURCE % printed)):
            cell = self.nbformat.v4.new_code_cell(source)
            cell.metadata["tags"] = [self.kernels.RESET_TAG]
            nb.cells.insert(0, cell)
        return nb


#: the hidden cell choosing how the page's charts are drawn (every page sets it: a reused
#: kernel never carries a printed page's setting over)
_PRINT_CHARTS_SOURCE = (
    "__import__('govstats.briefings.content').briefings.content.set_print_charts(%r)"
)


_worker: _Worker | None = None


_worker_lock = threading.Lock()  # a Dask worker may call render_task from several threads


def _get_worker() -> _Worker:
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = _new_worker()
    return _worker


def _new_worker() -> _Worker:

    worker = _Worker()
    # pool workers leave through os._exit: multiprocessing finalizers still run, atexit does not
    util.Finalize(worker, worker.pool.shutdown, exitpriority=10)
    atexit.register(worker.pool.shutdown)
    return worker


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
    Returns an :class:`Outcome`; on failure an error page is written at the page's path. With
    ``task.pdf`` the page is made for printing (SVG charts) and its old ``briefing.pdf`` removed;
    the batch prints it (:func:`~govstats.briefings.printing.print_pages`) while this worker
    goes on to its next page.
    """
    started = time.perf_counter()
    path = page_path(Path(out_dir), task.folder)
    relative = f"{task.folder}/index.html"
    worker_name = ""
    try:
        worker = _get_worker()
        worker_name = worker.name
        remove_stale_pdf(path)  # an older print of this page will not match its new page
        html = _execute_and_export(worker, task)
        write_atomic(path, html)
        status, error = "ok", None
    except Exception as exc:  # every failure of one body is recorded, the batch goes on
        status, error = "failed", _describe(exc, task)
        try:
            page = render_error_page(
                title=task.title, key=task.key, error=error, generated_at=now_text()
            )
            write_atomic(path, page)
        except Exception as page_exc:
            error += f"\n(writing the error page failed too: {page_exc})"
    flags = task.flags
    if task.kind == "body" and task.db:
        try:
            flags = body_flags(task.db, task.key, task.years)
        except Exception:  # the page stands; the index shows the count as unknown
            flags = None
    return Outcome(
        kind=task.kind,
        key=task.key,
        title=task.title,
        years=tuple(task.years),
        status=status,
        page=relative,
        flags=flags,
        error=error,
        seconds=time.perf_counter() - started,
        fingerprint=task.fingerprint,
        worker=worker_name,
    )


def _execute_and_export(worker: _Worker, task: Task) -> str:
    nb = worker.notebook(task.notebook, printed=task.pdf)
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
    return notebook_to_page(executed, title=task.title, exporter_=worker.exporter)


def _describe(exc: BaseException, task: Task) -> str:
    """A readable error: what failed, where, and the traceback the kernel gave."""
    name = type(exc).__name__
    if name == "PapermillExecutionError":
        cell = getattr(exc, "exec_count", None)
        trace = strip_ansi("\n".join(getattr(exc, "traceback", []) or []))
        error = f"{getattr(exc, 'ename', name)}: {getattr(exc, 'evalue', exc)}"
        notebook = Path(task.notebook).name
        return f"{error} (notebook {notebook}, cell In [{cell}])\n\n{trace}".strip()
    if name in ("CellTimeoutError", "TimeoutError"):
        return (
            f"timed out: a cell ran longer than {task.timeout:g} "
            f"s (notebook {Path(task.notebook).name})\n{exc}"
        )
    if name == "DeadKernelError":
        return f"the kernel died while running {Path(task.notebook).name}: {exc}"
    return f"{name}: {exc}"
