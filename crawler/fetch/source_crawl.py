"""The state and results of crawling one source once: what the spider, the document writer
and the browser middleware share, and what the run record and the source's health are made of.

A crawl is finished when no work of it is open: every request it made has reached its callback
or errback, and every document it read has been stored (:meth:`SourceCrawl.open_work`).
"""

from __future__ import annotations

import time
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
from storage.repository import DocumentRecord, DocumentStore, ListPageState, SaveOutcome
from storage.source_health import RunResult

ProgressCallback = Callable[["SourceCrawl"], None]
JOB = "govwatch_job"  # request.meta key: the SourceCrawl a request belongs to


def job_of(request: Any) -> SourceCrawl | None:
    """The crawl a Scrapy request belongs to (None for requests of no crawl)."""
    return request.meta.get(JOB)


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
    previous_run_clean: bool = False
    run_id: int = 0
    stats: Counter[str] = field(default_factory=Counter)
    failures: list[CrawlFailure] = field(default_factory=list)
    found: list[DocumentRecord] = field(default_factory=list)
    alerting: Alerting | None = None
    on_progress: ProgressCallback | None = None
    opened_at: float | None = None  # time.monotonic() when the crawl began / finished
    closed_at: float | None = None
    list_failures: list[FailureKind] = field(default_factory=list)
    # The list pages as last read (validators, item hash) and as read by this run.
    list_pages: dict[str, ListPageState] = field(default_factory=dict)
    list_updates: dict[str, ListPageState] = field(default_factory=dict)
    # Requests not yet answered (callback or errback done) plus documents not yet stored.
    open_work: int = 0
    documents_waiting: int = 0  # read, waiting in the document writer's batch (in open_work)
    requested: set[str] = field(default_factory=set)
    finished: bool = False
    lists_need_browser: bool = False  # its lists turned out to be built by scripts
    on_idle: Callable[[SourceCrawl], None] | None = None
    _known: dict[str, str | None] | None = None
    _seen_unchanged: list[str] = field(default_factory=list)
    _checked_unchanged: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.adapter = ADAPTERS[self.source.adapter](self.source.options)

    def begin(self) -> None:
        self.opened_at = time.monotonic()
        start = self.store.begin_run(self.source.id)
        self.run_id = start.run_id
        self.previous_run_clean = start.previous_run_clean
        self.list_pages = start.list_pages
        if start.last_status is None and self.alerting is not None:
            # A source's first crawl is its baseline: only recent documents are alerted.
            self.alerting.baseline_sources.add(self.source.id)

    @property
    def known(self) -> dict[str, str | None]:
        """doc_key → listing fingerprint of the source's stored documents (read when first
        needed: a crawl whose lists did not change never reads them)."""
        if self._known is None:
            self._known = self.store.known_listings(self.source.id)
        return self._known

    # -- open work --------------------------------------------------------------------------

    def opened(self) -> None:
        self.open_work += 1

    def closed(self) -> None:
        """One request answered or one document stored; at zero the crawl is complete."""
        self.open_work -= 1
        only_documents_left = self.open_work == self.documents_waiting
        if only_documents_left and not self.finished and self.on_idle is not None:
            self.on_idle(self)

    def first_request(self, url: str) -> bool:
        """Whether ``url`` was not yet asked for in this crawl (and note that it now is)."""
        if url in self.requested:
            return False
        self.requested.add(url)
        return True

    # -- what happened ----------------------------------------------------------------------

    def skip(self, doc_key: str) -> None:
        """A listed document is stored and unchanged: its detail page is not fetched."""
        self.stats["details_skipped"] += 1
        self._seen_unchanged.append(doc_key)

    def rechecked_unchanged(self, doc_key: str) -> None:
        """A known document's page, fetched again, answered 304: nothing to store."""
        self.stats["rechecks_not_modified"] += 1
        self._checked_unchanged.append(doc_key)

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
        elif kind in GONE and doc_key is not None and doc_key in self.known:
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
            and self.stats["lists_not_modified"] == 0
            and self.stats["lists_unchanged"] == 0
        ):
            return "failed" if self.failures else "empty"
        # Stopped at the page limit on a page of unknown documents: older unknown ones may lie
        # beyond it, so the next run must not stop at the first page it already knows.
        incomplete = self.failures or self.stats["stopped_among_unknown"]
        return "partial" if incomplete else "ok"

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

    @property
    def first_error(self) -> str | None:
        """The first failure in one line, for logs and the service's run outcomes."""
        if not self.failures:
            return None
        failure = self.failures[0]
        return f"{failure.kind}: {failure.url}: {failure.detail}"[:300]

    def finish(self) -> None:
        """Close the run: its record, its bookkeeping and the source's health (once)."""
        if self.finished:
            return
        self.finished = True
        self.closed_at = time.monotonic()
        # Validators are kept only from a clean run: after a partial one the lists are read
        # again in full, not answered "not modified".
        pages = self.list_updates if not self.failures else {}
        policy = self.alert_policy
        self.store.end_run(  # one transaction: the run, its bookkeeping, the source's health
            self.run_id,
            self.status,
            dict(self.stats),
            seen=self._seen_unchanged,
            checked=self._checked_unchanged,
            list_pages=pages,
            previous=self.list_pages,
            source_id=self.source.id,
            health=self.run_result(),
            alerts=self.alerting,
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
