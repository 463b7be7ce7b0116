"""Runs one job (export, profile, sample) in its own process for the desktop app.

Why a process: converting driver rows to Arrow and writing files holds the GIL for tens of
milliseconds at a time; in the GUI's process that stalls the event loop (measured: p99
86 ms during a 5M-row export). A child process has its own interpreter, so the GUI only
parses a few progress lines a second.

Protocol, JSON lines (UTF-8):

- stdin, first line, the request: ``{"action": "export", "spec": {...}}``,
  ``{"action": "resume", "job_id": N}`` or ``{"action": "rerun", "job_id": N}`` (profile
  and sample requests: ``worker_steps``); optional
  ``"passphrase"`` (the credential store's, never a database password) and
  ``"background": true`` (lower this process's priority so the GUI keeps the CPU it needs),
  ``"credentials": {"file": PATH, "prefer": "auto"|"file"|"os"}`` (the credential store the
  app uses, so both processes read the same passwords and masking key).
- stdin, later: ``cancel``. End of input also cancels: the app is gone, and a cancelled job
  stays resumable.
- stdout: job events (``event_to_dict``), ``{"event": "log", ...}`` for each log record (the
  app writes them to its one log file), and ``{"event": "error", "title", "message"}`` when
  the job could not start. Nothing else is written to stdout.

Started as ``python -m dte_desktop.core.jobs.worker`` or, in the installed app, as
``dte _job-worker``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import traceback
from pathlib import Path
from typing import IO, Any, NoReturn

from dte_desktop.core.errors import ConfigError, DteError
from dte_desktop.core.jobs.events import JobStarted, event_to_dict
from dte_desktop.core.jobs.worker_steps import STEP_ACTIONS, run_step_job
from dte_desktop.core.logs import RedactionFilter, get_logger, redact, register_secret

log = get_logger("jobs.worker")
WORKER_ARG = "_job-worker"


class EventWriter:
    """One JSON object per line on the event stream, whole lines from any thread."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self._lock = threading.Lock()
        self.broken = False

    def send(self, data: dict[str, Any]) -> None:
        line = json.dumps(data, default=str, ensure_ascii=False)
        with self._lock:
            if self.broken:
                return
            try:
                self.stream.write(line + "\n")
                self.stream.flush()
            except (BrokenPipeError, OSError, ValueError):
                self.broken = True  # the app is gone; stdin's end will cancel the job

    def __call__(self, ev: object) -> None:
        self.send(event_to_dict(ev))

    def error(self, title: str, message: str, error: str = "DteError") -> None:
        """``error``: the class name (``errors.error_class`` reads it back), so the app
        acts on the kind of failure, never on words in its message."""
        self.send({"event": "error", "title": title, "message": redact(message), "error": error})


class ForwardingHandler(logging.Handler):
    """Log records go to the app as events, so one process writes the log file."""

    def __init__(self, writer: EventWriter) -> None:
        super().__init__()
        self.writer = writer
        self.setFormatter(logging.Formatter("%(message)s"))
        self.addFilter(RedactionFilter())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = self.format(record)
        except Exception:
            message = str(record.msg)
        self.writer.send(
            {
                "event": "log",
                "level": record.levelno,
                "name": record.name,
                "thread": record.threadName,
                "message": message,
            }
        )


def lower_priority() -> None:
    """Give way to the GUI on a busy machine; the job still uses every idle cycle."""
    try:
        if hasattr(os, "nice"):
            os.nice(10)
        elif sys.platform == "win32":
            import ctypes

            below_normal = 0x4000
            kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), below_normal)
    except OSError:
        pass


def prepare(ctx: Any, request: dict[str, Any], writer: EventWriter) -> tuple[Any, bool]:
    """The job the request names, ready to run, and whether it is a resume."""
    from dte_desktop.core.export.spec import ExportSpec
    from dte_desktop.core.jobs.service import prepare_export, resume_export

    action = request.get("action")
    if action == "export":
        return prepare_export(ctx, ExportSpec.from_config(request["spec"]), on_event=writer), False
    if action == "resume":
        return resume_export(ctx, int(request["job_id"]), on_event=writer), True
    if action == "rerun":
        from dataclasses import replace

        spec = ExportSpec.from_config(ctx.store.get_job(int(request["job_id"])).config)
        # Re-running a job replaces its own export in its folder (only what the manifest lists).
        return prepare_export(ctx, replace(spec, overwrite=True), on_event=writer), False
    raise ConfigError(f"Unknown job request: {action!r}")


def watch_input(stream: IO[str], job: Any) -> None:
    for line in stream:
        if line.strip() == "cancel":
            log.info("job %d: cancel requested by the desktop app", job.job_id)
            job.cancel()
    job.cancel()  # end of input: the app closed or died


def claim_stdout() -> IO[str]:
    """The event stream is the real stdout; anything else printed goes to stderr."""
    fd = os.dup(sys.stdout.fileno())
    stream = open(fd, "w", encoding="utf-8", newline="\n", buffering=1)  # noqa: SIM115
    sys.stdout = sys.stderr
    return stream


def main(stdin: IO[str] | None = None, stdout: IO[str] | None = None) -> int:
    stdin = stdin or sys.stdin
    writer = EventWriter(stdout or claim_stdout())
    try:
        request = json.loads(stdin.readline() or "{}")
    except ValueError:
        writer.error("Job request", "The job worker received an unreadable request.")
        return 2
    phrase = request.pop("passphrase", None)
    if phrase:
        register_secret(phrase)
    if request.get("background"):
        lower_priority()

    root = logging.getLogger("dte_desktop")
    root.addHandler(ForwardingHandler(writer))
    from dte_desktop.core.app import bootstrap
    from dte_desktop.core.jobs.service import finish_export, run

    ctx = None
    try:
        # Without one from the app, the store falls back to DTE_MASTER_PASSPHRASE itself.
        ctx = bootstrap(log_file=False, passphrase=(lambda: phrase) if phrase else None)
        where = request.get("credentials")
        if where:
            ctx.use_credential_store(Path(where["file"]), where.get("prefer"))
        if request.get("action") in STEP_ACTIONS:
            try:
                return run_step_job(ctx, request, writer, stdin)
            finally:
                ctx.close()
        job, resumed = prepare(ctx, request, writer)
    except Exception as exc:
        if isinstance(exc, DteError):
            writer.error(exc.title, str(exc), type(exc).__name__)
        else:
            log.error("job worker could not start the job: %s\n%s", exc, traceback.format_exc())
            writer.error("Unexpected error", str(exc))
        if ctx is not None:
            ctx.close()
        return 2 if isinstance(exc, DteError) else 1
    try:
        writer(JobStarted(job.job_id, resumed))
        log.info("job %d %s from the desktop app", job.job_id, "resumed" if resumed else "started")
        threading.Thread(target=watch_input, args=(stdin, job), daemon=True).start()
        status = run(job)
        log.info("job %d finished: %s", job.job_id, status)
        try:
            finish_export(ctx, job, status)
        except DteError as exc:  # the export is done; the package could not be made
            writer.error(exc.title, f"The export finished but was not sealed: {exc}")
            return 1
        return 0
    finally:
        ctx.close()


def run_and_exit() -> NoReturn:
    """The process entry: ``main``, then out at once. Every event line was flushed as it
    was written and the history closed; what is left is the interpreter's teardown of
    pyarrow and the drivers, 1.5 s at low priority on a busy machine, which the app would
    otherwise wait out after a cancel (``multiprocessing`` ends its children the same way)."""
    code = main()
    for stream in (sys.stdout, sys.stderr, sys.__stdout__):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    run_and_exit()
