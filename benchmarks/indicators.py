"""Benchmark: every indicator, after disclosure control, for the region and every municipality.

Run: `.venv/bin/python benchmarks/indicators.py [--national DIR] [--repeat N]`

For each dataset (the shipped sample; the `--scale national` one, generated into a temporary
folder unless --national names one) it measures, each in a fresh process:
  - load: reading and validating the dataset (not part of the indicators);
  - indicators: `evaluate` (the whole cube protected once) plus `for_scope` and `figures` for
    the region and every municipality (what a batch run of every report needs);
  - audit: re-running the disclosure audit on the published cube;
and prints wall-clock seconds (best of N), the process's peak resident memory and the peak
of Python allocations (tracemalloc), as a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"sample": (1.0, None), "national": (10.0, 1024.0)}  # seconds, MB (from the issue)


def all_indicators(dataset, as_of: str):
    """What a batch run needs: one evaluation, then every scope's tables and figures."""
    from di_eval.analysis.evaluation import evaluate

    evaluation = evaluate(dataset, as_of)
    for scope in evaluation.scopes["scope"]:
        evaluation.for_scope(scope).figures()
    return evaluation


def measure(data_dir: str, as_of: str, repeat: int, traced: bool) -> dict:
    """Run inside a fresh process. Timings come from an untraced process (tracemalloc slows
    allocation); the peak of Python allocations from a traced one."""
    import di_eval

    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    dataset = di_eval.load(data_dir)
    load_seconds = time.perf_counter() - start
    timings, audits = [], []
    for _ in range(1 if traced else repeat):
        start = time.perf_counter()
        evaluation = all_indicators(dataset, as_of)
        timings.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = evaluation.audit()
        audits.append(time.perf_counter() - start)
        assert result.ok, result.summary()
    python_peak = tracemalloc.get_traced_memory()[1] if traced else 0
    return {
        "scopes": int(len(evaluation.scopes)),
        "cells": int(len(evaluation.protected.status)),
        "hidden": int(evaluation.protected.hidden.sum()),
        "load_s": load_seconds,
        "indicators_s": min(timings),
        "audit_s": min(audits),
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "python_mb": python_peak / 2**20,
    }


def run_fresh(data_dir: Path, as_of: str, repeat: int) -> dict:
    results = []
    for traced in ("0", "1"):
        command = [sys.executable, __file__, "--child", str(data_dir), as_of, str(repeat), traced]
        out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    timed, traced = results
    return {**timed, "python_mb": traced["python_mb"]}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--national", type=Path, help="a national-scale dataset (default: generate one)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--as-of", default="2023-12-31", help="the date evaluated (default: every year of data)")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        data_dir, as_of, repeat, traced = args.child
        print(json.dumps(measure(data_dir, as_of, int(repeat), traced == "1")))
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        national = args.national
        if national is None:
            national = Path(scratch) / "national"
            from di_eval import sample

            sample.generate(national, scale="national")
        rows = {
            "sample": run_fresh(ROOT / "data" / "sample", args.as_of, args.repeat),
            "national": run_fresh(national, args.as_of, args.repeat),
        }
    print(f"as_of {args.as_of}, best of {args.repeat}, {_machine()}\n")
    print(
        "| dataset | scopes | person cells (hidden) | load | indicators, all scopes | audit | peak RSS | peak Python |"
    )
    print("|---|---|---|---|---|---|---|---|")
    failed = False
    for name, r in rows.items():
        seconds, megabytes = TARGETS[name]
        ok = r["indicators_s"] < seconds and (megabytes is None or r["rss_mb"] < megabytes)
        failed |= not ok
        print(
            f"| {name} | {r['scopes']} | {r['cells']:,} ({r['hidden']:,}) | {r['load_s']:.2f} s | "
            f"{r['indicators_s']:.2f} s (target < {seconds:g} s){'' if ok else ' MISSED'} | {r['audit_s']:.2f} s | "
            f"{r['rss_mb']:.0f} MB | {r['python_mb']:.0f} MB |"
        )
    return 1 if failed else 0


def _machine() -> str:
    import os
    import platform

    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPU(s)"


if __name__ == "__main__":
    sys.exit(main())
