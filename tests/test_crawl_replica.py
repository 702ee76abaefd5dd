"""End to end: govwatch crawls the replica of the government web and stores what is there.

Each crawl runs ``python -m crawler crawl …`` in a child process, on SQLite and on PostgreSQL.
The replica's ground truth (``Replica.documents()``) says what a correct crawl must store.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from replica import ReplicaThread
from spiders.registry import load_registry
from storage.database import Database
from tests.replica_crawl import blockchain_count, run_govwatch, stored_documents

pytestmark = pytest.mark.e2e


@pytest.fixture
def replica() -> Iterator[ReplicaThread]:
    with ReplicaThread(seed=11) as running:
        yield running


def crawl(replica: ReplicaThread, database_url: str, tmp_path: Path, *args: str, **env: str):  # type: ignore[no-untyped-def]
    assert replica.base_url is not None
    return run_govwatch(
        ["crawl", *args, "--json"],
        replica_url=replica.base_url,
        database_url=database_url,
        data_dir=tmp_path,
        extra_env=env,
    )


def truth(replica: ReplicaThread, *source_ids: str) -> list[dict]:  # type: ignore[type-arg]
    return [d for d in replica.replica.documents() if d["source_id"] in source_ids]


def test_a_crawl_stores_every_document_with_the_right_fields_and_hits(
    replica: ReplicaThread, database_url: str, tmp_path: Path
) -> None:
    result = crawl(
        replica, database_url, tmp_path, "-s", "shanghai-policy", "-s", "shanghai-work-report"
    )
    assert result.returncode == 0, result.stderr
    assert {s["source_id"] for s in result.json["sources"]} == {
        "shanghai-policy",
        "shanghai-work-report",
    }
    stored = stored_documents(database_url)
    expected = truth(replica, "shanghai-policy", "shanghai-work-report")
    assert len(stored) == len(expected) > 60
    for doc in expected:
        document = stored[doc["real_url"]]
        assert document.title == doc["title"]
        assert document.published_at is not None
        assert document.published_at.date() == doc["published"]
        assert document.doc_number == doc["doc_number"]
        assert document.publisher == doc["publisher"]
        assert blockchain_count(document) == doc["blockchain_count"], doc["title"]
    report_2020 = stored["https://www.shanghai.gov.cn/nw12336/" + _tail(expected, 2020)]
    assert report_2020.kind == "work_report" and report_2020.doc_type == "政府工作报告"


def _tail(expected: list[dict], year: int) -> str:  # type: ignore[type-arg]
    doc = next(d for d in expected if d["title"] == f"{year}年上海市政府工作报告")
    return doc["real_url"].split("/nw12336/", 1)[1]


def test_gbk_portal_decodes_every_page_including_the_one_whose_header_lies(
    replica: ReplicaThread, database_url: str, tmp_path: Path
) -> None:
    result = crawl(replica, database_url, tmp_path, "--source", "gansu-policy")
    assert result.returncode == 0, result.stderr
    stored = stored_documents(database_url)
    expected = truth(replica, "gansu-policy")
    assert len(stored) == len(expected)
    liar = next(d for d in expected if d["lying_charset"])
    assert stored[liar["real_url"]].title == liar["title"]
    assert all(stored[d["real_url"]].title == d["title"] for d in expected)
    assert {d.encoding for d in stored.values()} == {"gb18030"}


def test_a_recrawl_fetches_no_known_detail_page_and_a_new_document_is_the_only_fetch(
    replica: ReplicaThread, database_url: str, tmp_path: Path
) -> None:
    assert crawl(replica, database_url, tmp_path, "-s", "gansu-policy").returncode == 0
    replica.replica.reset_counts()

    again = crawl(replica, database_url, tmp_path, "-s", "gansu-policy")
    assert again.returncode == 0, again.stderr
    assert again.json["documents"] == []
    assert list(replica.replica.request_counts()) == ["/www.gansu.gov.cn/gsszf/zcwj/index.html"]

    published = replica.replica.publish(
        "www.gansu.gov.cn",
        "/gsszf/zcwj/index.html",
        "甘肃省人民政府办公厅关于推进区块链产业发展的通知",
        ["各市州人民政府：", "推动区块链技术在政务服务、农产品质量安全追溯等领域的应用。"],
    )
    replica.replica.reset_counts()
    third = crawl(replica, database_url, tmp_path, "-s", "gansu-policy")
    assert third.returncode == 0, third.stderr
    assert [d["url"] for d in third.json["documents"]] == [published["real_url"]]
    hits = third.json["documents"][0]["hits"]
    assert hits[0]["keywords"] == {"区块链": 2}
    detail_requests = [p for p in replica.replica.request_counts() if "/t20" in p]
    assert detail_requests == [published["url_path"]]


def test_faults_are_retried_or_recorded_and_never_stored_as_documents(
    replica: ReplicaThread, database_url: str, tmp_path: Path
) -> None:
    docs = sorted(truth(replica, "chongqing-policy"), key=lambda d: d["url_path"])
    faults = {
        "flaky_503": dict(kind="status", status=503, times=1),  # retried, then served
        "dead_500": dict(kind="status", status=500),
        "slow": dict(kind="slow", delay=1.0),
        "hang": dict(kind="hang"),
        "reset": dict(kind="reset"),
        "truncate": dict(kind="truncate"),
        "wrong_charset": dict(kind="charset"),
        "soft404": dict(kind="soft404"),
    }
    victims = dict(zip(faults, docs, strict=False))
    for name, fault in faults.items():
        replica.replica.add_fault(victims[name]["url_path"], **fault)  # type: ignore[arg-type]

    first = crawl(
        replica,
        database_url,
        tmp_path,
        "--source",
        "chongqing-policy",
        GOVWATCH_CRAWL__TIMEOUT="2",
        GOVWATCH_CRAWL__RETRIES="1",
    )
    assert first.returncode == 1, "a run with failures exits 1"
    failures = {f["url"]: f["kind"] for f in first.json["sources"][0]["failures"]}
    assert failures == {
        victims["dead_500"]["real_url"]: "http_500",
        victims["hang"]["real_url"]: "timeout",
        victims["reset"]["real_url"]: "connection",
        victims["truncate"]["real_url"]: "truncated",
        victims["soft404"]["real_url"]: "soft_404",
    }
    stored = stored_documents(database_url)
    assert set(stored) == {d["real_url"] for d in docs} - set(failures)
    for name in ("flaky_503", "slow", "wrong_charset"):
        assert stored[victims[name]["real_url"]].title == victims[name]["title"]

    replica.replica.clear_faults()
    second = crawl(replica, database_url, tmp_path, "--source", "chongqing-policy")
    assert second.returncode == 0, second.stderr
    assert {d["url"] for d in second.json["documents"]} == set(failures)
    stored = stored_documents(database_url)
    assert {url: d.title for url, d in stored.items()} == {d["real_url"]: d["title"] for d in docs}


def test_an_unreachable_site_fails_the_run_and_stores_nothing(
    database_url: str, tmp_path: Path
) -> None:
    result = run_govwatch(
        ["crawl", "-s", "shanghai-policy", "-s", "shanghai-work-report", "--json"],
        replica_url="http://127.0.0.1:9",
        database_url=database_url,
        data_dir=tmp_path,
        extra_env={"GOVWATCH_CRAWL__RETRIES": "0"},
    )
    assert result.returncode == 1
    assert {s["status"] for s in result.json["sources"]} == {"failed"}
    assert stored_documents(database_url) == {}


def test_documents_beyond_a_sources_page_limit_are_said_to_be_unread_not_silently_missed(
    replica: ReplicaThread, database_url: str, tmp_path: Path
) -> None:
    """zhejiang-policy reads one list page (max_pages = 1 in the registry) of a column the
    replica serves on two requests: the other documents are not stored, and the crawl says why."""
    result = crawl(replica, database_url, tmp_path, "-s", "zhejiang-policy")
    assert result.returncode == 0, result.stderr
    [summary] = result.json["sources"]
    stored = stored_documents(database_url)
    expected = truth(replica, "zhejiang-policy")
    unread = [d for d in expected if d["real_url"] not in stored]
    assert unread and len(stored) == summary["stats"]["documents_new"] == 15
    assert summary["stats"]["list_pages_beyond_limit"] >= 1
    text = run_govwatch(  # the same first crawl, as a person reads it
        ["crawl", "-s", "zhejiang-policy", "--no-notify"],
        replica_url=replica.base_url,
        database_url=f"sqlite:///{tmp_path / 'text.sqlite3'}",
        data_dir=tmp_path,
    )
    assert "zhejiang-policy (1 list page more, limit 1)" in " ".join(text.stdout.split())


def test_every_source_stores_every_document_it_lists_or_says_why(tmp_path: Path) -> None:
    """The whole registry against the replica's ground truth: each document the replica
    serves for a source is stored, or the source's crawl recorded why it is not (a failure, or
    list pages left beyond the source's own page limit). No silent misses."""
    database_url = f"sqlite:///{tmp_path / 'govwatch.sqlite3'}"
    sources = [s.id for s in load_registry().enabled()]
    with ReplicaThread(seed=13) as replica:
        done = run_govwatch(
            ["crawl", *[a for s in sources for a in ("-s", s)], "--json", "--no-notify"],
            replica_url=str(replica.base_url),
            database_url=database_url,
            data_dir=tmp_path,
            extra_env={"GOVWATCH_CRAWL__MAX_PAGES": "100"},
            timeout=600,
        )
        truth = replica.replica.documents()
    assert done.returncode in (0, 1), done.stderr[-2000:]
    summaries = {s["source_id"]: s for s in done.json["sources"]}
    stored = stored_documents(database_url)
    truth = [doc for doc in truth if doc["source_id"] in summaries]  # enabled sources
    unexplained: dict[str, list[str]] = {}
    for doc in truth:
        if doc["real_url"] in stored:
            continue
        summary = summaries[doc["source_id"]]
        failed_urls = {failure["url"] for failure in summary["failures"]}
        lists_failed = bool(failed_urls & set(load_registry().get(doc["source_id"]).entry_urls))
        if summary["stats"].get("list_pages_beyond_limit") or lists_failed:
            continue  # said: pages left unread at the source's limit, or its list failed
        if doc["real_url"] not in failed_urls:
            unexplained.setdefault(doc["source_id"], []).append(doc["real_url"])
    assert unexplained == {}, {k: v[:3] for k, v in unexplained.items()}
    assert len(stored) >= 0.95 * len(truth), (len(stored), len(truth))


def test_a_run_cut_short_among_unknown_documents_makes_the_next_run_read_on(
    replica: ReplicaThread, database_url: str, tmp_path: Path
) -> None:
    """A crawl that stopped at its page limit on a page of unknown documents is 'partial';
    the next crawl does not stop at the first page it knows, and stores what lay beyond (the
    crash test, with crawls killed while documents piled up, lost these)."""
    first = crawl(replica, database_url, tmp_path, "-s", "gansu-policy",
                  GOVWATCH_CRAWL__MAX_PAGES="1")  # fmt: skip
    [summary] = first.json["sources"]
    assert summary["status"] == "partial" and summary["stats"]["stopped_among_unknown"] == 1
    expected = truth(replica, "gansu-policy")
    assert len(stored_documents(database_url)) < len(expected)
    second = crawl(replica, database_url, tmp_path, "-s", "gansu-policy")
    assert second.json["sources"][0]["status"] == "ok"
    stored = stored_documents(database_url)
    assert all(doc["real_url"] in stored for doc in expected)


def test_after_a_killed_crawl_the_next_one_reads_past_the_documents_it_stored(
    replica: ReplicaThread, database_url: str, tmp_path: Path
) -> None:
    """A crawl killed after storing the newest documents never finishes its run; the next
    crawl must not take the last finished run's 'ok' for a clean slate and stop at the first
    known page (make crash-test lost up to 104 of 200 alerts so)."""
    assert crawl(replica, database_url, tmp_path, "-s", "gansu-policy").returncode == 0
    published = [
        replica.replica.publish(
            "www.gansu.gov.cn",
            "/gsszf/zcwj/index.html",
            f"关于区块链应用的通知（{n}）",
            ["推进区块链。"],
        )["real_url"]
        for n in range(45)
    ]
    cut = crawl(replica, database_url, tmp_path, "-s", "gansu-policy",
                GOVWATCH_CRAWL__MAX_PAGES="1")  # fmt: skip
    assert cut.json["sources"][0]["stats"]["documents_new"] > 0
    database = Database(database_url)
    with database.engine.begin() as connection:  # what a SIGKILL leaves: a run never closed
        connection.execute(
            text(
                "update crawl_runs set finished_at = null, status = 'running' "
                "where id = (select max(id) from crawl_runs)"
            )
        )
    database.dispose()
    assert not all(url in stored_documents(database_url) for url in published)
    again = crawl(replica, database_url, tmp_path, "-s", "gansu-policy")
    assert again.returncode == 0, again.stderr
    stored = stored_documents(database_url)
    assert [url for url in published if url not in stored] == []
