"""A small database for the dashboard's tests: work reports of two years, policies, a
procurement award with lots, a document with two versions, and alert deliveries (one failed).

Hits are what the crawl's matcher finds (crawler.match.matcher.Matcher), so the documents
list shows the same snippets a crawl would have stored.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from decimal import Decimal

from crawler.match.matcher import Matcher
from crawler.match.topics import load_topics
from storage.database import Database
from storage.models import Alert, Delivery, Document
from storage.repository import DocumentRecord, DocumentStore, LotRecord, NoticeRecord

REPORT_2023 = {
    "310000": "上海市政府工作报告。加快区块链技术在政务服务中的应用，推进一网通办。发展人工智能产业。",
    "440000": "广东省政府工作报告。推动制造业高质量发展。",
    "510000": "四川省政府工作报告。建设交通强省。",
}
REPORT_2024 = {
    "310000": "上海市政府工作报告。推进区块链与人工智能、大数据融合，发展农产品溯源。",
    "440000": "广东省政府工作报告。建设区块链服务网络，支撑跨境贸易通关便利。",
    "510000": "四川省政府工作报告。推进数字政府建设，区块链电子证照全面应用，运用5G。",
    "620000": "甘肃省政府工作报告。发展现代农业。",
}
POLICIES = 24  # more than one page of the documents list (20 a page)


def hits_of(matcher: Matcher, title: str | None, body: str) -> list[dict[str, object]]:
    text = "\n".join(p for p in (title, body) if p)
    return [{k: v for k, v in hit.to_dict().items() if k != "label"} for hit in matcher.match(text)]


def record(
    key: str, province: str, kind: str, title: str, body: str, day: datetime, **extra: object
) -> DocumentRecord:
    """A document as the fixture stores it (source ``<province>-<kind>``), with the hits the
    crawl's matcher finds in it."""
    made = DocumentRecord(
        doc_key=key,
        source_id=f"{province}-{kind}",
        province_code=province,
        kind=kind,
        url=f"https://www.example.gov.cn/{key}.html",
        title=title,
        published_at=day,
        body_text=body,
        **extra,  # type: ignore[arg-type]
    )
    made.hits = hits_of(_matcher(), title, body)
    return made


@functools.cache
def _matcher() -> Matcher:
    return Matcher(load_topics())


def fill(database_url: str) -> dict[str, int]:
    """Store the documents; returns ids the tests look for."""
    database = Database(database_url)
    store = DocumentStore(database)
    matcher = _matcher()
    records = []

    for year, reports in ((2023, REPORT_2023), (2024, REPORT_2024)):
        for code, body in reports.items():
            title, day = f"{year}年政府工作报告", datetime(year, 1, 20)
            records.append(record(f"report-{code}-{year}", code, "work_report", title, body, day))
    for index in range(POLICIES):
        topic = "区块链" if index % 2 == 0 else "交通"
        records.append(
            record(
                f"policy-{index}",
                "310000" if index % 3 else "440000",
                "policy",
                f"关于推进{topic}发展的通知（第{index}号）",
                f"为推进{topic}应用，现通知如下。第{index}条。",
                datetime(2024, 3, 1) + timedelta(days=index),
            )
        )
    award = NoticeRecord(
        notice_type="award",
        project_number="SC2024-001",
        project_name="区块链电子证照平台",
        buyer="四川省大数据中心",
        total_award_yuan=Decimal("1280000.00"),
        lots=[
            LotRecord(lot="1", supplier="成都链数科技有限公司", amount_yuan=Decimal("1280000.00"))
        ],
    )
    records.append(
        record(
            "award-1",
            "510000",
            "procurement",
            "四川省区块链电子证照平台采购项目成交公告",
            "项目名称：区块链电子证照平台。成交供应商：成都链数科技有限公司。成交金额：1280000元。",
            datetime(2024, 5, 6),
            notice=award,
        )
    )
    store.save_many(records)
    changed = DocumentRecord(**{**vars(records[-1])})
    changed.body_text += "补充说明：合同已签订，区块链平台上线时间为六月。"
    changed.hits = hits_of(matcher, changed.title, changed.body_text)
    store.save_many([changed])
    ids = _ids(database)
    _deliveries(database, ids["award"])
    database.dispose()
    return ids


def _ids(database: Database) -> dict[str, int]:
    with database.session() as session:
        rows = dict(session.query(Document.doc_key, Document.id).all())
    return {"award": rows["award-1"], "shanghai_2024": rows["report-310000-2024"]}


def _deliveries(database: Database, document_id: int) -> None:
    now = datetime(2024, 5, 6, 8, 0)
    with database.session() as session:
        alert = Alert(
            idempotency_key="k-award-1",
            event="document.new",
            topic="blockchain",
            document_id=document_id,
            source_id="510000-procurement",
            payload={"document": {"title": "四川省区块链电子证照平台采购项目成交公告"}},
            created_at=now,
        )
        session.add(alert)
        session.flush()
        session.add_all(
            [
                Delivery(
                    alert_id=alert.id,
                    channel="wecom",
                    status="failed",
                    attempts=3,
                    due_at=now + timedelta(hours=1),
                    last_error="HTTP 502 Bad Gateway",
                    created_at=now,
                ),
                Delivery(
                    alert_id=alert.id,
                    channel="mail",
                    status="delivered",
                    attempts=1,
                    due_at=now,
                    delivered_at=now,
                    created_at=now,
                ),
            ]
        )
