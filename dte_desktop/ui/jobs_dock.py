"""The jobs dock: job history with filters and search on the left, the live charts of the
job running now on the right."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.jobs.checkpoints import resume_helps
from dte_desktop.core.jobs.events import JobFinished, JobProgress
from dte_desktop.core.store import Job, JobStatus
from dte_desktop.ui import theme
from dte_desktop.ui.job_live import JobLivePanel
from dte_desktop.ui.job_runner import JobManager, JobStarted
from dte_desktop.ui.tables import read_only_table
from dte_desktop.ui.workers import run_in_pool

COLUMNS = ["Job", "Kind", "Status", "Connection", "What", "Rows", "Started"]


def describe_job(job: Job) -> str:
    cfg = job.config or {}
    names = list(cfg.get("tables") or []) + [q.get("name", "") for q in cfg.get("queries") or []]
    return ", ".join(names) or job.kind


class JobsDock(QDockWidget):
    open_job = Signal(int)
    history_loaded = Signal(int)

    def __init__(self, manager: JobManager, parent: Any = None) -> None:
        super().__init__("Jobs", parent)
        self.setObjectName("jobsDock")
        self.manager = manager
        self.ctx = manager.ctx
        self._jobs: list[Job] = []
        #: Failed jobs a resume cannot help (their errors are permanent): job id -> reason.
        self.no_resume: dict[int, str] = {}
        self._reasons: dict[int, str] = {}  # job id -> its last error, for the status cell
        self._live: dict[int, int] = {}  # running job id -> rows so far (newer than the store)
        self.status = QComboBox()
        self.status.setObjectName("jobStatusFilter")
        self.status.addItems(["All statuses", *[s.value for s in JobStatus]])
        self.kind = QComboBox()
        self.kind.setObjectName("jobKindFilter")
        self.kind.addItems(["All kinds", "export", "profile", "sample"])
        self.search = QLineEdit()
        self.search.setObjectName("jobSearch")
        self.search.setPlaceholderText("Search jobs")
        self.search.setClearButtonEnabled(True)
        self.status.currentIndexChanged.connect(self.refresh)
        self.kind.currentIndexChanged.connect(self.refresh)
        self.search.textChanged.connect(self._fill)
        open_button = QPushButton("Open")
        open_button.clicked.connect(self._open_current)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("dockCancel")
        self.cancel_button.clicked.connect(self._cancel_current)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setObjectName("dockResume")
        self.resume_button.clicked.connect(self._resume_current)
        filters = QHBoxLayout()
        filters.addWidget(self.status)
        filters.addWidget(self.kind)
        filters.addWidget(self.search, 1)
        filters.addWidget(open_button)
        filters.addWidget(self.cancel_button)
        filters.addWidget(self.resume_button)
        self.table = read_only_table(COLUMNS, "jobsTable", rows="single")
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _c: self._open_row(row))
        self.table.itemSelectionChanged.connect(self._update_buttons)
        history = QWidget()
        hl = QVBoxLayout(history)
        hl.setContentsMargins(4, 4, 4, 4)
        hl.addLayout(filters)
        hl.addWidget(self.table, 1)
        self.live = JobLivePanel(orientation=Qt.Orientation.Horizontal, compact=True)
        split = QSplitter()
        split.addWidget(history)
        split.addWidget(self.live)
        split.setSizes([640, 460])
        self.setWidget(split)
        manager.started.connect(self._on_started)
        manager.event.connect(self._on_event)
        self._update_buttons()
        theme.state().changed.connect(self._on_theme)

    def _on_theme(self, _name: str) -> None:
        self._fill()

    def refresh(self) -> None:
        status = self.status.currentText() if self.status.currentIndex() > 0 else None
        kind = self.kind.currentText() if self.kind.currentIndex() > 0 else None
        store = self.ctx.store

        def work() -> tuple[list[Job], dict[int, str], dict[int, str]]:
            jobs = store.list_jobs(status=status, kind=kind)
            reasons, blocked = {}, {}
            for j in jobs:
                if j.status in (JobStatus.FAILED, JobStatus.COMPLETE_WITH_ERRORS):
                    errors = store.list_errors(j.id)
                    if errors:
                        reasons[j.id] = f"{errors[-1].type}: {errors[-1].message}"
                    if not resume_helps(errors):
                        blocked[j.id] = reasons.get(j.id, "")
            return jobs, reasons, blocked

        run_in_pool(work, self._loaded)

    def _loaded(self, result: tuple[list[Job], dict[int, str], dict[int, str]]) -> None:
        self._jobs, self._reasons, self.no_resume = result
        self._fill()
        for job_id, reason in self._reasons.items():
            self.live.show_reason(job_id, reason)
        self.history_loaded.emit(len(self._jobs))

    def _fill(self) -> None:
        needle = self.search.text().strip().casefold()
        shown = [
            j
            for j in self._jobs
            if not needle
            or needle in f"{j.id} {j.connection} {describe_job(j)} {j.status}".casefold()
        ]
        self.table.setRowCount(len(shown))
        for r, j in enumerate(shown):
            rows = (j.summary or {}).get("rows")
            status = str(j.status)
            if j.id in self._live and not j.status.finished:
                status, rows = JobStatus.RUNNING.value, self._live[j.id]
            started = j.started_at or j.created_at
            values = [
                str(j.id),
                j.kind,
                status,
                j.connection or "",
                describe_job(j),
                f"{rows:,}" if rows is not None else "",
                f"{started:%Y-%m-%d %H:%M}" if started else "",
            ]
            for c, text in enumerate(values):
                cell = QTableWidgetItem(text)
                cell.setData(Qt.ItemDataRole.UserRole, j.id)
                if c == 2:
                    theme.paint_status(cell, status)
                    if j.id in self._reasons:
                        cell.setToolTip(self._reasons[j.id])
                self.table.setItem(r, c, cell)
        self.table.resizeColumnToContents(6)
        self._update_buttons()

    def visible_job_ids(self) -> list[int]:
        return [
            int(self.table.item(r, 0).text())
            for r in range(self.table.rowCount())
            if self.table.item(r, 0)
        ]

    def current_job(self) -> Job | None:
        row = self.table.currentRow()
        item = self.table.item(row, 0) if row >= 0 else None
        if item is None:
            return None
        job_id = item.data(Qt.ItemDataRole.UserRole)
        return next((j for j in self._jobs if j.id == job_id), None)

    def _update_buttons(self) -> None:
        job = self.current_job()
        running = job is not None and self.manager.is_running(job.id)
        self.cancel_button.setEnabled(running)
        blocked = job is not None and job.id in self.no_resume
        self.resume_button.setEnabled(
            job is not None
            and job.kind == "export"
            and not running
            and job.status.resumable
            and not blocked
        )
        self.resume_button.setToolTip(
            "The job failed on an error a resume cannot get past; fix the cause and "
            f"re-run it from the job window. ({self.no_resume[job.id]})"
            if blocked and job is not None
            else "Continue the job: finished slices are kept"
        )

    def _open_row(self, row: int) -> None:
        item = self.table.item(row, 0)
        if item is not None:
            self.open_job.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def _open_current(self) -> None:
        if (job := self.current_job()) is not None:
            self.open_job.emit(job.id)

    def _cancel_current(self) -> None:
        if (job := self.current_job()) is not None:
            self.manager.cancel(job.id)

    def _resume_current(self) -> None:
        if (job := self.current_job()) is not None:
            self.manager.resume(job.id)

    def _on_started(self, ev: JobStarted) -> None:
        self.live.follow(-1)
        self.live.follow(ev.job_id)
        self.refresh()

    def _on_event(self, ev: object) -> None:
        self.live.on_event(ev)
        if isinstance(ev, JobProgress):
            self._show_running(ev)
        if isinstance(ev, JobFinished):
            self._live.pop(ev.job_id, None)
            self.refresh()

    def _show_running(self, ev: JobProgress) -> None:
        """The history row of a running job follows its progress (the store's row was
        read when it was still queued)."""
        self._live[ev.job_id] = ev.rows
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == ev.job_id:
                status = self.table.item(r, 2)
                if status.text() != JobStatus.RUNNING.value:
                    status.setText(JobStatus.RUNNING.value)
                    theme.paint_status(status, JobStatus.RUNNING.value)
                self.table.item(r, 5).setText(f"{ev.rows:,}")
                return
