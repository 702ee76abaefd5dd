"""大汉 Hanweb jpage columns: records in a <datastore> on the column page and from dataproxy.jsp.

The column page embeds the first screen of records; dataproxy.jsp answers a record range
(startrecord…endrecord, three screens per request in the crawler's use) for GET and POST.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from replica.families.base import GET, GET_POST, Column, Context, as_int, page_count
from replica.families.call import Call
from replica.families.markup import (
    article_metas,
    attr,
    cdata,
    gov_head,
    html_page,
    text,
    xml_page,
    xxgk_table,
)
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PROXY = "/module/web/jpage/dataproxy.jsp"
DEFAULT_PERPAGE = 15
SCREENS_PER_REQUEST = 3
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


class HanwebJpage(Column):
    family = "hanweb_jpage"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.columnid = self.option("columnid")
        self.unitid = self.option("unitid")
        self.webid = self.option("webid", "1")
        self.perpage = self.int_option("perpage", DEFAULT_PERPAGE)
        self.webname = self.option("webname", self.site_name)
        self.proxy_path = self.option("proxy_path", DEFAULT_PROXY)

    def page_size_hint(self) -> int:
        return self.perpage

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
        end = as_int(params.get("endrecord"), SCREENS_PER_REQUEST * self.perpage)
        return self.cached(("proxy", start, end), lambda: self._proxy(start, end)).reply()

    def miss(self, call: Call) -> Reply | None:
        # An unknown column is answered like an empty one, as the real proxy does.
        return xml_page(XML_DECLARATION + _datastore("", 0, self.perpage, [])).reply()

    def _proxy(self, start: int, end: int) -> RenderedPage:
        records = self.docs[start - 1 : max(start - 1, end)]
        return xml_page(XML_DECLARATION + _datastore("", len(self.docs), self.perpage, records))

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
            self._nextgroup(), len(self.docs), self.perpage, self.docs[: self.perpage]
        )
        html = (
            gov_head(
                f"{self.column_name}_{self.site_name}",
                (("SiteName", self.site_name), ("ColumnName", self.column_name)),
            )
            + f'<div class="header">{text(self.site_name)}</div>\n'
            f'<div class="main"><div class="bt">{text(self.column_name)}</div>\n'
            f'<ul class="RcontUl"><div id="{attr(self.unitid)}">'
            f'<script type="text/xml">{store}</script>\n'
            "<script>$(document).ready(function(){ $('#" + attr(self.unitid) + "').jpage({"
            f"dataStore: '', perPage: {self.perpage}, totalRecord:{len(self.docs)}, "
            f"proxyUrl: '{attr(self.proxy_path)}', groupSize: {SCREENS_PER_REQUEST}"
            "}); });</script></div></ul>\n</div>\n"
            f'<div class="footer">主办：{text(self.site_name)}</div>\n</body></html>\n'
        )
        return html_page(html, self.newest_modified())

    def place(self, doc: Doc, number: int) -> None:
        day = doc.published
        path = f"/art/{day.year}/{day.month}/{day.day}/art_{self.columnid}_{number}.html"
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
        table = (
            xxgk_table(
                doc.index_number, doc.topic, doc.publisher, doc.title, doc.doc_number, doc.published
            )
            if doc.doc_number
            else ""
        )
        html = (
            gov_head(f"{doc.title}_{self.site_name}", metas)
            + f'<div class="header">{text(self.site_name)}</div>\n'
            f'<div class="main-txt">\n<div class="sp_title">{text(doc.title)}</div>\n'
            f'<div class="sp_time">发布日期：{doc.published:%Y-%m-%d} '
            f"信息来源：{text(doc.publisher)}</div>\n{table}"
            '<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">\n'
            f'{doc.body_html}<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>\n'
            f'</div>\n<div class="footer">主办：{text(self.site_name)}</div>\n</body></html>\n'
        )
        return html_page(html, doc.last_modified)


def _datastore(nextgroup: str, total: int, perpage: int, records: Sequence[Doc]) -> str:
    rows = "".join(
        "<record>"
        + cdata(
            f'<li><a href="{attr(doc.href)}" title="{attr(doc.title)}" target="_blank">'
            f"{text(doc.title)}</a><span>{doc.published:%Y-%m-%d}</span></li>"
        )
        + "</record>\n"
        for doc in records
    )
    group = f"<nextgroup>{cdata(nextgroup)}</nextgroup>\n" if nextgroup else ""
    return (
        f"<datastore>\n{group}<totalrecord>{total}</totalrecord>\n"
        f"<totalpage>{page_count(total, perpage)}</totalpage>\n"
        f"<recordset>\n{rows}</recordset>\n</datastore>"
    )
