"""One job (export, profile, sample) in its own process (``core.jobs.worker``), seen from
the GUI.

``QProcess`` reads the worker's pipes in the GUI's event loop without a thread: each
readable chunk is split into JSON lines and turned back into the core's job events. See
the worker module for the protocol and why jobs run out of process.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QProcess, Signal

from dte_desktop.core.errors import WrongPassphrase, error_class
from dte_desktop.core.jobs.events import EVENT_TYPES, JobFinished, event_from_dict
from dte_desktop.core.jobs.worker import WORKER_ARG
from dte_desktop.core.logs import get_logger, redact
from dte_desktop.ui.workers import notices

log = get_logger("ui.jobs")
STDERR_TAIL = 4000


def worker_command() -> list[str]:
    """How to start a job worker: the ``dte`` executable beside the installed app, or this
    interpreter when running from source."""
    if getattr(sys, "frozen", False):
        # resolve(): started through a symlink (/usr/local/bin/dte-desktop), the CLI is
        # still found beside the real executable.
        exe = Path(sys.executable).resolve().with_name("dte.exe" if os.name == "nt" else "dte")
        return [str(exe), WORKER_ARG]
    return [sys.executable, "-m", "dte_desktop.core.jobs.worker"]


class JobProcess(QObject):
    event = Signal(object)  # a core job event, in the GUI thread
    failed = Signal(str, str)  # title, message: the job could not start or the worker died
    ended = Signal()  # the process is gone (after any event or failure it sent)

    def __init__(self, request: dict[str, Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.request = request
        action = str(request.get("action", "export"))
        self.kind = action if action in ("profile", "sample") else "export"
        self.job_id: int | None = None
        self.finished_event: JobFinished | None = None
        self.reported_failure = False
        self._buffer = b""
        self._stderr = b""
        self._cancel_asked = False
        self.proc = QProcess(self)
        self.proc.readyReadStandardOutput.connect(self._read_stdout)
        self.proc.readyReadStandardError.connect(self._read_stderr)
        self.proc.finished.connect(self._on_finished)
        self.proc.errorOccurred.connect(self._on_error)

    def start(self) -> None:
        program, *args = worker_command()
        self.proc.start(program, args)
        # The request (with the credential store's passphrase, if any) goes through the
        # pipe: a command line or environment would show it to other processes.
        self.proc.write((json.dumps(self.request) + "\n").encode("utf-8"))

    def cancel(self) -> None:
        """Ask the job to stop between batches; it ends as cancelled (resumable)."""
        if self.running() and not self._cancel_asked:
            self._cancel_asked = True
            self.proc.write(b"cancel\n")

    def kill(self) -> None:
        """The last resort when a cancelled worker does not stop (a driver stuck in a
        call): its job is left ``interrupted``, resumable."""
        log.warning("job worker for job %s did not stop; killing it", self.job_id)
        self.proc.kill()

    def running(self) -> bool:
        return self.proc.state() != QProcess.ProcessState.NotRunning

    def wait(self, ms: int) -> bool:
        return self.proc.waitForFinished(ms)

    def _read_stdout(self) -> None:
        self._buffer += bytes(self.proc.readAllStandardOutput().data())
        *lines, self._buffer = self._buffer.split(b"\n")
        for line in lines:
            if line.strip():
                self._handle(line)

    def _handle(self, line: bytes) -> None:
        try:
            data = json.loads(line)
            kind = data.get("event")
        except ValueError:
            log.warning("job worker wrote an unreadable line: %s", redact(line[:200]))
            return
        if kind == "log":
            logging.getLogger(str(data.get("name", "dte_desktop.jobs"))).log(
                int(data.get("level", logging.INFO)),
                "[worker %s] %s",
                self.proc.processId(),
                data.get("message", ""),
            )
        elif kind == "error":
            self.reported_failure = True
            if issubclass(error_class(str(data.get("error", ""))), WrongPassphrase):
                notices.passphrase_rejected.emit()
            title = str(data.get("title", self.kind.capitalize()))
            self.failed.emit(title, str(data.get("message", "")))
        elif kind in EVENT_TYPES:
            ev = event_from_dict(data)
            if isinstance(ev, JobFinished):
                self.finished_event = ev
            elif self.job_id is None:
                self.job_id = getattr(ev, "job_id", None)
            self.event.emit(ev)

    def _read_stderr(self) -> None:
        self._stderr = (self._stderr + bytes(self.proc.readAllStandardError().data()))[
            -STDERR_TAIL:
        ]

    def _on_error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.reported_failure = True
            self.failed.emit(
                f"{self.kind.capitalize()} could not start",
                f"The job worker could not be started ({' '.join(worker_command())}): "
                f"{self.proc.errorString()}",
            )
            self.ended.emit()

    def _on_finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._read_stdout()
        if self._buffer.strip():
            self._handle(self._buffer)
            self._buffer = b""
        if self.finished_event is None and not self.reported_failure:
            tail = redact(self._stderr.decode("utf-8", "replace")).strip()
            how = "crashed" if status == QProcess.ExitStatus.CrashExit else f"exit code {code}"
            log.error(
                "job worker for job %s ended without finishing (%s): %s", self.job_id, how, tail
            )
            self.reported_failure = True
            after = "The job can be resumed from the jobs list." if self.kind == "export" else ""
            self.failed.emit(
                f"{self.kind.capitalize()} stopped",
                f"The {self.kind}'s worker process ended unexpectedly ({how}). {after}"
                f"\n\n{tail[-1500:]}".strip(),
            )
        self.ended.emit()
