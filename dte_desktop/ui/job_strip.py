"""The progress strip of a profile or a sample running in the job worker process: the step
running now, a bar (a percentage where the job knows one), and Cancel. The same job is in
the jobs dock, whose Cancel does the same."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from dte_desktop.core.jobs.events import (
    ItemProgress,
    JobFinished,
    JobProgress,
    JobResult,
    JobStarted,
)
from dte_desktop.ui.job_live import job_percent, job_text
from dte_desktop.ui.job_process import JobProcess


class JobStrip(QWidget):
    result = Signal(object)  # JobResult.data, once the worker is gone (the job is over)
    failed = Signal(str, str)  # title, message: it could not start or failed (also at the end)
    ended = Signal(str)  # the job's final status ("" when its worker died unfinished)

    def __init__(self, name: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.proc: JobProcess | None = None
        self.job_id: int | None = None
        self.status = ""
        self.step = ""  # "table: step" (or "table.column: step") running now
        self._progress: JobProgress | None = None
        self._result: Any = None
        self._failure: tuple[str, str] | None = None
        self.label = QLabel("")
        self.label.setObjectName(f"{name}Step")
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{name}Progress")
        self.bar.setMaximumWidth(220)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName(f"{name}Cancel")
        self.cancel_button.setToolTip("Stop the job (the statement running on the server too)")
        self.cancel_button.clicked.connect(self.cancel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel_button)
        self.hide()

    def running(self) -> bool:
        return self.proc is not None

    def start(self, proc: JobProcess | None) -> bool:
        """Follow ``proc`` (None: the credential store stayed locked; nothing started)."""
        if proc is None:
            return False
        self.proc, self.job_id, self.status, self.step = proc, None, "", ""
        self._progress: JobProgress | None = None
        self._result = self._failure = None
        proc.event.connect(self._on_event)
        proc.failed.connect(self._on_failed)
        proc.ended.connect(self._on_ended)
        self.label.setText("Starting the job worker…")
        self.bar.setRange(0, 0)  # busy until a step says how far
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText("Cancel")
        self.show()
        return True

    def cancel(self) -> None:
        if self.proc is not None:
            self.proc.cancel()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText("Cancelling…")

    def _on_event(self, ev: object) -> None:
        if isinstance(ev, JobStarted):
            self.job_id = ev.job_id
            self.label.setText(f"Job {ev.job_id} started…")
        elif isinstance(ev, ItemProgress):
            self.step = f"{ev.key}: {ev.status}"
            if self._progress is not None:
                self.label.setText(f"Job {ev.job_id}: {job_text(self._progress, self.step)}")
        elif isinstance(ev, JobProgress):
            self._progress = ev
            self.label.setText(f"Job {ev.job_id}: {job_text(ev, self.step)}")
            pct = job_percent(ev)
            if pct is None:
                self.bar.setRange(0, 0)
            else:
                self.bar.setRange(0, 100)
                self.bar.setValue(pct)
        elif isinstance(ev, JobResult):  # shown when the job is over, as the dock does
            self._result = ev.data
        elif isinstance(ev, JobFinished):
            self.status = ev.status

    def _on_failed(self, title: str, message: str) -> None:
        self._failure = (title, message)

    def _on_ended(self) -> None:
        self.proc = None
        self.hide()
        result, failure = self._result, self._failure
        self._result = self._failure = None
        self.ended.emit(self.status)  # first: the view is idle again when it shows the outcome
        if failure is not None:
            self.failed.emit(*failure)
        if result is not None:
            self.result.emit(result)
