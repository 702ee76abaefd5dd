"""大汉 Hanweb jpage columns: records in a <datastore> on the column page and from dataproxy.jsp.

The column page embeds the first screen of records; dataproxy.jsp answers a record range
(startrecord…endrecord, three screens per request in the crawler's use) for GET and POST.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from replica.families.base import GET, GET_POST, Column, Context, as_int, link_item, page_count
from replica.families.call import Call
from replica.families.markup import attr, cdata, xml_page, xxgk_table
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
DEFAULT_PERPAGE = 15
SCREENS_PER_REQUEST = 3
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
HEADER = '<div class="header">{site}</div>\n'
FOOTER = '<div class="footer">主办：{site}</div>\n'
# A list entry of 大汉 CMSs (jpage records, JCMS lists too).
ITEM = (
    '<li><a href="{href}" title="{title_attr}" target="_blank">{title}</a>'
    "<span>{published:%Y-%m-%d}</span></li>"
)
COLUMN_PAGE = (
    HEADER + '<div class="main"><div class="bt">{column}</div>\n'
    '<ul class="RcontUl"><div id="{unitid}"><script type="text/xml">{store}</script>\n'
    "<script>{jpage}</script></div></ul>\n</div>\n" + FOOTER
)
ARTICLE = (
    HEADER + '<div class="main-txt">\n<div class="sp_title">{title}</div>\n'
    '<div class="sp_time">发布日期：{published:%Y-%m-%d} 信息来源：{publisher}</div>\n{facts}'
    '<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">\n'
    '{body}<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>\n</div>\n' + FOOTER
)


class HanwebJpage(Column):
    family = "hanweb_jpage"
    default_page_size = DEFAULT_PERPAGE
    page_size_option = "perpage"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.columnid = self.option("columnid")
        self.unitid = self.option("unitid")
        self.webid = self.option("webid", "1")
        self.webname = self.option("webname", self.site_name)
        self.proxy_path = self.option("proxy_path", DEFAULT_PROXY)

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: GET, self.prefix + self.proxy_path: GET_POST}

    def matches(self, call: Call) -> bool:
        if call.path != self.prefix + self.proxy_path:
            return True
        params = call.params()
        return params.get("columnid") == self.columnid and params.get("webid", self.webid) == (
            self.webid
        )

    def answer(self, call: Call) -> Reply | None:
        if call.path != self.prefix + self.proxy_path:
            return self.cached("column", self._column_page).reply()
        params = call.params()
        start = as_int(params.get("startrecord"), 1)
        end = as_int(params.get("endrecord"), SCREENS_PER_REQUEST * self.page_size)
        return self.cached(("proxy", start, end), lambda: self._proxy(start, end)).reply()

    def miss(self, call: Call) -> Reply | None:
        # An unknown column is answered like an empty one, as the real proxy does.
        return xml_page(XML_DECLARATION + _datastore("", 0, self.page_size, [])).reply()

    def _proxy(self, start: int, end: int) -> RenderedPage:
        records = self.docs[start - 1 : max(start - 1, end)]
        return xml_page(XML_DECLARATION + _datastore("", len(self.docs), self.page_size, records))

    def _nextgroup(self) -> str:
        query = urlencode(
            {
                "page": 1,
                "appid": 1,
                "webid": self.webid,
                "path": "/",
                "columnid": self.columnid,
                "unitid": self.unitid,
                "webname": self.webname,
                "permissiontype": 0,
            }
        )
        # Inside CDATA nothing is entity-decoded, so the ampersands stay raw as on real pages.
        return f'<a href="{self.proxy_path}?{query}"></a>'

    def _column_page(self) -> RenderedPage:
        store = _datastore(
            self._nextgroup(), len(self.docs), self.page_size, self.docs[: self.page_size]
        )
        unitid = attr(self.unitid)
        jpage = (
            "$(document).ready(function(){ $('#" + unitid + "').jpage({"
            f"dataStore: '', perPage: {self.page_size}, totalRecord:{len(self.docs)}, "
            f"proxyUrl: '{attr(self.proxy_path)}', groupSize: {SCREENS_PER_REQUEST}"
            "}); });"
        )
        return self.listing(COLUMN_PAGE, unitid=unitid, store=store, jpage=jpage)

    def place(self, doc: Doc, number: int) -> None:
        self.put(doc, str(number), art_path(doc, self.columnid, number))

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self.article_page(doc, ARTICLE, facts=xxgk_table(doc))


def art_path(doc: Doc, column: str, number: int) -> str:
    """大汉 article path (jpage and JCMS alike): /art/2024/1/5/art_{column}_{number}.html."""
    day = doc.published
    return f"/art/{day.year}/{day.month}/{day.day}/art_{column}_{number}.html"


def _datastore(nextgroup: str, total: int, perpage: int, records: Sequence[Doc]) -> str:
    rows = "".join("<record>" + cdata(link_item(doc, ITEM)) + "</record>\n" for doc in records)
    group = f"<nextgroup>{cdata(nextgroup)}</nextgroup>\n" if nextgroup else ""
    return (
        f"<datastore>\n{group}<totalrecord>{total}</totalrecord>\n"
        f"<totalpage>{page_count(total, perpage)}</totalpage>\n"
        f"<recordset>\n{rows}</recordset>\n</datastore>"
    )
