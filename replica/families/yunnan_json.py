"""云南省公共资源交易信息网: the ``ynggfwpt-home-api`` 招标公告 list and its notice JSON.

As public code of 2025–2026 saw it: ``POST …/jyzyCenter/jyInfo/gcjs/getZbggList`` takes a
JSON body (``pageNum``, ``pageSize``, ``cityId``, ``industryCode``, ``childType``,
``tradeType``, ``title``, ``startTime`` / ``endTime`` as ``YYYYMMDDhhmmss``) and answers
``{"code": "1", "value": {"list": [...], "total": N}}``, newest first; ``GET
…/findZbggByGuid?guid=`` answers the notice (``value.bulletinname``, ``bulletinissuetime``,
``bulletincontent``). The page a person opens, ``/tradeHall/tradeDetail?guid=…``, is the Vue
app's shell.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from replica.families.base import GET, POST, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import html_page, json_error, json_page
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
DETAIL_NAME = "findZbggByGuid"
PAGE_PATH = "/tradeHall/tradeDetail"


class YunnanJson(Column):
    family = "yunnan_json"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.trade_type = self.option("tradeType", "gcjs")
        self.col_code = self.option("colCode", "1")
        self.detail_path = self.entry_path.rsplit("/", 1)[0] + "/" + DETAIL_NAME
        self._by_guid: dict[str, Doc] = {}

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {
            self.prefix + self.entry_path: POST,
            self.prefix + self.detail_path: GET,
            self.prefix + PAGE_PATH: GET,
        }

    def check(self, call: Call) -> Reply | None:
        if call.path != self.prefix + self.entry_path:
            return super().check(call)
        if call.method != "POST":
            return json_error(405, {"code": "0", "message": "Request method 'GET' not supported"})
        if call.json_object() is None:
            return json_error(400, {"code": "0", "message": "Required request body is missing"})
        return None

    def matches(self, call: Call) -> bool:
        if call.path in (self.prefix + self.detail_path, self.prefix + PAGE_PATH):
            return call.query.get("guid", "") in self._by_guid
        body = call.json_object() or {}
        return str(body.get("tradeType", "")) == self.trade_type

    def answer(self, call: Call) -> Reply | None:
        if call.path == self.prefix + PAGE_PATH:
            return self.cached("shell", _shell).reply()
        if call.path == self.prefix + self.detail_path:
            return self.render(self._by_guid[call.query["guid"]], call.path).reply()
        body = call.json_object() or {}
        first, last = _moment(body.get("startTime")), _moment(body.get("endTime"))
        page = as_int(body.get("pageNum"), 1)
        size = as_int(body.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        key = (first, last, page, size)
        return self.cached(key, lambda: self._list(first, last, page, size)).reply()

    def miss(self, call: Call) -> Reply | None:
        if call.path == self.prefix + self.detail_path:
            return json_page({"code": "0", "message": "数据不存在", "value": None}).reply()
        if call.path == self.prefix + self.entry_path:
            return json_page({"code": "1", "message": "成功", "value": _value([], 0)}).reply()
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
        payload = {"code": "1", "message": "成功", "value": _value(rows, len(chosen))}
        return json_page(payload, self.newest_modified())

    def _row(self, doc: Doc) -> dict[str, Any]:
        return {
            "guid": doc.site_id,
            "bulletinname": doc.title,
            "bulletinissuetime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "jyptid": doc.region,
            "tradeType": self.trade_type,
        }

    def place(self, doc: Doc, number: int) -> None:
        guid = str(uuid.UUID(int=(number * 2654435761) % (1 << 128), version=4))
        doc.site_id = guid
        doc.href = f"{PAGE_PATH}?guid={guid}&colCode={self.col_code}&rowCode={quote('招标公告')}"
        doc.real_url = f"{self.scheme}://{self.host}{doc.href}"
        doc.url_path = f"{self.prefix}{self.detail_path}?guid={guid}"
        doc.paths = ()  # served through the detail route, keyed by guid
        self._by_guid[guid] = doc

    def render(self, doc: Doc, path: str) -> RenderedPage:
        notice = {
            "guid": doc.site_id,
            "bulletinname": doc.title,
            "bulletinissuetime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "bulletincontent": doc.body_html,
        }
        return json_page({"code": "1", "message": "成功", "value": notice}, doc.last_modified)


def _value(rows: list[dict[str, Any]], total: int) -> dict[str, Any]:
    return {"list": rows, "total": total}


def _moment(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value or "").strip(), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def _shell() -> RenderedPage:
    return html_page(
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>云南省公共资源交易信息网</title>'
        '</head>\n<body><div id="app"></div><script src="/js/app.js"></script></body></html>\n'
    )
