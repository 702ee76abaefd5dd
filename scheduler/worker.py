"""Workers: take crawl jobs from the queue and run them in a long-lived crawl-engine process.

Each worker keeps one engine process (crawler.fetch.engine_process) and hands it up to
``crawls_per_worker`` crawls at once; the engine keeps Scrapy running between crawls, so a
crawl whose lists did not change costs a request and a few milliseconds, not a process start.
The engine process is recycled after ``worker_max_jobs`` crawls or above
``worker_max_memory_mb`` (as Celery's max-tasks-per-child and max-memory-per-child), and
killed when a crawl overruns its timeout by ``ENGINE_GRACE`` (the engine ends a crawl at its
timeout itself; one that does not answer then is hung). Jobs in hand when an engine dies are
given back to the queue, up to ``MAX_DELIVERIES`` times.

One source is never crawled by two workers at once (a source lock), and one site is crawled by
one worker at a time (a site lock, shared by that worker's crawls of the site): within an
engine, Scrapy's per-host download slots keep the per-site politeness.

A worker runs no more crawls of one site at once than the site takes requests at once
(``crawl.concurrent_per_domain`` when polite): a further job of that site is parked in the
worker, in order, until the site's crawl ends, so the worker's crawl slots go to other sites'
jobs instead of waiting in line behind one slow site (head-of-line blocking).
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any
from urllib.parse import urlsplit

from loguru import logger

from crawler.config import Settings
from crawler.fetch.engine_process import failed_result
from scheduler import metrics
from scheduler.jobs import Lease
from scheduler.locks import Locks
from scheduler.queue import JobQueue
from spiders.registry import Registry, Source

# Locks are short and renewed while crawls run, so a dead worker frees its sources and sites
# within LOCK_TTL rather than after the whole crawl timeout.
LOCK_TTL = 30.0
LOCK_RENEW_EVERY = 10.0
ENGINE_START_TIMEOUT = 120.0  # seconds for a new engine process to report ready
ENGINE_GRACE = 60.0  # seconds past a crawl's timeout before its engine counts as hung
MAX_DELIVERIES = 3  # a job whose engine died this often is recorded as failed, not retried
PARKED_PER_SLOT = 4  # jobs parked for busy sites, per crawl slot, before the queue is left alone

ResultCallback = Callable[[str, dict[str, Any]], None]


@dataclass
class WorkerStats:
    done: int = 0
    failed: int = 0
    requeued: int = 0
    skipped_busy: int = 0
    engines_started: int = 0
    timings: list[float] = field(default_factory=list)


@dataclass
class _InHand:
    lease: Lease
    source: Source
    site: str
    started: float


class EngineGone(Exception):
    """The engine process exited or stopped answering."""


class Worker:
    """Works off jobs until ``stop`` is set; finishes (or gives back) the jobs in hand."""

    def __init__(
        self,
        name: str,
        queue: JobQueue,
        locks: Locks,
        registry: Registry,
        settings: Settings,
        *,
        on_result: ResultCallback | None = None,
        shutdown_grace: float = 20.0,
    ) -> None:
        service = settings.service
        self.name = name
        self.queue, self.locks, self.registry = queue, locks, registry
        self.settings = settings
        self.capacity = service.crawls_per_worker
        crawl = settings.crawl
        self.per_site = crawl.concurrent_per_domain if crawl.polite else self.capacity
        self.max_parked = PARKED_PER_SLOT * self.capacity
        self.crawl_timeout = service.crawl_timeout
        self.max_jobs = service.worker_max_jobs
        self.max_memory_mb = service.worker_max_memory_mb
        self.on_result = on_result
        self.shutdown_grace = shutdown_grace
        self.stats = WorkerStats()
        self.stop = threading.Event()
        self.engine_rss_mb = 0.0
        self._process: Any = None  # multiprocessing's Process (spawn context)
        self._connection: Connection | None = None
        self._in_hand: dict[str, _InHand] = {}
        self._parked: deque[tuple[Lease, Source, str]] = deque()  # waiting on their site
        self._sites: dict[str, tuple[str, int]] = {}  # site -> (lock token, crawls in hand)
        self._sources: dict[str, str] = {}  # source id -> lock token
        self._engine_jobs = 0
        self._renewed = time.monotonic()

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> WorkerStats:
        """Take, hand over and finish jobs until ``stop``; then end the engine."""
        try:
            while not self.stop.is_set():
                try:
                    self._step()
                except EngineGone as gone:
                    self._engine_lost(str(gone))
            self._drain()
        finally:
            self._end_engine()
        return self.stats

    def _step(self) -> None:
        if self._connection is None:
            self._start_engine()
        recycling = self._recycle_due()
        if recycling and not self._in_hand:
            logger.info(
                "{}: recycling its crawl engine ({} crawls, {:.0f} MB)",
                self.name,
                self._engine_jobs,
                self.engine_rss_mb,
            )
            self._end_engine()
            return
        # Idle: wait on the queue. Crawls in hand: wait on the engine, and look at the queue
        # between its answers (20 times a second at most, not a busy loop).
        taken = False
        if not recycling and len(self._in_hand) < self.capacity:
            taken = self._start_parked()
            if not taken and len(self._parked) < self.max_parked:
                busy = self._in_hand or self._parked
                lease = self.queue.get(self.name, block_seconds=0.0 if busy else 0.5)
                if lease is not None:
                    self._take(lease)
                    taken = True
        if not taken or len(self._in_hand) >= self.capacity:
            self._receive(0.05 if self._in_hand else 0.0)
        self._keep_locks()
        self._check_deadlines()

    def _recycle_due(self) -> bool:
        by_count = self.max_jobs is not None and self._engine_jobs >= self.max_jobs
        by_memory = self.max_memory_mb is not None and self.engine_rss_mb > self.max_memory_mb
        return by_count or by_memory

    def _drain(self) -> None:
        """Stopping: let the crawls in hand finish for ``shutdown_grace``, give back the rest."""
        deadline = time.monotonic() + self.shutdown_grace
        while self._in_hand and time.monotonic() < deadline:
            try:
                self._receive(0.2)
                self._keep_locks()
            except EngineGone:
                break
        for key in list(self._in_hand):
            self._give_back(key, "the service is stopping")
        while self._parked:
            lease, source, _ = self._parked.popleft()
            self._unlock_source(source.id)
            self.queue.release(lease)

    # -- jobs -------------------------------------------------------------------------------

    def _take(self, lease: Lease) -> None:
        job = lease.job
        try:
            source = self.registry.get(job.source_id)
        except Exception:  # a source removed from the registry since the job was queued
            logger.warning("{}: job for unknown source {}; dropped", self.name, job.source_id)
            self.queue.ack(lease)
            return
        site = urlsplit(source.entry_urls[0]).netloc.lower()
        if source.id in self._sources or not self._lock_source(source.id):
            self.stats.skipped_busy += 1  # being crawled or parked: this job is redundant
            self.queue.ack(lease)
            return
        if self._sites.get(site, ("", 0))[1] >= self.per_site:
            self._parked.append((lease, source, site))  # its site is busy here: after it
            return
        self._begin(lease, source, site)

    def _start_parked(self) -> bool:
        """Start the first parked job whose site has room again; True if one was started."""
        for index, (lease, source, site) in enumerate(self._parked):
            if self._sites.get(site, ("", 0))[1] < self.per_site:
                del self._parked[index]
                self._begin(lease, source, site)
                return True
        return False

    def _begin(self, lease: Lease, source: Source, site: str) -> None:
        """Hand a job to the engine, holding its source and site (or give it back)."""
        job = lease.job
        if not self._lock_site(site):
            self._unlock_source(source.id)
            self.queue.release(lease)  # another worker is on this site: later
            self.stats.requeued += 1
            time.sleep(0.05)
            return
        metrics.JOB_WAIT.observe(max(0.0, time.time() - job.enqueued_at))
        key = job.job_id
        self._in_hand[key] = _InHand(lease, source, site, time.monotonic())
        self._engine_jobs += 1
        self._send(("crawl", key, source, self.crawl_timeout))

    def _receive(self, wait: float) -> None:
        connection = self._connection
        if connection is None:
            return
        try:
            ready = connection.poll(wait)
            while ready:
                message = connection.recv()
                if message[0] == "done":
                    self._done(message[1], message[2])
                ready = connection.poll(0)
        except (EOFError, OSError) as exc:
            raise EngineGone(self._exit_description() or f"pipe closed: {exc}") from exc

    def _done(self, key: str, result: dict[str, Any]) -> None:
        held = self._in_hand.pop(key, None)
        if held is None:
            return
        seconds = time.monotonic() - held.started
        self.engine_rss_mb = float(result.get("engine_rss_mb") or self.engine_rss_mb)
        self.queue.ack(held.lease)
        self._unlock(held)
        self._record(held.source, result, seconds)

    def _record(self, source: Source, result: dict[str, Any], seconds: float) -> None:
        metrics.record_crawl(result, seconds, time.time())
        [summary] = result["sources"]
        status = summary["status"]
        stats = summary.get("stats", {})
        found = sum(stats.get(f"documents_{o}", 0) for o in ("new", "changed"))
        if status == "failed":
            self.stats.failed += 1
            logger.warning(
                "{}: crawl of {} failed in {:.1f} s: {}",
                self.name,
                source.id,
                seconds,
                result.get("first_error"),
            )
        else:
            self.stats.done += 1
            self.stats.timings.append(seconds)
            logger.info(
                "{}: crawl of {} {} in {:.1f} s, {} new or changed",
                self.name,
                source.id,
                status,
                seconds,
                found,
            )
        if self.on_result is not None:
            self.on_result(source.id, result)

    def _check_deadlines(self) -> None:
        now = time.monotonic()
        for held in self._in_hand.values():
            if now - held.started > self.crawl_timeout + ENGINE_GRACE:
                raise EngineGone(
                    f"crawl of {held.source.id} not ended {ENGINE_GRACE:.0f} s past its timeout"
                )

    def _give_back(self, key: str, reason: str) -> None:
        held = self._in_hand.pop(key)
        self._unlock(held)
        if held.lease.deliveries >= MAX_DELIVERIES:
            logger.error("{}: crawl of {} given up: {}", self.name, held.source.id, reason)
            self.queue.ack(held.lease)
            self._record(held.source, failed_result(held.source, reason), 0.0)
        else:
            self.queue.release(held.lease)
            self.stats.requeued += 1

    # -- the engine process -----------------------------------------------------------------

    def _start_engine(self) -> None:
        from crawler.fetch import engine_process

        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(
            target=engine_process.main,
            args=(self.settings, child),
            name=f"{self.name}-engine",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._connection = process, parent
        self._engine_jobs, self.engine_rss_mb = 0, 0.0
        self.stats.engines_started += 1
        if not parent.poll(ENGINE_START_TIMEOUT):
            raise EngineGone(self._exit_description() or "the crawl engine did not start")
        try:
            message = parent.recv()
        except (EOFError, OSError) as exc:
            raise EngineGone(self._exit_description() or "the crawl engine did not start") from exc
        logger.info("{}: crawl engine ready (pid {})", self.name, message[1])

    def _send(self, message: tuple[Any, ...]) -> None:
        assert self._connection is not None
        try:
            self._connection.send(message)
        except (BrokenPipeError, OSError) as exc:
            raise EngineGone(self._exit_description() or f"pipe closed: {exc}") from exc

    def _exit_description(self) -> str | None:
        process = self._process
        if process is None:
            return None
        process.join(0.5)
        if process.exitcode is None:
            return None
        return f"the crawl engine exited with code {process.exitcode}"

    def _engine_lost(self, reason: str) -> None:
        logger.error("{}: crawl engine lost: {}; starting a new one", self.name, reason)
        for key in list(self._in_hand):
            self._give_back(key, reason)
        self._end_engine(kill=True)
        self.stop.wait(1.0)  # a crash loop must not spin

    def _end_engine(self, *, kill: bool = False) -> None:
        process, connection = self._process, self._connection
        self._process = self._connection = None
        if process is None:
            return
        if not kill and connection is not None:
            try:
                connection.send(("stop",))
                process.join(self.shutdown_grace)
            except (BrokenPipeError, OSError):
                pass
        if process.is_alive():
            process.kill()
            process.join(10)
        if connection is not None:
            connection.close()

    # -- locks ------------------------------------------------------------------------------

    def _lock_source(self, source_id: str) -> bool:
        token = self.locks.acquire(f"source:{source_id}", LOCK_TTL)
        if token is None:
            return False
        self._sources[source_id] = token
        return True

    def _unlock_source(self, source_id: str) -> None:
        token = self._sources.pop(source_id, None)
        if token is not None:
            self.locks.release(f"source:{source_id}", token)

    def _lock_site(self, site: str) -> bool:
        held = self._sites.get(site)
        if held is not None:
            self._sites[site] = (held[0], held[1] + 1)
            return True
        token = self.locks.acquire(f"site:{site}", LOCK_TTL)
        if token is None:
            return False
        self._sites[site] = (token, 1)
        return True

    def _unlock(self, held: _InHand) -> None:
        self._unlock_source(held.source.id)
        token, count = self._sites[held.site]
        if count > 1:
            self._sites[held.site] = (token, count - 1)
        else:
            del self._sites[held.site]
            self.locks.release(f"site:{held.site}", token)

    def _keep_locks(self) -> None:
        now = time.monotonic()
        if now - self._renewed < LOCK_RENEW_EVERY:
            return
        self._renewed = now
        for source_id, token in self._sources.items():
            self.locks.renew(f"source:{source_id}", token, LOCK_TTL)
        for site, (token, _) in self._sites.items():
            self.locks.renew(f"site:{site}", token, LOCK_TTL)
