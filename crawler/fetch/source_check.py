"""``govwatch sources check``: is each source reachable, readable and not blocked?

Each source's first list page is fetched once with a plain HTTP client (browser User-Agent,
zh-CN, one request at a time per host), then classified and parsed by the source's adapter,
exactly as a crawl would. As in a crawl (crawler.browser.middleware), a challenge or a list
that scripts build is tried again in the browser unless the source says ``render = "never"``
(``always``: the browser only); ``browser`` says why it was needed. ``last_run`` says how
often the source's last crawl used the browser, and what blocked it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from crawler.browser.pool import BrowserPool, BrowserSettings, RenderError
from crawler.browser.rules import (
    ALWAYS,
    CHALLENGE_REASONS,
    JS_LIST,
    CookieStore,
    challenge_reason,
    script_built_list,
)
from crawler.config import Settings
from crawler.extract.encoding import decode_html
from crawler.extract.page_kinds import REFUSALS, FailureKind, classify_page
from crawler.fetch.identity import ACCEPT_LANGUAGE
from crawler.fetch.mirror import Mirror
from spiders.adapters import ADAPTERS, PageRequest
from spiders.adapters.base import PARSE_ERRORS
from spiders.registry import Source


class CheckState(StrEnum):
    """A source check's verdict."""

    OK = "ok"
    BLOCKED = "blocked"
    UNREACHABLE = "unreachable"
    PARSE_FAILED = FailureKind.PARSE_FAILED.value


OK, BLOCKED, UNREACHABLE, PARSE_FAILED = CheckState
# Requests a check makes at most for a first item: ggzy's quiet date windows double in length,
# so ten reach back over two years.
EMPTY_PAGES_FOLLOWED = 10


@dataclass
class SourceCheck:
    source_id: str
    status: CheckState
    detail: str
    items: int = 0
    http_status: int | None = None
    browser: str | None = None  # why this check needed the browser (ruishu, jsl, js_list …)
    last_run: dict[str, int] | None = None  # the last crawl's requests, rendered, blocked:…

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


async def _fetch(
    session: aiohttp.ClientSession, mirror: Mirror, page: PageRequest
) -> tuple[int, bytes, str | None]:
    async with session.request(
        page.method, mirror.fetch_url(page.url), data=page.body, headers=page.headers
    ) as response:
        return response.status, await response.read(), response.headers.get("Content-Type")


class _Browser:
    """The browser as sources check uses it: started on first need, cookies kept per site."""

    def __init__(self, settings: BrowserSettings, mirror: Mirror) -> None:
        self.pool = BrowserPool(settings)
        self.cookies = CookieStore()
        self.mirror = mirror

    async def fetch(
        self, session: aiohttp.ClientSession, page: PageRequest, reason: str
    ) -> tuple[int, bytes, str | None]:
        """The page through the browser (a POST: its URL opened for the site's cookies, then
        the request itself sent plainly with them)."""
        site = self.mirror.slot(page.url)
        url = self.mirror.fetch_url(page.url)
        result = await self.pool.render(
            url, key=site, cookies=self.cookies.cookies(site), dom=reason in (JS_LIST, ALWAYS)
        )
        if result.passed:
            self.cookies.earned(site, result.cookies)
        if page.method == "GET":
            return result.status, result.body, result.content_type
        return await _fetch(session, self.mirror, self.with_cookies(page))

    def with_cookies(self, page: PageRequest) -> PageRequest:
        """``page`` carrying the cookies the browser earned for its site, if any."""
        site = self.mirror.slot(page.url)
        header = self.cookies.header(site, urlsplit(self.mirror.fetch_url(page.url)).path)
        return replace(page, headers={**page.headers, "Cookie": header}) if header else page


def _blocked_state(kind: str) -> CheckState:
    return BLOCKED if kind in REFUSALS else UNREACHABLE


async def _check_one(
    source: Source,
    session: aiohttp.ClientSession,
    mirror: Mirror,
    host_lock: asyncio.Lock,
    browser: _Browser,
) -> SourceCheck:
    adapter = ADAPTERS[source.adapter](source.options)
    entry = source.entry_urls[0]
    page = adapter.list_request(entry, 0)
    used: str | None = None  # why the browser was needed
    async with host_lock:
        # A family whose first page only configures (gkmlpt) gets one more request; an empty
        # page that names the next (a quiet date window of ggzy) is followed a few times.
        for index in range(EMPTY_PAGES_FOLLOWED):
            try:
                if source.render == ALWAYS and page.method == "GET":
                    used = ALWAYS
                    status, body, content_type = await browser.fetch(session, page, ALWAYS)
                else:
                    status, body, content_type = await _fetch(
                        session, mirror, browser.with_cookies(page)
                    )
                text = decode_html(body, content_type).text
                verdict = classify_page(text, status)
                reason = challenge_reason(verdict)
                if reason is not None and source.render != "never" and used is None:
                    used = reason
                    status, body, content_type = await browser.fetch(session, page, reason)
                    text = decode_html(body, content_type).text
                    verdict = classify_page(text, status)
            except (TimeoutError, aiohttp.ClientError, OSError, RenderError) as exc:
                return SourceCheck(
                    source.id, UNREACHABLE, f"{type(exc).__name__}: {exc}"[:200], browser=used
                )
            if not verdict.kind.is_content:
                detail = verdict.reason + ("; the browser did not pass it" if used else "")
                return SourceCheck(
                    source.id,
                    _blocked_state(verdict.kind.value),
                    detail,
                    http_status=status,
                    browser=used,
                )
            try:
                listing = adapter.parse_list(page.url, text)
            except PARSE_ERRORS as exc:
                return SourceCheck(
                    source.id,
                    PARSE_FAILED,
                    f"{type(exc).__name__}: {exc}"[:200],
                    http_status=status,
                    browser=used,
                )
            if (
                not listing.items
                and source.render == "auto"
                and page.method == "GET"
                and used in (None, *CHALLENGE_REASONS)
                and script_built_list(text) is not None
            ):
                used = JS_LIST
                try:
                    status, body, content_type = await browser.fetch(session, page, JS_LIST)
                    text = decode_html(body, content_type).text
                    listing = adapter.parse_list(page.url, text)
                except (RenderError, ValueError, KeyError, TypeError) as exc:
                    return SourceCheck(
                        source.id,
                        PARSE_FAILED,
                        f"{type(exc).__name__}: {exc}"[:200],
                        http_status=status,
                        browser=used,
                    )
            if listing.refused is not None:
                kind, reason = listing.refused
                state = BLOCKED if kind in REFUSALS else PARSE_FAILED
                return SourceCheck(source.id, state, reason, http_status=status, browser=used)
            if listing.items:
                via = f" (through the browser: {used})" if used else ""
                return SourceCheck(
                    source.id,
                    OK,
                    f"{len(listing.items)} items on the first page{via}",
                    len(listing.items),
                    status,
                    browser=used,
                )
            if listing.next_request is not None:
                page = listing.next_request
                continue
            if index == 0 and listing.total_pages and listing.total_pages > 1:
                page = adapter.list_request(entry, 1)
                continue
            break
    if source.captcha:
        return SourceCheck(
            source.id,
            BLOCKED,
            "0 items: the site lists only after a captcha (captcha = true in the registry)",
            http_status=status,
            browser=used,
        )
    return SourceCheck(
        source.id,
        PARSE_FAILED,
        "0 items on the first list page; " + what_to_try(source, body, page.url, status),
        http_status=status,
        browser=used,
    )


def what_to_try(source: Source, body: bytes, url: str, status: int) -> str:
    """What a failing source's page looks like, and what to try (as `sources probe` sees it)."""
    from crawler.fetch.probe import probe_page

    probe = probe_page(body, url, status)
    hints = []
    if source.needs:
        hints.append(f"the evidence says the site needs {source.needs.split(':', 1)[0]}")
    families = [f["family"] for f in probe.families if f["family"] != source.adapter]
    if families:
        hints.append(f"the page looks like {', '.join(families)}")
    readers = [r for r in probe.readings if r.items and r.adapter != source.adapter]
    if readers:
        best = max(readers, key=lambda r: len(r.items))
        hints.append(f'adapter = "{best.adapter}" reads {len(best.items)} items here')
    if probe.script_built:
        hints.append('its list is script-built: try render = "always"')
    if not hints:
        hints.append(f"run `govwatch sources probe {url}` and look for the list's own URL or API")
    return "; ".join(hints)


async def _check_all(sources: list[Source], settings: Settings) -> list[SourceCheck]:
    mirror = Mirror(settings.replica_url)
    locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
    timeout = aiohttp.ClientTimeout(total=settings.crawl.timeout)
    headers = {
        "User-Agent": settings.crawl.user_agent,
        "Accept-Language": ACCEPT_LANGUAGE,
    }
    connector = aiohttp.TCPConnector(limit=settings.crawl.concurrent_total)
    browser = _Browser(_browser_settings(settings), mirror)
    try:
        async with aiohttp.ClientSession(
            timeout=timeout, headers=headers, connector=connector
        ) as session:
            return list(
                await asyncio.gather(
                    *(
                        _check_one(s, session, mirror, locks[mirror.slot(s.entry_urls[0])], browser)
                        for s in sources
                    )
                )
            )
    finally:
        await browser.pool.close()


def _browser_settings(settings: Settings) -> BrowserSettings:
    """The [browser] settings (Settings.browser once it exists); the crawl's User-Agent."""
    configured = getattr(settings, "browser", None)
    chosen = configured if isinstance(configured, BrowserSettings) else BrowserSettings()  # type: ignore[call-arg]
    return chosen.model_copy(update={"user_agent": settings.crawl.user_agent})


def check_sources(sources: list[Source], settings: Settings) -> list[SourceCheck]:
    """Check every source's first list page; one result per source, in the given order."""
    checks = asyncio.run(_check_all(sources, settings))
    history = last_run_browser_use(settings, [c.source_id for c in checks])
    for check in checks:
        check.last_run = history.get(check.source_id)
        if check.last_run and check.last_run.get("rendered"):
            check.detail += (
                f"; last crawl rendered {check.last_run['rendered']} of "
                f"{check.last_run.get('requests', '?')} pages in the browser"
            )
    return checks


def last_run_browser_use(settings: Settings, source_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per source, the browser counters of its last finished crawl (crawler.browser.middleware):
    requests, rendered, render_reason:…, blocked:…. Empty when there is no database yet."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from storage.database import Database
    from storage.models import CrawlRun

    url = settings.effective_database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return {}  # no crawl yet, and no reason to create an empty database here
    keys = ("requests", "rendered", "render_", "blocked:", "browser_cookies_")
    found: dict[str, dict[str, int]] = {}
    database = Database(url)
    try:
        with database.session() as session:
            rows = session.execute(
                select(CrawlRun.source_id, CrawlRun.stats)
                .where(CrawlRun.source_id.in_(source_ids), CrawlRun.finished_at.is_not(None))
                .order_by(CrawlRun.id.desc())
            )
            for source_id, stats in rows:
                if source_id not in found:
                    found[source_id] = {
                        k: int(v) for k, v in (stats or {}).items() if k.startswith(keys)
                    }
    except SQLAlchemyError:
        return {}
    finally:
        database.dispose()
    return found
