"""profiles and data quality rules

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "profile_rules",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("table", sa.Text, nullable=False),
        sa.Column("column", sa.Text),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    with op.batch_alter_table("profile_rules") as batch:
        batch.create_index("ix_profile_rules_conn_table", ["connection", "table"])
    op.create_table(
        "profiles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job_id", sa.Integer, sa.ForeignKey("jobs.id", ondelete="SET NULL")),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("table", sa.Text, nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("result", sa.JSON, nullable=False),
    )
    with op.batch_alter_table("profiles") as batch:
        batch.create_index("ix_profiles_conn_table", ["connection", "table"])


def downgrade() -> None:
    op.drop_table("profiles")
    op.drop_table("profile_rules")
