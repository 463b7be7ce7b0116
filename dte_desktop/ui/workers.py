"""Run core calls on the QThreadPool and deliver their results as signals in the GUI thread.

A ``Task`` wraps a plain callable; its ``signals`` live in the GUI thread (created there), so
emissions from the pool thread arrive through queued connections.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from dte_desktop.core.errors import DteError, WrongPassphrase
from dte_desktop.core.logs import get_logger, redact

log = get_logger("ui.workers")


class ErrorNotices(QObject):
    """Failures every screen reacts to the same way, whichever worker met them."""

    passphrase_rejected = Signal()  # a WrongPassphrase: the keeper forgets and asks again


notices = ErrorNotices()


def notice(exc: BaseException) -> None:
    if isinstance(exc, WrongPassphrase):
        notices.passphrase_rejected.emit()


class TaskSignals(QObject):
    finished = Signal(object)  # the callable's result
    failed = Signal(str, str)  # title, message (user-facing, redacted)
    done = Signal()  # after finished or failed


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = TaskSignals()
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn()
        except DteError as exc:
            notice(exc)
            self.signals.failed.emit(exc.title, str(exc))
        except Exception as exc:
            log.error("background task failed: %s\n%s", exc, traceback.format_exc())
            self.signals.failed.emit("Unexpected error", redact(exc))
        else:
            self.signals.finished.emit(result)
        self.signals.done.emit()


# Python owns the signals object; without a reference the wrapper (and its connections)
# can be collected before the pool thread emits. Tasks leave this set when done.
_live: set[Task] = set()


def run_in_pool(
    fn: Callable[[], Any],
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[str, str], None] | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    task = Task(fn)
    _live.add(task)
    task.signals.done.connect(lambda: _live.discard(task))
    if on_result:
        task.signals.finished.connect(on_result)
    if on_error:
        task.signals.failed.connect(on_error)
    (pool or QThreadPool.globalInstance()).start(task)
    return task
