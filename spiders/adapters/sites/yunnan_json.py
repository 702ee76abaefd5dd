"""云南省公共资源交易信息网 (ggzy.yn.gov.cn): the Vue site's ``ynggfwpt-home-api`` JSON.

The 招标公告 list is ``POST …/jyzyCenter/jyInfo/gcjs/getZbggList`` with a JSON body (``pageNum``,
``pageSize``, ``cityId``, ``industryCode``, ``childType``, ``tradeType`` gcjs 工程建设 or zhjy
综合交易, ``title``, ``startTime`` / ``endTime`` as ``YYYYMMDDhhmmss``) answering ``{"code": "1",
"value": {"list": [...], "total": N}}`` with lower-case rows (``guid``, ``bulletinname``,
``bulletinissuetime``, ``jyptid``). A notice's text is ``GET …/gcjs/findZbggByGuid?guid=``
(``value.bulletincontent``, HTML); the page a person opens is the app's
``/tradeHall/tradeDetail?guid=…&colCode=…&rowCode=招标公告``.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

from spiders.adapters.base import (
    AdapterOptionsError,
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    epoch_to_datetime,
    register,
    synthesized_page,
)
from spiders.dates import beijing_today, parse_date

LIST_NAME = "getZbggList"
DETAIL_NAME = "findZbggByGuid"
PAGE_PATH = "/tradeHall/tradeDetail"
OK_CODE = "1"


@register("yunnan_json")
class YunnanJsonAdapter(ListAdapter):
    DEFAULT_PAGE_SIZE = 20
    OPTIONAL_OPTIONS = ("tradeType", "colCode", "cityId", "since")
    RECHECK_BY_URL = False  # the page a person opens is a script shell; text is findZbggByGuid

    @classmethod
    def check_entry_url(cls, url: str) -> None:
        if not urlsplit(url).path.endswith(f"/{LIST_NAME}"):
            raise AdapterOptionsError(
                f"adapter 'yunnan_json' reads the {LIST_NAME} list (rows named bulletinname, "
                f"text from {DETAIL_NAME}); {url!r} is another list"
            )

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        today = beijing_today()
        since = self.since_option(today)
        payload = {
            "pageNum": page_index + 1,
            "pageSize": self.page_size,
            "cityId": str(self.options.get("cityId", "")),
            "industryCode": "",
            "childType": "",
            "tradeType": str(self.options.get("tradeType", "gcjs")),
            "title": "",
            "startTime": date.fromisoformat(str(since)).strftime("%Y%m%d") + "000000",
            "endTime": today.strftime("%Y%m%d") + "235959",
        }
        base = urldefrag(entry_url)[0]
        request = PageRequest.json_post(f"{base}#page={page_index + 1}", payload)
        root = _root(base)
        headers = {**request.headers, "Origin": root, "Referer": f"{root}/"}
        return PageRequest(request.url, request.method, request.body, headers)

    def parse_list(self, url: str, text: str) -> ListPage:
        value, refusal = _value(json.loads(text))
        if refusal is not None:
            return ListPage(refused=("error", refusal))
        rows = value.get("list")
        if not isinstance(rows, list):
            raise ValueError("no list inside the answer's value")
        base = urldefrag(url)[0]
        api = base.rsplit("/", 1)[0]
        column = str(self.options.get("colCode", "1"))
        page = ListPage()
        for row in rows:
            guid = str(row.get("guid") or "")
            if not guid:
                continue
            published = _when(row.get("bulletinissuetime"))
            query = urlencode({"guid": guid, "colCode": column, "rowCode": "招标公告"})
            page.items.append(
                ListItem(
                    f"{_root(base)}{PAGE_PATH}?{query}",
                    str(row.get("bulletinname") or "").strip() or None,
                    published.date() if published else None,
                    guid,
                    detail=PageRequest(f"{api}/{DETAIL_NAME}?{urlencode({'guid': guid})}"),
                )
            )
        page.page_index = int(dict(parse_qsl(urldefrag(url)[1])).get("page", "1")) - 1
        if value.get("total") is not None:
            page.total_pages = math.ceil(int(value["total"]) / self.page_size) or None
        return page

    def detail_html(self, item: ListItem, text: str) -> str | None:
        notice, refusal = _value(json.loads(text))
        if refusal is not None or not notice:
            raise ValueError(f"{DETAIL_NAME} answered {refusal or 'no notice'}")
        return synthesized_page(
            title=str(notice.get("bulletinname") or "").strip() or item.title,
            published=_when(notice.get("bulletinissuetime")) or item.date,
            body_html=str(notice.get("bulletincontent") or ""),
        )


def _value(payload: Any) -> tuple[dict[str, Any], str | None]:
    """The ``value`` object of ``{"code": "1", "value": {…}}``, or why there is none."""
    if not isinstance(payload, dict):
        raise ValueError("the answer is not a JSON object")
    code = str(payload.get("code", ""))
    value = payload.get("value")
    if code != OK_CODE or not isinstance(value, dict):
        message = payload.get("message") or payload.get("msg") or ""
        shown = json.dumps(payload, ensure_ascii=False)[:160]
        return {}, f"the API answered code {code or '(none)'} {message}: {shown}".replace("  ", " ")
    return value, None


def _when(value: Any) -> datetime | None:
    """``bulletinissuetime``: ``YYYY-MM-DD HH:MM:SS`` (or with dots), or the compact form the
    request's ``startTime`` uses."""
    text = str(value or "").strip()
    if text.isdigit() and len(text) == 13:  # epoch milliseconds, should a list send them
        return epoch_to_datetime(text)
    compact = {8: "%Y%m%d", 12: "%Y%m%d%H%M", 14: "%Y%m%d%H%M%S"}.get(len(text))
    if text.isdigit() and compact:
        try:
            return datetime.strptime(text, compact)
        except ValueError:
            return None
    return parse_date(text)


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
