"""Starts, cancels, resumes and re-runs jobs for the GUI: exports, profiles, samples.

Each job runs in its own worker process (``JobProcess``; see ``core.jobs.worker`` for why);
its events arrive in the GUI thread as the same core event objects the CLI sees.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from dte_desktop.core.app import AppContext
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.jobs.events import ItemProgress, JobFinished, JobProgress, JobStarted
from dte_desktop.core.logs import get_logger
from dte_desktop.core.sampling.spec import SampleSpec
from dte_desktop.ui.job_process import JobProcess
from dte_desktop.ui.passphrase import PassphraseKeeper
from dte_desktop.ui.workers import run_in_pool

__all__ = ["JobManager", "JobStarted"]
log = get_logger("ui.jobs")
CLOSE_WAIT_MS = 15_000


class JobManager(QObject):
    started = Signal(object)  # JobStarted
    event = Signal(object)  # ItemProgress | JobProgress | JobFinished, in the GUI thread
    failed = Signal(str, str)
    idle = Signal()  # the last worker process ended

    def __init__(self, ctx: AppContext, keeper: PassphraseKeeper, parent: Any = None) -> None:
        super().__init__(parent)
        self.ctx, self.keeper = ctx, keeper
        self._procs: list[JobProcess] = []  # live worker processes, started or starting
        # What a job window opened mid-job needs to draw the curve and grid so far.
        self._progress: dict[int, list[JobProgress]] = {}
        self._items: dict[int, dict[str, ItemProgress]] = {}
        self.background = True  # workers run at a lower priority than the GUI

    def running(self) -> list[int]:
        return [p.job_id for p in self._procs if p.job_id is not None]

    def is_running(self, job_id: int) -> bool:
        return job_id in self.running()

    def busy(self) -> bool:
        """A job is running or still starting."""
        return bool(self._procs)

    def run_export(self, spec: ExportSpec) -> None:
        self._start({"action": "export", "spec": spec.to_config()})

    def resume(self, job_id: int) -> None:
        self._start({"action": "resume", "job_id": job_id})

    def rerun(self, job_id: int) -> None:
        """The same spec as a new job (the stored config never held a password)."""
        self._start({"action": "rerun", "job_id": job_id})

    def run_profile(self, connection: str, table: str, mode: str = "auto") -> JobProcess | None:
        """A profile job in a worker process; the caller connects to the process's
        ``event`` (``JobResult`` carries the profile), ``failed`` and ``ended``."""
        return self._start(
            {"action": "profile", "connection": connection, "table": table, "mode": mode}
        )

    def run_sample(self, spec: SampleSpec) -> JobProcess | None:
        return self._start({"action": "sample", "spec": spec.to_config()})

    def cancel(self, job_id: int) -> bool:
        procs = [p for p in self._procs if p.job_id == job_id]
        for p in procs:
            p.cancel()
        return bool(procs)

    def cancel_all(self) -> None:
        for p in list(self._procs):
            p.cancel()

    def stop_all(self, wait_ms: int = CLOSE_WAIT_MS) -> None:
        """Cancel every job without blocking; ``idle`` follows when the workers are gone.
        A worker that has not stopped after ``wait_ms`` is killed: its job is then left
        ``interrupted``, which resumes like a cancelled one (finished slices are kept)."""
        self.cancel_all()
        if self._procs:
            procs = list(self._procs)
            QTimer.singleShot(wait_ms, self, lambda: [p.kill() for p in procs if p.running()])

    def shutdown(self, wait_ms: int = CLOSE_WAIT_MS) -> None:
        """After the event loop has ended: cancel what is left and wait for it (blocking is
        harmless then; without it Qt would kill the workers mid-batch)."""
        self.cancel_all()
        for p in list(self._procs):
            if not p.wait(wait_ms):
                p.kill()

    def _start(self, request: dict[str, Any]) -> JobProcess | None:
        """None: the credential store stayed locked (the user cancelled the prompt)."""
        if not self.keeper.ensure():
            return None
        phrase = self.keeper()
        if phrase:
            request["passphrase"] = phrase
        store = self.ctx.credentials  # the worker opens the very store this window uses
        request["credentials"] = {"file": str(store.file_path), "prefer": store.prefer}
        request["background"] = self.background
        proc = JobProcess(request, self)
        proc.event.connect(self._dispatch)
        proc.failed.connect(lambda title, msg, p=proc: self._failed(p, title, msg))
        proc.ended.connect(lambda p=proc: self._ended(p))
        self._procs.append(proc)
        proc.start()
        return proc

    def _failed(self, proc: JobProcess, title: str, message: str) -> None:
        if proc.kind == "export":  # a profile or sample says it in its own tab
            self.failed.emit(title, message)

    def _ended(self, proc: JobProcess) -> None:
        if proc in self._procs:
            self._procs.remove(proc)
        proc.deleteLater()
        if proc.finished_event is not None:
            self.event.emit(proc.finished_event)  # now the job is no longer running
        elif proc.job_id is not None:
            job_id = proc.job_id

            def mark() -> object:  # the worker died: its job becomes interrupted, resumable
                self.ctx.store.mark_interrupted()
                return JobFinished(job_id, str(self.ctx.store.get_job(job_id).status))

            run_in_pool(mark, self.event.emit, lambda t, m: log.error("%s: %s", t, m))
        if not self._procs:
            self.idle.emit()

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
        elif not isinstance(ev, JobFinished):  # JobFinished waits for the process's end
            self.event.emit(ev)
