"""Running crawls: one Scrapy crawler per source, all in one process, results per source.

Scrapy's reactor starts once per process, so :func:`run_crawl` is called once per process
(the CLI does; the service runs each crawl in a child process).
"""

from __future__ import annotations

from crawler.alerts.compose import Alerting
from crawler.config import Settings
from crawler.fetch.mirror import Mirror
from crawler.fetch.source_crawl import ProgressCallback, SourceCrawl
from crawler.match.matcher import Matcher
from crawler.match.topics import load_topics
from spiders.adapters import ADAPTERS
from spiders.registry import Source
from storage.database import Database
from storage.repository import DocumentStore


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

    from crawler.fetch.scrapy_settings import scrapy_settings
    from crawler.fetch.spider import SourceSpider

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
