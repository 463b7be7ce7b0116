"""audit log; connection origin; job pid

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("os_user", sa.String(200)),
        sa.Column("host", sa.String(200)),
        sa.Column("action", sa.String(60), nullable=False, index=True),
        sa.Column("connection", sa.String(200)),
        sa.Column("object", sa.Text),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    with op.batch_alter_table("connections") as batch:
        batch.add_column(sa.Column("origin", sa.String(20), nullable=False, server_default="user"))
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("pid", sa.Integer))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("pid")
    with op.batch_alter_table("connections") as batch:
        batch.drop_column("origin")
    op.drop_table("audit_log")
