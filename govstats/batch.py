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
import re
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from govstats import pages
from govstats.config import NOTEBOOKS_DIR, reports_dir
from govstats.errors import BriefingError

BRIEFING_NOTEBOOK = NOTEBOOKS_DIR / "10-briefing.ipynb"
COMPARE_NOTEBOOK = NOTEBOOKS_DIR / "20-compare.ipynb"
MANIFEST_NAME = ".briefings.json"
INDEX_NAME = "index.html"
#: per-cell execution timeout (seconds) unless ``--timeout`` says otherwise
DEFAULT_TIMEOUT = 120.0
#: the exit status is the number of failed briefings, capped here
MAX_EXIT_STATUS = 100


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
    db: str | None = None  # the store: a body's flags are counted from it (None: keep ``flags``)
    members: tuple[str, ...] = ()  # a region's bodies (slugs): its flags are the sum of theirs

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
    """The outcomes of one run (rendered, failed and skipped), and where the index is;
    ``jobs`` is the number of local worker processes (0 when the run went to Dask)."""

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
        where = "on Dask" if self.jobs == 0 else f"with {self.jobs} job(s)"
        return (
            f"briefings: {counts['ok']} rendered, {counts['failed']} failed, {counts['skipped']} unchanged "
            f"in {self.seconds:.1f} s {where}{rate}; index: {self.index}"
        )


# ---------------------------------------------------------------------------------------
# Planning: which pages, with which parameters and input hashes

#: the key of the comparison page over every body of the store (``region-all/``)
ALL_REGIONS = "all"
#: GB/T 2260 province-level codes → names, for the titles of province comparison pages
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区", "21": "辽宁省",
    "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省",
    "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省", "43": "湖南省",
    "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省",
    "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}  # fmt: skip


def briefing_parameters(slug: str, db: str, years: Sequence[int] | None) -> dict:
    """Parameters of ``10-briefing.ipynb`` for one body (ASCII: papermill escapes the rest)."""
    return {"body": slug, "years": sorted(years) if years else None, "year": None, "db": db}


def compare_parameters(region: str | None, db: str, years: Sequence[int] | None) -> dict:
    """Parameters of ``20-compare.ipynb`` for one region (None: every body in the store),
    compared in the latest of ``years`` (None: the latest year in the store)."""
    return {"region": region, "year": max(years) if years else None, "db": db}


def plan(
    db: str | Path | None = None,
    *,
    bodies: Sequence[str] = (),
    regions: Sequence[str] = (),
    all_bodies: bool = False,
    years: Sequence[int] | None = None,
    briefing_notebook: str | Path = BRIEFING_NOTEBOOK,
    compare_notebook: str | Path = COMPARE_NOTEBOOK,
    timeout: float = DEFAULT_TIMEOUT,
    reuse_kernel: bool = True,
) -> list[Task]:
    """The pages to render for a selection of the store's bodies.

    ``bodies``: slugs (or printed names) → one briefing each. ``regions``: GB/T 2260 codes →
    a comparison page per region plus a briefing for each of its bodies. ``all_bodies``:
    every body, plus a comparison page per region code of the bodies and per province with
    bodies in more than one region. ``years`` restricts the years briefed. Each task carries
    a content hash of the store rows it depends on and the notebook's hash. Raises
    :class:`BriefingError` for an empty selection, an unknown body or a missing notebook.
    """
    from govstats import store
    from govstats.store.registry import region_prefix

    db_path = str(store.reading_path(db).resolve())
    if not Path(db_path).is_file():
        raise BriefingError(f"no store at {db_path}: run `govstats ingest` first (or pass --db)")
    if not (bodies or regions or all_bodies):
        raise BriefingError("say which briefings to render: --body SLUG…, --region CODE… or --all")
    table = store.bodies(db_path)
    if table.empty:
        raise BriefingError(f"the store {db_path} holds no reports: run `govstats ingest` first")
    table = table.assign(slug=table["slug"].astype(str), region_code=table["region_code"].fillna("").astype(str))

    chosen: dict[str, None] = {}  # slugs, in order, no duplicates
    region_codes: dict[str, None] = {}
    if all_bodies:
        chosen.update(dict.fromkeys(table["slug"]))
        region_codes.update(dict.fromkeys(shared_regions(table["region_code"])))
        if len(table) > 1:
            region_codes[ALL_REGIONS] = None
    for query in bodies:
        hit = table[(table["slug"] == query) | (table["body"] == query) | (table["body_key"] == query)]
        if hit.empty:
            known = ", ".join(table["slug"].head(20))
            raise BriefingError(f"no body {query!r} in the store {db_path} (slugs: {known}…)")
        chosen.update(dict.fromkeys(hit["slug"]))
    for code in regions:
        code = str(code).strip()
        if not re.fullmatch(r"\d{6}", code):
            raise BriefingError(f"region {code!r}: give a six-digit GB/T 2260 code, e.g. 512000")
        members = table[table["region_code"].str.startswith(region_prefix(code))]
        if members.empty:
            raise BriefingError(f"no body of region {code} in the store {db_path}")
        region_codes[code] = None
        chosen.update(dict.fromkeys(members["slug"]))

    wanted = None if all_bodies else sorted(chosen)
    frame = store.load(db_path, body=wanted, years=list(years) if years else None)
    body_hashes = _content_hashes(frame, table)
    notebooks = {}
    for path in (briefing_notebook, compare_notebook):
        path = Path(path)
        if path.is_file():
            notebooks[str(path)] = file_hash(path, pages.TEMPLATES_DIR)

    def notebook_hash(path: Path) -> str:
        if str(path) not in notebooks:
            raise BriefingError(f"notebook {path} not found")
        return notebooks[str(path)]

    tasks: list[Task] = []
    rows = table.set_index("slug")
    for slug in chosen:
        row = rows.loc[slug]
        body_years = tuple(int(y) for y in row["years"] if not years or int(y) in set(years))
        tasks.append(
            Task(
                kind="body",
                key=pages.safe_slug(slug),
                title=str(row["body"]),
                notebook=str(Path(briefing_notebook)),
                parameters=briefing_parameters(slug, db_path, years),
                years=body_years,
                input_hash=body_hashes.get(row["body_key"], ""),
                notebook_hash=notebook_hash(Path(briefing_notebook)),
                db=db_path,
                timeout=timeout,
                reuse_kernel=reuse_kernel,
            )
        )
    for code in region_codes:
        if code == ALL_REGIONS:
            members = table
        else:
            members = table[table["region_code"].str.startswith(region_prefix(code))]
        member_years = sorted({int(y) for ys in members["years"] for y in ys if not years or int(y) in set(years)})
        tasks.append(
            Task(
                kind="region",
                key=code,
                title=_region_title(code, table),
                notebook=str(Path(compare_notebook)),
                parameters=compare_parameters(None if code == ALL_REGIONS else code, db_path, years),
                years=tuple(member_years),
                input_hash=_combine(body_hashes.get(k, "") for k in sorted(members["body_key"])),
                notebook_hash=notebook_hash(Path(compare_notebook)),
                members=tuple(str(m) for m in members["slug"]),
                timeout=timeout,
                reuse_kernel=reuse_kernel,
            )
        )
    return tasks


def shared_regions(codes: Iterable[str]) -> list[str]:
    """Regions worth a comparison page: those (own code, city, province) holding ≥ 2 bodies.

    ``codes`` holds one GB/T 2260 code per body. Of regions holding exactly the same bodies
    only the narrowest is kept (two districts of one city: the city, not also the province).
    """
    from govstats.store.registry import region_prefix

    codes = [c for c in codes if c and re.fullmatch(r"\d{6}", c)]
    candidates = {c for code in codes for c in (code, code[:4] + "00", code[:2] + "0000")}
    best: dict[tuple[int, ...], str] = {}
    for candidate in sorted(candidates, key=lambda c: -len(region_prefix(c))):
        members = tuple(i for i, code in enumerate(codes) if code.startswith(region_prefix(candidate)))
        if len(members) >= 2 and members not in best:
            best[members] = candidate
    return sorted(best.values())


def body_flags(db: str, slug: str, years: Sequence[int] | None = None) -> int:
    """Number of data-quality findings of one body's current reports: template-arithmetic
    breaches plus year-over-year mismatches, exactly what the briefing's 数据质量 section
    lists (``govstats.crossyear.check_store``)."""
    from govstats import crossyear

    return len(crossyear.check_store(db, body=slug, years=list(years) if years else None))


def _region_title(code: str, table) -> str:
    if code == ALL_REGIONS:
        return "全部机关对比"
    names = table.loc[table["region_code"] == code, "region_name"].dropna().unique()
    if len(names):
        return f"{names[0]} 各机关对比"
    if code.endswith("0000") and code[:2] in PROVINCES:
        return f"{PROVINCES[code[:2]]} 各机关对比"
    return f"地区 {code} 各机关对比"


def _content_hashes(frame, table) -> dict[str, str]:
    """body_key → a hash of its stored rows (values, labels, sources, report ids) and registry facts."""
    import pandas as pd

    hashed = pd.util.hash_pandas_object(
        frame[["report_id", "year", "template", "table", "item", "column", "value", "label", "source"]].astype("string"),
        index=False,
    )
    out: dict[str, str] = {}
    for key, positions in frame.groupby("body_key", sort=False).indices.items():
        digest = hashlib.sha256(hashed.to_numpy()[positions].tobytes())
        out[str(key)] = digest.hexdigest()[:32]
    facts = table.set_index("body_key")[["body", "slug", "region_code", "region_name", "level", "parent"]].astype("string")
    for key, row in facts.iterrows():
        extra = json.dumps([None if pd.isna(v) else str(v) for v in row.tolist()], ensure_ascii=False)
        out[str(key)] = _combine([out.get(str(key), ""), extra])
    return out


def _combine(parts: Iterable[str]) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


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
_worker_lock = threading.Lock()  # a Dask worker may call render_task from several threads


def _get_worker() -> _Worker:
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = _new_worker()
    return _worker


def _new_worker() -> _Worker:
    import atexit
    from multiprocessing import util

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
    flags = task.flags
    if task.kind == "body" and task.db:
        try:
            flags = body_flags(task.db, task.key, task.years)
        except Exception:  # noqa: BLE001 - the page stands; the index shows the count as unknown
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
        raise BriefingError("--dask-scheduler needs the optional extra: pip install 'govstats[dask]'") from exc
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
    out_dir: str | Path | None = None,
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
    out = Path(out_dir or reports_dir()).resolve()
    out.mkdir(parents=True, exist_ok=True)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    manifest = read_manifest(out)
    todo: list[Task] = []
    outcomes: list[Outcome] = []
    seen: set[str] = set()
    for task in tasks:
        if task.folder in seen:
            raise BriefingError(f"two pages would share the folder {task.folder!r} (duplicate slug?)")
        seen.add(task.folder)
        previous = manifest.get(task.folder)
        unchanged = (
            previous is not None
            and previous.get("status") in ("ok", "skipped")
            and previous.get("fingerprint") == task.fingerprint
            and (out / task.folder / "index.html").is_file()
        )
        if unchanged and not force:
            skipped = Outcome(**{**_outcome_fields(previous), "status": "skipped", "seconds": 0.0})
            outcomes.append(skipped)
            manifest[task.folder] = {**previous, "status": "skipped"}
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
        _sum_region_flags(tasks, outcomes, manifest)
        _write_manifest(out, manifest)
    index = write_index(out, manifest)
    used = 0 if dask_scheduler is not None else jobs
    return BatchResult(outcomes=outcomes, index=index, seconds=time.perf_counter() - started, jobs=used)


def _sum_region_flags(tasks: Sequence[Task], outcomes: list[Outcome], manifest: dict[str, dict]) -> None:
    """A region's flags: the sum of its bodies' flags (None if any is unknown)."""
    members = {t.folder: t.members for t in tasks if t.kind == "region" and t.members}
    for outcome in outcomes:
        folder = _folder(outcome)
        if folder not in members:
            continue
        counts = [manifest.get(slug, {}).get("flags") for slug in members[folder]]
        outcome.flags = None if any(c is None for c in counts) else sum(counts)
        if folder in manifest:
            manifest[folder]["flags"] = outcome.flags


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
        except TypeError:  # an entry written by an older govstats: listed again after its next render
            continue
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


# ---------------------------------------------------------------------------------------
# The one-call API and the command line


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
) -> BatchResult:
    """Plan (:func:`plan`) and render (:func:`run`) briefings: the work of ``govstats briefings``."""
    tasks = plan(db, bodies=bodies, regions=regions, all_bodies=all_bodies, years=years, timeout=timeout,
                 reuse_kernel=reuse_kernel)  # fmt: skip
    return run(tasks, out_dir, jobs=jobs, force=force, dask_scheduler=dask_scheduler, progress=progress)


def add_arguments(parser) -> None:
    """The options of ``govstats briefings`` (the parser is built in ``govstats.cli``)."""
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--body", nargs="+", default=[], metavar="SLUG", help="brief these bodies (registry slugs)")
    which.add_argument("--region", nargs="+", default=[], metavar="CODE",
                       help="compare the bodies of these regions (GB/T 2260 codes) and brief each of them")
    which.add_argument("--all", action="store_true", help="every body in the store, and every region with several bodies")
    parser.add_argument("--db", help="the store (default: $GOVSTATS_DB or data/govstats.duckdb)")
    parser.add_argument("--years", nargs="+", type=int, metavar="YEAR", help="only these report years")
    parser.add_argument("--out", help="output folder (default: $GOVSTATS_REPORTS or reports/ of the govstats home)")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: the core count)")
    parser.add_argument("--force", action="store_true", help="re-render pages whose inputs and notebook are unchanged")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                        help="seconds a notebook cell may run (default: %(default)g)")
    parser.add_argument("--dask-scheduler", metavar="ADDRESS",
                        help="run on a Dask cluster (needs the 'dask' extra), e.g. tcp://host:8786")
    parser.add_argument("--fresh-kernels", action="store_true",
                        help="start a new kernel for every page instead of reusing one per worker (slower)")
    parser.set_defaults(func=command)


def command(args) -> int:
    """Run ``govstats briefings``; exit status = failed pages (capped at 100), 0 when none."""
    import signal

    # a TERM (e.g. from a job scheduler) unwinds like Ctrl-C: the manifest of finished pages is
    # saved and this process's kernels are stopped
    signal.signal(signal.SIGTERM, lambda signum, frame: (_ for _ in ()).throw(KeyboardInterrupt()))
    result = briefings(
        args.db,
        bodies=args.body,
        regions=args.region,
        all_bodies=args.all,
        years=args.years,
        out_dir=args.out,
        jobs=args.jobs,
        force=args.force,
        timeout=args.timeout,
        dask_scheduler=args.dask_scheduler,
        reuse_kernel=not args.fresh_kernels,
    )
    for outcome in result.failed:
        print(f"failed: {outcome.key} ({outcome.title}): {_first_line(outcome.error or '')}", file=sys.stderr)
    print(result.summary())
    return result.exit_status
