"""Ctrl+C (SIGINT) and SIGTERM as a cancel request, never as an exception.

A ``KeyboardInterrupt`` raised wherever the main thread happens to be left jobs ``running``,
half-written ``manifest.json.part`` files and "cannot schedule new futures after shutdown";
worse, on Python 3.11 an interrupted ``Thread.join(timeout)`` marks the thread stopped and
returns at once while it still runs. Inside ``signals_cancel`` the signal only asks the job
to stop between batches; the caller waits on an ``Event``, and the job ends ``cancelled``.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

_SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)


@contextmanager
def signals_cancel(cancel: Callable[[], None]) -> Iterator[None]:
    """Route SIGINT/SIGTERM to ``cancel`` while the block runs (main thread only; elsewhere
    Python cannot install handlers and the block runs unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        cancel()

    for sig in _SIGNALS:
        previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_cancellable(work: Callable[[], Any], cancel: Callable[[], None]) -> Any:
    """Run ``work`` in a thread, wait for it on an ``Event``, and let a signal cancel it;
    returns what ``work`` returned (re-raises what it raised)."""
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the waiting thread
            outcome["error"] = exc
        finally:
            done.set()

    with signals_cancel(cancel):
        threading.Thread(target=target, name="dte-job", daemon=True).start()
        while not done.wait(0.5):
            pass
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
