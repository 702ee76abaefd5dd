"""江西 government sites' ``/queryList`` JSON (江西省工业和信息化厅 and other 江西 portals).

The new CMS of 江西's government sites fills a column page (``/{webSiteCode}/{channelCode}/
index.html``) from a form POST to ``/queryList``: ``current`` (from 1), ``pageSize``,
``webSiteCode[]``, ``channelCode[]``, ``sort=sortNum``, ``order=desc``, sent as the page's
jQuery does (``X-Requested-With``). It answers ``{"data": {"results": [{"source": {"title",
"showTitle", "pubDate", "metadata": "{\\"author\\": …}", "content": {"content": "<html>"},
"urls": "{\\"pc\\": \\"/jxsgyhxxht/zcwj/…html\\"}"}}]}}``: each record carries the document's
whole text, so no detail page is fetched. ``urls`` and ``metadata`` are JSON inside strings.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from spiders.adapters.base import (
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    epoch_to_datetime,
    register,
    synthesized_page,
)
from spiders.dates import parse_date


@register("jiangxi_querylist")
class JiangxiQueryListAdapter(ListAdapter):
    DEFAULT_PAGE_SIZE = 15  # what the column pages ask for
    REQUIRED_OPTIONS = ("webSiteCode", "channelCode")
    OPTIONAL_OPTIONS = ()

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        fields = {
            "current": page_index + 1,
            "pageSize": self.page_size,
            "webSiteCode[]": self.options["webSiteCode"],
            "channelCode[]": self.options["channelCode"],
            "sort": "sortNum",
            "order": "desc",
        }
        # The page number rides in the fragment (never sent) for reading the answer.
        base = urldefrag(entry_url)[0].split("?")[0]
        request = PageRequest.form(f"{base}#current={page_index + 1}", fields)
        parts = urlsplit(base)
        root = f"{parts.scheme}://{parts.netloc}"
        column = f"{root}/{self.options['webSiteCode']}/{self.options['channelCode']}/index.html"
        headers = {**request.headers, "Origin": root, "Referer": column}
        return PageRequest(request.url, "POST", request.body, headers)

    def parse_list(self, url: str, text: str) -> ListPage:
        payload = json.loads(text)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            shown = json.dumps(payload, ensure_ascii=False)[:160]
            return ListPage(refused=("error", f"queryList answered without data.results: {shown}"))
        page = ListPage()
        for result in data["results"]:
            source = result.get("source") if isinstance(result, dict) else None
            if not isinstance(source, dict):
                continue
            link = _inner(source.get("urls")).get("pc")
            title = str(source.get("title") or source.get("showTitle") or "").strip()
            if not link or not title:
                continue
            published = _published(source.get("pubDate"))
            content = source.get("content")
            body = content.get("content") if isinstance(content, dict) else content
            author = _inner(source.get("metadata")).get("author")
            page.items.append(
                ListItem(
                    urljoin(urldefrag(url)[0], str(link)),
                    title,
                    published.date() if published else None,
                    str(source.get("id") or "") or None,
                    inline_html=synthesized_page(
                        title=title,
                        published=published,
                        body_html=str(body or ""),
                        metas={"ContentSource": str(author) if author else None},
                    ),
                )
            )
        total = data.get("total")
        if str(total or "").isdigit():
            page.total_pages = math.ceil(int(str(total)) / self.page_size) or None
        elif len(data["results"]) >= self.page_size:  # *guess*: no total seen, page on
            number = int(dict(parse_qsl(urldefrag(url)[1])).get("current", "1"))
            page.page_index = number - 1
            page.next_request = self.list_request(url, number)
        return page


def _inner(value: Any) -> dict[str, Any]:
    """A JSON object kept as a string inside the record (``urls``, ``metadata``)."""
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(str(value or "{}"))
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _published(value: Any) -> datetime | None:
    """``pubDate``: a date string, or epoch milliseconds (*guess*: no saved answer shows it)."""
    if isinstance(value, int | float) or str(value or "").isdigit():
        return epoch_to_datetime(value)
    return parse_date(str(value or ""))
