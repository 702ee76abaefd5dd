"""Sites of no known family: plain lists of dated links with a 下一页 link.

Detail pages carry neither government metas nor any known body container, so a crawler has
to fall back on its generic extraction; only some of them print a 发布时间 line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from replica.families.base import Column, Context, as_int, link_items, page_slice
from replica.families.call import Call
from replica.families.markup import attr, plain_head, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

PAGE_SIZE = 10
REPORT_PAGE_SIZE = 5
PAGE_PARAMETER = "page"  # 1-based, as such sites count
TOP = '<div class="top">{site}</div>\n'
BOTTOM = '<div class="bottom">主办单位：{site}</div>\n'
ITEM = (
    '<li><a href="{href}" target="_blank">{title}</a>'
    '<span class="time">{published:%Y-%m-%d}</span></li>\n'
)
LIST_PAGE = (
    TOP + '<div class="list_box"><h3>{column}</h3>\n<ul>\n{items}</ul>\n'
    '<div class="fy">{pager}</div></div>\n' + BOTTOM
)
ARTICLE = (
    TOP + '<div class="wz_box">\n<h2 class="wz_title">{title}</h2>\n'
    '<div class="wz_info">{info}</div>\n'
    '<div class="wz_text">\n{body}</div>\n</div>\n' + BOTTOM
)


class GenericList(Column):
    family = "generic_list"
    default_page_size = PAGE_SIZE
    report_page_size = REPORT_PAGE_SIZE

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.file_name = self.entry_path[len(self.directory) :]
        self.next_text = self.option("next_text", "下一页")

    def matches(self, call: Call) -> bool:
        # Sources sharing a list script are told apart by the entry URL's own parameters.
        return all(
            call.query.get(name) == value
            for name, value in self.entry_query.items()
            if name != PAGE_PARAMETER
        )

    def answer(self, call: Call) -> Reply | None:
        index = as_int(call.query.get(PAGE_PARAMETER, "1"), 1) - 1
        return self.list_answer(index, self.page_size, self._list_page)

    def _page_href(self, index: int) -> str:
        query = dict(self.entry_query)
        if index:
            query[PAGE_PARAMETER] = str(index + 1)
        else:
            query.pop(PAGE_PARAMETER, None)
        if query:
            return "?" + urlencode(query)
        return self.file_name or "./"

    def _list_page(self, index: int, total: int) -> RenderedPage:
        items = link_items(page_slice(self.docs, index, self.page_size), ITEM)
        pager = [f"<span>共{len(self.docs)}条 第{index + 1}/{total}页</span>"]
        pager.append(f'<a href="{attr(self._page_href(0))}">首页</a>')
        if index:
            pager.append(f'<a href="{attr(self._page_href(index - 1))}">上一页</a>')
        if index + 1 < total:
            pager.append(f'<a href="{attr(self._page_href(index + 1))}">{text(self.next_text)}</a>')
        else:
            pager.append(f'<span class="disabled">{text(self.next_text)}</span>')
        pager.append(f'<a href="{attr(self._page_href(total - 1))}">尾页</a>')
        head = plain_head(f"{self.column_name}-{self.site_name}")
        return self.listing(LIST_PAGE, head=head, items=items, pager=" ".join(pager))

    def place(self, doc: Doc, number: int) -> None:
        tail = f"{doc.published:%Y%m}/{number}.html"
        self.put(doc, str(number), self.directory + tail, "relative")

    def render(self, doc: Doc, path: str) -> RenderedPage:
        day = doc.published
        # Three spellings of the date line; the crawler must cope with each (and with none).
        style = int(doc.site_id) % 3
        if style == 0:
            info = f"发布时间：{day.year}年{day.month}月{day.day}日"
        elif style == 1:
            info = f"日期：{day:%Y-%m-%d}　来源：{text(doc.publisher)}"
        else:
            info = f"{day:%Y-%m-%d %H:%M}　{text(doc.publisher)}"
        return self.article_page(doc, ARTICLE, metas=False, info=info)
