"""Live view of one running job: the rate charts and the per-partition grid. Fed with core
events (already in the GUI thread); the charts redraw on their own timer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.jobs.events import ItemProgress, JobFinished, JobProgress
from dte_desktop.ui import theme
from dte_desktop.ui.charts import RateChart
from dte_desktop.ui.tables import read_only_table

GRID_COLUMNS = ["Partition", "Status", "Rows", "Rows/s", "Attempt"]


def human_bytes(n: float) -> str:
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def duration_text(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def progress_text(rows: int, total: int | None, rate: float) -> str:
    """Rows so far, against the catalog's estimate where there is one: a percentage and
    the time left at the current rate (the estimate can be off; past it, say so)."""
    if not total:
        return f"{rows:,} rows"
    if rows >= total:
        return f"{rows:,} rows (past the estimate of ~{total:,})"
    text = f"{rows:,} of ~{total:,} rows ({100 * rows / total:.0f} %)"
    if rate > 0:
        text += f", about {duration_text((total - rows) / rate)} left"
    return text


def steps_job(ev: JobProgress) -> bool:
    """A profile or a sample (its items are tables or steps), not an export's slices."""
    return ev.unit != "slices"


def job_percent(ev: JobProgress) -> int | None:
    """How far a profile or sample is: by rows against the estimate where rows are read
    through, else by its items where there are several; None: it cannot say (busy)."""
    if ev.rows_total:
        return min(100, round(100 * ev.rows / ev.rows_total))
    if ev.items_total > 1:
        return round(100 * ev.items_done / ev.items_total)
    return None


def job_text(ev: JobProgress, step: str = "") -> str:
    """``public.big: aggregates · 20,000 of ~5,020,000 rows (0 %) · 0/1 tables · 29.0 s``:
    the step running now (``ItemProgress``), rows read, items done, time."""
    parts = [step] if step else []
    if ev.rows or ev.rows_total:
        parts.append(progress_text(ev.rows, ev.rows_total, ev.rows_per_s) + " read")
    parts.append(f"{ev.items_done}/{ev.items_total} {ev.unit}")
    parts.append(f"{ev.elapsed_s:.1f} s")
    return " · ".join(parts)


class JobLivePanel(QWidget):
    def __init__(
        self,
        parent: Any = None,
        *,
        orientation: Qt.Orientation = Qt.Orientation.Vertical,
        compact: bool = False,
    ):
        super().__init__(parent)
        self.job_id: int | None = None
        self.summary = QLabel("No job running.")
        self.summary.setObjectName("jobSummary")
        self.summary.setWordWrap(True)
        self.chart = RateChart(compact=compact)
        self.grid = read_only_table(GRID_COLUMNS, "partitionGrid")
        self.grid.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._rows: dict[str, int] = {}
        self._done: set[str] = set()  # partitions reported done (progress lines lag them)
        self._finished = False
        self._step = ""  # a profile's or sample's step running now ("table: step")
        split = QSplitter(orientation)
        split.addWidget(self.chart)
        split.addWidget(self.grid)
        if compact:  # the dock: the job window has the grid
            self.grid.hide()
        else:
            split.setSizes([420, 520])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(split, 1)

    def follow(self, job_id: int) -> None:
        if job_id == self.job_id:
            return
        self.job_id = job_id
        self.chart.clear()
        self.grid.setRowCount(0)
        self._rows.clear()
        self._done.clear()
        self._finished = False
        self.summary.setText(f"Job {job_id}: starting…")

    def on_event(self, ev: object) -> None:
        if getattr(ev, "job_id", None) != self.job_id:
            return
        if isinstance(ev, JobProgress):
            if self._finished:  # a late line must not undo the final state
                return
            self.chart.add(ev.elapsed_s, ev.rows_per_s, ev.bytes_per_s)
            if steps_job(ev):  # a profile or a sample
                self.summary.setText(f"Job {ev.job_id}: {job_text(ev, self._step)}")
                return
            done = max(ev.items_done, len(self._done))
            self.summary.setText(
                f"Job {ev.job_id}: {progress_text(ev.rows, ev.rows_total, ev.rows_per_s)}, "
                f"{human_bytes(ev.bytes)} — "
                f"{ev.rows_per_s:,.0f} rows/s, {human_bytes(ev.bytes_per_s)}/s — "
                f"{done}/{ev.items_total} partitions done, {ev.elapsed_s:.1f} s"
            )
        elif isinstance(ev, ItemProgress):
            self._step = f"{ev.key}: {ev.status}"
            if ev.status == "done":
                self._done.add(ev.key)
            if ev.note and not self._finished:  # "server unreachable, retry 3 in 4 s"
                self.summary.setText(f"Job {ev.job_id}: {ev.key} — {ev.note}")
            self._item(ev)
        elif isinstance(ev, JobFinished):
            self._finished = True
            rows = ev.summary.get("rows")
            secs = ev.summary.get("seconds")
            extra = f": {rows:,} rows in {secs} s" if rows is not None and secs is not None else ""
            err = ev.summary.get("error")
            note = ev.summary.get("point_in_time")  # the snapshot was lost: said, not hidden
            self.summary.setText(
                f"Job {ev.job_id} {ev.status}{extra}"
                + (f" — {err}" if err else "")
                + (f"\n{note}" if note else "")
            )

    def show_reason(self, job_id: int, reason: str) -> None:
        """Why a finished job failed (its last error), beside its final line."""
        message = reason.split(": ", 1)[-1]  # "Type: message"; the final line may hold it
        if job_id == self.job_id and self._finished and message not in self.summary.text():
            self.summary.setText(f"{self.summary.text()} — {reason}")

    def _item(self, ev: ItemProgress) -> None:
        row = self._rows.get(ev.key)
        if row is None:
            row = self.grid.rowCount()
            self.grid.insertRow(row)
            self._rows[ev.key] = row
            for c in range(len(GRID_COLUMNS)):
                self.grid.setItem(row, c, QTableWidgetItem())
        values = [ev.key, ev.status, f"{ev.rows:,}", f"{ev.rows_per_s:,.0f}", str(ev.attempt)]
        for c, text in enumerate(values):
            cell = self.grid.item(row, c)
            cell.setText(text)
            if c:
                cell.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if c == 1:
                theme.paint_status(cell, ev.status)
                cell.setToolTip(ev.note)  # the whole "server unreachable, retry 3 in 4 s"
