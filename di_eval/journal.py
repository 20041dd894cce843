"""The ingest journal: an interrupted ingest is completed or rolled back by the next command.

An ingest builds the new dataset in a staging folder beside the old one, validates it, writes
this journal (``.<name>.ingest-journal`` beside the folder) and only then swaps the folders
(``di_eval.fs.swap_dir``). The journal records which folder is which by identity (device and
inode), so whatever instant a kill or a power cut strikes, the next command that touches the
dataset (``ingest``, ``di_eval.load`` and so every command that reads it) finds the journal
and puts one complete dataset in place: the new one if it is there, else the old one. It never
leaves an empty or half-written folder where a dataset was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import shutil
import threading
from pathlib import Path

from di_eval import fs
from di_eval.errors import DiEvalError

log = logging.getLogger("di_eval")

STAGING = ".{name}.ingest-"  # prefix of the staging folders of an ingest into ``name``
REPLACED = ".{name}.replaced-"  # prefix of the folder the replaced dataset waits in


# The datasets whose lock this thread holds (a second lock would wait on itself). Per thread: another
# thread of the same process must wait for the lock like any other process.
_local = threading.local()


def _held() -> set[Path]:
    if not hasattr(_local, "held"):
        _local.held = set()
    return _local.held


@contextlib.contextmanager
def hold(target: Path):
    """Hold the lock of ``target`` for the block (every ingest does; so does a recovery)."""
    key = Path(os.path.abspath(target))
    held = _held()
    if key in held:
        yield
        return
    with fs.locked(lock_path(target), what=f"the dataset {target}"):
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)


def journal_path(target: Path) -> Path:
    return target.parent / f".{target.name}.ingest-journal"


def lock_path(target: Path) -> Path:
    """The lock every ingest into ``target`` (and every recovery of it) holds."""
    return target.parent / f".{target.name}.lock"


def _identity(path: Path) -> list[int] | None:
    try:
        st = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return None
    return [st.st_dev, st.st_ino]


def begin(target: Path, staging: Path, previous: Path) -> None:
    """Record, before the swap, that ``staging`` (validated) is to replace ``target``."""
    record = {
        "target": str(target),
        "staging": str(staging),
        "previous": str(previous),
        "new": _identity(staging),
        "old": _identity(target),
        "pid": os.getpid(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    fs.write_atomic(journal_path(target), json.dumps(record, indent=1))


def finish(target: Path) -> None:
    journal_path(target).unlink(missing_ok=True)
    fs.fsync_dir(target.parent)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)


def recover_locked(target: Path) -> str | None:
    """Complete or roll back an interrupted ingest into ``target`` (the caller holds the lock).

    Returns what was done, for a message, or None when there was nothing to do.
    """
    path = journal_path(target)
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        staging, previous = Path(record["staging"]), Path(record["previous"])
        new, old = record["new"], record["old"]
    except (ValueError, KeyError, TypeError):
        raise DiEvalError(
            f"{path} (the journal of an interrupted ingest into {target}) is unreadable: look at the folders "
            f"{target.parent}/.{target.name}.* , keep the complete dataset as {target} and delete the journal"
        ) from None
    now = _identity(target)
    if now is not None and now == new:
        outcome = "completed (the new data are in place)"
        for leftover in (staging, previous):
            if _identity(leftover) not in (None, new):
                _remove(leftover)
    elif now is not None:
        outcome = "rolled back (the dataset is as it was before it)"
        if _identity(staging) == new:
            _remove(staging)
    elif old is not None and _identity(previous) == old:
        os.rename(previous, target)
        outcome = "rolled back (the dataset is as it was before it)"
        if _identity(staging) == new:
            _remove(staging)
    elif _identity(staging) == new:
        os.rename(staging, target)
        outcome = "completed (the new data are in place)"
    else:
        raise DiEvalError(
            f"{target} is missing and the journal of an interrupted ingest ({path}) finds neither the old "
            f"nor the new copy; look at the folders {target.parent}/.{target.name}.* before going on"
        )
    finish(target)
    message = f"{target}: an interrupted ingest was {outcome}"
    log.warning(message)
    return message


def clean_stale(target: Path) -> list[Path]:
    """Remove what dead ingests into ``target`` left behind (the caller holds the lock, no journal).

    Staging copies are never the only copy of anything without a journal; a replaced dataset
    is removed only while ``target`` itself is there.
    """
    if journal_path(target).exists():
        return []
    removed = []
    staging = STAGING.format(name=target.name)
    replaced = REPLACED.format(name=target.name)
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not entry.is_dir() or entry.is_symlink():
            continue
        if entry.name.startswith(staging) or (entry.name.startswith(replaced) and target.is_dir()):
            _remove(entry)
            removed.append(entry)
    if not target.exists():
        kept = sorted(e.name for e in entries if e.name.startswith(replaced) and e.is_dir())
        if kept:
            raise DiEvalError(
                f"{target} is missing but {target.parent / kept[-1]} holds an earlier copy of it (an ingest of an "
                f"older version was interrupted): rename that folder back to {target.name} and try again"
            )
    return removed


def pending(target: Path) -> bool:
    return journal_path(Path(target)).is_file()


def _stale(target: Path) -> bool:
    prefixes = (STAGING.format(name=target.name), REPLACED.format(name=target.name))
    try:
        return any(entry.name.startswith(prefixes) for entry in target.parent.iterdir())
    except OSError:
        return False


def recover(target: str | Path) -> str | None:
    """Before reading ``target``: complete or roll back an interrupted ingest, remove stale copies.

    Waits while a live ingest into ``target`` holds the lock. Stale copies that cannot be
    removed (no write access) are left for a later command; an interrupted ingest that cannot
    be recovered is an error.
    """
    target = Path(target)
    interrupted = pending(target)
    if not interrupted and not _stale(target):
        return None
    try:
        with hold(target):
            message = recover_locked(target)
            clean_stale(target)
            return message
    except OSError as err:
        if not interrupted:
            return None
        raise DiEvalError(
            f"{target}: an interrupted ingest must be completed or rolled back, but {err.filename or target} "
            f"cannot be changed ({err.strerror or err}); run the command again with write access to {target.parent}"
        ) from None
