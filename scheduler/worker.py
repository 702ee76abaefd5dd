"""Workers: take crawl jobs from the queue and run each as its own ``govwatch crawl`` process.

A crawl runs in a child process because Scrapy's reactor starts once per process, and so a
worker's memory stays flat for weeks whatever a crawl does; a hung crawl is killed at
``crawl_timeout``. One source is never crawled by two workers at once (a source lock), and one
site is crawled by one worker at a time, whichever source it belongs to (a site lock), so the
per-site politeness of a crawl holds across all workers together.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from loguru import logger

from crawler.config import CONFIG_ENV, config_file_path
from scheduler import metrics
from scheduler.jobs import Lease
from scheduler.locks import Locks
from scheduler.queue import JobQueue
from spiders.registry import Registry

# Locks are short and renewed while a crawl runs, so a dead worker frees its source and site
# within LOCK_TTL rather than after the whole crawl timeout.
LOCK_TTL = 30.0
LOCK_RENEW_EVERY = 10.0


def _die_with_parent() -> None:
    """In the crawl child: be killed when the worker dies, so no crawl outlives its worker."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the crawl's own timeout still bounds it


@dataclass
class WorkerStats:
    done: int = 0
    failed: int = 0
    requeued: int = 0
    skipped_busy: int = 0
    timings: list[float] = field(default_factory=list)


class Worker:
    """Works off jobs until ``stop`` is set; finishes (or gives back) the job in hand."""

    def __init__(
        self,
        name: str,
        queue: JobQueue,
        locks: Locks,
        registry: Registry,
        *,
        crawl_timeout: float = 1800.0,
        env: dict[str, str] | None = None,
        max_jobs: int | None = None,
        shutdown_grace: float = 20.0,
    ) -> None:
        self.name = name
        self.queue, self.locks, self.registry = queue, locks, registry
        self.crawl_timeout = crawl_timeout
        self.env = env
        self.max_jobs = max_jobs
        self.shutdown_grace = shutdown_grace
        self.stats = WorkerStats()
        self.stop = threading.Event()
        self._process: subprocess.Popen[str] | None = None
        # The crawl runs where the service was started, with the config the service read.
        self.cwd = Path.cwd()
        self.config_file = config_file_path()

    def _child_env(self) -> dict[str, str]:
        env = dict(self.env or os.environ)
        if self.config_file is not None:
            env[CONFIG_ENV] = str(self.config_file.resolve())
        return env

    def run(self) -> WorkerStats:
        jobs = 0
        while not self.stop.is_set():
            if self.max_jobs is not None and jobs >= self.max_jobs:
                break  # recycle: the caller starts a fresh worker
            lease = self.queue.get(self.name, block_seconds=1.0)
            if lease is None:
                continue
            jobs += 1
            self.handle(lease)
        return self.stats

    def handle(self, lease: Lease) -> None:
        job = lease.job
        try:
            source = self.registry.get(job.source_id)
        except Exception:  # a source removed from the registry since the job was queued
            logger.warning("{}: job for unknown source {}; dropped", self.name, job.source_id)
            self.queue.ack(lease)
            return
        ttl = LOCK_TTL
        source_token = self.locks.acquire(f"source:{source.id}", ttl)
        if source_token is None:
            self.stats.skipped_busy += 1  # being crawled right now: this job is redundant
            self.queue.ack(lease)
            return
        site = urlsplit(source.entry_urls[0]).netloc.lower()
        site_token = self.locks.acquire(f"site:{site}", ttl)
        if site_token is None:
            self.locks.release(f"source:{source.id}", source_token)
            self.queue.release(lease)  # the site is busy with another source: later
            self.stats.requeued += 1
            time.sleep(0.5)
            return
        try:
            metrics.JOB_WAIT.observe(max(0.0, time.time() - job.enqueued_at))
            held = {f"source:{source.id}": source_token, f"site:{site}": site_token}
            outcome = self._crawl(source.id, held)
            if outcome == "interrupted":
                self.queue.release(lease)
                self.stats.requeued += 1
            else:
                self.queue.ack(lease)
        finally:
            self.locks.release(f"site:{site}", site_token)
            self.locks.release(f"source:{source.id}", source_token)

    def _crawl(self, source_id: str, held: dict[str, str]) -> str:
        started = time.monotonic()
        command = [sys.executable, "-m", "crawler", "crawl", "--source", source_id, "--json"]
        self._process = subprocess.Popen(
            command,
            cwd=self.cwd,
            env=self._child_env(),
            text=True,
            stdout=subprocess.PIPE,
            stderr=None,  # the crawl's own log lines and errors reach the service's stderr
            start_new_session=True,
        )
        try:
            stdout = self._wait(self._process, held)
        finally:
            process, self._process = self._process, None
        seconds = time.monotonic() - started
        if stdout is None:
            if self.stop.is_set():
                return "interrupted"
            logger.error(
                "{}: crawl of {} timed out after {:.0f}s; killed", self.name, source_id, seconds
            )
            self.stats.failed += 1
            return "timeout"
        self.stats.timings.append(seconds)
        try:
            result = json.loads(stdout)
        except ValueError:
            logger.error(
                "{}: crawl of {} exited {} without results",
                self.name,
                source_id,
                process.returncode,
            )
            self.stats.failed += 1
            return "failed"
        metrics.record_crawl(result, seconds, time.time())
        self.stats.done += 1
        return "done"

    def _wait(self, process: subprocess.Popen[str], held: dict[str, str]) -> str | None:
        """The crawl's output; None if it was killed (timeout, or shutdown past the grace).

        Renews the locks ``held`` while waiting, so they outlive a long crawl but not a worker.
        """
        deadline = time.monotonic() + self.crawl_timeout
        stopping_since: float | None = None
        renewed = time.monotonic()
        while True:
            try:
                out, _ = process.communicate(timeout=0.5)
                return out
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if now - renewed > LOCK_RENEW_EVERY:
                for name, token in held.items():
                    self.locks.renew(name, token, LOCK_TTL)
                renewed = now
            if self.stop.is_set() and stopping_since is None:
                stopping_since = now
            grace_over = stopping_since is not None and now - stopping_since > self.shutdown_grace
            if now > deadline or grace_over:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                return None
