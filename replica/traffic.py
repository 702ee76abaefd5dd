"""The request log tests use to see what a crawler fetched, and how often."""

from __future__ import annotations

import threading


class RequestLog:
    """How often each path was requested (faulted, 404 and 304 answers included)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def record(self, path: str) -> None:
        with self._lock:
            self._counts[path] = self._counts.get(path, 0) + 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
