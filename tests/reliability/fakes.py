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


_memo: dict = {}


def _once(function, key_of):
    """The sample is loaded and evaluated once per test process, not once per run."""

    def call(*args, **kwargs):
        key = (function.__name__, key_of(*args, **kwargs))
        if key not in _memo:
            _memo[key] = function(*args, **kwargs)
        return _memo[key]

    return call


def install(monkeypatch=None, fail=()):
    from di_eval.run import site

    _ORIGINAL.setdefault("load_snapshot", site.load_snapshot)
    _ORIGINAL.setdefault("evaluate", site.evaluate)
    replacements = {
        (batch, "Workers"): FakeWorkers,
        (batch, "execute"): fake_execute(fail),
        (site, "load_snapshot"): _once(_ORIGINAL["load_snapshot"], lambda folder, **k: str(folder)),
        (site, "evaluate"): _once(
            _ORIGINAL["evaluate"],
            lambda data, **k: (data.fingerprint, str(k.get("as_of")), k.get("structure"), k.get("threshold")),
        ),
    }
    for (module, name), value in replacements.items():
        if monkeypatch is None:
            setattr(module, name, value)
        else:
            monkeypatch.setattr(module, name, value)


_ORIGINAL: dict = {}


def batch_run(out: str, fail=()) -> int:
    """A publication with two stand-in reports and an index, straight through ``batch.run``."""
    saved = batch.Workers, batch.execute
    batch.Workers, batch.execute = FakeWorkers, fake_execute(fail)
    jobs = [batch.Job(name, Path("unused.ipynb"), {}, f"{name}.html") for name in ("a", "b")]

    def finish(staging, outcomes):
        (staging / "index.html").write_text("<html>index</html>", encoding="utf-8")

    try:
        result = batch.run(jobs, Path(out), parameters={}, fingerprint="f", finish=finish)
    finally:
        batch.Workers, batch.execute = saved
    return 0 if result.ok else 1


def main(argv: list[str]) -> int:
    """``python fakes.py [--fail NAME] -- <di-eval arguments>``: a run with fake workers."""
    fail = []
    if argv[:1] == ["--fail"]:
        fail, argv = [argv[1]], argv[2:]
    if argv[:1] == ["--batch"]:
        return batch_run(argv[1], tuple(fail))
    if argv[:1] == ["--"]:
        argv = argv[1:]
    install(fail=tuple(fail))
    from di_eval import cli

    return cli.main(argv)


if __name__ == "__main__":
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    sys.exit(main(sys.argv[1:]))
