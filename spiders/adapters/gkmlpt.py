"""广东 政府信息公开目录平台 (gkmlpt): a JSON API behind every Guangdong government site."""

from __future__ import annotations

import json
import math
import re
from urllib.parse import urlsplit

from spiders.adapters.base import (
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    epoch_to_datetime,
    register,
)

_SID = re.compile(r"SID\s*:\s*['\"]?(\d+)")
PAGE_SIZE = 100


@register("gkmlpt")
class GkmlptAdapter(ListAdapter):
    OPTIONAL_OPTIONS = ("sid", "category")
    """Page 0 is the ``/gkmlpt/index`` page (it names the site id); pages 1… are the API."""

    def __init__(self, options: dict[str, object] | None = None) -> None:
        super().__init__(options)
        self.sid = str(self.options["sid"]) if self.options.get("sid") else None
        # Without a configured site id, page 0 is the index page that names it.
        self.offset = 0 if self.sid else 1

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        if page_index == 0 and self.offset:
            return PageRequest(entry_url)
        api_page = page_index + 1 - self.offset
        root = entry_url.split("/gkmlpt/", 1)[0]
        category = self.options.get("category", 0)
        return PageRequest(f"{root}/gkmlpt/api/all/{category}?page={api_page}&sid={self.sid}")

    def parse_list(self, url: str, text: str) -> ListPage:
        if "/gkmlpt/api/" not in url:
            found = _SID.search(text)
            if found is None:
                return ListPage(refused=("parse_failed", "no SID in window._CONFIG"))
            self.sid = found.group(1)
            # The index page lists nothing itself: the API's first page follows as page 1.
            return ListPage(total_pages=2)
        data = json.loads(text)
        page = ListPage()
        host = urlsplit(url).netloc
        for article in data.get("articles") or []:
            link = str(article.get("url") or "")
            if not link:
                continue
            if link.startswith("/"):
                link = f"{urlsplit(url).scheme}://{host}{link}"
            published = epoch_to_datetime(
                article.get("display_publish_time") or article.get("create_time")
            )
            page.items.append(
                ListItem(
                    link,
                    article.get("title"),
                    published.date() if published else None,
                    str(article.get("id") or "") or None,
                )
            )
        total = int(data.get("total") or 0)
        page.total_pages = math.ceil(total / PAGE_SIZE) + self.offset if total else None
        return page
