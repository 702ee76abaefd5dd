"""The alert payload is typed (crawler/alerts/payload.py), and what the webhook sends holds to
its published contract (crawler/alerts/channels/webhook.schema.json): the same fields in the
types and in the schema, and real alerts, written through storage, valid against it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, get_type_hints

import jsonschema
import pytest

from crawler.alerts.channels.webhook import WebhookChannel
from crawler.alerts.compose import Alerting
from crawler.alerts.payload import (
    DOCUMENT_EVENTS,
    HEALTH_EVENTS,
    SERVICE_EVENTS,
    AlertPayload,
    DocumentView,
    HealthSourceView,
    HealthView,
    HitView,
    LotView,
    NoticeView,
    ProvinceRef,
    SourceRef,
    sample_grouped_payload,
    sample_payload,
)
from crawler.config import load_settings
from crawler.match.topics import load_topics
from spiders.registry import load_registry
from storage.repository import DocumentRecord, DocumentStore, LotRecord, NoticeRecord
from storage.source_health import RunResult
from tests.conftest import REPO

SCHEMA = json.loads(
    (REPO / "crawler" / "alerts" / "channels" / "webhook.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def _schema_keys(definition: dict[str, Any]) -> set[str]:
    return set(definition["properties"])


def _nullable_object(node: dict[str, Any]) -> dict[str, Any]:
    """The object definition behind a property that may be null (``anyOf`` or a type list)."""
    for option in node.get("anyOf", [node]):
        if "$ref" in option:
            return SCHEMA["$defs"][option["$ref"].rsplit("/", 1)[1]]  # type: ignore[no-any-return]
        if "properties" in option:
            return option
    raise AssertionError(f"no object in {node}")


def test_the_payload_types_name_exactly_the_fields_of_the_schema() -> None:
    alert = SCHEMA["$defs"]["alert"]
    props = alert["properties"]
    pairs = [
        (AlertPayload, alert),
        (ProvinceRef, props["province"]),
        (SourceRef, props["source"]),
        (DocumentView, props["document"]),
        (HealthView, props["health"]),
        (HealthSourceView, SCHEMA["$defs"]["health_source"]),
        (HitView, SCHEMA["$defs"]["hit"]),
        (NoticeView, _nullable_object(props["notice"])),
        (LotView, SCHEMA["$defs"]["notice"]["properties"]["lots"]["items"]),
    ]
    for typed, definition in pairs:
        assert set(get_type_hints(typed)) == _schema_keys(definition), typed.__name__
    assert set(alert["required"]) == set(get_type_hints(AlertPayload))


def _body(alerts: list[Any]) -> dict[str, Any]:
    channel = WebhookChannel("analysts", {"url": "http://127.0.0.1:9/hook"})
    return channel.body(alerts, "d" * 32)


@pytest.mark.parametrize("event", DOCUMENT_EVENTS + HEALTH_EVENTS + SERVICE_EVENTS)
def test_every_sample_alert_is_a_valid_webhook_body(event: str) -> None:
    VALIDATOR.validate(_body([sample_payload(event)]))


@pytest.mark.parametrize("event", HEALTH_EVENTS)
def test_a_grouped_health_alert_is_a_valid_webhook_body(event: str) -> None:
    VALIDATOR.validate(_body([sample_grouped_payload(event)]))
    single = sample_grouped_payload(event)
    assert single["health"] is not None
    single["health"]["sources"] = single["health"]["sources"][:1]
    with pytest.raises(jsonschema.ValidationError):  # a group has at least two sources
        VALIDATOR.validate(_body([single]))


def test_a_service_alert_written_through_storage_is_a_valid_webhook_body(
    store: DocumentStore, alerting: Alerting
) -> None:
    payload = alerting.compose_service(
        "service.degraded", "f" * 32, "registry: x.toml: not valid TOML", datetime(2026, 12, 1)
    )
    assert store.write_alert(alerting, payload, source_id="govwatch")
    assert not store.write_alert(alerting, payload, source_id="govwatch")  # once per key
    [(delivery, alert)] = store.deliveries()
    assert delivery.channel == "hook" and alert.event == "service.degraded"
    VALIDATOR.validate(_body([alert.payload]))


def test_the_validator_rejects_a_payload_that_breaks_the_contract() -> None:
    broken = sample_payload()
    broken["idempotency_key"] = "not hex"
    with pytest.raises(jsonschema.ValidationError):
        VALIDATOR.validate(_body([broken]))


@pytest.fixture
def alerting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Alerting]:
    monkeypatch.setenv(
        "GOVWATCH_CHANNELS", '[{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/h"}]'
    )
    settings = load_settings()
    yield Alerting(settings, {s.id: s for s in load_registry().sources}, load_topics())


def _award(body: str = "") -> DocumentRecord:
    return DocumentRecord(
        doc_key="www.ccgp-gansu.gov.cn/web/article/1.html",
        source_id="gansu-procurement",
        province_code="620000",
        kind="procurement",
        url="http://www.ccgp-gansu.gov.cn/web/article/1.html",
        title="甘肃省数据局区块链电子证照平台建设项目成交结果公告",
        published_at=datetime.now().replace(microsecond=0) - timedelta(hours=2),
        body_text="区块链电子证照平台。" + body,
        doc_type="成交公告",
        hits=[
            {
                "topic": "blockchain",
                "count": 1,
                "keywords": {"区块链": 1},
                "snippets": ["【区块链】电子证照平台。"],
                "technologies": [],
                "scenarios": ["政务服务"],
            }
        ],
        notice=NoticeRecord(
            notice_type="award",
            project_number="GSZC2026-118",
            project_name="区块链电子证照平台建设项目",
            buyer="甘肃省数据局",
            budget_yuan=Decimal("2000000.00"),
            total_award_yuan=Decimal("1280000.00"),
            lots=[
                LotRecord(
                    lot="1",
                    lot_name=None,
                    supplier="兰州链谷科技有限公司",
                    supplier_address=None,
                    amount_yuan=Decimal("1280000.00"),
                    amount_raw="128万元",
                    amount_kind="amount",
                    rate=None,
                )
            ],
        ),
    )


def test_alerts_written_through_storage_are_valid_webhook_bodies(
    store: DocumentStore, alerting: Alerting
) -> None:
    store.save_many([_award()], alerting)
    more = _award("再次提到区块链。")
    more.hits[0]["count"] = 2
    store.save_many([more], alerting)  # document.updated
    for _ in range(3):
        store.record_health(
            "gansu-procurement", RunResult("failed", 0, "timeout"), alerting, failures_in_a_row=3
        )
    store.flush_health_events(alerting)
    payloads = [alert.payload for _, alert in store.deliveries()]
    events = sorted(p["event"] for p in payloads)
    assert events == ["document.new", "document.updated", "source.failing"]
    for payload in payloads:
        VALIDATOR.validate(_body([payload]))
    VALIDATOR.validate(_body(payloads))  # a digest


def test_the_instants_in_alerts_are_beijing_time_with_their_offset(
    store: DocumentStore, alerting: Alerting
) -> None:
    """created_at and health.since are the moments they were recorded, said in Beijing time
    (+08:00), as the schema describes; published_at stays the page's own local time."""
    before = datetime.now(UTC)
    store.save_many([_award()], alerting)
    for _ in range(3):
        store.record_health(
            "gansu-procurement", RunResult("failed", 0, "timeout"), alerting, failures_in_a_row=3
        )
    store.flush_health_events(alerting)
    payloads = {alert.payload["event"]: alert.payload for _, alert in store.deliveries()}
    stamps = [payloads["document.new"]["created_at"], payloads["source.failing"]["created_at"]]
    stamps.append(payloads["source.failing"]["health"]["since"])
    for stamp in stamps:
        assert stamp.endswith("+08:00"), stamp
        moment = datetime.fromisoformat(stamp)
        assert abs((moment - before).total_seconds()) < 60, (stamp, before)
    published = payloads["document.new"]["document"]["published_at"]
    assert published is not None and "+" not in published
    description = SCHEMA["$defs"]["local_datetime"]["description"]
    assert "+08:00" in description and "created_at" in description
