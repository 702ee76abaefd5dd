"""政采云 (ZCY) portals: ``POST /portal/category`` (JSON only) and ``GET /portal/detail``.

As public code of 2023–2026 shows the real sites: the list API takes nothing but a JSON body
(a form POST gets HTTP 400 with a JSON error, as the Spring endpoint behind it answers) and a GET
with a query string gets HTTP 416 (seen on 浙江 in 2026). Its answer nests the rows twice,
``result.data.data[]`` with ``result.data.total``; ``publishDate`` is in milliseconds. Article
ids are base64 and carry ``+``, ``/`` and ``==``. The page a person opens,
``/site/detail?parentId=…&articleId=…``, is a Vue shell with no text; the text comes from
``/portal/detail?articleId=…``, which answers ``success: false`` for an id it does not know.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from replica.documents import beijing_to_utc
from replica.families.base import GET, POST, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import html_page, json_error, json_page, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 15
MAX_PAGE_SIZE = 100
DETAIL_PATH = "/portal/detail"
SHELL_PATHS = ("/site/detail", "/site/category")
_SCRAMBLE = 0x9E3779B97F4A7C15
# Category codes whose lists hold one kind of notice, where a site's evidence names the kind.
_CATEGORY_MIX = {
    "ZcyAnnouncement3001": (("tender", 1),),  # 贵州 招标公告
    "ZcyAnnouncement3004": (("award", 1),),  # 中标（成交）结果公告
    "ZcyAnnouncement3": (("change", 1),),
    "ZcyAnnouncement4": (("award", 1),),
    "ZcyAnnouncement10": (("termination", 1),),
}


class Zcy(Column):
    family = "zcy"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.category_code = self.option("categoryCode")
        self.parent_id = self.option("parentId")
        self._by_article: dict[str, Doc] = {}

    def notice_mix(self) -> tuple[tuple[str, int], ...]:
        return _CATEGORY_MIX.get(self.category_code, super().notice_mix())

    def routes(self) -> Mapping[str, frozenset[str]]:
        shells = {self.prefix + path: GET for path in SHELL_PATHS}
        return {self.prefix + self.entry_path: POST | GET, self.prefix + DETAIL_PATH: GET, **shells}

    def check(self, call: Call) -> Reply | None:
        if call.path != self.prefix + self.entry_path:
            return super().check(call)
        if call.method == "GET":
            return json_error(416, _error("Requested range not satisfiable"))
        if call.method != "POST":
            return json_error(405, _error(f"Request method '{call.method}' not supported"))
        if call.media_type != "application/json" or call.json_object() is None:
            media = call.content_type or "application/octet-stream"
            return json_error(400, _error(f"Content type '{media}' not supported"))
        return None

    def matches(self, call: Call) -> bool:
        if call.path == self.prefix + DETAIL_PATH or call.path == self.prefix + "/site/detail":
            # place() indexes articles; the web generates a host's documents before routing.
            return call.query.get("articleId", "") in self._by_article
        if call.path == self.prefix + "/site/category":
            return call.query.get("parentId", "") == self.parent_id
        body = call.json_object() or {}
        return str(body.get("categoryCode", "")) == self.category_code

    def answer(self, call: Call) -> Reply | None:
        if call.path == self.prefix + DETAIL_PATH:
            doc = self._by_article[call.query["articleId"]]
            return self.cached(("detail", doc.site_id), lambda: self._detail(doc)).reply()
        if call.path in (self.prefix + path for path in SHELL_PATHS):
            return self.cached("shell", self._shell).reply()
        body = call.json_object() or {}
        page = as_int(body.get("pageNo"), 1)
        size = as_int(body.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        return self.cached(("list", page, size), lambda: self._list(page, size)).reply()

    def miss(self, call: Call) -> Reply | None:
        if call.path == self.prefix + DETAIL_PATH:
            return json_page({"success": False, "result": None, "error": "文章不存在"}).reply()
        if call.path == self.prefix + self.entry_path:
            return json_page(_list_payload(0, [])).reply()
        return None

    def _list(self, page: int, size: int) -> RenderedPage:
        items = [self._item(doc) for doc in page_slice(self.docs, page - 1, size)]
        return json_page(_list_payload(len(self.docs), items), self.newest_modified())

    def _item(self, doc: Doc) -> dict[str, Any]:
        notice = doc.notice
        return {
            "articleId": doc.site_id,
            "annId": None,
            "siteId": self.site_number,
            "parentId": None,
            "author": notice.agency.name if notice else doc.publisher,
            "path": None,
            "pathName": notice.label if notice else "",
            "title": doc.title,
            "content": None,
            "publishDate": _millis(doc),
            "districtCode": self.region.province.code,
            "gpCatalogName": notice.category if notice else "",
            "procurementMethod": None,
            "projectCode": None,
            "projectName": None,
            "districtName": doc.region,
            "purchaseName": doc.buyer,
            "invalid": 0,
        }

    def _detail(self, doc: Doc) -> RenderedPage:
        data = {
            "title": doc.title,
            "htmlTitle": None,
            "articleId": doc.site_id,
            "siteId": self.site_number,
            "author": doc.notice.agency.name if doc.notice else doc.publisher,
            "projectCode": doc.notice.project_number if doc.notice else None,
            "publishDate": _millis(doc),
            "districtCode": self.region.province.code,
            "categoryNames": ["采购公告", doc.notice.label] if doc.notice else [],
            "announcementLinkDtoList": None,
            "content": doc.body_html,
            "attachmentList": None,
            "expireFlag": 0,
        }
        return json_page(
            {"success": True, "result": {"data": data}, "error": None}, doc.last_modified
        )

    @property
    def site_number(self) -> int:
        """The small integer ZCY gives each province's site (61 广西, 110 浙江 in the evidence)."""
        return int(self.region.province.code[:2])

    def _shell(self) -> RenderedPage:
        # The page a person opens is a Vue app: it holds no text until its scripts run.
        html = (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{text(self.site_name)}</title>"
            '<link href="/static/css/app.css" rel="stylesheet"></head>\n'
            '<body><div id="app"></div>'
            '<script src="/static/js/manifest.js"></script>'
            '<script src="/static/js/app.js"></script></body></html>\n'
        )
        return html_page(html)

    def place(self, doc: Doc, number: int) -> None:
        doc.site_id = _article_id(number, self.context.block)
        encoded = quote(doc.site_id, safe="")
        parent = quote(self.parent_id, safe="")
        doc.href = f"/site/detail?parentId={parent}&articleId={encoded}"
        doc.url_path = f"{self.prefix}{DETAIL_PATH}?articleId={encoded}&parentId={parent}"
        doc.paths = ()  # served through the detail route, which is keyed by articleId
        doc.real_url = f"{self.scheme}://{self.host}{doc.href}"
        self._by_article[doc.site_id] = doc

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self._detail(doc)


def _list_payload(total: int, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"success": True, "result": {"data": {"total": total, "data": items}}, "error": None}


def _error(message: str) -> dict[str, Any]:
    return {"success": False, "result": None, "error": message}


def _millis(doc: Doc) -> int:
    return int(beijing_to_utc(doc.published).timestamp()) * 1000


def _article_id(number: int, block: int) -> str:
    """A 24-character base64 id in ZCY's style (16 bytes): unique per (number, block).

    The first eight bytes are a scrambled (number, block), so no two documents share an id; the
    hashed tail makes ``+`` and ``/`` as common as on the real sites."""
    # Multiplying by an odd number is a bijection modulo 2**64: distinct inputs stay distinct.
    head = ((number * 4_099 + block) * _SCRAMBLE % 2**64).to_bytes(8, "big")
    tail = hashlib.sha256(head).digest()[:8]
    return base64.b64encode(head + tail).decode("ascii")
