"""Sites of no known family: plain lists of dated links with a 下一页 link.

Detail pages carry neither government metas nor any known body container, so a crawler has
to fall back on its generic extraction; only some of them print a 发布时间 line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from replica.families.base import GET, Column, Context, as_int, page_count, page_slice
from replica.families.call import Call
from replica.families.markup import attr, html_page, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

PAGE_SIZE = 10
REPORT_PAGE_SIZE = 5
PAGE_PARAMETER = "page"  # 1-based, as such sites count


class GenericList(Column):
    family = "generic_list"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        path = self.entry_path
        self.directory = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        self.file_name = path[len(self.directory) :]
        self.next_text = self.option("next_text", "下一页")

    @property
    def page_size(self) -> int:
        return REPORT_PAGE_SIZE if self.is_report else PAGE_SIZE

    def page_size_hint(self) -> int:
        return self.page_size

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: GET}

    def matches(self, call: Call) -> bool:
        # Sources sharing a list script are told apart by the entry URL's own parameters.
        return all(
            call.query.get(name) == value
            for name, value in self.entry_query.items()
            if name != PAGE_PARAMETER
        )

    def answer(self, call: Call) -> Reply | None:
        index = as_int(call.query.get(PAGE_PARAMETER, "1"), 1) - 1
        total = page_count(len(self.docs), self.page_size)
        if index >= total:
            return None
        return self.cached(index, lambda: self._list_page(index, total)).reply()

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
        items = "".join(
            f'<li><a href="{attr(doc.href)}" target="_blank">{text(doc.title)}</a>'
            f'<span class="time">{doc.published:%Y-%m-%d}</span></li>\n'
            for doc in page_slice(self.docs, index, self.page_size)
        )
        pager = [f"<span>共{len(self.docs)}条 第{index + 1}/{total}页</span>"]
        pager.append(f'<a href="{attr(self._page_href(0))}">首页</a>')
        if index:
            pager.append(f'<a href="{attr(self._page_href(index - 1))}">上一页</a>')
        if index + 1 < total:
            pager.append(f'<a href="{attr(self._page_href(index + 1))}">{text(self.next_text)}</a>')
        else:
            pager.append(f'<span class="disabled">{text(self.next_text)}</span>')
        pager.append(f'<a href="{attr(self._page_href(total - 1))}">尾页</a>')
        html = (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{text(self.column_name)}-{text(self.site_name)}</title></head>\n<body>\n"
            f'<div class="top">{text(self.site_name)}</div>\n'
            f'<div class="list_box"><h3>{text(self.column_name)}</h3>\n<ul>\n{items}</ul>\n'
            f'<div class="fy">{" ".join(pager)}</div></div>\n'
            f'<div class="bottom">主办单位：{text(self.site_name)}</div>\n</body></html>\n'
        )
        return html_page(html, self.newest_modified())

    def place(self, doc: Doc, number: int) -> None:
        tail = f"{doc.published:%Y%m}/{number}.html"
        doc.site_id = str(number)
        doc.href = f"./{tail}"
        doc.url_path = self.prefix + self.directory + tail
        doc.paths = (doc.url_path,)
        doc.real_url = f"{self.scheme}://{self.host}{self.directory}{tail}"

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
        html = (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{text(doc.title)}</title></head>\n<body>\n"
            f'<div class="top">{text(self.site_name)}</div>\n'
            f'<div class="wz_box">\n<h2 class="wz_title">{text(doc.title)}</h2>\n'
            f'<div class="wz_info">{info}</div>\n'
            f'<div class="wz_text">\n{doc.body_html}</div>\n</div>\n'
            f'<div class="bottom">主办单位：{text(self.site_name)}</div>\n</body></html>\n'
        )
        return html_page(html, doc.last_modified)
