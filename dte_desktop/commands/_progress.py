"""The one progress renderer of the CLI's long jobs: export, resume, profile and sample.

It reads the job events core emits (``core/jobs/events.py``). On a terminal (stderr a TTY
and no ``--json``) it draws a live bar with ``rich``: the items done (slices, tables or
steps; rows against the catalog's estimate where the job has one), rows read, the current
rate and the step running. Otherwise it writes plain lines, no bar and no escape codes:
one progress line at most every ``PLAIN_EVERY_S`` seconds (so a short job writes none)."""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any

from dte_desktop.core.jobs.events import ItemProgress, JobFinished, JobProgress, JobStarted


class TerminalProgress:
    PLAIN_EVERY_S = 30.0

    def __init__(self, enabled: bool, stream: IO[str] | None = None) -> None:
        """``enabled``: draw the bar (a terminal, no ``--json``); else plain lines."""
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self._lock = threading.Lock()
        self._job: int | None = None  # the job the bar is for (a sample's export is inside)
        self._bar: Any = None
        self._task: Any = None
        self._step = ""
        self._last_plain = time.monotonic()

    @classmethod
    def for_args(cls, args: Any) -> TerminalProgress:
        return cls(sys.stderr.isatty() and not getattr(args, "json", False))

    def __call__(self, event: object) -> None:
        with self._lock:
            if self._job is None and isinstance(event, JobStarted | JobProgress):
                self._job = event.job_id
            if isinstance(event, ItemProgress):
                self._item(event)
            elif isinstance(event, JobProgress):
                self._progress(event)
            elif isinstance(event, JobFinished) and event.job_id == self._job:
                self._stop()

    def close(self) -> None:
        """The bar ends (also after a cancel or an error, where no JobFinished came)."""
        with self._lock:
            self._stop()

    # -- events --------------------------------------------------------------------
    def _item(self, ev: ItemProgress) -> None:
        if ev.status == "failed":
            self._line(f"{ev.key}: failed (attempt {ev.attempt})")
        elif ev.note:  # "server unreachable, retry 3 in 4 s": said even without a terminal
            if self._bar is not None:
                self._line(f"{ev.key}: {ev.note}")
            else:
                self.stream.write(f"{ev.key}: {ev.note}\n")
                self.stream.flush()
        elif ev.status not in ("done", "pending", "running"):
            self._step = f"{ev.key}: {ev.status}"  # a profile's or a sample's step
        elif ev.status == "running":
            self._step = ev.key

    def _progress(self, ev: JobProgress) -> None:
        items = f"{ev.items_done}/{ev.items_total} {ev.unit}"
        rate = f"{ev.rows:,} rows  {ev.rows_per_s:,.0f} rows/s"
        if ev.bytes:
            rate += f"  {ev.bytes / 1e6:,.1f} MB"
        if not self.enabled:
            now = time.monotonic()
            if now - self._last_plain >= self.PLAIN_EVERY_S:
                self._last_plain = now
                step = f"  {self._step}" if self._step else ""
                self.stream.write(f"progress: {items}  {rate}  {ev.elapsed_s:,.0f} s{step}\n")
                self.stream.flush()
            return
        by_rows = bool(ev.rows_total)
        total = ev.rows_total if by_rows else max(ev.items_total, 1)
        done = min(ev.rows, total) if by_rows else ev.items_done
        fields = {"items": items, "rate": rate, "step": self._step[-40:]}
        if self._bar is None:
            self._start(total, done, fields)
        else:
            self._bar.update(self._task, total=total, completed=done, **fields)

    # -- drawing -------------------------------------------------------------------
    def _start(self, total: float, done: float, fields: dict[str, str]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=self.stream, force_terminal=True)
        self._bar = Progress(
            TextColumn("{task.fields[items]}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("{task.fields[step]}"),
            console=console,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._bar.start()
        self._task = self._bar.add_task("job", total=total, completed=done, **fields)

    def _line(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text, markup=False, highlight=False)
        elif self.enabled:
            self.stream.write(text + "\n")
            self.stream.flush()

    def _stop(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
