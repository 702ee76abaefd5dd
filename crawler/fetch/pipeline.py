"""The Scrapy item pipeline: every document a spider yields goes into storage here.

Documents are written in batches (one transaction each) because a commit per document costs
more than extracting it. A batch is written when it is full, when it has waited too long, and
when the spider closes; a crash loses only unwritten documents, which stay unknown and are
fetched again by the next crawl.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler

from storage.repository import DocumentRecord

if TYPE_CHECKING:
    from crawler.fetch.source_crawl import SourceCrawl

BATCH_SIZE = 50
BATCH_SECONDS = 1.0


class DocumentPipeline:
    """Stores each :class:`DocumentRecord` and tells the source's crawl what happened to it."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.pending: list[DocumentRecord] = []
        self.oldest = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DocumentPipeline:
        return cls(crawler)

    @property
    def job(self) -> SourceCrawl:
        return self.crawler.spider.job  # type: ignore[union-attr]

    def process_item(self, item: Any) -> Any:
        if isinstance(item, DocumentRecord):
            if not self.pending:
                self.oldest = time.monotonic()
            self.pending.append(item)
            if len(self.pending) >= BATCH_SIZE or time.monotonic() - self.oldest > BATCH_SECONDS:
                self.flush()
        return item

    def close_spider(self) -> None:
        self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        job = self.job
        outcomes = job.store.save_many(batch, job.alerting)
        for record, outcome in zip(batch, outcomes, strict=True):
            job.stored(record, outcome)
