"""Procurement notices with their lots, and document attachments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
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
        "procurement_notices",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer(),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("notice_type", sa.String(16), nullable=False),
        sa.Column("project_number", sa.String(200), nullable=True),
        sa.Column("project_name", sa.Text(), nullable=True),
        sa.Column("buyer", sa.String(300), nullable=True),
        sa.Column("agency", sa.String(300), nullable=True),
        sa.Column("region", sa.String(120), nullable=True),
        sa.Column("announced_on", sa.Date(), nullable=True),
        sa.Column("budget_yuan", sa.Numeric(20, 2), nullable=True),
        sa.Column("total_award_yuan", sa.Numeric(20, 2), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.UniqueConstraint("document_id"),
    )
    op.create_index("ix_procurement_notices_notice_type", "procurement_notices", ["notice_type"])
    op.create_table(
        "bid_lots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "notice_id",
            sa.Integer(),
            sa.ForeignKey("procurement_notices.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("lot", sa.String(60), nullable=False),
        sa.Column("lot_name", sa.Text(), nullable=True),
        sa.Column("supplier", sa.String(300), nullable=True),
        sa.Column("supplier_address", sa.Text(), nullable=True),
        sa.Column("amount_yuan", sa.Numeric(20, 2), nullable=True),
        sa.Column("amount_raw", sa.Text(), nullable=True),
        sa.Column("amount_kind", sa.String(16), nullable=True),
        sa.Column("rate", sa.Numeric(12, 6), nullable=True),
    )
    op.create_index("ix_bid_lots_notice_id", "bid_lots", ["notice_id"])
    op.create_index("ix_bid_lots_supplier", "bid_lots", ["supplier"])
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "document_id",
            sa.Integer(),
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("truncated", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("document_id", "url"),
    )
    op.create_index("ix_attachments_document_id", "attachments", ["document_id"])


def downgrade() -> None:
    op.drop_table("attachments")
    op.drop_table("bid_lots")
    op.drop_table("procurement_notices")
