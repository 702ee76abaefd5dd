"""Health events of many sources become one alert per event kind (storage.repository).

An outage of many sources at once is one ``source.failing`` alert naming them all, and later
one ``source.recovered``, not one per source; an event of one source alone is alerted exactly
as before. Both database backends; real templates; the payload held to the webhook schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import jsonschema
import pytest

from crawler.alerts.channels.templates import Templates, alert_context
from crawler.alerts.channels.webhook import WebhookChannel
from crawler.alerts.compose import Alerting
from crawler.config import load_settings
from crawler.match.topics import load_topics
from spiders.registry import load_registry
from storage.diff_engine import idempotency_key
from storage.models import PendingHealthEvent
from storage.repository import DocumentStore, utcnow
from storage.source_health import RunResult
from tests.conftest import REPO

SCHEMA = json.loads(
    (REPO / "crawler" / "alerts" / "channels" / "webhook.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
OUTAGE = ("gansu-policy", "chongqing-policy", "national-work-report")


@pytest.fixture
def alerting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Alerting]:
    monkeypatch.setenv(
        "GOVWATCH_CHANNELS",
        '[{"name": "all", "type": "webhook", "url": "http://127.0.0.1:9/h"},'
        ' {"name": "gansu-only", "type": "webhook", "url": "http://127.0.0.1:9/g",'
        ' "route": {"provinces": ["甘肃"]}},'
        ' {"name": "shanghai-only", "type": "webhook", "url": "http://127.0.0.1:9/s",'
        ' "route": {"provinces": ["上海"]}},'
        ' {"name": "documents-only", "type": "webhook", "url": "http://127.0.0.1:9/d",'
        ' "route": {"events": ["document.new"]}}]',
    )
    settings = load_settings()
    yield Alerting(settings, {s.id: s for s in load_registry().sources}, load_topics())


def fail(store: DocumentStore, alerting: Alerting, source_id: str, detail: str) -> None:
    store.record_health(source_id, RunResult("failed", 0, detail), alerting, failures_in_a_row=1)


def pending(store: DocumentStore) -> list[tuple[str, str]]:
    with store.db.session() as session:
        return [(r.event, r.source_id) for r in session.query(PendingHealthEvent)]


def alerts_by_event(store: DocumentStore) -> dict[str, dict[str, Any]]:
    return {alert.event: alert.payload for _, alert in store.deliveries() if _.channel == "all"}


def _body(alerts: list[Any]) -> dict[str, Any]:
    return WebhookChannel("all", {"url": "http://127.0.0.1:9/h"}).body(alerts, "d" * 32)


def test_an_outage_of_three_sources_is_one_failing_alert_and_one_recovery(
    store: DocumentStore, alerting: Alerting
) -> None:
    for index, source_id in enumerate(OUTAGE):
        fail(store, alerting, source_id, f"connection: refused #{index}")
    assert store.deliveries() == [] and len(pending(store)) == 3

    groups = store.flush_health_events(alerting)
    assert [(g.event, g.source_ids, g.written) for g in groups] == [
        ("source.failing", list(OUTAGE), True)
    ]
    assert pending(store) == []
    [failing] = [a for _, a in store.deliveries() if _.channel == "all"]
    health = failing.payload["health"]
    assert health["count"] == 3 and health["detail"] == "connection: refused #0"
    assert [s["source_id"] for s in health["sources"]] == list(OUTAGE)
    assert [s["province"]["name"] for s in health["sources"]] == ["甘肃省", "重庆市", "中央"]
    assert health["sources"][1]["name"] == "重庆市人民政府 行政规范性文件（市政府）"
    assert health["sources"][2]["detail"] == "connection: refused #2"
    assert failing.payload["source"]["id"] == "gansu-policy"  # the first, for old receivers
    pairs = sorted((s["source_id"], s["since"]) for s in health["sources"])
    assert failing.idempotency_key == idempotency_key(
        "source.failing", *(part for pair in pairs for part in pair)
    )
    VALIDATOR.validate(_body([failing.payload]))

    for source_id in OUTAGE:
        store.record_health(source_id, RunResult("ok", 20), alerting)
    store.flush_health_events(alerting)
    events = alerts_by_event(store)
    assert sorted(events) == ["source.failing", "source.recovered"]
    assert events["source.recovered"]["health"]["count"] == 3
    VALIDATOR.validate(_body(list(events.values())))
    assert store.flush_health_events(alerting) == []  # nothing left: nothing written twice


def test_one_source_alone_gets_exactly_the_single_source_alert_of_before(
    store: DocumentStore, alerting: Alerting
) -> None:
    for _ in range(3):
        store.record_health("gansu-policy", RunResult("failed", 0, "timeout"), alerting)
    store.flush_health_events(alerting)
    [(_, alert)] = [(d, a) for d, a in store.deliveries() if d.channel == "all"]
    health = alert.payload["health"]
    assert set(health) == {"state", "detail", "failures_in_a_row", "since"}
    assert (health["state"], health["detail"], health["failures_in_a_row"]) == (
        "failing",
        "timeout",
        3,
    )
    assert alert.idempotency_key == idempotency_key(
        "source.failing", "gansu-policy", health["since"]
    )
    assert alert.payload["source"]["id"] == "gansu-policy"


def test_a_kind_waits_until_its_oldest_event_is_older_than_the_window(
    store: DocumentStore, alerting: Alerting
) -> None:
    fail(store, alerting, "gansu-policy", "timeout")
    store.record_health("shanghai-policy", RunResult("blocked", 0, "captcha"), alerting)
    assert store.flush_health_events(alerting, older_than=utcnow() - timedelta(seconds=60)) == []
    assert len(pending(store)) == 2
    fail(store, alerting, "chongqing-policy", "timeout")  # joins the waiting failures
    groups = store.flush_health_events(alerting, older_than=utcnow() + timedelta(seconds=1))
    assert sorted((g.event, len(g.source_ids)) for g in groups) == [
        ("source.blocked", 1),
        ("source.failing", 2),
    ]
    assert pending(store) == []


def test_a_grouped_alert_goes_to_every_channel_one_of_its_sources_would_reach(
    store: DocumentStore, alerting: Alerting
) -> None:
    for source_id in OUTAGE:
        fail(store, alerting, source_id, "timeout")
    store.flush_health_events(alerting)
    channels = sorted(d.channel for d, _ in store.deliveries())
    assert channels == ["all", "gansu-only"]  # no Shanghai source in it; not a document


def test_a_grouped_alert_reads_well_in_every_template(
    store: DocumentStore, alerting: Alerting
) -> None:
    for source_id in OUTAGE:
        fail(store, alerting, source_id, "HTTP 503")
    store.flush_health_events(alerting)
    [payload] = [a.payload for d, a in store.deliveries() if d.channel == "all"]
    templates = Templates()
    context = alert_context([payload], channel="all", delivery_id="d1")
    subject = templates.render("email_subject.txt", **context).strip()
    assert subject.startswith("[govwatch] 来源抓取失败 · 3 个来源：甘肃省人民政府 政策文件")
    text = templates.render("email.txt", **context)
    assert "【来源抓取失败】3 个来源" in text and "首个错误：HTTP 503" in text
    assert (
        "  · 重庆市 · 重庆市人民政府 行政规范性文件（市政府）（chongqing-policy）：HTTP 503" in text
    )
    html = templates.render("email.html", **context)
    assert "3 个来源" in html and "national-work-report" in html
    chat = templates.render("apprise_body.md", **context)
    assert "**来源抓取失败** · 3 个来源" in chat and "- 中央 · 中国政府网" in chat
