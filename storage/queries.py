"""Read-only queries for the analyst's reports and exports.

Everything here returns plain frozen dataclasses built inside the session, so callers never
touch a detached ORM object (and never trigger a lazy load after the session is gone).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, selectinload

from storage.database import Database
from storage.models import Attachment, BidLot, Document, DocumentHit, ProcurementNotice


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
    chosen = (
        Document.kind == kind,
        Document.status == "active",
        Document.published_at >= start,
        Document.published_at < end,
    )
    # Plain rows, not documents: their hits, notices and attachments would load with them.
    documents = select(
        Document.id,
        Document.doc_key,
        Document.source_id,
        Document.province_code,
        Document.kind,
        Document.published_at,
        Document.title,
        Document.body_text,
    ).where(*chosen)
    attached = (
        select(Attachment.document_id, Attachment.text)
        .join(Document, Attachment.document_id == Document.id)
        .where(*chosen, Attachment.text != "")
        .order_by(Attachment.id)
    )
    with database.session() as session:
        attachments: dict[int, list[str]] = {}
        for document_id, text in session.execute(attached):
            attachments.setdefault(document_id, []).append(text)
        rows = session.execute(documents.order_by(Document.province_code, Document.id)).all()
    return [
        StoredText(
            document_id=row.id,
            doc_key=row.doc_key,
            source_id=row.source_id,
            province_code=row.province_code,
            kind=row.kind,
            published_at=row.published_at,
            title=row.title,
            text="\n".join(
                part for part in (row.title, row.body_text, *attachments.get(row.id, ())) if part
            ),
        )
        for row in rows
    ]


def year_state(database: Database, *, kind: str, year: int) -> int:
    """What the documents of ``kind`` published in ``year`` are now, as one number: it
    differs as soon as one is added, changed, gone, re-dated or moved to another province
    (within one process: keep it in memory, never store it)."""
    start, end = _year_bounds(year)
    query = (
        select(
            Document.id,
            Document.province_code,
            Document.published_at,
            Document.status,
            Document.version,
            Document.content_hash,
        )
        .where(Document.kind == kind, Document.published_at >= start, Document.published_at < end)
        .order_by(Document.id)
    )
    with database.session() as session:
        return hash(tuple(tuple(row) for row in session.execute(query)))


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
    year: int | None = None,
    province_codes: Iterable[str] | None = None,
) -> list[StoredNotice]:
    """Procurement notices whose document mentions ``topic``, oldest first.

    ``since`` and ``year`` read the notice's own date (公告日期) and, where the notice has
    none, the document's publication date. Only the columns a notice line shows are read
    (never the document's body, hits or attachments), as plain rows: thousands of notices
    make a page of 中标.
    """
    conditions: list[ColumnElement[bool]] = [
        DocumentHit.topic == topic,
        Document.status == "active",
    ]
    if province_codes is not None:
        conditions.append(Document.province_code.in_(list(province_codes)))
    if since is not None:
        conditions.append(_notice_day_from(since))
    if year is not None:
        conditions.append(_notice_day_from(date(year, 1, 1)))
        conditions.append(_notice_day_before(date(year + 1, 1, 1)))

    def chosen(*columns: Any) -> Select[Any]:
        return (
            select(*columns)
            .select_from(ProcurementNotice)
            .join(Document, ProcurementNotice.document_id == Document.id)
            .join(DocumentHit, DocumentHit.document_id == Document.id)
            .where(*conditions)
        )

    lots_query = (
        select(BidLot.notice_id, *(getattr(BidLot, name) for name in _LOT_FIELDS))
        .where(BidLot.notice_id.in_(chosen(ProcurementNotice.id)))
        .order_by(BidLot.notice_id, BidLot.id)
    )
    notices_query = chosen(
        ProcurementNotice.id.label("notice_id"),
        *(column.label(name) for name, column in _NOTICE_FIELDS.items()),
    )
    lots: dict[int, list[StoredLot]] = {}
    with database.session() as session:
        for notice_id, *values in session.execute(lots_query):
            lot = StoredLot(**dict(zip(_LOT_FIELDS, values, strict=True)))
            lots.setdefault(notice_id, []).append(lot)
        notices = [
            StoredNotice(
                **dict(zip(_NOTICE_FIELDS, values, strict=True)),
                lots=tuple(lots.get(notice_id, ())),
            )
            for notice_id, *values in session.execute(notices_query)
        ]
    # Sorted here: a portable "notice date, else publication date" is awkward in SQL.
    return sorted(notices, key=lambda n: (n.day or date.min, n.document_id))


# A notice line's fields (StoredNotice's, lots aside) and the columns they are read from.
_NOTICE_FIELDS: dict[str, InstrumentedAttribute[Any]] = {
    "document_id": Document.id,
    "doc_key": Document.doc_key,
    "url": Document.url,
    "province_code": Document.province_code,
    "published_at": Document.published_at,
    "title": Document.title,
    "notice_type": ProcurementNotice.notice_type,
    "project_number": ProcurementNotice.project_number,
    "project_name": ProcurementNotice.project_name,
    "buyer": ProcurementNotice.buyer,
    "agency": ProcurementNotice.agency,
    "region": ProcurementNotice.region,
    "announced_on": ProcurementNotice.announced_on,
    "budget_yuan": ProcurementNotice.budget_yuan,
    "total_award_yuan": ProcurementNotice.total_award_yuan,
}
_LOT_FIELDS = tuple(f.name for f in fields(StoredLot))  # BidLot's columns of the same names


def _notice_day_from(day: date) -> ColumnElement[bool]:
    """The notice's date (else its page's) is ``day`` or later."""
    return or_(
        ProcurementNotice.announced_on >= day,
        and_(
            ProcurementNotice.announced_on.is_(None),
            Document.published_at >= datetime.combine(day, time.min),
        ),
    )


def _notice_day_before(day: date) -> ColumnElement[bool]:
    """The notice's date (else its page's) is before ``day``."""
    return or_(
        ProcurementNotice.announced_on < day,
        and_(
            ProcurementNotice.announced_on.is_(None),
            Document.published_at < datetime.combine(day, time.min),
        ),
    )


def notice_of(document: Document) -> StoredNotice | None:
    """A loaded document's procurement notice as the reports read it; None when it has none."""
    notice = document.notice
    if notice is None:
        return None
    return StoredNotice(
        **{
            name: getattr(notice if column.class_ is ProcurementNotice else document, column.key)
            for name, column in _NOTICE_FIELDS.items()
        },
        lots=tuple(
            StoredLot(**{name: getattr(lot, name) for name in _LOT_FIELDS}) for lot in notice.lots
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
        hits=stored_hits(document),
        notice=notice_of(document),
    )


def stored_hits(document: Document) -> tuple[StoredHit, ...]:
    """A loaded document's hits as the reports read them, by topic name."""
    return tuple(
        StoredHit(
            topic=h.topic,
            count=h.count,
            keywords=dict(h.keywords),
            snippets=list(h.snippets),
            technologies=list(h.technologies),
            scenarios=list(h.scenarios),
        )
        for h in sorted(document.hits, key=lambda h: h.topic)
    )
