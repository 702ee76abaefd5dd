"""JEECMS trading platforms' ``queryContent_{N}-jyxx.jspx`` search form (山西, 天津).

As public crawlers of 2021–2026 saw them: page N of a channel is ``queryContent_{N}-jyxx.jspx``
(the first also ``queryContent-jyxx.jspx``) with ``channelId``, ``inDates``, ``title`` … as a
form POST (山西) or a query (天津); rows link ``http://{host}:80/{column}/{id}.jhtml`` whatever
was asked. Two skins: 山西's ``a.cs_two_c_2`` rows (``p.cs_bz_cont`` title, ``span.
cs_bz_cont_1_time`` date) and a laypage script with ``,count: N``; 天津's ``div.article-list3-t``
rows whose link sits in a ``url`` attribute and opens only at its id encrypted by the site's
script (sources with option ``link_key``), with ``1/N页`` in ``div.page-list``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from replica.families.base import GET_POST, Column, Context, page_slice
from replica.families.call import Call
from replica.families.markup import attr, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply
from spiders.adapters.sites.jeecms_query import encrypted_id

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 10
COLUMN = "jyxxgcgg"  # 工程建设 招标公告, the content column the rows link into
_PAGE = re.compile(r"queryContent(?:_([1-9][0-9]*))?-(\w+)\.jspx")
SHANXI_PAGE = (
    '<div class="cs_two"><div class="cs_two_content">\n{rows}</div>\n'
    '<div id="page"></div>\n<script>layui.use("laypage", function () {{ laypage.render('
    "{{elem: 'page',count: {count},limit: {size},curr: {number},jump: goPage}}); }});</script>"
    "\n</div>\n"
)
SHANXI_ROW = (
    '<a href="http://{host}:80{path}" class="cs_two_c_2" target="_blank">'
    '<p class="cs_bz_cont">{title}</p><p class="cs_bz_cont_1"><span>交易场所：{region}</span>'
    '<span class="cs_bz_cont_1_time">{published:%Y/%m/%d}</span></p></a>\n'
)
TIANJIN_PAGE = (
    '<div class="article-content"><ul class="article-list2">\n{rows}</ul>\n'
    '<div class="page-list"><ul><li><a href="javascript:void(0)">{number}/{total}页</a></li>'
    "</ul></div></div>\n"
)
TIANJIN_ROW = (
    '<li><div class="article-list3-t"><a href="javascript:void(0)" '
    'url="http://{host}:80{path}" target="_blank">{title}</a>'
    '<div class="list-times">{published:%Y-%m-%d}</div></div></li>\n'
)
NOTICE_PAGE = (
    '<div class="content"><div class="content-title">{title}</div>\n'
    '<p class="content-info">发布日期：{published:%Y-%m-%d}    发布来源：{publisher}</p>\n'
    '<div class="content-article" id="content">\n{body}</div></div>\n'
)


class JeecmsQuery(Column):
    family = "jeecms_query"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.method = self.option("method", "POST")
        self.key = self.option("link_key")
        found = _PAGE.search(self.entry_path)
        self.action = found.group(2) if found else "jyxx"

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: GET_POST}

    def dir_routes(self) -> tuple[str, ...]:
        return (self.prefix + self.directory,)

    def page_index(self, path: str) -> int | None:
        if path == self.prefix + self.entry_path:
            return 0
        found = _PAGE.fullmatch(path.rsplit("/", 1)[1])
        if found is None or found.group(2) != self.action:
            return None
        return int(found.group(1) or 1) - 1

    def check(self, call: Call) -> Reply | None:
        if self.page_index(call.path) is None:
            return None
        return None if call.method in GET_POST else super().check(call)

    def matches(self, call: Call) -> bool:
        if self.page_index(call.path) is None:
            return False
        fields = call.form() if call.method == "POST" else dict(call.query)
        return fields.get("channelId", "") == self.option("channelId")

    def answer(self, call: Call) -> Reply | None:
        return self.list_answer(self.page_index(call.path), self.page_size, self.list_page)

    def list_page(self, index: int, total: int) -> RenderedPage:
        docs = page_slice(self.docs, index, self.page_size)
        row = TIANJIN_ROW if self.key else SHANXI_ROW
        rows = "".join(
            row.format(
                host=self.host,
                path=attr(f"/{COLUMN}/{doc.site_id}.jhtml"),
                title=text(doc.title),
                region=text(doc.region),
                published=doc.published,
            )
            for doc in docs
        )
        if self.key:
            return self.listing(TIANJIN_PAGE, rows=rows, number=str(index + 1), total=str(total))
        return self.listing(
            SHANXI_PAGE,
            rows=rows,
            count=str(len(self.docs)),
            size=str(self.page_size),
            number=str(index + 1),
        )

    def place(self, doc: Doc, number: int) -> None:
        name = encrypted_id(str(number), self.key) if self.key else str(number)
        self.put(doc, str(number), f"/{COLUMN}/{name}.jhtml")

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self.article_page(doc, NOTICE_PAGE, metas=False)
