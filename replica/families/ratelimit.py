"""A sliding-window request limit, like the one behind ccgp's 频繁访问 page."""

from __future__ import annotations

import threading
import time
from collections import deque


class SlidingWindowLimit:
    """At most `count` accepted requests in any `window` seconds; refused ones do not count.

    Refused requests are not recorded, so a client that waits out the window gets through
    again, as with the real site.
    """

    def __init__(self, limit: tuple[int, float]) -> None:
        self._lock = threading.Lock()
        self._accepted: deque[float] = deque()
        self.limit = limit

    @property
    def limit(self) -> tuple[int, float]:
        return self._limit

    @limit.setter
    def limit(self, limit: tuple[int, float]) -> None:
        count, window = limit
        if int(count) < 0 or float(window) <= 0:
            raise ValueError(f"a rate limit is (count >= 0, window > 0 seconds): {limit!r}")
        with self._lock:
            self._limit = (int(count), float(window))

    def allow(self) -> bool:
        """Record a request now; False if it exceeds the limit."""
        now = time.monotonic()
        with self._lock:
            count, window = self._limit
            while self._accepted and self._accepted[0] <= now - window:
                self._accepted.popleft()
            if len(self._accepted) >= count:
                return False
            self._accepted.append(now)
            return True
