"""Running an export: plan → items on a worker pool → read → (mask) → write ``.part`` →
fsync → reconcile the row count with the source → rename → record → manifest.

The pool is handed in (``ThreadPoolExecutor`` in the CLI, a QThreadPool adapter in the GUI).
A finished item is durable and a resume skips it; transient errors retry with backoff,
permanent ones are recorded and the other items go on; cancellation is checked between
batches and never leaves a ``.part`` file or reports a partial file as done.
"""

from __future__ import annotations

import contextlib
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, wait
from dataclasses import replace
from pathlib import Path
from threading import Event
from typing import Any

import pyarrow as pa

from dte_desktop.core.errors import (
    Cancelled,
    ConnectionFailed,
    DteError,
    ExportFailed,
    ServerUnreachable,
    SnapshotLost,
    TransientError,
)
from dte_desktop.core.export.manifest import (
    MANIFEST,
    sha256_file,
    write_manifest,
)
from dte_desktop.core.export.spec import ExportSpec
from dte_desktop.core.export.target import FOLDER_LOCK, clear_target
from dte_desktop.core.export.writers import open_writer
from dte_desktop.core.filelock import FileLock, LockBusy
from dte_desktop.core.jobs.checkpoints import disk_error, done_checkpoint, restore_finished
from dte_desktop.core.jobs.column_facts import ColumnFacts
from dte_desktop.core.jobs.events import (
    EventSink,
    ItemProgress,
    JobFinished,
    JobProgress,
    RateMeter,
    Throttle,
)
from dte_desktop.core.jobs.export_end import (
    estimate_rows,
    export_manifest,
    export_summary,
    finished_files,
)
from dte_desktop.core.jobs.job_end import end_export, final_status
from dte_desktop.core.jobs.planner import ExportPlanner, WorkItem
from dte_desktop.core.jobs.prefetch import Prefetch
from dte_desktop.core.jobs.resume_check import ResumeCheck, check_finished
from dte_desktop.core.jobs.retry import Outage, waiting_note
from dte_desktop.core.jobs.slice_count import SliceCount
from dte_desktop.core.jobs.snapshot_keeper import SnapshotKeeper
from dte_desktop.core.logs import get_logger, redact
from dte_desktop.core.privacy.kcheck import TableKCheck
from dte_desktop.core.privacy.masked_types import type_change_notes
from dte_desktop.core.sources.base import SelectSpec, Source
from dte_desktop.core.store import ItemStatus, JobStatus, Store

log = get_logger("jobs.export")
Masker = Callable[[WorkItem, pa.RecordBatch], tuple[pa.RecordBatch, dict[str, str]]]


class ExportJob:
    def __init__(
        self,
        store: Store,
        spec: ExportSpec,
        open_source: Callable[[], Source],
        *,
        job_id: int | None = None,
        masker: Masker | None = None,
        on_event: EventSink | None = None,
        db_user: str | None = None,
    ) -> None:
        self.store = store
        if job_id is None:  # stored absolute: a resume from another folder writes here too
            spec = replace(spec, out_dir=str(ExportPlanner.out_dir(spec)))
        self.spec = spec.validate()
        self.open_source = open_source
        self.masker = masker
        self.on_event = on_event or (lambda _e: None)
        self.cancel_event = Event()
        self.job_id = (
            job_id
            if job_id is not None
            else store.create_job(
                "export", self.spec.to_config(), connection=spec.connection, db_user=db_user
            )
        )
        self.out_dir = ExportPlanner.out_dir(self.spec)
        self._throttle = Throttle(0.25)
        self._meter = RateMeter()
        self._schemas: dict[str, pa.Schema] = {}
        self._masked: dict[str, dict[str, str]] = {}
        self._snapshot: str | None = None  # the first shared snapshot (see _keeper)
        self._keeper: SnapshotKeeper | None = None
        self._outage = Outage(self.spec.outage_wait_s)  # refusals in a row, job-wide
        self._marker: str | None = None  # where a resume's change check starts from
        self._resumed = False
        self._resume_check: ResumeCheck | None = None
        self.policy_info: dict[str, Any] | None = None  # set by whoever builds the masker
        self.k_checks: dict[str, TableKCheck] = {}  # the policy's min_k, per table label
        self._type_notes: dict[str, dict[str, str]] = {}
        self._rows_total: int | None = None  # the catalog's estimate, for progress
        self._masked_types: dict[str, dict[str, str]] = {}  # how masking changed a type
        self._facts = ColumnFacts()  # NOT NULL and notes from the catalog, for the manifest
        self._cancel_file = store.path.with_name("cancel") / str(self.job_id)

    def cancel(self) -> None:
        self.cancel_event.set()

    def cancelled(self) -> bool:
        """Set here, or asked for by another process (``dte jobs cancel``)."""
        if (
            not self.cancel_event.is_set()
            and self._throttle.ready("__cancel__")
            and self._cancel_file.exists()
        ):
            self.cancel_event.set()
        return self.cancel_event.is_set()

    # -- planning ------------------------------------------------------------------
    def _items(self, source: Source) -> list[WorkItem]:
        stored = self.store.list_items(self.job_id)
        if stored:  # a resume: the slices planned the first time
            items = [WorkItem.from_checkpoint(i.key, i.checkpoint["item"]) for i in stored]
        else:
            items = ExportPlanner(self.spec, source).plan()
            self.store.add_items(self.job_id, [i.key for i in items])
            for it in items:
                self.store.update_item(self.job_id, it.key, checkpoint={"item": it.to_checkpoint()})
        for label, table in {i.label: i.table for i in items if i.table}.items():
            try:  # read again on a resume too: the manifest keeps its notes
                cols = source.describe(table)
            except ConnectionFailed:  # the server does not answer: once is enough to say so
                raise
            except DteError:  # a missing table fails as its own item, with the error kept
                continue
            notes = {c.name: c.type_note for c in cols if c.type_note}
            if notes:
                self._type_notes[label] = notes
        restore_finished(stored, self._masked, self._schemas)
        self._rows_total = estimate_rows(source, items)
        return items

    # -- running -------------------------------------------------------------------
    def run(self, executor: Executor) -> JobStatus:
        """One writer per folder and per job, across processes: two exports into one folder
        (or two resumes of one job) shared ``.part`` names and corrupted each other."""
        self.store.lock_job(self.job_id)  # LockBusy: another process runs it; leave it be
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return self._fail_job(disk_error(exc, self.out_dir))
        folder = FileLock(
            self.out_dir / FOLDER_LOCK, what=f"The export folder {self.out_dir}", remove=True
        )
        try:
            folder.acquire()
        except LockBusy as exc:  # another job writes there: this one touched nothing
            return self._fail_job(exc)
        except OSError as exc:  # a read-only or full folder fails here, before any row
            return self._fail_job(disk_error(exc, self.out_dir))
        try:
            if not self.store.list_items(self.job_id):  # a new job, not a resume
                try:  # under the lock: nobody writes there while the old export goes
                    removed = clear_target(self.out_dir, self.spec.overwrite)
                except OSError as exc:
                    return self._fail_job(disk_error(exc, self.out_dir))
                except DteError as exc:
                    return self._fail_job(exc)
                if removed:
                    log.info("export %d: removed the previous export's %d file(s) from %s",
                             self.job_id, len(removed), self.out_dir)  # fmt: skip
            return self._run_locked(executor)
        finally:
            folder.release()

    def _run_locked(self, executor: Executor) -> JobStatus:
        self.store.set_job_status(self.job_id, JobStatus.RUNNING)
        started = time.monotonic()
        try:
            source = self.open_source()
            with contextlib.ExitStack() as stack:
                stack.callback(source.close)
                items = self._items(source)
                stored = {i.key: i for i in self.store.list_items(self.job_id)}
                done = [
                    (i, stored[i.key]) for i in items if stored[i.key].status == ItemStatus.DONE
                ]
                self._resumed = bool(done)
                self._cancel_file.unlink(missing_ok=True)
                if len(done) < len(items) or self._resumed:
                    if source.capabilities.can_share_snapshot and len(items) > 1:
                        self._keeper = SnapshotKeeper(source)
                        stack.callback(self._keeper.close)
                        self._snapshot = self._keeper.start()
                    marker = getattr(source, "change_marker", None)
                    self._marker = marker(self._snapshot) if marker is not None else None
                if self._resumed:  # keep only what is proven (or counted) unchanged
                    self._resume_check = check_finished(source, done, self.select_for)
                    for key in self._resume_check.redone:
                        self.store.update_item(self.job_id, key, status=ItemStatus.PENDING)
                kept = set(self._resume_check.kept) if self._resume_check else set()
                for key in kept if self._keeper is not None else ():  # proven in the first
                    self._keeper.read(key, self._snapshot)
                todo = [i for i in items if i.key not in kept]
                futures = [executor.submit(self._run_item, it, len(items)) for it in todo]
                wait(futures)
                for f in futures:
                    f.result()  # _run_item records its own errors; this surfaces bugs
        except DteError as exc:
            return self._fail_job(exc)
        return self._finish(items, started)

    def _fail_job(self, exc: DteError) -> JobStatus:
        self.store.add_error(
            self.job_id, type=type(exc).__name__, message=str(exc), traceback=traceback.format_exc()
        )
        status = end_export(self, JobStatus.FAILED, {"error": str(exc)})
        self.on_event(JobFinished(self.job_id, status, {"error": str(exc)}))
        return status

    def _run_item(self, item: WorkItem, total: int) -> None:
        # The history counts every try of the slice (``attempt``); the retry budget is this
        # run's own (``tries``): a resume after a failure must not start with none left.
        # A server that refuses connections (a restart) is waited for with longer pauses
        # that spend no tries; a lost shared snapshot is replaced (core/jobs/retry.py,
        # snapshot_keeper.py).
        before = next(i.attempts for i in self.store.list_items(self.job_id) if i.key == item.key)
        tries, free, refused = 0, 0, 0
        while True:
            tries += 1
            attempt = before + tries + free
            if self.cancel_event.is_set():
                self.store.update_item(self.job_id, item.key, status=ItemStatus.CANCELLED)
                return
            self.store.update_item(
                self.job_id, item.key, status=ItemStatus.RUNNING, attempts=attempt, rows=0, bytes=0
            )
            snapshot = None
            try:
                snapshot = self._keeper.current() if self._keeper else None
                self._export_item(item, attempt, total, snapshot)
                return
            except Cancelled:
                self.store.update_item(self.job_id, item.key, status=ItemStatus.CANCELLED)
                self._emit_item(item, "cancelled", 0, 0, attempt)
                return
            except ServerUnreachable as exc:
                refused += 1
                pause = self._outage.pause(refused)
                if pause is not None:
                    tries, free = tries - 1, free + 1  # waiting out a restart spends no try
                    note = waiting_note(refused, pause)
                    log.warning("%s: %s; %s", item.key, exc, note)
                    self._record_error(item, exc, retrying=True)
                    self._emit_item(item, "waiting", 0, 0, attempt, note=note)
                    self.cancel_event.wait(pause)
                    continue
                self._record_error(item, exc)
            except SnapshotLost as exc:
                if self._keeper is not None and free < 20:  # a new snapshot, at once
                    tries, free = tries - 1, free + 1
                    self._keeper.lost(snapshot, str(exc))
                    self._record_error(item, exc, retrying=True)
                    continue
                self._record_error(item, exc)
            except TransientError as exc:
                if tries < self.spec.max_attempts:
                    delay = min(0.5 * 2 ** (tries - 1), 10.0)
                    log.warning(
                        "%s: %s; retrying in %.1f s (attempt %d of %d)",
                        item.key,
                        exc,
                        delay,
                        tries + 1,
                        self.spec.max_attempts,
                    )
                    self._record_error(item, exc, retrying=True)
                    self.cancel_event.wait(delay)  # a cancel cuts the wait short
                    continue  # the loop top records a cancellation before retrying
                self._record_error(item, exc)
            except DteError as exc:
                self._record_error(item, exc)
            except Exception as exc:  # a bug or an unmapped driver error: keep the job going
                self._record_error(item, ExportFailed(f"Unexpected error: {redact(exc)}"))
            self.store.update_item(self.job_id, item.key, status=ItemStatus.FAILED)
            self._emit_item(item, "failed", 0, 0, attempt)
            return

    def _record_error(self, item: WorkItem, exc: DteError, retrying: bool = False) -> None:
        self.store.add_error(
            self.job_id,
            type=type(exc).__name__,
            message=str(exc),
            item_key=item.key,
            traceback=traceback.format_exc(),
            context={
                "table": item.label,
                "slice": item.partition.description if item.partition else "all rows",
                "retrying": retrying,
            },
        )

    def select_for(self, item: WorkItem, snapshot: str | None = None) -> SelectSpec:
        """How ``item`` is read, in ``snapshot`` (default: the first shared one)."""
        snapshot = snapshot or self._snapshot
        if item.query is not None:
            return SelectSpec(query=item.query.sql, snapshot=snapshot)
        return SelectSpec(
            table=item.table,
            columns=item.columns,
            partition=item.partition,
            where=self.spec.where,
            snapshot=snapshot,
        )

    def _batches(
        self, source: Source, item: WorkItem, snapshot: str | None
    ) -> Iterator[pa.RecordBatch]:
        select = self.select_for(item, snapshot)
        for batch in Prefetch(lambda: source.read_batches(select, self.spec.batch_rows)):
            self._outage.ended()
            if self.cancelled():
                raise Cancelled
            if self.masker is not None:
                raw_schema = batch.schema
                batch, applied = self.masker(item, batch)
                self._masked[item.label] = applied
                if item.label not in self._masked_types:
                    self._masked_types[item.label] = type_change_notes(raw_schema, applied)
                if (check := self.k_checks.get(item.label)) is not None:
                    batch = check.filter(item.key, batch)
            yield batch

    def _export_item(self, item: WorkItem, attempt: int, total: int, snapshot: str | None) -> None:
        final = self.out_dir / item.out_path
        part = final.with_name(final.name + ".part")
        writer = None
        source = self.open_source()
        started = time.monotonic()
        counted = None
        try:
            counted = SliceCount(source, self.select_for(item, snapshot))
            final.parent.mkdir(parents=True, exist_ok=True)
            part.unlink(missing_ok=True)
            rows = 0
            check = self.k_checks.get(item.label)
            if check is not None:
                check.written_out[item.key] = 0  # this attempt's suppressed rows
            for batch in self._batches(source, item, snapshot):
                if writer is None:
                    writer = open_writer(self.spec.format, part, batch.schema, self.spec.options)
                    self._schemas.setdefault(item.label, batch.schema)
                    self._facts.learn(source, item.label, item.table, batch.schema)
                self._facts.saw(item.label, batch)
                writer.write(batch)
                rows += batch.num_rows
                size = part.stat().st_size
                if self._throttle.ready(item.key):
                    self.store.update_item(self.job_id, item.key, rows=rows, bytes=size)
                    self._emit_item(item, "running", rows, size, attempt, started)
                    self._emit_job(item.key, rows, size, total)
            if writer is None:  # no rows: still a valid, empty file with the right columns
                schema = self._empty_schema(source, item)
                writer = open_writer(self.spec.format, part, schema, self.spec.options)
                self._schemas.setdefault(item.label, schema)
            writer.close()
            expected = counted.result()
            expected -= check.written_out[item.key] if check is not None else 0
            if expected != rows:
                raise ExportFailed(
                    f"{item.key}: wrote {rows:,} rows but the source counts "
                    f"{expected:,} for the same slice."
                )
            digest, size = sha256_file(part), part.stat().st_size
            part.replace(final)
        except OSError as exc:
            self._discard(writer, part)
            raise disk_error(exc, part) from None
        except BaseException:
            self._discard(writer, part)
            raise
        finally:
            source.close()
            if counted is not None:
                counted.close()
        self.store.update_item(
            self.job_id,
            item.key,
            status=ItemStatus.DONE,
            rows=rows,
            bytes=size,
            output_path=str(final),
            checksum=digest,
            checkpoint=done_checkpoint(
                item,
                marker=self._marker,
                masking=self._masked.get(item.label) if self.masker is not None else None,
                schema=self._schemas.get(item.label),
            ),
        )
        if self._keeper is not None:
            self._keeper.read(item.key, snapshot)
        self._emit_item(item, "done", rows, size, attempt, started)
        self._emit_job(item.key, rows, size, total)

    def _empty_schema(self, source: Source, item: WorkItem) -> pa.Schema:
        if item.table is not None:
            cols = source.describe(item.table)
            wanted = set(item.columns) if item.columns else None
            return pa.schema(
                [pa.field(c.name, c.arrow_type) for c in cols if wanted is None or c.name in wanted]
            )
        return pa.schema([])

    @staticmethod
    def _discard(writer: Any, part: Path) -> None:
        if writer is not None:
            writer.abort()
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)

    def _emit_item(
        self,
        item: WorkItem,
        status: str,
        rows: int,
        size: int,
        attempt: int,
        started: float | None = None,
        note: str = "",
    ) -> None:
        rate = rows / max(time.monotonic() - started, 1e-6) if started else 0.0
        self.on_event(ItemProgress(self.job_id, item.key, status, rows, size, rate, attempt, note))

    def _emit_job(self, key: str, rows: int, size: int, total: int) -> None:
        all_rows, all_bytes, elapsed, rate, byte_rate = self._meter.update(key, rows, size)
        if not self._throttle.ready("__job__"):
            return
        done = sum(1 for i in self.store.list_items(self.job_id) if i.status == ItemStatus.DONE)
        self.on_event(
            JobProgress(
                self.job_id, all_rows, all_bytes, rate, byte_rate, done, total, elapsed,
                self._rows_total,
            )
        )  # fmt: skip

    # -- the end (core/jobs/export_end.py) -----------------------------------------------
    def _finish(self, items: list[WorkItem], started: float) -> JobStatus:
        stored = {i.key: i for i in self.store.list_items(self.job_id)}
        done = [stored[i.key] for i in items if stored[i.key].status == ItemStatus.DONE]
        failed = [k for k, i in stored.items() if i.status == ItemStatus.FAILED]
        status = final_status(total=len(items), done=len(done), failed=len(failed),
                              cancelled=self.cancel_event.is_set())  # fmt: skip
        files = finished_files(items, done)
        summary = export_summary(self, items, files, len(failed), started)
        if files:
            try:  # whole or not at all (a full disk leaves no manifest.json.part)
                write_manifest(self.out_dir, export_manifest(self, files, status))
            except OSError as exc:
                return self._fail_job(disk_error(exc, self.out_dir / MANIFEST))
        status = end_export(self, status, summary)  # with its audit record, atomically
        self.on_event(JobFinished(self.job_id, status, summary))
        return status

    def risk_summary(self) -> dict[str, dict[str, Any]]:
        """The min_k check of each table, for the manifest and the audit record."""
        info = self.policy_info or {}
        return {label: check.to_json(info.get("min_k", 0), info.get("below_min_k", "stop"))
                for label, check in self.k_checks.items()}  # fmt: skip
