"""Publishing a run: releases beside ``--out``, one link swapped in one step, the lock, the manifest.

Layout, for ``--out outputs/reports``::

    outputs/reports -> .releases/reports/20261201T141300-123456Z-3f2a9c   (a symbolic link)
    outputs/.releases/reports/20261201T141300-123456Z-3f2a9c/         (this run's pages)
    outputs/.releases/reports/20261130T090000-654321Z-77b01e/         (the one before, kept)
    outputs/.releases/reports/20261201T150000-000001Z-aa11bb.failed/  (a run not published)
    outputs/.releases/reports/.staging-*/                             (a run in progress)
    outputs/.reports.lock                                              (one run at a time)

A run builds its pages in a staging folder inside ``.releases``; only if every report succeeded
(or ``publish_partial``) the folder is renamed to its release name and a new link is put over
``outputs/reports`` with one ``os.replace``, so a reader sees the old release or the new one at
every instant. Where symbolic links cannot be made (Windows without developer mode), the release
folder itself is swapped in at ``outputs/reports`` with ``di_eval.fs.swap_dir``.

Every release holds a marker file (``.di-eval-release``) and its ``manifest.json``. A path at
``--out`` that is neither such a release, nor a link to one, nor a folder an older di-eval
wrote (its ``manifest.json`` names di-eval as generator; it is moved into ``.releases`` once),
is never moved, replaced or deleted: the run is refused before it starts.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import platform
import shutil
import signal
import uuid
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from di_eval import __version__, fs
from di_eval.run_options import (  # noqa: F401 — what is at --out is decided there, re-exported here
    MANIFEST,
    MARKER,
    RELEASES,
    OutputRefused,
    check_out,
    is_legacy_output,
    is_release,
    lock_path,
    releases_dir,
)

KEEP_RELEASES = 2  # the published one and the one before it
KEEP_FAILED = 1
# Tests stop a run at a chosen instant: DI_EVAL_TEST_KILL_AT=<point> kills the process there.
KILL_ENV = "DI_EVAL_TEST_KILL_AT"
KILL_POINTS = ("staged", "released", "linked", "migrated")
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


def _hook(point: str) -> None:
    if os.environ.get(KILL_ENV) == point:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


def current_release(out: Path) -> Path | None:
    """The release ``out`` shows now, if any."""
    if out.is_symlink():
        target = out.parent / os.readlink(out)
        return target if target.is_dir() else None
    return out if out.is_dir() else None


# --- the run's folder ------------------------------------------------------------------------


def _release_id() -> str:
    # sortable by time to the microsecond, unique by the random part
    return f"{dt.datetime.now(dt.UTC).strftime('%Y%m%dT%H%M%S-%fZ')}-{uuid.uuid4().hex[:6]}"


def new_staging(out: Path) -> Path:
    """This run's folder in ``.releases``; leftovers of killed runs into ``out`` are removed first.

    Called with the output lock held, so no other run into ``out`` can be using them.
    """
    folder = fs.make_dir(releases_dir(out))
    for stale in folder.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in out.parent.glob(f".{out.name}.link-*"):
        if stale.is_symlink():
            with contextlib.suppress(OSError):
                stale.unlink()
        elif is_legacy_output(stale):  # a migration killed half-way: the old output, kept as a release
            fs.write_atomic(stale / MARKER, json.dumps({"migrated": True}))
            os.rename(stale, folder / f"{_release_id()}-legacy")
    return fs.staging_dir(folder, ".staging-")


# --- the manifest ----------------------------------------------------------------------------


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
    parameters: dict, fingerprint: str, outcomes: list, started: dt.datetime, seconds: float, workers: int
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
        "failed": [o.name for o in outcomes if o.status not in ("ok", "reused")],
        "reused": [o.name for o in outcomes if o.status == "reused"],
    }


def _strict(value):
    """JSON has no NaN or infinity: such numbers are written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict(v) for v in value]
    return value


def write_manifest(folder: Path, content: dict) -> None:
    text = json.dumps(_strict(content), ensure_ascii=False, indent=2, default=str, allow_nan=False)
    fs.write_atomic(folder / MANIFEST, text)


# --- publication -----------------------------------------------------------------------------


def _link(target_name: str, out: Path) -> bool:
    """Put a link ``out -> .releases/<target_name>`` in one step; False where links cannot be made."""
    tmp = out.parent / f".{out.name}.link-{uuid.uuid4().hex[:8]}"
    try:
        os.symlink(f"{RELEASES}/{out.name}/{target_name}", tmp, target_is_directory=True)
    except (OSError, NotImplementedError):
        return False
    try:
        if out.is_dir() and not out.is_symlink():
            _migrate(tmp, out)
        else:
            os.replace(tmp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fs.fsync_dir(out.parent)
    return True


def _migrate(link: Path, out: Path) -> None:
    """``out`` is a plain folder an older di-eval wrote: it becomes a release, the link takes its place."""
    legacy = releases_dir(out) / f"{_release_id()}-legacy"
    fs.write_atomic(out / MARKER, json.dumps({"release": legacy.name, "migrated": True}))
    if fs.exchange(link, out):  # one step: ``out`` is the link, ``link`` names the old folder
        _hook("migrated")
        os.rename(link, legacy)
    else:
        os.rename(out, legacy)
        _hook("migrated")
        os.rename(link, out)


@contextlib.contextmanager
def _stops_held():
    """SIGINT/SIGTERM/SIGHUP wait until the few renames of a publication are done (POSIX)."""
    held = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def publish(staging: Path, out: Path) -> Path:
    """Make ``staging`` the release ``out`` shows; the release before it is kept. Returns the release.

    A stop asked for meanwhile takes effect once the release is in place (SIGKILL cannot wait:
    the renames are ordered so that ``out`` shows a whole release whenever it comes).
    """
    with _stops_held():
        return _publish(staging, out)


def _publish(staging: Path, out: Path) -> Path:
    _hook("staged")
    release = releases_dir(out) / _release_id()
    fs.write_atomic(staging / MARKER, json.dumps({"release": release.name, "generator": f"di-eval {__version__}"}))
    os.rename(staging, release)
    fs.fsync_dir(release.parent)
    _hook("released")
    if not _link(release.name, out):
        # no symbolic links here: the release folder itself goes to ``out`` (two renames)
        replaced = releases_dir(out) / f"{_release_id()}-replaced"
        fs.swap_dir(release, out, previous=replaced if out.exists() else None)
        release = out
    _hook("linked")
    prune(out)
    return release


def keep_failed(staging: Path, out: Path) -> Path:
    """A run that is not published: its folder is kept, marked failed, for its notebooks."""
    kept = releases_dir(out) / f"{_release_id()}.failed"
    os.rename(staging, kept)
    prune(out)
    return kept


def prune(out: Path) -> None:
    """Remove old releases of ``out``: keep the one shown and the one before, and the last failed run.

    Folders migrated from an older di-eval (``*-legacy``) are kept until someone removes them.
    """
    folder = releases_dir(out)
    shown = current_release(out)
    shown = shown.resolve() if shown is not None else None
    good, failed = [], []
    for path in folder.glob("*"):
        if not path.is_dir() or path.is_symlink() or path.name.startswith(".") or path.name.endswith("-legacy"):
            # a run's own folders only: an output migrated from an older di-eval is never removed
            continue
        (failed if path.name.endswith(".failed") else good).append(path)
    good.sort(key=lambda p: p.name, reverse=True)
    failed.sort(key=lambda p: p.name, reverse=True)
    keep = {p.resolve() for p in good[:KEEP_RELEASES]} | {p.resolve() for p in failed[:KEEP_FAILED]}
    if shown is not None:
        keep.add(shown)
    for path in good + failed:
        if path.resolve() not in keep and ((path / MARKER).exists() or path.name.endswith(".failed")):
            shutil.rmtree(path, ignore_errors=True)
