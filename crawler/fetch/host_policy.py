"""Where a source's crawl may go: its own sites, never private addresses.

A list page names the documents to fetch, and a document the files it attaches; a hostile or
hacked page could name anything — another site to hammer in the source's name, or an address
inside the user's network (``http://10.0.0.5/admin``, ``http://127.0.0.1:6379/``). So every
request of a crawl, redirects included, must stay on the registrable domains of the source's
entry URLs (``*.gansu.gov.cn`` for ``www.gansu.gov.cn``; the public-suffix list, offline, knows
that ``gov.cn`` is a suffix), or on hosts the source lists in its ``hosts`` option, and never
on a loopback, private, link-local or reserved address — unless the source's own entry URLs
are on that host (an intranet site the user registered). A refused request is recorded as an
``offsite`` failure, with the reason.
"""

from __future__ import annotations

import functools
import ipaddress
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from crawler.fetch.source_crawl import job_of
from spiders.registry import Source


class OffsiteRefused(IgnoreRequest):
    """A request (or a redirect) to where the source's crawl must not go."""


@functools.cache
def _extract() -> object:
    from tldextract import TLDExtract

    return TLDExtract(suffix_list_urls=(), include_psl_private_domains=False)


def registrable_domain(host: str) -> str:
    """``www.gansu.gov.cn`` → ``gansu.gov.cn``; an address or a bare name stays itself."""
    parts = _extract()(host)  # type: ignore[operator]
    return parts.top_domain_under_public_suffix or host


def _source_hosts(source: Source) -> tuple[str, ...]:
    hosts = [urlsplit(url).hostname or "" for url in source.entry_urls]
    hosts += [str(h) for h in (source.options or {}).get("hosts", ())]
    return tuple(h.lower() for h in hosts if h)


def _source_sites(source: Source) -> frozenset[str]:
    return _sites(_source_hosts(source))


@functools.cache
def _sites(hosts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(registrable_domain(host) for host in hosts)


def why_refused(url: str, source: Source, *, private_allowed: bool = False) -> str | None:
    """Why the crawl of ``source`` must not fetch ``url`` (its real URL), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"not an http(s) URL: {url[:200]}"
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return f"no host in {url[:200]}"
    registered = host in _source_hosts(source)  # named in the registry by the user
    if not private_allowed and not registered and _is_private(host):
        return f"{host} is a loopback, private or reserved address"
    if registrable_domain(host) not in _source_sites(source):
        allowed = ", ".join(sorted(_source_sites(source)))
        return f"{host} is outside the source's sites ({allowed})"
    return None


def _is_private(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


class OffsiteRedirectGate:
    """Downloader middleware: a redirect of a crawl's request to where the crawl must not go
    is refused before it is fetched (the first request was checked by the spider)."""

    def process_request(self, request: Request) -> None:
        job = job_of(request)
        if job is None or not request.meta.get("redirect_urls"):
            return
        target = job.mirror.real_url(request.url)
        reason = why_refused(target, job.source, private_allowed=job.mirror.base is not None)
        if reason is not None:
            raise OffsiteRefused(f"redirected to {target[:200]}: {reason}")
