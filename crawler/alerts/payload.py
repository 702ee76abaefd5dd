"""The content of an alert, frozen when the alert is created.

An alert's payload is a JSON-friendly dict stored with the alert, so every channel and every
retry renders exactly what was true when the document was seen. Schema (version 1):

    {
      "schema_version": 1,
      "event": "document.new" | "document.updated" | "source.failing" | "source.blocked"
               | "source.empty" | "source.recovered" | "service.degraded" | "service.recovered",
      "idempotency_key": "<32 hex>",   # same for every retry and channel of this alert
      "alert_id": 123,
      "created_at": "2026-11-26T19:45:00+08:00",
      "topic": "blockchain" | null, "topic_label": "区块链" | null,
      "province": {"code": "620000", "name": "甘肃省"},
      "source": {"id": "gansu-policy", "name": "…", "kind": "policy"},
      "document": {"url", "title", "published_at", "doc_type", "doc_number", "publisher"} | null,
      "hits": [{"topic", "label", "count", "keywords": {kw: n}, "snippets": ["…【区块链】…"],
                "technologies": [...], "scenarios": [...]}],
      "notice": {"notice_type", "project_number", "project_name", "buyer", "agency",
                 "budget_yuan", "total_award_yuan",
                 "lots": [{"lot", "supplier", "amount_yuan", "amount_raw", "rate"}]} | null,
      "changes": ["hits", "title", "published_at", "attachments"],   # document.updated only
      "health": {"state", "detail", "failures_in_a_row", "since",
                 "count", "sources": [{"source_id", "name", "kind", "province", "detail",
                                       "failures_in_a_row", "since"}]} | null
    }

``health`` is set for ``source.*`` and ``service.*`` events. A ``source.*`` alert about one
source is exactly that source's state. When several sources met the same event within the
grouping window (``alerts.health_group_seconds``) the alert names them all: ``health.count``
and ``health.sources`` (first the one whose event came first) are added, ``province``,
``source`` and ``health.detail`` are the first source's, ``health.since`` the earliest and
``health.failures_in_a_row`` the most of any. ``service.degraded`` says the service itself has
a problem (``health.detail``, e.g. a registry file that does not load; the service keeps
running on what it had); ``service.recovered`` that it is gone. Their ``source`` is
``{"id": "govwatch", "name": "govwatch 服务", "kind": "service"}`` and ``province`` is 全国.

Amounts are decimal strings in yuan. Times are ISO 8601 in Beijing time: the instants govwatch
records (``created_at``, ``health.since``) with their offset (``+08:00``), the times read from
a page (``document.published_at``) as the page gives them, Beijing local time without offset.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

SCHEMA_VERSION = 1
DOCUMENT_EVENTS = ("document.new", "document.updated")
HEALTH_EVENTS = ("source.failing", "source.blocked", "source.empty", "source.recovered")
SERVICE_EVENTS = ("service.degraded", "service.recovered")


class ProvinceRef(TypedDict):
    code: str
    name: str | None


class SourceRef(TypedDict):
    id: str | None
    name: str | None
    kind: str | None


class DocumentView(TypedDict):
    url: str
    title: str | None
    published_at: str | None
    doc_type: str | None
    doc_number: str | None
    publisher: str | None


class HitView(TypedDict):
    topic: str
    label: str
    count: int
    keywords: dict[str, int]
    snippets: list[str]
    technologies: list[str]
    scenarios: list[str]


class LotView(TypedDict):
    lot: str
    supplier: str | None
    amount_yuan: str | None
    amount_raw: str | None
    rate: str | None


class NoticeView(TypedDict):
    notice_type: str
    project_number: str | None
    project_name: str | None
    buyer: str | None
    agency: str | None
    budget_yuan: str | None
    total_award_yuan: str | None
    lots: list[LotView]


class HealthSourceView(TypedDict):
    """One source of a grouped health alert."""

    source_id: str
    name: str | None
    kind: str | None
    province: ProvinceRef
    state: str
    detail: str | None
    failures_in_a_row: int
    since: str | None


class HealthView(TypedDict):
    state: str
    detail: str | None
    failures_in_a_row: int
    since: str | None
    count: NotRequired[int]  # a grouped alert only: how many sources
    sources: NotRequired[list[HealthSourceView]]  # a grouped alert only


class AlertPayload(TypedDict):
    """One alert, as channels render it and the webhook sends it (webhook.schema.json)."""

    schema_version: int
    event: str
    idempotency_key: str
    alert_id: int | None  # set by storage when the alert is written
    created_at: str | None  # likewise
    topic: str | None
    topic_label: str | None
    province: ProvinceRef
    source: SourceRef
    document: DocumentView | None
    hits: list[HitView]
    notice: NoticeView | None
    changes: list[str]
    health: HealthView | None


SERVICE_SOURCE: SourceRef = {"id": "govwatch", "name": "govwatch 服务", "kind": "service"}
NATIONWIDE: ProvinceRef = {"code": "000000", "name": "全国"}


def sample_payload(event: str = "document.new") -> AlertPayload:
    """A realistic alert for ``govwatch alerts test`` and for channel tests.

    A ``source.*`` or ``service.*`` event gets the shape of such an alert (no document).
    """
    payload = _sample_document(event)
    if event in HEALTH_EVENTS or event in SERVICE_EVENTS:
        payload["topic"] = payload["topic_label"] = None
        payload["document"] = payload["notice"] = None
        payload["hits"] = []
        state = event.split(".", 1)[1]
        payload["health"] = {
            "state": "ok" if state == "recovered" else state,
            "detail": None if state == "recovered" else "连续 3 次抓取失败：HTTP 503",
            "failures_in_a_row": 3 if event in ("source.failing", "source.blocked") else 0,
            "since": "2026-11-26T06:00:00+08:00",
        }
    if event in SERVICE_EVENTS:
        payload["province"], payload["source"] = NATIONWIDE.copy(), SERVICE_SOURCE.copy()
        payload["health"] = {
            "state": "degraded" if event == "service.degraded" else "ok",
            "detail": "registry: /etc/govwatch/sources/gansu.toml: not valid TOML: "
            "Expected '=' after a key in a key/value pair (at line 12, column 8); "
            "still running the last good registry",
            "failures_in_a_row": 0,
            "since": "2026-11-26T06:00:00+08:00",
        }
    return payload


def sample_grouped_payload(event: str = "source.failing") -> AlertPayload:
    """A health alert about several sources at once (an outage), for templates and tests."""
    payload = sample_payload(event)
    payload["idempotency_key"] = "0" * 24 + "5a4d91e6"
    payload["province"] = {"code": "620000", "name": "甘肃省"}
    payload["source"] = {"id": "gansu-policy", "name": "甘肃省人民政府 政策文件", "kind": "policy"}
    first = "timeout: 连接超时（30 秒）"
    health: HealthView = {
        "state": "failing",
        "detail": first,
        "failures_in_a_row": 3,
        "since": "2026-11-26T06:00:00+08:00",
        "count": 3,
        "sources": [
            {
                "source_id": "gansu-policy",
                "name": "甘肃省人民政府 政策文件",
                "kind": "policy",
                "province": {"code": "620000", "name": "甘肃省"},
                "state": "failing",
                "detail": first,
                "failures_in_a_row": 3,
                "since": "2026-11-26T06:00:00+08:00",
            },
            {
                "source_id": "chongqing-policy",
                "name": "重庆市人民政府 行政规范性文件（市政府）",
                "kind": "policy",
                "province": {"code": "500000", "name": "重庆市"},
                "state": "failing",
                "detail": "connection: Connection refused",
                "failures_in_a_row": 3,
                "since": "2026-11-26T06:01:00+08:00",
            },
            {
                "source_id": "national-work-report",
                "name": "中国政府网 国务院政府工作报告",
                "kind": "work_report",
                "province": {"code": "000000", "name": "中央"},
                "state": "failing",
                "detail": None,
                "failures_in_a_row": 3,
                "since": "2026-11-26T06:02:00+08:00",
            },
        ],
    }
    payload["health"] = health
    if event != "source.failing":  # the same sources, in the state the event names
        state = "ok" if event == "source.recovered" else event.split(".", 1)[1]
        health["state"] = state
        for member in health.get("sources", []):
            member["state"] = state
            if state == "ok":
                member["detail"], member["failures_in_a_row"] = None, 0
        if state == "ok":
            health["detail"], health["failures_in_a_row"] = None, 0
    return payload


def _sample_document(event: str) -> AlertPayload:
    return {
        "schema_version": SCHEMA_VERSION,
        "event": event,
        "idempotency_key": "0" * 24 + "5a4d91e2",
        "alert_id": 0,
        "created_at": "2026-11-26T09:30:00+08:00",
        "topic": "blockchain",
        "topic_label": "区块链",
        "province": {"code": "620000", "name": "甘肃省"},
        "source": {
            "id": "gansu-procurement",
            "name": "甘肃政府采购网 采购公告",
            "kind": "procurement",
        },
        "document": {
            "url": "http://www.ccgp-gansu.gov.cn/web/article/142/0/1234567.html",
            "title": "甘肃省数据局区块链电子证照共享平台建设项目中标（成交）结果公告",
            "published_at": "2026-11-25T16:20:00",
            "doc_type": "中标公告",
            "doc_number": None,
            "publisher": "甘肃省数据局",
        },
        "hits": [
            {
                "topic": "blockchain",
                "label": "区块链",
                "count": 2,
                "keywords": {"区块链": 2},
                "snippets": [
                    "二、项目名称：甘肃省数据局【区块链】电子证照共享平台建设项目",
                    "依托【区块链】技术实现电子证照跨部门共享和数据上链存证。",
                ],
                "technologies": ["大数据"],
                "scenarios": ["政务服务", "司法存证"],
            }
        ],
        "notice": {
            "notice_type": "award",
            "project_number": "GSZC2026-118",
            "project_name": "甘肃省数据局区块链电子证照共享平台建设项目",
            "buyer": "甘肃省数据局",
            "agency": "甘肃某某招标代理有限公司",
            "budget_yuan": "2000000.00",
            "total_award_yuan": "1860000.00",
            "lots": [
                {
                    "lot": "1",
                    "supplier": "兰州链谷科技有限公司",
                    "amount_yuan": "1280000.00",
                    "amount_raw": "128万元",
                    "rate": None,
                },
                {
                    "lot": "2",
                    "supplier": "甘肃某某信息技术有限公司",
                    "amount_yuan": "580000.00",
                    "amount_raw": "580,000.00元",
                    "rate": None,
                },
            ],
        },
        "changes": [],
        "health": None,
    }
