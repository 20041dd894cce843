"""The filesystem rules of di-eval, written once: atomic writes, folder swaps and locks.

Everything di-eval publishes (pages, JSON, datasets) is read by other people and programs — a
web server, a colleague's spreadsheet — so files get the modes the umask asks for (``0o666 &
~umask``, folders ``0o777 & ~umask``), not the private ``0600``/``0700`` that ``tempfile``
gives. Readers see the old or the new content, never a half-written one. Locks use the
``filelock`` package, which works on Windows as well as on POSIX systems.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import datetime as dt
import errno
import json
import os
import shutil
import socket
import sys
import tempfile
import uuid
from pathlib import Path

import filelock

from di_eval.errors import DiEvalError

__all__ = [
    "file_mode",
    "folder_mode",
    "fsync_dir",
    "locked",
    "lock_holder",
    "make_dir",
    "staging_dir",
    "swap_dir",
    "umask",
    "write_atomic",
]


def umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)  # elsewhere: read it by setting it, and put it back at once
    os.umask(current)
    return current


def file_mode() -> int:
    return 0o666 & ~umask()


def folder_mode() -> int:
    return 0o777 & ~umask()


def _chmod(path: Path | str, mode: int, fd: int | None = None) -> None:
    if os.name != "posix":
        return  # Windows has no such modes; the folder's ACL decides
    if fd is not None:
        os.fchmod(fd, mode)
    else:
        os.chmod(path, mode)


def fsync_dir(path: Path | str) -> None:
    """Make a rename inside ``path`` durable (POSIX); a no-op where folders cannot be opened."""
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_dir(path, *, parents: bool = True, exist_ok: bool = True) -> Path:
    """Create a folder with mode ``0o777 & ~umask`` (``Path.mkdir`` does the same; said here once)."""
    path = Path(path)
    path.mkdir(mode=0o777, parents=parents, exist_ok=exist_ok)
    return path


def write_atomic(path, data: bytes | str, *, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new content, never a part.

    A temporary file in the same folder is written, flushed and synced to disk, given the mode
    the umask asks for and renamed over ``path`` (``os.replace``). On any error — a full disk,
    an interruption — the temporary file is removed and ``path`` is left as it was. Missing
    parent folders are created.
    """
    path = Path(path)
    payload = data.encode(encoding) if isinstance(data, str) else bytes(data)
    make_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
            _chmod(tmp, file_mode(), handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def staging_dir(parent, prefix: str) -> Path:
    """A new, uniquely named folder inside ``parent`` for building something to swap in.

    Its mode follows the umask (``tempfile.mkdtemp`` alone would make it ``0700``). Nothing
    else in ``parent`` is touched: another process's staging folder is never removed here.
    """
    parent = make_dir(parent)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    _chmod(path, folder_mode())
    return path


# --- folder swaps -------------------------------------------------------------------------

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


def exchange(a, b) -> bool:
    """Swap two paths in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``).

    Returns False where the system or the filesystem cannot do it; the caller then falls back.
    """
    function = _renameat2()
    if function is None:
        return False
    result = function(_AT_FDCWD, os.fsencode(str(a)), _AT_FDCWD, os.fsencode(str(b)), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def swap_dir(staging, target, *, previous=None) -> None:
    """Put the folder ``staging`` in the place of ``target``; keep the old one at ``previous`` if given.

    Where the system can exchange two folders in one step (Linux), ``target`` names the old or
    the new folder at every instant. Elsewhere two renames are used and, if the second fails,
    the first is undone. Without ``previous`` the old folder is deleted once the new one is in
    place. ``previous`` must not exist already: this function never deletes what it did not
    replace itself.
    """
    staging, target = Path(staging), Path(target)
    previous = Path(previous) if previous is not None else None
    if previous is not None and (previous.exists() or previous.is_symlink()):
        raise DiEvalError(f"cannot keep the previous {target} at {previous}: that path already exists")
    if not (target.exists() or target.is_symlink()):
        os.rename(staging, target)
        fsync_dir(target.parent)
        return
    aside = previous or target.with_name(f".{target.name}.replaced-{uuid.uuid4().hex[:8]}")
    if exchange(staging, target):
        os.rename(staging, aside)  # ``staging`` now names the old folder
    else:
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(aside, target)
            raise
    fsync_dir(target.parent)
    if previous is None:
        shutil.rmtree(aside, ignore_errors=True)


# --- locks --------------------------------------------------------------------------------


def _holder_file(path: Path) -> Path:
    return path.with_name(path.name + ".holder")


def lock_holder(path) -> dict | None:
    """Who holds (or last held) the lock at ``path``: pid, host, start time, what; None if unknown."""
    try:
        return json.loads(_holder_file(Path(path)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _describe(holder: dict | None) -> str:
    if not holder:
        return "another process (it has not recorded itself yet)"
    return f"process {holder.get('pid')} on {holder.get('host')}, started {holder.get('started')}" + (
        f" ({holder['command']})" if holder.get("command") else ""
    )


@contextlib.contextmanager
def locked(path, *, what: str, timeout: float | None = None):
    """Hold the lock file ``path`` for the block; ``what`` names the thing locked in messages.

    ``timeout=None`` waits as long as needed; otherwise DiEvalError is raised after ``timeout``
    seconds (0: at once), naming the process that holds the lock. While held, the holder's pid,
    host and start time are recorded beside the lock file (``<lock>.holder``). The operating
    system releases the lock when its holder dies, however it dies.
    """
    path = Path(path)
    make_dir(path.parent)
    lock = filelock.FileLock(str(path), timeout=-1 if timeout is None else max(0.0, float(timeout)))
    try:
        lock.acquire()
    except filelock.Timeout:
        raise DiEvalError(
            f"{what} is in use by {_describe(lock_holder(path))} (lock file {path}); "
            "wait for it to finish and try again"
        ) from None
    try:
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "what": what,
            "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv[:6])),
        }
        with contextlib.suppress(OSError):
            write_atomic(_holder_file(path), json.dumps(holder))
        yield path
    finally:
        with contextlib.suppress(OSError):
            _holder_file(path).unlink()
        lock.release()
