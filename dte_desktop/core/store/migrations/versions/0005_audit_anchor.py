"""audit anchor: the chain's length and ends, kept beside the rows

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_anchor",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("log_id", sa.String(32), nullable=False),
        sa.Column("first_hash", sa.String(64)),
        sa.Column("last_id", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    # From now on this row exists in every history: a log can only be "empty" while it says
    # so. An existing chain is taken as it is (the head file still vouches for its end).
    conn = op.get_bind()
    first = conn.execute(sa.text("SELECT hash FROM audit_log ORDER BY id LIMIT 1")).scalar()
    last = conn.execute(
        sa.text("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
    ).fetchone()
    conn.execute(
        sa.text(
            "INSERT INTO audit_anchor (id, log_id, first_hash, last_id, last_hash) "
            "VALUES (1, :log_id, :first, :last_id, :last_hash)"
        ),
        {
            "log_id": uuid.uuid4().hex,
            "first": first,
            "last_id": last[0] if last else 0,
            "last_hash": last[1] if last else "0" * 64,
        },
    )


def downgrade() -> None:
    op.drop_table("audit_anchor")
