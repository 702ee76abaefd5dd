"""One Scrapy spider class that crawls any source through its adapter.

List pages → candidate documents → skip those stored and unchanged → detail pages → extract →
match → item for the storage pipeline. Every page that fails (after Scrapy's retries) or turns
out not to be content is recorded on the run; none of them becomes a document.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.challenge import classify_page
from crawler.encoding import decode_html
from crawler.extract import extract_page
from crawler.mirror import document_key
from crawler.scrapy_settings import CHALLENGE_STATUSES
from storage.repository import DocumentRecord, listing_fingerprint

if TYPE_CHECKING:
    from crawler.crawl import SourceCrawl


class SourceSpider(scrapy.Spider):
    """Crawls one source once. Scrapy creates it with ``source_crawl`` as keyword argument."""

    name = "source"

    def __init__(self, source_crawl: SourceCrawl, **kwargs: Any) -> None:
        super().__init__(name=f"source:{source_crawl.source.id}", **kwargs)
        self.job = source_crawl

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _opened(self) -> None:
        self.job.opened_at = time.monotonic()

    def _closed(self) -> None:
        self.job.closed_at = time.monotonic()

    def _request(self, real_url: str, callback: Any, **meta: Any) -> scrapy.Request:
        mirror = self.job.mirror
        return scrapy.Request(
            mirror.fetch_url(real_url),
            callback=callback,
            errback=self.on_failure,
            meta={
                "real_url": real_url,
                "download_slot": mirror.slot(real_url),
                "handle_httpstatus_list": CHALLENGE_STATUSES,
                **meta,
            },
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for entry in self.job.source.entry_urls:
            yield self._request(entry, self.parse_list, page_index=0, first_page=entry)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request]:
        job = self.job
        job.stats["list_pages"] += 1
        real_url = response.meta["real_url"]
        decoded = decode_html(response.body, _content_type(response))
        verdict = classify_page(decoded.text, response.status)
        if not verdict.kind.is_content:
            job.fail(real_url, verdict.kind.value, verdict.reason)
            return
        listing = job.adapter.parse_list(response.url, decoded.text)
        if not listing.items:
            job.fail(real_url, "parse_failed", "list page parsed to 0 items")
            return
        all_known = True
        for item in listing.items:
            item_real = job.mirror.real_url(item.url)
            key = document_key(item_real)
            fingerprint = listing_fingerprint(item.title, item.date)
            if job.known.get(key) == fingerprint:
                job.skip(key)
                continue
            all_known = False
            job.stats["details_requested"] += 1
            yield self._request(
                item_real,
                self.parse_detail,
                doc_key=key,
                listing_fingerprint=fingerprint,
                listed_title=item.title,
            )
        job.notify()
        next_index = response.meta["page_index"] + 1
        more = listing.total_pages is None or next_index < listing.total_pages
        # Stop at a page of known documents, unless the last run left some unread.
        stop_here = all_known and job.previous_run_clean
        if more and not stop_here and next_index < job.max_pages and listing.total_pages:
            first = response.meta["first_page"]
            yield self._request(
                job.adapter.page_url(first, next_index),
                self.parse_list,
                page_index=next_index,
                first_page=first,
            )

    def parse_detail(self, response: Response) -> Iterator[DocumentRecord]:
        job = self.job
        job.stats["details_fetched"] += 1
        real_url = response.meta["real_url"]
        extraction = extract_page(response.body, real_url, _content_type(response), response.status)
        if not extraction.is_document:
            job.fail(real_url, extraction.kind.value, extraction.reason)
            return
        hits = job.matcher.match(f"{extraction.title or ''}\n{extraction.body_text}")
        source = job.source
        yield DocumentRecord(
            doc_key=response.meta["doc_key"],
            source_id=source.id,
            province_code=source.province_code,
            kind=source.kind,
            url=real_url,
            title=extraction.title or response.meta.get("listed_title"),
            published_at=extraction.published_at,
            body_text=extraction.body_text,
            doc_number=extraction.doc_number,
            publisher=extraction.publisher,
            doc_type=extraction.doc_type,
            site_name=extraction.site_name,
            encoding=extraction.encoding,
            listing_fingerprint=response.meta["listing_fingerprint"],
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            hits=[{k: v for k, v in h.to_dict().items() if k != "label"} for h in hits],
        )

    def on_failure(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        url = request.meta.get("real_url", request.url) if request is not None else "?"
        self.job.fail(url, _failure_kind(failure), failure.getErrorMessage() or repr(failure.value))


def _content_type(response: Response) -> str | None:
    return _header(response, "Content-Type")


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _failure_kind(failure: Failure) -> str:
    """A short, stable name for why a request failed after its retries."""
    from scrapy import exceptions as scrapy_errors
    from scrapy.spidermiddlewares.httperror import HttpError

    if isinstance(failure.value, HttpError):
        return f"http_{failure.value.response.status}"
    kinds = (
        ("timeout", (scrapy_errors.DownloadTimeoutError, TimeoutError)),
        ("truncated", (scrapy_errors.ResponseDataLossError,)),
        ("dns", (scrapy_errors.CannotResolveHostError,)),
        (
            "connection",
            (
                scrapy_errors.DownloadConnectionRefusedError,
                scrapy_errors.DownloadFailedError,
                ConnectionError,
            ),
        ),
    )
    for kind, classes in kinds:
        if failure.check(*classes):
            return kind
    return type(failure.value).__name__.lower()
