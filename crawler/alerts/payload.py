"""The content of an alert, frozen when the alert is created.

An alert's payload is a JSON-friendly dict stored with the alert, so every channel and every
retry renders exactly what was true when the document was seen. Schema (version 1):

    {
      "schema_version": 1,
      "event": "document.new" | "document.updated" | "source.failing" | "source.blocked"
               | "source.empty" | "source.recovered",
      "idempotency_key": "<32 hex>",   # same for every retry and channel of this alert
      "alert_id": 123,
      "created_at": "2026-11-26T19:45:00",
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
      "health": {"state", "detail", "failures_in_a_row", "since"} | null  # source.* only
    }

Amounts are decimal strings in yuan; dates are ISO 8601 in Beijing local time.
"""

from __future__ import annotations

from typing import TypedDict

SCHEMA_VERSION = 1
DOCUMENT_EVENTS = ("document.new", "document.updated")
HEALTH_EVENTS = ("source.failing", "source.blocked", "source.empty", "source.recovered")


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


class HealthView(TypedDict):
    state: str
    detail: str | None
    failures_in_a_row: int
    since: str | None


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


def sample_payload(event: str = "document.new") -> AlertPayload:
    """A realistic alert for ``govwatch alerts test`` and for channel tests."""
    return {
        "schema_version": SCHEMA_VERSION,
        "event": event,
        "idempotency_key": "0" * 24 + "5a4d91e2",
        "alert_id": 0,
        "created_at": "2026-11-26T09:30:00",
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
