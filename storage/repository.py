"""Reading and writing documents and crawl runs. The only place that knows the tables."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.database import Database
from storage.models import (
    Attachment,
    BidLot,
    CrawlError,
    CrawlRun,
    Document,
    DocumentHit,
    ProcurementNotice,
)


class SaveOutcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass
class LotRecord:
    """One 标包 of an award notice."""

    lot: str
    supplier: str | None = None
    amount_yuan: Decimal | None = None
    amount_raw: str | None = None
    amount_kind: str | None = None
    rate: Decimal | None = None
    lot_name: str | None = None
    supplier_address: str | None = None


@dataclass
class NoticeRecord:
    """The structured fields of a procurement notice; ``details`` keeps everything parsed."""

    notice_type: str
    project_number: str | None = None
    project_name: str | None = None
    buyer: str | None = None
    agency: str | None = None
    region: str | None = None
    announced_on: date | None = None
    budget_yuan: Decimal | None = None
    total_award_yuan: Decimal | None = None
    lots: list[LotRecord] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class AttachmentRecord:
    """A linked file and the text read from it, or why none was."""

    url: str
    name: str
    kind: str
    text: str = ""
    error: str | None = None
    truncated: bool = False


@dataclass
class DocumentRecord:
    """A document as read by one crawl, ready to be stored."""

    doc_key: str
    source_id: str
    province_code: str
    kind: str
    url: str
    title: str | None
    published_at: datetime | None
    body_text: str
    doc_number: str | None = None
    publisher: str | None = None
    doc_type: str | None = None
    site_name: str | None = None
    encoding: str | None = None
    listing_fingerprint: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    hits: list[dict[str, Any]] = field(default_factory=list)
    notice: NoticeRecord | None = None
    attachments: list[AttachmentRecord] = field(default_factory=list)

    def content_hash(self) -> str:
        """Hash of what the document says (attachments included), blind to whitespace."""
        attached = "|".join(f"{a.url}:{a.text}" for a in self.attachments)
        normalised = re.sub(
            r"\s+",
            "",
            f"{self.title}|{self.published_at}|{self.doc_number}|{self.body_text}|{attached}",
        )
        return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


_RECORD_COLUMNS = (
    "source_id", "province_code", "kind", "url", "title", "published_at", "doc_number",
    "publisher", "doc_type", "site_name", "body_text", "encoding", "listing_fingerprint", "etag",
    "last_modified",
)  # fmt: skip


def listing_fingerprint(title: str | None, date: object) -> str:
    """What a list page says about a document; when it changes, the detail page is re-read."""
    return hashlib.sha1(f"{(title or '').strip()}|{date}".encode()).hexdigest()


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def _replace_notice_and_attachments(
    session: Session, document: Document, record: DocumentRecord
) -> None:
    if document.notice is not None or document.attachments:
        document.notice = None
        document.attachments.clear()
        session.flush()
    if record.notice is not None:
        notice = record.notice
        document.notice = ProcurementNotice(
            notice_type=notice.notice_type,
            project_number=notice.project_number,
            project_name=notice.project_name,
            buyer=notice.buyer,
            agency=notice.agency,
            region=notice.region,
            announced_on=notice.announced_on,
            budget_yuan=notice.budget_yuan,
            total_award_yuan=notice.total_award_yuan,
            details=notice.details,
            lots=[BidLot(**vars(lot)) for lot in notice.lots],
        )
    document.attachments.extend(Attachment(**vars(a)) for a in record.attachments)


class DocumentStore:
    """Documents and crawl runs in one database."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def known_listings(self, source_id: str) -> dict[str, str | None]:
        """doc_key → listing fingerprint of every stored document of a source."""
        with self.db.session() as session:
            rows = session.execute(
                select(Document.doc_key, Document.listing_fingerprint).where(
                    Document.source_id == source_id
                )
            )
            return {key: fingerprint for key, fingerprint in rows}

    def mark_seen(self, doc_keys: Iterable[str]) -> None:
        """Note that a crawl saw these documents listed, unchanged, without fetching them."""
        keys = list(doc_keys)
        if not keys:
            return
        with self.db.session() as session:
            for chunk in range(0, len(keys), 500):
                for document in session.scalars(
                    select(Document).where(Document.doc_key.in_(keys[chunk : chunk + 500]))
                ):
                    document.last_seen_at = utcnow()

    def save(self, record: DocumentRecord) -> SaveOutcome:
        """Insert or update one document and its hits; say whether it was new or changed."""
        return self.save_many([record])[0]

    def save_many(self, records: list[DocumentRecord]) -> list[SaveOutcome]:
        """Store a batch of documents in one transaction; one outcome per record, in order.

        Either the whole batch is stored or none of it: a crawl that dies mid-batch leaves
        those documents unknown, so the next crawl fetches them again.
        """
        now = utcnow()
        outcomes: list[SaveOutcome] = []
        with self.db.session() as session:
            keys = [r.doc_key for r in records]
            existing = {
                d.doc_key: d
                for d in session.scalars(select(Document).where(Document.doc_key.in_(keys)))
            }
            for record in records:
                content_hash = record.content_hash()
                document = existing.get(record.doc_key)
                if document is None:
                    document = Document(
                        doc_key=record.doc_key, first_seen_at=now, last_changed_at=now
                    )
                    session.add(document)
                    existing[record.doc_key] = document
                    outcome = SaveOutcome.NEW
                elif document.content_hash != content_hash:
                    document.last_changed_at = now
                    outcome = SaveOutcome.CHANGED
                else:
                    outcome = SaveOutcome.UNCHANGED
                for name in _RECORD_COLUMNS:
                    setattr(document, name, getattr(record, name))
                document.content_hash = content_hash
                document.last_seen_at = now
                if outcome is not SaveOutcome.UNCHANGED:
                    # Old hits go first: the unique (document, topic) pair forbids overlap.
                    if document.hits:
                        document.hits.clear()
                        session.flush()
                    document.hits.extend(DocumentHit(**hit) for hit in record.hits)
                    _replace_notice_and_attachments(session, document, record)
                outcomes.append(outcome)
        return outcomes

    def start_run(self, source_id: str) -> int:
        with self.db.session() as session:
            run = CrawlRun(source_id=source_id, started_at=utcnow(), status="running", stats={})
            session.add(run)
            session.flush()
            return run.id

    def record_error(self, run_id: int, url: str, kind: str, detail: str) -> None:
        with self.db.session() as session:
            session.add(
                CrawlError(run_id=run_id, url=url, kind=kind, detail=detail[:2000], at=utcnow())
            )

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any]) -> None:
        with self.db.session() as session:
            run = session.get(CrawlRun, run_id)
            if run is not None:
                run.finished_at = utcnow()
                run.status = status
                run.stats = stats

    def last_run_status(self, source_id: str) -> str | None:
        """Status of the newest finished run of a source, ``None`` if it never ran."""
        with self.db.session() as session:
            return session.scalar(
                select(CrawlRun.status)
                .where(CrawlRun.source_id == source_id, CrawlRun.finished_at.is_not(None))
                .order_by(CrawlRun.id.desc())
                .limit(1)
            )

    def run_errors(self, run_id: int) -> list[CrawlError]:
        with self.db.session() as session:
            return list(session.scalars(select(CrawlError).where(CrawlError.run_id == run_id)))

    def documents_with_hits(
        self,
        topic: str,
        *,
        source_ids: Iterable[str] | None = None,
        doc_keys: Iterable[str] | None = None,
    ) -> list[Document]:
        """Documents that mention ``topic``, newest first (optionally only some sources/keys)."""
        query = select(Document).join(DocumentHit).where(DocumentHit.topic == topic)
        if source_ids is not None:
            query = query.where(Document.source_id.in_(list(source_ids)))
        if doc_keys is not None:
            query = query.where(Document.doc_key.in_(list(doc_keys)))
        query = query.order_by(Document.published_at.desc().nulls_last(), Document.id)
        with self.db.session() as session:
            return list(session.scalars(query).unique())

    def count_documents(self, source_ids: Iterable[str] | None = None) -> int:
        query = select(func.count(Document.id))
        if source_ids is not None:
            query = query.where(Document.source_id.in_(list(source_ids)))
        with self.db.session() as session:
            return int(session.scalar(query) or 0)

    def get(self, doc_key: str) -> Document | None:
        with self.db.session() as session:
            return session.scalar(select(Document).where(Document.doc_key == doc_key))
