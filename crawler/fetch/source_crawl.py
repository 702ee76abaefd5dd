"""The state and results of crawling one source once: what the spider, the storage pipeline
and the browser middleware share, and what the run record and the source's health are made of."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from crawler.alerts.compose import Alerting
from crawler.config import AlertSettings, CrawlSettings
from crawler.extract.page_kinds import GONE, REFUSALS, FailureKind
from crawler.fetch.mirror import Mirror
from crawler.match.matcher import Matcher
from spiders.adapters import ADAPTERS, ListAdapter
from spiders.registry import Source
from storage.repository import DocumentRecord, DocumentStore, SaveOutcome
from storage.source_health import RunResult

ProgressCallback = Callable[["SourceCrawl"], None]


@dataclass
class CrawlFailure:
    url: str
    kind: FailureKind
    detail: str


@dataclass
class SourceCrawl:
    """State and results of crawling one source once."""

    source: Source
    store: DocumentStore
    matcher: Matcher
    mirror: Mirror
    max_pages: int
    crawl: CrawlSettings = field(default_factory=CrawlSettings)  # type: ignore[arg-type]
    alert_policy: AlertSettings = field(default_factory=AlertSettings)  # type: ignore[arg-type]
    adapter: ListAdapter = field(init=False)
    known: dict[str, str | None] = field(default_factory=dict)
    previous_run_clean: bool = False
    run_id: int = 0
    stats: Counter[str] = field(default_factory=Counter)
    failures: list[CrawlFailure] = field(default_factory=list)
    found: list[DocumentRecord] = field(default_factory=list)
    alerting: Alerting | None = None
    on_progress: ProgressCallback | None = None
    opened_at: float | None = None  # time.monotonic() when Scrapy opened / closed the spider
    closed_at: float | None = None
    list_failures: list[FailureKind] = field(default_factory=list)
    _seen_unchanged: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.adapter = ADAPTERS[self.source.adapter](self.source.options)

    def begin(self) -> None:
        self.known = self.store.known_listings(self.source.id)
        last_status = self.store.last_run_status(self.source.id)
        self.previous_run_clean = last_status == "ok"
        if last_status is None and self.alerting is not None:
            # A source's first crawl is its baseline: only recent documents are alerted.
            self.alerting.baseline_sources.add(self.source.id)
        self.run_id = self.store.start_run(self.source.id)

    def skip(self, doc_key: str) -> None:
        """A listed document is stored and unchanged: its detail page is not fetched."""
        self.stats["details_skipped"] += 1
        self._seen_unchanged.append(doc_key)

    def stored(self, record: DocumentRecord, outcome: SaveOutcome) -> None:
        self.stats[f"documents_{outcome.value}"] += 1
        if outcome is not SaveOutcome.UNCHANGED:
            self.found.append(record)
        self.notify()

    def fail(
        self,
        url: str,
        kind: FailureKind | str,
        detail: str,
        *,
        list_page: bool = False,
        doc_key: str | None = None,
    ) -> None:
        kind = FailureKind(kind)
        logger.warning("{}: {} {}: {}", self.source.id, kind, url, detail)
        self.failures.append(CrawlFailure(url, kind, detail))
        if list_page:
            self.list_failures.append(kind)
        elif kind in GONE and doc_key in self.known:
            # A stored document whose page now says it is gone: kept, marked gone, no alert.
            self.store.mark_gone(doc_key)
        self.stats["errors"] += 1
        self.store.record_error(self.run_id, url, kind, detail)
        self.notify()

    def notify(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self)

    @property
    def status(self) -> str:
        if self.stats["list_pages"] == 0 or (
            self.failures
            and self.stats["details_fetched"] == 0
            and self.stats["details_skipped"] == 0
        ):
            return "failed" if self.failures else "empty"
        return "partial" if self.failures else "ok"

    def run_result(self) -> RunResult:
        """How this run went, for the source's health (storage.source_health)."""
        if self.stats["list_ok"]:
            return RunResult("ok", self.stats["listed"])
        detail = "; ".join(f"{f.kind}: {f.detail}" for f in self.failures[:3]) or None
        if any(kind in REFUSALS for kind in self.list_failures):
            return RunResult("blocked", 0, detail)
        if FailureKind.PARSE_FAILED in self.list_failures:
            return RunResult("empty", 0, detail)
        return RunResult("failed", 0, detail)

    def finish(self) -> None:
        self.store.mark_seen(self._seen_unchanged)
        self.store.finish_run(self.run_id, self.status, dict(self.stats))
        policy = self.alert_policy
        self.store.record_health(
            self.source.id,
            self.run_result(),
            self.alerting,
            failures_in_a_row=policy.failures_in_a_row,
            empty_after_items=policy.empty_after_items,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source.id,
            "province_code": self.source.province_code,
            "kind": self.source.kind,
            "status": self.status,
            "run_id": self.run_id,
            "stats": dict(self.stats),
            "failures": [f.__dict__ for f in self.failures],
        }
