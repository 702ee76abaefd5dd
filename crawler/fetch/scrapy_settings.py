"""Every Scrapy setting govwatch uses, in one place, derived from :class:`CrawlSettings`."""

from __future__ import annotations

from typing import Any

from crawler.browser.pool import BrowserSettings
from crawler.config import CrawlSettings
from crawler.fetch.identity import ACCEPT_LANGUAGE

# Status codes whose pages the spider reads itself: challenge pages (412 瑞数, 521 加速乐) must be
# classified, not dropped as plain HTTP errors.
CHALLENGE_STATUSES = [412, 521]


def scrapy_settings(crawl: CrawlSettings, browser: BrowserSettings | None = None) -> dict[str, Any]:
    """Scrapy settings for a crawl: polite to real sites unless ``crawl.polite`` is false."""
    settings: dict[str, Any] = {
        "BOT_NAME": "govwatch",
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        # An HTTP server that runs code, and a telnet shell: neither belongs in a crawler.
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "ROBOTSTXT_OBEY": crawl.obey_robots_txt,
        "USER_AGENT": crawl.user_agent,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": ACCEPT_LANGUAGE,
        },
        "COOKIES_ENABLED": True,
        "CONCURRENT_REQUESTS": crawl.concurrent_total,
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrent_per_domain,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "DOWNLOAD_DELAY_JITTER": 0.5,  # each delay is 0.5–1.5 × DOWNLOAD_DELAY
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 1.0),
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": crawl.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "DOWNLOAD_TIMEOUT": crawl.timeout,
        "DNS_TIMEOUT": min(crawl.timeout, 20.0),
        "DOWNLOAD_MAXSIZE": crawl.max_download_mb * 1024 * 1024,
        "DOWNLOAD_WARNSIZE": crawl.max_download_mb * 1024 * 1024 // 4,
        "DOWNLOAD_FAIL_ON_DATALOSS": True,  # a truncated body is an error, never a document
        # Documents are stored by the engine's writer (crawler.fetch.document_writer), not
        # through items; a list's own links are never dropped for their length.
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None},
        # Challenges and script-built lists go to a browser (crawler.browser.middleware decides,
        # crawler.browser.handler renders; Chromium starts on the first such page, not before).
        # 580: below HttpCompressionMiddleware (590), so the middleware reads decoded bodies.
        # 50: requests of a crawl that already ended are dropped before anything else.
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.fetch.spider.FinishedCrawlGate": 50,
            "crawler.fetch.host_policy.OffsiteRedirectGate": 51,
            "crawler.browser.middleware.RenderMiddleware": 580,
        },
        "DOWNLOAD_HANDLERS": {
            "http": "crawler.browser.handler.RenderDownloadHandler",
            "https": "crawler.browser.handler.RenderDownloadHandler",
        },
        "GOVWATCH_BROWSER": (browser or _default_browser()).model_dump(mode="json"),
        # Scrapy starts this many asyncio workers for every callback's output; a callback here
        # yields at most one list page's links, so the default 100 only costs time.
        "CONCURRENT_ITEMS": 4,
        "LOG_LEVEL": "INFO",
        "LOG_INSTALL_ROOT_HANDLER": False,  # logs go through loguru (crawler.logs)
        "LOGSTATS_INTERVAL": 0,
        "MEMUSAGE_ENABLED": False,
        "STATS_DUMP": False,
    }
    if not crawl.polite:
        settings.update(
            {
                "DOWNLOAD_DELAY": 0,
                "AUTOTHROTTLE_ENABLED": False,
                "CONCURRENT_REQUESTS_PER_DOMAIN": max(crawl.concurrent_per_domain, 8),
            }
        )
    return settings


def _default_browser() -> BrowserSettings:
    return BrowserSettings()  # type: ignore[call-arg]
