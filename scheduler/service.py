"""The long-lived service: schedules, queue, workers, delivery, health and metrics.

Embedded mode (no ``redis_url``): one process, the in-process queue, SQLite by default.
Shared mode (``redis_url`` and PostgreSQL): ``govwatch run --scheduler-only`` on one host and
``govwatch worker`` on several share the jobs through Redis Streams; exactly one scheduler is
active at a time (a leader lock with expiry; a standby takes over when the leader dies).
"""

from __future__ import annotations

import asyncio
import random
import socket
import threading
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from loguru import logger
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text

from crawler.config import Settings
from crawler.fetch.engine import open_store
from scheduler import metrics
from scheduler.backends import backends
from scheduler.jobs import CrawlJob
from scheduler.locks import Locks
from scheduler.queue import JobQueue
from scheduler.worker import Worker
from spiders.registry import Registry, load_registry
from spiders.schedules import TIMEZONE, parse_schedule
from storage.models import Delivery

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
        self.store = open_store(settings)
        self.registry: Registry = load_registry(settings.registry_dir)
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

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> None:
        global _ACTIVE
        _ACTIVE = self
        self._start_http()
        if self.run_scheduler:
            self.scheduler = self._make_scheduler()
            self._spawn(self._lead if self.shared else self._schedule_alone, "scheduler")
            self._spawn(self._deliver_loop, "notifier")
        for index in range(self.worker_count):
            worker = Worker(
                f"{socket.gethostname()}-{threading.get_native_id()}-{index}",
                self.queue,
                self.locks,
                self.registry,
                self.settings,
            )
            self.workers.append(worker)
            self._spawn(lambda w=worker: self._work(w), f"worker-{index}")
        if not self.run_scheduler:
            self.role = "worker"

    def stop(self) -> None:
        """Stop scheduling, let each worker finish or give back its job, then return."""
        self.stop_event.set()
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

    # -- scheduling ---------------------------------------------------------------------------

    def _make_scheduler(self) -> BackgroundScheduler:
        store = SQLAlchemyJobStore(
            url=self.settings.effective_database_url, tablename="apscheduler_jobs"
        )
        return BackgroundScheduler(
            jobstores={"default": store},
            timezone=TIMEZONE,
            job_defaults={"coalesce": True, "max_instances": 1},
        )

    def _schedule_alone(self) -> None:
        assert self.scheduler is not None
        self.scheduler.start()
        self.role = "scheduler"
        self._sync_jobs(force=True)
        while not self.stop_event.wait(self.settings.service.registry_reload):
            self._sync_jobs()

    def _lead(self) -> None:
        """Shared mode: schedule only while holding the leader lock; stand by otherwise."""
        assert self.scheduler is not None
        ttl = self.settings.service.leader_ttl
        self.scheduler.start(paused=True)
        token: str | None = None
        self.role = "standby"
        last_sync = 0.0
        while not self.stop_event.is_set():
            if token is None:
                token = self.locks.acquire("scheduler", ttl)
                if token is not None:
                    logger.info("scheduler: leading")
                    self.role = "scheduler"
                    self._sync_jobs(force=True)
                    self.scheduler.resume()
                    last_sync = _now_seconds()
            elif not self.locks.renew("scheduler", token, ttl):
                logger.warning("scheduler: lost the lead; standing by")
                self.scheduler.pause()
                token, self.role = None, "standby"
            elif _now_seconds() - last_sync > self.settings.service.registry_reload:
                self._sync_jobs()
                last_sync = _now_seconds()
            self.stop_event.wait(ttl / 3)
        if token is not None:
            self.locks.release("scheduler", token)

    def _sync_jobs(self, force: bool = False) -> None:
        """Make the scheduled jobs match the registry (on start, and when its files change)."""
        assert self.scheduler is not None
        stamp = _registry_stamp(self.settings)
        if not force and stamp == self._registry_stamp:
            return
        self._registry_stamp = stamp
        try:
            registry = load_registry(self.settings.registry_dir)
        except Exception as exc:  # a broken edit must not stop the service: keep the old jobs
            logger.error("registry not reloaded: {}", exc)
            return
        self.registry = registry
        for worker in self.workers:
            worker.registry = registry
        wanted = {f"crawl:{s.id}": s for s in registry.enabled()}
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        for job_id in set(existing) - set(wanted):
            self.scheduler.remove_job(job_id)
        window = self.settings.service.first_run_within
        for job_id, source in wanted.items():
            job = existing.get(job_id)
            if job is not None and job.name == source.schedule:
                continue  # unchanged: keep its next run time (and any missed run)
            schedule = parse_schedule(source.schedule)
            first = datetime.now(schedule.trigger.timezone) + timedelta(
                seconds=random.uniform(0, window)
            )
            self.scheduler.add_job(
                enqueue_scheduled,
                trigger=schedule.trigger,
                id=job_id,
                name=source.schedule,
                kwargs={"source_id": source.id},
                replace_existing=True,
                misfire_grace_time=int(schedule.period.total_seconds()),
                next_run_time=first if job is None else None,
            )
        logger.info("scheduler: {} sources scheduled", len(wanted))

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
        if not self.settings.channels:
            return
        from crawler.alerts.notifier import Notifier, build_channels

        channels = build_channels(self.settings.channels, self.settings.alerts.templates_dir)
        notifier = Notifier(self.store, channels, self.settings.alerts)
        while not self.stop_event.wait(self.settings.service.notify_every):
            try:
                notifier.drain()
            except Exception as exc:  # the database or a channel hiccup: next round retries
                logger.error("notifier round failed: {}", exc)

    # -- HTTP: health, metrics, queued crawls ----------------------------------------------

    def _start_http(self) -> None:
        service = self.settings.service
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            app = web.Application()
            app.router.add_get("/healthz", self._live)
            app.router.add_get("/healthz/live", self._live)
            app.router.add_get("/healthz/ready", self._ready)
            app.router.add_get("/metrics", self._metrics)
            app.router.add_post("/jobs", self._jobs)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            await web.TCPSite(self._runner, service.http_host, service.http_port).start()
            host, port = self._runner.addresses[0][:2]
            self.http_url = f"http://{host}:{port}"
            ready.set()

        def run() -> None:
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        threading.Thread(target=run, name="http", daemon=True).start()
        ready.wait(10)

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
        problems = []
        try:
            with self.store.db.engine.connect() as connection:
                connection.execute(text("select 1"))
        except Exception as exc:
            problems.append(f"database: {exc}"[:200])
        if self.shared:
            try:
                self.queue.client.ping()  # type: ignore[attr-defined]
            except Exception as exc:
                problems.append(f"redis: {exc}"[:200])
        if self.stop_event.is_set():
            problems.append("shutting down")
        return problems

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
        """``POST /jobs {"source_ids": [...]}``: queue crawls now (``crawl --via-service``)."""
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


def _registry_stamp(settings: Settings) -> object:
    from spiders.registry import PACKAGED_REGISTRY

    directory = settings.registry_dir or PACKAGED_REGISTRY
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in directory.glob("*.toml")))


def _now_seconds() -> float:
    import time

    return time.monotonic()
