"""ORM access for profiles and data quality rules (mixed into ``Store``, like AuditRows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select

from dte_desktop.core.errors import NotFound
from dte_desktop.core.store.models import ProfileRow, ProfileRuleRow
from dte_desktop.core.urls import public_ref


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class RuleRecord:
    id: int
    connection: str
    table: str
    column: str | None
    kind: str
    params: dict[str, Any]
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "connection": self.connection,
            "table": self.table,
            "column": self.column,
            "kind": self.kind,
            "params": dict(self.params),
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class ProfileRecord:
    id: int
    job_id: int | None
    connection: str
    table: str
    mode: str
    created_at: datetime
    result: dict[str, Any]


def _rule(r: ProfileRuleRow) -> RuleRecord:
    return RuleRecord(r.id, r.connection, r.table, r.column, r.kind, dict(r.params or {}),
                      r.created_at)  # fmt: skip


def _profile(r: ProfileRow) -> ProfileRecord:
    return ProfileRecord(r.id, r.job_id, r.connection, r.table, r.mode, r.created_at,
                         dict(r.result or {}))  # fmt: skip


class ProfileRows:
    """Rules live with a connection's name and a table; profiles keep their full result."""

    def add_rule(
        self, connection: str, table: str, column: str | None, kind: str, params: dict[str, Any]
    ) -> RuleRecord:
        with self.session() as s:  # type: ignore[attr-defined]
            row = ProfileRuleRow(connection=connection, table=table, column=column, kind=kind,
                                 params=params, created_at=_now())  # fmt: skip
            s.add(row)
            s.flush()
            return _rule(row)

    def list_rules(self, connection: str, table: str | None = None) -> list[RuleRecord]:
        q = select(ProfileRuleRow).where(ProfileRuleRow.connection == connection)
        if table is not None:
            q = q.where(ProfileRuleRow.table == table)
        with self.session() as s:  # type: ignore[attr-defined]
            return [_rule(r) for r in s.scalars(q.order_by(ProfileRuleRow.id)).all()]

    def remove_rule(self, rule_id: int) -> None:
        with self.session() as s:  # type: ignore[attr-defined]
            res = s.execute(delete(ProfileRuleRow).where(ProfileRuleRow.id == rule_id))
            if res.rowcount == 0:
                raise NotFound(f"No rule {rule_id}.")

    def save_profile(
        self, job_id: int | None, connection: str, table: str, mode: str, result: dict[str, Any]
    ) -> int:
        with self.session() as s:  # type: ignore[attr-defined]
            row = ProfileRow(job_id=job_id, connection=public_ref(connection), table=table,
                             mode=mode, created_at=_now(), result=result)  # fmt: skip
            s.add(row)
            s.flush()
            return row.id

    def list_profiles(
        self, connection: str | None = None, table: str | None = None, limit: int = 100
    ) -> list[ProfileRecord]:
        q = select(ProfileRow).order_by(ProfileRow.id.desc()).limit(limit)
        if connection is not None:
            q = q.where(ProfileRow.connection == connection)
        if table is not None:
            q = q.where(ProfileRow.table == table)
        with self.session() as s:  # type: ignore[attr-defined]
            return [_profile(r) for r in s.scalars(q).all()]
