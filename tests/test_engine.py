"""The warm-kernel engine and the batch runner, on tiny purpose-built notebooks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from di_eval.run import batch
from di_eval.run.engine import KernelStartError, WarmKernel

NOTEBOOKS = Path(__file__).parent / "notebooks"
pytestmark = pytest.mark.kernel


def job(name, notebook="ok", **parameters):
    return batch.Job(name, NOTEBOOKS / f"{notebook}.ipynb", {"label": name, **parameters}, f"r/{name}.html")


def test_failure_is_isolated_and_marked(tmp_path):
    jobs = [job("a"), job("bad", "broken"), job("b")]
    outcomes = batch.execute(jobs, tmp_path, workers=1, timeout=60)
    assert [o.status for o in outcomes] == ["ok", "failed", "ok"]
    bad = outcomes[1]
    assert "ValueError: broken on purpose: bad" in bad.error
    assert (tmp_path / "r/a.html").is_file() and (tmp_path / "r/b.html").is_file()
    assert not (tmp_path / "r/bad.html").exists()
    executed = nbformat.read(tmp_path / bad.notebook_path, as_version=4)
    failing = [c for c in executed.cells if c.get("metadata", {}).get("papermill", {}).get("exception")]
    assert len(failing) == 1 and "raise ValueError" in failing[0].source
    assert any("An Exception was encountered" in c.source for c in executed.cells if c.cell_type == "markdown")


def test_namespace_is_reset_between_reports(tmp_path):
    outcomes = batch.execute([job("one", "leak"), job("two", "leak")], tmp_path, workers=1, timeout=60)
    texts = []
    for outcome in outcomes:
        executed = nbformat.read(tmp_path / outcome.notebook_path, as_version=4)
        texts.append(executed.cells[-1].outputs[0].text)
        assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2, 3]
    assert texts[0] == texts[1]


def test_hanging_report_is_stopped_and_the_next_runs(tmp_path):
    jobs = [job("hang", wait=120), job("after")]
    started = time.monotonic()
    outcomes = batch.execute(jobs, tmp_path, workers=1, timeout=8)  # time for a restarted kernel's imports
    assert time.monotonic() - started < 90
    assert [o.status for o in outcomes] == ["timeout", "ok"]
    assert outcomes[0].failing_cell is not None and "time limit" in outcomes[0].error


def test_kernel_start_is_retried(monkeypatch):
    calls = []
    original = WarmKernel._start_once

    def flaky(self):
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("Kernel died before replying to kernel_info")
        original(self)

    monkeypatch.setattr(WarmKernel, "_start_once", flaky)
    kernel = WarmKernel(retry_pause=0.01)
    try:
        kernel.start()
        assert kernel.alive() and len(calls) == 3
    finally:
        kernel.shutdown()


def test_kernel_that_never_starts_gives_a_clear_error(tmp_path):
    kernel = WarmKernel(kernel_name="no-such-kernel", retries=2, retry_pause=0.01)
    with pytest.raises(KernelStartError, match="did not start after 2 attempts"):
        kernel.start()


def test_parallel_workers_and_manifest(tmp_path):
    out = tmp_path / "site"
    jobs = [job(f"m{i}") for i in range(5)] + [job("bad", "broken")]
    result = batch.run(
        jobs, out, parameters={"as_of": "2020-12-31"}, fingerprint="abc", workers=2, timeout=60, publish_partial=True
    )
    assert [o.status for o in result.outcomes] == ["ok"] * 5 + ["failed"]
    assert result.published and out.is_symlink(), "published as a link to its release"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"] == {"as_of": "2020-12-31"} and manifest["data_fingerprint"] == "abc"
    assert manifest["failed"] == ["bad"] and manifest["published"] is True
    assert {r["name"] for r in manifest["reports"]} == {f"m{i}" for i in range(5)} | {"bad"}
    assert all(r["seconds"] > 0 for r in manifest["reports"])
    assert "papermill" in manifest["package_versions"]
    assert sorted(p.name for p in (out / "r").iterdir()) == [f"m{i}.html" for i in range(5)]


def test_a_failed_run_is_not_published(tmp_path):
    out = tmp_path / "site"
    good = batch.run([job("keep")], out, parameters={}, fingerprint="1", workers=1, timeout=60)
    assert good.published and (out / "r/keep.html").is_file()
    shown = os.readlink(out)
    bad = batch.run([job("new"), job("bad", "broken")], out, parameters={}, fingerprint="2", workers=1, timeout=60)
    assert not bad.published and bad.previous is not None
    assert os.readlink(out) == shown and (out / "r/keep.html").is_file(), "the last good release stays"
    assert bad.release.name.endswith(".failed") and (bad.release / "notebooks/bad.ipynb").is_file()
    assert json.loads((bad.release / "manifest.json").read_text())["published"] is False


def test_timeout_is_the_same_with_fresh_kernels(tmp_path):
    outcomes = batch.execute([job("hang", wait=120), job("after")], tmp_path, workers=1, timeout=3, fresh_kernels=True)
    assert [o.status for o in outcomes] == ["timeout", "ok"]
    assert "time limit" in outcomes[0].error and outcomes[0].seconds < 30


def test_a_dead_worker_is_replaced_and_its_report_retried(tmp_path):
    marker = tmp_path / "killed-once"
    jobs = [job("victim", "kill_worker", marker=str(marker)), job("other")]
    outcomes = batch.execute(jobs, tmp_path / "s", workers=2, timeout=60)
    assert marker.exists(), "the worker was killed"
    assert [o.status for o in outcomes] == ["ok", "ok"]
    assert outcomes[0].attempts == 2


def test_the_engine_works_from_papermills_command_line(tmp_path):
    out = tmp_path / "out.ipynb"
    papermill = Path(sys.executable).parent / "papermill"
    command = [str(papermill), "--engine", "di_eval_warm", str(NOTEBOOKS / "ok.ipynb"), str(out), "-p", "label", "z"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    executed = nbformat.read(out, as_version=4)
    assert "Report z" in json.dumps(executed.cells[-1].outputs)


def test_publication_is_atomic_when_killed(tmp_path):
    out = tmp_path / "site"
    first = batch.run([job("keep")], out, parameters={}, fingerprint="1", workers=1, timeout=60)
    assert first.ok
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    script = f"""
import sys
from pathlib import Path
from di_eval.run import batch
jobs = [batch.Job("slow{{}}".format(i), Path({str(NOTEBOOKS / "ok.ipynb")!r}), {{"label": "s", "wait": 2}}, "r/slow{{}}.html".format(i)) for i in range(20)]
if __name__ == "__main__":
    batch.run(jobs, Path({str(out)!r}), parameters={{}}, fingerprint="2", workers=1, timeout=60)
"""
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    staging = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # wait until the run has written some reports
        found = list(tmp_path.glob(".releases/site/.staging-*/r/*.html"))
        if found:
            staging = found[0].parents[1]
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert staging is not None, "the run never got going"
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before, "the last good output is untouched"
    again = batch.run([job("new")], out, parameters={}, fingerprint="3", workers=1, timeout=60)
    assert again.ok and not list(tmp_path.glob(".releases/site/.staging-*")), "stale staging folders are cleared"
    assert again.previous == first.release and (first.release / "r" / "keep.html").is_file(), "the one before is kept"


def test_a_kernel_stopped_before_its_pid_is_known_is_killed():
    """A worker told to stop while its kernel starts: the kernel goes at once, and its folder with it."""
    import psutil

    kernel = WarmKernel()
    assert kernel.launch()
    process = psutil.Process(kernel.pid)
    kernel.reset()  # up and bound: only a kill stops it now
    folder = kernel._ipc_dir
    kernel.pid = None  # as in the window before ``start`` records it
    kernel.kill_now()
    assert not psutil.wait_procs([process], timeout=10)[1], "the kernel is still running"
    assert folder is None or not os.path.exists(folder)
    kernel.shutdown()


def test_kill_children_kills_what_a_process_started():
    code = (
        "import subprocess, sys\n"
        "from di_eval.run import batch\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "batch.kill_children()\n"
        "print(child.wait(timeout=10))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(-signal.SIGKILL)
