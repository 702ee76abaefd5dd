"""Locks with expiry: one scheduler (leader), one crawl per source, one crawl per site.

A holder renews its lock while it works; if it dies, the lock expires and another takes over.
Two backends with one interface: in-process (embedded mode) and Redis (shared mode).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from abc import ABC, abstractmethod

import redis

from scheduler.queue import redis_client


class Locks(ABC):
    @abstractmethod
    def acquire(self, name: str, ttl: float) -> str | None:
        """Take ``name`` for ``ttl`` seconds; a token if taken, None if someone holds it."""

    @abstractmethod
    def renew(self, name: str, token: str, ttl: float) -> bool:
        """Extend a lock we hold; False if it expired and was lost."""

    @abstractmethod
    def release(self, name: str, token: str) -> None:
        """Let go of a lock we hold (no effect on someone else's)."""


class InProcessLocks(Locks):
    def __init__(self) -> None:
        self._held: dict[str, tuple[str, float]] = {}
        self._mutex = threading.Lock()

    def acquire(self, name: str, ttl: float) -> str | None:
        with self._mutex:
            holder = self._held.get(name)
            if holder is not None and holder[1] > time.monotonic():
                return None
            token = uuid.uuid4().hex
            self._held[name] = (token, time.monotonic() + ttl)
            return token

    def renew(self, name: str, token: str, ttl: float) -> bool:
        with self._mutex:
            holder = self._held.get(name)
            if holder is None or holder[0] != token or holder[1] <= time.monotonic():
                return False
            self._held[name] = (token, time.monotonic() + ttl)
            return True

    def release(self, name: str, token: str) -> None:
        with self._mutex:
            if self._held.get(name, ("", 0))[0] == token:
                del self._held[name]


# Compare-and-act scripts: only the holder's token may extend or delete a lock.
_RENEW = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then "
    "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
)
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
    "else return 0 end"
)


class RedisLocks(Locks):
    """``SET NX PX`` locks; a Redis that is unreachable means the lock is not held."""

    def __init__(self, url: str, prefix: str = "govwatch:lock:") -> None:
        self.client = redis_client(url)
        self.prefix = prefix

    def acquire(self, name: str, ttl: float) -> str | None:
        token = uuid.uuid4().hex
        try:
            taken = self.client.set(self.prefix + name, token, nx=True, px=int(ttl * 1000))
        except (redis.ConnectionError, redis.TimeoutError):
            return None
        return token if taken else None

    def renew(self, name: str, token: str, ttl: float) -> bool:
        try:
            return bool(self.client.eval(_RENEW, 1, self.prefix + name, token, int(ttl * 1000)))
        except (redis.ConnectionError, redis.TimeoutError):
            return False

    def release(self, name: str, token: str) -> None:
        # Unreachable Redis: the lock expires by itself.
        with contextlib.suppress(redis.ConnectionError, redis.TimeoutError):
            self.client.eval(_RELEASE, 1, self.prefix + name, token)
