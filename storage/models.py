"""The tables. Changing one means writing an Alembic migration in ``storage/migrations``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Document(Base):
    """One document as govwatch last read it, identified by ``doc_key`` across all crawls."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_source_checked", "source_id", "checked_at"),
        # The dashboard's filters, newest first (migration 0008).
        Index("ix_documents_kind_published", "kind", "published_at"),
        Index("ix_documents_province_published", "province_code", "published_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    doc_key: Mapped[str] = mapped_column(String(512), unique=True)
    source_id: Mapped[str] = mapped_column(String(120), index=True)
    province_code: Mapped[str] = mapped_column(String(6), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    url: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    doc_number: Mapped[str | None] = mapped_column(String(120))
    publisher: Mapped[str | None] = mapped_column(String(200))
    doc_type: Mapped[str | None] = mapped_column(String(40))
    site_name: Mapped[str | None] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text, default="")
    content_hash: Mapped[str] = mapped_column(String(64))
    listing_fingerprint: Mapped[str | None] = mapped_column(String(64))
    encoding: Mapped[str | None] = mapped_column(String(32))
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    first_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    last_changed_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | gone
    # When the page was last fetched again to see whether its body changed (the re-check
    # rotation); None until the first re-check.
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)

    hits: Mapped[list[DocumentHit]] = relationship(
        back_populates="document", cascade="all, delete-orphan", lazy="selectin"
    )
    notice: Mapped[ProcurementNotice | None] = relationship(
        back_populates="document", cascade="all, delete-orphan", lazy="selectin"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="document", cascade="all, delete-orphan", lazy="selectin"
    )


class DocumentHit(Base):
    """What one topic found in one document."""

    __tablename__ = "document_hits"
    __table_args__ = (
        UniqueConstraint("document_id", "topic"),
        Index("ix_document_hits_topic_document", "topic", "document_id"),  # 0008
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(64), index=True)
    count: Mapped[int] = mapped_column(Integer)
    keywords: Mapped[dict[str, int]] = mapped_column(JSON)
    snippets: Mapped[list[str]] = mapped_column(JSON)
    technologies: Mapped[list[str]] = mapped_column(JSON)
    scenarios: Mapped[list[str]] = mapped_column(JSON)

    document: Mapped[Document] = relationship(back_populates="hits")


class ListPage(Base):
    """A list page as last read: its validators, for a conditional request next time, and a
    hash of its items, so an unchanged list costs no per-document work."""

    __tablename__ = "list_pages"

    source_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    url: Mapped[str] = mapped_column(String(1000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(200))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    items_hash: Mapped[str | None] = mapped_column(String(64))
    items: Mapped[int] = mapped_column(Integer, default=0)
    checked_at: Mapped[datetime] = mapped_column(DateTime)


class CrawlRun(Base):
    """One crawl of one source: what it fetched, found and failed on."""

    __tablename__ = "crawl_runs"
    # A source's last good run, for the dashboard's sources page (0008).
    __table_args__ = (Index("ix_crawl_runs_source_status", "source_id", "status", "finished_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(120), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    errors: Mapped[list[CrawlError]] = relationship(
        back_populates="run", cascade="all, delete-orphan", lazy="selectin"
    )


class CrawlError(Base):
    """A page a run could not get or could not use (after retries), and why."""

    __tablename__ = "crawl_errors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)

    run: Mapped[CrawlRun] = relationship(back_populates="errors")


class ProcurementNotice(Base):
    """The structured fields of a procurement notice (tender, award, change, termination)."""

    __tablename__ = "procurement_notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), unique=True
    )
    notice_type: Mapped[str] = mapped_column(String(16), index=True)
    project_number: Mapped[str | None] = mapped_column(String(200))
    project_name: Mapped[str | None] = mapped_column(Text)
    buyer: Mapped[str | None] = mapped_column(String(300))
    agency: Mapped[str | None] = mapped_column(String(300))
    region: Mapped[str | None] = mapped_column(String(120))
    announced_on: Mapped[date | None] = mapped_column(Date)
    budget_yuan: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    total_award_yuan: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)

    document: Mapped[Document] = relationship(back_populates="notice")
    lots: Mapped[list[BidLot]] = relationship(
        back_populates="notice",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="BidLot.id",
    )


class BidLot(Base):
    """One 标包 of an award: who won it and for how much (or at what rate)."""

    __tablename__ = "bid_lots"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(
        ForeignKey("procurement_notices.id", ondelete="CASCADE"), index=True
    )
    lot: Mapped[str] = mapped_column(String(60))
    lot_name: Mapped[str | None] = mapped_column(Text)
    supplier: Mapped[str | None] = mapped_column(String(300), index=True)
    supplier_address: Mapped[str | None] = mapped_column(Text)
    amount_yuan: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    amount_raw: Mapped[str | None] = mapped_column(Text)
    amount_kind: Mapped[str | None] = mapped_column(String(16))
    rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 6))

    notice: Mapped[ProcurementNotice] = relationship(back_populates="lots")


class Attachment(Base):
    """A file linked from a document, and the text read from it (or why none was)."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("document_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    url: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    truncated: Mapped[bool] = mapped_column(Boolean, default=False)
    hit_count: Mapped[int] = mapped_column(Integer, default=0)

    document: Mapped[Document] = relationship(back_populates="attachments")


class DocumentVersion(Base):
    """What a document said at one point: written when it is first seen and when it changes."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    hit_summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    body_text: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class Alert(Base):
    """Something to tell people, once: a new or updated matching document, or a source's health.

    ``idempotency_key`` is derived from what the alert is about (event, topic, document and
    version), so no crash or retry can create it twice, and receivers can drop duplicates.
    """

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(32), index=True)
    topic: Mapped[str | None] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"), index=True
    )
    source_id: Mapped[str] = mapped_column(String(120), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="alert", cascade="all, delete-orphan", lazy="selectin"
    )


class Delivery(Base):
    """The outbox: one row per alert and channel, worked off by the notifier.

    pending → sending (leased) → delivered, or → failed (retried with backoff) → dead.
    """

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("alert_id", "channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(120), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime)
    delivery_id: Mapped[str | None] = mapped_column(String(40))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    alert: Mapped[Alert] = relationship(back_populates="deliveries")


class SourceHealth(Base):
    """A source's recent runs in short: the state alerts are raised and cleared on."""

    __tablename__ = "source_health"

    source_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # ok | failing | blocked | empty
    failures_in_a_row: Mapped[int] = mapped_column(Integer, default=0)
    last_ok_items: Mapped[int] = mapped_column(Integer, default=0)
    alerted_state: Mapped[str | None] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)
    since: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class PendingHealthEvent(Base):
    """A source's health event waiting to be alerted together with others of its kind.

    ``DocumentStore.record_health`` writes one row per event, in the transaction that updates
    the source's health; ``DocumentStore.flush_health_events`` turns the rows of one event kind
    into one alert naming all their sources, and deletes them, in one transaction.
    """

    __tablename__ = "pending_health_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(32), index=True)
    source_id: Mapped[str] = mapped_column(String(120))
    since: Mapped[datetime] = mapped_column(DateTime)
    health: Mapped[dict[str, Any]] = mapped_column(JSON)  # the source's HealthView
    created_at: Mapped[datetime] = mapped_column(DateTime)


class LiveCheck(Base):
    """What ``govwatch sources check`` last found of a source on the live web.

    ``last_ok_at`` is when a check last read items from the source (None: never); a failing
    check leaves it as it was, so a user sees both the failure and the last good reading.
    """

    __tablename__ = "source_checks"

    source_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str | None] = mapped_column(Text)
    items: Mapped[int] = mapped_column(Integer, default=0)
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_ok_items: Mapped[int] = mapped_column(Integer, default=0)
