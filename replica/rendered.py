"""Rendered pages as bytes, ready to send, and the reply the HTTP layer turns into a response."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from replica.pages import VISITS_PLACEHOLDER


@dataclass(frozen=True)
class Reply:
    """Status, body and validators of one answer, before any fault tampers with it."""

    status: int
    body: bytes
    charset: str  # announced in the Content-Type header, not necessarily the true one
    etag: str | None = None
    last_modified: datetime | None = None
    mime: str = "text/html"  # JSON APIs and XML data proxies send other media types

    @property
    def content_type(self) -> str:
        return f"{self.mime}; charset={self.charset}"


@dataclass(frozen=True)
class RenderedPage:
    """A page encoded once; `head` and `tail` surround the visitor counter when there is one.

    Keeping the counter out of the cached bytes makes serving a page a concatenation, and keeps
    the ETag stable while the counter changes.
    """

    head: bytes
    tail: bytes | None
    charset: str
    etag: str
    last_modified: datetime | None
    mime: str = "text/html"

    @classmethod
    def encode(
        cls,
        html: str,
        *,
        encoding: str,
        charset: str,
        last_modified: datetime | None = None,
        mime: str = "text/html",
    ) -> RenderedPage:
        # Characters outside GBK become numeric character references, as TRS exports them.
        data = html.encode(encoding, errors="xmlcharrefreplace")
        marker = VISITS_PLACEHOLDER.encode("ascii")
        head, found, tail = data.partition(marker)
        etag = '"' + hashlib.blake2b(head + tail, digest_size=10).hexdigest() + '"'
        return cls(head, tail if found else None, charset, etag, last_modified, mime)

    def reply(self, visits: int = 0) -> Reply:
        """The page with `visits` filled in as its 浏览次数."""
        body = self.head if self.tail is None else self.head + str(visits).encode() + self.tail
        return Reply(200, body, self.charset, self.etag, self.last_modified, self.mime)
