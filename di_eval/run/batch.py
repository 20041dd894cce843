"""Running many report notebooks: warm kernels per worker, failure isolation, atomic publication."""

from __future__ import annotations

import concurrent.futures as futures
import datetime as dt
import json
import multiprocessing
import os
import platform
import shutil
import time
import uuid
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import nbformat
import papermill
from papermill.exceptions import PapermillExecutionError

from di_eval import __version__
from di_eval.report import export
from di_eval.run.engine import KernelStartError, ReportTimeout, WarmKernel

DEFAULT_TIMEOUT = 300.0
PACKAGES = (
    "di-eval",
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "ipykernel",
    "pandera",
    "babel",
)


@dataclass(frozen=True)
class Job:
    """One report to make: which notebook, with which parameters, published under which name."""

    name: str  # "region" or a municipality code
    notebook: Path
    parameters: dict
    html_path: str  # relative to the published folder, e.g. "pasvaldibas/0620200.html"
    title: str = ""


@dataclass
class Outcome:
    """What became of one job."""

    name: str
    html_path: str
    notebook_path: str
    status: str  # ok | failed | timeout
    seconds: float
    attempts: int = 1
    error: str | None = None
    failing_cell: int | None = None
    title: str = ""


@dataclass
class RunResult:
    """The outcomes of a run and where it was published."""

    out: Path
    outcomes: list[Outcome]
    seconds: float
    manifest: dict = field(default_factory=dict)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "ok"]

    @property
    def ok(self) -> bool:
        return not self.failed


# --- one worker: a warm kernel and an exporter, reused for every job it gets -----------------

_kernel: WarmKernel | None = None


def _worker_kernel() -> WarmKernel:
    global _kernel
    if _kernel is None:
        _kernel = WarmKernel()
        _kernel.start()
    return _kernel


def _shutdown_worker_kernel() -> None:
    global _kernel
    if _kernel is not None:
        _kernel.shutdown()
        _kernel = None


def run_job(job: Job, staging: Path, timeout: float, fresh_kernel: bool = False) -> Outcome:
    """Execute one report notebook and export its page; never raises for a report's own failure."""
    started = time.monotonic()
    notebook_path = Path("notebooks") / f"{job.name}.ipynb"
    outcome = Outcome(job.name, job.html_path, str(notebook_path), "ok", 0.0, title=job.title)
    target_nb = staging / notebook_path
    target_nb.parent.mkdir(parents=True, exist_ok=True)
    try:
        if fresh_kernel:
            nb = papermill.execute_notebook(
                str(job.notebook),
                str(target_nb),
                parameters=job.parameters,
                progress_bar=False,
                execution_timeout=int(timeout),
                log_output=False,
            )
        else:
            kernel = _worker_kernel()
            kernel.reset()
            kernel.deadline = time.monotonic() + timeout
            nb = papermill.execute_notebook(
                str(job.notebook),
                str(target_nb),
                parameters=job.parameters,
                engine_name="di_eval_warm",
                warm_kernel=kernel,
                progress_bar=False,
                log_output=False,
            )
        export.write_atomic(staging / job.html_path, export.to_html(nb))
    except PapermillExecutionError as err:
        outcome.status, outcome.failing_cell = "failed", err.exec_count
        outcome.error = f"{err.ename}: {_first_line(err.evalue)}"
    except ReportTimeout as err:
        outcome.status, outcome.failing_cell, outcome.error = "timeout", err.cell_index, str(err)
        _restart_after_trouble(fresh_kernel)
    except KernelStartError as err:
        outcome.status, outcome.error = "failed", str(err)
    except Exception as err:  # noqa: BLE001 — one report's trouble must not stop the batch
        outcome.status, outcome.error = "failed", f"{type(err).__name__}: {_first_line(str(err))}"
        _restart_after_trouble(fresh_kernel)
    outcome.seconds = round(time.monotonic() - started, 3)
    return outcome


def _restart_after_trouble(fresh_kernel: bool) -> None:
    if not fresh_kernel and _kernel is not None:
        try:
            _kernel.restart()
        except KernelStartError:
            _shutdown_worker_kernel()


def _first_line(text: str) -> str:
    text = str(text).strip()
    return text.splitlines()[0][:300] if text else ""


def _worker_init(environment: dict | None = None, warmup: str | None = None) -> None:
    """Start this worker's kernel at once (and warm it) instead of at its first report."""
    import atexit

    os.environ.update(environment or {})
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    atexit.register(_shutdown_worker_kernel)
    try:
        kernel = _worker_kernel()
        if warmup:
            kernel.warm(warmup)
    except KernelStartError:
        _shutdown_worker_kernel()  # the first report tries again and reports the failure


def _ready() -> int:
    return os.getpid()


class Workers:
    """Worker processes, each with a warm kernel, started before the jobs are known.

    Starting them first lets the kernels boot and import while the main process loads and
    evaluates the data.
    """

    def __init__(self, count: int, environment: dict | None = None, warmup: str | None = None):
        self.count = count
        context = multiprocessing.get_context("spawn")
        self.pool = futures.ProcessPoolExecutor(
            max_workers=count, mp_context=context, initializer=_worker_init, initargs=(environment, warmup)
        )
        # one trivial task per worker makes the pool start every process now
        self._started = [self.pool.submit(_ready) for _ in range(count)]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True, cancel_futures=True)


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
    """Run every job; the order of the outcomes is the order of the jobs."""
    outcomes: dict[str, Outcome] = {}
    if pool is not None:
        _collect(pool.pool, jobs, staging, timeout, fresh_kernels, progress, outcomes)
    elif workers <= 1:
        try:
            for job in jobs:
                outcomes[job.name] = run_job(job, staging, timeout, fresh_kernels)
                if progress:
                    progress(outcomes[job.name])
        finally:
            _shutdown_worker_kernel()
    else:
        with Workers(workers) as own:
            _collect(own.pool, jobs, staging, timeout, fresh_kernels, progress, outcomes)
    return [outcomes[job.name] for job in jobs]


def _collect(pool, jobs, staging, timeout, fresh_kernels, progress, outcomes) -> None:
    pending = {pool.submit(run_job, job, staging, timeout, fresh_kernels): job for job in jobs}
    for future in futures.as_completed(pending):
        job = pending[future]
        try:
            outcomes[job.name] = future.result()
        except Exception as err:  # noqa: BLE001 — a worker process died
            outcomes[job.name] = Outcome(
                job.name,
                job.html_path,
                f"notebooks/{job.name}.ipynb",
                "failed",
                0.0,
                error=f"worker failed: {type(err).__name__}: {err}",
                title=job.title,
            )
        if progress:
            progress(outcomes[job.name])


# --- publication ---------------------------------------------------------------------------


def staging_dir(out: Path) -> Path:
    """A fresh, hidden folder beside ``out``; stale ones from killed runs are removed first."""
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    path = out.parent / f".{out.name}.staging-{uuid.uuid4().hex[:8]}"
    path.mkdir()
    return path


def publish(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging`` with renames; the previous output is kept beside it."""
    previous = out.parent / f".{out.name}.previous"
    if out.exists():
        if previous.exists():
            shutil.rmtree(previous)
        out.rename(previous)
    staging.rename(out)


def package_versions() -> dict[str, str]:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = __version__ if name == "di-eval" else "not installed"
    versions["python"] = platform.python_version()
    return versions


def manifest(
    parameters: dict, fingerprint: str, outcomes: list[Outcome], started: dt.datetime, seconds: float, workers: int
) -> dict:
    return {
        "generator": f"di-eval {__version__}",
        "started": started.isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "workers": workers,
        "parameters": parameters,
        "data_fingerprint": fingerprint,
        "package_versions": package_versions(),
        "reports": [asdict(o) for o in outcomes],
        "failed": [o.name for o in outcomes if o.status != "ok"],
    }


def write_manifest(staging: Path, content: dict) -> None:
    export.write_atomic(staging / "manifest.json", json.dumps(content, ensure_ascii=False, indent=2, default=str))


def load_notebook(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


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
) -> RunResult:
    """Run the jobs into a fresh folder, then publish it in place of ``out`` in one step.

    ``finish(staging, outcomes)`` may add pages (the index) before publication. If the run is
    interrupted or fails, the staging folder is removed and ``out`` is left as it was.
    """
    out = Path(out)
    started_at = dt.datetime.now(dt.UTC)
    started = time.monotonic()
    staging = staging_dir(out)
    try:
        outcomes = execute(
            jobs,
            staging,
            workers=workers,
            timeout=timeout,
            fresh_kernels=fresh_kernels,
            progress=progress,
            pool=pool,
        )
        if finish is not None:
            finish(staging, outcomes)
        seconds = time.monotonic() - started
        content = manifest(parameters, fingerprint, outcomes, started_at, seconds, workers)
        write_manifest(staging, content)
        publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return RunResult(out, outcomes, seconds, content)
