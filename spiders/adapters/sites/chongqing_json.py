"""重庆市政府采购网 (ccgp-chongqing.gov.cn): the ``gwebsite`` notice list JSON API.

``GET /gwebsite/api/v1/notices/stable/new?__platDomain__=…&isResult=1|2&type=…&pi=&ps=
&startDate=&endDate=`` answers ``{"notices": [{"id", "title", "issueTime", "districtName",
"buyerName", "agentName", "projectPurchaseWay", "noticeType" …}], "total": N}``; a notice's
JSON is ``/gwebsite/api/v1/notices/stable/{id}`` (``{"notice": {"html": …}}``) and the page a
person opens is ``/notices/detail/{id}``. Seen in code of 2019–2020 and undated code only; the
2026 site is a React app over other paths (``/gkw/web/portal/notice/list``), so this API may
be gone: a check that fails here says so.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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

DEFAULT_PAGE_SIZE = 20
DETAIL_API = "/gwebsite/api/v1/notices/stable/"


@register("chongqing_json")
class ChongqingJsonAdapter(ListAdapter):
    OPTIONAL_OPTIONS = ("since",)
    RECHECK_BY_URL = False  # the page a person opens is a script shell; text is in the API

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> None:
        super().check_options(options)

    def page_url(self, entry_url: str, page_index: int) -> str:
        """The entry's own query (platform, isResult, type, ps) with the page and dates set."""
        parts = urlsplit(entry_url)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        today = beijing_today()
        since = self.since_option(today)
        query.update(
            {"pi": str(page_index + 1), "startDate": str(since), "endDate": today.isoformat()}
        )
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("notices"), list):
            shown = json.dumps(data, ensure_ascii=False)[:160]
            return ListPage(refused=("error", f"the notice API answered without notices: {shown}"))
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        page = ListPage()
        for notice in data["notices"]:
            notice_id = str(notice.get("id") or "")
            if not notice_id:
                continue
            published = _issued(notice.get("issueTime"))
            page.items.append(
                ListItem(
                    f"{root}/notices/detail/{notice_id}",
                    str(notice.get("title") or "").strip() or None,
                    published.date() if published else None,
                    notice_id,
                    detail=PageRequest(f"{root}{DETAIL_API}{notice_id}"),
                )
            )
        size = int(dict(parse_qsl(parts.query)).get("ps") or DEFAULT_PAGE_SIZE)
        if data.get("total") is not None:
            page.total_pages = math.ceil(int(data["total"]) / max(size, 1)) or None
        return page

    def detail_html(self, item: ListItem, text: str) -> str | None:
        data = json.loads(text)
        notice = data.get("notice") if isinstance(data, dict) else None
        if not isinstance(notice, dict):
            raise ValueError("the notice API answered without a notice")
        return synthesized_page(
            title=str(notice.get("title") or "") or item.title,
            published=_issued(notice.get("issueTime")) or item.date,
            body_html=str(notice.get("html") or ""),
            metas={"ContentSource": notice.get("buyerName") or notice.get("agentName")},
        )


def _issued(value: Any) -> datetime | None:
    """``issueTime``: milliseconds in some answers, a date string in others."""
    if isinstance(value, int | float):
        return epoch_to_datetime(value)
    return parse_date(str(value or ""))
