"""column classifications

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("connection", sa.String(200), nullable=False),
        sa.Column("schema_name", sa.Text, nullable=False),
        sa.Column("table", sa.Text, nullable=False),
        sa.Column("column", sa.Text, nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("pii_type", sa.String(40)),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(200)),
    )
    op.create_index(
        "ix_classifications_key",
        "classifications",
        ["connection", "schema_name", "table", "column"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_table("classifications")
