"""政采云 (ZCY) portals: a JSON-only POST search API and a JSON article detail API.

The list API accepts nothing but a JSON body: a form-encoded POST gets HTTP 400 with a JSON
error, as the Spring endpoint behind it answers. The URL the list gives for an article is the
single-page app a person opens; the text itself comes from /portal/detail.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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
_ALPHABET = string.ascii_letters + string.digits
_ID_SPACE = len(_ALPHABET) ** 22
_SCRAMBLE = 0x9E3779B97F4A7C15  # odd and not a multiple of 31, so a unit modulo 62**22
# Category codes whose lists hold one kind of notice (see shared/design/SITES.md).
_CATEGORY_MIX = {
    "ZcyAnnouncement2": (("tender", 1),),
    "ZcyAnnouncement3001": (("tender", 1),),
    "ZcyAnnouncement3002": (("tender", 1),),
    "ZcyAnnouncement3011": (("tender", 1),),
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
        self._by_article: dict[str, Doc] = {}

    def notice_mix(self) -> tuple[tuple[str, int], ...]:
        return _CATEGORY_MIX.get(self.category_code, super().notice_mix())

    @property
    def shell_path(self) -> str:
        return f"{self.prefix}/{self.category_code}/index.html"

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {
            self.prefix + self.entry_path: POST,
            self.prefix + DETAIL_PATH: GET,
            self.shell_path: GET,
        }

    def check(self, call: Call) -> Reply | None:
        if call.path != self.prefix + self.entry_path:
            return super().check(call)
        if call.method != "POST":
            return json_error(405, _error(f"Request method '{call.method}' not supported"))
        if call.media_type != "application/json" or call.json_object() is None:
            media = call.content_type or "application/octet-stream"
            return json_error(400, _error(f"Content type '{media}' not supported"))
        return None

    def matches(self, call: Call) -> bool:
        if call.path == self.prefix + DETAIL_PATH:
            # place() indexes articles; the web generates a host's documents before routing.
            return call.query.get("articleId", "") in self._by_article
        if call.path == self.shell_path:
            return True
        body = call.json_object() or {}
        return str(body.get("categoryCode", "")) == self.category_code

    def answer(self, call: Call) -> Reply | None:
        if call.path == self.prefix + DETAIL_PATH:
            doc = self._by_article[call.query["articleId"]]
            return self.cached(("detail", doc.site_id), lambda: self._detail(doc)).reply()
        if call.path == self.shell_path:
            return self.cached("shell", self._shell).reply()
        body = call.json_object() or {}
        page = as_int(body.get("pageNo"), 1)
        size = as_int(body.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        return self.cached(("list", page, size), lambda: self._list(page, size)).reply()

    def miss(self, call: Call) -> Reply | None:
        if call.path == self.prefix + DETAIL_PATH:
            return json_page({"success": False, "result": None, "error": "文章不存在"}).reply()
        return json_page(_list_payload(0, [])).reply()

    def _list(self, page: int, size: int) -> RenderedPage:
        items = [self._item(doc) for doc in page_slice(self.docs, page - 1, size)]
        return json_page(_list_payload(len(self.docs), items), self.newest_modified())

    def _item(self, doc: Doc) -> dict[str, Any]:
        return {
            "articleId": doc.site_id,
            "title": doc.title,
            "publishDate": _millis(doc),
            "districtName": doc.region,
            "url": doc.href,
            "gpCatalogName": doc.notice.category if doc.notice else "",
            "pathName": doc.notice.label if doc.notice else "",
        }

    def _detail(self, doc: Doc) -> RenderedPage:
        data = {
            "articleId": doc.site_id,
            "title": doc.title,
            "content": doc.body_html,
            "publishDate": _millis(doc),
            "author": doc.publisher,
            "districtName": doc.region,
            "projectCode": doc.notice.project_number if doc.notice else "",
        }
        return json_page({"success": True, "result": {"data": data}}, doc.last_modified)

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
        doc.href = f"/{self.category_code}/index.html?articleId={doc.site_id}"
        doc.url_path = f"{self.prefix}{DETAIL_PATH}?articleId={doc.site_id}"
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
    """A 22-character id in ZCY's style: unique per (number, block), URL-safe, scrambled."""
    # Multiplying by a unit modulo 62**22 is a bijection, so distinct inputs stay distinct.
    value = (number * 4_099 + block) * _SCRAMBLE % _ID_SPACE
    chars = []
    for _ in range(22):
        value, digit = divmod(value, len(_ALPHABET))
        chars.append(_ALPHABET[digit])
    return "".join(chars)
