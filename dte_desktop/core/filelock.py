"""A cross-process, exclusive lock on a file (``fcntl.flock`` on POSIX, ``msvcrt.locking``
on Windows): one writer at a time for an export folder, a job, the credential store.

The operating system releases the lock when its holder exits, however it exits (SIGKILL,
power loss of the process), so a crash never leaves a stale lock behind; the lock file itself
stays on disk unless ``remove=True``: then the holder deletes it before letting go, and a
waiter that locked the deleted file notices (its inode is no longer the path's) and tries
again, so two holders never coexist. The holder's pid and start time are written into the
file only to name it in the error another process gets.

Locks are per open file, not per process: two ``FileLock`` objects on one path exclude each
other even inside one process (two threads, two jobs).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from dte_desktop.core.errors import DteError


class LockBusy(DteError):
    """Someone else holds the lock; ``holder`` is what they wrote into the file, if any."""

    title = "In use"

    def __init__(self, message: str, *, holder: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.holder = holder


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        with contextlib.suppress(OSError):
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


class FileLock:
    """``with FileLock(path, what="the export folder X"):`` — exclusive, across processes.

    ``timeout`` 0 tries once, ``None`` waits for ever, a number waits that many seconds;
    when the lock stays busy, ``LockBusy`` says what is locked and by which process.
    """

    POLL_S = 0.05

    def __init__(
        self,
        path: Path | str,
        *,
        what: str | None = None,
        timeout: float | None = 0.0,
        remove: bool = False,
    ) -> None:
        self.path = Path(path)
        self.what = what or str(self.path)
        self.timeout = timeout
        # Windows cannot delete an open file; there the lock file stays.
        self.remove = remove and sys.platform != "win32"
        self._fd: int | None = None

    @property
    def locked(self) -> bool:
        return self._fd is not None

    def acquire(self) -> FileLock:
        if self._fd is not None:
            raise RuntimeError(f"{self.what} is already locked by this object")
        wait = self.timeout
        deadline = None if wait is None else time.monotonic() + wait
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                got = _try_lock(fd) and self._same_file(fd)
            except BaseException:
                os.close(fd)
                raise
            if got:
                break
            os.close(fd)
            if deadline is not None and time.monotonic() >= deadline:
                holder = read_holder(self.path)
                who = f" (process {holder['pid']})" if holder and "pid" in holder else ""
                raise LockBusy(f"{self.what} is in use by another process{who}.", holder=holder)
            time.sleep(self.POLL_S)
        self._fd = fd
        with contextlib.suppress(OSError):  # informational only: a full disk must not fail it
            info = json.dumps({"pid": os.getpid(), "since": round(time.time(), 3)}).encode()
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, info)
        return self

    def _same_file(self, fd: int) -> bool:
        """False when the holder we waited for deleted the file: lock the new one instead."""
        if not self.remove:
            return True
        try:
            return os.path.samestat(os.fstat(fd), os.stat(self.path))
        except FileNotFoundError:
            return False

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            if self.remove:  # still holding it: nobody can lock this inode in between
                os.unlink(self.path)
            else:
                os.ftruncate(fd, 0)
        try:
            _unlock(fd)
        finally:
            os.close(fd)

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __del__(self) -> None:  # a forgotten lock must not outlive its object
        with contextlib.suppress(Exception):
            self.release()


def read_holder(path: Path | str) -> dict[str, Any] | None:
    """What the current holder wrote (pid, since), or None."""
    try:
        data = json.loads(Path(path).read_bytes() or b"null")
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
