"""浙江 JCMS api-gateway: column lists rendered server-side into JSON {success, data: {html}}.

The HTML fragment ends with a pagination div whose attributes (count, rows, pageNo) are the
only paging information; articles are /art/ pages with the body in div#zoom.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from replica.families.base import GET, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import article_metas, attr, gov_head, html_page, json_page, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DEFAULT_ROWS = 15
MAX_ROWS = 100


class Jcms(Column):
    family = "jcms"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.web_id = self.option("webId")
        self.page_id = self.option("pageId")
        self.tag_id = self.option("tagId", "当前栏目_list")

    def page_size_hint(self) -> int:
        return self.int_option("rows", DEFAULT_ROWS)

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + API_PATH: GET, self.prefix + self.entry_path: GET}

    def matches(self, call: Call) -> bool:
        if call.path != self.prefix + API_PATH:
            return True
        return call.query.get("webId") == self.web_id and call.query.get("pageId") == self.page_id

    def answer(self, call: Call) -> Reply | None:
        if call.path != self.prefix + API_PATH:
            # The column page a person opens: the same fragment, rendered into the page.
            return self.cached("column", self._column_page).reply()
        page = as_int(call.query.get("pageNo"), 1)
        rows = as_int(call.query.get("rows"), DEFAULT_ROWS, high=MAX_ROWS)
        return self.cached((page, rows), lambda: self._api(page, rows)).reply()

    def miss(self, call: Call) -> Reply | None:
        rows = as_int(call.query.get("rows"), DEFAULT_ROWS, high=MAX_ROWS)
        fragment = f'<div class="pagination" count="0" rows="{rows}" pageNo="1"></div>'
        return json_page({"success": True, "data": {"html": fragment}}).reply()

    def _fragment(self, page: int, rows: int) -> str:
        items = "".join(
            f'<li><a href="{attr(doc.href)}" title="{attr(doc.title)}" target="_blank">'
            f"{text(doc.title)}</a><span>{doc.published:%Y-%m-%d}</span></li>\n"
            for doc in page_slice(self.docs, page - 1, rows)
        )
        query = f"{{'webId':'{self.web_id}','pageId':'{self.page_id}','tagId':'{self.tag_id}'}}"
        return (
            f'<ul class="list">\n{items}</ul>\n'
            f'<div class="pagination" count="{len(self.docs)}" rows="{rows}" pageNo="{page}" '
            f'queryData="{attr(query)}"></div>'
        )

    def _api(self, page: int, rows: int) -> RenderedPage:
        payload = {"success": True, "data": {"html": self._fragment(page, rows)}}
        return json_page(payload, self.newest_modified())

    def _column_page(self) -> RenderedPage:
        html = (
            gov_head(f"{self.column_name}_{self.site_name}", (("SiteName", self.site_name),))
            + f'<div id="{attr(self.tag_id)}">{self._fragment(1, DEFAULT_ROWS)}</div>\n'
            "</body></html>\n"
        )
        return html_page(html, self.newest_modified())

    def place(self, doc: Doc, number: int) -> None:
        day = doc.published
        path = f"/art/{day.year}/{day.month}/{day.day}/art_{self.page_id}_{number}.html"
        doc.site_id = str(number)
        doc.href = path
        doc.url_path = self.prefix + path
        doc.paths = (doc.url_path,)
        doc.real_url = f"{self.scheme}://{self.host}{path}"

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
        number = f'<div class="wh">文号：{text(doc.doc_number)}</div>\n' if doc.doc_number else ""
        html = (
            gov_head(f"{doc.title}_{self.site_name}", metas)
            + f'<div class="main">\n<div class="title">{text(doc.title)}</div>\n'
            f'<div class="info">发布日期：{doc.published:%Y-%m-%d} 来源：{text(doc.publisher)}'
            f"</div>\n{number}"
            f'<div id="zoom">\n{doc.body_html}</div>\n</div>\n</body></html>\n'
        )
        return html_page(html, doc.last_modified)
