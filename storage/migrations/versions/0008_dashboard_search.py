"""The dashboard: full-text search over documents and the indexes its pages read by.

SQLite gets an FTS5 table ``document_search`` (rowid = document id) and a trigger that drops a
deleted document's row; PostgreSQL a ``document_search`` table of ``tsvector`` terms with a
GIN index, and indexes that list documents newest first with undated ones last: all of them,
and those of one kind or of one province (the list's order, which the plain (kind,
published_at) indexes cannot give because of NULLS LAST). The terms
of the documents already stored are written here (see storage/search.py for what a term is).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.search import (
    NEWEST_BY_INDEXES,
    NEWEST_INDEX,
    SEARCH_TABLE,
    document_terms,
    index_many,
)

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
_BATCH = 500


def upgrade() -> None:
    # Each object only when missing: a database set back to an older revision by hand (as
    # tests do) comes through the upgrade again.
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for name, table, columns in _INDEXES:
        if name not in {index["name"] for index in inspector.get_indexes(table)}:
            op.create_index(name, table, columns)
    if bind.dialect.name != "sqlite":
        for name, first in ((NEWEST_INDEX, ""), *((n, f"{c}, ") for n, c in _NEWEST_BY)):
            op.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON documents "
                f"({first}published_at DESC NULLS LAST, id DESC)"
            )
    if SEARCH_TABLE in inspector.get_table_names():
        return
    if bind.dialect.name == "sqlite":
        op.execute(f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5(terms)")
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_forget AFTER DELETE ON documents "
            f"BEGIN DELETE FROM {SEARCH_TABLE} WHERE rowid = old.id; END"
        )
    else:
        op.execute(
            f"CREATE TABLE {SEARCH_TABLE} (document_id INTEGER PRIMARY KEY "
            "REFERENCES documents (id) ON DELETE CASCADE, terms TSVECTOR NOT NULL)"
        )
        op.execute(f"CREATE INDEX {SEARCH_TABLE}_terms ON {SEARCH_TABLE} USING gin (terms)")
    _backfill(bind)


_NEWEST_BY = tuple(NEWEST_BY_INDEXES.items())
_INDEXES = (
    ("ix_documents_kind_published", "documents", ["kind", "published_at"]),
    ("ix_documents_province_published", "documents", ["province_code", "published_at"]),
    ("ix_document_hits_topic_document", "document_hits", ["topic", "document_id"]),
    ("ix_crawl_runs_source_status", "crawl_runs", ["source_id", "status", "finished_at"]),
)


def _backfill(bind: sa.Connection) -> None:
    """Write the terms of every stored document, a batch at a time."""
    last = 0
    while True:
        ids = list(
            bind.execute(
                sa.text("SELECT id FROM documents WHERE id > :last ORDER BY id LIMIT :n"),
                {"last": last, "n": _BATCH},
            ).scalars()
        )
        if not ids:
            return
        rows = []
        for document_id in ids:
            title, body = bind.execute(
                sa.text("SELECT title, body_text FROM documents WHERE id = :id"),
                {"id": document_id},
            ).one()
            attached = bind.execute(
                sa.text("SELECT text FROM attachments WHERE document_id = :id"),
                {"id": document_id},
            ).scalars()
            rows.append((document_id, document_terms(title, body, *attached)))
        index_many(bind, rows)
        last = ids[-1]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_forget")
        op.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
    else:
        for name in (NEWEST_INDEX, *NEWEST_BY_INDEXES):
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
    for name, table, _ in reversed(_INDEXES):
        op.drop_index(name, table)
