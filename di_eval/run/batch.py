"""Running many report notebooks: warm kernels per worker, failure isolation, clean stops.

Publication (releases, the ``--out`` link, the manifest) is in ``di_eval.run.publish``.

Stops: the worker processes ignore Ctrl-C (the main process decides), kill their kernel and
exit on SIGTERM, and watch their parent: if it dies, even by SIGKILL, they kill their kernel and
exit. A kernel in turn exits when its worker dies (ipykernel watches its parent, which
jupyter_client names in ``JPY_PARENT_PID``). So no stop of a run leaves a process behind.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import datetime as dt
import logging
import multiprocessing
import os
import shutil
import signal
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import papermill
import psutil
from papermill.engines import papermill_engines
from papermill.exceptions import PapermillExecutionError

from di_eval import fs
from di_eval.report import export
from di_eval.run import engine, publish
from di_eval.run.engine import KernelStartError, ReportTimeout, WarmKernel
from di_eval.run.outcome import MADE, Job, Outcome, RunResult  # noqa: F401 (re-exported: batch.Job, …)
from di_eval.run_options import DEFAULT_TIMEOUT, MAX_WORKERS  # noqa: F401 — re-exported

# --- one worker: a warm kernel and an exporter, reused for every job it gets -----------------


class KernelSlot:
    """The kernel a worker process keeps between its jobs (one per process, made on first use)."""

    def __init__(self):
        self.kernel: WarmKernel | None = None

    def get(self) -> WarmKernel:
        if self.kernel is None:
            kernel = WarmKernel()
            self.kernel = kernel
            kernel.start()
        return self.kernel

    def shutdown(self) -> None:
        if self.kernel is not None:
            self.kernel.shutdown()
            self.kernel = None

    def restart_after_trouble(self) -> None:
        if self.kernel is not None:
            try:
                self.kernel.restart()
            except KernelStartError:
                self.shutdown()

    def kill_now(self) -> None:
        if self.kernel is not None:
            self.kernel.kill_now()


_slot = KernelSlot()  # this process's kernel; never rebound


def adopt_kernel(kernel: WarmKernel) -> None:
    """Use ``kernel`` (launched already) as this process's kernel."""
    if _slot.kernel is None:
        _slot.kernel = kernel
    else:
        kernel.shutdown()


def drop_kernel() -> None:
    """Stop this process's kernel, if one was started (a run made its reports in workers, or none)."""
    _slot.shutdown()


class _QuietHiddenParameters(logging.Filter):
    """papermill warns of parameters its cell does not declare; the run's hidden ones are meant."""

    def filter(self, record):
        return "Passed unknown parameter: _" not in record.getMessage()


# papermill registers the engine through its entry point; once more here, where di-eval is not installed
papermill_engines.register("di_eval_warm", engine.WarmKernelEngine)
_papermill_logger = logging.getLogger("papermill")
_papermill_logger.addFilter(_QuietHiddenParameters())


def run_job(job: Job, staging: Path, timeout: float, fresh_kernel: bool = False, attempt: int = 1) -> Outcome:
    """Execute one report notebook and export its page; never raises for a report's own failure.

    ``timeout`` limits the whole report, in a warm kernel or a fresh one alike.
    """
    started = time.monotonic()
    notebook_path = Path("notebooks") / f"{job.name}.ipynb"
    outcome = Outcome(job.name, job.html_path, str(notebook_path), "ok", 0.0, attempts=attempt, title=job.title)
    target_nb = staging / notebook_path
    target_nb.parent.mkdir(parents=True, exist_ok=True)
    own = WarmKernel() if fresh_kernel else None
    try:
        if own is not None:
            own.start()
            kernel = own
        else:
            kernel = _slot.get()
            kernel.reset()
        nb = papermill.execute_notebook(
            str(job.notebook),
            str(target_nb),
            parameters=job.parameters,
            engine_name="di_eval_warm",
            request_save_on_cell_execute=False,
            warm_kernel=kernel,
            report_timeout=timeout,
            progress_bar=False,
            log_output=False,
        )
        export.write_atomic(staging / job.html_path, export.to_html(nb))
    except PapermillExecutionError as err:
        outcome.status, outcome.failing_cell = "failed", err.exec_count
        outcome.error = f"{err.ename}: {_first_line(err.evalue)}"
    except ReportTimeout as err:
        outcome.status, outcome.failing_cell, outcome.error = "timeout", err.cell_index, str(err)
        if own is None:
            _slot.restart_after_trouble()
    except KernelStartError as err:
        outcome.status, outcome.error = "failed", str(err)
        if own is None:
            _slot.shutdown()  # the next report tries to start one again
    except Exception as err:  # noqa: BLE001 — one report's trouble must not stop the batch
        outcome.status, outcome.error = "failed", f"{type(err).__name__}: {_first_line(str(err))}"
        if own is None:
            _slot.restart_after_trouble()
    finally:
        if own is not None:
            own.shutdown()
    if outcome.status != "ok" and not target_nb.is_file():
        outcome.notebook_path = ""
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome


def _first_line(text: str) -> str:
    text = str(text).strip()
    return text.splitlines()[0][:300] if text else ""


def kill_children() -> None:
    """Kill this process's children at once (a kernel whose start had not returned its pid yet)."""
    with contextlib.suppress(psutil.Error):
        for child in psutil.Process().children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()


def _stop_worker(code: int) -> None:
    """A worker stops at once: what it started (its kernel, even one still starting), then itself."""
    kill_children()
    _slot.kill_now()
    os._exit(code)


def _on_terminate(signum, frame):  # a worker told to stop
    _stop_worker(128 + signum)


def _watch_parent() -> None:
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    parent.join()  # returns when the main process is gone, however it went
    _stop_worker(1)


def _worker_init(warmup: str | None = None, start_kernel: bool = True) -> None:
    """Set up a worker: signals, the parent watchdog, and its kernel started (and warmed) at once."""
    import atexit

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the main process to handle
    signal.signal(signal.SIGTERM, _on_terminate)
    threading.Thread(target=_watch_parent, name="di-eval-parent-watch", daemon=True).start()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    atexit.register(_slot.shutdown)
    if not start_kernel:
        return
    try:
        kernel = _slot.get()
        if warmup:
            kernel.warm(warmup)
    except KernelStartError:
        _slot.shutdown()  # the first report tries again and reports the failure


def _ready() -> int:
    return os.getpid()


@contextlib.contextmanager
def _sigint_ignored():
    """Processes started inside inherit SIGINT ignored, so Ctrl-C cannot hit them while they import."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Workers:
    """Worker processes, each with a warm kernel, started before the jobs are known.

    Starting them first lets the kernels boot and import while the main process loads and
    evaluates the data. If a worker dies, ``replace()`` makes a new pool for the jobs left.
    """

    def __init__(self, count: int, warmup: str | None = None, start_kernel: bool = True):
        self.count = count
        self.warmup = warmup
        self.start_kernel = start_kernel
        self.pool = self._start()

    def _start(self) -> futures.ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        with _sigint_ignored():
            pool = futures.ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=context,
                initializer=_worker_init,
                initargs=(self.warmup, self.start_kernel),
            )
            # one trivial task per worker makes the pool start every process now
            self._started = [pool.submit(_ready) for _ in range(self.count)]
        return pool

    def processes(self) -> list:
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def replace(self) -> None:
        self.terminate()
        self.pool = self._start()

    def terminate(self, grace: float = 5.0) -> None:
        """Stop every worker now (each kills its kernel on SIGTERM); force those that linger."""
        with _sigint_ignored():  # a second Ctrl-C must not cut the clean-up short
            self._terminate(grace)

    def _terminate(self, grace: float) -> None:
        processes = self.processes()
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        deadline = time.monotonic() + grace
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    process.kill()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.close()
        else:
            self.terminate()


def execute(
    jobs: list[Job],
    staging: Path,
    *,
    workers: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    fresh_kernels: bool = False,
    progress=None,
    pool: Workers | None = None,
) -> list[Outcome]:
    """Run every job; the order of the outcomes is the order of the jobs.

    With a pool (or ``workers > 1``) the jobs run in worker processes; if one dies, the pool is
    replaced and the jobs it had not finished are tried once more.
    """
    outcomes: dict[str, Outcome] = {}
    if pool is not None:
        _collect(pool, jobs, staging, timeout, fresh_kernels, progress, outcomes)
    elif workers <= 1:
        try:
            for job in jobs:
                outcomes[job.name] = run_job(job, staging, timeout, fresh_kernels)
                if progress:
                    progress(outcomes[job.name])
        finally:
            _slot.shutdown()
    else:
        with Workers(workers) as own:
            _collect(own, jobs, staging, timeout, fresh_kernels, progress, outcomes)
    return [outcomes[job.name] for job in jobs]


def _collect(workers: Workers, jobs, staging, timeout, fresh_kernels, progress, outcomes) -> None:
    left = list(jobs)
    for attempt in (1, 2):
        pending = {workers.pool.submit(run_job, job, staging, timeout, fresh_kernels, attempt): job for job in left}
        broken = []
        for future in futures.as_completed(pending):
            job = pending[future]
            try:
                outcomes[job.name] = future.result()
            except BrokenProcessPool as err:
                if attempt == 1:
                    broken.append(job)
                    continue
                outcomes[job.name] = _worker_died(job, err, attempt)
            except Exception as err:  # noqa: BLE001 — e.g. the job could not be sent to the worker
                outcomes[job.name] = _worker_died(job, err, attempt)
            if progress:
                progress(outcomes[job.name])
        if not broken:
            return
        workers.replace()  # a worker died: a new pool, and its jobs tried once more
        left = [job for job in jobs if job in broken]


def _worker_died(job: Job, err: BaseException, attempt: int) -> Outcome:
    return Outcome(
        job.name,
        job.html_path,
        "",
        "failed",
        0.0,
        attempts=attempt,
        error=f"worker process died ({type(err).__name__}: {_first_line(str(err))})",
        title=job.title,
    )


def run(
    jobs: list[Job],
    out: Path,
    *,
    parameters: dict,
    fingerprint: str,
    workers: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    fresh_kernels: bool = False,
    progress=None,
    finish=None,
    pool: Workers | None = None,
    publish_partial: bool = False,
    data_dir: Path | None = None,
    lock_held: bool = False,
    keys: dict | None = None,
    reuse=None,
    data_key: str = "",
    commentaries: dict | None = None,
) -> RunResult:
    """Run the jobs into a fresh release folder, then publish it at ``out`` in one step.

    ``finish(staging, outcomes)`` may add pages (the index) before publication. The release is
    published only if every report succeeded, or with ``publish_partial``; otherwise it is kept
    beside the releases, marked failed, and ``out`` still shows the last good release. If the
    run is interrupted, its folder is removed and ``out`` is left as it was. One run per ``out``
    at a time: a second is refused at once, naming the first (unless the caller holds the lock).

    ``keys`` (name -> input key) and ``commentaries`` (name -> the hash of its commentary in that
    key) are recorded in the manifest; the jobs named in ``reuse``
    (name -> ``incremental.Source``) are not executed: their pages come from that release.
    """
    out = publish.check_out(out, data_dir)
    lock = (
        contextlib.nullcontext()
        if lock_held
        else fs.locked(publish.lock_path(out), what=f"the output folder {out}", timeout=0)
    )
    from di_eval.run import incremental

    keys, reuse = keys or {}, reuse or {}
    with lock:
        started_at = dt.datetime.now(dt.UTC)
        started = time.monotonic()
        staging = publish.new_staging(out)
        try:
            made = {
                job.name: incremental.reuse(job, reuse[job.name], staging, fingerprint)
                for job in jobs
                if job.name in reuse
            }
            todo = [job for job in jobs if job.name not in made]
            if todo:
                for outcome in execute(
                    todo,
                    staging,
                    workers=workers,
                    timeout=timeout,
                    fresh_kernels=fresh_kernels,
                    progress=progress,
                    pool=pool,
                ):
                    made[outcome.name] = outcome
            outcomes = [made[job.name] for job in jobs]
            for outcome in outcomes:
                outcome.key = keys.get(outcome.name, "")
                outcome.commentary = (commentaries or {}).get(outcome.name, "")
            if finish is not None:
                finish(staging, outcomes)
            seconds = time.monotonic() - started
            content = publish.manifest(parameters, fingerprint, outcomes, started_at, seconds, workers)
            if data_key:
                content["data_key"] = data_key  # what the evaluation came from (di_eval.run.incremental)
            all_ok = all(o.status in MADE for o in outcomes)
            content["published"] = all_ok or publish_partial
            publish.write_manifest(staging, content)
            previous = publish.current_release(out)
            if content["published"]:
                release = publish.publish(staging, out)
            else:
                release = publish.keep_failed(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return RunResult(out, outcomes, seconds, content, content["published"], release, previous)
