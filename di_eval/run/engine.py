"""A papermill engine that runs notebooks in a warm kernel, reset between reports.

A fresh kernel costs about a second to start and another to import pandas, matplotlib and
the project; a batch of reports pays that once per worker instead of once per report. Between
reports the kernel's namespace is reset (``%reset -f``, figures closed, execution count back to
1), so each report starts from the same state a fresh kernel would give it; imported modules
and the project's in-process caches stay warm.

The engine is registered with papermill as ``di_eval_warm``. Called by di-eval it gets a
``warm_kernel``; called from papermill's own command line (``papermill --engine di_eval_warm
in.ipynb out.ipynb``) it starts a kernel of its own for the one notebook and stops it after.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import tempfile
import time

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError

from di_eval.errors import DiEvalError

logger = logging.getLogger("di_eval.run.engine")

RESET_CODE = """\
get_ipython().run_line_magic('reset', '-f')
import gc as _gc, sys as _sys
if 'matplotlib.pyplot' in _sys.modules:
    _sys.modules['matplotlib.pyplot'].close('all')
_gc.collect()
get_ipython().execution_count = 1
del _gc, _sys
"""


# What every report imports: done once per kernel while the data are being evaluated.
WARMUP_REPORT = (
    "import sys; sys.modules.setdefault('rfc3987_syntax', None)\n"  # see di_eval/run/__init__.py
    "import di_eval.report.page, di_eval.report.charts, di_eval.report.sentences"
)
# A worker's kernel imports seaborn too (2.6-3.3 s at a load of 5, for the region's small multiples),
# after the rest, so that the region report does not pay it on the batch's critical path. The one
# kernel a run launches for a single (municipal) report takes WARMUP_REPORT only.
WARMUP = WARMUP_REPORT + "\nimport seaborn.objects"


class KernelStartError(DiEvalError):
    """Raised when a kernel could not be started after every retry."""


class ReportTimeout(DiEvalError):
    """Raised when a report runs longer than its time limit."""

    def __init__(self, seconds: float, cell_index: int | None):
        self.seconds = seconds
        self.cell_index = cell_index
        super().__init__(f"stopped after {seconds:.0f} s (time limit), in cell {cell_index}")

    def __reduce__(self):
        return (self.__class__, (self.seconds, self.cell_index))


class WarmKernel:
    """One kernel kept alive across notebooks; restarted when it dies or hangs."""

    def __init__(
        self, kernel_name: str = "python3", retries: int = 3, startup_timeout: float = 60, retry_pause: float = 1.0
    ):
        self.kernel_name = kernel_name
        self.retries = retries
        self.startup_timeout = startup_timeout
        self.retry_pause = retry_pause
        self.km: AsyncKernelManager | None = None
        self.kc = None
        self.pid: int | None = None
        self.starts = 0
        self._ipc_dir: str | None = None
        self._launched = False  # started by ``launch``: not yet waited for

    def start(self) -> None:
        """Start the kernel, retrying: parallel starts can race for ports or die before replying."""
        last = None
        for attempt in range(1, self.retries + 1):
            try:
                self._start_once()
                return
            except Exception as err:  # noqa: BLE001 — any start failure is retried the same way
                last = err
                logger.warning("kernel start %d/%d failed: %s", attempt, self.retries, err)
                self.shutdown()
                time.sleep(self.retry_pause * attempt)
        raise KernelStartError(f"kernel {self.kernel_name!r} did not start after {self.retries} attempts: {last}")

    def _start_once(self) -> None:
        if IPC_AVAILABLE:
            # IPC sockets in a private folder: no TCP ports, so parallel starts cannot race for them
            self._ipc_dir = tempfile.mkdtemp(prefix="di-eval-kernel-")
            self.km = AsyncKernelManager(
                kernel_name=self.kernel_name, transport="ipc", ip=os.path.join(self._ipc_dir, "kernel")
            )
        else:  # Windows has no IPC transport: TCP on the loopback interface
            self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="tcp", ip="127.0.0.1")
        run_sync(self.km.start_kernel)()
        self.pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
        self.starts += 1

    def launch(self, code: str = "") -> bool:
        """Start the kernel without waiting for it, with ``code`` (imports) queued for it; False if it failed.

        The run does other work meanwhile; the first ``reset`` waits for the kernel and its warm-up.
        """
        try:
            if IPC_AVAILABLE:
                self._ipc_dir = tempfile.mkdtemp(prefix="di-eval-kernel-")
                self.km = AsyncKernelManager(
                    kernel_name=self.kernel_name, transport="ipc", ip=os.path.join(self._ipc_dir, "kernel")
                )
            else:
                self.km = AsyncKernelManager(kernel_name=self.kernel_name, transport="tcp", ip="127.0.0.1")
            run_sync(self.km.start_kernel)()
            self.pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
            self.kc = self.km.client()
            self.kc.start_channels()
            if code:
                self.kc.execute(code, silent=True, store_history=False)
            self.starts += 1
            self._launched = True
            return True
        except Exception as err:  # noqa: BLE001 — the run starts a kernel the usual way instead
            logger.warning("kernel launch failed: %s", err)
            self.shutdown()
            return False
        except BaseException:  # told to stop while the kernel started: it goes too
            self.shutdown()
            raise

    def alive(self) -> bool:
        return self.km is not None and run_sync(self.km.is_alive)()

    def ensure(self) -> None:
        if not self.alive():
            self.shutdown()
            self.start()

    def reset(self) -> None:
        """Give the next notebook the state of a fresh kernel (namespace, figures, counter)."""
        if self._launched:  # its start and warm-up: the reply comes after both
            self._launched = False
            try:
                run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout + 240)
            except Exception:  # noqa: BLE001 — a kernel that did not come up is started again
                self.restart()
        self.ensure()
        reply = run_sync(self.kc.execute_interactive)(RESET_CODE, silent=True, store_history=False, timeout=30)
        if reply["content"]["status"] != "ok":
            self.restart()

    def warm(self, code: str) -> None:
        """Run set-up code (imports) once, so that the first report does not pay for it."""
        self.ensure()
        run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False, timeout=120)

    def restart(self) -> None:
        self.shutdown()
        self.start()

    def kill_now(self) -> None:
        """Kill the kernel and whatever it started at once; safe to call from a signal handler.

        A kernel still starting has a process before ``start`` knows its pid: the provisioner's is
        taken then, and the caller kills its other children too (``batch.kill_children``), so that
        no kernel outlives its folder and fails to bind in it.
        """
        pid = self.pid or getattr(getattr(self.km, "provisioner", None), "pid", None)
        if pid:
            with contextlib.suppress(OSError):
                if hasattr(os, "killpg"):
                    os.killpg(pid, signal.SIGKILL)  # the kernel leads its own session
                else:
                    os.kill(pid, signal.SIGTERM)
        if self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)

    def shutdown(self) -> None:
        if self.kc is not None:
            try:
                self.kc.stop_channels()
            except Exception:  # noqa: BLE001 — best effort while tearing down
                pass
        if self.km is not None:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001
                pass
        self.km = self.kc = None
        self.pid = None
        if self._ipc_dir:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None


def _engine_class(Engine):
    """The engine class, made once papermill is there (see ``__getattr__``)."""
    from papermill.clientwrap import PapermillNotebookClient

    class WarmKernelEngine(Engine):
        """papermill engine `di_eval_warm`: executes in the WarmKernel passed as `warm_kernel`.

        ``report_timeout`` (seconds) limits the whole report, however its time is spread over cells,
        and is reported as a ReportTimeout; papermill's ``execution_timeout`` still limits each cell.
        Without a ``warm_kernel`` (papermill's command line) a kernel is started for this notebook.
        di-eval calls papermill with ``request_save_on_cell_execute=False``: the notebook is written
        once, at the end or on failure, not at every cell.
        """

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
            warm_kernel: WarmKernel | None = None,
            report_timeout: float | None = None,
            **kwargs,
        ):
            own = None
            if warm_kernel is None:
                own = warm_kernel = WarmKernel(kernel_name=kernel_name or "python3", startup_timeout=start_timeout)
                warm_kernel.start()
            try:
                return cls._execute(
                    nb_man, warm_kernel, kernel_name, log_output, stdout_file, stderr_file, start_timeout,
                    execution_timeout, report_timeout,
                )  # fmt: skip
            finally:
                if own is not None:
                    own.shutdown()

        @staticmethod
        def _execute(
            nb_man, warm_kernel, kernel_name, log_output, stdout_file, stderr_file, start_timeout, cell_timeout, limit
        ):
            client = PapermillNotebookClient(
                nb_man,
                km=warm_kernel.km,
                timeout=cell_timeout,
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            client.kc = warm_kernel.kc
            started = time.monotonic()
            if limit is not None:
                deadline = started + limit

                def cell_limit(cell):
                    remaining = max(1, int(deadline - time.monotonic()) + 1)
                    return min(remaining, cell_timeout) if cell_timeout else remaining

                client.timeout_func = cell_limit
            try:
                return client.execute(cleanup_kc=False)
            except CellTimeoutError as err:
                index = _running_cell(nb_man.nb)
                if index is not None:
                    nb_man.cell_exception(nb_man.nb.cells[index], cell_index=index, exception=err)
                raise ReportTimeout(time.monotonic() - started, index) from None

    WarmKernelEngine.__qualname__ = "WarmKernelEngine"
    return WarmKernelEngine


def __getattr__(name: str):
    # ``WarmKernelEngine`` subclasses papermill's Engine, and papermill, when first imported, loads
    # this module through its entry point and asks for the class. Made on first access, the class
    # lets this module be imported before papermill, and papermill before this module.
    if name != "WarmKernelEngine":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from papermill.engines import Engine  # may ask for this attribute itself (entry point): see below

    if "WarmKernelEngine" not in globals():
        globals()["WarmKernelEngine"] = _engine_class(Engine)
    return globals()["WarmKernelEngine"]


def _running_cell(nb) -> int | None:
    """The cell that was executing: the one started last (papermill marks it completed on the way out)."""
    started = [
        (cell.get("metadata", {}).get("papermill", {}).get("start_time") or "", index)
        for index, cell in enumerate(nb.cells)
    ]
    started = [item for item in started if item[0]]
    return max(started)[1] if started else None


def _ipc_available() -> bool:
    """ZeroMQ's IPC transport needs Unix domain sockets; where they are missing, kernels use TCP."""
    if os.name != "posix":
        return False
    try:
        import zmq

        return bool(zmq.has("ipc"))
    except Exception:  # noqa: BLE001 — no zmq feature query: assume the common case
        return True


IPC_AVAILABLE = _ipc_available()
