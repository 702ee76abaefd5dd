"""Pointing sources at a replica of the government web without changing their identity.

With ``replica_url`` set, ``https://www.cq.gov.cn/a/b.html`` is fetched from
``{replica_url}/www.cq.gov.cn/a/b.html``; stored documents keep their real URL, so a database
filled from the replica says the same as one filled from the real sites.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class Mirror:
    """Rewrites real URLs to where they are fetched from, and back."""

    def __init__(self, replica_url: str | None = None) -> None:
        self.base = replica_url.rstrip("/") if replica_url else None
        self._schemes: dict[str, str] = {}

    def fetch_url(self, real_url: str) -> str:
        """Where to fetch ``real_url`` from."""
        if self.base is None:
            return real_url
        parts = urlsplit(real_url)
        self._schemes.setdefault(parts.netloc.lower(), parts.scheme)
        return f"{self.base}/{parts.netloc.lower()}{parts.path or '/'}" + (
            f"?{parts.query}" if parts.query else ""
        )

    def real_url(self, fetched_url: str) -> str:
        """The real URL of something fetched (or linked) at ``fetched_url``."""
        if self.base is None or not fetched_url.startswith(self.base + "/"):
            return fetched_url
        rest = fetched_url[len(self.base) + 1 :]
        host, _, path_query = rest.partition("/")
        path, _, query = path_query.partition("?")
        scheme = self._schemes.get(host, "http")
        return urlunsplit((scheme, host, "/" + path, query, ""))

    def slot(self, real_url: str) -> str:
        """Politeness slot: the real host, so limits hold per site even through the replica."""
        return urlsplit(real_url).netloc.lower()


def document_key(real_url: str) -> str:
    """A document's identity from its URL: host and path, scheme and fragment ignored."""
    parts = urlsplit(real_url)
    host = parts.netloc.lower().removesuffix(":80").removesuffix(":443")
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return f"{host}{parts.path}" + (f"?{query}" if query else "")
