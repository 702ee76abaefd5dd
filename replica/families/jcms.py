"""浙江 JCMS api-gateway: column lists rendered server-side into JSON {success, data: {html}}.

The HTML fragment ends with a pagination div whose attributes (count, rows, pageNo) are the
only paging information; articles are /art/ pages with the body in div#zoom.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from replica.families.base import GET, Column, Context, as_int, link_items, page_slice
from replica.families.call import Call
from replica.families.hanweb_jpage import ITEM, art_path
from replica.families.markup import attr, json_page, when_given
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
DEFAULT_ROWS = 15
MAX_ROWS = 100
COLUMN_PAGE = '<div id="{tag}">{fragment}</div>\n'
ARTICLE = (
    '<div class="main">\n<div class="title">{title}</div>\n'
    '<div class="info">发布日期：{published:%Y-%m-%d} 来源：{publisher}</div>\n{number}'
    '<div id="zoom">\n{body}</div>\n</div>\n'
)


class Jcms(Column):
    family = "jcms"
    default_page_size = DEFAULT_ROWS
    page_size_option = "rows"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.web_id = self.option("webId")
        self.page_id = self.option("pageId")
        self.tag_id = self.option("tagId", "当前栏目_list")

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
        items = link_items(page_slice(self.docs, page - 1, rows), ITEM + "\n")
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
        head = self.list_head(column_meta=False)
        fragment = self._fragment(1, DEFAULT_ROWS)
        return self.listing(COLUMN_PAGE, head=head, tag=attr(self.tag_id), fragment=fragment)

    def place(self, doc: Doc, number: int) -> None:
        self.put(doc, str(number), art_path(doc, self.page_id, number))

    def render(self, doc: Doc, path: str) -> RenderedPage:
        number = when_given('<div class="wh">文号：{}</div>\n', doc.doc_number)
        return self.article_page(doc, ARTICLE, number=number)
