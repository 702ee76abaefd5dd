"""TRS WCM static columns of registry sources: index.html, index_1.html … and t-date articles."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from replica.families.base import GET, Column, Context, page_count, page_slice
from replica.families.call import Call
from replica.families.markup import (
    article_metas,
    attr,
    gov_head,
    html_page,
    text,
    xxgk_table,
)
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

PAGE_SIZE = 15
REPORT_PAGE_SIZE = 5  # a report column holds one document a year; small pages still page


class TrsStatic(Column):
    family = "trs_static"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        path = self.entry_path
        self.directory = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        file_name = path[len(self.directory) :] or "index.html"
        stem, dot, ext = file_name.partition(".")
        self.stem, self.ext = (stem, ext) if dot else ("index", "html")
        self._page_file = re.compile(rf"{re.escape(self.stem)}(?:_([1-9][0-9]*))?\.{self.ext}")

    @property
    def page_size(self) -> int:
        return REPORT_PAGE_SIZE if self.is_report else PAGE_SIZE

    def page_size_hint(self) -> int:
        return self.page_size

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: GET}

    def dir_routes(self) -> tuple[str, ...]:
        return (self.prefix + self.directory,)

    def matches(self, call: Call) -> bool:
        return self._page_index(call.path) is not None

    def _page_index(self, path: str) -> int | None:
        if path in (self.prefix + self.entry_path, self.prefix + self.directory):
            return 0
        match = self._page_file.fullmatch(path.rsplit("/", 1)[1])
        return None if match is None else int(match.group(1) or 0)

    def answer(self, call: Call) -> Reply | None:
        index = self._page_index(call.path)
        docs = self.docs
        total = page_count(len(docs), self.page_size)
        if index is None or index >= total:
            return None
        return self.cached(index, lambda: self._list_page(index, total)).reply()

    def _list_page(self, index: int, total: int) -> RenderedPage:
        items = "".join(
            f'<li><a href="{attr(doc.href)}" target="_blank" title="{attr(doc.title)}">'
            f"{text(doc.title)}</a>"
            f'<span class="date">{doc.published:%Y-%m-%d}</span></li>\n'
            for doc in page_slice(self.docs, index, self.page_size)
        )
        html = (
            gov_head(
                f"{self.column_name}_{self.site_name}",
                (("SiteName", self.site_name), ("ColumnName", self.column_name)),
            )
            + f'<div class="header"><div class="logo">{text(self.site_name)}</div></div>\n'
            f'<div class="main"><div class="crumb">当前位置：首页 &gt; {text(self.column_name)}'
            f'</div>\n<ul class="list">\n{items}</ul>\n'
            f'<div class="page"><script>createPageHTML({total}, {index}, "{self.stem}", '
            f'"{self.ext}");</script></div>\n</div>\n' + _footer(self.site_name)
        )
        return html_page(html, self.newest_modified())

    def place(self, doc: Doc, number: int) -> None:
        tail = f"{doc.published:%Y%m}/t{doc.published:%Y%m%d}_{number}.html"
        doc.site_id = str(number)
        doc.href = f"./{tail}"
        doc.url_path = self.prefix + self.directory + tail
        doc.paths = (doc.url_path,)
        doc.real_url = f"{self.scheme}://{self.host}{self.directory}{tail}"

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
        table = (
            xxgk_table(
                doc.index_number, doc.topic, doc.publisher, doc.title, doc.doc_number, doc.published
            )
            if doc.doc_number
            else ""
        )
        html = (
            gov_head(f"{doc.title}_{self.site_name}", metas)
            + f'<div class="header"><div class="logo">{text(self.site_name)}</div></div>\n'
            f'<div class="main">\n<h1 class="title">{text(doc.title)}</h1>\n'
            f'<div class="info">发布时间：{doc.published:%Y-%m-%d} 来源：{text(doc.publisher)}'
            f"</div>\n{table}"
            f'<div class="TRS_Editor">\n{doc.body_html}</div>\n</div>\n' + _footer(self.site_name)
        )
        return html_page(html, doc.last_modified)


def _footer(site_name: str) -> str:
    return f'<div class="footer"><p>版权所有：{text(site_name)}</p></div>\n</body></html>\n'
