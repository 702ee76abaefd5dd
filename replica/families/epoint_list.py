"""新点 (Epoint) static column pages: ``1.html``, ``2.html`` … in the column's folder.

As public crawlers of 2017–2025 read them (江西 ccgp-jiangxi and jxsggzy, 陕西 sxggzyjy and its
cities, 德州, 山东): the entry (``1.html``, ``subPage.html``, ``moreinfo.html`` …) is the first
page and ``{n}.html`` the n-th; rows are ``li.ewb-list-node`` with ``a.ewb-list-name`` (title
attribute) and ``span.ewb-list-date``; the pager shows ``<span id="index">1/N</span>``. A page
past the last is a 404. Notices live below the column's folder at ``{YYYYMMDD}/{uuid}.html``.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping

from replica.families.base import GET, Column, link_items, page_count, page_slice
from replica.families.call import Call
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

_NUMBERED = re.compile(r"([1-9][0-9]*)\.html")
LIST_PAGE = (
    '<div class="ewb-container"><div class="ewb-location">当前位置：首页 &gt; 交易信息 &gt; '
    "{column}</div>\n"
    '<div class="ewb-infolist"><ul class="ewb-list">\n{rows}</ul></div>\n'
    '<div class="ewb-page"><ul><li><a href="{first}">首页</a></li>{previous}{following}'
    '<li><span id="index">{number}/{total}</span></li></ul></div>\n</div>\n'
)
ROW = (
    '<li class="ewb-list-node clearfix"><a href="{href}" title="{title_attr}" '
    'target="_blank" class="ewb-list-name">{title}</a>'
    '<span class="ewb-list-date">{published:%Y-%m-%d}</span></li>\n'
)
NOTICE_PAGE = (
    '<div class="ewb-container"><div class="ewb-article">\n'
    '<h3 class="ewb-article-tt">{title}</h3>\n'
    '<div class="ewb-article-sources">【信息时间：{published:%Y-%m-%d}】'
    "【来源：{publisher}】</div>\n"
    '<div class="ewb-article-info con">\n{body}</div>\n</div></div>\n'
)


class EpointList(Column):
    family = "epoint_list"
    default_page_size = 20

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: GET}

    def dir_routes(self) -> tuple[str, ...]:
        return (self.prefix + self.directory,)

    def page_index(self, path: str) -> int | None:
        if path in (self.prefix + self.entry_path, self.prefix + self.directory):
            return 0
        match = _NUMBERED.fullmatch(path.rsplit("/", 1)[1])
        return None if match is None else int(match.group(1)) - 1

    def matches(self, call: Call) -> bool:
        return self.page_index(call.path) is not None

    def answer(self, call: Call) -> Reply | None:
        return self.list_answer(self.page_index(call.path), self.page_size, self.list_page)

    def list_page(self, index: int, total: int) -> RenderedPage:
        rows = link_items(page_slice(self.docs, index, self.page_size), ROW)
        previous = f'<li><a href="{index}.html">上页</a></li>' if index > 0 else ""
        following = f'<li><a href="{index + 2}.html">下页</a></li>' if index + 1 < total else ""
        return self.listing(
            LIST_PAGE,
            rows=rows,
            first=self.entry_path.rsplit("/", 1)[1],
            previous=previous,
            following=following,
            number=str(index + 1),
            total=str(page_count(len(self.docs), self.page_size)),
        )

    def place(self, doc: Doc, number: int) -> None:
        guid = str(uuid.UUID(int=random.Random(f"{self.source.id}/{number}").getrandbits(128)))
        self.put(doc, guid, f"{self.directory}{doc.published:%Y%m%d}/{guid}.html")

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self.article_page(doc, NOTICE_PAGE, metas=False)
