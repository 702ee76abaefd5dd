"""List pages' validators and item hashes; when each document's page was last re-checked.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
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
        "list_pages",
        sa.Column("source_id", sa.String(120), primary_key=True),
        sa.Column("url", sa.String(1000), primary_key=True),
        sa.Column("etag", sa.String(200), nullable=True),
        sa.Column("last_modified", sa.String(64), nullable=True),
        sa.Column("items_hash", sa.String(64), nullable=True),
        sa.Column("items", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
    )
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("checked_at", sa.DateTime(), nullable=True))
    op.create_index("ix_documents_source_checked", "documents", ["source_id", "checked_at"])


def downgrade() -> None:
    op.drop_index("ix_documents_source_checked", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("checked_at")
    op.drop_table("list_pages")
