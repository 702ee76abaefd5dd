"""TRS WCM static lists: ``index.html``, ``index_1.html`` … with a JavaScript pager call.

The pager is ``createPageHTML(total, current, "index", "html")``, or ``createPage(…)`` on
Chongqing's portal, or a bare ``var countPage = N``. Articles are linked as
``./YYYYMM/tYYYYMMDD_ID.html`` next to their date.
"""

from __future__ import annotations

import re
from datetime import date

import lxml.html

from spiders.adapters.base import ListAdapter, ListItem, ListPage, register
from spiders.dates import date_from_url
from spiders.links import dated_links

_PAGER = re.compile(r"create(?:PageHTML|Page)\s*\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?")
_COUNT_PAGE = re.compile(r"countPage\s*=\s*(\d+)")
TRS_ARTICLE = re.compile(r"/t((?:19|20)\d{6})_(\d+)\.s?html?$")


def numbered_page_url(first_page_url: str, page_index: int, default_ext: str = "html") -> str:
    """``index.html`` → ``index_3.html``: the static paging of TRS and its imitators."""
    if page_index == 0:
        return first_page_url
    base, _, last = first_page_url.rpartition("/")
    stem, dot, ext = last.partition(".")
    if not last or not dot:  # a directory URL: the CMS serves index.<ext> there
        stem, ext = "index", default_ext
    return f"{base}/{stem}_{page_index}.{ext}"


@register("trs_static")
class TrsStaticAdapter(ListAdapter):
    """Lists of TRS WCM sites (most provincial portals' 政策文件 and 政府工作报告 columns)."""

    def page_url(self, entry_url: str, page_index: int) -> str:
        return numbered_page_url(entry_url, page_index)

    def parse_list(self, url: str, text: str) -> ListPage:
        page = ListPage()
        if pager := _PAGER.search(text):
            page.total_pages, page.page_index = int(pager.group(1)), int(pager.group(2))
        elif count := _COUNT_PAGE.search(text):
            page.total_pages = int(count.group(1))
        tree = lxml.html.document_fromstring(text)
        links = dated_links(
            tree,
            url,
            accept=lambda link: bool(TRS_ARTICLE.search(link.split("?")[0])),
            require_date=False,
        )
        for link in links:
            article = TRS_ARTICLE.search(link.url.split("?")[0])
            assert article is not None
            day = link.date or _url_date(link.url)
            page.items.append(ListItem(link.url, link.title, day, article.group(2)))
        return page


def _url_date(url: str) -> date | None:
    stamp = date_from_url(url)
    return stamp.date() if stamp else None
