"""Shared mode on real Redis and PostgreSQL: schedulers and workers as separate processes.

Two schedulers (one leads, one stands by), three workers, and a webhook; while they run, a
worker is killed with SIGKILL mid-job, the leading scheduler is killed, and Redis restarts.
Afterwards every document is stored once and every alert was delivered once.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from replica import FaultKind, ReplicaThread
from storage.database import Database
from storage.models import Alert, CrawlRun, Delivery, Document
from tests.conftest import PostgresSchema
from tests.receivers import WebhookReceiver
from tests.replica_crawl import REPO
from tests.service_helpers import PrivateRedis, free_port, wait_for
from tests.test_service_embedded import small_registry

pytestmark = pytest.mark.e2e
SECRET = "shared-mode-secret"


def role(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return str(json.loads(response.read())["role"])
    except OSError:
        return None


def test_schedulers_and_workers_share_the_work_and_survive_kills_and_a_redis_restart(
    tmp_path: Path,
) -> None:
    schema = PostgresSchema()
    redis = PrivateRedis(tmp_path).start()
    hook = WebhookReceiver(SECRET.encode()).start()
    processes: list[subprocess.Popen[bytes]] = []
    logs: list[Path] = []
    published: list[str] = []
    try:
        with ReplicaThread(seed=61) as replica:
            config = tmp_path / "govwatch.toml"
            config.write_text(
                '[alerts]\nlease_seconds = 2\n\n[[channels]]\nname = "hook"\ntype = "webhook"\n'
                f'url = "{hook.url}"\nsecret_env = "HOOK_SECRET"\n',
                encoding="utf-8",
            )
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")},
                "GOVWATCH_CONFIG": str(config),
                "HOOK_SECRET": SECRET,
                "GOVWATCH_DATABASE_URL": schema.url,
                "GOVWATCH_REDIS_URL": redis.url,
                "GOVWATCH_REPLICA_URL": str(replica.base_url),
                "GOVWATCH_DATA_DIR": str(tmp_path),
                "GOVWATCH_REGISTRY_DIR": str(
                    small_registry(tmp_path / "registry", "every 4s jitter 0s")
                ),
                "GOVWATCH_CRAWL__POLITE": "false",
                "GOVWATCH_SERVICE__LEADER_TTL": "3",
                "GOVWATCH_SERVICE__VISIBILITY_TIMEOUT": "8",
                "GOVWATCH_SERVICE__FIRST_RUN_WITHIN": "1",
                "GOVWATCH_SERVICE__NOTIFY_EVERY": "1",
            }
            govwatch = [sys.executable, "-m", "crawler"]
            subprocess.run(
                [*govwatch, "db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True
            )

            def start(*args: str) -> subprocess.Popen[bytes]:
                log = tmp_path / f"process-{len(processes)}-{args[0]}.log"
                with log.open("wb") as sink:
                    process = subprocess.Popen(
                        [*govwatch, *args], cwd=REPO, env=env, stdout=sink, stderr=sink
                    )
                processes.append(process)
                logs.append(log)
                return process

            ports = [free_port(), free_port()]
            schedulers = [start("run", "--scheduler-only", "--http-port", str(p)) for p in ports]
            workers = [start("worker", "--http-port", "0") for _ in range(3)]
            wait_for(
                lambda: sorted(filter(None, (role(p) for p in ports))) == ["scheduler", "standby"],
                30,
                "one leader and one standby",
            )
            database = Database(schema.url)

            def finished_runs() -> list[CrawlRun]:
                with database.session() as session:
                    return list(
                        session.scalars(select(CrawlRun).where(CrawlRun.finished_at.is_not(None)))
                    )

            wait_for(
                lambda: (
                    {r.source_id for r in finished_runs()}
                    >= {"gansu-policy", "chongqing-policy", "national-work-report"}
                ),
                90,
                "baseline crawls",
            )

            def publish(label: str) -> None:
                doc = replica.replica.publish(
                    "www.gansu.gov.cn",
                    "/gsszf/zcwj/index.html",
                    f"甘肃省关于区块链应用的通知（{label}）",
                    ["推进区块链技术应用。"],
                )
                published.append(doc["real_url"])

            publish("一")

            # A worker dies mid-job: wait until some crawl is running, then kill one worker.
            def running() -> bool:
                with database.session() as session:
                    return (
                        session.scalar(select(CrawlRun.id).where(CrawlRun.finished_at.is_(None)))
                        is not None
                    )

            # No-change crawls take milliseconds: the list answers slowly, twice, so a crawl
            # is surely caught running.
            replica.replica.add_fault(
                "/www.gansu.gov.cn/gsszf/zcwj/index.html", FaultKind.SLOW, delay=3.0, times=2
            )
            wait_for(running, 30, "a crawl in progress")
            workers[0].send_signal(signal.SIGKILL)
            # The leading scheduler dies; the standby takes over.
            leader = next(i for i, p in enumerate(ports) if role(p) == "scheduler")
            schedulers[leader].send_signal(signal.SIGKILL)
            wait_for(lambda: role(ports[1 - leader]) == "scheduler", 20, "the standby to lead")
            publish("二")
            redis.restart(down_for=2.0)
            publish("三")
            wait_for(lambda: len(hook.received) >= len(published), 120, "every alert delivered")
            time.sleep(3)  # anything still in flight lands
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                process.wait(60)

            with database.session() as session:
                alerts = list(session.scalars(select(Alert)))
                deliveries = list(session.scalars(select(Delivery)))
                keys = list(session.scalars(select(Document.doc_key)))
                runs = list(
                    session.scalars(select(CrawlRun).where(CrawlRun.finished_at.is_not(None)))
                )
            database.dispose()
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
        for log in logs:  # shown by pytest when the test fails
            lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
            print(f"--- {log.name} (last 40 of {len(lines)} lines)", *lines[-40:], sep="\n")
        hook.stop()
        redis.stop()
        schema.drop()

    assert len(keys) == len(set(keys)) > 50  # every document stored once
    new = sorted(a.payload["document"]["url"] for a in alerts if a.event == "document.new")
    assert new == sorted(published)  # one alert per published document, none lost, none doubled
    assert set(hook.received) == {a.idempotency_key for a in alerts}
    assert {d.status for d in deliveries} == {"delivered"} and len(deliveries) == len(alerts)
    by_source: dict[str, list[CrawlRun]] = {}
    for run in runs:
        by_source.setdefault(run.source_id, []).append(run)
    for source_runs in by_source.values():  # never two workers on one source at once
        source_runs.sort(key=lambda r: r.started_at)
        for earlier, later in itertools.pairwise(source_runs):
            assert earlier.finished_at is not None and earlier.finished_at <= later.started_at
