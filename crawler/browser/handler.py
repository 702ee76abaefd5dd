"""The download handler behind crawler.browser.middleware: plain HTTP, or the browser.

Registered for http and https, it wraps Scrapy's own HTTP/1.1 handler, so every request,
rendered or not, is downloaded inside Scrapy's politeness slot (delay, per-site concurrency).
A plain request gets the cookies the browser earned for its site. A request the middleware
marked for the browser is rendered by the process's BrowserPool, which starts Chromium on the
first such request only. One challenge render per site at a time: requests that waited for
it go the plain way with the cookies it earned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.misc import build_from_crawler

from crawler.browser.middleware import (
    BROWSER_FLAG,
    CARRIED,
    MARKED_GENERATION,
    RENDER,
    SENT_GENERATION,
    VERDICT,
    RenderSession,
    browser_settings,
    site_of,
)
from crawler.browser.pool import RenderResult
from crawler.browser.rules import ALWAYS, CHALLENGE_REASONS, JS_LIST

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

# The browser answered with no document at all (the status Scrapy's spider then sees).
NO_DOCUMENT_STATUS = 502


class RenderDownloadHandler:
    """http/https download handler: Scrapy's HTTP/1.1 handler, plus the browser when asked."""

    lazy = False  # built with the crawler, so the shared session counts every user

    def __init__(self, crawler: Crawler) -> None:
        self._http = build_from_crawler(HTTP11DownloadHandler, crawler)
        self._session = RenderSession.acquire(browser_settings(crawler.settings))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderDownloadHandler:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        site = site_of(request)
        reason = request.meta.get(RENDER)
        if reason is None:
            return await self._plain(request, site)
        if reason not in CHALLENGE_REASONS:
            return await self._render(request, site, reason)
        async with self._session.lock(site):
            if self._session.cookies.generation(site) > request.meta.get(MARKED_GENERATION, 0):
                return await self._plain(request, site)  # solved while this one waited
            if site in self._session.unpassable:
                # The browser failed on this site while this one waited: no second attempt,
                # the plain answer goes back to be recorded as blocked.
                return await self._plain(request, site)
            return await self._render(request, site, reason)

    async def _plain(self, request: Request, site: str) -> Response:
        cookies = self._session.cookies
        request.meta[SENT_GENERATION] = cookies.generation(site)
        existing = request.headers.get("Cookie")
        header = cookies.header(
            site, urlsplit(request.url).path, existing.decode("latin-1") if existing else None
        )
        request.meta[CARRIED] = header is not None
        if header is not None:
            request.headers["Cookie"] = header
        return await self._http.download_request(request)

    async def _render(self, request: Request, site: str, reason: str) -> Response:
        session = self._session
        result = await session.pool.render(
            request.url,
            key=site,
            cookies=session.cookies.cookies(site),
            dom=reason in (JS_LIST, ALWAYS),
        )
        if result.passed and (reason in CHALLENGE_REASONS or reason == ALWAYS):
            session.cookies.earned(site, result.cookies)
        request.meta[VERDICT] = result.verdict
        if request.method == "GET":
            response = _response(request, result)
        else:
            # A POST cannot be replayed by navigating. The browser opened its URL to earn the
            # site's cookies; the request itself goes the plain way with them.
            response = await self._plain(request, site)
        response.flags.append(BROWSER_FLAG)
        return response

    async def close(self) -> None:
        await self._http.close()
        await RenderSession.release()


def _response(request: Request, result: RenderResult) -> Response:
    headers = Headers({"Content-Type": result.content_type})
    cls = responsetypes.from_args(headers=headers, url=request.url, body=result.body)
    return cls(
        url=request.url,
        status=result.status or NO_DOCUMENT_STATUS,
        headers=headers,
        body=result.body,
        request=request,
    )
