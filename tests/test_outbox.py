"""Alerts are written with their documents, and the notifier delivers each exactly once.

Uses a scripted channel and an injected clock (a one-hour outage passes in a loop, not in an
hour); real SMTP and HTTP receivers are in test_channels.py and test_alerts_end_to_end.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import BaseModel

from crawler.alerts.channels.base import Channel, DeliveryError, channel_type
from crawler.alerts.compose import Alerting
from crawler.alerts.notifier import Notifier, backoff
from crawler.config import AlertSettings, ChannelConfig, load_settings
from crawler.match.topics import load_topics
from spiders.registry import load_registry
from storage.repository import DocumentRecord, DocumentStore, utcnow
from storage.source_health import RunResult


@channel_type("scripted")
class ScriptedChannel(Channel):
    """Fails while ``down`` is true; records what it was sent."""

    class Settings(BaseModel):
        pass

    def __init__(self, name: str, settings: BaseModel, templates: Any) -> None:
        super().__init__(name, settings, templates)
        self.down = False
        self.fatal = False
        self.sent: list[list[str]] = []

    def send(self, alerts: list[dict[str, Any]], delivery_id: str) -> None:
        if self.fatal:
            raise DeliveryError("550 mailbox unavailable", retryable=False)
        if self.down:
            raise DeliveryError("connection refused")
        self.sent.append([a["idempotency_key"] for a in alerts])


@pytest.fixture
def alerting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Alerting]:
    monkeypatch.setenv(
        "GOVWATCH_CHANNELS",
        '[{"name": "now", "type": "scripted"}, {"name": "daily", "type": "scripted",'
        ' "mode": "daily", "daily_at": "08:30"}, {"name": "gansu-only", "type": "scripted",'
        ' "route": {"provinces": ["甘肃"]}}]',
    )
    settings = load_settings()
    sources = {s.id: s for s in load_registry().sources}
    yield Alerting(settings, sources, load_topics())


# Recent, so the alerts are not held back by a baseline backfill window.
PUBLISHED = datetime.now().replace(microsecond=0) - timedelta(hours=1)


def record(version: str = "", **changes: Any) -> DocumentRecord:
    base = DocumentRecord(
        doc_key="www.cq.gov.cn/zwgk/t20261101_1.html",
        source_id="chongqing-policy",
        province_code="500000",
        kind="policy",
        url="https://www.cq.gov.cn/zwgk/t20261101_1.html",
        title="重庆市人民政府办公厅关于推进区块链应用的通知",
        published_at=PUBLISHED,
        body_text="推进区块链应用。" + version,
        hits=[
            {
                "topic": "blockchain",
                "count": 1,
                "keywords": {"区块链": 1},
                "snippets": ["推进【区块链】应用。"],
                "technologies": [],
                "scenarios": [],
            }
        ],
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_a_new_matching_document_gets_one_alert_routed_to_matching_channels(
    store: DocumentStore, alerting: Alerting
) -> None:
    store.save_many([record()], alerting)
    rows = store.deliveries()
    assert sorted(d.channel for d, _ in rows) == ["daily", "now"]  # not gansu-only
    _, alert = rows[0]
    assert alert.event == "document.new" and alert.payload["alert_id"] == alert.id
    assert alert.payload["document"]["title"] == "重庆市人民政府办公厅关于推进区块链应用的通知"
    assert alert.payload["province"]["name"] == "重庆市"
    daily = next(d for d, _ in rows if d.channel == "daily")
    assert daily.due_at > utcnow() and (daily.due_at.hour, daily.due_at.minute) == (0, 30)


def test_saving_the_same_document_again_creates_no_second_alert(
    store: DocumentStore, alerting: Alerting
) -> None:
    store.save_many([record()], alerting)
    store.save_many([record()], alerting)
    store.save_many([record(version=" ")], alerting)  # whitespace only: unchanged
    assert len({a.id for _, a in store.deliveries()}) == 1


def test_a_change_that_matters_is_one_updated_alert_and_chrome_is_none(
    store: DocumentStore, alerting: Alerting
) -> None:
    store.save_many([record()], alerting)
    store.save_many([record(version="（修订）")], alerting)  # text only: silent new version
    more = [
        {
            "topic": "blockchain",
            "count": 2,
            "keywords": {"区块链": 2},
            "snippets": [],
            "technologies": [],
            "scenarios": [],
        }
    ]
    store.save_many([record(version="再提区块链", hits=more)], alerting)
    events = sorted(a.event for _, a in store.deliveries() if _.channel == "now")
    assert events == ["document.new", "document.updated"]
    updated = next(a for _, a in store.deliveries() if a.event == "document.updated")
    assert updated.payload["changes"] == ["hits"]


def test_health_alerts_are_written_with_the_health_update(
    store: DocumentStore, alerting: Alerting
) -> None:
    for _ in range(3):
        store.record_health("gansu-policy", RunResult("failed", 0, "timeout"), alerting)
    assert store.deliveries() == []  # pending, to be grouped with other sources' events
    store.flush_health_events(alerting)
    store.record_health("gansu-policy", RunResult("ok", 20), alerting)
    store.flush_health_events(alerting)
    events = [a.event for d, a in store.deliveries() if d.channel == "gansu-only"]
    assert sorted(events) == ["source.failing", "source.recovered"]


def notifier_for(
    store: DocumentStore,
    alerting: Alerting,
    clock: list[datetime],
    policy: AlertSettings | None = None,
) -> tuple[Notifier, dict[str, ScriptedChannel]]:
    channels = {
        c.name: (c, ScriptedChannel(c.name, c.type_settings(), None))
        for c in alerting.settings.channels
    }
    notifier = Notifier(store, channels, policy or AlertSettings(), clock=lambda: clock[0])  # type: ignore[arg-type]
    return notifier, {name: pair[1] for name, pair in channels.items()}  # type: ignore[misc]


def test_the_notifier_survives_an_hour_long_outage_and_delivers_once_afterwards(
    store: DocumentStore, alerting: Alerting
) -> None:
    store.save_many([record()], alerting)
    clock = [utcnow()]
    notifier, channels = notifier_for(store, alerting, clock)
    channels["now"].down = True
    attempts = 0
    while clock[0] < utcnow() + timedelta(hours=1):
        report = notifier.drain()
        attempts += report.failed
        clock[0] += timedelta(minutes=1)
    assert 5 <= attempts <= 20  # backed off, not hammering once a minute
    [(delivery, _)] = [r for r in store.deliveries() if r[0].channel == "now"]
    assert delivery.status == "failed" and "connection refused" in (delivery.last_error or "")
    channels["now"].down = False
    clock[0] += timedelta(minutes=16)
    notifier.drain()
    notifier.drain()
    assert len(channels["now"].sent) == 1
    [(delivery, _)] = [r for r in store.deliveries() if r[0].channel == "now"]
    assert delivery.status == "delivered"


def test_an_error_retrying_cannot_fix_makes_the_delivery_dead_and_retry_revives_it(
    store: DocumentStore, alerting: Alerting
) -> None:
    store.save_many([record()], alerting)
    clock = [utcnow()]
    notifier, channels = notifier_for(store, alerting, clock)
    channels["now"].fatal = True
    assert notifier.drain().dead == 1
    assert [d.status for d, _ in store.deliveries(status="dead")] == ["dead"]
    channels["now"].fatal = False
    assert store.requeue_deliveries() == 1
    assert notifier.drain().delivered == 1
    [(delivery, _)] = [r for r in store.deliveries() if r[0].channel == "now"]
    assert delivery.attempts == 2  # the retry is one more try, the first one still counted


def test_a_send_whose_confirmation_was_lost_is_resent_after_its_lease_and_marked_once(
    store: DocumentStore, alerting: Alerting
) -> None:
    store.save_many([record()], alerting)
    now = utcnow()
    # A notifier leased the delivery, sent it, and died before recording the result.
    delivery_id, claimed = store.claim_deliveries("now", now, now + timedelta(seconds=5), 1)
    assert len(claimed) == 1
    clock = [now + timedelta(seconds=1)]
    notifier, channels = notifier_for(store, alerting, clock)
    assert notifier.drain().delivered == 0  # still leased: nobody else sends it
    clock[0] = now + timedelta(seconds=6)
    assert notifier.drain().delivered == 1
    key = claimed[0][1]["idempotency_key"]
    assert channels["now"].sent == [[key]]
    store.finish_deliveries(
        [claimed[0][0]], delivery_id, delivered=False, error="late", retry_at=now
    )
    assert [d.status for d, _ in store.deliveries() if d.channel == "now"] == ["delivered"]


def test_a_digest_channel_sends_everything_due_in_one_message(
    store: DocumentStore, alerting: Alerting
) -> None:
    store.save_many(
        [record(), record(doc_key="www.cq.gov.cn/b.html", url="https://www.cq.gov.cn/b.html")],
        alerting,
    )
    clock = [utcnow() + timedelta(days=1, hours=1)]
    notifier, channels = notifier_for(store, alerting, clock)
    notifier.drain()
    assert [len(batch) for batch in channels["daily"].sent] == [2]
    assert [len(batch) for batch in channels["now"].sent] == [1, 1]


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    policy = AlertSettings(backoff_base_seconds=30, backoff_cap_seconds=900)
    assert all(15 <= backoff(1, policy) <= 30 for _ in range(50))
    assert all(60 <= backoff(3, policy) <= 120 for _ in range(50))
    assert all(450 <= backoff(30, policy) <= 900 for _ in range(50))
    assert len({backoff(4, policy) for _ in range(20)}) > 1


def test_a_channel_config_with_an_unknown_type_or_key_is_named() -> None:
    from spiders.errors import UserError

    with pytest.raises(Exception, match="unknown channel type 'pigeon'"):
        ChannelConfig(name="x", type="pigeon")
    with pytest.raises(UserError):
        import os

        os.environ["GOVWATCH_CHANNELS"] = '[{"name": "x", "type": "webhook", "urll": "http://x"}]'
        try:
            load_settings()
        finally:
            del os.environ["GOVWATCH_CHANNELS"]
