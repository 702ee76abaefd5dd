"""贵州省公共资源交易网 (ggzy.guizhou.gov.cn): the ``/tradeInfo/es/list`` search API.

The site's lists are one JSON POST naming a channel (``channelId``: 5904475 工程建设, 5904543
政府采购, 5904479 其他交易), an optional notice stage (``announcement``: 交易公告, 采购公告 …),
a date range and the page; it answers ``{"list": [...], "total": N}`` with camel-case rows
(``docTitle``, ``docRelTime`` in epoch milliseconds, ``docSourceName``, ``announcement``,
``apiUrl``, ``metaDataId``, ``tenderProjectCode``). A notice opens at
``/tradeInfo/detailHtml?metaId=…``; for a trading notice (one with a ``tenderProjectCode``)
that page is a shell whose script loads ``/tradeInfo/detailHtmlData?code=…&type=…`` (JSON,
the text in ``data[0].docHtmlCon``), other notices are served whole at that address.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urldefrag, urljoin, urlsplit

from spiders.adapters.base import (
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    epoch_to_datetime,
    register,
    synthesized_page,
)
from spiders.dates import beijing_today, parse_date

NOTICE_PATH = "/tradeInfo/detailHtml"
DATA_PATH = "/tradeInfo/detailHtmlData"


@register("guizhou_es")
class GuizhouEsAdapter(ListAdapter):
    DEFAULT_PAGE_SIZE = 20  # what the site's own list and the 2025 crawler ask for
    REQUIRED_OPTIONS = ("channelId",)
    OPTIONAL_OPTIONS = ("announcement", "docSourceName", "since")
    RECHECK_BY_URL = False  # a trading notice's page is a script shell; its text is JSON

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        today = beijing_today()
        since = self.since_option(today)
        payload: dict[str, Any] = {
            "channelId": str(self.options["channelId"]),
            "pageNum": page_index + 1,
            "pageSize": self.page_size,
        }
        for name in ("announcement", "docSourceName"):
            if self.options.get(name):
                payload[name] = str(self.options[name])
        payload.update(
            {
                "startTime": f"{since} 00:00:00",
                "endTime": f"{today.isoformat()} 23:59:59",
                "docTitle": "",
            }
        )
        if page_index:
            payload["isPage"] = True  # what the 2025 crawler adds past the first page
        base = urldefrag(entry_url)[0]
        request = PageRequest.json_post(f"{base}#page={page_index + 1}", payload)
        root = _root(base)
        headers = {**request.headers, "Origin": root, "Referer": f"{root}/"}
        return PageRequest(request.url, request.method, request.body, headers)

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("list"), list):
            shown = json.dumps(data, ensure_ascii=False)[:160]
            return ListPage(refused=("error", f"the search answered without a list: {shown}"))
        root = _root(url)
        page = ListPage(items=[item for row in data["list"] if (item := _item(root, row))])
        number = int(dict(parse_qsl(urldefrag(url)[1])).get("page", "1"))
        page.page_index = number - 1
        if data.get("total") is not None:
            page.total_pages = math.ceil(int(data["total"]) / self.page_size) or None
        return page

    def detail_html(self, item: ListItem, text: str) -> str | None:
        if item.detail is None or urlsplit(item.detail.url).path != DATA_PATH:
            return None  # the notice's own page, read as any page
        payload = json.loads(text)
        rows = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
            shown = json.dumps(payload, ensure_ascii=False)[:160]
            raise ValueError(f"detailHtmlData answered no notice: {shown}")
        notice: dict[str, Any] = rows[0]
        return synthesized_page(
            title=str(notice.get("docTitle") or "").strip() or item.title,
            published=_when(notice.get("docRelTime")) or item.date,
            body_html=str(notice.get("docHtmlCon") or ""),
            metas={"ContentSource": str(notice.get("docSourceName") or "").strip() or None},
        )


def _item(root: str, row: dict[str, Any]) -> ListItem | None:
    meta_id = str(row.get("metaDataId") or row.get("id") or "")
    link = str(row.get("apiUrl") or "")
    if not meta_id and not link:
        return None
    url = urljoin(root + "/", link) if link else f"{root}{NOTICE_PATH}?metaId={meta_id}"
    published = _when(row.get("docRelTime"))
    code = str(row.get("tenderProjectCode") or "").strip()
    stage = str(row.get("announcement") or "").strip()
    detail = None
    if code and stage:
        query = f"code={quote(code, safe='')}&type={quote(stage, safe='')}"
        detail = PageRequest(f"{root}{DATA_PATH}?{query}")
    return ListItem(
        url,
        str(row.get("docTitle") or "").strip() or None,
        published.date() if published else None,
        meta_id or link,
        detail=detail,
    )


def _when(value: Any) -> datetime | None:
    """``docRelTime``: epoch milliseconds in the list, a date string in the detail."""
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        return epoch_to_datetime(value)
    return parse_date(str(value or ""))


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
