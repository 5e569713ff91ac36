"""Warm Jupyter kernels for the batch runner: started once per worker, reused body after body.

A fresh kernel costs about 1.1 s to start plus about 1.1 s to import pandas and matplotlib
(``../shared/NOTEBOOKS.md``); a batch pays that once per worker instead of once per body.

Isolation between bodies run on the same kernel comes from :func:`reset_namespace`, which the
runner executes as a hidden first cell of every notebook. It restores what a notebook can
change and a fresh kernel would not show: the user namespace and output history, open
matplotlib figures and ``rcParams``, pandas options, IPython display formatters, the working
directory, ``sys.path`` and environment variables. Modules stay imported (that is the point);
a notebook that mutates module-level state of a library would leak it, which is why the runner
discards a kernel after any failure and offers ``reuse=False`` (one fresh kernel per body).
``tests/briefings/test_run.py`` proves the isolation on a fixture notebook.

Kernel-side functions here import only the standard library at module level, so importing
``govstats.briefings.kernels`` inside a kernel is cheap.
"""

from __future__ import annotations

import copy
import gc
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from typing import Any

from govstats.errors import KernelStartError

#: per-cell execution timeout (seconds) unless ``--timeout`` says otherwise
DEFAULT_TIMEOUT = 120.0
#: tag of the hidden first cell that resets the namespace (removed before export)
RESET_TAG = "govstats-reset"
#: the hidden first cell's source
RESET_SOURCE = "__import__('govstats.briefings.kernels').briefings.kernels.reset_namespace()"
#: modules imported into every kernel right after it starts (skipped when not installed)
WARM_IMPORTS = (
    "pandas",
    "matplotlib",
    "matplotlib.pyplot",
    "govstats",
    "govstats.analysis.fonts",
    "govstats.briefings.content",
    "govstats.analysis.formatting",
    "govstats.analysis",
    "govstats.analysis.plots",
    "govstats.store",
    "govstats.checks.template",
    "govstats.checks.crossyear",
)

# ---------------------------------------------------------------------------------------
# Kernel side: runs inside the IPython kernel.

_baseline: dict[str, Any] | None = None


def warm_up() -> None:
    """Inside a kernel: import :data:`WARM_IMPORTS` and record the state to restore later."""
    import importlib
    import importlib.util

    for name in WARM_IMPORTS:
        try:
            found = importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # parent package missing
            found = False
        if found:
            importlib.import_module(name)
    if "matplotlib.pyplot" in sys.modules:
        # what a fresh kernel does lazily at the first figure (register the PNG formatter of
        # figures, the flush hook): done now, so the baseline restored between bodies has it
        from IPython import get_ipython

        get_ipython().run_line_magic("matplotlib", "inline")
    global _baseline
    _baseline = _snapshot()
    # what is loaded now lives as long as the kernel: keep it out of every later collection,
    # so that the full collection of each reset costs milliseconds, not 0.1–0.3 s
    gc.collect()
    gc.freeze()


def reset_namespace() -> None:
    """Inside a kernel: make it look fresh to the next notebook (see the module docstring)."""
    from IPython import get_ipython

    shell = get_ipython()
    if _baseline is None:  # a kernel that was not warmed up: nothing ran in it yet
        warm_up()
        shell.execution_count = 1
        return
    shell.run_line_magic("reset", "-f")
    _restore(_baseline)
    gc.collect()
    shell.execution_count = 1  # the next cell is In [2], as in a fresh kernel


def _snapshot() -> dict[str, Any]:
    from IPython import get_ipython

    state: dict[str, Any] = {
        "cwd": os.getcwd(),
        "sys_path": list(sys.path),
        "environ": dict(os.environ),
        "formatters": {
            mime: (
                dict(f.type_printers),
                dict(f.deferred_printers),
                dict(getattr(f, "singleton_printers", {})),
            )
            for mime, f in get_ipython().display_formatter.formatters.items()
        },
    }
    if "matplotlib" in sys.modules:
        import matplotlib

        state["rcParams"] = copy.deepcopy(dict(matplotlib.rcParams))
    if "pandas" in sys.modules:
        import pandas as pd

        # pandas keeps its option registry private (untyped in pandas-stubs)
        config: Any = pd._config.config
        keys = list(config._registered_options)
        state["pandas"] = {k: pd.get_option(k) for k in keys if k not in config._deprecated_options}
    return state


def _restore(state: dict[str, Any]) -> None:
    import warnings

    from IPython import get_ipython

    os.chdir(state["cwd"])
    sys.path[:] = state["sys_path"]
    for key in set(os.environ) - set(state["environ"]):
        del os.environ[key]
    os.environ.update(state["environ"])
    for mime, (types, deferred, singletons) in state["formatters"].items():
        formatter = get_ipython().display_formatter.formatters[mime]
        formatter.type_printers = dict(types)
        formatter.deferred_printers = dict(deferred)
        if hasattr(formatter, "singleton_printers"):
            formatter.singleton_printers = dict(singletons)
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")
    if "rcParams" in state:
        import matplotlib

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dict.update(matplotlib.rcParams, copy.deepcopy(state["rcParams"]))
    if "pandas" in state:
        import pandas as pd

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, value in state["pandas"].items():
                if pd.get_option(key) != value:
                    pd.set_option(key, value)


# ---------------------------------------------------------------------------------------
# Worker side: starts, lends and stops kernels.


@dataclass
class Kernel:
    """A running kernel: its manager and a connected client (both jupyter_client async)."""

    km: Any
    kc: Any
    folder: str  # holds the kernel's IPC socket files
    bodies: int = 0


@dataclass
class KernelPool:
    """Kernels per thread of one worker process; idle ones are kept for the next body.

    Kernels are tied to the event loop of the thread that started them, so each thread
    (a process-pool worker has one; a Dask worker may have several) gets its own.
    """

    kernel_name: str = "python3"
    startup_timeout: float = 60.0
    cwd: str | None = None
    #: a kernel is replaced after this many bodies, so that slow leaks (caches) stay bounded
    max_bodies: int = 200
    _local: threading.local = field(default_factory=threading.local)
    _all: list[Kernel] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def acquire(self) -> Kernel:
        """An idle kernel of this thread, or a new warmed-up one (one retry on start failure)."""
        kernel = getattr(self._local, "idle", None)
        if kernel is not None:
            self._local.idle = None
            if _run(kernel.km.is_alive()):
                return kernel
            self._stop(kernel)
        try:
            return self._start()
        except Exception as first:  # port races and start timeouts happen under load: retry once
            try:
                return self._start()
            except Exception as second:
                raise KernelStartError(
                    f"kernel {self.kernel_name!r} did not start: {second} (first try: {first})"
                ) from second

    def release(self, kernel: Kernel, *, reuse: bool) -> None:
        """Give a kernel back after a body; ``reuse=False`` (or after a failure) stops it."""
        kernel.bodies += 1
        if reuse and kernel.bodies < self.max_bodies and getattr(self._local, "idle", None) is None:
            self._local.idle = kernel
        else:
            self._stop(kernel)

    def shutdown(self) -> None:
        """Stop every kernel this pool started (idle or not)."""
        with self._lock:
            kernels, self._all[:] = list(self._all), []
        for kernel in kernels:
            self._stop(kernel)

    def _start(self) -> Kernel:
        from jupyter_client.manager import AsyncKernelManager

        # IPC sockets in a private folder: no TCP port races when many kernels start at once
        folder = tempfile.mkdtemp(prefix="govstats-kernel-")
        km = AsyncKernelManager(
            kernel_name=self.kernel_name, transport="ipc", ip=os.path.join(folder, "k")
        )
        kwargs = {"cwd": self.cwd} if self.cwd else {}
        # history in memory: no SQLite file shared (and locked) by parallel kernels
        _run(km.start_kernel(extra_arguments=["--HistoryManager.hist_file=:memory:"], **kwargs))
        kc = km.client()
        try:
            kc.start_channels()
            _run(kc.wait_for_ready(timeout=self.startup_timeout))
            reply = _run(
                kc.execute_interactive(
                    "__import__('govstats.briefings.kernels').briefings.kernels.warm_up()",
                    timeout=120,
                    output_hook=lambda msg: None,
                )
            )
            if reply["content"]["status"] != "ok":
                content = reply["content"]
                raise KernelStartError(
                    f"warming up the kernel failed: {content.get('ename')}: {content.get('evalue')}"
                )
        except BaseException:
            kc.stop_channels()
            _run(km.shutdown_kernel(now=True))
            shutil.rmtree(folder, ignore_errors=True)
            raise
        kernel = Kernel(km, kc, folder)
        with self._lock:
            self._all.append(kernel)
        return kernel

    def _stop(self, kernel: Kernel) -> None:
        with self._lock:
            if kernel in self._all:
                self._all.remove(kernel)
        try:
            kernel.kc.stop_channels()
        finally:
            try:
                if _run(kernel.km.is_alive()):
                    _run(kernel.km.shutdown_kernel(now=True))
                _run(kernel.km.cleanup_resources())
            except RuntimeError:  # already gone
                pass
            shutil.rmtree(kernel.folder, ignore_errors=True)


def _run(awaitable):
    """Run a jupyter_client coroutine on this thread's loop (the one nbclient uses too)."""
    from jupyter_core.utils import run_sync

    async def _await():
        return await awaitable

    return run_sync(_await)()


def register_engine() -> str:
    """Register (once) and name the papermill engine that runs a notebook on a lent kernel.

    ``papermill.execute_notebook(..., engine_name=register_engine(), kernel=Kernel)`` executes
    with the given kernel's client and leaves the kernel running afterwards.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    name = "govstats-pooled"
    if name in papermill_engines._engines:
        return name

    class PooledKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man,
            kernel_name,
            log_output=False,
            stdout_file=None,
            stderr_file=None,
            start_timeout=60,
            execution_timeout=None,
            kernel: Kernel | None = None,
            **kwargs,
        ):
            import logging

            del kwargs  # papermill's own arguments (input_path, …) that the client does not take
            if kernel is None:
                raise ValueError(f"the {name} papermill engine runs on a lent kernel: pass kernel=")

            client = PapermillNotebookClient(
                nb_man,
                km=kernel.km,
                timeout=execution_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logging.getLogger("papermill"),
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client.kc = kernel.kc
            return client.execute()

    papermill_engines.register(name, PooledKernelEngine)
    return name
