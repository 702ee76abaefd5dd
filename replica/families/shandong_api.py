"""山东省政府采购网: a Vue app whose JSON API answers on port 8087.

As public code of 2025–2026 saw it: ``POST /api/website/site/getListByCode`` takes a JSON body
only (``colCode``, ``area``, ``currentPage``, ``pageSize`` …) and answers inside two wrappers,
``{"status": 200, "message": "OK", "data": {"code": 100, "message": …, "data": {"records",
"total", "pages"}}}``; ``GET /api/website/site/getDetail?id=…&colCode=…`` answers the notice
with its HTML as base64 of GBK bytes, no charset declared. The page a person opens,
``/detail?id=…&colCode=…`` on the port-less host, is the app's empty shell.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from replica.families.base import GET, POST, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import html_page, json_error, json_page, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
DETAIL_PATH = "/api/website/site/getDetail"
SHELL_PATH = "/detail"
NOTICE_HTML = (
    "<html><head><title>{title}</title></head><body>"
    '<div class="notice-title">{title}</div><div class="notice-body">{body}</div>'
    "</body></html>"
)


class ShandongApi(Column):
    family = "shandong_api"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.col_code = self.option("colCode")
        self.site_host = self.host.split(":")[0]
        self._by_id: dict[str, Doc] = {}

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {
            self.prefix + self.entry_path: POST,
            self.prefix + DETAIL_PATH: GET,
            f"/{self.site_host}{SHELL_PATH}": GET,
        }

    def document_hosts(self) -> tuple[str, ...]:
        return (self.host, self.site_host)

    def check(self, call: Call) -> Reply | None:
        if call.path != self.prefix + self.entry_path:
            return super().check(call)
        if call.method != "POST":
            return json_error(405, _wrapped(405, "Request method not supported", None))
        if call.media_type != "application/json" or call.json_object() is None:
            return json_error(400, _wrapped(400, "Content type not supported", None))
        return None

    def matches(self, call: Call) -> bool:
        if call.path == self.prefix + DETAIL_PATH:
            return call.query.get("id", "") in self._by_id
        if call.path.endswith(SHELL_PATH):
            return call.query.get("id", "") in self._by_id
        body = call.json_object() or {}
        return str(body.get("colCode", "")) == self.col_code

    def answer(self, call: Call) -> Reply | None:
        if call.path == self.prefix + DETAIL_PATH:
            doc = self._by_id[call.query["id"]]
            return self.cached(("detail", doc.site_id), lambda: self._detail(doc)).reply()
        if call.path.endswith(SHELL_PATH):
            return self.cached("shell", self._shell).reply()
        body = call.json_object() or {}
        page = as_int(body.get("currentPage"), 1)
        size = as_int(body.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        return self.cached(("list", page, size), lambda: self._list(page, size)).reply()

    def miss(self, call: Call) -> Reply | None:
        if call.path == self.prefix + DETAIL_PATH:
            return json_page(_wrapped(200, "OK", {"code": 500, "message": "数据不存在"})).reply()
        return json_page(_list(0, 1, DEFAULT_PAGE_SIZE, [])).reply()

    def _list(self, page: int, size: int) -> RenderedPage:
        records = [self._record(doc) for doc in page_slice(self.docs, page - 1, size)]
        return json_page(_list(len(self.docs), page, size, records), self.newest_modified())

    def _record(self, doc: Doc) -> dict[str, Any]:
        return {
            "id": doc.site_id,
            "title": doc.title,
            "date": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "areaName": doc.region,
            "userName": doc.buyer,
            "colCode": self.col_code,
            "oldData": 0,
        }

    def _detail(self, doc: Doc) -> RenderedPage:
        html = NOTICE_HTML.format(title=text(doc.title), body=doc.body_html)
        notice = {
            "title": doc.title,
            "date": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "userName": doc.publisher,
            "body": base64.b64encode(html.encode("gb18030")).decode("ascii"),
            "files": [],
        }
        payload = _wrapped(200, "OK", {"code": 100, "message": "成功", "data": notice})
        return json_page(payload, doc.last_modified)

    def _shell(self) -> RenderedPage:
        return html_page(
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>山东省政府采购网</title>'
            '</head>\n<body><div id="app"></div><script src="/js/app.js"></script></body>'
            "</html>\n"
        )

    def place(self, doc: Doc, number: int) -> None:
        doc.site_id = str(number)
        query = f"id={number}&colCode={self.col_code}"
        doc.href = f"{SHELL_PATH}?{query}"
        doc.real_url = f"{self.scheme}://{self.site_host}{doc.href}"
        doc.url_path = f"{self.prefix}{DETAIL_PATH}?{query}&oldData=0"
        doc.paths = ()  # served through the detail route, keyed by id
        self._by_id[doc.site_id] = doc

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self._detail(doc)


def _wrapped(status: int, message: str, data: Any) -> dict[str, Any]:
    return {"status": status, "message": message, "data": data}


def _list(total: int, page: int, size: int, records: list[dict[str, Any]]) -> dict[str, Any]:
    pages = -(-total // size) if total else 0
    inner = {"records": records, "total": total, "size": size, "current": page, "pages": pages}
    return _wrapped(200, "OK", {"code": 100, "message": "成功", "data": inner})
