"""The ``/common/search/{channel}?_isJson=true`` API of several provincial portals (黑龙江, 甘肃 …).

Its records carry each document's whole text, so documents are built from the list and no
detail page is fetched.
"""

from __future__ import annotations

import json
import math
from urllib.parse import urlencode, urljoin, urlsplit

from spiders.adapters.base import (
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    register,
    synthesized_page,
)
from spiders.dates import parse_date


@register("search_json")
class SearchJsonAdapter(ListAdapter):
    REQUIRED_OPTIONS = ("channel",)
    OPTIONAL_OPTIONS = ("pageSize",)

    @property
    def page_size(self) -> int:
        return int(self.options.get("pageSize", 15))

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        parts = urlsplit(entry_url)
        query = {
            "_isAgg": "true",
            "_isJson": "true",
            "_pageSize": self.page_size,
            "_template": "index",
            "_rangeTimeGte": "",
            "_channelName": "",
            "page": page_index + 1,
        }
        path = f"/common/search/{self.options['channel']}"
        return PageRequest(f"{parts.scheme}://{parts.netloc}{path}?{urlencode(query)}")

    def parse_list(self, url: str, text: str) -> ListPage:
        data = (json.loads(text) or {}).get("data") or {}
        page = ListPage()
        for record in data.get("results") or []:
            link = record.get("url")
            if not link:
                continue
            metas = _domain_metas(record)
            published = parse_date(str(record.get("publishedTimeStr") or ""))
            body = record.get("contentHtml") or f"<p>{record.get('content') or ''}</p>"
            page_html = synthesized_page(
                title=record.get("title"),
                published=published,
                body_html=str(body),
                metas={"ContentSource": metas.get("source"), "DocNumber": metas.get("refno")},
            )
            refno = metas.get("refno")
            if refno:  # shown as the 文号 line under the title, as 公文 are laid out
                page_html = page_html.replace(
                    '<div class="article-content">',
                    f'<div class="article-content"><p>{refno}</p>',
                    1,
                )
            page.items.append(
                ListItem(
                    urljoin(url, str(link)),
                    record.get("title"),
                    published.date() if published else None,
                    inline_html=page_html,
                )
            )
        total = int(data.get("total") or 0)
        page.total_pages = math.ceil(total / self.page_size) if total else None
        return page


def _domain_metas(record: dict[str, object]) -> dict[str, str]:
    found: dict[str, str] = {}
    for group in record.get("domainMetaList") or []:  # type: ignore[attr-defined]
        for entry in group.get("resultList") or []:
            if entry.get("key") and entry.get("value"):
                found.setdefault(str(entry["key"]), str(entry["value"]))
    return found
