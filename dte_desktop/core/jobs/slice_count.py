"""The source's own count of a slice, which the rows written are reconciled with.

In a shared snapshot the count starts together with the read, in a thread of its own: both
join the snapshot while its session lives. Counted after the read, a slice that read for
longer than a DBA's ``idle_in_transaction_session_timeout`` found the snapshot gone at its
count every time (its session idles while the slices read), and never finished."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

from dte_desktop.core.sources.base import SelectSpec, Source


class SliceCount:
    def __init__(self, source: Source, select: SelectSpec) -> None:
        self._source, self._select = source, select
        self._pool: ThreadPoolExecutor | None = None
        self._future: Future[int] | None = None
        if select.snapshot is not None:
            self._pool = ThreadPoolExecutor(1, thread_name_prefix="dte-count")
            self._future = self._pool.submit(source.count_rows, select)

    def result(self) -> int:
        if self._future is not None:
            return self._future.result()
        return self._source.count_rows(self._select)

    def close(self) -> None:
        """After the source's ``close()`` (which cancels a count still running)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
