"""Which requests go to the browser, and why: a Scrapy downloader middleware.

By the source's ``render`` mode:

- ``never``: nothing does; a challenge is recorded as blocked.
- ``always``: every page (GET) is rendered.
- ``auto``: a page is fetched the plain way; if the answer is a challenge (crawler.browser.rules:
  ruishu, jsl, waf), or a list page whose items only scripts would build, the request is sent
  again to the browser. Once a list page of a source was script-built, its next list pages
  go to the browser directly. Cookies a render earns are lent to every plain request to that
  site (crawler.browser.handler) until one of them meets a challenge again.

A captcha or rate-limit page is never rendered, and a page the browser does not pass stays
what it is: the spider records it as a challenge/captcha (the source's health says blocked),
and the site is not rendered again in this run. Nothing is solved or forged.

Counts per source go into the crawl's stats (``job.stats``): ``requests`` (page downloads),
``rendered``, ``render_reason:<ruishu|jsl|waf|js_list|always>``, ``blocked:<challenge|captcha|
rate_limited>``, ``browser_cookies_reused`` (plain pages that got through on them),
``browser_cookies_expired`` (they stopped working), ``browser_cookies_retried`` (sent again
with fresher ones), ``render_failed`` (the browser errored or timed out).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from loguru import logger
from scrapy.http import Request, Response

from crawler.browser.pool import BrowserPool, BrowserSettings, RenderError
from crawler.browser.rules import (
    ALWAYS,
    CHALLENGE_REASONS,
    JS_LIST,
    CookieStore,
    challenge_reason,
    list_needs_browser,
    needs_look,
)
from crawler.extract.page_kinds import REFUSALS, PageVerdict, classify_page
from crawler.fetch.responses import content_type as _content_type
from crawler.fetch.responses import decoded
from crawler.fetch.source_crawl import job_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

# Request meta keys (all ours start with "govwatch_").
RENDER = "govwatch_render"  # why the request goes to the browser
SENT_GENERATION = "govwatch_cookie_generation"  # browser cookies' generation when sent plain
CARRIED = "govwatch_browser_cookies"  # whether the plain request carried browser cookies
MARKED_GENERATION = "govwatch_render_generation"  # cookies' generation when sent to the browser
TRIES = "govwatch_render_tries"  # times sent to the browser
RETRIES = "govwatch_cookie_retries"  # times sent again plainly with fresher cookies
# crawler.extract.page_kinds's verdict on what the browser showed
VERDICT = "govwatch_render_verdict"
BROWSER_FLAG = "browser"  # Response.flags of answers the browser took part in
SETTINGS_KEY = "GOVWATCH_BROWSER"  # Scrapy setting: BrowserSettings as a dict
MAX_TRIES = 3  # per request: sends to the browser, and plain retries with fresher cookies


class RenderSession:
    """What every crawler of one process shares: the browser, the cookies it earned, the sites
    it could not pass, and one lock per site so that one render solves a site's challenge."""

    _shared: ClassVar[RenderSession | None] = None
    _users: ClassVar[int] = 0

    def __init__(self, settings: BrowserSettings) -> None:
        self.pool = BrowserPool(settings)
        self.cookies = CookieStore()
        self.unpassable: dict[str, str] = {}  # site -> why the browser did not get through
        self._locks: dict[str, asyncio.Lock] = {}

    def lock(self, site: str) -> asyncio.Lock:
        return self._locks.setdefault(site, asyncio.Lock())

    @classmethod
    def shared(cls, settings: BrowserSettings | None = None) -> RenderSession:
        """The process's session (created on first use; Chromium itself starts later)."""
        if cls._shared is None:
            cls._shared = cls(settings or BrowserSettings())  # type: ignore[call-arg]
        return cls._shared

    @classmethod
    def acquire(cls, settings: BrowserSettings) -> RenderSession:
        cls._users += 1
        return cls.shared(settings)

    @classmethod
    async def release(cls) -> None:
        """One user less; the last one stops the browser."""
        cls._users = max(0, cls._users - 1)
        session = cls._shared
        if cls._users == 0 and session is not None:
            cls._shared = None
            await session.pool.close()


def browser_settings(settings: BaseSettings) -> BrowserSettings:
    """BrowserSettings from Scrapy's settings; the browser speaks with the crawl's User-Agent."""
    raw = settings.getdict(SETTINGS_KEY) if settings.get(SETTINGS_KEY) else {}
    parsed = BrowserSettings.model_validate(raw)
    agent = settings.get("USER_AGENT")
    return parsed.model_copy(update={"user_agent": agent}) if agent else parsed


def site_of(request: Request) -> str:
    """The site a request is for: its politeness slot (the real host, also via the replica)."""
    slot = request.meta.get("download_slot")
    return str(slot) if slot else urlsplit(request.url).netloc.lower()


def _is_page(request: Request) -> bool:
    # List and detail pages carry their real URL (crawler.fetch.spider); attachments do not.
    return "real_url" in request.meta


def _is_list(request: Request) -> bool:
    return "page_index" in request.meta and "item" not in request.meta


class RenderMiddleware:
    """Downloader middleware; must sit below HttpCompressionMiddleware (590) to read bodies."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._stats_without_job: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderMiddleware:
        return cls(crawler)

    def _stats(self, request: Request) -> Counter[str]:
        job = job_of(request)
        return job.stats if job is not None else self._stats_without_job

    @staticmethod
    def _mode(request: Request) -> str:
        job = job_of(request)
        return job.source.render if job is not None else "never"

    @property
    def _session(self) -> RenderSession:
        return RenderSession.shared()

    # -- requests ---------------------------------------------------------------------------

    def process_request(self, request: Request) -> None:
        if RENDER in request.meta or not _is_page(request) or request.method != "GET":
            return
        if site_of(request) in self._session.unpassable:
            return  # the browser did not pass this site: the plain answer is recorded
        job = job_of(request)
        mode = self._mode(request)
        if mode == "always":
            self._mark(request.meta, ALWAYS, site_of(request))
        elif mode == "auto" and job is not None and job.lists_need_browser and _is_list(request):
            self._mark(request.meta, JS_LIST, site_of(request))

    def _mark(self, meta: dict[str, Any], reason: str, site: str) -> dict[str, Any]:
        meta[RENDER] = reason
        meta[MARKED_GENERATION] = self._session.cookies.generation(site)
        meta[TRIES] = meta.get(TRIES, 0) + 1
        meta["dont_retry"] = True  # a failed render is not tried three more times
        return meta

    def _to_browser(self, request: Request, reason: str) -> Request:
        meta = {k: v for k, v in request.meta.items() if k not in (VERDICT, CARRIED)}
        # dont_filter: a detail page asked again must not be dropped as a duplicate.
        meta = self._mark(meta, reason, site_of(request))
        return request.replace(meta=meta, dont_filter=True)

    # -- responses --------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Request | Response:
        if not _is_page(request):
            return response
        stats = self._stats(request)
        stats["requests"] += 1
        reason = request.meta.get(RENDER)
        if reason is not None and BROWSER_FLAG in response.flags:
            return self._rendered(request, response, reason, stats)
        verdict = _look(response)
        site = site_of(request)
        if verdict is None or verdict.kind.is_content:
            if request.meta.get(CARRIED):
                stats["browser_cookies_reused"] += 1
            if self._mode(request) == "auto" and _is_list(request) and request.method == "GET":
                why = self._script_built(request, response)
                job = job_of(request)
                if why is not None and job is not None:
                    logger.info("{}: list built by scripts ({}), rendering", site, why)
                    job.lists_need_browser = True
                    return self._to_browser(request, JS_LIST)
            return response
        vendor = challenge_reason(verdict)
        if vendor is None:
            if verdict.kind in REFUSALS:
                stats[f"blocked:{verdict.kind.value}"] += 1
            return response
        return self._challenged(request, response, vendor, stats)

    def _challenged(
        self, request: Request, response: Response, vendor: str, stats: Counter[str]
    ) -> Request | Response:
        """A plain request met a challenge: fresh cookies, the browser, or blocked."""
        session, site = self._session, site_of(request)
        sent = int(request.meta.get(SENT_GENERATION, 0))
        if request.meta.get(CARRIED) and session.cookies.failed(site, sent):
            stats["browser_cookies_expired"] += 1
        if self._mode(request) == "never" or site in session.unpassable:
            stats["blocked:challenge"] += 1
            return response
        retries = int(request.meta.get(RETRIES, 0))
        if session.cookies.generation(site) > sent and retries < MAX_TRIES:
            # Another request earned cookies meanwhile: the cheap way first.
            stats["browser_cookies_retried"] += 1
            meta = {**request.meta, RETRIES: retries + 1}
            return request.replace(meta=meta, dont_filter=True)
        if int(request.meta.get(TRIES, 0)) >= MAX_TRIES:
            stats["blocked:challenge"] += 1
            return response
        return self._to_browser(request, vendor)

    def _rendered(
        self, request: Request, response: Response, reason: str, stats: Counter[str]
    ) -> Response:
        stats["rendered"] += 1
        stats[f"render_reason:{reason}"] += 1
        verdict: PageVerdict | None = request.meta.get(VERDICT)
        if request.method != "GET":  # the browser earned cookies; the answer is a plain one
            verdict = _look(response) or verdict
        if verdict is not None and verdict.kind in REFUSALS:
            stats[f"blocked:{verdict.kind.value}"] += 1
            site = site_of(request)
            if reason != JS_LIST:  # a site the browser does not pass is not rendered again
                self._session.unpassable.setdefault(site, verdict.reason)
            logger.warning("{}: the browser did not pass: {}", site, verdict.reason)
        return response

    def _script_built(self, request: Request, response: Response) -> str | None:
        """Why a plain list answer needs the browser (crawler.browser.rules), or None."""
        job = job_of(request)
        content_type = _content_type(response)
        if job is None or response.status != 200 or "json" in (content_type or ""):
            return None
        text = decoded(response).text
        if text.lstrip()[:1] in ("{", "["):
            return None
        real_url = request.meta["real_url"]
        return list_needs_browser(
            text, lambda page: len(job.adapter.parse_list(real_url, page).items)
        )

    def process_exception(self, request: Request, exception: Exception) -> None:
        reason = request.meta.get(RENDER)
        if reason is None or not isinstance(exception, RenderError) or not _is_page(request):
            return
        self._stats(request)["render_failed"] += 1
        if reason in CHALLENGE_REASONS:
            # Not again for this site in this run: each try could cost a whole page timeout.
            self._session.unpassable.setdefault(site_of(request), str(exception))
        logger.warning("{}: rendering failed: {}", site_of(request), exception)


def _look(response: Response) -> PageVerdict | None:
    """crawler.extract.page_kinds's verdict on a response; None for a page that cannot be
    anything but content (a 200 page of some size without any marker: not even decoded)."""
    if not needs_look(response.body, response.status):
        return None
    text = decoded(response).text
    return classify_page(text, response.status)
