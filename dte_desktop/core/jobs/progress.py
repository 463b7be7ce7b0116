"""Progress of a profile or a sample job as job events (``events.py``), the way an export
reports its own: which item and step runs, rows scanned, items done of the total.

``JobProgress.items_*`` count the job's items (``unit``: tables of a profile, steps of a
sample); ``rows`` are the rows read so far, ``rows_total`` the catalog's estimate where the
job reads the tables through (a stream profile, a large table's one scan), else None.
An ``ItemProgress`` names the step (``status``: "aggregates", "quantiles", a strategy…).
Events are throttled (a 50M-row scan does not send one per batch); a step change, an item's
end and the job's end always go out. With no sink every call is a no-op.
"""

from __future__ import annotations

import threading

from dte_desktop.core.jobs.events import (
    EventSink,
    ItemProgress,
    JobFinished,
    JobProgress,
    JobStarted,
    RateMeter,
    Throttle,
)


class JobEvents:
    def __init__(
        self,
        job_id: int,
        sink: EventSink | None,
        items_total: int,
        *,
        unit: str,
        interval: float = 0.25,
    ) -> None:
        self.job_id, self.sink, self.items_total, self.unit = job_id, sink, items_total, unit
        self.items_done = 0
        self.rows_total: int | None = None
        self._rows = 0
        self._item = ""
        self._meter = RateMeter()
        self._throttle = Throttle(interval)
        self._lock = threading.Lock()

    def started(self, resumed: bool = False) -> None:
        if self.sink is not None:
            self.sink(JobStarted(self.job_id, resumed))
            self._job(force=True)

    def expect_rows(self, n: int | None) -> None:
        """The item about to be read through holds about ``n`` rows (an estimate)."""
        if n is not None and n > 0:
            self.rows_total = (self.rows_total or 0) + int(n)

    def step(self, item: str, step: str) -> None:
        """``item`` (a table, or a table's column) entered ``step``."""
        if self.sink is None:
            return
        self._item = item
        self.sink(ItemProgress(self.job_id, item, step, self._rows, 0, 0.0))
        self._job(force=self._throttle.ready("__step__"))

    def rows(self, n: int) -> None:
        """``n`` more rows read (a batch)."""
        if self.sink is None:
            return
        with self._lock:
            self._rows += n
        self._job()

    def item_done(self, item: str, status: str) -> None:
        if self.sink is None:
            return
        self.items_done += 1
        self.sink(ItemProgress(self.job_id, item, status, self._rows, 0, 0.0))
        self._job(force=True)

    def finished(self, status: str, summary: dict | None = None) -> None:
        if self.sink is not None:
            self.sink(JobFinished(self.job_id, str(status), dict(summary or {})))

    def _job(self, force: bool = False) -> None:
        rows, _, elapsed, rate, _ = self._meter.update("__all__", self._rows, 0)
        if not self._throttle.ready("__job__", force=force):
            return
        total = self.rows_total
        self.sink(  # type: ignore[misc]
            JobProgress(self.job_id, rows, 0, rate, 0.0, self.items_done, self.items_total,
                        elapsed, total, unit=self.unit)
        )  # fmt: skip
