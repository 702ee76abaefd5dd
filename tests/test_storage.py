"""Storage on both backends: SQLite (embedded) and PostgreSQL (shared)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.database import Database
from storage.models import Base
from storage.repository import DocumentRecord, DocumentStore, SaveOutcome, listing_fingerprint
from storage.search import is_backend_specific

HIT = {
    "topic": "blockchain",
    "count": 1,
    "keywords": {"区块链": 1},
    "snippets": ["推进【区块链】应用。"],
    "technologies": [],
    "scenarios": ["政务服务"],
}


def record(**changes: object) -> DocumentRecord:
    base = DocumentRecord(
        doc_key="www.cq.gov.cn/a/t20240101_1.html",
        source_id="chongqing-policy",
        province_code="500000",
        kind="policy",
        url="https://www.cq.gov.cn/a/t20240101_1.html",
        title="关于推进区块链应用的通知",
        published_at=None,
        body_text="推进区块链应用。",
        listing_fingerprint=listing_fingerprint("关于推进区块链应用的通知", "2024-01-01"),
        hits=[dict(HIT)],
    )
    for key, value in changes.items():
        setattr(base, key, value)
    return base


def test_migrations_create_exactly_the_tables_the_models_describe(database_url: str) -> None:
    database = Database(database_url)
    assert database.is_current()
    with database.engine.connect() as connection:
        # Full-text search's tables differ by backend and are not models (storage/search.py).
        ours = {"include_name": lambda name, type_, _: not is_backend_specific(name, type_)}
        context = MigrationContext.configure(connection, opts=ours)
        diff = compare_metadata(context, Base.metadata)
    database.dispose()
    assert diff == []


def test_upgrading_twice_is_harmless(database_url: str) -> None:
    database = Database(database_url)
    database.upgrade()
    assert database.is_current()
    database.dispose()


def test_upgrading_drops_the_job_table_older_versions_let_apscheduler_create(
    database_url: str,
) -> None:
    database = Database(database_url)
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0005'"))
        connection.execute(text("DROP TABLE source_checks"))  # as a 0005 database is
        connection.execute(text("CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY)"))
    database.upgrade()
    assert database.is_current()
    assert "apscheduler_jobs" not in inspect(database.engine).get_table_names()
    database.dispose()


def test_a_document_is_new_then_unchanged_then_changed_when_its_text_changes(
    store: DocumentStore,
) -> None:
    assert store.save(record()) is SaveOutcome.NEW
    assert store.save(record()) is SaveOutcome.UNCHANGED
    assert (
        store.save(record(body_text="推进区块链应用。 ")) is SaveOutcome.UNCHANGED
    )  # only spacing
    assert store.save(record(body_text="推进区块链应用，加快落实。")) is SaveOutcome.CHANGED
    assert store.count_documents() == 1


def test_hits_are_replaced_when_a_document_changes(store: DocumentStore) -> None:
    store.save(record())
    store.save(record(body_text="全文不再提及。", hits=[]))
    assert store.documents_with_hits("blockchain") == []
    store.save(record(body_text="推进区块链应用，再次。", hits=[dict(HIT, count=2)]))
    [document] = store.documents_with_hits("blockchain")
    assert document.hits[0].count == 2 and document.hits[0].keywords == {"区块链": 1}


def test_known_listings_answer_the_seen_check_per_source(store: DocumentStore) -> None:
    store.save(record())
    store.save(record(doc_key="other", source_id="gansu-policy", url="http://other"))
    known = store.known_listings("chongqing-policy")
    assert known == {"www.cq.gov.cn/a/t20240101_1.html": record().listing_fingerprint}


def test_runs_record_their_errors_and_status(store: DocumentStore) -> None:
    assert store.last_run_status("chongqing-policy") is None
    run = store.begin_run("chongqing-policy").run_id
    store.record_error(run, "https://www.cq.gov.cn/x", "timeout", "took too long")
    assert store.last_run_status("chongqing-policy") is None  # not finished yet
    store.end_run(run, "partial", {"errors": 1})
    assert store.last_run_status("chongqing-policy") == "partial"
    [error] = store.run_errors(run)
    assert (error.kind, error.url) == ("timeout", "https://www.cq.gov.cn/x")


def test_chinese_text_round_trips_unchanged(store: DocumentStore) -> None:
    text = "甘肃省人民政府办公厅关于印发《甘肃省“区块链+政务服务”应用行动方案》的通知〔2024〕12号 朱镕基"
    store.save(record(title=text, body_text=text))
    document = store.get(record().doc_key)
    assert document is not None and document.title == text and document.body_text == text


def test_an_award_notice_is_stored_with_one_row_per_lot(store: DocumentStore) -> None:
    from decimal import Decimal

    from storage.repository import LotRecord, NoticeRecord

    notice = NoticeRecord(
        notice_type="award",
        project_number="GX2024-001",
        project_name="区块链电子证照平台",
        buyer="某市数据局",
        agency="某招标代理有限公司",
        budget_yuan=Decimal("2000000.00"),
        lots=[
            LotRecord(
                lot="1",
                supplier="北京链谷科技有限公司",
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
        details={"source": "test"},
    )
    store.save(record(notice=notice))
    document = store.get(record().doc_key)
    assert document is not None and document.notice is not None
    assert document.notice.buyer == "某市数据局"
    assert [(lot.lot, lot.supplier, lot.amount_yuan, lot.rate) for lot in document.notice.lots] == [
        ("1", "北京链谷科技有限公司", Decimal("1280000.00"), None),
        ("2", "上海某某信息技术有限公司", None, Decimal("0.050000")),
    ]


def test_an_attachment_that_changes_changes_the_document(store: DocumentStore) -> None:
    from storage.repository import AttachmentRecord

    first = AttachmentRecord(url="https://x/a.pdf", name="附件1.pdf", kind="pdf", text="无")
    assert store.save(record(attachments=[first])) is SaveOutcome.NEW
    assert store.save(record(attachments=[first])) is SaveOutcome.UNCHANGED
    second = AttachmentRecord(
        url="https://x/a.pdf", name="附件1.pdf", kind="pdf", text="区块链平台"
    )
    assert store.save(record(attachments=[second])) is SaveOutcome.CHANGED
    document = store.get(record().doc_key)
    assert document is not None and [a.text for a in document.attachments] == ["区块链平台"]
