"""initial: connections, jobs, job items and errors

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("connection", sa.String(200)),
        sa.Column("status", sa.String(30), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("os_user", sa.String(200)),
        sa.Column("db_user", sa.String(200)),
        sa.Column("config", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON, nullable=False),
    )
    op.create_table(
        "job_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_id", sa.Integer, sa.ForeignKey("jobs.id", ondelete="CASCADE")),
        sa.Column("key", sa.String(500), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("bytes", sa.Integer, nullable=False),
        sa.Column("output_path", sa.Text),
        sa.Column("checksum", sa.String(64)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("checkpoint", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_job_items_job_key", "job_items", ["job_id", "key"], unique=True)
    op.create_table(
        "job_errors",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_id", sa.Integer, sa.ForeignKey("jobs.id", ondelete="CASCADE")),
        sa.Column("item_key", sa.String(500)),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("type", sa.String(200), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("traceback", sa.Text),
        sa.Column("context", sa.JSON, nullable=False),
    )
    op.create_index("ix_job_errors_job_id", "job_errors", ["job_id"])


def downgrade() -> None:
    op.drop_table("job_errors")
    op.drop_table("job_items")
    op.drop_table("jobs")
    op.drop_table("connections")
