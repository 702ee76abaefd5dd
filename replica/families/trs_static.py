"""TRS WCM static columns of registry sources: index.html, index_1.html … and t-date articles."""

from __future__ import annotations

from replica.families.base import StaticPages, link_items, page_slice
from replica.families.markup import xxgk_table
from replica.families.model import Doc
from replica.rendered import RenderedPage

PAGE_SIZE = 15
REPORT_PAGE_SIZE = 5  # a report column holds one document a year; small pages still page
HEADER = '<div class="header"><div class="logo">{site}</div></div>\n'
FOOTER = '<div class="footer"><p>版权所有：{site}</p></div>\n'
ITEM = (
    '<li><a href="{href}" target="_blank" title="{title_attr}">{title}</a>'
    '<span class="date">{published:%Y-%m-%d}</span></li>\n'
)
LIST_PAGE = (
    HEADER + '<div class="main"><div class="crumb">当前位置：首页 &gt; {column}</div>\n'
    '<ul class="list">\n{items}</ul>\n<div class="page"><script>{pager}</script></div>\n</div>\n'
    + FOOTER
)
ARTICLE = (
    HEADER + '<div class="main">\n<h1 class="title">{title}</h1>\n'
    '<div class="info">发布时间：{published:%Y-%m-%d} 来源：{publisher}</div>\n{facts}'
    '<div class="TRS_Editor">\n{body}</div>\n</div>\n' + FOOTER
)


class TrsStatic(StaticPages):
    family = "trs_static"
    default_page_size = PAGE_SIZE
    report_page_size = REPORT_PAGE_SIZE

    def page_names(self) -> tuple[str, str]:
        # Named after the entry file: index.html, index_1.html … (a directory: index.html).
        stem, dot, ext = (self.entry_path[len(self.directory) :] or "index.html").partition(".")
        return (stem, ext) if dot else ("index", "html")

    def list_page(self, index: int, total: int) -> RenderedPage:
        items = link_items(page_slice(self.docs, index, self.page_size), ITEM)
        pager = f'createPageHTML({total}, {index}, "{self.stem}", "{self.ext}");'
        return self.listing(LIST_PAGE, items=items, pager=pager)

    def place(self, doc: Doc, number: int) -> None:
        tail = f"{doc.published:%Y%m}/t{doc.published:%Y%m%d}_{number}.html"
        self.put(doc, str(number), self.directory + tail, "relative")

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self.article_page(doc, ARTICLE, facts=xxgk_table(doc))
