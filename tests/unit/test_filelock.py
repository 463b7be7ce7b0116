"""The cross-process lock (issue 15 items 1 and 7): a second holder gets a clear ``LockBusy``
naming the first one's pid, a killed holder leaves no stale lock, and two lock objects in one
process exclude each other too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dte_desktop.core.filelock import FileLock, LockBusy, read_holder

HOLD = """
import sys, time
from dte_desktop.core.filelock import FileLock
lock = FileLock(sys.argv[1]).acquire()
print("locked", flush=True)
time.sleep(60)
"""


def _holder(path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_second_process_gets_a_clear_error_and_a_killed_holder_frees_it(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    proc = _holder(path)
    try:
        with pytest.raises(LockBusy) as info:
            FileLock(path, what="the export folder /x").acquire()
        assert "the export folder /x is in use by another process" in str(info.value)
        assert f"process {proc.pid}" in str(info.value)
        assert read_holder(path) == info.value.holder
        started = time.monotonic()
        with pytest.raises(LockBusy):
            FileLock(path, timeout=0.3).acquire()
        assert time.monotonic() - started >= 0.3
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with FileLock(path) as lock:  # the OS dropped the dead holder's lock
        assert lock.locked
        assert read_holder(path)["pid"] == os.getpid()  # type: ignore[index]
    assert not lock.locked and path.exists()


def test_waits_for_a_holder_that_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    proc = _holder(path)
    try:
        killer = subprocess.Popen(
            [sys.executable, "-c", f"import time,os; time.sleep(0.5); os.kill({proc.pid}, 9)"]
        )
        with FileLock(path, timeout=20):
            pass
        killer.wait()
    finally:
        proc.kill()
        proc.wait()


def test_two_locks_in_one_process_exclude_each_other(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "x.lock"
    first = FileLock(path).acquire()
    with pytest.raises(LockBusy):
        FileLock(path).acquire()
    first.release()
    first.release()  # idempotent
    with FileLock(path):
        pass


def test_a_removed_lock_file_is_never_held_twice(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    first = FileLock(path, remove=True).acquire()
    assert path.exists()
    stale_fd = os.open(path, os.O_RDWR)  # a waiter that opened the file before it goes
    first.release()
    assert not path.exists()
    second = FileLock(path, remove=True).acquire()
    import fcntl

    fcntl.flock(stale_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the old inode is free to lock…
    try:
        with pytest.raises(LockBusy):  # …but the path's lock is the one that counts
            FileLock(path, remove=True).acquire()
    finally:
        os.close(stale_fd)
        second.release()
