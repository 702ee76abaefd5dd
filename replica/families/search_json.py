"""Portals' `/common/search/{channel}` API (黑龙江, 甘肃 …): whole documents inside the JSON.

Each record carries the document's text (content and contentHtml) and its metadata, so a
crawler needs no detail page; the record's url is served as an HTML page all the same.
Without `_isJson=true` the endpoint answers with its HTML search template instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from replica.families.base import GET, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import article_metas, attr, gov_head, html_page, json_page, text
from replica.families.model import Doc
from replica.families.naming import stable_number
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 15
MAX_PAGE_SIZE = 100


class SearchJson(Column):
    family = "search_json"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.channel = self.option("channel")
        labels = self.host.split(".")
        # Article paths start with the site's short name (www.hlj.gov.cn → /hlj/).
        self.site_dir = labels[1] if len(labels) > 2 and labels[0] == "www" else labels[0]
        self.column_dir = f"c{100_000 + stable_number(self.channel, 900_000)}"

    def page_size_hint(self) -> int:
        return self.int_option("pageSize", DEFAULT_PAGE_SIZE)

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
        items = "".join(
            f'<li><a href="{attr(doc.href)}" target="_blank">{text(doc.title)}</a>'
            f"<span>{doc.published:%Y-%m-%d}</span></li>\n"
            for doc in page_slice(self.docs, page - 1, size)
        )
        html = (
            gov_head(f"{self.column_name}_{self.site_name}", (("SiteName", self.site_name),))
            + f'<div class="search-list"><ul>\n{items}</ul></div>\n</body></html>\n'
        )
        return html_page(html, self.newest_modified())

    def place(self, doc: Doc, number: int) -> None:
        path = f"/{self.site_dir}/{self.column_dir}/{doc.published:%Y%m}/c00_{number}.shtml"
        doc.site_id = str(number)
        doc.href = f"{self.scheme}://{self.host}{path}"
        doc.url_path = self.prefix + path
        doc.paths = (doc.url_path,)
        doc.real_url = doc.href

    def render(self, doc: Doc, path: str) -> RenderedPage:
        metas = article_metas(
            self.site_name,
            self.host,
            self.site_code,
            self.column_name,
            doc.title,
            doc.published,
            doc.publisher,
        )
        number = f"<p>文号：{text(doc.doc_number)}</p>\n" if doc.doc_number else ""
        html = (
            gov_head(f"{doc.title}_{self.site_name}", metas)
            + f'<div class="main">\n<h1 class="title">{text(doc.title)}</h1>\n'
            f'<div class="info">发布时间：{doc.published:%Y-%m-%d} 来源：{text(doc.publisher)}'
            f"</div>\n{number}"
            f'<div id="zoom">\n{doc.body_html}</div>\n</div>\n</body></html>\n'
        )
        return html_page(html, doc.last_modified)
