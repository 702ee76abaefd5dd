"""中国政府网 columns' JSON feeds (``/zhengce/zuixin/ZUIXINZHENGCE.json`` and the like).

gov.cn fills its column pages from a static JSON file beside them: an array of the column's
newest entries, ``[{"TITLE": "…", "URL": "…", "DOCRELPUBTIME": "2026-09-11"}, …]``, newest
first, a few hundred long and without paging (it carries no history; what scrolls out of it
was seen by an earlier run). The URL is whole or root-relative. The documents themselves are
ordinary gov.cn pages, fetched and read as any other.
"""

from __future__ import annotations

import json
from urllib.parse import urljoin

from spiders.adapters.base import ListAdapter, ListItem, ListPage, register
from spiders.dates import parse_date


@register("govcn_feed")
class GovcnFeedAdapter(ListAdapter):
    def page_url(self, entry_url: str, page_index: int) -> str:
        return entry_url  # one file; total_pages=1 keeps the crawl from asking for more

    def parse_list(self, url: str, text: str) -> ListPage:
        entries = json.loads(text)
        if not isinstance(entries, list):
            raise ValueError(f"expected a JSON array of entries, got {type(entries).__name__}")
        page = ListPage(total_pages=1)
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            link, title = str(entry.get("URL") or "").strip(), entry.get("TITLE")
            if not link:
                continue
            published = parse_date(str(entry.get("DOCRELPUBTIME") or ""))
            page.items.append(
                ListItem(
                    urljoin(url, link),
                    str(title).strip() if title else None,
                    published.date() if published else None,
                )
            )
        return page
