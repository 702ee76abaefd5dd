"""The crawl engine as the service runs it, against the replica.

- a cycle in which nothing changed costs one (conditional) request per source, answered 304
  where the site sends validators, and no detail page;
- a body-only edit of a known document is seen by the slow re-check rotation, as one
  ``document.updated`` alert saying what changed, and only then;
- a service worker keeps one engine process for many crawls, recycles it after
  ``worker_max_jobs`` crawls, gives a job back when its engine dies, and a crawl that hangs is
  ended by its timeout inside the engine (the engine is not killed for it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from crawler.config import Settings, load_settings
from replica import FaultKind, ReplicaThread
from scheduler.jobs import CrawlJob
from scheduler.locks import InProcessLocks
from scheduler.queue import InProcessQueue
from scheduler.worker import Worker
from spiders.registry import load_registry
from storage.database import Database
from storage.models import Alert
from tests.replica_crawl import run_govwatch
from tests.service_helpers import use_only_env, wait_for

pytestmark = pytest.mark.e2e

# One source of each family the replica imitates with a GET list or a POST/JSON API.
FAMILY_SOURCES = (
    "gansu-policy",  # TRS static
    "beijing-policy",  # TRS static, another portal
    "jiangsu-policy",  # Hanweb jpage
    "guangdong-policy",  # gkmlpt JSON
    "anhui-policy",  # generic list
    "anhui-procurement",  # ZCY (POST: no validators, items hashed)
    "heilongjiang-procurement",  # gpcms JSON (a cache-busting _t: no validators)
    "shaanxi-procurement",  # freecms JSON
    "national-ccgp-central",  # ccgp channel
    "national-ggzy",  # ggzy POST form
    "zhejiang-industry-notices",  # JCMS
    "heilongjiang-policy",  # search JSON
)
POST_SOURCES = {"anhui-procurement", "national-ggzy"}  # no validators: the items are hashed
# A GET whose URL carries a timestamp: no validators and no list hash; its items are all known.
CACHE_BUSTED = {"heilongjiang-procurement"}


def crawl(replica: ReplicaThread, tmp_path: Path, *sources: str, **env: str) -> dict[str, dict]:
    done = run_govwatch(
        ["crawl", *[a for s in sources for a in ("-s", s)], "--json"],
        replica_url=str(replica.base_url),
        database_url=f"sqlite:///{tmp_path / 'govwatch.sqlite3'}",
        data_dir=tmp_path,
        extra_env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {s["source_id"]: s for s in done.json["sources"]}


def test_a_cycle_where_nothing_changed_costs_one_conditional_request_per_source(
    tmp_path: Path,
) -> None:
    with ReplicaThread(seed=81) as replica:
        first = crawl(replica, tmp_path, *FAMILY_SOURCES)
        assert all(s["stats"].get("documents_new", 0) > 0 for s in first.values()), first
        replica.replica.reset_counts()
        again = crawl(replica, tmp_path, *FAMILY_SOURCES)
        counts = replica.replica.request_counts()
    # One request per list: a source of several lists (ggzy's channels) asks each once.
    lists = {s: len(load_registry().get(s).entry_urls) for s in FAMILY_SOURCES}
    assert sum(counts.values()) / sum(lists.values()) <= 1.05, counts
    for source_id, summary in again.items():
        stats = summary["stats"]
        assert summary["status"] == "ok", (source_id, summary)
        assert stats["requests"] == stats["list_pages"] == lists[source_id], (source_id, stats)
        assert not stats.get("details_fetched"), (source_id, stats)  # no detail parsed
        assert not stats.get("documents_new") and not stats.get("documents_changed")
        if source_id in CACHE_BUSTED:
            assert stats["details_skipped"] == stats["listed"] > 0, (source_id, stats)
            continue
        kind = "lists_unchanged" if source_id in POST_SOURCES else "lists_not_modified"
        assert stats.get(kind) == lists[source_id], (source_id, stats)  # 304, or same items


def alerts(tmp_path: Path, event: str) -> list[Alert]:
    database = Database(f"sqlite:///{tmp_path / 'govwatch.sqlite3'}")
    try:
        with database.session() as session:
            return list(session.scalars(select(Alert).where(Alert.event == event)))
    finally:
        database.dispose()


def test_a_body_only_edit_is_found_by_the_recheck_rotation_and_alerted_once(
    tmp_path: Path,
) -> None:
    recheck = {"GOVWATCH_CRAWL__RECHECK_EVERY_HOURS": "0.0001"}  # every crawl re-checks
    with ReplicaThread(seed=82) as replica:
        crawl(replica, tmp_path, "gansu-policy")  # baseline: no alerts
        doc = replica.replica.publish(
            "www.gansu.gov.cn",
            "/gsszf/zcwj/index.html",
            "甘肃省关于推进数字政府建设的通知",
            ["推进数字政府建设。", "加强区块链技术在政务服务中的应用。"],
        )
        crawl(replica, tmp_path, "gansu-policy")
        [new] = alerts(tmp_path, "document.new")
        assert new.payload["document"]["url"] == doc["real_url"]

        replica.replica.edit(
            doc["url_path"],
            body_paragraphs=[
                "推进数字政府建设。",
                "加强区块链技术在政务服务中的应用。",
                "建设全省统一的区块链电子证照共享平台。",
            ],
        )
        # Without the rotation the edit is invisible: the list entry did not change.
        unseen = crawl(replica, tmp_path, "gansu-policy", GOVWATCH_CRAWL__RECHECK_DAYS="0")
        assert not unseen["gansu-policy"]["stats"].get("documents_changed")
        assert alerts(tmp_path, "document.updated") == []

        seen = crawl(replica, tmp_path, "gansu-policy", **recheck)
        assert seen["gansu-policy"]["stats"].get("documents_changed") == 1, seen
        quiet = crawl(replica, tmp_path, "gansu-policy", **recheck)
        assert quiet["gansu-policy"]["stats"].get("rechecks_not_modified", 0) >= 1, quiet
    [updated] = alerts(tmp_path, "document.updated")
    assert updated.payload["document"]["url"] == doc["real_url"]
    assert "hits" in updated.payload["changes"]
    assert any("电子证照" in s for s in _snippets(updated.payload))


def _snippets(payload: dict) -> list[str]:
    return [str(snippet) for hit in payload.get("hits") or [] for snippet in hit["snippets"]]


# -- the service's workers ------------------------------------------------------------------


@pytest.fixture
def worker_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ReplicaThread, dict[str, str]]]:
    with ReplicaThread(seed=83) as replica:
        env = {
            "GOVWATCH_REPLICA_URL": str(replica.base_url),
            "GOVWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/govwatch.sqlite3",
            "GOVWATCH_DATA_DIR": str(tmp_path),
            "GOVWATCH_CRAWL__POLITE": "false",
            "GOVWATCH_CRAWL__TIMEOUT": "60",
        }
        use_only_env(monkeypatch, env)
        yield replica, env


def run_worker(settings: Settings, source_ids: list[str]) -> tuple[Worker, threading.Thread]:
    queue = InProcessQueue()
    for source_id in source_ids:
        queue.put(CrawlJob(source_id, "manual"))
    worker = Worker("test-worker", queue, InProcessLocks(), load_registry(), settings)
    thread = threading.Thread(target=worker.run, name="test-worker", daemon=True)
    thread.start()
    return worker, thread


def finished(worker: Worker) -> int:
    return worker.stats.done + worker.stats.failed


def stop(worker: Worker, thread: threading.Thread) -> None:
    worker.stop.set()
    thread.join(60)
    assert not thread.is_alive()


def test_a_worker_recycles_its_engine_after_worker_max_jobs_crawls(
    worker_settings: tuple[ReplicaThread, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_SERVICE__WORKER_MAX_JOBS", "2")
    monkeypatch.setenv("GOVWATCH_SERVICE__CRAWLS_PER_WORKER", "2")
    sources = ["gansu-policy", "beijing-policy", "jiangsu-policy", "anhui-policy", "tianjin-policy"]
    worker, thread = run_worker(load_settings(), sources)
    try:
        wait_for(lambda: finished(worker) == len(sources), 120, "five crawls")
    finally:
        stop(worker, thread)
    assert worker.stats.done == len(sources), worker.stats
    assert worker.stats.engines_started == 3  # 2 + 2 + 1 crawls


def test_a_hanging_crawl_is_ended_by_its_timeout_inside_the_engine(
    worker_settings: tuple[ReplicaThread, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    replica, _ = worker_settings
    replica.replica.add_fault("/www.gansu.gov.cn/gsszf/zcwj/index.html", FaultKind.HANG)
    monkeypatch.setenv("GOVWATCH_SERVICE__CRAWL_TIMEOUT", "2")
    results: list[dict] = []
    settings = load_settings()
    worker, thread = run_worker(settings, ["gansu-policy", "beijing-policy"])
    worker.on_result = lambda _source, result: results.append(result)
    started = time.monotonic()
    try:
        wait_for(lambda: finished(worker) == 2, 60, "both crawls")
    finally:
        stop(worker, thread)
    assert time.monotonic() - started < 30
    by_source = {r["sources"][0]["source_id"]: r for r in results}
    hung = by_source["gansu-policy"]
    assert hung["sources"][0]["status"] == "failed"
    assert "crawl_timeout" in hung["first_error"] and "did not finish within" in hung["first_error"]
    assert by_source["beijing-policy"]["sources"][0]["status"] == "ok"
    assert worker.stats.engines_started == 1  # ended by the engine, not by killing it


def test_a_job_in_hand_when_the_engine_dies_is_given_back_and_crawled_again(
    worker_settings: tuple[ReplicaThread, dict[str, str]],
) -> None:
    replica, _ = worker_settings
    replica.replica.add_fault(
        "/www.gansu.gov.cn/gsszf/zcwj/index.html", FaultKind.SLOW, delay=5.0, times=1
    )
    worker, thread = run_worker(load_settings(), ["gansu-policy"])
    try:
        wait_for(lambda: bool(worker._in_hand), 60, "the crawl in hand")
        time.sleep(0.5)
        worker._process.kill()
        wait_for(lambda: finished(worker) == 1, 90, "the crawl, given back and done again")
    finally:
        stop(worker, thread)
    assert worker.stats.done == 1 and worker.stats.requeued >= 1, worker.stats
    assert worker.stats.engines_started == 2


def test_jobs_of_a_busy_site_wait_in_the_worker_while_other_sites_are_crawled(
    worker_settings: tuple[ReplicaThread, dict[str, str]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Polite, two crawl slots, three jobs of www.gansu.gov.cn queued before one of Beijing's.

    The site takes one request every 2 s, so its second and third crawls wait on it. Those
    jobs must not hold the worker's slots: Beijing is crawled at once, not after them.
    """
    replica, _ = worker_settings
    gansu = ["gansu-policy", "gansu-policy-search", "gansu-work-report"]
    crawl(replica, tmp_path, *gansu, "beijing-policy")  # known: each crawl is now one request
    monkeypatch.setenv("GOVWATCH_CRAWL__POLITE", "true")
    monkeypatch.setenv("GOVWATCH_CRAWL__DOWNLOAD_DELAY", "2")
    monkeypatch.setenv("GOVWATCH_SERVICE__CRAWLS_PER_WORKER", "2")
    order: list[str] = []
    worker, thread = run_worker(load_settings(), [*gansu, "beijing-policy"])
    worker.on_result = lambda source_id, _result: order.append(source_id)
    try:
        wait_for(lambda: finished(worker) == 4, 90, "four crawls")
    finally:
        stop(worker, thread)
    assert worker.stats.done == 4, worker.stats
    assert order.index("beijing-policy") < order.index("gansu-policy-search"), order
    assert order.index("gansu-policy-search") < order.index("gansu-work-report"), order
