"""The service refuses a bad start in one line, and reports and alerts what goes wrong later.

- ``govwatch run`` exits 2 with one line (no traceback) when the templates folder is missing,
  the HTTP port is taken or the registry does not load, before any scheduler starts;
- a registry edit that does not load makes ``/healthz/ready`` say so and writes one
  ``service.degraded`` alert through the outbox (delivered to a real webhook), cleared when
  the registry loads again;
- readiness needs a database that takes a write, a notifier that goes round, and crawls that
  are not all failing;
- the notifier loop, killed by an unexpected error, is restarted, logged and counted;
- an outage of several sources crawled by the service is one grouped ``source.failing``
  alert and one warning line.

Real SQLite and PostgreSQL, the replica on loopback, a real signature-checking webhook receiver.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from loguru import logger
from sqlalchemy import inspect, select

from crawler.config import load_settings
from crawler.logs import setup_logging
from replica import ReplicaThread
from scheduler.service import Service
from spiders.registry import load_registry
from storage.database import Database
from storage.models import Alert, PendingHealthEvent, SourceHealth
from storage.repository import utcnow
from storage.source_health import RunResult
from tests.conftest import PostgresSchema
from tests.guards import assert_one_line_refusal
from tests.receivers import WebhookReceiver
from tests.replica_crawl import REPO
from tests.service_helpers import free_port, use_only_env, wait_for
from tests.test_service_embedded import SOURCES, get, small_registry

pytestmark = pytest.mark.e2e
SECRET = "hook-secret"


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A service on its own data folder and port, scheduling nothing soon."""
    registry = tmp_path / "registry"
    if not registry.exists():
        small_registry(registry, "every 24h")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")},
        "GOVWATCH_DATA_DIR": str(tmp_path),
        "GOVWATCH_REGISTRY_DIR": str(registry),
        "GOVWATCH_SERVICE__HTTP_PORT": str(free_port()),
        "GOVWATCH_SERVICE__WORKERS": "0",
        "GOVWATCH_SERVICE__FIRST_RUN_WITHIN": "3600",
        **extra,
    }


def run_service(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crawler", "run"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("kind", ["missing", "a file"])
def test_run_refuses_a_templates_dir_that_is_not_a_folder(tmp_path: Path, kind: str) -> None:
    templates = tmp_path / "templates"
    if kind == "a file":
        templates.write_text("not a folder", encoding="utf-8")
    env = base_env(tmp_path, GOVWATCH_ALERTS__TEMPLATES_DIR=str(templates))
    assert_one_line_refusal(run_service(env), "alerts.templates_dir", str(templates))


def test_run_refuses_a_busy_port_before_it_schedules_anything(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    port = int(env["GOVWATCH_SERVICE__HTTP_PORT"])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()
        done = run_service(env)
    assert_one_line_refusal(done, f"127.0.0.1:{port}", "already in use", "http_port")
    database = Database(f"sqlite:///{tmp_path / 'govwatch.sqlite3'}")
    assert "apscheduler_jobs" not in inspect(database.engine).get_table_names()  # never started
    database.dispose()


def test_run_refuses_a_registry_that_does_not_load(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    broken = Path(env["GOVWATCH_REGISTRY_DIR"]) / "gansu.toml"
    broken.write_text(broken.read_text("utf-8") + "\n[[source]\n", encoding="utf-8")
    assert_one_line_refusal(run_service(env), str(broken), "not valid TOML")


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver(SECRET.encode()).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def service_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: WebhookReceiver
) -> dict[str, str]:
    """A service with a webhook channel and quick rounds, in this process's environment."""
    env = base_env(
        tmp_path,
        GOVWATCH_CHANNELS=json.dumps(
            [{"name": "hook", "type": "webhook", "url": hook.url, "secret_env": "HOOK_SECRET"}]
        ),
        HOOK_SECRET=SECRET,
        GOVWATCH_SERVICE__NOTIFY_EVERY="0.2",
        GOVWATCH_SERVICE__REGISTRY_RELOAD="0.2",
        GOVWATCH_ALERTS__HEALTH_GROUP_SECONDS="0",
    )
    use_only_env(monkeypatch, env)
    return env


def ready(service: Service) -> tuple[int, list[str]]:
    status, body = get(f"{service.http_url}/healthz/ready")
    return status, json.loads(body)["problems"]


def alerts(database_url: str, event: str) -> list[Alert]:
    database = Database(database_url)
    with database.session() as session:
        found = list(session.scalars(select(Alert).where(Alert.event == event)))
    database.dispose()
    return found


def hook_events(hook: WebhookReceiver) -> list[str]:
    return [alert["event"] for body in hook.bodies for alert in body["alerts"]]


def test_a_registry_edit_that_does_not_load_is_reported_and_alerted_once(
    service_env: dict[str, str], hook: WebhookReceiver
) -> None:
    db_url = f"sqlite:///{service_env['GOVWATCH_DATA_DIR']}/govwatch.sqlite3"
    gansu = Path(service_env["GOVWATCH_REGISTRY_DIR"]) / "gansu.toml"
    good = gansu.read_text("utf-8")
    service = Service(load_settings())
    service.start()
    try:
        wait_for(lambda: ready(service)[0] == 200, 10, "the service to be ready")
        gansu.write_text(good.replace("[[source]]", "[[source]", 1), encoding="utf-8")
        wait_for(lambda: ready(service)[0] == 503, 10, "readiness to report the registry")
        [problem] = ready(service)[1]
        assert problem.startswith(f"registry: {gansu}: not valid TOML") and "\n" not in problem
        assert "still running the last good registry" in problem
        wait_for(lambda: "service.degraded" in hook_events(hook), 10, "the degraded alert")
        os.utime(gansu)  # touched again, same problem: reloaded, but no second alert
        time.sleep(1.5)  # several reload and notifier rounds
        [degraded] = alerts(db_url, "service.degraded")
        assert hook_events(hook) == ["service.degraded"]
        assert str(gansu) in degraded.payload["health"]["detail"]
        assert degraded.payload["source"]["id"] == "govwatch"
        assert service.scheduler is not None and len(service.scheduler.get_jobs()) == 3

        gansu.write_text(good, encoding="utf-8")
        wait_for(lambda: ready(service)[0] == 200, 10, "readiness once the registry loads")
        wait_for(lambda: "service.recovered" in hook_events(hook), 10, "the recovered alert")
        assert hook_events(hook) == ["service.degraded", "service.recovered"]
        assert hook.bad_signatures == 0
    finally:
        service.stop()


@pytest.mark.parametrize(
    ("edited", "due_within"),
    [("every 30s", 33), ("cron 0 8 * * 1-5", 7 * 86400), ("every 72h", 3600)],
)
def test_a_schedule_edit_takes_effect_and_never_pauses_the_source(
    service_env: dict[str, str], edited: str, due_within: float
) -> None:
    """Editing a source's ``schedule`` reschedules it (APScheduler 3 would hold a job re-added
    without a next run time as paused for ever); lengthening it keeps a run already due sooner."""
    registry = Path(service_env["GOVWATCH_REGISTRY_DIR"])
    service = Service(load_settings())
    service.start()
    try:
        assert service.scheduler is not None
        scheduler = service.scheduler
        wait_for(lambda: len(scheduler.get_jobs()) == 3, 10, "the jobs to be scheduled")
        before = {job.id: job.next_run_time for job in scheduler.get_jobs()}
        gansu = registry / "gansu.toml"
        gansu.write_text(
            gansu.read_text("utf-8").replace('schedule = "every 24h"', f'schedule = "{edited}"'),
            encoding="utf-8",
        )
        job_id = "crawl:gansu-policy"
        wait_for(lambda: scheduler.get_job(job_id).name == edited, 10, "the edit to be loaded")
        job = scheduler.get_job(job_id)
        assert job.next_run_time is not None, "the edited source is paused"
        wait = (job.next_run_time - datetime.now(UTC)).total_seconds()
        assert 0 <= wait <= due_within, (edited, job.next_run_time)
        assert job.next_run_time <= before[job_id]  # never later than the old schedule had it
        others = {j.id: j.next_run_time for j in scheduler.get_jobs() if j.id != job_id}
        assert others == {k: v for k, v in before.items() if k != job_id}  # untouched
    finally:
        service.stop()


def test_a_restarted_service_keeps_each_sources_rhythm_from_its_last_crawl(
    service_env: dict[str, str],
) -> None:
    """Schedules are not kept in a job store: after a (re)start each source runs at its
    schedule's next time after its last crawl on record; an overdue or never-crawled source
    runs within ``first_run_within`` (3600 s here), and not at once."""
    database = Database(f"sqlite:///{service_env['GOVWATCH_DATA_DIR']}/govwatch.sqlite3")
    database.upgrade()
    now = utcnow()
    ended = {
        "gansu-policy": now - timedelta(hours=1),
        "chongqing-policy": now - timedelta(hours=30),
    }
    with database.session() as session:
        for source_id, when in ended.items():
            session.add(SourceHealth(source_id=source_id, state="ok", since=when, updated_at=when))
    database.dispose()
    service = Service(load_settings())
    service.start()
    try:
        assert service.scheduler is not None
        scheduler = service.scheduler
        wait_for(lambda: ready(service)[0] == 200, 10, "the service to be ready")
        due = {
            job.id.removeprefix("crawl:"): job.next_run_time.astimezone(UTC).replace(tzinfo=None)
            for job in scheduler.get_jobs()
        }
    finally:
        service.stop()
    assert due["gansu-policy"] == ended["gansu-policy"] + timedelta(hours=24)  # its rhythm
    for overdue_or_new in ("chongqing-policy", "national-work-report"):
        assert now <= due[overdue_or_new] <= now + timedelta(seconds=3601), due


def test_the_first_run_by_a_cron_schedule_is_its_next_time_after_the_last_crawl() -> None:
    from scheduler.service import _first_run
    from spiders.schedules import parse_schedule

    weekdays_at_8 = parse_schedule("cron 0 8 * * 1-5")
    beijing = ZoneInfo("Asia/Shanghai")
    friday_9 = datetime(2026, 12, 4, 9, 0, tzinfo=beijing)
    saturday = datetime(2026, 12, 5, 12, 0, tzinfo=beijing)
    monday_8 = datetime(2026, 12, 7, 8, 0, tzinfo=beijing)
    last = friday_9.astimezone(UTC).replace(tzinfo=None)  # as stored: naive UTC
    assert _first_run(weekdays_at_8, last, saturday, 300) == monday_8
    tuesday = datetime(2026, 12, 8, 12, 0, tzinfo=beijing)  # Monday's run was missed
    first = _first_run(weekdays_at_8, last, tuesday, 300)
    assert tuesday <= first <= tuesday + timedelta(seconds=300)


def test_readiness_needs_a_database_that_takes_a_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = PostgresSchema()
    try:
        Database(schema.url).upgrade()
        read_only = f"{schema.url}%20-cdefault_transaction_read_only%3Don"
        for key, value in base_env(tmp_path).items():
            monkeypatch.setenv(key, value)
        for url, expected in ((schema.url, None), (read_only, "read-only")):
            monkeypatch.setenv("GOVWATCH_DATABASE_URL", url)
            service = Service(load_settings(), run_scheduler=False, workers=0)
            problems = service._readiness_problems()
            service.store.db.dispose()
            if expected is None:
                assert problems == []
            else:
                [problem] = problems
                assert problem.startswith("database: a write failed") and expected in problem
    finally:
        schema.drop()


def test_readiness_reports_when_the_last_crawls_all_failed(service_env: dict[str, str]) -> None:
    service = Service(load_settings())
    service.start()
    try:
        wait_for(lambda: ready(service)[0] == 200, 10, "the service to be ready")
        service.outcomes.record("gansu-policy", "timeout", "killed after 1800s")
        for source_id in SOURCES[1:]:
            assert ready(service)[0] == 200  # too few to call it a pattern
            service.outcomes.record(source_id, "failed", "dns: www.example.gov.cn not found")
        status, problems = ready(service)
        assert status == 503
        assert problems == [
            "crawls: the last 3 crawls (3 sources) all failed; "
            "first: gansu-policy: killed after 1800s"
        ]
        service.outcomes.record("chongqing-policy", "partial", None)
        assert ready(service)[0] == 200
    finally:
        service.stop()


def test_the_notifier_is_restarted_after_an_unexpected_error(
    service_env: dict[str, str], hook: WebhookReceiver
) -> None:
    lines: list[str] = []
    sink = logger.add(lambda message: lines.append(str(message)), level="INFO")
    service = Service(load_settings())
    service.start()
    try:
        wait_for(lambda: ready(service)[0] == 200, 10, "the service to be ready")
        with service.store.db.session() as session:  # a row no code of ours writes
            session.add(
                PendingHealthEvent(
                    event="source.failing",
                    source_id="gansu-policy",
                    since=utcnow(),
                    health=[1],
                    created_at=utcnow(),
                )
            )
        wait_for(lambda: service.notifier_restarts >= 1, 10, "the notifier to die and restart")
        status, problems = ready(service)
        assert status == 503 and any(
            p.startswith("notifier:") and "TypeError" in p for p in problems
        ), problems
        assert any("notifier died (TypeError" in line and "restarting" in line for line in lines)
        _, metrics = get(f"{service.http_url}/metrics")
        restarts = next(
            line
            for line in metrics.decode().splitlines()
            if line.startswith("govwatch_notifier_restarts_total ")
        )
        assert float(restarts.split()[1]) >= 1

        with service.store.db.session() as session:
            session.query(PendingHealthEvent).delete()
        alerting = service._alerting
        assert alerting is not None
        service.store.record_health(
            "gansu-policy", RunResult("failed", 0, "timeout"), alerting, failures_in_a_row=1
        )
        wait_for(lambda: hook_events(hook) == ["source.failing"], 15, "the restarted notifier")
        wait_for(lambda: ready(service)[0] == 200, 10, "readiness once the notifier goes round")
    finally:
        service.stop()
        logger.remove(sink)


def test_an_outage_crawled_by_the_service_is_one_grouped_alert_and_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hook: WebhookReceiver
) -> None:
    registry = small_registry(tmp_path / "registry", "every 1h")
    with ReplicaThread(seed=53) as replica:
        for source in load_registry(registry).sources:
            url = urlsplit(source.entry_urls[0])
            replica.replica.add_fault(f"/{url.netloc}{url.path}", "status", status=503)
        env = base_env(
            tmp_path,
            GOVWATCH_REPLICA_URL=str(replica.base_url),
            GOVWATCH_CRAWL__POLITE="false",
            GOVWATCH_CRAWL__RETRIES="0",
            GOVWATCH_SERVICE__WORKERS="2",
            GOVWATCH_SERVICE__FIRST_RUN_WITHIN="0.5",
            GOVWATCH_SERVICE__NOTIFY_EVERY="0.5",
            GOVWATCH_ALERTS__FAILURES_IN_A_ROW="1",
            GOVWATCH_ALERTS__HEALTH_GROUP_SECONDS="20",
            GOVWATCH_CHANNELS=json.dumps(
                [{"name": "hook", "type": "webhook", "url": hook.url, "secret_env": "HOOK_SECRET"}]
            ),
            HOOK_SECRET=SECRET,
        )
        use_only_env(monkeypatch, env)
        lines: list[str] = []
        sink = logger.add(lambda message: lines.append(str(message)), level="WARNING")
        service = Service(load_settings())
        service.start()
        try:
            wait_for(lambda: hook_events(hook) != [], 90, "the outage alert")
            time.sleep(2.0)  # nothing more follows
        finally:
            service.stop()
            logger.remove(sink)
    [body] = hook.bodies
    [alert] = body["alerts"]
    assert alert["event"] == "source.failing"
    health: dict[str, Any] = alert["health"]
    assert health["count"] == 3
    assert sorted(s["source_id"] for s in health["sources"]) == sorted(SOURCES)
    assert all("503" in (s["detail"] or "") for s in health["sources"]), health["sources"]
    [warning] = [line for line in lines if "sources failing" in line]
    first = health["sources"][0]["source_id"]
    assert f"3 sources failing: {first}, " in warning and "; first error: " in warning


# -- security -------------------------------------------------------------------------------

TOKEN = "s3rvice-t0ken-for-tests"
ROBOT_TOKEN = "r0bot-access-t0ken"  # DingTalk-style: the secret is in the webhook's URL


def post_jobs(service: Service, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(f"{service.http_url}/jobs", body, headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_run_refuses_a_non_loopback_address_without_a_token(tmp_path: Path) -> None:
    env = base_env(tmp_path, GOVWATCH_SERVICE__HTTP_HOST="0.0.0.0")
    assert_one_line_refusal(
        run_service(env), "service.http_host: 0.0.0.0", "$GOVWATCH_SERVICE_TOKEN"
    )


def test_post_jobs_needs_the_token_and_json_and_crawl_via_service_sends_it(
    service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOVWATCH_SERVICE_TOKEN", TOKEN)
    service = Service(load_settings())
    service.start()
    try:
        wait_for(lambda: ready(service)[0] == 200, 10, "the service to be ready")
        body = json.dumps({"source_ids": ["gansu-policy"]}).encode()
        as_json = {"Content-Type": "application/json"}
        assert post_jobs(service, body, as_json) == 401
        assert post_jobs(service, body, {**as_json, "Authorization": "Bearer wrong"}) == 401
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert post_jobs(service, body, {**good, "Content-Type": "text/plain"}) == 415
        assert post_jobs(service, body, {**good, **as_json}) == 202
        port = urlsplit(service.http_url).port
        env = {**os.environ, "GOVWATCH_SERVICE__HTTP_PORT": str(port)}
        via = [sys.executable, "-m", "crawler", "crawl", "-s", "gansu-policy", "--via-service"]
        done = subprocess.run(via, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0 and "queued 1 crawls" in done.stdout, done.stderr
        del env["GOVWATCH_SERVICE_TOKEN"]
        done = subprocess.run(via, cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
        assert_one_line_refusal(done, "HTTP 401", "$GOVWATCH_SERVICE_TOKEN")
    finally:
        service.stop()


def test_secrets_never_reach_the_log(
    service_env: dict[str, str], hook: WebhookReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The webhook's signing secret and the service token, with every log line kept (DEBUG,
    Scrapy's and the libraries' included), through a start, an alert delivered and a stop."""
    monkeypatch.setenv("GOVWATCH_SERVICE_TOKEN", TOKEN)
    channels = json.loads(service_env["GOVWATCH_CHANNELS"])
    dead_robot = f"http://127.0.0.1:{free_port()}/robot/send?access_token={ROBOT_TOKEN}"
    channels.append({"name": "robot", "type": "webhook", "url": dead_robot})
    monkeypatch.setenv("GOVWATCH_CHANNELS", json.dumps(channels))
    lines: list[str] = []
    setup_logging("DEBUG")
    sink = logger.add(lambda message: lines.append(str(message)), level="TRACE")
    gansu = Path(service_env["GOVWATCH_REGISTRY_DIR"]) / "gansu.toml"
    service = Service(load_settings())
    service.start()
    try:
        wait_for(lambda: ready(service)[0] == 200, 10, "the service to be ready")
        gansu.write_text("[[source]", encoding="utf-8")  # a degraded alert, delivered
        wait_for(lambda: "service.degraded" in hook_events(hook), 10, "the degraded alert")
        wait_for(lambda: bool(robot_error(service)), 10, "the robot channel to fail once")
    finally:
        service.stop()
        logger.remove(sink)
        setup_logging("WARNING")
    assert len(lines) > 10
    text = "\n".join(lines)
    assert SECRET not in text and TOKEN not in text and ROBOT_TOKEN not in text
    error = robot_error(service)
    assert error and ROBOT_TOKEN not in error, error  # shown by `govwatch alerts list`


def robot_error(service: Service) -> str | None:
    errors = [d.last_error for d, _ in service.store.deliveries() if d.channel == "robot"]
    return errors[0] if errors else None
