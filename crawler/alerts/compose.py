"""Turning the diff engine's decisions into alerts: what they say, and which channels get them.

:class:`Alerting` is the :class:`storage.repository.AlertSink` the crawl hands to storage:
storage decides *whether* to alert (storage.diff_engine, storage.source_health) inside its
transaction and asks this class *what* to say (the payload, crawler/alerts/payload.py) and
*where* to send it (routing by topic, province, document kind and event; due times for
instant, hourly and daily channels).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import cast
from zoneinfo import ZoneInfo

from crawler.alerts.payload import (
    NATIONWIDE,
    SCHEMA_VERSION,
    SERVICE_SOURCE,
    AlertPayload,
    HealthSourceView,
    HealthView,
    HitView,
    NoticeView,
    ProvinceRef,
)
from crawler.config import ChannelConfig, Settings
from crawler.match.topics import Topic
from spiders.provinces import by_code_unchecked
from spiders.registry import Source
from storage.repository import DocumentRecord, utcnow
from storage.times import beijing_iso

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_now() -> datetime:
    """Naive Beijing local time: the clock government pages' dates are written in."""
    return datetime.now(BEIJING).replace(tzinfo=None, microsecond=0)


def due_at(channel: ChannelConfig, now_utc: datetime) -> datetime:
    """When a delivery on ``channel`` becomes due: now, the next full hour, or the daily time."""
    if channel.mode == "instant":
        return now_utc
    if channel.mode == "hourly":
        return now_utc.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    hour, minute = (int(part) for part in channel.daily_at.split(":"))
    local_now = now_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(BEIJING)
    local_due = datetime.combine(local_now.date(), time(hour, minute), BEIJING)
    if local_due <= local_now:
        local_due += timedelta(days=1)
    return local_due.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


class Alerting:
    """Composes and routes alerts for one crawl (or one health update)."""

    def __init__(
        self,
        settings: Settings,
        sources: dict[str, Source],
        topics: list[Topic],
        *,
        baseline_sources: set[str] | None = None,
    ) -> None:
        self.settings = settings
        self.sources = sources
        self.topics = {t.name: t for t in topics}
        self.baseline_sources = baseline_sources or set()
        self.backfill_cutoff = beijing_now() - timedelta(days=settings.alerts.backfill_days)

    def is_baseline(self, source_id: str) -> bool:
        return source_id in self.baseline_sources

    def compose(
        self,
        event: str,
        topic: str | None,
        key: str,
        *,
        record: DocumentRecord | None = None,
        changes: list[str] | None = None,
        health: HealthView | None = None,
        source_id: str | None = None,
    ) -> AlertPayload:
        source_id = record.source_id if record is not None else source_id
        source = self.sources.get(source_id or "")
        province_code = record.province_code if record else (source.province_code if source else "")
        province = by_code_unchecked(province_code) if province_code else None
        payload: AlertPayload = {
            "schema_version": SCHEMA_VERSION,
            "event": event,
            "idempotency_key": key,
            "alert_id": None,
            "created_at": None,
            "topic": topic,
            "topic_label": self.topics[topic].label if topic in self.topics else None,
            "province": {"code": province_code, "name": province.full_name if province else None},
            "source": {
                "id": source_id,
                "name": source.name if source else source_id,
                "kind": record.kind if record else (source.kind if source else None),
            },
            "document": None,
            "hits": [],
            "notice": None,
            "changes": changes or [],
            "health": health,
        }
        if health is not None and "sources" in health:
            # A grouped health alert (storage.repository.flush_health_events): name each source.
            payload["health"] = {
                **health,
                "sources": [self._source_view(member) for member in health["sources"]],
            }
        if record is not None:
            payload["document"] = {
                "url": record.url,
                "title": record.title,
                "published_at": record.published_at.isoformat() if record.published_at else None,
                "doc_type": record.doc_type,
                "doc_number": record.doc_number,
                "publisher": record.publisher,
            }
            label = self.topics[topic].label if topic in self.topics else topic
            payload["hits"] = [
                cast(HitView, {**h, "label": label}) for h in record.hits if h["topic"] == topic
            ]
            if record.notice is not None:
                payload["notice"] = _notice_view(record)
        return payload

    def _source_view(self, member: HealthSourceView) -> HealthSourceView:
        source = self.sources.get(member["source_id"])
        return {
            **member,
            "name": source.name if source else member["source_id"],
            "kind": source.kind if source else None,
            "province": _province(source.province_code if source else ""),
        }

    def compose_service(self, event: str, key: str, detail: str, since: datetime) -> AlertPayload:
        """A ``service.degraded`` or ``service.recovered`` alert: about the service itself."""
        return {
            "schema_version": SCHEMA_VERSION,
            "event": event,
            "idempotency_key": key,
            "alert_id": None,
            "created_at": None,
            "topic": None,
            "topic_label": None,
            "province": NATIONWIDE.copy(),
            "source": SERVICE_SOURCE.copy(),
            "document": None,
            "hits": [],
            "notice": None,
            "changes": [],
            "health": {
                "state": "degraded" if event == "service.degraded" else "ok",
                "detail": detail,
                "failures_in_a_row": 0,
                "since": beijing_iso(since),
            },
        }

    def route(self, payload: AlertPayload) -> list[tuple[str, datetime]]:
        now = utcnow()
        return [
            (channel.name, due_at(channel, now))
            for channel in self.settings.channels
            if _routes(channel, payload)
        ]


def _province(code: str) -> ProvinceRef:
    province = by_code_unchecked(code) if code else None
    return {"code": code, "name": province.full_name if province else None}


def _routes(channel: ChannelConfig, payload: AlertPayload) -> bool:
    """Whether ``channel`` takes the alert. Health events (``source.*``, ``service.*``) are
    ``health`` in a route; a service event is about no province or kind, so only the route's
    events decide; a grouped health alert goes where any of its sources would."""
    route = channel.route
    event = payload["event"]
    if route.events is not None:
        wanted = "health" if event.startswith(("source.", "service.")) else event
        if wanted not in route.events:
            return False
    if event.startswith("service."):
        return True
    topic = payload["topic"]
    if route.topics is not None and topic is not None and topic not in route.topics:
        return False
    health = payload["health"]
    members = [(payload["province"]["code"], payload["source"]["kind"])]
    if health is not None and "sources" in health:
        members = [(m["province"]["code"], m["kind"]) for m in health["sources"]]
    return any(
        (route.provinces is None or code in route.provinces)
        and (route.kinds is None or kind in route.kinds)
        for code, kind in members
    )


def _notice_view(record: DocumentRecord) -> NoticeView:
    notice = record.notice
    assert notice is not None
    as_text = lambda value: str(value) if value is not None else None  # noqa: E731
    return {
        "notice_type": notice.notice_type,
        "project_number": notice.project_number,
        "project_name": notice.project_name,
        "buyer": notice.buyer,
        "agency": notice.agency,
        "budget_yuan": as_text(notice.budget_yuan),
        "total_award_yuan": as_text(notice.total_award_yuan),
        "lots": [
            {
                "lot": lot.lot,
                "supplier": lot.supplier,
                "amount_yuan": as_text(lot.amount_yuan),
                "amount_raw": lot.amount_raw,
                "rate": as_text(lot.rate),
            }
            for lot in notice.lots
        ],
    }
