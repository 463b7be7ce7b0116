"""Profile and sample jobs in the job worker process (``worker.py`` describes the process and
its protocol; exports run there too).

Requests: ``{"action": "profile", "connection": NAME, "table": "schema.table", "mode":
"auto"}`` and ``{"action": "sample", "spec": SampleSpec.to_config()}``. The job's events go
out as for an export (``core/jobs/progress.py`` makes them) — ``started`` (with the job's
kind), ``item`` (the step each table or column is in), ``progress`` (tables or steps done,
rows read), ``finished``, then ``result`` (the profile's JSON, or the masked sample rows as
Arrow IPC in base64 with the outcome) before the process ends. ``cancel`` on stdin stops
the job between steps and cancels the statement running on the server where the source can.
"""

from __future__ import annotations

import base64
import threading
import time
import traceback
from dataclasses import replace
from typing import IO, Any

from dte_desktop.core.errors import Cancelled, DteError
from dte_desktop.core.jobs.events import JobFinished, JobProgress, JobResult, JobStarted
from dte_desktop.core.jobs.stoppable import Canceller
from dte_desktop.core.logs import get_logger

log = get_logger("jobs.worker")
STEP_ACTIONS = ("profile", "sample")
HEARTBEAT_S = 1.0


class OneJob:
    """The event sink of one job: passes its own events on (a sample's export runs as a job
    of its own, whose events stay in the worker) and remembers the job's id. While a step
    runs one long statement, its last progress goes out again every ``HEARTBEAT_S`` with the
    time moved on, so the app shows the job alive where nothing else can be said."""

    def __init__(self, writer: Any, kind: str) -> None:
        self.writer, self.kind = writer, kind
        self.job_id: int | None = None
        self.finished = False
        self._last: tuple[JobProgress, float] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def __call__(self, ev: object) -> None:
        job_id = getattr(ev, "job_id", None)
        if isinstance(ev, JobStarted) and self.job_id is None:
            self.job_id = job_id
            ev = replace(ev, kind=self.kind)  # the app tells a profile from an export
        elif job_id != self.job_id:
            return
        self.finished = self.finished or isinstance(ev, JobFinished)
        with self._lock:
            if isinstance(ev, JobProgress):
                self._last = (ev, time.monotonic())
            elif isinstance(ev, JobFinished):
                self._last = None
            self.writer(ev)

    def beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_S):
            with self._lock:
                if self._last is None:
                    continue
                ev, at = self._last
                now = time.monotonic()
                if now - at >= HEARTBEAT_S:
                    self.writer(replace(ev, elapsed_s=ev.elapsed_s + now - at, rows_per_s=0.0))

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            self._last = None


def arrow_b64(table: Any) -> str:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as out:
        out.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode("ascii")


def arrow_from_b64(text: str) -> Any:
    import pyarrow as pa

    return pa.ipc.open_stream(pa.py_buffer(base64.b64decode(text))).read_all()


def _profile(ctx: Any, request: dict[str, Any], sink: OneJob, canceller: Canceller) -> dict:
    from dte_desktop.core.profiling.job import profile_one
    from dte_desktop.core.sources.names import parse_table

    result = profile_one(
        ctx,
        str(request["connection"]),
        parse_table(str(request["table"])),
        str(request.get("mode") or "auto"),
        on_event=sink,
        canceller=canceller,
    )
    return {"profile": result.data, "report_path": result.report_path}


def _sample(ctx: Any, request: dict[str, Any], sink: OneJob, canceller: Canceller) -> dict:
    from dte_desktop.core.sampling import SampleSpec, run_sample

    spec = SampleSpec.from_config(request["spec"])
    outcome = run_sample(
        ctx, spec, on_event=sink, should_stop=canceller.is_set, on_cancellable=canceller.reach
    )
    data = outcome.to_json()
    data.pop("rows", None)  # the rows travel as Arrow, with their types
    if outcome.rows is not None:
        data["arrow"] = arrow_b64(outcome.rows)
    return data


def _finished(ctx: Any, sink: OneJob) -> None:
    """The job's end, where core did not send it (a failure on the way out)."""
    if sink.job_id is None or sink.finished:  # no job recorded yet, or already said
        return
    job = ctx.store.get_job(sink.job_id)
    sink(JobFinished(sink.job_id, str(job.status), dict(job.summary or {})))


def watch(stream: IO[str], canceller: Canceller) -> None:
    for line in stream:
        if line.strip() == "cancel" and canceller.cancel():
            log.info("cancel requested by the desktop app")
    canceller.cancel()  # end of input: the app closed or died


def run_step_job(ctx: Any, request: dict[str, Any], writer: Any, stdin: IO[str]) -> int:
    canceller = Canceller()
    sink = OneJob(writer, request["action"])
    threading.Thread(target=watch, args=(stdin, canceller), daemon=True).start()
    action = request["action"]
    run = _profile if action == "profile" else _sample
    threading.Thread(target=sink.beat, name="dte-heartbeat", daemon=True).start()
    try:
        data = run(ctx, request, sink, canceller)
    except Cancelled:
        sink.stop()
        log.info("%s job %s cancelled", action, sink.job_id)
        _finished(ctx, sink)
        return 3
    except Exception as exc:
        sink.stop()
        if isinstance(exc, DteError):
            writer.error(exc.title, str(exc), type(exc).__name__)
        else:
            log.error("%s job failed: %s\n%s", action, exc, traceback.format_exc())
            writer.error("Unexpected error", str(exc))
        _finished(ctx, sink)
        return 1
    sink.stop()
    if sink.job_id is not None:
        sink(JobResult(sink.job_id, action, data))
    log.info("%s job %s finished", action, sink.job_id)
    _finished(ctx, sink)
    return 0
