"""Portals' `/common/search/{channel}` API (黑龙江, 甘肃 …): whole documents inside the JSON.

Each record carries the document's text (content and contentHtml) and its metadata, so a
crawler needs no detail page; the record's url is served as an HTML page all the same.
Without `_isJson=true` the endpoint answers with its HTML search template instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from replica.families.base import GET, Column, Context, as_int, link_items, page_slice
from replica.families.call import Call
from replica.families.markup import json_page, when_given
from replica.families.model import Doc
from replica.families.naming import stable_number
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 15
MAX_PAGE_SIZE = 100
ITEM = '<li><a href="{href}" target="_blank">{title}</a><span>{published:%Y-%m-%d}</span></li>\n'
ARTICLE = (
    '<div class="main">\n<h1 class="title">{title}</h1>\n'
    '<div class="info">发布时间：{published:%Y-%m-%d} 来源：{publisher}</div>\n{number}'
    '<div id="zoom">\n{body}</div>\n</div>\n'
)


class SearchJson(Column):
    family = "search_json"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.channel = self.option("channel")
        labels = self.host.split(".")
        # Article paths start with the site's short name (www.hlj.gov.cn → /hlj/).
        self.site_dir = labels[1] if len(labels) > 2 and labels[0] == "www" else labels[0]
        self.column_dir = f"c{100_000 + stable_number(self.channel, 900_000)}"

    @property
    def api_path(self) -> str:
        return f"{self.prefix}/common/search/{self.channel}"

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.api_path: GET, self.prefix + self.entry_path: GET}

    def answer(self, call: Call) -> Reply | None:
        page = as_int(call.query.get("page"), 1)
        size = as_int(call.query.get("_pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        if call.query.get("_isJson") != "true":
            return self.cached(("html", page, size), lambda: self._html(page, size)).reply()
        return self.cached(("json", page, size), lambda: self._json(page, size)).reply()

    def _json(self, page: int, size: int) -> RenderedPage:
        results = [self._record(doc) for doc in page_slice(self.docs, page - 1, size)]
        payload = {
            "data": {"total": len(self.docs), "page": page, "rows": size, "results": results}
        }
        return json_page(payload, self.newest_modified())

    def _record(self, doc: Doc) -> dict[str, Any]:
        metas = [
            {"key": "refno", "value": doc.doc_number or ""},
            {"key": "source", "value": doc.publisher},
            {"key": "pubdate", "value": f"{doc.published:%Y-%m-%d}"},
            {"key": "indexnumber", "value": doc.index_number or ""},
        ]
        return {
            "title": doc.title,
            "url": doc.href,
            "publishedTimeStr": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "content": doc.text,
            "contentHtml": doc.body_html,
            "domainMetaList": [{"resultList": metas}],
        }

    def _html(self, page: int, size: int) -> RenderedPage:
        items = link_items(page_slice(self.docs, page - 1, size), ITEM)
        layout = '<div class="search-list"><ul>\n{items}</ul></div>\n'
        return self.listing(layout, head=self.list_head(column_meta=False), items=items)

    def place(self, doc: Doc, number: int) -> None:
        path = f"/{self.site_dir}/{self.column_dir}/{doc.published:%Y%m}/c00_{number}.shtml"
        self.put(doc, str(number), path, "url")

    def render(self, doc: Doc, path: str) -> RenderedPage:
        number = when_given("<p>文号：{}</p>\n", doc.doc_number)
        return self.article_page(doc, ARTICLE, number=number)
