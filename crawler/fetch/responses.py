"""What the crawl reads off a Scrapy response: its headers, and its text decoded once.

A page is decoded (crawler.extract.encoding) the first time anything asks, and that decoding
is what the browser middleware's checks, the adapter and the extractor all read: the same
bytes are never decoded twice on their way through.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from scrapy.http import Response

from crawler.extract.encoding import DecodedPage, decode_html

_DECODED: WeakKeyDictionary[Response, DecodedPage] = WeakKeyDictionary()


def header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def content_type(response: Response) -> str | None:
    return header(response, "Content-Type")


def decoded(response: Response) -> DecodedPage:
    """The response's body as text (decoded on first use, then shared)."""
    page = _DECODED.get(response)
    if page is None:
        page = _DECODED[response] = decode_html(response.body, content_type(response))
    return page
