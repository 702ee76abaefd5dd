"""One Scrapy spider that crawls many sources at once, each through its adapter.

List pages → candidate documents → skip those stored and unchanged → detail pages (or the
document the list itself carries) → extract → match → stored by the engine's document writer.
Every request carries its source's crawl (``request.meta[JOB]``); the crawl counts its open
requests and is finished by the engine (crawler.fetch.engine) when none is left.

A list page is asked with ``If-None-Match`` / ``If-Modified-Since`` where the site gave a
validator last time; a 304, or a list whose items hash as before, ends that list with no
per-document work. Known documents are re-read on a slow rotation (conditional too), so a
body-only edit is seen. Every page that fails (after Scrapy's retries) or turns out not to be
content is recorded on the run; none of them becomes a document.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import scrapy
from loguru import logger
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.document_record import build_document_record
from crawler.extract.attachments import attachment_links, extract_attachment_text
from crawler.extract.encoding import DecodedPage
from crawler.extract.page import extract_decoded
from crawler.extract.page_kinds import FailureKind, binary_verdict, classify_page
from crawler.fetch.host_policy import OffsiteRefused, why_refused
from crawler.fetch.mirror import document_key
from crawler.fetch.responses import decoded as decoded_page
from crawler.fetch.responses import header
from crawler.fetch.scrapy_settings import CHALLENGE_STATUSES
from crawler.fetch.source_crawl import JOB, job_of
from spiders.adapters import ListItem, ListPage, PageRequest
from spiders.adapters.base import PARSE_ERRORS
from storage.repository import (
    AttachmentRecord,
    ListPageState,
    listing_fingerprint,
    utcnow,
)

if TYPE_CHECKING:
    from crawler.fetch.engine import CrawlEngine
    from crawler.fetch.source_crawl import SourceCrawl

NOT_MODIFIED = 304


def items_hash(items: list[ListItem]) -> str:
    """What a list page says, in one hash: its items' addresses, titles and dates in order."""
    text = "\n".join(f"{i.url}|{i.title}|{i.date}" for i in items)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class SourcesSpider(scrapy.Spider):
    """Crawls the sources the engine hands it; stays open while the engine wants it."""

    name = "govwatch"

    def __init__(self, engine: CrawlEngine, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.engine = engine

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourcesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._dropped, signal=signals.request_dropped)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        return  # work arrives through begin()
        yield

    def _opened(self) -> None:
        self.engine.spider_opened(self)

    def _idle(self) -> None:
        if not self.engine.may_close():
            raise DontCloseSpider

    def _dropped(self, request: Request) -> None:
        job = job_of(request)
        if job is not None:
            job.closed()

    # -- requests ---------------------------------------------------------------------------

    def begin(self, job: SourceCrawl) -> None:
        """Start crawling a source: its list pages, then the re-checks that are due."""
        requests = [
            self._list_request(job, job.adapter.list_request(entry, 0), 0, entry)
            for entry in job.source.entry_urls
        ]
        requests += self._rechecks(job)
        for request in requests:
            if request is not None:
                self.crawler.engine.crawl(request)
        if job.open_work == 0:  # nothing to ask (all deduplicated): done at once
            job.open_work = 1
            job.closed()

    def _request(
        self,
        job: SourceCrawl,
        page: PageRequest,
        callback: Any,
        *,
        conditional: tuple[str | None, str | None] | None = None,
        **meta: Any,
    ) -> Request | None:
        """A request of ``job``, counted as open work; None when the crawl asked it already."""
        if job.finished:
            return None
        refused = why_refused(page.url, job.source, private_allowed=job.mirror.base is not None)
        if refused is not None:
            if job.first_request(f"offsite {page.url}"):
                item = meta.get("item")
                job.fail(
                    page.url,
                    FailureKind.OFFSITE,
                    refused,
                    list_page=item is None,
                    doc_key=meta.get("doc_key"),
                )
            return None
        body = page.body.encode("utf-8") if page.body is not None else None
        if not job.first_request(f"{page.method} {page.url} {page.body or ''}"):
            return None
        headers = dict(page.headers or {})
        statuses = list(CHALLENGE_STATUSES)
        if conditional is not None:
            etag, last_modified = conditional
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            statuses.append(NOT_MODIFIED)
        job.opened()
        return Request(
            job.mirror.fetch_url(page.url),
            method=page.method,
            body=body,
            headers=headers or None,
            callback=callback,
            errback=self.on_failure,
            dont_filter=True,  # each crawl deduplicates its own requests (first_request)
            meta={
                JOB: job,
                "real_url": page.url,
                "download_slot": job.mirror.slot(page.url),
                "handle_httpstatus_list": statuses,
                **meta,
            },
        )

    def _list_request(
        self, job: SourceCrawl, page: PageRequest, index: int, entry: str
    ) -> Request | None:
        conditional = None
        known = job.list_pages.get(page.url)
        if (
            index == 0
            and page.method == "GET"
            and job.previous_run_clean
            and known is not None
            and (known.etag or known.last_modified)
        ):
            conditional = (known.etag, known.last_modified)
        return self._request(
            job, page, self.parse_list, conditional=conditional, page_index=index, entry=entry
        )

    def _rechecks(self, job: SourceCrawl) -> list[Request | None]:
        """Known documents due to be fetched again (crawler settings ``recheck_*``)."""
        crawl = job.crawl
        if (
            not crawl.recheck_days
            or not crawl.recheck_per_run
            or not job.adapter.RECHECK_BY_URL
            or not self.engine.recheck_due(job.source.id)
        ):
            return []
        now = utcnow()
        due = job.store.due_for_recheck(
            job.source.id,
            published_after=now - timedelta(days=crawl.recheck_days),
            checked_before=now - timedelta(hours=crawl.recheck_every_hours),
            limit=crawl.recheck_per_run,
        )
        requests = []
        for known in due:
            item = ListItem(known.url, known.title, None)
            job.stats["rechecks"] += 1
            meta = {
                "doc_key": known.doc_key,
                "listing_fingerprint": known.listing_fingerprint,
                "item": item,
                "recheck": True,
            }
            conditional = (known.etag, known.last_modified)
            requests.append(
                self._request(
                    job, PageRequest(known.url), self.parse_detail, conditional=conditional, **meta
                )
            )
        return requests

    # -- callbacks --------------------------------------------------------------------------

    async def parse_list(self, response: Response) -> AsyncIterator[Request]:
        job: SourceCrawl = response.meta[JOB]
        try:
            if not job.finished:
                for request in self._list(job, response):
                    yield request
        except Exception as exc:  # a bug must be a recorded failure, never a silent miss
            self._crashed(job, response.meta["real_url"], exc, list_page=True)
        finally:
            job.closed()

    def _list(self, job: SourceCrawl, response: Response) -> Iterator[Request]:
        job.stats["list_pages"] += 1
        real_url = response.meta["real_url"]
        index = response.meta["page_index"]
        previous = job.list_pages.get(real_url)
        if response.status == NOT_MODIFIED and previous is not None:
            job.stats["lists_not_modified"] += 1
            job.stats["list_ok"] += 1
            job.stats["listed"] += previous.items
            job.list_updates[real_url] = previous
            job.notify()
            return
        decoded = decoded_page(response)
        verdict = binary_verdict(response.body) or classify_page(decoded.text, response.status)
        if not verdict.kind.is_content:
            job.fail(real_url, FailureKind.of_page(verdict.kind), verdict.reason, list_page=True)
            return
        try:
            listing = job.adapter.parse_list(real_url, decoded.text)
        except PARSE_ERRORS as exc:  # JSON or markup not as the family's
            job.fail(
                real_url, FailureKind.PARSE_FAILED, f"{type(exc).__name__}: {exc}", list_page=True
            )
            return
        if listing.refused is not None:
            kind, reason = listing.refused
            job.fail(real_url, kind, reason, list_page=True)
            return
        job.stats.update(listing.counts)
        # An empty first answer that names the next one (a quiet date window) is no failure.
        if index == 0 and not (listing.items or listing.total_pages or listing.next_request):
            job.fail(
                real_url, FailureKind.PARSE_FAILED, "list page parsed to 0 items", list_page=True
            )
            return
        if listing.items or listing.next_request is not None:  # read well, if empty
            job.stats["list_ok"] += 1
            job.stats["listed"] += len(listing.items)
        digest = items_hash(listing.items)
        if index == 0:
            job.list_updates[real_url] = ListPageState(
                header(response, "ETag"),
                header(response, "Last-Modified"),
                digest,
                len(listing.items),
            )
            if job.previous_run_clean and previous is not None and previous.items_hash == digest:
                job.stats["lists_unchanged"] += 1  # same items as last time: nothing to do
                job.notify()
                return
        requests, unknown = self._items(job, listing)
        yield from requests
        all_known = bool(listing.items) and unknown == 0
        job.notify()
        yield from self._next_page(job, response, listing, index, all_known)

    def _items(self, job: SourceCrawl, listing: ListPage) -> tuple[list[Request], int]:
        """Requests for the listed documents not stored as listed (those the list carries whole
        are read at once), and how many such documents the list holds."""
        requests, unknown = [], 0
        for item in listing.items:
            key = document_key(item.url)
            fingerprint = listing_fingerprint(item.title, item.date)
            if job.known.get(key) == fingerprint:
                job.skip(key)
                continue
            unknown += 1
            meta: dict[str, Any] = {
                "doc_key": key,
                "listing_fingerprint": fingerprint,
                "item": item,
            }
            if item.inline_html is not None:
                job.stats["details_inline"] += 1
                page = DecodedPage(item.inline_html, "utf-8", None)
                self._document(job, page, item.url, 200, meta, [])
                continue
            request = self._request(
                job, item.detail or PageRequest(item.url), self.parse_detail, **meta
            )
            if request is not None:
                job.stats["details_requested"] += 1
                requests.append(request)
        return requests, unknown

    def _next_page(
        self, job: SourceCrawl, response: Response, listing: ListPage, index: int, all_known: bool
    ) -> Iterator[Request]:
        # Stop at a page of known documents, unless the last run left some unread.
        if all_known and job.previous_run_clean:
            return
        next_index = index + 1
        if next_index >= job.max_pages:
            more = listing.next_request is not None or (listing.total_pages or 0) > next_index
            if more:  # what is listed there is not read: said, not silently missed
                left = (listing.total_pages or next_index + 1) - next_index
                job.stats["list_pages_beyond_limit"] += left
                if not all_known:  # unknown documents may go on past the limit
                    job.stats["stopped_among_unknown"] += 1
            return
        entry = response.meta["entry"]
        if listing.next_request is not None:
            page = listing.next_request
        elif listing.total_pages and next_index < listing.total_pages:
            page = job.adapter.list_request(entry, next_index)
        else:
            return
        request = self._list_request(job, page, next_index, entry)
        if request is not None:
            yield request

    async def parse_detail(self, response: Response) -> None:
        job: SourceCrawl = response.meta[JOB]
        item: ListItem = response.meta["item"]
        try:
            if not job.finished:
                await self._detail(job, response, item)
        except Exception as exc:  # a bug must be a recorded failure, never a silent miss
            self._crashed(job, item.url, exc, doc_key=response.meta.get("doc_key"))
        finally:
            job.closed()

    async def _detail(self, job: SourceCrawl, response: Response, item: ListItem) -> None:
        if response.status == NOT_MODIFIED:
            job.rechecked_unchanged(response.meta["doc_key"])
            return
        job.stats["details_fetched"] += 1
        binary = binary_verdict(response.body)
        if binary is not None:  # a file where a page was listed: recorded, never garbage text
            job.fail(item.url, FailureKind.BINARY, binary.reason, doc_key=response.meta["doc_key"])
            return
        page = decoded_page(response)
        if response.status == 200:
            try:
                converted = job.adapter.detail_html(item, page.text)
            except PARSE_ERRORS as exc:
                job.fail(item.url, FailureKind.PARSE_FAILED, f"detail: {type(exc).__name__}: {exc}")
                return
            if converted is not None:  # a JSON detail answer, as the page it stands for
                page = DecodedPage(converted, page.encoding, page.declared, page.note)
        meta = {
            **response.meta,
            "etag": header(response, "ETag"),
            "last_modified": header(response, "Last-Modified"),
        }
        attachments: list[AttachmentRecord] = []
        if response.status == 200 and job.crawl.attachments and job.crawl.max_attachments:
            attachments = await self._attachments(job, page.text, item.url)
        self._document(job, page, item.url, response.status, meta, attachments)

    def _document(
        self,
        job: SourceCrawl,
        page: DecodedPage,
        url: str,
        status: int,
        meta: dict[str, Any],
        attachments: list[AttachmentRecord],
    ) -> None:
        extraction = extract_decoded(page, url, status)
        if not extraction.is_document:
            job.fail(
                url,
                FailureKind.of_page(extraction.kind),
                extraction.reason,
                doc_key=meta["doc_key"],
            )
            return
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
            html=page.text,
            fields=extraction,
            matcher=job.matcher,
            attachments=attachments,
            listing_fingerprint=meta["listing_fingerprint"],
            etag=meta.get("etag"),
            last_modified=meta.get("last_modified"),
        )
        self.engine.writer.add(job, record)

    async def _attachments(
        self, job: SourceCrawl, html: str, page_url: str
    ) -> list[AttachmentRecord]:
        """Fetch and read the files a document links (bounded); a failure is noted, not fatal."""
        records = []
        max_bytes = job.crawl.max_attachment_mb * 1024 * 1024
        for link in attachment_links(html, page_url)[: job.crawl.max_attachments]:
            refused = why_refused(link.url, job.source, private_allowed=job.mirror.base is not None)
            if refused is not None:
                error = f"not fetched: {refused}"
                records.append(AttachmentRecord(link.url, link.name, link.extension, "", error))
                continue
            request = Request(
                job.mirror.fetch_url(link.url),
                dont_filter=True,
                meta={
                    JOB: job,
                    "download_slot": job.mirror.slot(link.url),
                    "download_maxsize": max_bytes,
                },
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

    # -- failures ---------------------------------------------------------------------------

    def on_failure(self, failure: Failure) -> None:
        request = getattr(failure, "request", None)
        meta = request.meta if request is not None else {}
        job: SourceCrawl | None = meta.get(JOB)
        if job is None:
            return
        try:
            if job.finished:  # dropped by FinishedCrawlGate, or late: the run is closed
                return
            url = meta["item"].url if "item" in meta else meta.get("real_url", "?")
            message = failure.getErrorMessage() or repr(failure.value)
            kind, detail = _described(failure.value, message)
            job.fail(
                url,
                kind,
                detail,
                list_page="item" not in meta,
                doc_key=meta.get("doc_key"),
            )
        finally:
            job.closed()

    def _crashed(
        self,
        job: SourceCrawl,
        url: str,
        exc: Exception,
        *,
        list_page: bool = False,
        doc_key: str | None = None,
    ) -> None:
        logger.opt(exception=exc).error("{}: reading {} failed", job.source.id, url)
        detail = f"internal error: {type(exc).__name__}: {exc}"[:500]
        job.fail(url, FailureKind.PARSE_FAILED, detail, list_page=list_page, doc_key=doc_key)


class FinishedCrawlGate:
    """Downloader middleware: requests of a crawl that already ended (its timeout, or the
    engine closing) are dropped before they cost a download."""

    def process_request(self, request: Request) -> None:
        job = job_of(request)
        if job is not None and job.finished:
            raise IgnoreRequest(f"crawl of {job.source.id} already ended")


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
    if isinstance(exc, OffsiteRefused):
        return FailureKind.OFFSITE
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
