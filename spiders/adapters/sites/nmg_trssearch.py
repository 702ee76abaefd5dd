"""内蒙古自治区公共资源交易网 (ggzyjy.nmg.gov.cn): the TRS ``openSearch`` JSON API.

The site's 交易信息 search is ``GET /trssearch/openSearch/searchPublishResource`` with every
filter in the query (``noticeName``, ``projectCode``, ``bidSectionCodes``, ``pageSize``,
``pageNum``, ``noticeTypeName`` 招标公告 / 中标候选人公示 …, ``platformCode``, ``regionCode``,
``startTime``, ``endTime``, ``transactionTypeName`` 工程建设 / 政府采购 …,
``industriesTypeName``); it answers ``{"data": {"total": N, "data": [...]}}`` with rows naming
``noticeName``, ``projectName``, ``noticeSendTime``, ``sourceDataKey``, ``regionName``. A
notice's text is ``GET /trssearch/openSearch/getPublishResourceDealContent?sourceDataKey=``
(``data.dealContent.noticeContent``, HTML); the page a person opens is
``/jyxx/index_24.html?id={sourceDataKey}`` (a script page).

The entry URL is the search as the site sends it, filters included; the adapter sets
``pageNum`` and the date range and keeps the rest.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from spiders.adapters.base import (
    AdapterOptionsError,
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    register,
    synthesized_page,
)
from spiders.dates import beijing_today, parse_date

LIST_PATH = "/trssearch/openSearch/searchPublishResource"
DETAIL_PATH = "/trssearch/openSearch/getPublishResourceDealContent"
PAGE_PATH = "/jyxx/index_24.html"
DEFAULT_PAGE_SIZE = 20


@register("nmg_trssearch")
class NmgTrssearchAdapter(ListAdapter):
    OPTIONAL_OPTIONS = ("since",)
    RECHECK_BY_URL = False  # the page a person opens is a script page; text is dealContent

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> None:
        super().check_options(options)

    @classmethod
    def check_entry_url(cls, url: str) -> None:
        if urlsplit(url).path != LIST_PATH:
            raise AdapterOptionsError(
                f"adapter 'nmg_trssearch' reads {LIST_PATH} (with its filters in the query), "
                f"not {url!r}"
            )

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        today = beijing_today()
        since = self.since_option(today)
        parts = urlsplit(entry_url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        query.setdefault("pageSize", str(DEFAULT_PAGE_SIZE))
        query.update(
            {
                "pageNum": str(page_index + 1),
                "startTime": f"{since} 00:00:00",
                "endTime": f"{today.isoformat()} 23:59:59",
            }
        )
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
        root = f"{parts.scheme}://{parts.netloc}"
        headers = {"X-Requested-With": "XMLHttpRequest", "Referer": f"{root}/jyxx/jyxxss/"}
        return PageRequest(url, headers=headers)

    def parse_list(self, url: str, text: str) -> ListPage:
        payload = json.loads(text)
        body = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            shown = json.dumps(payload, ensure_ascii=False)[:160]
            return ListPage(refused=("error", f"the search answered without data rows: {shown}"))
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        page = ListPage()
        for row in body["data"]:
            key = str(row.get("sourceDataKey") or "")
            if not key:
                continue
            published = parse_date(str(row.get("noticeSendTime") or ""))
            title = str(row.get("noticeName") or row.get("projectName") or "").strip()
            page.items.append(
                ListItem(
                    f"{root}{PAGE_PATH}?{urlencode({'id': key})}",
                    title or None,
                    published.date() if published else None,
                    key,
                    detail=PageRequest(f"{root}{DETAIL_PATH}?{urlencode({'sourceDataKey': key})}"),
                )
            )
        page.page_index = int(query.get("pageNum") or 1) - 1
        size = int(query.get("pageSize") or DEFAULT_PAGE_SIZE)
        if body.get("total") is not None:
            page.total_pages = math.ceil(int(body["total"]) / size) or None
        return page

    def detail_html(self, item: ListItem, text: str) -> str | None:
        payload = json.loads(text)
        body = payload.get("data") if isinstance(payload, dict) else None
        notice = body.get("dealContent") if isinstance(body, dict) else None
        if not isinstance(notice, dict) or not notice:
            shown = json.dumps(payload, ensure_ascii=False)[:160]
            raise ValueError(f"getPublishResourceDealContent answered no notice: {shown}")
        title = str(notice.get("noticeName") or notice.get("projectName") or "").strip()
        return synthesized_page(
            title=title or item.title,
            published=parse_date(str(notice.get("noticeSendTime") or "")) or item.date,
            body_html=str(notice.get("noticeContent") or ""),
        )
