"""The crawl engine: one long-lived Scrapy crawler that crawls many sources at once.

Sources are handed to it while it runs (:meth:`CrawlEngine.submit`, in the reactor's thread);
each becomes a :class:`SourceCrawl` whose requests share Scrapy's per-host download slots, so
one site gets one request at a time (``crawl.concurrent_per_domain``) whichever sources ask.
A crawl is finished when none of its requests and documents is open; a crawl past its timeout
is ended with a ``crawl_timeout`` failure and its queued requests are dropped.

The one-off ``govwatch crawl`` runs an engine that closes when its sources are done; the
service's workers (crawler.fetch.engine_process) run one that stays open for many crawls.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from loguru import logger

from crawler.alerts.compose import Alerting
from crawler.config import Settings
from crawler.extract.page_kinds import FailureKind
from crawler.fetch.document_writer import DocumentWriter
from crawler.fetch.mirror import Mirror
from crawler.fetch.source_crawl import ProgressCallback, SourceCrawl
from crawler.match.matcher import Matcher
from crawler.match.topics import load_topics
from spiders.adapters import ADAPTERS
from spiders.registry import Source
from storage.database import Database
from storage.repository import DocumentStore

if TYPE_CHECKING:
    from crawler.fetch.spider import SourcesSpider

DoneCallback = Callable[[SourceCrawl], None]
HOUSEKEEPING_EVERY = 1.0  # seconds: batches written, timeouts enforced


def open_store(settings: Settings) -> DocumentStore:
    """The document store, its schema upgraded first when it is the embedded SQLite."""
    database = Database(settings.effective_database_url)
    if settings.is_embedded_database:
        database.upgrade()
    return DocumentStore(database)


def page_limit(source: Source, settings: Settings) -> int:
    """List pages a run may read: the source's limit, else the config's, within the family's cap."""
    limit = source.max_pages or settings.crawl.max_pages
    cap = ADAPTERS[source.adapter].PAGE_CAP
    return min(limit, cap) if cap else limit


class CrawlEngine:
    def __init__(self, settings: Settings, *, keep_open: bool = False) -> None:
        self.settings = settings
        self.keep_open = keep_open
        self.store = open_store(settings)
        self.topics = load_topics(settings.topics_file)
        self.matcher = Matcher(self.topics)
        self.alerting = Alerting(settings, {}, self.topics)
        self.mirror = Mirror(settings.replica_url)
        self.writer = DocumentWriter(self.store, self.alerting)
        self.spider: SourcesSpider | None = None
        self.active: dict[int, tuple[SourceCrawl, float | None, DoneCallback | None]] = {}
        self._before_open: list[SourceCrawl] = []
        self._rechecked: dict[str, float] = {}
        self._housekeeping: asyncio.Future[None] | None = None
        self._closing: asyncio.Future[None] | None = None
        self.crawls_done = 0
        self.on_open: Callable[[], None] | None = None  # called once Scrapy runs the spider

    # -- the spider's side ------------------------------------------------------------------

    def spider_opened(self, spider: SourcesSpider) -> None:
        self.spider = spider
        self._housekeeping = asyncio.ensure_future(self._keep_house())
        waiting, self._before_open = self._before_open, []
        for job in waiting:
            spider.begin(job)
        if self.on_open is not None:
            self.on_open()

    def may_close(self) -> bool:
        """Whether the spider may close now that Scrapy has nothing left to do."""
        return not self.keep_open and not self.active and not self._before_open

    def recheck_due(self, source_id: str) -> bool:
        """Whether this source's re-check rotation is due in this engine (at most once an hour
        per source, so a source crawled every minute does not ask the database every minute)."""
        now = time.monotonic()
        last = self._rechecked.get(source_id)
        if last is not None and now - last < 3600:
            return False
        self._rechecked[source_id] = now
        return True

    # -- crawls -----------------------------------------------------------------------------

    def submit(
        self,
        source: Source,
        *,
        timeout: float | None = None,
        on_progress: ProgressCallback | None = None,
        on_done: DoneCallback | None = None,
    ) -> SourceCrawl:
        """Start crawling ``source`` (call in the reactor's thread); ``on_done`` hears the end."""
        job = SourceCrawl(
            source=source,
            store=self.store,
            matcher=self.matcher,
            mirror=self.mirror,
            max_pages=page_limit(source, self.settings),
            crawl=self.settings.crawl,
            alert_policy=self.settings.alerts,
            alerting=self.alerting,
            on_progress=on_progress,
        )
        job.on_idle = self._idle
        self.alerting.sources[source.id] = source
        job.begin()
        deadline = time.monotonic() + timeout if timeout else None
        self.active[id(job)] = (job, deadline, on_done)
        if self.spider is None:
            self._before_open.append(job)
        else:
            self.spider.begin(job)
        return job

    def cancel(self, job: SourceCrawl, reason: str) -> None:
        """End a crawl now: recorded as failed with ``reason``; its open requests are dropped."""
        if job.finished:
            return
        entry = job.source.entry_urls[0]
        job.fail(entry, FailureKind.CRAWL_TIMEOUT, reason, list_page=True)
        if job.documents_waiting:
            self.writer.flush()  # what it read is kept
        self._finish(job)

    def _idle(self, job: SourceCrawl) -> None:
        if job.documents_waiting:
            self.writer.flush()  # storing them closes them, which finishes the crawl
            return
        self._finish(job)

    def _finish(self, job: SourceCrawl) -> None:
        _, _, on_done = self.active.pop(id(job), (job, None, None))
        try:
            job.finish()
        except Exception as exc:  # the run record or health could not be written
            logger.error("{}: closing the run failed: {}", job.source.id, exc)
        self.crawls_done += 1
        self.alerting.baseline_sources.discard(job.source.id)
        if on_done is not None:
            on_done(job)
        if self.may_close() and self.spider is not None:
            self._close_spider()

    def _close_spider(self) -> None:
        assert self.spider is not None
        engine = self.spider.crawler.engine
        self._closing = asyncio.ensure_future(engine.close_spider_async(reason="finished"))

    def close(self) -> None:
        """No more crawls: close once the running ones are done (at once if none is)."""
        self.keep_open = False
        if self.may_close() and self.spider is not None:
            self._close_spider()

    async def _keep_house(self) -> None:
        while True:
            await asyncio.sleep(HOUSEKEEPING_EVERY)
            try:
                self.writer.flush_due()
                now = time.monotonic()
                for job, deadline, _ in list(self.active.values()):
                    if deadline is not None and now > deadline and not job.finished:
                        seconds = now - (job.opened_at or now)
                        logger.error("{}: crawl ended after {:.0f} s", job.source.id, seconds)
                        self.cancel(job, f"crawl did not finish within {seconds:.0f} s")
            except Exception as exc:  # e.g. the database away for a moment: next round
                logger.error("crawl engine housekeeping failed: {}", exc)

    def stopped(self) -> None:
        """After the reactor stopped: write what is left, end crawls still open, let go."""
        if self._housekeeping is not None:
            self._housekeeping.cancel()
        for job, _, _ in list(self.active.values()):
            self.cancel(job, "the crawl engine stopped before the crawl finished")
        self.writer.flush()
        if not self.keep_open:
            # A one-off crawl alerts its health events now, one alert per event kind; the
            # service's notifier groups them across crawls instead (alerts.health_group_seconds).
            self.store.flush_health_events(self.alerting)
        self.store.db.dispose()
