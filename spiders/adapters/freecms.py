"""freecms ``selectInfoMoreChannel.do``: the JSON notice list of many procurement sites."""

from __future__ import annotations

import json
import math
from urllib.parse import urlencode, urljoin

from spiders.adapters.base import ListAdapter, ListItem, ListPage, PageRequest, register
from spiders.dates import parse_date


@register("freecms")
class FreecmsAdapter(ListAdapter):
    REQUIRED_OPTIONS = ("siteId", "channel")
    OPTIONAL_OPTIONS = ("pageSize", "noticeType", "regionCode")

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        query = {
            "siteId": self.options["siteId"],
            "channel": self.options["channel"],
            "currPage": page_index + 1,
            "pageSize": self.options.get("pageSize", 10),
            "noticeType": self.options.get("noticeType", ""),
            "regionCode": self.options.get("regionCode", ""),
            "purchaseManner": "",
            "title": "",
            "openTenderCode": "",
            "operationStartTime": "",
            "operationEndTime": "",
            "selectTimeName": "noticeTime",
        }
        return PageRequest(f"{entry_url.split('?')[0]}?&{urlencode(query)}")

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        page = ListPage()
        for notice in data.get("data") or []:
            path = notice.get("htmlpath") or notice.get("pageurl")
            if not path:
                continue
            published = parse_date(str(notice.get("noticeTime") or ""))
            page.items.append(
                ListItem(
                    urljoin(url, str(path)),
                    notice.get("title"),
                    published.date() if published else None,
                    str(notice.get("id") or "") or None,
                )
            )
        total = int(data.get("total") or 0)
        size = int(self.options.get("pageSize", 10))
        page.total_pages = math.ceil(total / size) if total else None
        return page
