"""The service on the embedded defaults: schedules, workers, HTTP endpoints, restarts, SIGTERM."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from crawler.config import load_settings
from replica import ReplicaThread
from scheduler.service import Service
from spiders.errors import UserError
from spiders.registry import PACKAGED_REGISTRY
from storage.database import Database
from storage.models import CrawlError, CrawlRun, Document
from tests.replica_crawl import REPO
from tests.service_helpers import free_port, use_only_env, wait_for

pytestmark = pytest.mark.e2e
SOURCES = ("gansu-policy", "chongqing-policy", "national-work-report")


def small_registry(directory: Path, schedule: str) -> Path:
    """The packaged files of a few sources, with a fast schedule."""
    directory.mkdir()
    for name in ("gansu", "chongqing", "national"):
        text = (PACKAGED_REGISTRY / f"{name}.toml").read_text(encoding="utf-8")
        blocks = text.split("[[source]]")
        kept = [b for b in blocks[1:] if any(f'id = "{s}"' in b for s in SOURCES)]
        body = "[[source]]".join([blocks[0], *kept])
        body = "\n".join(line for line in body.splitlines() if not line.startswith("schedule"))
        body = body.replace("[[source]]", f'[[source]]\nschedule = "{schedule}"')
        (directory / f"{name}.toml").write_text(body, encoding="utf-8")
    return directory


@pytest.fixture
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    with ReplicaThread(seed=51) as replica:
        env = {
            "GOVWATCH_REPLICA_URL": str(replica.base_url),
            "GOVWATCH_DATABASE_URL": f"sqlite:///{tmp_path}/govwatch.sqlite3",
            "GOVWATCH_DATA_DIR": str(tmp_path),
            "GOVWATCH_REGISTRY_DIR": str(small_registry(tmp_path / "registry", "every 3s")),
            "GOVWATCH_CRAWL__POLITE": "false",
            "GOVWATCH_SERVICE__HTTP_PORT": str(free_port()),
            "GOVWATCH_SERVICE__FIRST_RUN_WITHIN": "0.5",
            "GOVWATCH_SERVICE__WORKERS": "2",
        }
        use_only_env(monkeypatch, env)
        yield env


def runs(database_url: str) -> list[CrawlRun]:
    database = Database(database_url)
    with database.session() as session:
        found = list(session.scalars(select(CrawlRun).where(CrawlRun.finished_at.is_not(None))))
    database.dispose()
    return found


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_every_source_is_crawled_on_its_schedule_and_the_endpoints_answer(
    environment: dict[str, str],
) -> None:
    service = Service(load_settings())
    service.start()
    try:
        db_url = environment["GOVWATCH_DATABASE_URL"]
        wait_for(
            lambda: (
                {r.source_id for r in runs(db_url) if r.status == "ok"} >= set(SOURCES)
                and len(runs(db_url)) >= 6
            ),
            60,
            "two rounds of crawls",
        )
        status, body = get(f"{service.http_url}/healthz/ready")
        assert status == 200 and json.loads(body)["role"] == "scheduler"
        status, body = get(f"{service.http_url}/metrics")
        text = body.decode()
        assert status == 200 and 'govwatch_crawls_total{source="gansu-policy",status="ok"}' in text
        assert "govwatch_queue_depth" in text and "govwatch_job_duration_seconds_bucket" in text
    finally:
        service.stop()
    by_source: dict[str, list[CrawlRun]] = {}
    for run in runs(environment["GOVWATCH_DATABASE_URL"]):
        by_source.setdefault(run.source_id, []).append(run)
    for source_runs in by_source.values():  # never two crawls of one source at once
        source_runs.sort(key=lambda r: r.started_at)
        for earlier, later in itertools.pairwise(source_runs):
            assert earlier.finished_at is not None and earlier.finished_at <= later.started_at
    database = Database(environment["GOVWATCH_DATABASE_URL"])
    with database.session() as session:
        keys = list(session.scalars(select(Document.doc_key)))
    assert len(keys) == len(set(keys)) > 50


def test_a_crawl_queued_via_the_service_runs_there(environment: dict[str, str]) -> None:
    registry = small_registry(Path(environment["GOVWATCH_DATA_DIR"]) / "slow", "every 24h")
    os.environ["GOVWATCH_REGISTRY_DIR"] = str(registry)
    os.environ["GOVWATCH_SERVICE__FIRST_RUN_WITHIN"] = "3600"  # nothing scheduled soon
    service = Service(load_settings())
    service.start()
    try:
        queued = subprocess.run(
            [sys.executable, "-m", "crawler", "crawl", "-s", "gansu-policy", "--via-service"],
            cwd=REPO,
            env={**os.environ},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert queued.returncode == 0, queued.stderr
        assert "queued 1 crawls" in queued.stdout
        wait_for(
            lambda: (
                [r.source_id for r in runs(environment["GOVWATCH_DATABASE_URL"])]
                == ["gansu-policy"]
            ),
            60,
            "the queued crawl",
        )
    finally:
        service.stop()


def test_sigterm_finishes_the_crawl_in_hand_and_exits_cleanly(environment: dict[str, str]) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "run"],
        cwd=REPO,
        env={**os.environ},
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        db_url = environment["GOVWATCH_DATABASE_URL"]
        database = Database(db_url)

        def crawling() -> bool:
            try:
                with database.session() as session:
                    return (
                        session.scalar(select(CrawlRun.id).where(CrawlRun.finished_at.is_(None)))
                        is not None
                    )
            except Exception:
                return False

        wait_for(crawling, 60, "a crawl in progress")
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
        assert "stopped" in stderr
        with database.session() as session:
            unfinished = session.scalars(select(CrawlRun).where(CrawlRun.finished_at.is_(None)))
            assert list(unfinished) == []  # the crawl in hand finished before the exit
        database.dispose()
    finally:
        if process.poll() is None:
            process.kill()


def test_runs_missed_while_the_service_was_down_happen_once_after_a_restart(
    environment: dict[str, str],
) -> None:
    os.environ["GOVWATCH_REGISTRY_DIR"] = str(
        small_registry(Path(environment["GOVWATCH_DATA_DIR"]) / "fast", "every 1s jitter 0s")
    )
    os.environ["GOVWATCH_SERVICE__FIRST_RUN_WITHIN"] = "0"
    first = Service(load_settings(), workers=0)
    first.start()
    wait_for(lambda: first.queue.depth() >= 3, 10, "the first runs")
    first.stop()
    time.sleep(4)  # about four runs per source missed while down

    second = Service(load_settings(), workers=0)
    second.start()
    try:
        time.sleep(0.6)  # the missed runs fire at once, the next regular one a second later
        assert second.queue.depth() == len(SOURCES)  # one per source: coalesced, not lost
    finally:
        second.stop()


def test_run_from_a_folder_with_only_govwatch_toml_crawls_with_that_config(
    tmp_path: Path,
) -> None:
    """The README's setup: ./govwatch.toml in the working folder, `govwatch run`, nothing else.

    Every crawl of the service uses that file: documents land in its data directory, and every
    page comes from the replica it names (no other host is tried: no DNS or connection error).
    """
    workdir = tmp_path / "here"
    workdir.mkdir()
    registry = small_registry(tmp_path / "registry", "every 1h")
    data_dir = tmp_path / "data"
    with ReplicaThread(seed=52) as replica:
        (workdir / "govwatch.toml").write_text(
            f'data_dir = "{data_dir}"\n'
            f'registry_dir = "{registry}"\n'
            f'replica_url = "{replica.base_url}"\n'
            "[crawl]\npolite = false\n"
            f"[service]\nhttp_port = {free_port()}\nfirst_run_within = 0.5\nworkers = 2\n",
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "run"],
            cwd=workdir,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        database_url = f"sqlite:///{data_dir / 'govwatch.sqlite3'}"
        try:

            def all_ran() -> bool:
                if not (data_dir / "govwatch.sqlite3").exists():
                    return False
                try:
                    return {r.source_id for r in runs(database_url)} == set(SOURCES)
                except OperationalError:  # the file exists, its tables are being created
                    return False

            wait_for(
                all_ran,
                120,
                "one finished run of each source",
            )
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    finished = runs(database_url)
    assert {r.status for r in finished} == {"ok"}, [(r.source_id, r.status) for r in finished]
    database = Database(database_url)
    with database.session() as session:
        kinds = set(session.scalars(select(CrawlError.kind)))
        documents = session.scalar(select(func.count(Document.id)))
    database.dispose()
    assert not kinds & {"dns", "connection", "timeout"}, kinds
    assert documents and documents > 50


def test_the_service_serves_the_dashboard_and_its_crawl_button_queues_a_crawl(
    environment: dict[str, str],
) -> None:
    """`govwatch run`'s port answers the dashboard beside /healthz; the 数据源 page's button
    (with its cross-site token) queues a crawl that this service's workers run."""
    import http.cookiejar
    import re
    import urllib.parse

    registry = small_registry(Path(environment["GOVWATCH_DATA_DIR"]) / "slow", "every 24h")
    os.environ["GOVWATCH_REGISTRY_DIR"] = str(registry)
    os.environ["GOVWATCH_SERVICE__FIRST_RUN_WITHIN"] = "3600"  # only the button crawls
    service = Service(load_settings())
    service.start()
    try:
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        status, body = get(f"{service.http_url}/healthz")
        assert status == 200 and json.loads(body)["status"] == "live"
        with browser.open(f"{service.http_url}/sources", timeout=10) as page:
            html = page.read().decode()
        assert page.status == 200 and "gansu-policy" in html and "立即抓取" in html
        token = re.search(r'name="csrf" value="([^"]+)"', html)
        assert token is not None
        form = urllib.parse.urlencode({"csrf": "not-the-token"}).encode()
        with pytest.raises(urllib.error.HTTPError) as refused:
            browser.open(f"{service.http_url}/sources/gansu-policy/crawl", data=form, timeout=10)
        assert refused.value.code == 403
        assert runs(environment["GOVWATCH_DATABASE_URL"]) == []
        form = urllib.parse.urlencode({"csrf": token.group(1)}).encode()
        with browser.open(
            f"{service.http_url}/sources/gansu-policy/crawl", data=form, timeout=10
        ) as answer:
            shown = answer.read().decode()
            notice = re.search(r'<p class="notice"[^>]*>([^<]*)<', shown)
            assert answer.status == 200 and notice is not None
            assert notice.group(1).startswith("已排队抓取 gansu-policy"), notice.group(1)
        wait_for(
            lambda: (
                [r.source_id for r in runs(environment["GOVWATCH_DATABASE_URL"])]
                == ["gansu-policy"]
            ),
            60,
            "the crawl queued from the page",
        )
        with browser.open(f"{service.http_url}/api/documents?topic=blockchain", timeout=10) as api:
            listed = json.loads(api.read())
        assert listed["total"] > 0
        assert {item["source_id"] for item in listed["documents"]} == {"gansu-policy"}
    finally:
        service.stop()


def test_the_service_refuses_to_show_its_dashboard_off_loopback_without_a_password(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_SERVICE__HTTP_HOST", "0.0.0.0")
    monkeypatch.setenv("GOVWATCH_SERVICE_TOKEN", "a-token-for-post-jobs")
    service = Service(load_settings(), workers=0)
    try:
        with pytest.raises(UserError, match=r"service.http_host: 0.0.0.0 .*GOVWATCH_WEB_PASSWORD"):
            service.start()
    finally:
        service.store.db.dispose()
