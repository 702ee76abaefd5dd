"""The job queue and the locks: the same behaviour from the in-process and the Redis backends."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.jobs import CrawlJob
from scheduler.locks import InProcessLocks, Locks, RedisLocks
from scheduler.queue import InProcessQueue, JobQueue, RedisStreamQueue
from tests.conftest import REDIS_URL
from tests.service_helpers import PrivateRedis


@pytest.fixture(params=["in-process", "redis"])
def queue(request: pytest.FixtureRequest) -> Iterator[JobQueue]:
    if request.param == "in-process":
        yield InProcessQueue(visibility_timeout=1.0)
        return
    stream = f"govwatch:test:{uuid.uuid4().hex}"
    backend = RedisStreamQueue(REDIS_URL, stream=stream, visibility_timeout=1.0)
    yield backend
    backend.client.delete(stream)


@pytest.fixture(params=["in-process", "redis"])
def locks(request: pytest.FixtureRequest) -> Locks:
    if request.param == "in-process":
        return InProcessLocks()
    return RedisLocks(REDIS_URL, prefix=f"govwatch:test:{uuid.uuid4().hex}:")


def test_a_job_is_handed_out_once_and_gone_when_acked(queue: JobQueue) -> None:
    queue.put(CrawlJob("gansu-policy"))
    lease = queue.get("w1", 0.5)
    assert lease is not None and lease.job.source_id == "gansu-policy"
    assert queue.get("w2", 0.2) is None
    queue.ack(lease)
    assert queue.depth() == 0


def test_get_blocks_for_a_while_then_returns_nothing(queue: JobQueue) -> None:
    started = time.monotonic()
    assert queue.get("w1", 0.5) is None
    assert 0.4 <= time.monotonic() - started < 3


def test_a_dead_workers_job_goes_to_another_worker_after_the_visibility_timeout(
    queue: JobQueue,
) -> None:
    queue.put(CrawlJob("gansu-policy"))
    first = queue.get("dies", 0.5)
    assert first is not None
    time.sleep(1.2)  # the worker never acks
    second = queue.get("survivor", 0.5)
    assert second is not None and second.job.job_id == first.job.job_id
    assert second.deliveries == 2
    queue.ack(second)
    assert queue.depth() == 0


def test_a_released_job_is_taken_again_at_once(queue: JobQueue) -> None:
    queue.put(CrawlJob("a"))
    lease = queue.get("w1", 0.5)
    assert lease is not None
    queue.release(lease)
    again = queue.get("w2", 0.5)
    assert again is not None and again.job.source_id == "a"


def test_depth_counts_waiting_and_leased_jobs(queue: JobQueue) -> None:
    for source in ("a", "b", "c"):
        queue.put(CrawlJob(source))
    lease = queue.get("w1", 0.5)
    assert queue.depth() == 3
    assert lease is not None
    queue.ack(lease)
    assert queue.depth() == 2


def test_a_lock_has_one_holder_until_released_or_expired(locks: Locks) -> None:
    token = locks.acquire("source:x", 0.5)
    assert token is not None
    assert locks.acquire("source:x", 0.5) is None
    assert locks.renew("source:x", token, 0.5)
    locks.release("source:x", "someone-else")
    assert locks.acquire("source:x", 0.5) is None
    locks.release("source:x", token)
    assert locks.acquire("source:x", 0.3) is not None
    time.sleep(0.4)
    assert locks.acquire("source:x", 0.3) is not None  # the holder died: it expired


def test_an_expired_lock_cannot_be_renewed_by_its_old_holder(locks: Locks) -> None:
    token = locks.acquire("scheduler", 0.2)
    assert token is not None
    time.sleep(0.3)
    assert locks.acquire("scheduler", 5) is not None
    assert not locks.renew("scheduler", token, 5)


def test_redis_restarting_mid_run_loses_no_job_and_crashes_nothing(tmp_path: Path) -> None:
    redis = PrivateRedis(tmp_path).start()
    try:
        queue = RedisStreamQueue(redis.url, visibility_timeout=30)
        queue.put(CrawlJob("before-restart"))
        got: list[str] = []

        def consume() -> None:
            while len(got) < 2:
                lease = queue.get("w1", 0.5)  # keeps calling while Redis is down
                if lease is not None:
                    got.append(lease.job.source_id)
                    queue.ack(lease)

        consumer = threading.Thread(target=consume, daemon=True)
        consumer.start()
        time.sleep(0.5)
        redis.restart(down_for=2.0)
        queue.put(CrawlJob("after-restart"))
        consumer.join(30)
        assert got == ["before-restart", "after-restart"]
    finally:
        redis.stop()
