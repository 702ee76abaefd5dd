"""Full-text search over stored documents: SQLite FTS5 or PostgreSQL full-text, one interface.

Chinese has no spaces between words, and neither backend segments it. So each document's
title, body and attachment texts are cut into *terms* here, the same way for both backends:
every Chinese character and every pair of neighbouring Chinese characters (区块链 → 区 块 链
区块 块链), and every run of Latin letters and digits, lower-cased, whole (5G → 5g). A
document's distinct terms are stored once (the ``document_search`` FTS5 table in SQLite; a
``tsvector`` column with a GIN index in PostgreSQL), written in the transaction that stores
the document (``DocumentStore.save_many``).

A query matches the documents that hold all of its terms: for Chinese, every pair of
neighbouring characters of the query (a single character alone), so 区块链 finds the texts
that contain 区块 and 块链. Positions are not kept (a 30,000-character report would outgrow
PostgreSQL's position limit), so the pairs may in rare cases stand apart in the text.

The search tables are backend-specific: created by migration 0008 and left out of the
comparison of models and schema (:func:`is_backend_specific`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    literal_column,
    select,
    text,
)
from sqlalchemy.orm import Session

from storage.models import Document

SEARCH_TABLE = "document_search"
NEWEST_INDEX = "ix_documents_newest"  # PostgreSQL: newest first with undated documents last
# PostgreSQL: the same order within one kind, within one province (the list's filters), so a
# filtered page reads its 20 rows off an index instead of walking the whole list for them.
NEWEST_BY_INDEXES = {
    "ix_documents_newest_kind": "kind",
    "ix_documents_newest_province": "province_code",
}
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")
# A query longer than this is cut: a search box is for words, not for pasted documents.
MAX_QUERY_CHARS = 100


def is_backend_specific(name: str | None, type_: str) -> bool:
    """Whether a schema object is one of search's own (not in the models): FTS5's tables
    and their shadow tables, PostgreSQL's search table and the newest-first indexes."""
    if name is None:
        return False
    return (
        name in (SEARCH_TABLE, NEWEST_INDEX)
        or name in NEWEST_BY_INDEXES
        or name.startswith(f"{SEARCH_TABLE}_")
    )


def document_terms(*texts: str | None) -> str:
    """The distinct search terms of a document's texts, space-separated (see the module)."""
    terms: dict[str, None] = {}
    for part in texts:
        if not part:
            continue
        for run in _RUNS.findall(part.casefold()):
            if _IS_CJK.match(run):
                terms.update(dict.fromkeys(run))
                terms.update(dict.fromkeys(run[i : i + 2] for i in range(len(run) - 1)))
            else:
                terms[run] = None
    return " ".join(terms)


def query_terms(query: str) -> list[str]:
    """The terms a document must hold to match ``query``; empty when it has none."""
    terms: dict[str, None] = {}
    for run in _RUNS.findall(query[:MAX_QUERY_CHARS].casefold()):
        if _IS_CJK.match(run) and len(run) > 1:
            terms.update(dict.fromkeys(run[i : i + 2] for i in range(len(run) - 1)))
        else:
            terms[run] = None
    return list(terms)


def index_document(session: Session | Connection, document_id: int, terms: str) -> None:
    """Store (or replace) one document's search terms, in the caller's transaction."""
    bind = session.get_bind() if isinstance(session, Session) else session
    if bind.dialect.name == "sqlite":
        session.execute(_SQLITE_DELETE, {"id": document_id})
        session.execute(_SQLITE_INSERT, {"id": document_id, "terms": terms})
    else:
        session.execute(_POSTGRES_UPSERT, {"id": document_id, "terms": terms})


def index_many(connection: Connection, rows: Iterable[tuple[int, str]]) -> None:
    """Store the terms of many documents (the migration's backfill)."""
    for document_id, terms in rows:
        index_document(connection, document_id, terms)


def matching(dialect: str, query: str) -> ColumnElement[bool] | None:
    """A condition on ``Document.id`` for the documents matching ``query`` (None: no terms)."""
    terms = query_terms(query)
    if not terms:
        return None
    found: Select[Any]
    if dialect == "sqlite":
        expression = " AND ".join(f'"{term}"' for term in terms)
        found = (
            select(literal_column("rowid"))
            .select_from(text(SEARCH_TABLE))
            .where(text(f"{SEARCH_TABLE} MATCH :fts_query").bindparams(fts_query=expression))
        )
    else:
        expression = " & ".join(f"'{term}'" for term in terms)
        found = (
            select(literal_column("document_id"))
            .select_from(text(SEARCH_TABLE))
            .where(
                text("terms @@ to_tsquery('simple', :fts_query)").bindparams(
                    bindparam("fts_query", expression)
                )
            )
        )
    return Document.id.in_(found)


_SQLITE_DELETE = text(f"DELETE FROM {SEARCH_TABLE} WHERE rowid = :id")
_SQLITE_INSERT = text(f"INSERT INTO {SEARCH_TABLE} (rowid, terms) VALUES (:id, :terms)")
_POSTGRES_UPSERT = text(
    f"INSERT INTO {SEARCH_TABLE} (document_id, terms) "
    "VALUES (:id, to_tsvector('simple', :terms)) "
    "ON CONFLICT (document_id) DO UPDATE SET terms = excluded.terms"
)
