"""The repository: the only code that opens ORM sessions on the history database."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from dte_desktop.core.errors import ConfigError, HistoryUnwritable, NotFound, ReadOnly
from dte_desktop.core.logs import get_logger, redact, redact_mapping
from dte_desktop.core.paths import AppPaths, app_paths
from dte_desktop.core.store.audit_rows import AuditRows
from dte_desktop.core.store.classification_rows import ClassificationRows
from dte_desktop.core.store.db import make_engine, migrate
from dte_desktop.core.store.job_locks import JobLocks
from dte_desktop.core.store.models import (
    ConnectionRow,
    JobErrorRow,
    JobItemRow,
    JobRow,
)
from dte_desktop.core.store.profile_rows import ProfileRows
from dte_desktop.core.store.records import (
    Connection,
    ItemStatus,
    Job,
    JobError,
    JobItem,
    JobStatus,
)
from dte_desktop.core.urls import display_url as password_free_url
from dte_desktop.core.urls import parse_url, public_ref

log = get_logger("store")


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


class Store(AuditRows, ProfileRows, ClassificationRows, JobLocks):
    """History of connections, jobs, items, errors (and the audit table, via core.audit)."""

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(cls, paths: AppPaths | None = None, *, recover: bool = True) -> Store:
        """Open (creating and migrating as needed) the history database."""
        paths = (paths or app_paths()).ensure()
        engine = make_engine(paths.history_db)
        migrate(engine, paths.history_db)
        store = cls(engine, paths.history_db)
        if recover:
            store.mark_interrupted()
        return store

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        try:
            with self._sessions.begin() as s:
                yield s
        except OperationalError as exc:
            text = str(getattr(exc, "orig", exc)).lower()
            if "disk is full" in text or "disk i/o error" in text:
                raise HistoryUnwritable(
                    f"The history {self.path} cannot be written: the disk is full. What was "
                    "being recorded is not; a job that was running is found interrupted at "
                    "the next start and can be resumed once there is room."
                ) from None
            raise

    # -- connections ---------------------------------------------------------------
    def list_connections(self) -> list[Connection]:
        with self.session() as s:
            rows = s.scalars(select(ConnectionRow).order_by(ConnectionRow.name)).all()
            return [_conn(r) for r in rows]

    def get_connection(self, name: str) -> Connection:
        with self.session() as s:
            row = s.scalar(select(ConnectionRow).where(ConnectionRow.name == name))
            if row is None:
                raise NotFound(f"No connection named {name!r}.")
            return _conn(row)

    def save_connection(
        self,
        name: str,
        url: str,
        *,
        kind: str | None = None,
        options: dict[str, Any] | None = None,
        origin: str = "user",
    ) -> Connection:
        """Insert or update by name. A password in ``url`` is dropped, never stored. A site
        or builtin row is changed only by its own origin (IT's preset refreshed at start-up),
        never by a user's save under the same name."""
        name = name.strip()
        if not name:
            raise ConfigError("A connection needs a name.")
        clean = password_free_url(url)
        kind = kind or parse_url(clean).get_backend_name()
        now = _now()
        with self.session() as s:
            row = s.scalar(select(ConnectionRow).where(ConnectionRow.name == name))
            if row is None:
                row = ConnectionRow(name=name, created_at=now)
                s.add(row)
            else:
                _check_writable(row, origin, "changed")
            row.kind, row.url, row.origin = kind, clean, origin
            row.options = redact_mapping(options or {})
            row.updated_at = now
            s.flush()
            return _conn(row)

    def remove_connection(self, name: str, *, origin: str = "user") -> None:
        with self.session() as s:
            row = s.scalar(select(ConnectionRow).where(ConnectionRow.name == name))
            if row is None:
                raise NotFound(f"No connection named {name!r}.")
            _check_writable(row, origin, "removed")
            s.execute(delete(ConnectionRow).where(ConnectionRow.name == name))

    # -- jobs ------------------------------------------------------------------------
    def create_job(
        self,
        kind: str,
        config: dict[str, Any],
        *,
        connection: str | None = None,
        db_user: str | None = None,
        status: JobStatus = JobStatus.QUEUED,
    ) -> int:
        # The last guard before disk: a password in a connection URL is never stored.
        connection = None if connection is None else public_ref(connection)
        if isinstance(config.get("connection"), str):
            config = {**config, "connection": public_ref(config["connection"])}
        with self.session() as s:
            row = JobRow(
                kind=kind,
                connection=connection,
                status=str(status),
                created_at=_now(),
                os_user=os_user(),
                db_user=db_user,
                config=redact_mapping(config),
                summary={},
            )
            s.add(row)
            s.flush()
            return row.id

    def set_job_status(
        self, job_id: int, status: JobStatus, *, summary: dict[str, Any] | None = None
    ) -> None:
        """``running`` takes the job's lock for this process first (``LockBusy`` when another
        process runs it); a finished status lets go of it once written."""
        write = self.job_status_writer(job_id, status, summary=summary)
        with self.session() as s:
            write(s)
        if status.finished:
            self.unlock_job(job_id)

    def job_status_writer(
        self, job_id: int, status: JobStatus, *, summary: dict[str, Any] | None = None
    ) -> Callable[[Session], None]:
        """The status change as a step of someone's transaction (the audit record of a
        finished export goes with it); the caller lets go of a finished job's lock after."""
        values: dict[str, Any] = {"status": str(status)}
        now = _now()
        if status == JobStatus.RUNNING:
            self.lock_job(job_id)
            values.update(started_at=now, finished_at=None, pid=os.getpid())
        elif status.finished:
            values.update(finished_at=now, pid=None)
        if summary is not None:
            values["summary"] = redact_mapping(summary)

        def write(s: Session) -> None:
            res = s.execute(update(JobRow).where(JobRow.id == job_id).values(**values))
            if res.rowcount == 0:
                raise NotFound(f"No job {job_id}.")

        return write

    def get_job(self, job_id: int) -> Job:
        with self.session() as s:
            row = s.get(JobRow, job_id)
            if row is None:
                raise NotFound(f"No job {job_id}.")
            return _job(row)

    def list_jobs(
        self, *, status: str | None = None, kind: str | None = None, limit: int = 200
    ) -> list[Job]:
        q = select(JobRow).order_by(JobRow.id.desc()).limit(limit)
        if status:
            q = q.where(JobRow.status == status)
        if kind:
            q = q.where(JobRow.kind == kind)
        with self.session() as s:
            return [_job(r) for r in s.scalars(q).all()]

    def mark_interrupted(self) -> list[int]:
        """Jobs left ``running`` by a process that is gone become ``interrupted``: its pid is
        dead, or nobody holds the job's lock (the pid may have been reused)."""
        with self.session() as s:
            rows = s.scalars(select(JobRow).where(JobRow.status == JobStatus.RUNNING)).all()
            dead = [r for r in rows if not _pid_alive(r.pid) or not self.job_has_runner(r.id)]
            for r in dead:
                self.unlock_job(r.id)  # a pid we hold but wrote over: the row is the truth
                r.status = str(JobStatus.INTERRUPTED)
                r.pid = None
                r.finished_at = _now()
            s.execute(
                update(JobItemRow)
                .where(JobItemRow.job_id.in_([r.id for r in dead]))
                .where(JobItemRow.status == ItemStatus.RUNNING)
                .values(status=str(ItemStatus.PENDING))
            )
            ids = [r.id for r in dead]
        if ids:
            log.warning("jobs %s were running when their process ended: now interrupted", ids)
        return ids

    # -- items ---------------------------------------------------------------------
    def add_items(self, job_id: int, keys: Sequence[str]) -> None:
        """Register items once; keys already present (a resumed job) are left as they are."""
        now = _now()
        with self.session() as s:
            existing = set(s.scalars(select(JobItemRow.key).where(JobItemRow.job_id == job_id)))
            for key in keys:
                if key not in existing:
                    s.add(
                        JobItemRow(
                            job_id=job_id,
                            key=key,
                            status=str(ItemStatus.PENDING),
                            rows=0,
                            bytes=0,
                            attempts=0,
                            checkpoint={},
                            updated_at=now,
                        )
                    )

    def update_item(self, job_id: int, key: str, **values: Any) -> None:
        """Progress and state of one item (status, rows, bytes, output_path, checksum,
        attempts, checkpoint). Callers throttle progress updates to a few a second."""
        allowed = {"status", "rows", "bytes", "output_path", "checksum", "attempts", "checkpoint"}
        unknown = set(values) - allowed
        if unknown:
            raise ValueError(f"unknown item fields: {sorted(unknown)}")
        if "status" in values:
            values["status"] = str(values["status"])
        values["updated_at"] = _now()
        with self.session() as s:
            res = s.execute(
                update(JobItemRow)
                .where(JobItemRow.job_id == job_id, JobItemRow.key == key)
                .values(**values)
            )
            if res.rowcount == 0:
                raise NotFound(f"No item {key!r} in job {job_id}.")

    def list_items(self, job_id: int) -> list[JobItem]:
        with self.session() as s:
            rows = s.scalars(
                select(JobItemRow).where(JobItemRow.job_id == job_id).order_by(JobItemRow.id)
            ).all()
            return [_item(r) for r in rows]

    # -- errors --------------------------------------------------------------------
    def add_error(
        self,
        job_id: int,
        *,
        type: str,
        message: str,
        item_key: str | None = None,
        traceback: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        with self.session() as s:
            s.add(
                JobErrorRow(
                    job_id=job_id,
                    item_key=item_key,
                    at=_now(),
                    type=type,
                    message=redact(message),
                    traceback=redact(traceback) if traceback else None,
                    context=redact_mapping(context or {}),
                )
            )

    def list_errors(self, job_id: int) -> list[JobError]:
        with self.session() as s:
            rows = s.scalars(
                select(JobErrorRow).where(JobErrorRow.job_id == job_id).order_by(JobErrorRow.id)
            ).all()
            return [
                JobError(
                    r.id,
                    r.job_id,
                    r.item_key,
                    r.at,
                    r.type,
                    r.message,
                    r.traceback,
                    r.context or {},
                )
                for r in rows
            ]


#: Who may change whose rows: IT's site presets over the builtin demo over the user's own.
ORIGIN_RANK = {"user": 0, "builtin": 1, "site": 2}


def _check_writable(row: ConnectionRow, origin: str, verb: str) -> None:
    """Site presets and the builtin demo belong to their origin; a row may be taken over
    only by an origin of at least its rank (IT's configuration wins a clash of names)."""
    current = row.origin or "user"
    if ORIGIN_RANK.get(origin, 0) < ORIGIN_RANK.get(current, 0):
        raise ReadOnly(
            f"{row.name!r} is provided by the {current} configuration and is read-only: "
            f"it cannot be {verb} here. Save your own connection under another name."
        )


def _conn(r: ConnectionRow) -> Connection:
    return Connection(r.id, r.name, r.kind, r.url, dict(r.options or {}), r.origin or "user")


def _job(r: JobRow) -> Job:
    return Job(
        r.id,
        r.kind,
        r.connection,
        JobStatus(r.status),
        r.created_at,
        r.started_at,
        r.finished_at,
        r.os_user,
        r.db_user,
        dict(r.config or {}),
        dict(r.summary or {}),
        r.pid,
    )


def _item(r: JobItemRow) -> JobItem:
    return JobItem(
        r.id,
        r.job_id,
        r.key,
        ItemStatus(r.status),
        r.rows,
        r.bytes,
        r.output_path,
        r.checksum,
        r.attempts,
        dict(r.checkpoint or {}),
        r.updated_at,
    )
