"""内蒙古自治区公共资源交易网: the TRS ``openSearch`` search and its notice JSON.

As public code of 2025–2026 saw it: ``GET /trssearch/openSearch/searchPublishResource`` with
the filters in the query (``noticeTypeName``, ``transactionTypeName``, ``pageNum``,
``pageSize``, ``startTime`` / ``endTime`` as ``YYYY-MM-DD HH:MM:SS`` or empty …) answers
``{"code": 200, "data": {"total": N, "data": [...]}}``, newest first; ``GET
/trssearch/openSearch/getPublishResourceDealContent?sourceDataKey=`` answers
``{"data": {"dealContent": {noticeName, noticeSendTime, noticeContent}}}``. The page a person
opens, ``/jyxx/index_24.html?id=…``, is a script page.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from replica.families.base import GET, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import html_page, json_page
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
DETAIL_PATH = "/trssearch/openSearch/getPublishResourceDealContent"
PAGE_PATH = "/jyxx/index_24.html"
FILTERS = ("noticeTypeName", "transactionTypeName")


class NmgTrssearch(Column):
    family = "nmg_trssearch"
    default_page_size = DEFAULT_PAGE_SIZE

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.filters = {name: self.entry_query.get(name, "") for name in FILTERS}
        self._by_key: dict[str, Doc] = {}

    @property
    def page_size(self) -> int:
        return as_int(self.entry_query.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {
            self.prefix + self.entry_path: GET,
            self.prefix + DETAIL_PATH: GET,
            self.prefix + PAGE_PATH: GET,
        }

    def matches(self, call: Call) -> bool:
        if call.path == self.prefix + DETAIL_PATH:
            return call.query.get("sourceDataKey", "") in self._by_key
        if call.path == self.prefix + PAGE_PATH:
            return call.query.get("id", "") in self._by_key
        return all(call.query.get(name, "") == value for name, value in self.filters.items())

    def answer(self, call: Call) -> Reply | None:
        if call.path == self.prefix + PAGE_PATH:
            return self.cached("page", _script_page).reply()
        if call.path == self.prefix + DETAIL_PATH:
            return self.render(self._by_key[call.query["sourceDataKey"]], call.path).reply()
        first, last = _moment(call.query.get("startTime")), _moment(call.query.get("endTime"))
        page = as_int(call.query.get("pageNum"), 1)
        size = as_int(call.query.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        key = (first, last, page, size)
        return self.cached(key, lambda: self._list(first, last, page, size)).reply()

    def miss(self, call: Call) -> Reply | None:
        if call.path == self.prefix + DETAIL_PATH:
            return json_page({"code": 200, "msg": "success", "data": {"dealContent": None}}).reply()
        if call.path == self.prefix + self.entry_path:
            return json_page({"code": 200, "msg": "success", "data": _body([], 0)}).reply()
        return None

    def _list(
        self, first: datetime | None, last: datetime | None, page: int, size: int
    ) -> RenderedPage:
        chosen = [
            doc
            for doc in self.docs
            if (first is None or doc.published >= first) and (last is None or doc.published <= last)
        ]
        rows = [self._row(doc) for doc in page_slice(chosen, page - 1, size)]
        payload = {"code": 200, "msg": "success", "data": _body(rows, len(chosen))}
        return json_page(payload, self.newest_modified())

    def _row(self, doc: Doc) -> dict[str, Any]:
        return {
            "sourceDataKey": doc.site_id,
            "noticeName": doc.title,
            "projectName": doc.notice.project_name if doc.notice else doc.title,
            "noticeSendTime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "regionName": doc.region,
            "noticeTypeName": self.filters["noticeTypeName"],
            "transactionTypeName": self.filters["transactionTypeName"],
        }

    def place(self, doc: Doc, number: int) -> None:
        key = f"{number:x}{number * 7919:012x}"
        doc.site_id = key
        doc.href = f"{PAGE_PATH}?id={key}"
        doc.real_url = f"{self.scheme}://{self.host}{doc.href}"
        doc.url_path = f"{self.prefix}{DETAIL_PATH}?sourceDataKey={key}"
        doc.paths = ()  # served through the detail route, keyed by sourceDataKey
        self._by_key[key] = doc

    def render(self, doc: Doc, path: str) -> RenderedPage:
        notice = {
            "noticeName": doc.title,
            "noticeSendTime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "noticeContent": doc.body_html,
        }
        payload = {"code": 200, "msg": "success", "data": {"dealContent": notice}}
        return json_page(payload, doc.last_modified)


def _body(rows: list[dict[str, Any]], total: int) -> dict[str, Any]:
    return {"total": total, "data": rows}


def _moment(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value or "").strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _script_page() -> RenderedPage:
    return html_page(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>交易信息详情</title></head>\n'
        '<body><div id="detail"></div><script src="/js/jyxx/detail.js"></script></body></html>\n'
    )
