"""江西 government sites' ``POST /queryList`` JSON (江西省工业和信息化厅 …).

As public crawlers of 2025–2026 saw it: a form POST (``current``, ``pageSize``,
``webSiteCode[]``, ``channelCode[]``, ``sort``, ``order``) answers ``{"data": {"results":
[{"source": {"title", "showTitle", "pubDate", "metadata": "<JSON string>", "content":
{"content": "<html>"}, "urls": "{\\"pc\\": \\"/{site}/{channel}/…html\\"}"}}]}}``, newest first.
Whether the answer counts its rows is not seen in public code: this imitation sends no total,
and an empty ``results`` past the last page. Documents are static pages with ``div#zoomcon``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from replica.families.base import POST, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import json_error, json_page
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 15
ARTICLE = (
    '<div class="article"><h1 class="article-title">{title}</h1>\n'
    '<div class="article-info">发布时间：{published:%Y-%m-%d}  来源：{publisher}</div>\n'
    '<div id="zoomcon">\n{body}</div></div>\n'
)


class JiangxiQueryList(Column):
    family = "jiangxi_querylist"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.site = self.option("webSiteCode")
        self.channel = self.option("channelCode")

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: POST}

    def check(self, call: Call) -> Reply | None:
        if call.path == self.prefix + self.entry_path and call.method != "POST":
            return json_error(405, {"code": 405, "message": "Request method 'GET' not supported"})
        return super().check(call)

    def matches(self, call: Call) -> bool:
        form = call.form()
        return (form.get("webSiteCode[]"), form.get("channelCode[]")) == (self.site, self.channel)

    def miss(self, call: Call) -> Reply | None:
        return json_page({"code": 200, "data": {"results": []}}).reply()

    def answer(self, call: Call) -> Reply | None:
        form = call.form()
        page = as_int(form.get("current"), 1)
        size = as_int(form.get("pageSize"), DEFAULT_PAGE_SIZE, high=100)
        return self.cached((page, size), lambda: self._list(page, size)).reply()

    def _list(self, page: int, size: int) -> RenderedPage:
        results = [{"source": self._record(doc)} for doc in page_slice(self.docs, page - 1, size)]
        return json_page({"code": 200, "data": {"results": results}}, self.newest_modified())

    def _record(self, doc: Doc) -> dict[str, Any]:
        return {
            "id": doc.site_id,
            "title": doc.title,
            "showTitle": doc.title,
            "pubDate": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "metadata": json.dumps({"author": doc.publisher}, ensure_ascii=False),
            "content": {"content": doc.body_html},
            "urls": json.dumps({"pc": doc.href}),
        }

    def place(self, doc: Doc, number: int) -> None:
        path = f"/{self.site}/{self.channel}/art/{doc.published:%Y/%m/%d}/art_{number}.html"
        self.put(doc, str(number), path)

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self.article_page(doc, ARTICLE)
