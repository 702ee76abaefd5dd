"""The Scrapy item pipeline: every document a spider yields goes into storage here."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler

from storage.repository import DocumentRecord


class DocumentPipeline:
    """Stores each :class:`DocumentRecord` and tells the source's crawl what happened to it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DocumentPipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, DocumentRecord):
            job = self.crawler.spider.job  # type: ignore[union-attr]
            job.stored(item, job.store.save(item))
        return item
