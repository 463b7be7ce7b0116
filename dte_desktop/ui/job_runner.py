"""Starts, cancels, resumes and re-runs export jobs for the GUI.

``prepare_export`` and ``ExportJob.run`` run in a driver thread (never the GUI thread); the
job's items run on a ``QtExecutor`` of ``spec.workers`` threads. Core events arrive from
those threads and are re-emitted in the GUI thread through an ``EventBridge``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from dte_desktop.core.app import AppContext
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import ItemProgress, JobFinished, JobProgress
from dte_desktop.core.jobs.export_job import ExportJob
from dte_desktop.core.jobs.service import prepare_export, resume_export
from dte_desktop.core.logs import get_logger
from dte_desktop.ui.bridge import EventBridge
from dte_desktop.ui.passphrase import PassphraseKeeper
from dte_desktop.ui.qt_executor import QtExecutor
from dte_desktop.ui.workers import run_in_pool

log = get_logger("ui.jobs")


@dataclass(frozen=True)
class JobStarted:
    job_id: int
    resumed: bool


_drivers: QThreadPool | None = None


def driver_pool() -> QThreadPool:
    """Job drivers mostly wait on their items; they get their own pool so a running export
    never takes a thread from catalog listings and previews."""
    global _drivers
    if _drivers is None:
        _drivers = QThreadPool()
        _drivers.setMaxThreadCount(8)
    return _drivers


class JobManager(QObject):
    started = Signal(object)  # JobStarted
    event = Signal(object)  # ItemProgress | JobProgress | JobFinished, in the GUI thread
    failed = Signal(str, str)

    def __init__(self, ctx: AppContext, keeper: PassphraseKeeper, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.keeper = ctx, keeper
        self.bridge = EventBridge(self)
        self.bridge.connect_to(self._dispatch)
        self._jobs: dict[int, ExportJob] = {}
        # What a job window opened mid-job needs to draw the curve and grid so far.
        self._progress: dict[int, list[JobProgress]] = {}
        self._items: dict[int, dict[str, ItemProgress]] = {}
        self.background = True  # job threads give way to the GUI (see QtExecutor)
        self._lock = threading.Lock()

    def running(self) -> list[int]:
        with self._lock:
            return list(self._jobs)

    def is_running(self, job_id: int) -> bool:
        with self._lock:
            return job_id in self._jobs

    def run_export(self, spec: ExportSpec) -> None:
        if not self.keeper.ensure():
            return
        self._drive(lambda: prepare_export(self.ctx, spec, on_event=self.bridge), resumed=False)

    def resume(self, job_id: int) -> None:
        if not self.keeper.ensure():
            return
        self._drive(lambda: resume_export(self.ctx, job_id, on_event=self.bridge), resumed=True)

    def rerun(self, job_id: int) -> None:
        """The same spec as a new job (the stored config never held a password)."""
        if not self.keeper.ensure():
            return

        def make() -> ExportJob:
            spec = ExportSpec.from_config(self.ctx.store.get_job(job_id).config)
            return prepare_export(self.ctx, spec, on_event=self.bridge)

        self._drive(make, resumed=False)

    def cancel(self, job_id: int) -> bool:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            return False
        job.cancel()
        return True

    def cancel_all(self) -> None:
        for job_id in self.running():
            self.cancel(job_id)

    def _drive(self, make, *, resumed: bool) -> None:  # type: ignore[no-untyped-def]
        def work() -> object:
            job = make()
            with self._lock:
                self._jobs[job.job_id] = job
            self.bridge(JobStarted(job.job_id, resumed))
            # "job N" in the log is what the job window's Log tab looks for.
            log.info(
                "job %d %s from the desktop app", job.job_id, "resumed" if resumed else "started"
            )
            executor = QtExecutor(max_workers=job.spec.workers, background=self.background)
            try:
                status = job.run(executor)
                log.info("job %d finished: %s", job.job_id, status)
                return status
            finally:
                executor.shutdown(wait=True)
                with self._lock:
                    self._jobs.pop(job.job_id, None)

        run_in_pool(work, None, self._failed, pool=driver_pool())

    def _failed(self, title: str, message: str) -> None:
        if "passphrase" in message.lower():
            self.keeper.forget()
        self.failed.emit(title, message)

    def replay(self, job_id: int) -> list[object]:
        """The progress events seen so far for ``job_id`` in this session, in order."""
        return [*self._progress.get(job_id, []), *self._items.get(job_id, {}).values()]

    def _dispatch(self, ev: object) -> None:
        if isinstance(ev, JobProgress):
            self._progress.setdefault(ev.job_id, []).append(ev)
        elif isinstance(ev, ItemProgress):
            self._items.setdefault(ev.job_id, {})[ev.key] = ev
        if isinstance(ev, JobStarted):  # a resume starts a new curve (its clock restarts)
            self._progress.pop(ev.job_id, None)
            self._items.pop(ev.job_id, None)
            self.started.emit(ev)
        else:
            if isinstance(ev, JobFinished):
                with self._lock:
                    self._jobs.pop(ev.job_id, None)
            self.event.emit(ev)
