"""A crawl job: which source to crawl, why, and since when it waits."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class CrawlJob:
    source_id: str
    reason: str = "schedule"  # schedule | manual
    enqueued_at: float = field(default_factory=time.time)
    job_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_fields(self) -> dict[str, str]:
        return {k: str(v) for k, v in asdict(self).items()}

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> CrawlJob:
        return cls(
            fields["source_id"],
            fields.get("reason", "schedule"),
            float(fields.get("enqueued_at", time.time())),
            fields["job_id"],
        )


@dataclass
class Lease:
    """A job handed to one worker until it acks it, releases it, or its lease runs out."""

    job: CrawlJob
    token: str
    deliveries: int = 1
