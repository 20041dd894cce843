"""di_eval.fs: atomic writes with the umask's modes, folder swaps, locks that name their holder."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time

import pytest

from di_eval import fs
from di_eval.errors import DiEvalError

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX modes")


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@posix
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_modes_follow_the_umask(tmp_path, mask):
    old = os.umask(mask)
    try:
        assert fs.umask() == mask
        fs.write_atomic(tmp_path / "page.html", "<p>x</p>")
        folder = fs.make_dir(tmp_path / "a" / "b")
        staging = fs.staging_dir(tmp_path, ".staging-")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "page.html") == 0o666 & ~mask
    assert _mode(folder) == 0o777 & ~mask
    assert _mode(staging) == 0o777 & ~mask


def test_write_atomic_replaces_and_encodes(tmp_path):
    target = tmp_path / "sub" / "x.txt"
    fs.write_atomic(target, "pirmais")
    fs.write_atomic(target, "otrais ā")
    assert target.read_text(encoding="utf-8") == "otrais ā"
    fs.write_atomic(target, b"\x00\x01")
    assert target.read_bytes() == b"\x00\x01"
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.txt"]


def test_write_atomic_leaves_nothing_behind_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "x.json"
    target.write_text("old", encoding="utf-8")

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space"):
        fs.write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_staging_dirs_are_unique_and_leave_others_alone(tmp_path):
    first = fs.staging_dir(tmp_path, ".out.staging-")
    (first / "page.html").write_text("x", encoding="utf-8")
    second = fs.staging_dir(tmp_path, ".out.staging-")
    assert first != second and first.is_dir() and (first / "page.html").exists()


@pytest.mark.parametrize("keep", [False, True])
def test_swap_dir_replaces_a_folder(tmp_path, keep):
    target = tmp_path / "reports"
    target.mkdir()
    (target / "old.html").write_text("old", encoding="utf-8")
    staging = fs.staging_dir(tmp_path, ".reports.staging-")
    (staging / "new.html").write_text("new", encoding="utf-8")
    previous = tmp_path / ".reports.previous" if keep else None
    fs.swap_dir(staging, target, previous=previous)
    assert [p.name for p in target.iterdir()] == ["new.html"]
    assert not staging.exists()
    if keep:
        assert [p.name for p in previous.iterdir()] == ["old.html"]
    else:
        assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_swap_dir_into_a_new_place_and_refuses_an_existing_previous(tmp_path):
    staging = fs.staging_dir(tmp_path, "s-")
    fs.swap_dir(staging, tmp_path / "new")
    assert (tmp_path / "new").is_dir()
    other = fs.staging_dir(tmp_path, "s-")
    (tmp_path / "keep").mkdir()
    with pytest.raises(DiEvalError, match="already exists"):
        fs.swap_dir(other, tmp_path / "new", previous=tmp_path / "keep")
    assert other.is_dir() and (tmp_path / "new").is_dir()


def test_swap_dir_without_exchange_falls_back_to_two_renames(tmp_path, monkeypatch):
    monkeypatch.setattr(fs, "exchange", lambda a, b: False)
    target = tmp_path / "t"
    target.mkdir()
    (target / "a").write_text("old", encoding="utf-8")
    staging = fs.staging_dir(tmp_path, "s-")
    (staging / "b").write_text("new", encoding="utf-8")
    fs.swap_dir(staging, target)
    assert [p.name for p in target.iterdir()] == ["b"]


def test_lock_is_exclusive_and_names_its_holder(tmp_path):
    lock = tmp_path / "out.lock"
    code = (
        "import sys, time\nfrom di_eval import fs\n"
        f"with fs.locked({str(lock)!r}, what='the output folder'):\n"
        "    print('held', flush=True)\n    time.sleep(30)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(DiEvalError) as caught, fs.locked(lock, what="the output folder", timeout=0.3):
            pass
        assert time.monotonic() - started < 5
        message = str(caught.value)
        assert "the output folder is in use" in message
        assert f"process {holder.pid}" in message and str(lock) in message
        assert fs.lock_holder(lock)["pid"] == holder.pid
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    # the operating system released the dead holder's lock
    with fs.locked(lock, what="the output folder", timeout=5) as held:
        assert held == lock
        assert fs.lock_holder(lock)["pid"] == os.getpid()
    assert fs.lock_holder(lock) is None


def test_lock_waits_when_no_timeout(tmp_path):
    lock = tmp_path / "x.lock"
    with fs.locked(lock, what="x"):
        pass
    with fs.locked(lock, what="x", timeout=None):
        pass
