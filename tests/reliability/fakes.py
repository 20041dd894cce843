"""Stand-ins for the run's workers, so that publication cases need no kernel.

``install(monkeypatch_or_none, fail=...)`` replaces ``batch.Workers`` (no processes) and
``batch.execute`` (writes a small page per job, or fails the named ones). Used in-process by the
tests and, through ``main()``, by subprocesses that a test kills at a chosen instant.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from di_eval.run import batch


class FakeWorkers:
    def __init__(self, count, warmup=None, start_kernel=True):
        self.count = count
        self.closed = self.terminated = False

    def close(self):
        self.closed = True

    def terminate(self, grace: float = 5.0):
        self.terminated = True


def fake_execute(fail=()):
    def execute(jobs, staging, *, workers=1, timeout=300.0, fresh_kernels=False, progress=None, pool=None):
        outcomes = []
        for job in jobs:
            notebook = Path("notebooks") / f"{job.name}.ipynb"
            (staging / notebook).parent.mkdir(parents=True, exist_ok=True)
            (staging / notebook).write_text("{}", encoding="utf-8")
            if job.name in fail:
                outcome = batch.Outcome(job.name, job.html_path, str(notebook), "failed", 0.01, error="ValueError: x")
            else:
                page = staging / job.html_path
                page.parent.mkdir(parents=True, exist_ok=True)
                page.write_text(f"<html><body>{job.name} {job.parameters.get('lang')}</body></html>", encoding="utf-8")
                outcome = batch.Outcome(job.name, job.html_path, str(notebook), "ok", 0.01, title=job.title)
            outcomes.append(outcome)
            if progress:
                progress(outcome)
        return outcomes

    return execute


def install(monkeypatch=None, fail=()):
    if monkeypatch is None:
        batch.Workers = FakeWorkers
        batch.execute = fake_execute(fail)
    else:
        monkeypatch.setattr(batch, "Workers", FakeWorkers)
        monkeypatch.setattr(batch, "execute", fake_execute(fail))


def main(argv: list[str]) -> int:
    """``python fakes.py [--fail NAME] -- <di-eval arguments>``: a run with fake workers."""
    fail = []
    if argv[:1] == ["--fail"]:
        fail, argv = [argv[1]], argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    install(fail=tuple(fail))
    from di_eval import cli

    return cli.main(argv)


if __name__ == "__main__":
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    sys.exit(main(sys.argv[1:]))
