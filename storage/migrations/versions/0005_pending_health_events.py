"""Pending health events: grouped into one alert per event kind before they are alerted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_health_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("source_id", sa.String(120), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("health", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_pending_health_events_event", "pending_health_events", ["event"])


def downgrade() -> None:
    op.drop_table("pending_health_events")
