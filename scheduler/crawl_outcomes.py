"""The service's last finished crawls, for readiness: are they all failing?

Workers call :meth:`RecentOutcomes.record_result` after each crawl (``service.outcomes``); readiness
calls :meth:`RecentOutcomes.all_failing`. A network outage, a full disk or a broken install
makes every crawl fail; one source failing does not.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

# Statuses of a crawl that did its job (crawler.fetch.source_crawl.SourceCrawl.status): ``partial``
# stored what it could, ``empty`` listed nothing without an error. Anything else (``failed``,
# a worker's ``timeout`` or ``error`` …) is a failure.
SUCCEEDED = frozenset({"ok", "partial", "empty"})


@dataclass(frozen=True)
class Outcome:
    source_id: str
    status: str
    reason: str | None


class RecentOutcomes:
    """The last ``keep`` finished crawls of this process, safe to use from any thread."""

    def __init__(self, keep: int = 50) -> None:
        self._outcomes: deque[Outcome] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def record(self, source_id: str, status: str, reason: str | None = None) -> None:
        """Note one finished crawl: its source, status and, when it failed, why."""
        with self._lock:
            self._outcomes.append(Outcome(source_id, status, reason))

    def record_result(self, source_id: str, result: dict[str, Any]) -> None:
        """Note a worker's crawl result (crawler.fetch.engine_process.crawl_result)."""
        [summary] = result["sources"]
        self.record(source_id, summary["status"], result.get("first_error"))

    def all_failing(self, min_count: int = 10, at_least: int = 3) -> str | None:
        """A one-line problem when the last ``min_count`` crawls all failed, else None.

        With fewer crawls finished so far, all of them count once there are ``at_least``.
        The line names the first of those failures and its reason.
        """
        with self._lock:
            last = list(self._outcomes)[-min_count:]
        if len(last) < max(1, min(at_least, min_count)):
            return None
        if any(outcome.status in SUCCEEDED for outcome in last):
            return None
        first = last[0]
        reason = " ".join((first.reason or first.status).split())
        sources = len({outcome.source_id for outcome in last})
        return (
            f"crawls: the last {len(last)} crawls ({sources} sources) all failed; "
            f"first: {first.source_id}: {reason}"
        )[:300]

    def __len__(self) -> int:
        with self._lock:
            return len(self._outcomes)
