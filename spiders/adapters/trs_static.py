"""TRS WCM static lists: ``index.html``, ``index_1.html`` … with a JavaScript pager call.

The pager is ``createPageHTML(total, current, "index", "html")``, or ``createPage(…)`` on
Chongqing's portal, or a bare ``var countPage = N``. Articles are linked as
``./YYYYMM/tYYYYMMDD_ID.html`` next to their date.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html

from crawler.dates import date_from_url, parse_date
from spiders.adapters.base import ListAdapter, ListItem, ListPage, register

_PAGER = re.compile(
    r"create(?:PageHTML|Page)\s*\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?"
    r"(?:\s*,\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"])?"
)
_COUNT_PAGE = re.compile(r"countPage\s*=\s*(\d+)")
_TRS_ARTICLE = re.compile(r"(?:^|/)t((?:19|20)\d{6})_(\d+)\.s?html?$")


@register("trs_static")
class TrsStaticAdapter(ListAdapter):
    """Lists of TRS WCM sites (most provincial portals' 政策文件 and 政府工作报告 columns)."""

    def parse_list(self, url: str, html: str) -> ListPage:
        page = ListPage()
        pager = _PAGER.search(html)
        if pager:
            page.total_pages, page.page_index = int(pager.group(1)), int(pager.group(2))
        elif count := _COUNT_PAGE.search(html):
            page.total_pages = int(count.group(1))
        tree = lxml.html.document_fromstring(html)
        seen: set[str] = set()
        for anchor in tree.iter("a"):
            href = (anchor.get("href") or "").strip()
            article = _TRS_ARTICLE.search(href.split("?")[0])
            if not article:
                continue
            link = urljoin(url, href)
            if link in seen:
                continue
            seen.add(link)
            title = (anchor.get("title") or anchor.text_content()).strip() or None
            holder = anchor.getparent()
            listed = parse_date(holder.text_content()) if holder is not None else None
            day = listed.date() if listed else None
            if day is None and (from_url := date_from_url(link)):
                day = from_url.date()
            page.items.append(
                ListItem(url=link, title=title, date=day, site_doc_id=article.group(2))
            )
        return page

    def page_url(self, first_page_url: str, page_index: int) -> str:
        if page_index == 0:
            return first_page_url
        base, _, last = first_page_url.rpartition("/")
        stem, dot, ext = last.partition(".")
        if not last or not dot:  # a directory URL: TRS serves index.html there
            stem, ext = "index", "html"
        return f"{base}/{stem}_{page_index}.{ext}"
