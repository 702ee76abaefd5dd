"""The one-off crawl: sources crawled once, concurrently, by a crawl engine in this process.

Scrapy's reactor starts once per process, so :func:`run_crawl` is called once per process
(the CLI does). The service runs its crawls in long-lived engine processes instead
(crawler.fetch.engine_process).
"""

from __future__ import annotations

from crawler.config import Settings
from crawler.fetch.engine import CrawlEngine
from crawler.fetch.source_crawl import ProgressCallback, SourceCrawl
from spiders.registry import Source


def _offline_public_suffixes() -> None:
    """Let Scrapy's cookie middleware use tldextract's bundled public-suffix list.

    By default it downloads the list on first use: a hidden network call in every crawl
    process, which fails with a traceback where there is no internet.
    """
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


def start_scrapy(engine: CrawlEngine, *, install_signal_handlers: bool = True) -> None:
    """Run Scrapy with the engine's spider until the engine lets it close (blocks)."""
    from scrapy.crawler import AsyncCrawlerProcess

    from crawler.fetch.scrapy_settings import scrapy_settings
    from crawler.fetch.spider import SourcesSpider

    _offline_public_suffixes()
    settings = engine.settings
    process = AsyncCrawlerProcess(scrapy_settings(settings.crawl, settings.browser))
    process.crawl(SourcesSpider, engine=engine)
    try:
        process.start(install_signal_handlers=install_signal_handlers)
    finally:
        engine.stopped()


def run_crawl(
    settings: Settings,
    sources: list[Source],
    *,
    on_progress: ProgressCallback | None = None,
) -> list[SourceCrawl]:
    """Crawl ``sources`` once (concurrently) and return what each crawl did."""
    engine = CrawlEngine(settings)
    jobs = [engine.submit(source, on_progress=on_progress) for source in sources]
    start_scrapy(engine)
    return jobs
