"""Read-only queries for the analyst's reports and exports.

Everything here returns plain frozen dataclasses built inside the session, so callers never
touch a detached ORM object (and never trigger a lazy load after the session is gone).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from storage.database import Database
from storage.models import Document, DocumentHit, ProcurementNotice


@dataclass(frozen=True)
class StoredText:
    """One stored document as the report reads it: where, when, and everything it says."""

    document_id: int
    doc_key: str
    source_id: str
    province_code: str
    kind: str
    published_at: datetime | None
    title: str | None
    text: str  # title, body and attachment texts: what the crawl matched the topics against


@dataclass(frozen=True)
class StoredLot:
    """One 标包 of a notice."""

    lot: str
    lot_name: str | None
    supplier: str | None
    amount_yuan: Decimal | None
    amount_raw: str | None
    amount_kind: str | None
    rate: Decimal | None


@dataclass(frozen=True)
class StoredNotice:
    """A procurement notice with the document it was read from."""

    document_id: int
    doc_key: str
    url: str
    province_code: str
    published_at: datetime | None
    title: str | None
    notice_type: str
    project_number: str | None
    project_name: str | None
    buyer: str | None
    agency: str | None
    region: str | None
    announced_on: date | None
    budget_yuan: Decimal | None
    total_award_yuan: Decimal | None
    lots: tuple[StoredLot, ...]

    @property
    def awarded_yuan(self) -> Decimal | None:
        """What an award gave out in yuan: its lots' amounts summed, else its stated total.

        None for other notices (a tender's amounts are budgets, a 候选人公示 awards nothing)
        and for awards whose amounts are unknown or rates.
        """
        if self.notice_type != "award":
            return None
        amounts = [lot.amount_yuan for lot in self.lots if lot.amount_yuan is not None]
        if amounts:
            return sum(amounts, Decimal("0"))
        return self.total_award_yuan

    @property
    def day(self) -> date | None:
        """The notice's own date, else the day its document was published."""
        if self.announced_on is not None:
            return self.announced_on
        return self.published_at.date() if self.published_at else None


@dataclass(frozen=True)
class StoredHit:
    """What one topic found in one document (as stored by the crawl or the import)."""

    topic: str
    count: int
    keywords: dict[str, int]
    snippets: list[str]
    technologies: list[str]
    scenarios: list[str]


@dataclass(frozen=True)
class StoredDocument:
    """A document's fields and its hits, for exports."""

    doc_key: str
    source_id: str
    province_code: str
    kind: str
    url: str
    title: str | None
    published_at: datetime | None
    doc_number: str | None
    publisher: str | None
    doc_type: str | None
    body_length: int
    hits: tuple[StoredHit, ...]
    notice: StoredNotice | None = None  # what a procurement notice states, when it is one


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    # A range on the indexed column rather than EXTRACT(YEAR ...): portable and index-friendly.
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


def texts_published_in(database: Database, *, kind: str, year: int) -> list[StoredText]:
    """Active documents of ``kind`` published in ``year`` (national ones included)."""
    start, end = _year_bounds(year)
    query = (
        select(Document)
        .where(
            Document.kind == kind,
            Document.status == "active",
            Document.published_at >= start,
            Document.published_at < end,
        )
        .order_by(Document.province_code, Document.id)
    )
    with database.session() as session:
        return [
            StoredText(
                document_id=d.id,
                doc_key=d.doc_key,
                source_id=d.source_id,
                province_code=d.province_code,
                kind=d.kind,
                published_at=d.published_at,
                title=d.title,
                text="\n".join(
                    part
                    for part in (d.title, d.body_text, *(a.text for a in d.attachments))
                    if part
                ),
            )
            for d in session.scalars(query)
        ]


def years_with_documents(
    database: Database, *, kind: str, province_codes: Iterable[str] | None = None
) -> list[int]:
    """The publication years for which documents of ``kind`` are stored, ascending."""
    year = func.extract("year", Document.published_at)
    query = (
        select(year)
        .where(Document.kind == kind, Document.published_at.is_not(None))
        .group_by(year)
        .order_by(year)
    )
    if province_codes is not None:
        query = query.where(Document.province_code.in_(list(province_codes)))
    with database.session() as session:
        return [int(value) for value in session.scalars(query)]


def notices_mentioning(
    database: Database,
    *,
    topic: str,
    since: date | None = None,
    province_codes: Iterable[str] | None = None,
) -> list[StoredNotice]:
    """Procurement notices whose document mentions ``topic``, oldest first.

    ``since`` compares the notice's own date (公告日期) and, where the notice has none, the
    document's publication date.
    """
    query = (
        select(ProcurementNotice, Document)
        .join(Document, ProcurementNotice.document_id == Document.id)
        .join(DocumentHit, DocumentHit.document_id == Document.id)
        .where(DocumentHit.topic == topic, Document.status == "active")
    )
    if province_codes is not None:
        query = query.where(Document.province_code.in_(list(province_codes)))
    if since is not None:
        query = query.where(
            or_(
                ProcurementNotice.announced_on >= since,
                and_(
                    ProcurementNotice.announced_on.is_(None),
                    Document.published_at >= datetime.combine(since, time.min),
                ),
            )
        )
    with database.session() as session:
        notices = [_stored_notice(n, d) for n, d in session.execute(query.order_by(Document.id))]
    # Sorted here: a portable "notice date, else publication date" is awkward in SQL.
    return sorted(notices, key=lambda n: (n.day or date.min, n.document_id))


def _stored_notice(notice: ProcurementNotice, document: Document) -> StoredNotice:
    return StoredNotice(
        document_id=document.id,
        doc_key=document.doc_key,
        url=document.url,
        province_code=document.province_code,
        published_at=document.published_at,
        title=document.title,
        notice_type=notice.notice_type,
        project_number=notice.project_number,
        project_name=notice.project_name,
        buyer=notice.buyer,
        agency=notice.agency,
        region=notice.region,
        announced_on=notice.announced_on,
        budget_yuan=notice.budget_yuan,
        total_award_yuan=notice.total_award_yuan,
        lots=tuple(
            StoredLot(
                lot=lot.lot,
                lot_name=lot.lot_name,
                supplier=lot.supplier,
                amount_yuan=lot.amount_yuan,
                amount_raw=lot.amount_raw,
                amount_kind=lot.amount_kind,
                rate=lot.rate,
            )
            for lot in notice.lots
        ),
    )


def documents_for_export(
    database: Database,
    *,
    topic: str | None = None,
    province_codes: Iterable[str] | None = None,
    kind: str | None = None,
    since: date | None = None,
) -> list[StoredDocument]:
    """Documents with their hits, newest first; ``topic`` keeps only those that mention it."""
    query = select(Document).where(Document.status == "active")
    if topic is not None:
        mentioning = select(DocumentHit.document_id).where(DocumentHit.topic == topic)
        query = query.where(Document.id.in_(mentioning))
    if province_codes is not None:
        query = query.where(Document.province_code.in_(list(province_codes)))
    if kind is not None:
        query = query.where(Document.kind == kind)
    if since is not None:
        query = query.where(Document.published_at >= datetime.combine(since, time.min))
    query = query.order_by(Document.published_at.desc().nulls_last(), Document.id).options(
        selectinload(Document.notice)
    )
    with database.session() as session:
        return [_stored_document(d) for d in session.scalars(query)]


def _stored_document(document: Document) -> StoredDocument:
    hits = sorted(document.hits, key=lambda h: h.topic)
    return StoredDocument(
        doc_key=document.doc_key,
        source_id=document.source_id,
        province_code=document.province_code,
        kind=document.kind,
        url=document.url,
        title=document.title,
        published_at=document.published_at,
        doc_number=document.doc_number,
        publisher=document.publisher,
        doc_type=document.doc_type,
        body_length=len(document.body_text or ""),
        hits=tuple(
            StoredHit(
                topic=h.topic,
                count=h.count,
                keywords=dict(h.keywords),
                snippets=list(h.snippets),
                technologies=list(h.technologies),
                scenarios=list(h.scenarios),
            )
            for h in hits
        ),
        notice=_stored_notice(document.notice, document) if document.notice else None,
    )
