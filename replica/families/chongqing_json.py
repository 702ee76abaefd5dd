"""重庆市政府采购网: the ``gwebsite`` notice API as code of 2019–2020 read it.

``GET /gwebsite/api/v1/notices/stable/new`` with ``isResult`` (1 procurement notices, 2
results), ``pi``/``ps`` and ``startDate``/``endDate`` answers ``{"notices": [...], "total": N}``
newest first, ``issueTime`` in milliseconds; ``/gwebsite/api/v1/notices/stable/{id}`` answers
``{"notice": {..., "html": …}}``; ``/notices/detail/{id}`` is the app's empty shell.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from replica.documents import beijing_to_utc
from replica.families.base import GET, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import html_page, json_error, json_page
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
DETAIL_API = "/gwebsite/api/v1/notices/stable/"
SHELL = "/notices/detail/"
# isResult=1 lists procurement notices, 2 their results.
MIXES = {
    "1": (("tender", 4), ("change", 1)),
    "2": (("award", 4), ("termination", 1)),
}
NOTICE_TYPES = {"tender": 100, "change": 201, "award": 300, "termination": 304}


class ChongqingJson(Column):
    family = "chongqing_json"
    default_page_size = DEFAULT_PAGE_SIZE

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.is_result = self.entry_query.get("isResult", "1")

    @property
    def page_size(self) -> int:
        return as_int(self.entry_query.get("ps"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)

    def notice_mix(self) -> tuple[tuple[str, int], ...]:
        return MIXES.get(self.is_result, MIXES["1"])

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: GET}

    def matches(self, call: Call) -> bool:
        return call.query.get("isResult", "1") == self.is_result

    def miss(self, call: Call) -> Reply | None:
        return json_page({"notices": [], "total": 0}).reply()

    def answer(self, call: Call) -> Reply | None:
        try:
            first = _day(call.query.get("startDate"))
            last = _day(call.query.get("endDate"))
        except ValueError:
            return json_error(400, {"code": 400, "msg": "日期格式错误"})
        page = as_int(call.query.get("pi"), 1)
        size = as_int(call.query.get("ps"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        key = (first, last, page, size)
        return self.cached(key, lambda: self._list(first, last, page, size)).reply()

    def _list(self, first: date | None, last: date | None, page: int, size: int) -> RenderedPage:
        chosen = [
            doc
            for doc in self.docs
            if (first is None or doc.published.date() >= first)
            and (last is None or doc.published.date() <= last)
        ]
        notices = [self._notice(doc) for doc in page_slice(chosen, page - 1, size)]
        return json_page({"notices": notices, "total": len(chosen)}, self.newest_modified())

    def _notice(self, doc: Doc) -> dict[str, Any]:
        notice = doc.notice
        return {
            "id": doc.site_id,
            "title": doc.title,
            "issueTime": int(beijing_to_utc(doc.published).timestamp()) * 1000,
            "districtName": doc.region,
            "buyerName": doc.buyer,
            "agentName": notice.agency.name if notice else "",
            "noticeType": NOTICE_TYPES[notice.notice_type if notice else "tender"],
            "projectPurchaseWay": 800 if "磋商" in doc.title else 100,
        }

    def place(self, doc: Doc, number: int) -> None:
        # Snowflake-like ids of 18 digits, as the site's notices carry.
        site_id = str(600_000_000_000_000_000 + number * 4_096 + self.context.block)
        doc.site_id = site_id
        doc.href = f"{SHELL}{site_id}"
        doc.real_url = f"{self.scheme}://{self.host}{doc.href}"
        doc.url_path = f"{self.prefix}{DETAIL_API}{site_id}"
        doc.paths = (self.prefix + doc.href, doc.url_path)

    def render(self, doc: Doc, path: str) -> RenderedPage:
        if path.startswith(self.prefix + SHELL):
            return html_page(
                '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>重庆市政府采购网'
                '</title></head>\n<body><div id="root"></div><script src="/static/js/main.js">'
                "</script></body></html>\n"
            )
        payload = {"notice": {**self._notice(doc), "html": doc.body_html}}
        return json_page(payload, doc.last_modified)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
