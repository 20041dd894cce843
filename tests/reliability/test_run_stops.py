"""Real runs (kernels): one dataset snapshot per release, and stops that leave nothing behind.

SIGTERM and Ctrl-C (SIGINT to the process group, as a terminal sends it) end `di-eval run` with
"interrupted", exit status 143 or 130, no traceback and no "Task exception was never retrieved";
after any stop, SIGKILL included, no worker or kernel of the run is left, and the last good
release is untouched.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from conftest import state

from di_eval import paths

pytestmark = pytest.mark.kernel
DI_EVAL = str(Path(sys.executable).parent / "di-eval")
ONLY = ["--only", "Saldus", "Talsi", "region"]


def start(out, data, *extra):
    command = [DI_EVAL, "run", "--data", str(data), *ONLY, "--out", str(out), "--no-progress", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def kernels_of(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [p for p in process.children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]
    except psutil.Error:
        return []


def wait_for(condition, timeout=180, pause=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(pause)
    return None


def all_gone(processes, timeout=30) -> list:
    _, alive = psutil.wait_procs(processes, timeout=timeout)
    return alive


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One real run whose dataset is rewritten while its reports are being made."""
    base = tmp_path_factory.mktemp("stops")
    data = base / "data"
    shutil.copytree(paths.SAMPLE_DIR, data)
    out = base / "outputs" / "reports"
    proc = start(out, data, "--workers", "1")
    staging = wait_for(lambda: list((base / "outputs" / ".releases" / "reports").glob(".staging-*/**/*.html")))
    # an ingest changes the dataset mid-run: the same rows with other line endings, another fingerprint
    table = data / "service_uptake.csv"
    table.write_bytes(table.read_bytes().replace(b"\n", b"\r\n"))
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 0, stderr[-2000:] + stdout[-2000:]
    assert staging, "the run wrote pages before the dataset changed"
    return base, data, out


def test_every_page_carries_the_runs_fingerprint(published):
    _, _, out = published
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    fingerprint = manifest["data_fingerprint"]
    pages = list(out.rglob("*.html"))
    assert len(pages) == 4  # three reports and the index
    for page in pages:
        if page.name == "index.html":
            continue
        found = set(re.findall(r"\b[0-9a-f]{16}\b", page.read_text(encoding="utf-8")))
        assert found == {fingerprint}, f"{page.name}: {found} (manifest {fingerprint})"


@pytest.mark.parametrize(
    "how, status",
    [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGKILL, -9)],
    ids=["SIGTERM", "Ctrl-C", "SIGKILL"],
)
def test_a_stopped_run_leaves_nothing_behind(published, how, status):
    base, data, out = published
    before = state(out.resolve()), os.readlink(out)
    proc = start(out, data, "--workers", "2")
    main = psutil.Process(proc.pid)
    assert wait_for(lambda: len(kernels_of(main)) >= 2), "the workers' kernels never started"
    family = main.children(recursive=True)
    if how == signal.SIGINT:
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
    else:
        proc.send_signal(how)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == status, stderr[-2000:]
    if how != signal.SIGKILL:
        assert "di-eval run: interrupted" in stderr
        assert "Traceback" not in stderr and "Task exception was never retrieved" not in stderr, stderr[-2000:]
    alive = all_gone(family)
    assert not alive, f"left behind: {[(p.pid, p.name()) for p in alive]}"
    assert (state(out.resolve()), os.readlink(out)) == before, "the last good release is untouched"
    if how != signal.SIGKILL:
        assert not list((base / "outputs" / ".releases" / "reports").glob(".staging-*")), "its folder is removed"
