"""One job: live progress (charts, partition grid), Cancel / Resume / Re-run, and the
stored detail — redacted config, items with files, errors with tracebacks, log lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from dte_desktop.core.jobs.checkpoints import resume_helps
from dte_desktop.core.jobs.events import JobFinished
from dte_desktop.core.store import JobStatus
from dte_desktop.ui import theme
from dte_desktop.ui.job_detail import JobDetail, load_detail
from dte_desktop.ui.job_live import JobLivePanel, human_bytes
from dte_desktop.ui.job_runner import JobManager, JobStarted
from dte_desktop.ui.tables import read_only_table
from dte_desktop.ui.workers import run_in_pool

ITEM_COLUMNS = ["Partition", "Status", "Rows", "Size", "Attempts", "File"]


class JobWindow(QWidget):
    detail_loaded = Signal(object)

    def __init__(self, manager: JobManager, job_id: int, parent: Any = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.manager, self.job_id = manager, job_id
        self.ctx = manager.ctx
        self.detail: JobDetail | None = None
        self.setWindowTitle(f"Job {job_id} — DTE Desktop")
        self.resize(980, 640)
        self._build()
        manager.event.connect(self._on_event)
        manager.started.connect(self._on_started)
        self.reload()

    def _build(self) -> None:
        self.live = JobLivePanel(orientation=Qt.Orientation.Horizontal)
        self.live.follow(self.job_id)
        for ev in self.manager.replay(self.job_id):
            self.live.on_event(ev)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelJob")
        self.cancel_button.clicked.connect(lambda: self.manager.cancel(self.job_id))
        self.resume_button = QPushButton("Resume")
        self.resume_button.setObjectName("resumeJob")
        self.resume_button.clicked.connect(self._resume)
        self.rerun_button = QPushButton("Re-run")
        self.rerun_button.clicked.connect(lambda: self.manager.rerun(self.job_id))
        self.folder_button = QPushButton("Open folder")
        self.folder_button.clicked.connect(self.open_folder)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeJobWindow")
        self.close_button.setToolTip("Close this window (Esc); the job keeps running")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        for b in (self.cancel_button, self.resume_button, self.rerun_button, self.folder_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        progress = QWidget()
        pl = QVBoxLayout(progress)
        pl.addLayout(buttons)
        pl.addWidget(self.live, 1)

        self.config = QPlainTextEdit()
        self.config.setObjectName("jobConfig")
        self.config.setReadOnly(True)
        self.items = read_only_table(ITEM_COLUMNS, "jobItems")
        self.items.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        details = QSplitter(Qt.Orientation.Vertical)
        details.addWidget(self.items)
        details.addWidget(self.config)

        self.errors = QListWidget()
        self.errors.setObjectName("jobErrors")
        self.traceback = QPlainTextEdit()
        self.traceback.setObjectName("jobTraceback")
        self.traceback.setReadOnly(True)
        self.errors.currentRowChanged.connect(self._show_error)
        errors = QSplitter(Qt.Orientation.Vertical)
        errors.addWidget(self.errors)
        errors.addWidget(self.traceback)

        self.log = QPlainTextEdit()
        self.log.setObjectName("jobLog")
        self.log.setReadOnly(True)
        self.log.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)

        self.tabs = QTabWidget()
        self.tabs.addTab(progress, "Progress")
        self.tabs.addTab(details, "Details")
        self.tabs.addTab(errors, "Errors")
        self.tabs.addTab(self.log, "Log")
        self.header = QLabel(f"Job {self.job_id}")
        self.header.setObjectName("jobHeader")
        lay = QVBoxLayout(self)
        lay.addWidget(self.header)
        lay.addWidget(self.tabs, 1)
        self._set_buttons(None)

    # -- data ------------------------------------------------------------------------
    def reload(self) -> None:
        ctx, job_id = self.ctx, self.job_id
        run_in_pool(lambda: load_detail(ctx, job_id), self._show, self._error)

    def _show(self, detail: JobDetail) -> None:
        self.detail = detail
        job = detail.job
        summary = job.summary or {}
        parts = [f"<b>Job {job.id}</b> · {job.kind} · {job.connection or ''} · <b>{job.status}</b>"]
        if summary.get("rows") is not None:
            parts.append(
                f"{summary['rows']:,} rows, {human_bytes(summary.get('bytes', 0))}, "
                f"{summary.get('files', 0)} file(s), {summary.get('seconds', '?')} s"
            )
        if summary.get("error"):
            parts.append(f"error: {summary['error']}")
        self.header.setText(" — ".join(parts))
        self.config.setPlainText(json.dumps(job.config, indent=2, ensure_ascii=False))
        self.items.setRowCount(len(detail.items))
        for r, it in enumerate(detail.items):
            values = [
                it.key,
                str(it.status),
                f"{it.rows:,}",
                human_bytes(it.bytes),
                str(it.attempts),
                it.output_path or "",
            ]
            for c, text in enumerate(values):
                cell = QTableWidgetItem(text)
                if c == 1:
                    theme.paint_status(cell, str(it.status))
                self.items.setItem(r, c, cell)
        self.items.resizeColumnToContents(0)  # "public.custo…" lost the table's name
        self.errors.clear()
        for e in detail.errors:
            where = f" [{e.item_key}]" if e.item_key else ""
            self.errors.addItem(f"{e.at:%H:%M:%S} {e.type}{where}: {e.message}")
        self.tabs.setTabText(2, f"Errors ({len(detail.errors)})")
        if detail.errors:
            self.errors.setCurrentRow(0)
        self.log.setPlainText("\n".join(detail.log_lines) or "No log lines mention this job.")
        self._set_buttons(job.status)
        if job.status.finished and not self.manager.is_running(job.id):
            # Opened after the end (no live events): the final line, never "starting…".
            self.live.on_event(JobFinished(job.id, job.status, job.summary or {}))
            if detail.errors:
                last = detail.errors[-1]
                self.live.show_reason(job.id, f"{last.type}: {last.message}")
        self.detail_loaded.emit(detail)

    def _show_error(self, row: int) -> None:
        if self.detail is None or not 0 <= row < len(self.detail.errors):
            return
        e = self.detail.errors[row]
        ctx = json.dumps(e.context, indent=1, ensure_ascii=False) if e.context else ""
        self.traceback.setPlainText(f"{e.type}: {e.message}\n\n{ctx}\n\n{e.traceback or ''}")

    def _set_buttons(self, status: JobStatus | None) -> None:
        running = self.manager.is_running(self.job_id)
        # Resume and re-run go through the export service; other kinds are shown only.
        export = self.detail is not None and self.detail.job.kind == "export"
        self.cancel_button.setEnabled(running)
        helps = self.detail is None or resume_helps(self.detail.errors)
        self.resume_button.setEnabled(
            export and not running and status is not None and status.resumable and helps
        )
        self.resume_button.setToolTip(
            "Continue the job: finished slices are kept"
            if helps
            else "The job failed on an error a resume cannot get past (see Errors): fix "
            "the cause, then Re-run."
        )
        self.rerun_button.setEnabled(
            export and not running and status is not None and status.finished
        )
        self.folder_button.setEnabled(self._out_dir() is not None)

    def _out_dir(self) -> Path | None:
        if self.detail is None:
            return None
        out = (self.detail.job.summary or {}).get("out_dir") or self.detail.job.config.get(
            "out_dir"
        )
        return Path(out) if out else None

    def open_folder(self) -> bool:
        out = self._out_dir()
        return bool(out) and QDesktopServices.openUrl(QUrl.fromLocalFile(str(out)))

    def _resume(self) -> None:
        self.manager.resume(self.job_id)
        self.resume_button.setEnabled(False)
        self.cancel_button.setEnabled(True)

    def _on_started(self, ev: JobStarted) -> None:
        if ev.job_id == self.job_id:
            self.live.follow(-1)
            self.live.follow(self.job_id)
            self._set_buttons(None)
            self.cancel_button.setEnabled(True)

    def _on_event(self, ev: object) -> None:
        self.live.on_event(ev)
        if getattr(ev, "job_id", None) == self.job_id:
            if isinstance(ev, JobFinished):
                self.reload()
            elif not self.cancel_button.isEnabled():
                self.cancel_button.setEnabled(True)

    def _error(self, title: str, message: str) -> None:
        self.header.setText(f"{title}: {message}")

    def keyPressEvent(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key() == Qt.Key.Key_Escape:  # a window, not a dialog: Escape by hand
            self.close()
            return
        super().keyPressEvent(event)
