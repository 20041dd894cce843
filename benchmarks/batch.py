"""Batch benchmark: the plain papermill + nbconvert loop against `di-eval run`, on the same reports.

    .venv/bin/python benchmarks/batch.py [--data DIR] [--only M ...] [--skip-plain] [--workers N]
    .venv/bin/python benchmarks/batch.py --profile [0840200 region ...]

(a) for each report, sequentially: `papermill NOTEBOOK OUT.ipynb -r ...` then
    `jupyter nbconvert --to html --no-input OUT.ipynb` — what a user of papermill does;
(b) `di-eval run` (warm kernels, in-process export, workers matched to cores).
Prints both wall times, their ratio and the peak memory (RSS summed over the whole process tree,
sampled every 50 ms) of each, and the load average before and after (the machine may be shared).

``--profile``: where a report's own time goes. Each named report (default: one municipality and
the region) runs in a warm kernel, as `di-eval run` runs it (imports done, the run's cache of the
evaluation), under cProfile; prints its wall time and the top entries by cumulative and own time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


class PeakMemory:
    """Samples the RSS of this process and all its descendants; keeps the peak (bytes)."""

    def __init__(self, interval: float = 0.05):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            time.sleep(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def plain_loop(jobs, workdir: Path) -> float:
    started = time.perf_counter()
    for job in jobs:
        executed = workdir / f"{job.name}.ipynb"
        command = [str(BIN / "papermill"), str(job.notebook), str(executed), "--no-progress-bar"]
        for key, value in job.parameters.items():
            command += ["-r" if isinstance(value, str) else "-p", key, str(value)]
        subprocess.run(command, check=True, capture_output=True)
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            capture_output=True,
        )
    return time.perf_counter() - started


PROFILE_CODE = """
import cProfile as _cp, io as _io, json as _json, pstats as _ps, time as _time
_cells = _json.loads({cells!r})
_pr = _cp.Profile()
_t = _time.perf_counter()
_pr.enable()
for _src in _cells:
    _r = get_ipython().run_cell(_src, store_history=True)
    if _r.error_in_exec is not None:
        raise _r.error_in_exec
_pr.disable()
print("wall %.3f s" % (_time.perf_counter() - _t))
for _key in ("cumulative", "tottime"):
    _s = _io.StringIO()
    _ps.Stats(_pr, stream=_s).sort_stats(_key).print_stats({top})
    print(_s.getvalue())
"""


def profile(names: list[str], data: Path | None, top: int = 25) -> None:
    """Each report in a warm kernel under cProfile (see the module's docstring)."""
    import json

    import nbformat

    from di_eval import dataset, paths
    from di_eval.analysis.evaluation import evaluate
    from di_eval.report import cache as report_cache
    from di_eval.run import site
    from di_eval.run.engine import WarmKernel

    loaded = dataset.load(data or paths.SAMPLE_DIR)
    evaluation = evaluate(loaded, as_of="2023-12-31")
    cache = Path(tempfile.mkdtemp(prefix="di-eval-profile-"))
    report_cache.prime_cache(cache, loaded, evaluation)
    jobs = {job.name: job for job in site.plan_jobs(evaluation, data_dir=data, lang="lv", cache_dir=cache)}
    kernel = WarmKernel()
    kernel.start()
    try:
        kernel.warm(site.WARMUP)
        for name in names:
            job = jobs[evaluation.resolve(name)] if name != "region" else jobs["region"]
            nb = nbformat.read(str(job.notebook), as_version=4)
            code_cells = [c.source for c in nb.cells if c.cell_type == "code"]
            # the parameters cell, then what papermill injects after it (a cell headed "# Parameters")
            injected = "# Parameters\n" + "".join(f"{k} = {v!r}\n" for k, v in job.parameters.items())
            cells = [code_cells[0], injected, *code_cells[1:]]
            for warm in (True, False):  # the first run in a kernel fills its caches, as the first report does
                kernel.reset()
                printed = []

                def hook(msg, printed=printed):
                    if msg["msg_type"] == "stream":
                        printed.append(msg["content"]["text"])
                    elif msg["msg_type"] == "error":
                        printed.append("\n".join(msg["content"]["traceback"]))

                code = PROFILE_CODE.format(cells=json.dumps(cells), top=top)
                from jupyter_core.utils import run_sync

                run_sync(kernel.kc.execute_interactive)(code, output_hook=hook, timeout=600)
                text = "".join(printed)
                if warm:
                    print(f"--- {job.name}: first run in the kernel, {text.splitlines()[0] if text else '?'}")
                    continue
                print(f"=== {job.name} ({job.notebook.name}), second run in the same kernel ===")
                print(text)
    finally:
        kernel.shutdown()
        shutil.rmtree(cache, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--only", nargs="+", default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--as-of", default="2023-12-31")
    parser.add_argument("--skip-plain", action="store_true", help="time only di-eval run")
    parser.add_argument(
        "--profile", nargs="*", metavar="REPORT", help="profile these reports (default: 0840200 region)"
    )
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.profile is not None:
        profile(args.profile or ["0840200", "region"], args.data)
        print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        return 0

    from di_eval import dataset, paths
    from di_eval.analysis.evaluation import evaluate
    from di_eval.run import site

    data = dataset.load(args.data or paths.SAMPLE_DIR)
    evaluation = evaluate(data, as_of=args.as_of)
    jobs = site.plan_jobs(evaluation, data_dir=args.data.resolve() if args.data else None, lang="lv", only=args.only)
    print(f"{len(jobs)} notebook reports (+ index) on {data.data_dir.name}, {os.cpu_count()} cores")
    workdir = Path(tempfile.mkdtemp(prefix="di-eval-bench-"))
    try:
        plain = plain_memory = None
        if not args.skip_plain:
            with PeakMemory() as memory:
                plain = plain_loop(jobs, workdir)
            plain_memory = memory.peak
            print(
                f"(a) papermill + nbconvert loop: {plain:7.1f} s  ({plain / len(jobs):.2f} s per report), "
                f"peak {plain_memory / 2**20:.0f} MiB"
            )
        with PeakMemory() as memory:
            started = time.perf_counter()
            result = site.run(args.data, workdir / "site", as_of=args.as_of, only=args.only, workers=args.workers)
            ours = time.perf_counter() - started
        print(
            f"(b) di-eval run:                {ours:7.1f} s  ({ours / len(jobs):.2f} s per report), "
            f"peak {memory.peak / 2**20:.0f} MiB, {len(result.failed)} failed"
        )
        if plain is not None:
            print(f"ratio (a)/(b): {plain / ours:.1f}x")
        print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
