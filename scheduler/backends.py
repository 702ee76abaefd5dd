"""The one place that picks the service's backends from the settings.

Embedded (no ``redis_url``): the in-process queue and locks. Shared (``redis_url`` set):
Redis Streams and Redis locks, so schedulers and workers on several machines cooperate.
"""

from __future__ import annotations

from dataclasses import dataclass

from crawler.config import Settings
from scheduler.locks import InProcessLocks, Locks, RedisLocks
from scheduler.queue import InProcessQueue, JobQueue, RedisStreamQueue


@dataclass(frozen=True)
class Backends:
    queue: JobQueue
    locks: Locks
    shared: bool


def job_queue(settings: Settings, *, give_up_after: float = 3600.0) -> JobQueue:
    """The queue crawl jobs travel on, as the settings call for. ``give_up_after``: how long
    a Redis queue keeps retrying a lost connection before it raises."""
    timeout = settings.service.visibility_timeout
    if settings.redis_url:
        return RedisStreamQueue(
            settings.redis_url, visibility_timeout=timeout, give_up_after=give_up_after
        )
    return InProcessQueue(visibility_timeout=timeout)


def backends(settings: Settings) -> Backends:
    """Queue and locks of one kind: both in this process, or both on Redis."""
    locks: Locks = RedisLocks(settings.redis_url) if settings.redis_url else InProcessLocks()
    return Backends(job_queue(settings), locks, shared=settings.redis_url is not None)
