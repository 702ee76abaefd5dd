"""``govwatch sources check``: is each source reachable, readable and not blocked?

Each source's first list page is fetched once with a plain HTTP client (browser User-Agent,
zh-CN, one request at a time per host), then classified and parsed by the source's adapter,
exactly as a crawl would.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp

from crawler.challenge import classify_page
from crawler.config import Settings
from crawler.encoding import decode_html
from crawler.mirror import Mirror
from spiders.adapters import ADAPTERS, PageRequest
from spiders.registry import Source

OK, BLOCKED, UNREACHABLE, PARSE_FAILED = "ok", "blocked", "unreachable", "parse failed"


@dataclass
class SourceCheck:
    source_id: str
    status: str
    detail: str
    items: int = 0
    http_status: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


async def _fetch(
    session: aiohttp.ClientSession, mirror: Mirror, page: PageRequest
) -> tuple[int, bytes, str | None]:
    async with session.request(
        page.method, mirror.fetch_url(page.url), data=page.body, headers=page.headers
    ) as response:
        return response.status, await response.read(), response.headers.get("Content-Type")


async def _check_one(
    source: Source, session: aiohttp.ClientSession, mirror: Mirror, host_lock: asyncio.Lock
) -> SourceCheck:
    adapter = ADAPTERS[source.adapter](source.options)
    entry = source.entry_urls[0]
    page = adapter.list_request(entry, 0)
    async with host_lock:
        for index in range(2):  # a family whose first page only configures (gkmlpt) gets one more
            try:
                status, body, content_type = await _fetch(session, mirror, page)
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                return SourceCheck(source.id, UNREACHABLE, f"{type(exc).__name__}: {exc}"[:200])
            text = decode_html(body, content_type).text
            verdict = classify_page(text, status)
            if not verdict.kind.is_content:
                state = (
                    BLOCKED
                    if verdict.kind.value in ("challenge", "captcha", "rate_limited")
                    else UNREACHABLE
                )
                return SourceCheck(source.id, state, verdict.reason, http_status=status)
            try:
                listing = adapter.parse_list(page.url, text)
            except (ValueError, KeyError, TypeError) as exc:
                return SourceCheck(
                    source.id,
                    PARSE_FAILED,
                    f"{type(exc).__name__}: {exc}"[:200],
                    http_status=status,
                )
            if listing.refused is not None:
                kind, reason = listing.refused
                state = (
                    BLOCKED if kind in ("captcha", "rate_limited", "challenge") else PARSE_FAILED
                )
                return SourceCheck(source.id, state, reason, http_status=status)
            if listing.items:
                return SourceCheck(
                    source.id,
                    OK,
                    f"{len(listing.items)} items on the first page",
                    len(listing.items),
                    status,
                )
            if index == 0 and listing.total_pages and listing.total_pages > 1:
                page = adapter.list_request(entry, 1)
                continue
            break
    return SourceCheck(
        source.id, PARSE_FAILED, "0 items on the first list page", http_status=status
    )


async def _check_all(sources: list[Source], settings: Settings) -> list[SourceCheck]:
    mirror = Mirror(settings.replica_url)
    locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
    timeout = aiohttp.ClientTimeout(total=settings.crawl.timeout)
    headers = {
        "User-Agent": settings.crawl.user_agent,
        "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
    }
    connector = aiohttp.TCPConnector(limit=settings.crawl.concurrent_total)
    async with aiohttp.ClientSession(
        timeout=timeout, headers=headers, connector=connector
    ) as session:
        return list(
            await asyncio.gather(
                *(
                    _check_one(s, session, mirror, locks[mirror.slot(s.entry_urls[0])])
                    for s in sources
                )
            )
        )


def check_sources(sources: list[Source], settings: Settings) -> list[SourceCheck]:
    """Check every source's first list page; one result per source, in the given order."""
    return asyncio.run(_check_all(sources, settings))
