"""ORM models of the local history. Only ``core.store`` imports this module.

No column here ever holds a secret: connections keep a password-free URL, jobs keep a
redacted config.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ConnectionRow(Base):
    __tablename__ = "connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text)  # never with a password
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    origin: Mapped[str] = mapped_column(String(20), default="user")  # user | site | builtin
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # export | profile | sample | …
    connection: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(30), index=True)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    os_user: Mapped[str | None] = mapped_column(String(200))
    db_user: Mapped[str | None] = mapped_column(String(200))
    config: Mapped[dict] = mapped_column(JSON, default=dict)  # redacted
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    pid: Mapped[int | None] = mapped_column(Integer)


class JobItemRow(Base):
    __tablename__ = "job_items"
    __table_args__ = (Index("ix_job_items_job_key", "job_id", "key", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(500))  # stable id: table + slice
    status: Mapped[str] = mapped_column(String(30))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(Integer, default=0)
    output_path: Mapped[str | None] = mapped_column(Text)
    checksum: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    checkpoint: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


class JobErrorRow(Base):
    __tablename__ = "job_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime]
    type: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    traceback: Mapped[str | None] = mapped_column(Text)
    context: Mapped[dict] = mapped_column(JSON, default=dict)


class AuditRow(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(40))  # ISO-8601 UTC, part of the hashed content
    os_user: Mapped[str | None] = mapped_column(String(200))
    host: Mapped[str | None] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60), index=True)
    connection: Mapped[str | None] = mapped_column(String(200))
    object: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str] = mapped_column(Text)  # canonical JSON: columns, reason, rows, job…
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditAnchorRow(Base):
    """One row: the audit chain's identity, first and last record, updated in the same
    transaction as each record (see ``core.audit``)."""

    __tablename__ = "audit_anchor"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    log_id: Mapped[str] = mapped_column(String(32))
    first_hash: Mapped[str | None] = mapped_column(String(64))
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class ProfileRuleRow(Base):
    __tablename__ = "profile_rules"
    __table_args__ = (Index("ix_profile_rules_conn_table", "connection", "table"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection: Mapped[str] = mapped_column(String(200))
    table: Mapped[str] = mapped_column(Text)  # TableRef.display() form
    column: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))  # not_null | unique | range | regex | …
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class ProfileRow(Base):
    __tablename__ = "profiles"
    __table_args__ = (Index("ix_profiles_conn_table", "connection", "table"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    connection: Mapped[str] = mapped_column(String(200))
    table: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]
    result: Mapped[dict] = mapped_column(JSON, default=dict)  # TableProfile.to_json()


class ClassificationRow(Base):
    """A column's classification; ``column = "*"`` is a table default and ``table = "*"``
    a connection default. ``schema_name`` is "" where the engine has no schemas."""

    __tablename__ = "classifications"
    __table_args__ = (
        Index(
            "ix_classifications_key", "connection", "schema_name", "table", "column", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection: Mapped[str] = mapped_column(String(200))
    schema_name: Mapped[str] = mapped_column(Text)
    table: Mapped[str] = mapped_column(Text)
    column: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(20))
    pii_type: Mapped[str | None] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))  # manual | profiler | default
    updated_at: Mapped[datetime]
    updated_by: Mapped[str | None] = mapped_column(String(200))
