"""中国政府采购网: static channel lists and the full-text search (``bxsearch``)."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html

from spiders.adapters.base import ListAdapter, ListItem, ListPage, register
from spiders.adapters.trs_static import TRS_ARTICLE, numbered_page_url
from spiders.dates import parse_date
from spiders.links import dated_links

_PAGER = re.compile(r"Pager\(\s*\{\s*size\s*:\s*(\d+)\s*,\s*current\s*:\s*(\d+)")
_TOTAL_FOUND = re.compile(r"共找到\s*<span>\s*(\d+)\s*</span>")
RATE_LIMIT_TITLE = "频繁访问"


def _pager(page: ListPage, text: str) -> None:
    if found := _PAGER.search(text):
        page.total_pages, page.page_index = int(found.group(1)), int(found.group(2))


def _item(url: str, title: str, day: date | None) -> ListItem:
    article = TRS_ARTICLE.search(url.split("?")[0])
    return ListItem(url, title, day, article.group(2) if article else None)


@register("ccgp_channel")
class CcgpChannelAdapter(ListAdapter):
    """Channel lists such as ``/cggg/dfgg/zbgg/index.htm`` (``ul.c_list_bid``)."""

    def page_url(self, entry_url: str, page_index: int) -> str:
        return numbered_page_url(entry_url, page_index, default_ext="htm")

    def parse_list(self, url: str, text: str) -> ListPage:
        page = ListPage()
        _pager(page, text)
        tree = lxml.html.document_fromstring(text)
        for holder in tree.xpath("//ul[contains(concat(' ', @class, ' '), ' c_list_bid ')]"):
            for link in dated_links(holder, url):
                page.items.append(_item(link.url, link.title, link.date))
        return page


@register("ccgp_search")
class CcgpSearchAdapter(ListAdapter):
    """Full-text search; slow and rate-limited, so a run reads a few pages at most."""

    PAGE_CAP = 3

    def page_url(self, entry_url: str, page_index: int) -> str:
        parts = urlsplit(entry_url)
        query = [
            (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page_index"
        ]
        query.insert(1, ("page_index", str(page_index + 1)))
        return urlunsplit(parts._replace(query=urlencode(query)))

    def parse_list(self, url: str, text: str) -> ListPage:
        tree = lxml.html.document_fromstring(text)
        title = tree.findtext(".//title") or ""
        if RATE_LIMIT_TITLE in title:
            return ListPage(refused=("rate_limited", f"ccgp search answered {title.strip()!r}"))
        page = ListPage()
        _pager(page, text)
        for item in tree.xpath("//ul[contains(@class, 'vT-srch-result-list-bid')]/li"):
            anchors = item.xpath("./a[@href]")
            if not anchors:
                continue
            meta = " ".join(item.xpath("./span//text()"))
            published = parse_date(meta)
            href = urljoin(url, anchors[0].get("href").strip())
            page.items.append(
                _item(
                    href, anchors[0].text_content().strip(), published.date() if published else None
                )
            )
        if page.total_pages is None and (found := _TOTAL_FOUND.search(text)):
            page.total_pages = -(-int(found.group(1)) // 20)
        return page
