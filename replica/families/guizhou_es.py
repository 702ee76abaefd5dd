"""贵州省公共资源交易网: the ``/tradeInfo/es/list`` search API and its two notice pages.

As public code of 2023–2026 saw it: ``POST /tradeInfo/es/list`` takes a JSON body
(``channelId``, ``pageNum``, ``pageSize``, optional ``announcement`` / ``docSourceName``,
``startTime`` / ``endTime`` as ``YYYY-MM-DD HH:MM:SS``, ``docTitle``) and answers
``{"total": N, "list": [...]}``, newest first, ``docRelTime`` in epoch milliseconds. A
notice's page is ``/tradeInfo/detailHtml?metaId=…``: for a trading notice (a row with a
``tenderProjectCode``) a shell whose script asks ``/tradeInfo/detailHtmlData?code=…&type=…``
(JSON ``{"code": 1, "message": "成功", "data": [{docTitle, docRelTime, docSourceName,
docHtmlCon, metaDataId}]}``), for the others the whole notice (``div.steps``, ``h3``,
``.fbrq``, ``#ly``, ``div.view_con#Zoom``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from replica.documents import beijing_to_utc
from replica.families.base import GET, POST, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import html_page, json_error, json_page, plain_head, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
NOTICE_PATH = "/tradeInfo/detailHtml"
DATA_PATH = "/tradeInfo/detailHtmlData"
SHELL = (
    '<div class="steps"><h3 id="title"></h3><div id="content"></div></div>\n'
    "<script>detailList({stage}); function detailList(type) {{ $.ajax({{ url: "
    '"/tradeInfo/detailHtmlData", data: {{ code: {code}, type: type }} }}); }}</script>\n'
    "</body></html>\n"
)
WHOLE = (
    '<div class="steps"><h3>{title}</h3>\n<p><span class="fbrq">{published:%Y-%m-%d %H:%M}'
    '</span> 来源：<span id="ly">{source}</span></p>\n'
    '<div class="view_con" id="Zoom">{body}</div></div>\n'
)


class GuizhouEs(Column):
    family = "guizhou_es"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.channel = self.option("channelId")
        self.stage = self.option("announcement", "交易公告")
        self._by_meta: dict[str, Doc] = {}
        self._by_code: dict[str, Doc] = {}

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {
            self.prefix + self.entry_path: POST,
            self.prefix + NOTICE_PATH: GET,
            self.prefix + DATA_PATH: GET,
        }

    def check(self, call: Call) -> Reply | None:
        if call.path != self.prefix + self.entry_path:
            return super().check(call)
        if call.method != "POST":
            return json_error(405, {"code": 405, "message": "Request method not supported"})
        if call.json_object() is None:
            return json_error(400, {"code": 400, "message": "Required request body is missing"})
        return None

    def matches(self, call: Call) -> bool:
        if call.path == self.prefix + NOTICE_PATH:
            return call.query.get("metaId", "") in self._by_meta
        if call.path == self.prefix + DATA_PATH:
            return call.query.get("code", "") in self._by_code
        body = call.json_object() or {}
        stage = body.get("announcement")
        return str(body.get("channelId", "")) == self.channel and stage in (None, "", self.stage)

    def answer(self, call: Call) -> Reply | None:
        if call.path == self.prefix + NOTICE_PATH:
            doc = self._by_meta[call.query["metaId"]]
            return self.render(doc, NOTICE_PATH).reply()
        if call.path == self.prefix + DATA_PATH:
            return self.render(self._by_code[call.query["code"]], DATA_PATH).reply()
        body = call.json_object() or {}
        first, last = _moment(body.get("startTime")), _moment(body.get("endTime"))
        page = as_int(body.get("pageNum"), 1)
        size = as_int(body.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        key = (first, last, page, size)
        return self.cached(key, lambda: self._list(first, last, page, size)).reply()

    def miss(self, call: Call) -> Reply | None:
        if call.path == self.prefix + DATA_PATH:
            return json_page({"code": 1, "message": "成功", "data": []}).reply()
        if call.path == self.prefix + self.entry_path:
            return json_page({"total": 0, "list": []}).reply()
        return None

    def _list(
        self, first: datetime | None, last: datetime | None, page: int, size: int
    ) -> RenderedPage:
        chosen = [
            doc
            for doc in self.docs
            if (first is None or doc.published >= first) and (last is None or doc.published <= last)
        ]
        rows = [self._row(doc) for doc in page_slice(chosen, page - 1, size)]
        return json_page({"total": len(chosen), "list": rows}, self.newest_modified())

    def _row(self, doc: Doc) -> dict[str, Any]:
        return {
            "id": doc.site_id,
            "metaDataId": doc.site_id,
            "docTitle": doc.title,
            "docRelTime": int(beijing_to_utc(doc.published).timestamp()) * 1000,
            "docSourceName": doc.region,
            "announcement": self.stage,
            "channelId": self.channel,
            "tenderProjectCode": doc.extra.get("code"),
            "apiUrl": doc.real_url,
        }

    def place(self, doc: Doc, number: int) -> None:
        doc.site_id = str(number)
        doc.href = f"{NOTICE_PATH}?metaId={number}"
        doc.real_url = f"{self.scheme}://{self.host}{doc.href}"
        doc.url_path = f"{self.prefix}{doc.href}"
        if number % 3:  # most are trading notices with a project code; the others are whole
            code = f"P52{number:014d}"
            doc.extra["code"] = code
            self._by_code[code] = doc
            doc.url_path = f"{self.prefix}{DATA_PATH}?code={code}&type={quote(self.stage)}"
        doc.paths = ()  # served through the two routes, keyed by metaId and code
        self._by_meta[doc.site_id] = doc

    def render(self, doc: Doc, path: str) -> RenderedPage:
        code = doc.extra.get("code")
        if path.endswith(DATA_PATH) and code:
            notice = {
                "metaDataId": doc.site_id,
                "docTitle": doc.title,
                "docRelTime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
                "docSourceName": doc.region,
                "docHtmlCon": doc.body_html,
            }
            return json_page({"code": 1, "message": "成功", "data": [notice]}, doc.last_modified)
        if code:
            shell = SHELL.format(stage=_js(self.stage), code=_js(code))
            return html_page(plain_head(doc.title) + shell, doc.last_modified)
        return self.article_page(doc, WHOLE, metas=False, source=text(doc.region))


def _moment(value: object) -> datetime | None:
    try:
        return datetime.strptime(str(value or "").strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _js(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
