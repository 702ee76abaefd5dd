"""Record what ``govwatch sources check`` found of each source on the live web.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_checks",
        sa.Column("source_id", sa.String(120), primary_key=True),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("last_ok_at", sa.DateTime(), nullable=True),
        sa.Column("last_ok_items", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("source_checks")
