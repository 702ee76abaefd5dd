"""大汉 Hanweb jpage columns (``/col/colNNN/index.html``): CDATA records in an XML datastore.

The column page embeds the first screen of records in ``<script type="text/xml">``; further
records come from POSTing to ``dataproxy.jsp``, three screens per request. HTML parsers do
not see links inside scripts, so the CDATA records are unwrapped before parsing.
"""

from __future__ import annotations

import math
import re

import lxml.html

from spiders.adapters.base import ListAdapter, ListItem, ListPage, PageRequest, register
from spiders.links import dated_links

_TOTAL = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>|totalRecord\s*[:=]\s*(\d+)", re.I)
_ARTICLE = re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_(\d+)\.html")
SCREENS_PER_REQUEST = 3


@register("hanweb_jpage")
class HanwebJpageAdapter(ListAdapter):
    REQUIRED_OPTIONS = ("columnid", "unitid", "webid")
    OPTIONAL_OPTIONS = ("perpage", "proxy_path", "webname")

    @property
    def perpage(self) -> int:
        return int(self.options.get("perpage", 15))

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        if page_index == 0:
            return PageRequest(entry_url)
        per_request = SCREENS_PER_REQUEST * self.perpage
        start = (page_index - 1) * per_request + 1
        path = self.options.get("proxy_path", "/module/web/jpage/dataproxy.jsp")
        root = entry_url.split("/col/", 1)[0]
        end = start + per_request - 1
        url = f"{root}{path}?startrecord={start}&endrecord={end}&perpage={self.perpage}"
        return PageRequest.form(
            url,
            {
                "col": 1,
                "appid": 1,
                "webid": self.options["webid"],
                "path": "/",
                "columnid": self.options["columnid"],
                "sourceContentType": 1,
                "unitid": self.options["unitid"],
                "webname": self.options.get("webname", ""),
                "permissiontype": 0,
            },
        )

    def parse_list(self, url: str, text: str) -> ListPage:
        page = ListPage()
        records = "".join(_cdata_records(text))
        if records:
            fragment = lxml.html.fragment_fromstring(records, create_parent="ul")
            for link in dated_links(fragment, url, require_date=False):
                article = _ARTICLE.search(link.url)
                page.items.append(
                    ListItem(link.url, link.title, link.date, article.group(1) if article else None)
                )
        if total := _TOTAL.search(text):
            records_total = int(total.group(1) or total.group(2))
            page.total_pages = 1 + math.ceil(records_total / (SCREENS_PER_REQUEST * self.perpage))
        return page


def _cdata_records(text: str) -> list[str]:
    """The CDATA of each ``<record>``, in one pass (a lazy regex over an answer of unclosed
    records is quadratic: 40 s for 600 KB)."""
    records: list[str] = []
    position = 0
    while (start := text.find("<record>", position)) >= 0:
        opening = text.find("<![CDATA[", start)
        if opening < 0:
            break
        closing = text.find("]]>", opening)
        if closing < 0:
            break
        if not text[start + len("<record>") : opening].strip():
            records.append(text[opening + len("<![CDATA[") : closing])
        position = closing + 3
    return records
