"""``govwatch report bids``: procurement notices that mention the topic, who won, for how much."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from crawler.reports.bids import build_bids_report
from storage.repository import DocumentRecord, DocumentStore, LotRecord, NoticeRecord
from tests.analyst_cli import Govwatch

HIT = {
    "topic": "blockchain",
    "count": 1,
    "keywords": {"区块链": 1},
    "snippets": ["【区块链】电子证照平台"],
    "technologies": [],
    "scenarios": ["政务服务"],
}


def notice_document(
    key: str,
    province_code: str,
    notice: NoticeRecord,
    *,
    published: datetime,
    mentions_topic: bool = True,
) -> DocumentRecord:
    return DocumentRecord(
        doc_key=key,
        source_id=f"{province_code}-procurement",
        province_code=province_code,
        kind="procurement",
        url=f"https://ccgp.example.gov.cn/{key}.html",
        title=f"{notice.project_name}{'中标公告' if notice.notice_type == 'award' else '公告'}",
        published_at=published,
        body_text=f"{notice.project_name}。",
        hits=[dict(HIT)] if mentions_topic else [],
        notice=notice,
    )


@pytest.fixture
def store_with_notices(store: DocumentStore) -> DocumentStore:
    store.save_many(
        [
            notice_document(
                "sh-award-2024",
                "310000",
                NoticeRecord(
                    notice_type="award",
                    project_number="SH2024-001",
                    project_name="区块链电子证照平台",
                    buyer="上海市大数据中心",
                    announced_on=date(2024, 3, 1),
                    lots=[
                        LotRecord(
                            lot="1",
                            supplier="上海链谷科技有限公司",
                            amount_yuan=Decimal("1280000.00"),
                            amount_raw="128万元",
                            amount_kind="amount",
                        ),
                        LotRecord(
                            lot="2",
                            supplier="上海某某信息技术有限公司",
                            amount_kind="rate",
                            rate=Decimal("0.05"),
                            amount_raw="下浮率5%",
                        ),
                    ],
                ),
                published=datetime(2024, 3, 1, 9, 30),
            ),
            notice_document(
                "gd-tender-2024",
                "440000",
                NoticeRecord(
                    notice_type="tender",
                    project_name="区块链溯源平台",
                    buyer="广东省农业农村厅",
                    announced_on=date(2024, 4, 1),
                    # A tender's lot amount is a budget: listed as one, never summed as won.
                    lots=[LotRecord(lot="1", amount_yuan=Decimal("1000000.00"))],
                ),
                published=datetime(2024, 4, 1),
            ),
            notice_document(
                "gd-award-2024",
                "440000",
                NoticeRecord(
                    notice_type="award",
                    project_name="区块链溯源平台",
                    buyer="广东省农业农村厅",
                    announced_on=None,  # no date in the notice: its page's date counts
                    lots=[
                        LotRecord(
                            lot="1",
                            supplier="广州链上科技有限公司",
                            amount_yuan=Decimal("987654.32"),
                            amount_kind="amount",
                        )
                    ],
                ),
                published=datetime(2024, 5, 10),
            ),
            notice_document(
                "national-award-2024",
                "000000",
                NoticeRecord(
                    notice_type="award",
                    project_name="国家区块链服务网络运维",
                    buyer="国家信息中心",
                    announced_on=date(2024, 6, 1),
                    total_award_yuan=Decimal("3500000.00"),
                ),
                published=datetime(2024, 6, 1),
            ),
            notice_document(
                "sh-award-2023",
                "310000",
                NoticeRecord(
                    notice_type="award",
                    project_name="区块链存证系统",
                    buyer="上海市司法局",
                    announced_on=date(2023, 6, 1),
                    lots=[LotRecord(lot="1", supplier="旧供应商", amount_yuan=Decimal("100.00"))],
                ),
                published=datetime(2023, 6, 1),
            ),
            notice_document(
                "bj-award-2024-no-topic",
                "110000",
                NoticeRecord(
                    notice_type="award",
                    project_name="办公家具采购",
                    buyer="北京市某局",
                    announced_on=date(2024, 2, 1),
                    lots=[LotRecord(lot="1", supplier="家具公司", amount_yuan=Decimal("50000"))],
                ),
                published=datetime(2024, 2, 1),
                mentions_topic=False,
            ),
            notice_document(
                "sh-candidates-2024",
                "310000",
                NoticeRecord(
                    notice_type="candidates",  # ranked candidates: nobody has won yet
                    project_name="区块链政务链",
                    buyer="上海市大数据中心",
                    announced_on=date(2024, 2, 20),
                ),
                published=datetime(2024, 2, 20),
            ),
        ]
    )
    return store


def test_exact_yuan_per_lot_and_totals_per_province_and_year(
    store_with_notices: DocumentStore,
) -> None:
    report = build_bids_report(store_with_notices.db, topic="blockchain", label="区块链")

    # By province (GB/T 2260 order, national first), then year, then date.
    assert [n.doc_key for n in report.notices] == [
        "national-award-2024",
        "sh-award-2023",
        "sh-candidates-2024",
        "sh-award-2024",
        "gd-tender-2024",
        "gd-award-2024",
    ]
    totals = [
        (t.province.short_name, t.year, t.notices, t.awards, t.awarded_yuan) for t in report.totals
    ]
    assert totals == [
        ("全国", 2024, 1, 1, Decimal("3500000.00")),
        ("上海", 2023, 1, 1, Decimal("100.00")),
        # The lot at a rate adds no yuan; the candidates' notice is no award.
        ("上海", 2024, 2, 1, Decimal("1280000.00")),
        ("广东", 2024, 2, 1, Decimal("987654.32")),
    ]
    assert report.awarded_yuan == Decimal("5767754.32")


def test_year_and_province_narrow_the_report(store_with_notices: DocumentStore) -> None:
    in_2023 = build_bids_report(
        store_with_notices.db, topic="blockchain", label="区块链", year=2023
    )
    shanghai = build_bids_report(
        store_with_notices.db, topic="blockchain", label="区块链", province_codes=["310000"]
    )

    assert [n.doc_key for n in in_2023.notices] == ["sh-award-2023"]
    assert {n.province_code for n in shanghai.notices} == {"310000"}
    assert [(t.year, t.awarded_yuan) for t in shanghai.totals] == [
        (2023, Decimal("100.00")),
        (2024, Decimal("1280000.00")),
    ]


def test_json_lists_buyer_supplier_amount_date_province_project_and_type(
    database_url: str, store_with_notices: DocumentStore
) -> None:
    run = Govwatch(database_url)("report", "bids", "--since", "2024-01-01", "--format", "json")

    assert run.exit_code == 0, run.stderr
    data = json.loads(run.stdout)
    first = next(n for n in data["notices"] if n["project"] == "区块链电子证照平台")
    assert {k: first[k] for k in ("date", "province", "notice_type", "project", "buyer")} == {
        "date": "2024-03-01",
        "province": "上海",
        "notice_type": "award",
        "project": "区块链电子证照平台",
        "buyer": "上海市大数据中心",
    }
    assert [(lot["supplier"], lot["amount_yuan"], lot["rate"]) for lot in first["lots"]] == [
        ("上海链谷科技有限公司", "1280000.00", None),
        ("上海某某信息技术有限公司", None, "0.050000"),
    ]
    undated = next(
        n
        for n in data["notices"]
        if n["lots"] and n["lots"][0]["supplier"] == "广州链上科技有限公司"
    )
    assert undated["date"] == "2024-05-10"  # from the page, the notice had none
    assert data["totals"][-1] == {
        "province_code": "total",
        "province": "total",
        "year": None,
        "notices": 5,
        "awards": 3,
        "awarded_yuan": "5767654.32",
    }


def test_without_since_every_notice_that_mentions_the_topic_is_listed(
    database_url: str, store_with_notices: DocumentStore
) -> None:
    data = json.loads(Govwatch(database_url)("report", "bids", "-f", "json").stdout)

    projects = [n["project"] for n in data["notices"]]
    assert projects[:2] == ["国家区块链服务网络运维", "区块链存证系统"]  # national, then 上海 2023
    assert "办公家具采购" not in projects  # no 区块链 in it


def test_the_table_shows_one_line_per_lot_and_the_csv_parses(
    database_url: str, store_with_notices: DocumentStore
) -> None:
    govwatch = Govwatch(database_url)
    table = govwatch("report", "bids", "--since", "2024-01-01").stdout
    listed = govwatch("report", "bids", "-s", "2024-01-01", "-f", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(listed)))

    assert "上海链谷科技有限公司" in table and "1,280,000.00" in table
    assert "0.05 (下浮率5%)" in table
    assert "totals per province and year" in table
    assert [(r["province"], r["notice_type"], r["supplier"], r["amount_yuan"]) for r in rows] == [
        ("全国", "中标/成交", "", "3500000.00"),
        ("上海", "候选人公示", "", ""),
        ("上海", "中标/成交", "上海链谷科技有限公司", "1280000.00"),
        ("上海", "中标/成交", "上海某某信息技术有限公司", ""),
        ("广东", "招标", "", ""),
        ("广东", "中标/成交", "广州链上科技有限公司", "987654.32"),
    ]
    assert rows[4]["budget_yuan"] == "1000000.00"  # the tender's lot: a budget, not an award


def test_year_and_province_options_and_a_one_line_error_for_an_unknown_province(
    database_url: str, store_with_notices: DocumentStore
) -> None:
    govwatch = Govwatch(database_url)
    data = json.loads(govwatch("report", "bids", "--year", "2023", "-f", "json").stdout)
    shanghai = json.loads(govwatch("report", "bids", "-p", "上海", "-f", "json").stdout)
    unknown = govwatch("report", "bids", "--province", "atlantis")

    assert [n["project"] for n in data["notices"]] == ["区块链存证系统"]
    assert data["totals"][0]["year"] == 2023
    assert {n["province"] for n in shanghai["notices"]} == {"上海"}
    assert unknown.exit_code == 2 and "atlantis" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_a_bad_since_date_is_a_one_line_error(database_url: str) -> None:
    run = Govwatch(database_url)("report", "bids", "--since", "last week")

    assert run.exit_code == 2
    assert "--since 'last week': use a date like 2024-01-31" in run.stderr
