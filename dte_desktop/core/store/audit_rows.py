"""ORM access for the audit table (kept apart from the repository to stay small)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dte_desktop.core.store.models import AuditAnchorRow, AuditRow

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: str
    os_user: str | None
    host: str | None
    action: str
    connection: str | None
    object: str | None
    details: str  # canonical JSON
    prev_hash: str
    hash: str

    def content(self) -> dict[str, Any]:
        """What the hash covers: everything but the hash itself."""
        return {
            "id": self.id,
            "at": self.at,
            "os_user": self.os_user,
            "host": self.host,
            "action": self.action,
            "connection": self.connection,
            "object": self.object,
            "details": self.details,
            "prev_hash": self.prev_hash,
        }


def _record(r: AuditRow) -> AuditRecord:
    return AuditRecord(
        r.id,
        r.at,
        r.os_user,
        r.host,
        r.action,
        r.connection,
        r.object,
        r.details,
        r.prev_hash,
        r.hash,
    )


class AuditRows:
    """Mixed into ``Store``: append under the write lock, read in id order."""

    def audit_append(
        self,
        fields: dict[str, Any],
        seal: Callable[[dict[str, Any]], str],
        also: Callable[[Session], None] | None = None,
    ) -> tuple[AuditRecord, dict[str, Any]]:
        """Insert one record chained to the last one, and move the anchor to it, in one
        ``BEGIN IMMEDIATE`` transaction: two writers can never chain to the same parent, and
        the anchor never disagrees with the rows it describes. ``also`` writes what the record
        is about in the same transaction (a job's final status): both land or neither.
        Returns the record and what the head file should now say (written by the caller once
        this has committed)."""
        with self.session() as s:  # type: ignore[attr-defined]
            last = s.scalar(select(AuditRow).order_by(AuditRow.id.desc()).limit(1))
            prev = last.hash if last else GENESIS
            next_id = (last.id + 1) if last else 1
            row = AuditRow(id=next_id, prev_hash=prev, hash="", **fields)
            content = _record(row).content()
            row.hash = seal(content)
            s.add(row)
            anchor = s.get(AuditAnchorRow, 1)
            if anchor is not None:  # a deleted anchor is not re-made here: verify names it
                anchor.last_id, anchor.last_hash = row.id, row.hash
                if anchor.first_hash is None:
                    anchor.first_hash = row.hash
            if also is not None:
                also(s)
            s.flush()
            head = {
                "log_id": anchor.log_id if anchor is not None else None,
                "first_hash": anchor.first_hash if anchor is not None else None,
                "last_id": row.id,
                "last_hash": row.hash,
            }
            return _record(row), head

    def audit_anchor(self) -> dict[str, Any] | None:
        """The anchor row (None if it was deleted)."""
        with self.session() as s:  # type: ignore[attr-defined]
            a = s.get(AuditAnchorRow, 1)
            if a is None:
                return None
            return {
                "log_id": a.log_id,
                "first_hash": a.first_hash,
                "last_id": a.last_id,
                "last_hash": a.last_hash,
            }

    def audit_records(
        self, *, since: str | None = None, action: str | None = None, limit: int | None = None
    ) -> list[AuditRecord]:
        q = select(AuditRow).order_by(AuditRow.id)
        if since:
            q = q.where(AuditRow.at >= since)
        if action:
            q = q.where(AuditRow.action == action)
        if limit:
            q = q.limit(limit)
        with self.session() as s:  # type: ignore[attr-defined]
            return [_record(r) for r in s.scalars(q).all()]
