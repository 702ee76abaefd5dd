"""One Scrapy spider class that crawls any source through its adapter.

List pages → candidate documents → skip those stored and unchanged → detail pages (or the
document the list itself carries) → extract → match → record for the storage pipeline.
Every page that fails (after Scrapy's retries) or turns out not to be content is recorded on
the run; none of them becomes a document.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from crawler.document_record import build_document_record
from crawler.extract.attachments import attachment_links, extract_attachment_text
from crawler.extract.encoding import DecodedPage
from crawler.extract.page import extract_decoded
from crawler.extract.page_kinds import FailureKind, classify_page
from crawler.fetch.mirror import document_key
from crawler.fetch.responses import decoded as decoded_page
from crawler.fetch.scrapy_settings import CHALLENGE_STATUSES
from spiders.adapters import ListItem, PageRequest
from storage.repository import AttachmentRecord, DocumentRecord, listing_fingerprint

if TYPE_CHECKING:
    from crawler.fetch.source_crawl import SourceCrawl


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

    def _request(self, page: PageRequest, callback: Any, **meta: Any) -> scrapy.Request:
        mirror = self.job.mirror
        return scrapy.Request(
            mirror.fetch_url(page.url),
            method=page.method,
            body=page.body.encode("utf-8") if page.body is not None else None,
            headers=page.headers or None,
            callback=callback,
            errback=self.on_failure,
            # A list page is asked again on every run (a POST API's URL never changes).
            dont_filter=callback == self.parse_list,
            meta={
                "real_url": page.url,
                "download_slot": mirror.slot(page.url),
                "handle_httpstatus_list": CHALLENGE_STATUSES,
                **meta,
            },
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for entry in self.job.source.entry_urls:
            yield self._request(
                self.job.adapter.list_request(entry, 0), self.parse_list, page_index=0, entry=entry
            )

    async def parse_list(
        self, response: Response
    ) -> AsyncIterator[scrapy.Request | DocumentRecord]:
        job = self.job
        job.stats["list_pages"] += 1
        real_url = response.meta["real_url"]
        decoded = decoded_page(response)
        verdict = classify_page(decoded.text, response.status)
        if not verdict.kind.is_content:
            job.fail(real_url, FailureKind.of_page(verdict.kind), verdict.reason, list_page=True)
            return
        try:
            listing = job.adapter.parse_list(real_url, decoded.text)
        except (ValueError, KeyError, TypeError) as exc:  # JSON or markup not as the family's
            job.fail(
                real_url, FailureKind.PARSE_FAILED, f"{type(exc).__name__}: {exc}", list_page=True
            )
            return
        if listing.refused is not None:
            kind, reason = listing.refused
            job.fail(real_url, kind, reason, list_page=True)
            return
        index = response.meta["page_index"]
        if not listing.items and index == 0 and not listing.total_pages:
            job.fail(
                real_url, FailureKind.PARSE_FAILED, "list page parsed to 0 items", list_page=True
            )
            return
        if listing.items:
            job.stats["list_ok"] += 1
            job.stats["listed"] += len(listing.items)
        all_known = bool(listing.items)
        for item in listing.items:
            key = document_key(item.url)
            fingerprint = listing_fingerprint(item.title, item.date)
            if job.known.get(key) == fingerprint:
                job.skip(key)
                continue
            all_known = False
            meta = {"doc_key": key, "listing_fingerprint": fingerprint, "item": item}
            if item.inline_html is not None:
                job.stats["details_inline"] += 1
                page = DecodedPage(item.inline_html, "utf-8", None)
                async for record in self._document(page, item.url, 200, meta):
                    yield record
                continue
            job.stats["details_requested"] += 1
            yield self._request(item.detail or PageRequest(item.url), self.parse_detail, **meta)
        job.notify()
        for request in self._next_page(response, listing, index, all_known):
            yield request

    def _next_page(
        self, response: Response, listing: Any, index: int, all_known: bool
    ) -> Iterator[scrapy.Request]:
        job = self.job
        # Stop at a page of known documents, unless the last run left some unread.
        if all_known and job.previous_run_clean:
            return
        next_index = index + 1
        if next_index >= job.max_pages:
            return
        entry = response.meta["entry"]
        if listing.next_request is not None:
            request = listing.next_request
        elif listing.total_pages and next_index < listing.total_pages:
            request = job.adapter.list_request(entry, next_index)
        else:
            return
        yield self._request(request, self.parse_list, page_index=next_index, entry=entry)

    async def parse_detail(self, response: Response) -> AsyncIterator[DocumentRecord]:
        self.job.stats["details_fetched"] += 1
        item: ListItem = response.meta["item"]
        page = decoded_page(response)
        if response.status == 200:
            try:
                converted = self.job.adapter.detail_html(item, page.text)
            except (ValueError, KeyError, TypeError) as exc:
                self.job.fail(
                    item.url, FailureKind.PARSE_FAILED, f"detail: {type(exc).__name__}: {exc}"
                )
                return
            if converted is not None:  # a JSON detail answer, as the page it stands for
                page = DecodedPage(converted, page.encoding, page.declared, page.note)
        async for record in self._document(page, item.url, response.status, response.meta):
            yield record

    async def _document(
        self, page: DecodedPage, url: str, status: int, meta: dict[str, Any]
    ) -> AsyncIterator[DocumentRecord]:
        job = self.job
        extraction = extract_decoded(page, url, status)
        if not extraction.is_document:
            job.fail(
                url,
                FailureKind.of_page(extraction.kind),
                extraction.reason,
                doc_key=meta["doc_key"],
            )
            return
        html = page.text
        attachments: list[AttachmentRecord] = []
        if job.crawl.attachments and job.crawl.max_attachments:
            attachments = await self._attachments(html, url)
        source = job.source
        item: ListItem = meta["item"]
        record, _ = build_document_record(
            doc_key=meta["doc_key"],
            source_id=source.id,
            province_code=source.province_code,
            kind=source.kind,
            url=url,
            title=extraction.title or item.title,
            published_at=extraction.published_at,
            body_text=extraction.body_text,
            html=html,
            fields=extraction,
            matcher=job.matcher,
            attachments=attachments,
            listing_fingerprint=meta["listing_fingerprint"],
            etag=meta.get("etag"),
            last_modified=meta.get("last_modified"),
        )
        yield record

    async def _attachments(self, html: str, page_url: str) -> list[AttachmentRecord]:
        """Fetch and read the files a document links (bounded); a failure is noted, not fatal."""
        job = self.job
        records = []
        max_bytes = job.crawl.max_attachment_mb * 1024 * 1024
        for link in attachment_links(html, page_url)[: job.crawl.max_attachments]:
            request = scrapy.Request(
                job.mirror.fetch_url(link.url),
                dont_filter=True,
                meta={"download_slot": job.mirror.slot(link.url), "download_maxsize": max_bytes},
            )
            job.stats["attachments_requested"] += 1
            try:
                response = await self.crawler.engine.download_async(request)
            except Exception as exc:  # any download failure: the document still counts
                kind, detail = _described(exc, str(exc))
                error = f"download failed: {kind}: {detail}"[:300]
                records.append(AttachmentRecord(link.url, link.name, link.extension, "", error))
                continue
            if response.status != 200:
                records.append(
                    AttachmentRecord(
                        link.url, link.name, link.extension, "", f"HTTP {response.status}"
                    )
                )
                continue
            text = await asyncio.to_thread(
                extract_attachment_text, response.body, link.name, max_bytes=max_bytes
            )
            if text.error:
                job.stats["attachment_errors"] += 1
            hit_count = sum(h.count for h in job.matcher.match(text.text)) if text.text else 0
            records.append(
                AttachmentRecord(
                    link.url, link.name, text.kind, text.text, text.error, text.truncated, hit_count
                )
            )
        return records

    def on_failure(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        meta = request.meta if request is not None else {}
        url = meta["item"].url if "item" in meta else meta.get("real_url", "?")
        kind, detail = _described(failure.value, failure.getErrorMessage() or repr(failure.value))
        self.job.fail(
            url,
            kind,
            detail,
            list_page="item" not in meta,
            doc_key=meta.get("doc_key"),
        )


def _described(exc: BaseException | None, message: str) -> tuple[FailureKind, str]:
    """How a download failed after its retries, and its message (with the exception's class
    where the kind does not already say what happened)."""
    kind = _exception_kind(exc)
    if kind is FailureKind.DOWNLOAD_FAILED:
        return kind, f"{type(exc).__name__}: {message}"
    return kind, message


def _exception_kind(exc: BaseException | None) -> FailureKind:
    from scrapy import exceptions as scrapy_errors
    from scrapy.spidermiddlewares.httperror import HttpError

    if isinstance(exc, HttpError):
        return FailureKind.http(exc.response.status)
    kinds = (
        (FailureKind.TIMEOUT, (scrapy_errors.DownloadTimeoutError, TimeoutError)),
        (FailureKind.TRUNCATED, (scrapy_errors.ResponseDataLossError,)),
        (FailureKind.DNS, (scrapy_errors.CannotResolveHostError,)),
        (
            FailureKind.CONNECTION,
            (
                scrapy_errors.DownloadConnectionRefusedError,
                scrapy_errors.DownloadFailedError,
                ConnectionError,
            ),
        ),
    )
    for kind, classes in kinds:
        if isinstance(exc, classes):
            return kind
    return FailureKind.DOWNLOAD_FAILED
