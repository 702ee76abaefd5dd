"""The dashboard's JSON API (crawler.web.api) against its own OpenAPI document, with
schemathesis, and the documents list and full-text search on both database backends."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from crawler.config import Settings, load_settings
from crawler.match.matcher import Matcher
from crawler.match.topics import load_topics
from crawler.web.app import create_app
from crawler.web.dashboard import WebHost
from storage.database import Database
from storage.repository import DocumentRecord, DocumentStore
from tests.web_fixtures import fill, hits_of

pytestmark = pytest.mark.timeout(120)


def dashboard_settings(tmp_path: Path, database_url: str, **web: Any) -> Settings:
    """Settings of a test: its own data folder and database, no password unless given."""
    return load_settings(
        data_dir=tmp_path,
        database_url=database_url,
        web={"password_env": "GOVWATCH_DASHBOARD_TEST_PASSWORD", **web},
    )


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    folder = tmp_path_factory.mktemp("api")
    url = f"sqlite:///{folder / 'govwatch.sqlite3'}"
    Database(url).upgrade()
    fill(url)
    database = Database(url)
    host = WebHost(name="test", crawl_now=lambda ids: f"queued {', '.join(ids)}")
    yield create_app(dashboard_settings(folder, url), DocumentStore(database), host)
    database.dispose()


# The OpenAPI document does not depend on the data: it is read from an app over an empty
# in-memory database (nothing connects to it), and the calls go to ``api_app``.
# (schemathesis.pytest.from_fixture does not work with this pytest.)
schema = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(
        load_settings(database_url="sqlite://", web={"password_env": "GOVWATCH_DASHBOARD_UNSET"}),
        DocumentStore(Database("sqlite://")),
    ),
)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_openapi_document(api_app: FastAPI, case: schemathesis.Case) -> None:
    case.call_and_validate(app=api_app)


# -- the documents list and full-text search, on SQLite and on PostgreSQL ---------------------


def _keys(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [d["doc_key"] for d in answer.json()["documents"]]


def test_documents_list_and_search_on_both_backends(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GOVWATCH_DASHBOARD_TEST_PASSWORD", raising=False)
    fill(database_url)
    database = Database(database_url)
    store = DocumentStore(database)
    # An undated document that mentions the topic: listed after every dated one.
    undated = DocumentRecord(
        doc_key="undated-1",
        source_id="310000-policy",
        province_code="310000",
        kind="policy",
        url="https://www.example.gov.cn/undated-1.html",
        title="区块链试点名单",
        published_at=None,
        body_text="区块链试点单位名单如下。",
    )
    undated.hits = hits_of(Matcher(load_topics()), undated.title, undated.body_text)
    store.save_many([undated])
    app = create_app(dashboard_settings(tmp_path, database_url), store)
    with TestClient(app) as client:
        everything = client.get("/api/documents", params={"topic": "all", "per_page": 100})
        keys = _keys(everything)
        assert everything.json()["total"] == 33 and len(keys) == 33
        assert keys[0] == "award-1" and keys[-1] == "undated-1"
        dates = [d["published_on"] for d in everything.json()["documents"][:-1]]
        assert dates == sorted(dates, reverse=True)
        # Pages of 20: the second continues the first.
        first = client.get("/api/documents", params={"topic": "all"}).json()
        second = client.get("/api/documents", params={"topic": "all", "page": 2}).json()
        assert (first["pages"], second["page"], len(second["documents"])) == (2, 2, 13)
        assert [d["doc_key"] for d in first["documents"] + second["documents"]] == keys
        # The topic's documents (the default topic).
        topical = _keys(client.get("/api/documents", params={"per_page": 100}))
        assert len(topical) == 18 and topical[-1] == "undated-1"
        assert all("交通" not in k for k in topical)
        # Full-text search: every pair of neighbouring characters of the words.
        found = _keys(client.get("/api/documents", params={"topic": "all", "q": "区块链"}))
        assert found == topical
        transport = _keys(client.get("/api/documents", params={"topic": "all", "q": "交通"}))
        assert transport == [f"policy-{i}" for i in range(23, 0, -2)] + ["report-510000-2023"]
        both = client.get("/api/documents", params={"topic": "all", "q": "区块链 政务服务"})
        assert _keys(both) == ["report-310000-2023"]
        assert _keys(client.get("/api/documents", params={"q": "5G"})) == ["report-510000-2024"]
        assert _keys(client.get("/api/documents", params={"q": "上线时间"})) == ["award-1"]
        assert _keys(client.get("/api/documents", params={"q": "量子计算"})) == []
        assert _keys(client.get("/api/documents", params={"q": "，。！"})) == []
        # Search with the other filters.
        narrowed = client.get(
            "/api/documents",
            params={
                "topic": "all",
                "q": "通知",
                "province": "440000",
                "since": "2024-03-05",
                "until": "2024-03-20",
            },
        )
        assert _keys(narrowed) == ["policy-18", "policy-15", "policy-12", "policy-9", "policy-6"]
        # The page shows what the API lists.
        html = client.get("/", params={"topic": "all", "q": "区块链 政务服务"}).text
        assert '<strong id="total">1</strong>' in html and "<mark>区块链</mark>" in html
    database.dispose()


def test_a_document_through_the_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOVWATCH_DASHBOARD_TEST_PASSWORD", raising=False)
    url = f"sqlite:///{tmp_path / 'govwatch.sqlite3'}"
    Database(url).upgrade()
    fill(url)
    database = Database(url)
    app = create_app(dashboard_settings(tmp_path, url), DocumentStore(database))
    with TestClient(app) as client:
        listed = client.get("/api/documents", params={"q": "成交"}).json()["documents"]
        assert [d["doc_key"] for d in listed] == ["award-1"]
        award = client.get(f"/api/documents/{listed[0]['id']}").json()
    assert award["province"] == "四川" and award["published_on"] == "2024-05-06"
    assert award["version"] == 2 and [v["version"] for v in award["versions"]] == [1, 2]
    assert award["notice"]["project_number"] == "SC2024-001"
    assert award["notice"]["lots"][0]["supplier"] == "成都链数科技有限公司"
    assert award["notice"]["lots"][0]["amount_yuan"] == "1280000.00"
    assert {d["channel"]: d["status"] for d in award["deliveries"]} == {
        "wecom": "failed",
        "mail": "delivered",
    }
    assert any("上线时间为六月" in s for s in award["readings"][0]["sentences"])
    database.dispose()
