"""Running crawls: one Scrapy crawler per source, all in one process, results per source.

Scrapy's reactor starts once per process, so :func:`run_crawl` is called once per process
(the CLI does; the service runs each crawl in a child process).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from loguru import logger

from crawler.alerting import Alerting
from crawler.challenge import REFUSALS
from crawler.config import AlertSettings, CrawlSettings, Settings
from crawler.matcher import Matcher
from crawler.mirror import Mirror
from crawler.topics import load_topics
from spiders.adapters import ADAPTERS, ListAdapter
from spiders.registry import Source
from storage.database import Database
from storage.repository import DocumentRecord, DocumentStore, SaveOutcome
from storage.source_health import RunResult

ProgressCallback = Callable[["SourceCrawl"], None]
# Failure kinds of a stored document's page that mean it was taken down.
GONE_KINDS = frozenset({"http_404", "http_410", "soft_404"})


@dataclass
class CrawlFailure:
    url: str
    kind: str
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
    list_failures: list[str] = field(default_factory=list)
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
        kind: str,
        detail: str,
        *,
        list_page: bool = False,
        doc_key: str | None = None,
    ) -> None:
        logger.warning("{}: {} {}: {}", self.source.id, kind, url, detail)
        self.failures.append(CrawlFailure(url, kind, detail))
        if list_page:
            self.list_failures.append(kind)
        elif kind in GONE_KINDS and doc_key in self.known:
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
        if "parse_failed" in self.list_failures:
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


def _page_limit(source: Source, settings: Settings) -> int:
    """List pages a run may read: the source's limit, else the config's, within the family's cap."""
    limit = source.max_pages or settings.crawl.max_pages
    cap = ADAPTERS[source.adapter].PAGE_CAP
    return min(limit, cap) if cap else limit


def _offline_public_suffixes() -> None:
    """Let Scrapy's cookie middleware use tldextract's bundled public-suffix list.

    By default it downloads the list on first use: a hidden network call in every crawl
    process, which fails with a traceback where there is no internet.
    """
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


def open_store(settings: Settings) -> DocumentStore:
    """The document store, its schema upgraded first when it is the embedded SQLite."""
    database = Database(settings.effective_database_url)
    if settings.is_embedded_database:
        database.upgrade()
    return DocumentStore(database)


def run_crawl(
    settings: Settings,
    sources: list[Source],
    *,
    on_progress: ProgressCallback | None = None,
) -> list[SourceCrawl]:
    """Crawl ``sources`` once (concurrently) and return what each crawl did."""
    from scrapy.crawler import AsyncCrawlerProcess

    from crawler.scrapy_settings import scrapy_settings
    from crawler.spider import SourceSpider

    store = open_store(settings)
    topics = load_topics(settings.topics_file)
    matcher = Matcher(topics)
    alerting = Alerting(settings, {s.id: s for s in sources}, topics)
    mirror = Mirror(settings.replica_url)
    _offline_public_suffixes()
    process = AsyncCrawlerProcess(scrapy_settings(settings.crawl, settings.browser))
    jobs = []
    for source in sources:
        job = SourceCrawl(
            source=source,
            store=store,
            matcher=matcher,
            mirror=mirror,
            max_pages=_page_limit(source, settings),
            crawl=settings.crawl,
            alert_policy=settings.alerts,
            alerting=alerting,
            on_progress=on_progress,
        )
        job.begin()
        jobs.append(job)
        process.crawl(SourceSpider, source_crawl=job)
    try:
        process.start()
    finally:
        for job in jobs:
            job.finish()
        store.db.dispose()
    return jobs
