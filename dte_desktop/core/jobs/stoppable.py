"""A source as a long job sees it once the user asked it to stop (profile, sample): every
later call fails at once with the job's ``Cancelled``, and a call the cancel broke (the
server's "canceling statement due to user request") says cancelled, not failed.

Profiling catches a column's failure and goes on with the next column, a sample tries its
next strategy: without this, each would in turn wait on the server (behind one lock, one
slow scan) after the user said stop. The job's own ``should_stop`` is the flag.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from dte_desktop.core.errors import Cancelled


class StoppableSource:
    """``on_rows``: told the rows of every batch read through (the job's progress)."""

    def __init__(
        self,
        source: Any,
        stopping: Callable[[], bool],
        error: type[Cancelled] = Cancelled,
        on_rows: Callable[[int], None] | None = None,
    ) -> None:
        self._source, self._stopping, self._error = source, stopping, error
        self._on_rows = on_rows

    def read_batches(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        if self._stopping():
            raise self._error()
        try:
            for batch in self._source.read_batches(*args, **kwargs):
                if self._on_rows is not None:
                    self._on_rows(batch.num_rows)
                yield batch  # the reader checks its stop between batches (a stream item
                # is marked cancelled there)
        except Exception:
            if self._stopping():
                raise self._error() from None
            raise

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._source, name)
        if not callable(attr) or name in ("cancel", "close"):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            if self._stopping():
                raise self._error()
            try:
                return attr(*args, **kwargs)
            except Exception:
                if self._stopping():
                    raise self._error() from None
                raise

        return call


class Canceller:
    """One job's cancel, asked from another thread (the CLI's signal handler, the job
    worker's pipe): the flag the job polls (``is_set`` is its ``should_stop``) and the
    things a cancel must reach at once — a source whose running statement the server can
    cancel, a sample's export job. Something reached after the cancel is cancelled then."""

    def __init__(self) -> None:
        import threading

        self._event = threading.Event()
        self._lock = threading.Lock()
        self._reach: list[Any] = []

    def is_set(self) -> bool:
        return self._event.is_set()

    def reach(self, thing: Any) -> None:
        """``thing.cancel()`` on cancel; a source only where it declares it can."""
        caps = getattr(thing, "capabilities", None)
        if caps is not None and not caps.can_cancel:
            return
        with self._lock:
            self._reach.append(thing)
            now = self._event.is_set()
        if now:
            _cancel(thing)

    def cancel(self) -> bool:
        """Ask the job to stop; False when it was already asked."""
        with self._lock:
            if self._event.is_set():
                return False
            self._event.set()
            things = list(self._reach)
        for thing in things:
            _cancel(thing)
        return True


def _cancel(thing: Any) -> None:
    try:
        thing.cancel()
    except Exception as exc:  # the flag still stops the job between steps
        from dte_desktop.core.logs import get_logger

        get_logger("jobs").warning("could not cancel %s: %s", type(thing).__name__, exc)
