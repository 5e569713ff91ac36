"""Running a batch: skip unchanged pages, render the rest in a pool, write manifest and index.

``govstats briefings`` (see :func:`briefings`) plans (:mod:`~govstats.briefings.plan`) and runs
the pages in this process, a local process pool (``--jobs``, default the core count) or on a
Dask cluster (``--dask-scheduler``); each page is one :class:`~govstats.briefings.plan.Task`
rendered by :func:`~govstats.briefings.worker.render_task`. Failures are recorded, never
raised: the batch goes on, and the exit status counts them.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from govstats.briefings.browser import find_chromium, missing_message
from govstats.briefings.fontsubset import prepare_fonts
from govstats.briefings.kernels import DEFAULT_TIMEOUT
from govstats.briefings.manifest import (
    _folder,
    _manifest_fields,
    _outcome_fields,
    _write_manifest,
    read_manifest,
    write_index,
)
from govstats.briefings.plan import Task, plan
from govstats.briefings.printing import PDF_NAME, PRINT_FAILED, browsers_for, print_pages
from govstats.briefings.worker import Outcome, render_task, shutdown_worker, warm_worker
from govstats.config import reports_dir
from govstats.errors import BriefingError

#: the exit status is the number of failed briefings, capped here
MAX_EXIT_STATUS = 100


@dataclass
class BatchResult:
    """The outcomes of one run (rendered, failed and skipped), and where the index is;
    ``jobs`` is the number of local worker processes (0 when the run went to Dask);
    ``notice`` a line for the user about the whole batch (``--pdf`` without a browser)."""

    outcomes: list[Outcome]
    index: Path
    seconds: float
    jobs: int
    notice: str | None = None

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
        where = "on Dask" if self.jobs == 0 else f"with {self.jobs} job(s)"
        unprinted = sum((o.error or "").startswith(PRINT_FAILED) for o in self.failed)
        failed = f"{counts['failed']} failed" + (
            f" ({unprinted} of them HTML only: not printed)" if unprinted else ""
        )
        pdfs = sum(o.pdf is not None and o.status == "ok" for o in self.outcomes)
        printed = f" ({pdfs} with PDF)" if pdfs else ""
        return (
            f"briefings: {counts['ok']} rendered{printed}, {failed}, {counts['skipped']} "
            f"unchanged in {self.seconds:.1f} s {where}{rate}; index: {self.index}"
        )


def _run_inprocess(tasks: Sequence[Task], out_dir: str) -> Iterator[Outcome]:
    try:
        for task in tasks:
            yield render_task(task, out_dir)
    finally:
        shutdown_worker()


def _run_pool(tasks: Sequence[Task], out_dir: str, jobs: int, mp_context: str) -> Iterator[Outcome]:

    context = multiprocessing.get_context(mp_context)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=warm_worker) as pool:
        futures = {pool.submit(render_task, task, out_dir): task for task in tasks}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a worker process died: record, go on
                yield _lost(futures[future], exc)


def _run_dask(tasks: Sequence[Task], out_dir: str, address) -> Iterator[Outcome]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError as exc:
        raise BriefingError(
            "--dask-scheduler needs the optional extra: pip install 'govstats[dask]'"
        ) from exc
    client = address if hasattr(address, "map") else Client(address)
    try:
        futures = client.map(render_task, list(tasks), out_dir=out_dir, pure=False)
        by_key = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        for future in dask_completed(futures):
            try:
                yield future.result()
            except Exception as exc:  # a lost worker: record, go on
                yield _lost(by_key[future.key], exc)
    finally:
        if client is not address:
            client.close()


def _lost(task: Task, exc: BaseException) -> Outcome:
    return Outcome(
        kind=task.kind, key=task.key, title=task.title, years=tuple(task.years), status="failed",
        page=f"{task.folder}/index.html", flags=task.flags, error=(
            f"worker lost: {type(exc).__name__}: {exc}"
        ),
        fingerprint=task.fingerprint,
    )  # fmt: skip


def run(
    tasks: Sequence[Task],
    out_dir: str | Path | None = None,
    *,
    jobs: int | None = None,
    force: bool = False,
    dask_scheduler=None,
    progress: bool | None = None,
    mp_context: str = "spawn",
    pdf: bool = False,
) -> BatchResult:
    """Render ``tasks`` into ``out_dir`` and write the index; failures are recorded, not raised.

    ``jobs``: worker processes (default ``os.cpu_count()``; 1 runs in this process).
    ``force``: re-render pages whose inputs and notebook are unchanged. ``dask_scheduler``:
    an address (or a ``distributed.Client``) to run on instead of the local pool.
    ``progress``: a tqdm bar (default: on a terminal and not in CI). ``mp_context``: how
    workers start (``spawn`` or ``fork``). ``pdf``: also print every page to ``briefing.pdf``
    (:func:`~govstats.briefings.printing.print_pages`: in this process, while the workers
    render the next pages); a page that does not print fails with its HTML page written, and
    without a browser every page does, with :attr:`BatchResult.notice` saying what to install.
    """
    started = time.perf_counter()
    out = Path(out_dir or reports_dir()).resolve()
    out.mkdir(parents=True, exist_ok=True)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    if pdf:
        tasks = [dataclasses.replace(t, pdf=True) for t in tasks]
    # the browser is looked for here, for one clear line; the printers find it (or not) too
    notice = missing_message() if pdf and not find_chromium() else None
    manifest = read_manifest(out)
    todo: list[Task] = []
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for task in tasks:
        if task.folder in seen:
            raise BriefingError(
                f"two pages would share the folder {task.folder!r} (duplicate slug?)"
            )
        seen.add(task.folder)
        previous = manifest.get(task.folder)
        # a printed page also stands for the same page unprinted (it keeps its PDF)
        printed = dataclasses.replace(task, pdf=True).fingerprint
        unchanged = (
            previous is not None
            and previous.get("status") in ("ok", "skipped")
            and previous.get("fingerprint") in (task.fingerprint, printed)
            and (out / task.folder / "index.html").is_file()
            and (not task.pdf or (out / task.folder / PDF_NAME).is_file())
        )
        if previous is not None and unchanged and not force:
            skipped = Outcome(**{**_outcome_fields(previous), "status": "skipped", "seconds": 0.0})
            outcomes.append(skipped)
            manifest[task.folder] = {**previous, "status": "skipped"}
        else:
            todo.append(task)

    if todo:
        prepare_fonts()  # once here, not in every worker at the same time
    if dask_scheduler is not None:
        stream = _run_dask(todo, str(out), dask_scheduler)
    elif jobs == 1 or len(todo) <= 1:
        stream = _run_inprocess(todo, str(out))
    else:
        stream = _run_pool(todo, str(out), min(jobs, len(todo)), mp_context)
    if pdf and todo:
        stream = print_pages(stream, out, browsers=browsers_for(min(jobs, len(todo))))

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
        _sum_region_flags(tasks, outcomes, manifest)
        _write_manifest(out, manifest)
    index = write_index(out, manifest)
    used = 0 if dask_scheduler is not None else jobs
    return BatchResult(
        outcomes=outcomes,
        index=index,
        seconds=time.perf_counter() - started,
        jobs=used,
        notice=notice,
    )


def _sum_region_flags(
    tasks: Sequence[Task], outcomes: list[Outcome], manifest: dict[str, dict]
) -> None:
    """A region's flags: the sum of its bodies' flags (None if any is unknown)."""
    members = {t.folder: t.members for t in tasks if t.kind == "region" and t.members}
    for outcome in outcomes:
        folder = _folder(outcome)
        if folder not in members:
            continue
        counts = [manifest.get(slug, {}).get("flags") for slug in members[folder]]
        known = [c for c in counts if c is not None]
        outcome.flags = sum(known) if len(known) == len(counts) else None
        if folder in manifest:
            manifest[folder]["flags"] = outcome.flags


def _progress_bar(total: int, progress: bool | None):
    if progress is None:
        progress = sys.stderr.isatty() and not os.environ.get("CI")
    if not progress or total == 0:
        return None

    return tqdm(total=total, unit="page", desc="briefings", dynamic_ncols=True)


def briefings(
    db: str | Path | None = None,
    *,
    bodies: Sequence[str] = (),
    regions: Sequence[str] = (),
    all_bodies: bool = False,
    years: Sequence[int] | None = None,
    out_dir: str | Path | None = None,
    jobs: int | None = None,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    dask_scheduler=None,
    reuse_kernel: bool = True,
    progress: bool | None = None,
    pdf: bool = False,
) -> BatchResult:
    """Plan (:func:`plan`) and render (:func:`run`) briefings: the work of
    ``govstats briefings``."""
    tasks = plan(db, bodies=bodies, regions=regions, all_bodies=all_bodies, years=years,
                 timeout=timeout, reuse_kernel=reuse_kernel)  # fmt: skip
    return run(tasks, out_dir, jobs=jobs, force=force, dask_scheduler=dask_scheduler,
               progress=progress, pdf=pdf)  # fmt: skip
