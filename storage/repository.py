"""Reading and writing documents and crawl runs. The only place that knows the tables."""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.database import Database
from storage.diff_engine import SaveOutcome, Snapshot, decide, idempotency_key
from storage.models import (
    Alert,
    Attachment,
    BidLot,
    CrawlError,
    CrawlRun,
    Delivery,
    Document,
    DocumentHit,
    DocumentVersion,
    ListPage,
    LiveCheck,
    PendingHealthEvent,
    ProcurementNotice,
    SourceHealth,
)
from storage.search import document_terms, index_document
from storage.source_health import HealthState, RunResult, next_health
from storage.times import beijing_iso


@dataclass(frozen=True)
class CheckRecord:
    """One source's result of ``govwatch sources check``."""

    source_id: str
    status: str
    detail: str
    items: int
    ok: bool


@dataclass(frozen=True)
class CheckView:
    """The last live check of a source, as stored (times in UTC)."""

    checked_at: datetime
    status: str
    detail: str | None
    items: int
    last_ok_at: datetime | None
    last_ok_items: int


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
    hit_count: int = 0


@dataclass
class HealthGroup:
    """One alert written (or found already written) by :meth:`DocumentStore.flush_health_events`."""

    event: str
    source_ids: list[str]
    detail: str | None  # the first source's
    key: str
    written: bool


class AlertSink(Protocol):
    """What the repository needs to turn decisions into alerts (see crawler.alerts.compose)."""

    backfill_cutoff: datetime

    def is_baseline(self, source_id: str) -> bool: ...

    def compose(
        self,
        event: str,
        topic: str | None,
        key: str,
        *,
        record: DocumentRecord | None = None,
        changes: list[str] | None = None,
        health: Any = None,
        source_id: str | None = None,
    ) -> Mapping[str, Any]: ...

    # The payload's shape is the alert composer's business (crawler/alerts/payload.py).
    def route(self, payload: Any) -> list[tuple[str, datetime]]: ...


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

    def snapshot(self) -> Snapshot:
        return Snapshot(
            content_hash=self.content_hash(),
            title=self.title,
            published_at=self.published_at,
            hits={h["topic"]: {"count": h["count"], "keywords": h["keywords"]} for h in self.hits},
            attachments_with_hits=frozenset(a.url for a in self.attachments if a.hit_count),
        )

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
    "source_id",
    "province_code",
    "kind",
    "url",
    "title",
    "published_at",
    "doc_number",
    "publisher",
    "doc_type",
    "site_name",
    "body_text",
    "encoding",
    "listing_fingerprint",
    "etag",
    "last_modified",
)


@dataclass(frozen=True)
class ListPageState:
    """A list page's validators and the hash of its items, as last read."""

    etag: str | None
    last_modified: str | None
    items_hash: str | None
    items: int


@dataclass(frozen=True)
class RunStart:
    run_id: int
    last_status: str | None  # of the newest finished run (None: the source never ran)
    list_pages: dict[str, ListPageState]
    interrupted: bool = False  # the newest run before this one never finished (killed)

    @property
    def previous_run_clean(self) -> bool:
        """The run before this one finished and read all it meant to."""
        return self.last_status == "ok" and not self.interrupted


_RUNS = cast(Table, CrawlRun.__table__)
_PAGES = cast(Table, ListPage.__table__)
_LAST_STATUS = (
    select(_RUNS.c.status)
    .where(_RUNS.c.source_id == bindparam("source_id"), _RUNS.c.finished_at.is_not(None))
    .order_by(_RUNS.c.id.desc())
    .limit(1)
)
_LIST_PAGES = select(
    _PAGES.c.url, _PAGES.c.etag, _PAGES.c.last_modified, _PAGES.c.items_hash, _PAGES.c["items"]
).where(_PAGES.c.source_id == bindparam("source_id"))
_OPEN_RUN = insert(_RUNS).returning(_RUNS.c.id)
_NEWEST_FINISHED = (
    select(_RUNS.c.finished_at.is_not(None))
    .where(_RUNS.c.source_id == bindparam("source_id"))
    .order_by(_RUNS.c.id.desc())
    .limit(1)
)
_CLOSE_RUN = (
    update(_RUNS)
    .where(_RUNS.c.id == bindparam("run_id"))
    .values(
        finished_at=bindparam("finished_at"),
        status=bindparam("run_status"),
        stats=bindparam("run_stats", type_=_RUNS.c.stats.type),
    )
)
_DOCUMENTS = cast(Table, Document.__table__)
_TOUCH = {
    column: update(_DOCUMENTS)
    .where(_DOCUMENTS.c.doc_key.in_(bindparam("doc_keys", expanding=True)))
    .values({column: bindparam("now")})
    for column in ("last_seen_at", "checked_at")
}
_UPDATE_PAGE = (
    update(_PAGES)
    .where(_PAGES.c.source_id == bindparam("page_source"), _PAGES.c.url == bindparam("page_url"))
    .values(
        etag=bindparam("etag"),
        last_modified=bindparam("last_modified"),
        items_hash=bindparam("items_hash"),
        items=bindparam("items"),
        checked_at=bindparam("checked_at"),
    )
)
_HEALTH = cast(Table, SourceHealth.__table__)
_HEALTH_FIELDS = ("state", "failures_in_a_row", "last_ok_items", "alerted_state", "detail", "since")
_READ_HEALTH = select(*(_HEALTH.c[name] for name in _HEALTH_FIELDS)).where(
    _HEALTH.c.source_id == bindparam("source_id")
)
_WRITE_HEALTH = (
    update(_HEALTH)
    .where(_HEALTH.c.source_id == bindparam("health_source"))
    .values({name: bindparam(name) for name in (*_HEALTH_FIELDS, "updated_at")})
)


@dataclass(frozen=True)
class RecheckItem:
    doc_key: str
    url: str
    title: str | None
    listing_fingerprint: str | None
    etag: str | None
    last_modified: str | None


def _touch(connection: Connection, column: str, doc_keys: list[str], now: datetime) -> None:
    """Set ``last_seen_at`` or ``checked_at`` of many documents in bulk (none is loaded)."""
    for chunk in range(0, len(doc_keys), 500):
        connection.execute(_TOUCH[column], {"doc_keys": doc_keys[chunk : chunk + 500], "now": now})


def _save_list_pages(
    connection: Connection,
    source_id: str,
    pages: dict[str, ListPageState],
    previous: dict[str, ListPageState],
    now: datetime,
) -> None:
    changed = {url: state for url, state in pages.items() if previous.get(url) != state}
    for url, state in changed.items():
        values = {
            "etag": state.etag,
            "last_modified": state.last_modified,
            "items_hash": state.items_hash,
            "items": state.items,
            "checked_at": now,
        }
        if url in previous:
            connection.execute(_UPDATE_PAGE, {"page_source": source_id, "page_url": url, **values})
        else:
            connection.execute(insert(_PAGES), {"source_id": source_id, "url": url, **values})


def listing_fingerprint(title: str | None, date: object) -> str:
    """What a list page says about a document; when it changes, the detail page is re-read."""
    return hashlib.sha1(f"{(title or '').strip()}|{date}".encode()).hexdigest()


def utcnow() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def _snapshot_of(document: Document) -> Snapshot:
    return Snapshot(
        content_hash=document.content_hash,
        title=document.title,
        published_at=document.published_at,
        hits={h.topic: {"count": h.count, "keywords": h.keywords} for h in document.hits},
        attachments_with_hits=frozenset(a.url for a in document.attachments if a.hit_count),
    )


def _alerted_topics(session: Session, document_ids: list[int]) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    if document_ids:
        rows = session.execute(
            select(Alert.document_id, Alert.topic).where(
                Alert.document_id.in_(document_ids), Alert.event.like("document.%")
            )
        )
        for document_id, topic in rows:
            if document_id is not None and topic:
                found.setdefault(document_id, set()).add(topic)
    return {k: frozenset(v) for k, v in found.items()}


def _version_row(
    document: Document, record: DocumentRecord, current: Snapshot, now: datetime
) -> DocumentVersion:
    return DocumentVersion(
        document_id=document.id,
        version=document.version,
        content_hash=current.content_hash,
        title=record.title,
        published_at=record.published_at,
        hit_summary=current.hits,
        body_text=record.body_text,
        recorded_at=now,
    )


def _write_alert(
    session: Session,
    alerts: AlertSink,
    payload: Mapping[str, Any],
    key: str,
    document_id: int | None,
    source_id: str,
    event: str,
    topic: str | None,
    now: datetime,
) -> bool:
    """Insert an alert and its deliveries, unless an alert with this key already exists."""
    if session.scalar(select(Alert.id).where(Alert.idempotency_key == key)) is not None:
        return False
    alert = Alert(
        idempotency_key=key,
        event=event,
        topic=topic,
        document_id=document_id,
        source_id=source_id,
        payload=payload,
        created_at=now,
    )
    session.add(alert)
    session.flush()
    alert.payload = {**payload, "alert_id": alert.id, "created_at": beijing_iso(now)}
    for channel, due_at in alerts.route(alert.payload):
        session.add(
            Delivery(
                alert_id=alert.id,
                channel=channel,
                status="pending",
                attempts=0,
                due_at=due_at,
                created_at=now,
            )
        )
    return True


def _search_terms(record: DocumentRecord) -> str:
    """What full-text search finds the document by: its title, body and attachment texts."""
    return document_terms(record.title, record.body_text, *(a.text for a in record.attachments))


def _replace_notice_and_attachments(
    session: Session, document: Document, record: DocumentRecord
) -> None:
    if document.notice is not None or document.attachments:
        document.notice = None
        document.attachments.clear()
        session.flush()
    if record.notice is not None:
        # The records' fields are the tables' columns, so they map one to one.
        lots = [BidLot(**vars(lot)) for lot in record.notice.lots]
        document.notice = ProcurementNotice(**{**vars(record.notice), "lots": lots})
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
        with self.db.engine.begin() as connection:
            _touch(connection, "last_seen_at", list(doc_keys), utcnow())

    def save(self, record: DocumentRecord) -> SaveOutcome:
        """Insert or update one document and its hits; say whether it was new or changed."""
        return self.save_many([record])[0]

    def save_many(
        self, records: list[DocumentRecord], alerts: AlertSink | None = None
    ) -> list[SaveOutcome]:
        """Store a batch (see :meth:`_save_many`), retrying when another process raced us.

        Two crawls of one source (the service's and a user's) may store the same new document
        at once; the loser's transaction hits a unique key, rolls back whole, and on the retry
        sees the winner's rows: the document is then unchanged and no alert is written twice.
        """
        for attempt in range(3):
            try:
                return self._save_many(records, alerts)
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _save_many(
        self, records: list[DocumentRecord], alerts: AlertSink | None = None
    ) -> list[SaveOutcome]:
        """Store a batch of documents in one transaction; one outcome per record, in order.

        The diff engine decides, per document, new / changed / unchanged and the alerts that
        calls for; versions, alerts and their deliveries (the outbox) are written in this same
        transaction. Either the whole batch is stored or none of it: a crawl that dies mid-batch
        leaves those documents unknown, so the next crawl fetches them again.
        """
        now = utcnow()
        outcomes: list[SaveOutcome] = []
        with self.db.session() as session:
            keys = [r.doc_key for r in records]
            existing = {
                d.doc_key: d
                for d in session.scalars(select(Document).where(Document.doc_key.in_(keys)))
            }
            alerted = _alerted_topics(session, [d.id for d in existing.values()])
            for record in records:
                document = existing.get(record.doc_key)
                current = record.snapshot()
                previous = _snapshot_of(document) if document is not None else None
                decision = decide(
                    previous,
                    current,
                    alerted_topics=alerted.get(document.id, frozenset())
                    if document
                    else frozenset(),
                    baseline=alerts.is_baseline(record.source_id) if alerts else False,
                    within_backfill=bool(
                        alerts
                        and record.published_at
                        and record.published_at >= alerts.backfill_cutoff
                    ),
                )
                if document is None:
                    document = Document(
                        doc_key=record.doc_key, first_seen_at=now, last_changed_at=now, version=1
                    )
                    session.add(document)
                    existing[record.doc_key] = document
                elif decision.outcome is SaveOutcome.CHANGED:
                    document.last_changed_at = now
                    document.version += 1
                for name in _RECORD_COLUMNS:
                    setattr(document, name, getattr(record, name))
                document.content_hash = current.content_hash
                document.last_seen_at = now
                document.checked_at = now
                document.status = "active"
                if decision.outcome is not SaveOutcome.UNCHANGED:
                    # Old hits go first: the unique (document, topic) pair forbids overlap.
                    if document.hits:
                        document.hits.clear()
                        session.flush()
                    document.hits.extend(DocumentHit(**hit) for hit in record.hits)
                    _replace_notice_and_attachments(session, document, record)
                    session.flush()
                    session.add(_version_row(document, record, current, now))
                    index_document(session, document.id, _search_terms(record))
                if alerts is not None:
                    for event, topic in decision.events:
                        key = idempotency_key(event, topic, record.doc_key, document.version)
                        payload = alerts.compose(
                            event, topic, key, record=record, changes=decision.changes
                        )
                        _write_alert(
                            session,
                            alerts,
                            payload,
                            key,
                            document.id,
                            record.source_id,
                            event,
                            topic,
                            now,
                        )
                outcomes.append(decision.outcome)
        return outcomes

    def last_crawled(self) -> dict[str, datetime]:
        """When each source's last crawl ended (UTC, naive), from its health record: what the
        scheduler keeps a source's rhythm by across restarts and changes of leader."""
        with self.db.engine.connect() as connection:
            rows = connection.execute(select(_HEALTH.c.source_id, _HEALTH.c.updated_at))
            return {source_id: ended for source_id, ended in rows}

    def record_checks(self, checks: Iterable[CheckRecord]) -> None:
        """Store what a live check found of each source; a good reading moves last_ok_at."""
        now = utcnow()
        with self.db.session() as session, session.begin():
            for check in checks:
                row = session.get(LiveCheck, check.source_id)
                if row is None:
                    row = LiveCheck(source_id=check.source_id, last_ok_items=0)
                    session.add(row)
                row.checked_at, row.status = now, check.status
                row.detail, row.items = check.detail, check.items
                if check.ok:
                    row.last_ok_at, row.last_ok_items = now, check.items

    def live_checks(self) -> dict[str, CheckView]:
        """The last live check of every source checked, by source id."""
        with self.db.session() as session:
            return {
                row.source_id: CheckView(
                    checked_at=row.checked_at,
                    status=row.status,
                    detail=row.detail,
                    items=row.items,
                    last_ok_at=row.last_ok_at,
                    last_ok_items=row.last_ok_items,
                )
                for row in session.scalars(select(LiveCheck))
            }

    def record_health(
        self,
        source_id: str,
        run: RunResult,
        alerts: AlertSink | None = None,
        *,
        failures_in_a_row: int = 3,
        empty_after_items: int = 5,
    ) -> str | None:
        """Update a source's health after a run; write a health alert in the same transaction."""
        with self.db.engine.begin() as connection:
            return _update_health(
                connection,
                source_id,
                run,
                alerts,
                utcnow(),
                failures_in_a_row=failures_in_a_row,
                empty_after_items=empty_after_items,
            )

    def flush_health_events(
        self, alerts: AlertSink, older_than: datetime | None = None
    ) -> list[HealthGroup]:
        """Alert the pending health events: one alert per event kind, naming all its sources.

        All pending events when ``older_than`` is None; otherwise an event kind is alerted only
        once its oldest pending event was recorded before ``older_than`` (so events arriving
        within that window join one alert). In one transaction the alerts and their deliveries
        are written and the pending rows deleted. A group of one is today's single-source
        alert; a group of several adds ``health.count`` and ``health.sources``. The key is
        derived from the event and the sorted (source, since) pairs, so flushing the same
        events twice (two schedulers, a crash before commit) never writes two alerts.
        """
        now = utcnow()
        groups: list[HealthGroup] = []
        with self.db.session() as session:
            rows = list(
                session.scalars(
                    select(PendingHealthEvent)
                    .order_by(PendingHealthEvent.id)
                    .with_for_update(skip_locked=True)
                )
            )
            by_event: dict[str, list[PendingHealthEvent]] = {}
            for row in rows:
                by_event.setdefault(row.event, []).append(row)
            for event, members in by_event.items():
                if older_than is not None and min(r.created_at for r in members) >= older_than:
                    continue  # still within the grouping window: more may join
                latest: dict[str, PendingHealthEvent] = {}
                for row in members:  # one entry per source (its newest event of this kind)
                    latest.pop(row.source_id, None)
                    latest[row.source_id] = row
                ordered = sorted(latest.values(), key=lambda r: r.id)
                pairs = sorted((r.source_id, beijing_iso(r.since)) for r in ordered)
                key = idempotency_key(event, *(part for pair in pairs for part in pair))
                first = ordered[0]
                health: dict[str, Any] = dict(first.health)
                if len(ordered) > 1:
                    health["since"] = beijing_iso(min(r.since for r in ordered))
                    health["failures_in_a_row"] = max(
                        int(r.health.get("failures_in_a_row") or 0) for r in ordered
                    )
                    health["count"] = len(ordered)
                    health["sources"] = [{"source_id": r.source_id, **r.health} for r in ordered]
                payload = alerts.compose(event, None, key, health=health, source_id=first.source_id)
                written = _write_alert(
                    session, alerts, payload, key, None, first.source_id, event, None, now
                )
                for row in members:
                    session.delete(row)
                groups.append(
                    HealthGroup(
                        event=event,
                        source_ids=[r.source_id for r in ordered],
                        detail=first.health.get("detail"),
                        key=key,
                        written=written,
                    )
                )
        return groups

    def write_alert(
        self, alerts: AlertSink, payload: Mapping[str, Any], *, source_id: str = ""
    ) -> bool:
        """Write one alert that is about no document (e.g. ``service.degraded``) and its
        deliveries; False when an alert with its idempotency key already exists."""
        with self.db.session() as session:
            return _write_alert(
                session,
                alerts,
                payload,
                str(payload["idempotency_key"]),
                None,
                source_id,
                str(payload["event"]),
                None,
                utcnow(),
            )

    # -- the outbox -------------------------------------------------------------------------

    def claim_deliveries(
        self, channel: str, now: datetime, lease_until: datetime, limit: int
    ) -> tuple[str, list[tuple[int, dict[str, Any], int, datetime]]]:
        """Lease up to ``limit`` due deliveries of a channel for one send.

        Due: pending or failed ones whose time has come, and sends whose lease ran out (the
        sender died between sending and confirming; the receiver drops the duplicate by its
        idempotency key). Returns a new delivery id and (row id, payload, attempts, created_at).
        """
        delivery_id = uuid.uuid4().hex
        with self.db.session() as session:
            due = or_(
                and_(Delivery.status.in_(("pending", "failed")), Delivery.due_at <= now),
                and_(Delivery.status == "sending", Delivery.lease_until < now),
            )
            rows = list(
                session.scalars(
                    select(Delivery)
                    .where(Delivery.channel == channel, due)
                    .order_by(Delivery.due_at, Delivery.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            claimed = []
            for row in rows:
                row.status, row.lease_until, row.delivery_id = "sending", lease_until, delivery_id
                claimed.append((row.id, row.alert.payload, row.attempts, row.created_at))
            return delivery_id, claimed

    def finish_deliveries(
        self,
        ids: list[int],
        delivery_id: str,
        *,
        delivered: bool,
        error: str | None = None,
        retry_at: datetime | None = None,
        now: datetime | None = None,
    ) -> None:
        """Record a send's result. ``retry_at`` None after a failure means the rows are dead."""
        now = now or utcnow()
        with self.db.session() as session:
            for row in session.scalars(select(Delivery).where(Delivery.id.in_(ids))):
                if row.status == "delivered":
                    continue  # delivered once is delivered: never downgraded by a late failure
                row.attempts += 1
                row.lease_until = None
                if delivered:
                    row.status, row.delivered_at, row.last_error = "delivered", now, None
                    row.delivery_id = delivery_id
                elif retry_at is None:
                    row.status, row.last_error = "dead", error
                else:
                    row.status, row.last_error, row.due_at = "failed", error, retry_at

    def deliveries(
        self, *, status: str | None = None, limit: int = 100
    ) -> list[tuple[Delivery, Alert]]:
        """Deliveries, newest first, with their alerts (for ``govwatch alerts list``)."""
        query = select(Delivery, Alert).join(Alert).order_by(Delivery.id.desc()).limit(limit)
        if status is not None:
            query = query.where(Delivery.status == status)
        with self.db.session() as session:
            return [(d, a) for d, a in session.execute(query)]

    def requeue_deliveries(
        self, *, ids: list[int] | None = None, statuses: tuple[str, ...] = ()
    ) -> int:
        """Make failed or dead deliveries due again now; returns how many. Their tries are
        kept (the count is their history, and a dead one gets one more try, not fifty)."""
        with self.db.session() as session:
            query = select(Delivery).where(Delivery.status.in_(("failed", "dead")))
            if ids is not None:
                query = query.where(Delivery.id.in_(ids))
            elif statuses:
                query = query.where(Delivery.status.in_(statuses))
            count = 0
            for row in session.scalars(query):
                row.status, row.due_at = "pending", utcnow()
                count += 1
            return count

    def delivery_status(self, delivery_id: int) -> str | None:
        """A delivery's status, or None when there is no such delivery."""
        with self.db.engine.connect() as connection:
            return connection.scalar(select(Delivery.status).where(Delivery.id == delivery_id))

    def channels_with_due(self, now: datetime) -> list[str]:
        with self.db.session() as session:
            due = or_(
                and_(Delivery.status.in_(("pending", "failed")), Delivery.due_at <= now),
                and_(Delivery.status == "sending", Delivery.lease_until < now),
            )
            return list(session.scalars(select(Delivery.channel).where(due).distinct()))

    def mark_gone(self, doc_key: str) -> bool:
        """A known document's page now answers 404 or a removal notice: keep it, marked gone."""
        with self.db.session() as session:
            document = session.scalar(select(Document).where(Document.doc_key == doc_key))
            if document is None or document.status == "gone":
                return False
            document.status = "gone"
            document.last_changed_at = utcnow()
            return True

    def begin_run(self, source_id: str) -> RunStart:
        """Open a run of a source, in one transaction with what the run needs to know first:
        how its last run ended and the validators of its list pages.

        Core statements built once (every crawl calls this; a no-change crawl does little else).
        """
        with self.db.engine.begin() as connection:
            last_status = connection.execute(_LAST_STATUS, {"source_id": source_id}).scalar()
            newest_finished = connection.execute(
                _NEWEST_FINISHED, {"source_id": source_id}
            ).scalar()
            pages = {
                url: ListPageState(etag, last_modified, items_hash, items)
                for url, etag, last_modified, items_hash, items in connection.execute(
                    _LIST_PAGES, {"source_id": source_id}
                )
            }
            run_id = connection.execute(
                _OPEN_RUN,
                {"source_id": source_id, "started_at": utcnow(), "status": "running", "stats": {}},
            ).scalar_one()
            return RunStart(run_id, last_status, pages, interrupted=newest_finished is False)

    def end_run(
        self,
        run_id: int,
        status: str,
        stats: dict[str, Any],
        *,
        seen: Iterable[str] = (),
        checked: Iterable[str] = (),
        list_pages: dict[str, ListPageState] | None = None,
        previous: dict[str, ListPageState] | None = None,
        source_id: str | None = None,
        health: RunResult | None = None,
        alerts: AlertSink | None = None,
        failures_in_a_row: int = 3,
        empty_after_items: int = 5,
    ) -> str | None:
        """Close a run in one transaction with its bookkeeping: documents seen listed and
        unchanged, documents re-checked unchanged, the validators of its list pages (written
        only where they differ from ``previous``, the states the run began with) and, given
        ``health`` and ``source_id``, the source's health (as :meth:`record_health`).

        Core statements built once, as :meth:`begin_run`."""
        now = utcnow()
        with self.db.engine.begin() as connection:
            _touch(connection, "last_seen_at", list(seen), now)
            _touch(connection, "checked_at", list(checked), now)
            if list_pages and source_id is not None:
                _save_list_pages(connection, source_id, list_pages, previous or {}, now)
            connection.execute(
                _CLOSE_RUN,
                {"run_id": run_id, "finished_at": now, "run_status": status, "run_stats": stats},
            )
            if health is None or source_id is None:
                return None
            return _update_health(
                connection,
                source_id,
                health,
                alerts,
                now,
                failures_in_a_row=failures_in_a_row,
                empty_after_items=empty_after_items,
            )

    def due_for_recheck(
        self, source_id: str, *, published_after: datetime, checked_before: datetime, limit: int
    ) -> list[RecheckItem]:
        """Known documents of a source whose pages are due to be fetched again (the slow
        re-check rotation: recent documents, least recently checked first)."""
        query = (
            select(
                Document.doc_key,
                Document.url,
                Document.title,
                Document.listing_fingerprint,
                Document.etag,
                Document.last_modified,
            )
            .where(
                Document.source_id == source_id,
                Document.status == "active",
                Document.published_at >= published_after,
                or_(Document.checked_at.is_(None), Document.checked_at < checked_before),
            )
            .order_by(Document.checked_at.asc().nulls_first(), Document.id)
            .limit(limit)
        )
        with self.db.session() as session:
            return [RecheckItem(*row) for row in session.execute(query)]

    def record_error(self, run_id: int, url: str, kind: str, detail: str) -> None:
        with self.db.session() as session:
            session.add(
                CrawlError(run_id=run_id, url=url, kind=kind, detail=detail[:2000], at=utcnow())
            )

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


def _update_health(
    connection: Connection,
    source_id: str,
    run: RunResult,
    alerts: AlertSink | None,
    now: datetime,
    *,
    failures_in_a_row: int,
    empty_after_items: int,
) -> str | None:
    """A source's health after a run, in ``connection``'s transaction; its event (if any) kept
    pending for the grouped health alert."""
    row = connection.execute(_READ_HEALTH, {"source_id": source_id}).first()
    previous = HealthState(*row) if row is not None else None
    state, event = next_health(
        previous,
        run,
        now,
        failures_in_a_row=failures_in_a_row,
        empty_after_items=empty_after_items,
    )
    values = {name: getattr(state, name) for name in _HEALTH_FIELDS}
    if row is None:
        connection.execute(insert(_HEALTH), {"source_id": source_id, **values, "updated_at": now})
    else:
        connection.execute(_WRITE_HEALTH, {"health_source": source_id, **values, "updated_at": now})
    if event is not None and alerts is not None:
        # Alerted later, grouped with the other sources' events of this kind
        # (flush_health_events): an outage of many sources is one alert, not many.
        health = {
            "state": state.state,
            "detail": run.detail or state.detail,
            "failures_in_a_row": state.failures_in_a_row,
            "since": beijing_iso(state.since),
        }
        connection.execute(
            insert(cast(Table, PendingHealthEvent.__table__)),
            {
                "event": event,
                "source_id": source_id,
                "since": state.since,
                "health": health,
                "created_at": now,
            },
        )
    return event
