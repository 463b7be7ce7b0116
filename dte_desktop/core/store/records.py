"""Plain records the repository hands out: callers never see ORM objects or sessions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETE = "complete"
    COMPLETE_WITH_ERRORS = "complete_with_errors"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # found running at start-up: resumable

    @property
    def finished(self) -> bool:
        return self in _FINISHED

    @property
    def resumable(self) -> bool:
        return self in _RESUMABLE


_FINISHED = {
    JobStatus.COMPLETE,
    JobStatus.COMPLETE_WITH_ERRORS,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
    JobStatus.INTERRUPTED,
}
_RESUMABLE = {
    JobStatus.INTERRUPTED,
    JobStatus.FAILED,
    JobStatus.CANCELLED,
    JobStatus.COMPLETE_WITH_ERRORS,
}


class ItemStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Connection:
    id: int
    name: str
    kind: str
    url: str  # without a password, always
    options: dict[str, Any] = field(default_factory=dict)
    origin: str = "user"  # user | site | builtin

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "url": self.url,
            "origin": self.origin,
            "options": self.options,
        }


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    connection: str | None
    status: JobStatus
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    os_user: str | None
    db_user: str | None
    config: dict[str, Any]
    summary: dict[str, Any]
    pid: int | None = None


@dataclass(frozen=True)
class JobItem:
    id: int
    job_id: int
    key: str
    status: ItemStatus
    rows: int
    bytes: int
    output_path: str | None
    checksum: str | None
    attempts: int
    checkpoint: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True)
class JobError:
    id: int
    job_id: int
    item_key: str | None
    at: datetime
    type: str
    message: str
    traceback: str | None
    context: dict[str, Any]
