"""Read-only queries for the dashboard and its API: documents page by page, one document whole,
the sources' runs and health, the alert deliveries.

Like :mod:`storage.queries`, everything returns frozen dataclasses built inside the session.
The list is newest first (undated documents last) and reads by index: filters on indexed
columns, the topic through ``document_hits (topic, document_id)``, words through full-text
search (:mod:`storage.search`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select, text
from sqlalchemy.orm import Session, defer

from storage.database import Database
from storage.models import (
    Alert,
    Attachment,
    CrawlRun,
    Delivery,
    Document,
    DocumentHit,
    DocumentVersion,
    SourceHealth,
)
from storage.queries import StoredHit, StoredNotice, notice_of, stored_hits
from storage.search import matching

MAX_PER_PAGE = 100


@dataclass(frozen=True)
class DocumentFilter:
    """What the documents page and API narrow the list by; None means any."""

    topic: str | None = None
    province_code: str | None = None
    kind: str | None = None
    source_id: str | None = None
    since: date | None = None  # published on or after
    until: date | None = None  # published on or before
    query: str | None = None  # full-text search
    page: int = 1
    per_page: int = 20


@dataclass(frozen=True)
class DocumentSummary:
    """One line of the documents list."""

    id: int
    doc_key: str
    title: str | None
    url: str
    source_id: str
    province_code: str
    kind: str
    doc_type: str | None
    published_at: datetime | None
    first_seen_at: datetime
    last_changed_at: datetime
    version: int
    status: str
    hits: tuple[StoredHit, ...]


@dataclass(frozen=True)
class DocumentPage:
    items: list[DocumentSummary]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class AttachmentView:
    url: str
    name: str
    kind: str
    chars: int
    hit_count: int
    error: str | None
    truncated: bool
    text: str


@dataclass(frozen=True)
class VersionView:
    version: int
    recorded_at: datetime
    title: str | None
    published_at: datetime | None
    body_text: str
    hit_summary: dict[str, Any]


@dataclass(frozen=True)
class DeliveryView:
    """One alert delivery with what its alert is about."""

    id: int
    alert_id: int
    channel: str
    status: str
    attempts: int
    due_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    created_at: datetime
    event: str
    topic: str | None
    source_id: str
    document_id: int | None
    title: str | None


@dataclass(frozen=True)
class DocumentDetail:
    summary: DocumentSummary
    doc_number: str | None
    publisher: str | None
    site_name: str | None
    body_text: str
    last_seen_at: datetime
    notice: StoredNotice | None
    attachments: tuple[AttachmentView, ...]
    versions: tuple[VersionView, ...]  # oldest first
    deliveries: tuple[DeliveryView, ...]

    @property
    def text(self) -> str:
        """What the crawl matched the topics against: title, body and attachment texts."""
        parts = (self.summary.title, self.body_text, *(a.text for a in self.attachments))
        return "\n".join(part for part in parts if part)


@dataclass(frozen=True)
class SourceRuns:
    """What the database knows of a source's crawls: its health and its last runs."""

    source_id: str
    state: str | None = None  # ok | failing | blocked | empty; None: never crawled
    failures_in_a_row: int = 0
    last_ok_items: int = 0
    detail: str | None = None
    since: datetime | None = None
    last_run_at: datetime | None = None
    last_run_status: str | None = None
    last_success_at: datetime | None = None
    documents: int = 0


def list_documents(database: Database, wanted: DocumentFilter) -> DocumentPage:
    """One page of documents, newest first (undated last), with the total for paging."""
    per_page = max(1, min(wanted.per_page, MAX_PER_PAGE))
    page = max(1, wanted.page)
    dialect = database.engine.dialect.name
    with database.session() as session:
        query = _filtered(select(Document.id), wanted, dialect)
        if query is None:
            return DocumentPage([], 0, page, per_page)
        if wanted.query and dialect == "postgresql":
            # PostgreSQL cannot cost reading a document's terms one by one (they are stored
            # apart, TOASTed) and guesses a word's share of documents from statistics; for a
            # rare word it then walks the newest-first index testing each document's terms
            # (3.6 s for a word found nowhere, 100,000 documents). Without nested loops, for
            # this transaction only, it takes the GIN index's matches into a hash and reads
            # the newest-first index once: bounded by the number of documents (bench/dashboard).
            session.execute(text("SET LOCAL enable_nestloop = off"))
        total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
        newest = query.order_by(
            Document.published_at.desc().nulls_last(), Document.id.desc()
        ).limit(per_page)
        ids: list[int] = list(session.scalars(newest.offset((page - 1) * per_page)))
        items = _summaries(session, ids)
    return DocumentPage(items, total, page, per_page)


def _filtered(
    query: Select[tuple[int]], wanted: DocumentFilter, dialect: str
) -> Select[tuple[int]] | None:
    if wanted.topic is not None:
        mentioning = select(DocumentHit.document_id).where(DocumentHit.topic == wanted.topic)
        query = query.where(Document.id.in_(mentioning))
    if wanted.province_code is not None:
        query = query.where(Document.province_code == wanted.province_code)
    if wanted.kind is not None:
        query = query.where(Document.kind == wanted.kind)
    if wanted.source_id is not None:
        query = query.where(Document.source_id == wanted.source_id)
    if wanted.since is not None:
        query = query.where(Document.published_at >= datetime.combine(wanted.since, time.min))
    if wanted.until is not None:
        end = datetime.combine(wanted.until + timedelta(days=1), time.min)
        query = query.where(Document.published_at < end)
    if wanted.query and wanted.query.strip():
        condition = matching(dialect, wanted.query)
        if condition is None:
            return None  # nothing searchable in the words given: nothing found
        query = query.where(condition)
    return query


def _summaries(session: Session, ids: list[int]) -> list[DocumentSummary]:
    if not ids:
        return []
    found = select(Document).where(Document.id.in_(ids)).options(defer(Document.body_text))
    documents = {d.id: d for d in session.scalars(found)}
    return [_summary(documents[i]) for i in ids if i in documents]


def _summary(document: Document) -> DocumentSummary:
    return DocumentSummary(
        id=document.id,
        doc_key=document.doc_key,
        title=document.title,
        url=document.url,
        source_id=document.source_id,
        province_code=document.province_code,
        kind=document.kind,
        doc_type=document.doc_type,
        published_at=document.published_at,
        first_seen_at=document.first_seen_at,
        last_changed_at=document.last_changed_at,
        version=document.version,
        status=document.status,
        hits=stored_hits(document),
    )


def document_detail(database: Database, document_id: int) -> DocumentDetail | None:
    """A document with its notice, attachments, versions and the deliveries of its alerts."""
    with database.session() as session:
        document = session.get(Document, document_id)
        if document is None:
            return None
        versions = session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == document_id)
            .order_by(DocumentVersion.version)
        )
        deliveries = session.execute(
            _DELIVERIES.where(Alert.document_id == document_id).order_by(Delivery.id)
        )
        return DocumentDetail(
            summary=_summary(document),
            doc_number=document.doc_number,
            publisher=document.publisher,
            site_name=document.site_name,
            body_text=document.body_text or "",
            last_seen_at=document.last_seen_at,
            notice=notice_of(document),
            attachments=tuple(_attachment(a) for a in document.attachments),
            versions=tuple(
                VersionView(
                    version=v.version,
                    recorded_at=v.recorded_at,
                    title=v.title,
                    published_at=v.published_at,
                    body_text=v.body_text,
                    hit_summary=dict(v.hit_summary),
                )
                for v in versions
            ),
            deliveries=tuple(_delivery(d, a) for d, a in deliveries),
        )


def _attachment(attachment: Attachment) -> AttachmentView:
    return AttachmentView(
        url=attachment.url,
        name=attachment.name,
        kind=attachment.kind,
        chars=len(attachment.text or ""),
        hit_count=attachment.hit_count,
        error=attachment.error,
        truncated=attachment.truncated,
        text=attachment.text or "",
    )


_DELIVERIES = select(Delivery, Alert).join(Alert, Delivery.alert_id == Alert.id)


def _delivery(delivery: Delivery, alert: Alert) -> DeliveryView:
    document = alert.payload.get("document") if isinstance(alert.payload, dict) else None
    return DeliveryView(
        id=delivery.id,
        alert_id=alert.id,
        channel=delivery.channel,
        status=delivery.status,
        attempts=delivery.attempts,
        due_at=delivery.due_at,
        delivered_at=delivery.delivered_at,
        last_error=delivery.last_error,
        created_at=delivery.created_at,
        event=alert.event,
        topic=alert.topic,
        source_id=alert.source_id,
        document_id=alert.document_id,
        title=(document or {}).get("title"),
    )


def list_deliveries(
    database: Database, *, status: str | None = None, limit: int = 100
) -> list[DeliveryView]:
    """Deliveries, newest first, with what their alerts are about."""
    query = _DELIVERIES.order_by(Delivery.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Delivery.status == status)
    with database.session() as session:
        return [_delivery(d, a) for d, a in session.execute(query)]


def source_runs(database: Database) -> dict[str, SourceRuns]:
    """Per source crawled: its health, its last run and its last successful run."""
    with database.session() as session:
        health = {row.source_id: row for row in session.scalars(select(SourceHealth))}
        last_ok = dict(
            session.execute(
                select(CrawlRun.source_id, func.max(CrawlRun.finished_at))
                .where(CrawlRun.status == "ok", CrawlRun.finished_at.is_not(None))
                .group_by(CrawlRun.source_id)
            ).all()
        )
        newest = (
            select(CrawlRun.source_id, func.max(CrawlRun.id).label("run_id"))
            .where(CrawlRun.finished_at.is_not(None))
            .group_by(CrawlRun.source_id)
            .subquery()
        )
        last_runs = {
            source_id: (finished, status)
            for source_id, finished, status in session.execute(
                select(CrawlRun.source_id, CrawlRun.finished_at, CrawlRun.status).join(
                    newest, CrawlRun.id == newest.c.run_id
                )
            )
        }
        counts = dict(
            session.execute(
                select(Document.source_id, func.count()).group_by(Document.source_id)
            ).all()
        )
    views = {}
    for source_id in set(health) | set(last_runs) | set(counts):
        row = health.get(source_id)
        finished, status = last_runs.get(source_id, (None, None))
        views[source_id] = SourceRuns(
            source_id=source_id,
            state=row.state if row else None,
            failures_in_a_row=row.failures_in_a_row if row else 0,
            last_ok_items=row.last_ok_items if row else 0,
            detail=row.detail if row else None,
            since=row.since if row else None,
            last_run_at=finished,
            last_run_status=status,
            last_success_at=last_ok.get(source_id),
            documents=int(counts.get(source_id, 0)),
        )
    return views
