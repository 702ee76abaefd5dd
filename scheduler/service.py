"""The long-lived service: schedules, queue, workers, delivery, health and metrics.

Embedded mode (no ``redis_url``): one process, the in-process queue, SQLite by default.
Shared mode (``redis_url`` and PostgreSQL): ``govwatch run --scheduler-only`` on one host and
``govwatch worker`` on several share the jobs through Redis Streams; exactly one scheduler is
active at a time (a leader lock with expiry; a standby takes over when the leader dies).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hmac
import random
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp_asgi import ASGIResource
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from loguru import logger
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from crawler.alerts.compose import Alerting
from crawler.config import Settings
from crawler.fetch.engine import open_store
from crawler.web.access import check_exposure, is_loopback
from scheduler import metrics
from scheduler.backends import backends
from scheduler.crawl_outcomes import RecentOutcomes
from scheduler.jobs import CrawlJob
from scheduler.locks import Locks
from scheduler.queue import JobQueue
from scheduler.worker import Worker
from spiders.errors import UserError
from spiders.registry import Registry, load_registry
from spiders.schedules import TIMEZONE, Schedule, parse_schedule
from storage.diff_engine import idempotency_key
from storage.models import Delivery
from storage.repository import HealthGroup, utcnow

if TYPE_CHECKING:
    from crawler.alerts.channels.base import Channel
    from crawler.config import ChannelConfig

_ACTIVE: Service | None = None  # the running service, for APScheduler's stored job function


def enqueue_scheduled(source_id: str) -> None:
    """APScheduler's job: put a crawl of ``source_id`` on the queue (module-level: persisted)."""
    if _ACTIVE is not None:
        _ACTIVE.queue.put(CrawlJob(source_id, "schedule"))


class Service:
    def __init__(
        self,
        settings: Settings,
        *,
        run_scheduler: bool = True,
        workers: int | None = None,
    ) -> None:
        self.settings = settings
        self.run_scheduler = run_scheduler
        self.worker_count = settings.service.workers if workers is None else workers
        self.stop_event = threading.Event()
        # A registry that does not load is a refusal (UserError), before anything is opened.
        self.registry: Registry = load_registry(settings.registry_dir)
        self.store = open_store(settings)
        chosen = backends(settings)
        self.shared = chosen.shared
        self.queue: JobQueue = chosen.queue
        self.locks: Locks = chosen.locks
        self.role = "starting"
        self.scheduler: BackgroundScheduler | None = None
        self.workers: list[Worker] = []
        self.threads: list[threading.Thread] = []
        self.http_url: str | None = None
        self._registry_stamp: object = None
        # Health of the service itself, for /healthz/ready.
        self.outcomes = RecentOutcomes()  # workers record each finished crawl here
        self.registry_problem: str | None = None  # a registry file that does not load
        self._service_alert: dict[str, Any] | None = None  # written once the database takes it
        self._degraded_key: str | None = None
        self._channels: dict[str, tuple[ChannelConfig, Channel]] = {}
        self._alerting: Alerting | None = None
        self._notifier_thread: threading.Thread | None = None
        self.notifier_ok_at: float | None = None  # time.monotonic() of the last good round
        self.notifier_error: str | None = None  # why the last round failed, until one succeeds
        self.notifier_restarts = 0
        self.scheduler_error: str | None = None  # why the scheduler stopped, until it runs again
        self._lead_token: str | None = None
        self._wake_notifier = threading.Event()  # set when a crawl stored documents on topic
        self._notifier_busy_since: float | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        global _ACTIVE
        self._check_before_start()
        _ACTIVE = self
        self._start_http()  # a busy port is a refusal too, before scheduler and workers start
        if self.run_scheduler:
            self._spawn(self._schedule_loop, "scheduler")
            self._spawn(self._deliver_loop, "notifier")
        for index in range(self.worker_count):
            worker = Worker(
                f"{socket.gethostname()}-{threading.get_native_id()}-{index}",
                self.queue,
                self.locks,
                self.registry,
                self.settings,
                on_result=self._crawl_finished,
            )
            self.workers.append(worker)
            self._spawn(lambda w=worker: self._work(w), f"worker-{index}")
        if not self.run_scheduler:
            self.role = "worker"

    def _crawl_finished(self, source_id: str, result: dict[str, Any]) -> None:
        """A worker's crawl ended: note its outcome; new documents on topic wake the notifier,
        so a crawl triggered by hand alerts within seconds, not at the next round."""
        self.outcomes.record_result(source_id, result)
        if any(document.get("hits") for document in result.get("documents", [])):
            self._wake_notifier.set()

    def stop(self) -> None:
        """Stop scheduling, let each worker finish or give back its job, then return."""
        self.stop_event.set()
        self._wake_notifier.set()
        for worker in self.workers:
            worker.stop.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        for thread in self.threads:
            thread.join(timeout=self.settings.service.crawl_timeout)
        self._stop_http()

    def wait(self) -> None:
        while not self.stop_event.wait(1.0):
            pass

    def _spawn(self, target: Any, name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _check_before_start(self) -> None:
        """Refuse to start, with one line (UserError), on a mistake in the alert settings.

        The channels and templates are built here, not when the first alert is due.
        """
        alerts = self.settings.alerts
        if alerts.templates_dir is not None:
            path = alerts.templates_dir.expanduser()
            if not path.is_dir():
                problem = "is not a directory" if path.exists() else "does not exist"
                raise UserError(f"alerts.templates_dir: {path} {problem}")
        if not self.run_scheduler:
            return  # workers crawl; the schedulers alert
        from crawler.alerts.notifier import build_channels
        from crawler.match.topics import load_topics

        if self.settings.channels:
            self._channels = build_channels(self.settings.channels, alerts.templates_dir)
        topics = load_topics(self.settings.topics_file)
        self._alerting = Alerting(self.settings, {s.id: s for s in self.registry.sources}, topics)

    # -- scheduling ---------------------------------------------------------------------------

    def _make_scheduler(self) -> BackgroundScheduler:
        """APScheduler with its jobs in memory: a source's rhythm across restarts and changes
        of leader comes from when it was last crawled (:func:`_first_run`), so a run costs no
        job-store write (a database job store cost more CPU than the crawls it scheduled)."""
        return BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            timezone=TIMEZONE,
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    def _supervised(
        self, what: str, run: Callable[[], None], reset_after: float, crashed: Callable[[str], None]
    ) -> None:
        """Run ``run`` until it returns or the service stops; an unexpected error is logged
        with its traceback, handed to ``crashed`` (one line) and ``run`` starts again after a
        backoff (0.5 s doubling to 60 s, back to 0.5 s after ``reset_after`` seconds of good
        running), so no part of the service goes on silently dead."""
        crashes = restarts = 0
        while not self.stop_event.is_set():
            started = time.monotonic()
            try:
                run()
                return
            except Exception as exc:
                if time.monotonic() - started > reset_after:
                    crashes = 0  # it ran well for a while: restart soon
                crashes += 1
                restarts += 1
                error = f"{type(exc).__name__}: {exc}"[:300]
                delay = min(60.0, 0.5 * 2 ** (crashes - 1))
                logger.opt(exception=exc).error(  # logged before the state says so
                    "{} died ({}); restarting it in {:.1f}s (restart {})",
                    what,
                    error,
                    delay,
                    restarts,
                )
                crashed(error)
                self.stop_event.wait(delay)

    def _schedule_loop(self) -> None:
        """The scheduler, supervised: its error (a database that went away while the job store
        started, say) is shown in ``/healthz/ready`` until it runs again."""

        def run() -> None:
            self.scheduler = self._make_scheduler()
            (self._lead if self.shared else self._schedule_alone)()

        def crashed(error: str) -> None:
            self.scheduler_error, self.role = error, "starting"
            if self.scheduler is not None and self.scheduler.running:
                self.scheduler.shutdown(wait=False)

        self._supervised("scheduler", run, 60.0, crashed)

    def _schedule_alone(self) -> None:
        assert self.scheduler is not None
        self.scheduler.start()
        self._sync_jobs(force=True)
        self.scheduler_error = None
        self.role = "scheduler"  # ready only once the jobs are there
        while not self.stop_event.wait(self.settings.service.registry_reload):
            self._sync_jobs()

    def _lead(self) -> None:
        """Shared mode: schedule only while holding the leader lock; stand by otherwise.

        A scheduler that takes the lead builds its jobs afresh from the registry and the
        sources' last crawls, so it never fires the stale times it had before it stood by.
        """
        self.role = "standby"
        try:
            self._lead_rounds(self.settings.service.leader_ttl)
        finally:
            token, self._lead_token = self._lead_token, None
            if token is not None:
                with contextlib.suppress(Exception):  # Redis away: the lock expires by itself
                    self.locks.release("scheduler", token)

    def _lead_rounds(self, ttl: float) -> None:
        assert self.scheduler is not None
        last_sync = 0.0
        while not self.stop_event.is_set():
            if self._lead_token is None:
                self._lead_token = self.locks.acquire("scheduler", ttl)
                if self._lead_token is not None:
                    logger.info("scheduler: leading")
                    if not self.scheduler.running:
                        self.scheduler.start(paused=True)
                    self._sync_jobs(force=True)
                    self.scheduler.resume()
                    self.role = "scheduler"
                    self.scheduler_error = None
                    last_sync = time.monotonic()
            elif not self.locks.renew("scheduler", self._lead_token, ttl):
                logger.warning("scheduler: lost the lead; standing by")
                self.scheduler.pause()
                self._lead_token, self.role = None, "standby"
            elif time.monotonic() - last_sync > self.settings.service.registry_reload:
                self._sync_jobs()
                last_sync = time.monotonic()
            self.stop_event.wait(ttl / 3)

    def _sync_jobs(self, force: bool = False) -> None:
        """Make the scheduled jobs match the registry (on start, and when its files change)."""
        assert self.scheduler is not None
        stamp = _registry_stamp(self.settings)
        if not force and stamp == self._registry_stamp:
            self._write_service_alert()  # one the database did not take last time
            return
        self._registry_stamp = stamp
        try:
            registry = load_registry(self.settings.registry_dir)
        except Exception as exc:  # a broken edit must not stop the service: keep the old jobs
            problem = " ".join(str(exc).split())
            logger.error("registry not reloaded (still running the last good one): {}", problem)
            self._registry_trouble(problem, stamp)
            if not force:
                return
            registry = self.registry  # (re)starting: schedule the last good registry's jobs
        else:
            self._registry_trouble(None, stamp)
        self.registry = registry
        if self._alerting is not None:
            self._alerting.sources = {s.id: s for s in registry.sources}
        for worker in self.workers:
            worker.registry = registry
        wanted = {f"crawl:{s.id}": s for s in registry.enabled()}
        last_crawled: dict[str, datetime] = {}
        if force:  # (re)starting or taking the lead: the jobs come from the runs on record
            self.scheduler.remove_all_jobs()
            last_crawled = self.store.last_crawled()
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        for job_id in set(existing) - set(wanted):
            self.scheduler.remove_job(job_id)
        window = self.settings.service.first_run_within
        for job_id, source in wanted.items():
            job = existing.get(job_id)
            if job is not None and job.name == source.schedule:
                continue  # unchanged: keep its next run time
            schedule = parse_schedule(source.schedule)
            now = datetime.now(schedule.trigger.timezone)
            if job is None:
                first = _first_run(schedule, last_crawled.get(source.id), now, window)
            else:  # schedule edited: runs by the new schedule, and no later than it was due
                first = _first_run_after_edit(schedule, job.next_run_time, now)
            self.scheduler.add_job(
                enqueue_scheduled,
                trigger=schedule.trigger,
                id=job_id,
                name=source.schedule,
                kwargs={"source_id": source.id},
                replace_existing=True,
                misfire_grace_time=int(schedule.period.total_seconds()),
                next_run_time=first,
            )
        logger.info("scheduler: {} sources scheduled", len(wanted))

    def _registry_trouble(self, problem: str | None, stamp: object) -> None:
        """Note whether the registry loads; alert once when it stops, and once when it is back.

        The ``service.degraded`` key is derived from the problem and the registry files' names
        and times, so a standby taking the lead over the same broken files writes no second
        alert, while breaking the files again later is a new alert.
        """
        previous, self.registry_problem = self.registry_problem, problem
        if problem == previous or self._alerting is None:
            return
        if problem is not None:
            self._degraded_key = idempotency_key("service.degraded", "registry", problem, stamp)
            event, key = "service.degraded", self._degraded_key
            detail = f"registry: {problem}; still running the last good registry"
        else:
            event = "service.recovered"
            key = idempotency_key("service.recovered", self._degraded_key)
            detail = f"registry: loads again ({len(self.registry.sources)} sources)"
        self._service_alert = dict(
            self._alerting.compose_service(event, key, detail[:1000], utcnow())
        )
        self._write_service_alert()

    def _write_service_alert(self) -> None:
        if self._service_alert is None or self._alerting is None:
            return
        try:
            self.store.write_alert(self._alerting, self._service_alert, source_id="govwatch")
        except Exception as exc:  # the database is down: the next registry check tries again
            logger.error("{} alert not written yet: {}", self._service_alert["event"], exc)
            return
        self._service_alert = None

    # -- work ---------------------------------------------------------------------------------

    def _work(self, worker: Worker) -> None:
        while not self.stop_event.is_set():
            try:
                worker.run()
                return
            except Exception as exc:  # e.g. the queue's Redis away: the worker starts again
                logger.opt(exception=exc).error("{}: worker failed; restarting", worker.name)
                self.stop_event.wait(5.0)

    def _deliver_loop(self) -> None:
        """The notifier, supervised: rounds of grouping health alerts and delivering.

        An unexpected error ends the rounds; it is logged, counted
        (``govwatch_notifier_restarts_total``) and the rounds start again after a backoff.
        """
        self._notifier_thread = threading.current_thread()

        def crashed(error: str) -> None:
            self.notifier_restarts += 1
            metrics.NOTIFIER_RESTARTS.inc()
            self.notifier_error = error

        reset_after = 10 * self.settings.service.notify_every
        self._supervised("notifier", self._notifier_rounds, reset_after, crashed)

    def _notifier_rounds(self) -> None:
        """Each round: alert the grouped health events that are due, then deliver what is due.

        The first round runs at once. A database or network hiccup fails one round (logged);
        anything else ends the rounds (see :meth:`_deliver_loop`).
        """
        from crawler.alerts.notifier import Notifier

        assert self._alerting is not None
        notifier = Notifier(self.store, self._channels, self.settings.alerts)
        window = timedelta(seconds=self.settings.alerts.health_group_seconds)
        while True:
            self._notifier_busy_since = time.monotonic()
            try:
                groups = self.store.flush_health_events(
                    self._alerting, older_than=utcnow() - window
                )
                _log_health_groups(groups)
                if self._channels:
                    notifier.drain()
            except (SQLAlchemyError, OSError) as exc:  # next round retries
                self.notifier_error = f"{type(exc).__name__}: {exc}"[:300]
                logger.error("notifier round failed: {}", self.notifier_error)
            else:
                self.notifier_ok_at, self.notifier_error = time.monotonic(), None
                metrics.NOTIFIER_LAST_ROUND.set(time.time())
            finally:
                self._notifier_busy_since = None
            self._wake_notifier.wait(self.settings.service.notify_every)
            self._wake_notifier.clear()
            if self.stop_event.is_set():
                return

    # -- HTTP: health, metrics, queued crawls ----------------------------------------------

    def _start_http(self) -> None:
        service = self.settings.service
        if self.settings.service_token is None and not is_loopback(service.http_host):
            raise UserError(
                f"service.http_host: {service.http_host} is not a loopback address, so POST /jobs "
                f"would be open to the network: set a token in ${service.token_env} "
                "(service.token_env), or keep http_host = 127.0.0.1"
            )
        check_exposure(
            service.http_host,
            self.settings.web_password,
            key="service.http_host",
            env=self.settings.web.password_env,
        )
        dashboard = self._dashboard()
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            app = web.Application()
            app.router.add_get("/healthz", self._live)
            app.router.add_get("/healthz/live", self._live)
            app.router.add_get("/healthz/ready", self._ready)
            app.router.add_get("/metrics", self._metrics)
            app.router.add_post("/jobs", self._jobs)
            # Everything else is the dashboard, its API and feeds (matched after the above).
            app.router.register_resource(ASGIResource(_with_raw_query(dashboard), root_path="/"))
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, service.http_host, service.http_port).start()
            host, port = self._runner.addresses[0][:2]
            self.http_url = f"http://{host}:{port}"
            ready.set()

        failed: list[OSError] = []

        def run() -> None:
            try:
                self._loop.run_until_complete(serve())
            except OSError as exc:
                failed.append(exc)
                self._loop.run_until_complete(self._runner.cleanup())
                ready.set()
                return
            self._loop.run_forever()

        threading.Thread(target=run, name="http", daemon=True).start()
        ready.wait(10)
        if failed:
            where = f"{service.http_host}:{service.http_port}"
            if failed[0].errno == errno.EADDRINUSE:
                why = "is already in use (another govwatch service? choose another --http-port)"
            else:
                why = f"cannot be listened on: {failed[0].strerror or failed[0]}"
            raise UserError(f"service.http_host/http_port: {where} {why}")

    def _dashboard(self) -> Any:
        """The dashboard over this service's store: "crawl now" queues jobs, a retried
        delivery wakes the notifier, and it shows the registry in force."""
        from crawler.web.app import create_app
        from crawler.web.dashboard import WebHost

        host = WebHost(
            name="govwatch run",
            crawl_now=self._queue_now,
            deliver_now=self._wake_notifier.set if self.run_scheduler else None,
            registry=lambda: self.registry,
        )
        return create_app(self.settings, self.store, host)

    def _queue_now(self, source_ids: list[str]) -> str:
        for source_id in source_ids:
            self.queue.put(CrawlJob(source_id, "manual"))
        return f"已排队抓取 {'、'.join(source_ids)}（完成后刷新页面）"

    def _stop_http(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    async def _live(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "live", "role": self.role})

    async def _ready(self, request: web.Request) -> web.Response:
        problems = await asyncio.to_thread(self._readiness_problems)
        status = 200 if not problems else 503
        return web.json_response(
            {"ready": not problems, "role": self.role, "problems": problems}, status=status
        )

    def _readiness_problems(self) -> list[str]:
        """Why this process should not get traffic now; empty when ready.

        Ready means: the registry loads, the database takes a write, the notifier goes round
        (when channels are configured), the last crawls are not all failing, Redis answers
        (shared mode), and no shutdown is under way.
        """
        problems = []
        if self.registry_problem is not None:
            problems.append(
                f"registry: {self.registry_problem} (still running the last good registry)"
            )
        database = self._database_problem()
        if database is not None:
            problems.append(database)
        if self.scheduler_error is not None:
            problems.append(f"scheduler: {self.scheduler_error}")
        elif self.run_scheduler and self.role == "starting":
            problems.append("scheduler: starting")
        notifier = self._notifier_problem()
        if notifier is not None:
            problems.append(notifier)
        crawls = self.outcomes.all_failing(min_count=10)
        if crawls is not None:
            problems.append(crawls)
        if self.shared:
            try:
                self.queue.client.ping()  # type: ignore[attr-defined]
            except Exception as exc:
                problems.append(f"redis: {exc}"[:200])
        if self.stop_event.is_set():
            problems.append("shutting down")
        return problems

    def _database_problem(self) -> str | None:
        """A real write, rolled back: a database that reads but cannot write is not ready."""
        engine = self.store.db.engine
        sqlite = engine.dialect.name == "sqlite"
        try:
            with engine.connect() as connection:
                transaction = connection.begin()
                try:
                    if sqlite:  # wait for a crawl's write a few seconds, not the usual 30
                        connection.exec_driver_sql("PRAGMA busy_timeout = 5000")
                    else:
                        connection.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
                        connection.exec_driver_sql("SET LOCAL statement_timeout = '5s'")
                    connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
                finally:
                    transaction.rollback()
                    if sqlite:
                        connection.exec_driver_sql("PRAGMA busy_timeout = 30000")
        except Exception as exc:
            return "database: a write failed: " + " ".join(str(exc).split())[:200]
        return None

    def _notifier_problem(self) -> str | None:
        """Whether the notifier goes round: None when it does, or when it has nothing to do
        here (no channels, or a process that only crawls)."""
        if not self.run_scheduler or not self.settings.channels:
            return None
        thread = self._notifier_thread
        if thread is None:
            return "notifier: not started yet"
        if not thread.is_alive():
            return "notifier: not running"
        now = time.monotonic()
        busy_since = self._notifier_busy_since
        sending = busy_since is not None and now - busy_since <= self.settings.alerts.lease_seconds
        if sending and self.notifier_error is None:
            return None  # in a round, sending (after a failed one: not ready until it succeeds)
        stale = 3 * self.settings.service.notify_every + 5
        last = self.notifier_ok_at
        if last is not None and now - last <= stale and self.notifier_error is None:
            return None
        when = "no successful round yet" if last is None else f"last round {now - last:.0f}s ago"
        error = f"; last error: {self.notifier_error}" if self.notifier_error else ""
        return f"notifier: {when}{error}"[:300]

    async def _metrics(self, request: web.Request) -> web.Response:
        await asyncio.to_thread(self._refresh_gauges)
        return web.Response(
            body=generate_latest(metrics.REGISTRY), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    def _refresh_gauges(self) -> None:
        try:
            metrics.QUEUE_DEPTH.set(self.queue.depth())
            with self.store.db.session() as session:
                rows = session.execute(
                    select(Delivery.status, func.count()).group_by(Delivery.status)
                )
                for state in ("pending", "sending", "delivered", "failed", "dead"):
                    metrics.DELIVERIES.labels(state).set(0)
                for state, count in rows:
                    metrics.DELIVERIES.labels(state).set(count)
        except Exception as exc:
            logger.warning("metrics not refreshed: {}", exc)

    async def _jobs(self, request: web.Request) -> web.Response:
        """``POST /jobs {"source_ids": [...]}``: queue crawls now (``crawl --via-service``).

        With a token configured the request must carry it (``Authorization: Bearer …``). Only
        ``application/json`` is taken: a web page cannot send that to another site without
        the browser asking first (CORS), so no page a user visits can queue crawls."""
        token = self.settings.service_token
        if token is not None and not hmac.compare_digest(
            request.headers.get("Authorization", "").encode(), f"Bearer {token}".encode()
        ):
            return web.json_response({"error": "a valid bearer token is required"}, status=401)
        if request.content_type != "application/json":
            return web.json_response({"error": "send application/json"}, status=415)
        try:
            body = await request.json()
            ids = [str(i) for i in body["source_ids"]]
            for source_id in ids:
                self.registry.get(source_id)
        except Exception as exc:
            return web.json_response({"error": str(exc)}, status=400)
        for source_id in ids:
            await asyncio.to_thread(self.queue.put, CrawlJob(source_id, "manual"))
        return web.json_response({"queued": ids}, status=202)


def _with_raw_query(app: Any) -> Any:
    """aiohttp-asgi hands an ASGI app the *decoded* query string, re-encoded as latin-1, so
    ``?q=区块链`` arrives garbled; its ``raw_path`` carries the query as sent: split it there."""

    async def fixed(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path, _, query = (scope.get("raw_path") or b"").partition(b"?")
            scope = {**scope, "raw_path": path, "query_string": query}
        await app(scope, receive, send)

    return fixed


def _log_health_groups(groups: list[HealthGroup]) -> None:
    """One log line per health alert written: a warning for failures, naming the sources."""
    for group in groups:
        if not group.written:
            continue  # another scheduler wrote it
        count, ids = len(group.source_ids), group.source_ids
        names = ", ".join(ids[:10]) + ("…" if count > 10 else "")
        state = group.event.split(".", 1)[1]
        what = f"{count} source{'s' if count != 1 else ''} {state}: {names}"
        if group.event == "source.recovered":
            logger.info("{}", what)
        else:
            logger.warning("{}; first error: {}", what, group.detail or "(none given)")


def _registry_stamp(settings: Settings) -> object:
    from spiders.registry import PACKAGED_REGISTRY

    directory = settings.registry_dir or PACKAGED_REGISTRY
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in directory.glob("*.toml")))


def _first_run(
    schedule: Schedule, last_ended: datetime | None, now: datetime, window: float
) -> datetime:
    """When a source runs first after the service starts (or takes the lead).

    By its rhythm: its schedule's next time after its last crawl. A source never crawled, or
    overdue (the service was down when it was due), runs somewhere in the next ``window``
    seconds, so a start does not crawl every source in the same second.
    """
    if last_ended is not None:
        ended = last_ended.replace(tzinfo=UTC)
        if isinstance(schedule.trigger, IntervalTrigger):
            due: datetime | None = ended + schedule.period
        else:
            due = schedule.trigger.get_next_fire_time(None, ended.astimezone(now.tzinfo))
        if due is not None and due > now:
            return due
    return now + timedelta(seconds=random.uniform(0, window))


def _first_run_after_edit(schedule: Schedule, was_due: datetime | None, now: datetime) -> datetime:
    """When a source whose schedule was edited runs next.

    The new schedule's first fire time, brought forward to when the old schedule had it due
    if that is sooner (shortening "every 1d" to "every 5m" must not wait a day, and
    lengthening it must not skip a run that was about to happen). A job always gets a time:
    APScheduler 3 holds a job without one as paused, for ever.
    """
    first = schedule.trigger.get_next_fire_time(None, now) or now
    return min(first, was_due) if was_due is not None else first
