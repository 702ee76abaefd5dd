"""The dashboard keeps the analyst's tables it built (crawler.web.report_cache) only while the
year's documents stay as they were: any change to them is read at the next request."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.match.topics import load_topics
from crawler.reports.analyst_table import NoDocumentsError, build_year_report
from crawler.web.report_cache import YearReports
from storage.database import Database
from storage.repository import DocumentRecord, DocumentStore
from tests.web_fixtures import REPORT_2024, fill, record

TOPIC = load_topics()[0]
SHANGHAI, GANSU = "310000", "620000"


def _report(code: str, year: int, body: str, **changes: object) -> DocumentRecord:
    """The fixture's work report of ``code`` and ``year`` (same key and source), say ``body``."""
    made = record(
        f"report-{code}-{year}",
        code,
        "work_report",
        f"{year}年政府工作报告",
        body,
        datetime(year, 1, 20),
    )
    for name, value in changes.items():
        setattr(made, name, value)
    return made


def _row(tables: YearReports, code: str, year: int = 2024) -> tuple[int, int]:
    """(documents, mentions) of a province in the table the cache answers."""
    report = tables.get(TOPIC, kind="work_report", year=year)
    row = next(r for r in report.rows if r.province.code == code)
    return row.documents, row.mentions


def test_a_table_is_built_once_while_its_documents_stay_the_same(store: DocumentStore) -> None:
    fill(store.db.url)
    tables = YearReports(store.db)
    first = tables.get(TOPIC, kind="work_report", year=2024)
    assert tables.get(TOPIC, kind="work_report", year=2024) is first
    assert tables.built == 1
    # The same numbers as building it afresh.
    fresh = build_year_report(store.db, TOPIC, kind="work_report", year=2024)
    assert [(r.documents, r.mentions, r.sentences) for r in first.rows] == [
        (r.documents, r.mentions, r.sentences) for r in fresh.rows
    ]
    # Another year is another table; a change in 2023 leaves 2024's kept.
    tables.get(TOPIC, kind="work_report", year=2023)
    store.save_many([_report(SHANGHAI, 2023, "上海市政府工作报告。建设交通强市。")])
    assert tables.get(TOPIC, kind="work_report", year=2024) is first
    assert tables.built == 2


def test_every_kind_of_change_to_the_years_documents_is_read(store: DocumentStore) -> None:
    fill(store.db.url)
    tables = YearReports(store.db)
    assert _row(tables, SHANGHAI) == (1, 1)
    # Changed: 上海's report no longer mentions the topic.
    store.save_many([_report(SHANGHAI, 2024, "上海市政府工作报告。发展人工智能。")])
    assert _row(tables, SHANGHAI) == (1, 0)
    # Added: a second copy of 甘肃's report that does.
    store.save_many(
        [_report(GANSU, 2024, "甘肃省政府工作报告。推进区块链应用。", doc_key="gansu-copy")]
    )
    assert _row(tables, GANSU) == (2, 1)
    # Gone: the copy's page was removed.
    assert store.mark_gone("gansu-copy")
    assert _row(tables, GANSU) == (1, 0)
    # Moved to another province by a corrected registry, its text unchanged.
    store.save_many([_report(GANSU, 2024, REPORT_2024[GANSU], province_code="650000")])
    assert _row(tables, GANSU) == (0, 0)
    assert _row(tables, "650000") == (1, 0)
    # Re-dated into another year, its text unchanged: 2024 has one report fewer.
    store.save_many(
        [
            _report(
                SHANGHAI,
                2024,
                "上海市政府工作报告。发展人工智能。",
                published_at=datetime(2025, 1, 3),
            )
        ]
    )
    assert _row(tables, SHANGHAI) == (0, 0)
    assert _row(tables, SHANGHAI, 2025) == (1, 0)
    assert tables.built == 7


def test_a_topic_with_other_words_is_another_table(store: DocumentStore) -> None:
    fill(store.db.url)
    tables = YearReports(store.db)
    assert _row(tables, "440000") == (1, 1)
    narrower = TOPIC.model_copy(update={"keywords": ["区块链服务网络"]})
    report = tables.get(narrower, kind="work_report", year=2024)
    assert [r.province.code for r in report.rows if r.mentioned] == ["440000"]
    assert tables.built == 2


def test_a_year_without_documents_is_said_each_time_and_never_kept(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/empty.sqlite3"
    database = Database(url)
    database.upgrade()
    tables = YearReports(database)
    for _ in range(2):
        with pytest.raises(NoDocumentsError):
            tables.get(TOPIC, kind="work_report", year=2024)
    assert tables.built == 0
    database.dispose()


def test_the_least_recently_read_table_goes_first(store: DocumentStore) -> None:
    fill(store.db.url)
    tables = YearReports(store.db, kept=1)
    tables.get(TOPIC, kind="work_report", year=2024)
    tables.get(TOPIC, kind="work_report", year=2023)
    tables.get(TOPIC, kind="work_report", year=2024)
    assert tables.built == 3
