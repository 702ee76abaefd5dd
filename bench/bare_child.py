"""Child process: a bare Scrapy spider fetching the same URLs, doing nothing with them.

Same reactor, concurrency and per-host slots as govwatch's polite-off crawl; the yardstick the
full pipeline's rate is compared with.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.http import Response

from crawler.config import CrawlSettings
from crawler.fetch.scrapy_settings import scrapy_settings


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.fetched = 0

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url, slot in self.urls:
            yield scrapy.Request(
                url, callback=self.parse, meta={"download_slot": slot}, dont_filter=True
            )

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> BareSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _opened(self) -> None:
        self.opened_at = time.monotonic()

    def _closed(self) -> None:
        self.closed_at = time.monotonic()

    def parse(self, response: Response) -> None:
        self.fetched += 1


def main(url_file: str) -> None:
    with open(url_file, encoding="utf-8") as handle:
        urls = [tuple(line.rstrip("\n").split("\t")) for line in handle if line.strip()]
    settings = scrapy_settings(CrawlSettings(polite=False, concurrent_per_domain=8))
    settings["ITEM_PIPELINES"] = {}
    settings["LOG_ENABLED"] = False
    process = AsyncCrawlerProcess(settings)
    bare = process.create_crawler(BareSpider)
    process.crawl(bare, urls=urls)
    process.start()
    spider: BareSpider = bare.spider  # type: ignore[assignment]
    print(json.dumps({"seconds": spider.closed_at - spider.opened_at, "pages": spider.fetched}))


if __name__ == "__main__":
    main(sys.argv[1])
