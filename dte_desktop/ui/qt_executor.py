"""A ``concurrent.futures.Executor`` on a QThreadPool, so core code written against the
standard executor API (``ExportJob.run``) runs its items on Qt's pool in the GUI.

Futures are plain ``concurrent.futures.Future`` objects: core can ``wait()`` on them from the
worker thread that drives the job, exactly as it does with a ``ThreadPoolExecutor``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from typing import Any

from PySide6.QtCore import QRunnable, QThreadPool

WORKER_NICE = int(os.environ.get("DTE_WORKER_NICE", "5"))


class _Call(QRunnable):
    def __init__(self, owner: QtExecutor, future: Future, fn: Callable[..., Any], args, kwargs):  # type: ignore[no-untyped-def]
        super().__init__()
        self.owner, self.future, self.fn, self.args, self.kwargs = owner, future, fn, args, kwargs
        self.setAutoDelete(False)  # Python owns the wrapper; the executor drops it when done

    def run(self) -> None:
        if self.owner.background:
            _lower_this_thread()
        try:
            if not self.future.set_running_or_notify_cancel():
                return
            try:
                result = self.fn(*self.args, **self.kwargs)
            except BaseException as exc:
                self.future.set_exception(exc)
            else:
                self.future.set_result(result)
        finally:
            self.owner._forget(self)


def _lower_this_thread() -> None:
    """Give way to the GUI thread: a higher nice value for this worker thread (Linux nice
    is per thread), so the kernel schedules the GUI thread first when it wakes; the GUI
    thread then gets the GIL at the holder's next switch."""
    if hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):
            tid = threading.get_native_id()
            if os.getpriority(os.PRIO_PROCESS, tid) < WORKER_NICE:
                os.setpriority(os.PRIO_PROCESS, tid, WORKER_NICE)


class QtExecutor(Executor):
    """Runs submitted callables on ``pool`` (a private pool of ``max_workers`` threads when
    none is given, so a job's items never starve the GUI's own background tasks)."""

    def __init__(
        self,
        max_workers: int | None = None,
        pool: QThreadPool | None = None,
        *,
        background: bool = False,
    ) -> None:
        self.background = background
        self._own_pool = pool is None
        self.pool = pool or QThreadPool()
        if max_workers is not None:
            self.pool.setMaxThreadCount(max(1, max_workers))
        self._lock = threading.Lock()
        self._pending: set[_Call] = set()
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            future: Future = Future()
            call = _Call(self, future, fn, args, kwargs)
            self._pending.add(call)
        self.pool.start(call)
        return future

    def _forget(self, call: _Call) -> None:
        with self._lock:
            self._pending.discard(call)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            pending = list(self._pending)
        if cancel_futures:
            for call in pending:
                # Calls not yet started: tryTake removes them from the queue for good.
                if self.pool.tryTake(call):
                    call.future.cancel()
                    self._forget(call)
        if wait:
            self.pool.waitForDone()
