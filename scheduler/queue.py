"""The job queue between scheduler and workers: one interface, two real backends.

- :class:`InProcessQueue`: the embedded default; jobs live in the service's memory.
- :class:`RedisStreamQueue`: shared mode; a Redis Stream read by a consumer group, so several
  workers on several machines share the jobs.

Both deliver at least once: a worker acks a job when its crawl is done; a job whose worker
died (no ack within ``visibility_timeout``) is handed to another worker. Crawls are idempotent
(storage and alerts are keyed by content), so a job done twice does no harm.
"""

from __future__ import annotations

import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from loguru import logger

from scheduler.jobs import CrawlJob, Lease

T = TypeVar("T")


class JobQueue(ABC):
    """Where jobs wait for a worker."""

    visibility_timeout: float

    @abstractmethod
    def put(self, job: CrawlJob) -> None:
        """Add a job; never loses it (a backend that is down is retried)."""

    @abstractmethod
    def get(self, consumer: str, block_seconds: float) -> Lease | None:
        """The next job for ``consumer`` (a dead worker's job first), or None after blocking."""

    @abstractmethod
    def ack(self, lease: Lease) -> None:
        """The job is done: remove it for good."""

    @abstractmethod
    def release(self, lease: Lease) -> None:
        """Give the job back at once (shutdown, or its site is busy): another worker takes it."""

    @abstractmethod
    def depth(self) -> int:
        """Jobs waiting or in hand."""


class InProcessQueue(JobQueue):
    """A thread-safe queue with leases, for one process."""

    def __init__(self, visibility_timeout: float = 3600.0) -> None:
        self.visibility_timeout = visibility_timeout
        self._waiting: deque[tuple[CrawlJob, int]] = deque()
        self._leased: dict[str, tuple[CrawlJob, float, int]] = {}
        self._cond = threading.Condition()

    def put(self, job: CrawlJob) -> None:
        with self._cond:
            self._waiting.append((job, 0))
            self._cond.notify()

    def get(self, consumer: str, block_seconds: float) -> Lease | None:
        deadline = time.monotonic() + block_seconds
        with self._cond:
            while True:
                self._reclaim_expired()
                if self._waiting:
                    job, deliveries = self._waiting.popleft()
                    token = uuid.uuid4().hex
                    self._leased[token] = (
                        job,
                        time.monotonic() + self.visibility_timeout,
                        deliveries + 1,
                    )
                    return Lease(job, token, deliveries + 1)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(min(remaining, 1.0))

    def _reclaim_expired(self) -> None:
        now = time.monotonic()
        for token, (job, expires, deliveries) in list(self._leased.items()):
            if expires <= now:
                del self._leased[token]
                self._waiting.appendleft((job, deliveries))

    def ack(self, lease: Lease) -> None:
        with self._cond:
            self._leased.pop(lease.token, None)

    def release(self, lease: Lease) -> None:
        with self._cond:
            if self._leased.pop(lease.token, None) is not None:
                self._waiting.appendleft((lease.job, lease.deliveries))
                self._cond.notify()

    def depth(self) -> int:
        with self._cond:
            return len(self._waiting) + len(self._leased)


def redis_client(url: str, *, block_seconds: float = 5.0) -> redis.Redis:
    """A client whose socket timeout outlasts a blocking read (redis-py's default is 5 s)."""
    return redis.Redis.from_url(
        url,
        socket_timeout=block_seconds + 10,
        socket_connect_timeout=5,
        health_check_interval=30,
        retry_on_timeout=False,
    )


class RedisStreamQueue(JobQueue):
    """Jobs on a Redis Stream, read by the consumer group ``workers``.

    Losing the connection (Redis restarting, a network blip) is waited out with backoff: no
    call raises for it, and no job is lost. A job is deleted from the stream once acked, so the
    stream's length is the queue's depth.
    """

    def __init__(
        self,
        url: str,
        *,
        stream: str = "govwatch:jobs",
        group: str = "workers",
        visibility_timeout: float = 3600.0,
        give_up_after: float = 3600.0,
    ) -> None:
        self.client = redis_client(url)
        self.stream, self.group = stream, group
        self.visibility_timeout = visibility_timeout
        self.give_up_after = give_up_after
        self._group_ready = False

    def _call(self, operation: Callable[[], T]) -> T:
        """Run a Redis operation, retrying through connection loss with capped backoff."""
        delay, waited = 0.2, 0.0
        while True:
            try:
                if not self._group_ready:
                    self._ensure_group()
                return operation()
            except (redis.ConnectionError, redis.TimeoutError) as exc:
                if waited >= self.give_up_after:
                    raise
                logger.warning("redis unavailable ({}); retrying in {:.1f}s", exc, delay)
                time.sleep(delay)
                waited += delay
                delay = min(delay * 2, 5.0)
            except redis.ResponseError as exc:
                if "NOGROUP" not in str(exc):
                    raise
                self._group_ready = False  # Redis restarted empty: recreate the group

    def _ensure_group(self) -> None:
        try:
            self.client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def put(self, job: CrawlJob) -> None:
        self._call(lambda: self.client.xadd(self.stream, job.to_fields()))  # type: ignore[arg-type]

    def get(self, consumer: str, block_seconds: float) -> Lease | None:
        idle_ms = int(self.visibility_timeout * 1000)
        claimed: Any = self._call(
            lambda: self.client.xautoclaim(
                self.stream, self.group, consumer, min_idle_time=idle_ms, start_id="0-0", count=1
            )
        )
        entries = claimed[1] if claimed else []
        if entries:
            message_id, fields = entries[0]
            return self._lease(message_id, fields, redelivered=True)
        read: Any = self._call(
            lambda: self.client.xreadgroup(
                self.group,
                consumer,
                {self.stream: ">"},
                count=1,
                block=int(block_seconds * 1000) or None,  # BLOCK 0 would wait for ever
            )
        )
        if not read:
            return None
        message_id, fields = read[0][1][0]
        return self._lease(message_id, fields, redelivered=False)

    def _lease(self, message_id: Any, fields: dict[Any, Any], *, redelivered: bool) -> Lease:
        decoded = {_text(k): _text(v) for k, v in fields.items()}
        return Lease(CrawlJob.from_fields(decoded), _text(message_id), 2 if redelivered else 1)

    def ack(self, lease: Lease) -> None:
        def done() -> None:
            pipe = self.client.pipeline()
            pipe.xack(self.stream, self.group, lease.token)
            pipe.xdel(self.stream, lease.token)
            pipe.execute()

        self._call(done)

    def release(self, lease: Lease) -> None:
        def requeue() -> None:
            pipe = self.client.pipeline()  # transaction: the job is never both gone and absent
            pipe.xadd(self.stream, lease.job.to_fields())  # type: ignore[arg-type]
            pipe.xack(self.stream, self.group, lease.token)
            pipe.xdel(self.stream, lease.token)
            pipe.execute()

        self._call(requeue)

    def depth(self) -> int:
        return int(self._call(lambda: self.client.xlen(self.stream)))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
