"""Faults injected per request path, to test how a crawler copes with a misbehaving portal."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from enum import StrEnum


class FaultKind(StrEnum):
    STATUS = "status"  # answer with `status` and a small error page
    SLOW = "slow"  # wait `delay` seconds, then serve normally
    HANG = "hang"  # never answer; the connection is dropped when the client or server gives up
    RESET = "reset"  # abort the TCP connection without a response
    TRUNCATE = "truncate"  # announce the full Content-Length, send half the body, close
    CHARSET = "charset"  # serve normally with a wrong charset in the Content-Type header
    SOFT404 = "soft404"  # HTTP 200 with a "page removed" notice
    REDIRECT = "redirect"  # HTTP 302 to `location` (a path on the replica, e.g. /other.cn/x)


@dataclass(frozen=True)
class Fault:
    """One armed fault. `delay` applies before any kind; `remaining` None means until cleared."""

    kind: FaultKind
    status: int = 503
    delay: float = 0.0
    remaining: int | None = None
    location: str = ""


class FaultTable:
    """Faults by exact request path (host prefix included, no query); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: dict[str, Fault] = {}

    def add(
        self,
        path: str,
        kind: FaultKind | str,
        *,
        status: int = 503,
        delay: float = 0.0,
        times: int | None = None,
        location: str = "",
    ) -> Fault:
        """Arm a fault for `path`, replacing any fault already armed there."""
        if not path.startswith("/"):
            raise ValueError(f"fault path must start with '/': {path!r}")
        if not 100 <= status <= 599:
            raise ValueError(f"not an HTTP status: {status}")
        if delay < 0:
            raise ValueError(f"delay must not be negative: {delay}")
        if times is not None and times < 1:
            raise ValueError(f"times must be at least 1 or None: {times}")
        if FaultKind(kind) is FaultKind.REDIRECT and not location.startswith("/"):
            raise ValueError(f"a redirect needs a location path starting with '/': {location!r}")
        fault = Fault(FaultKind(kind), status, float(delay), times, location)
        with self._lock:
            self._faults[path] = fault
        return fault

    def take(self, path: str) -> Fault | None:
        """The fault to apply to a request of `path` now, counting it against `times`."""
        with self._lock:
            fault = self._faults.get(path)
            if fault is None or fault.remaining is None:
                return fault
            if fault.remaining <= 1:
                del self._faults[path]
            else:
                self._faults[path] = replace(fault, remaining=fault.remaining - 1)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
