"""湖南省政府采购网: the ``getNoticeList4Web.do`` form POST and its two notice pages.

As public crawlers of 2019–2025 saw it: a form POST (``pType``, ``startDate``, ``endDate``,
``page``, ``pageSize`` and empty search fields) answering ``{"total": N, "rows": [...]}`` with
upper-case columns, newest first (``total`` is a guess: no crawler read it). A notice opens at
``/page/notice/notice.jsp?noticeId=`` (a page around an iframe) and its text is served by
``/mvc/viewNoticeContent.do?noticeId=…&area_id=``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from replica.documents import beijing_to_utc
from replica.families.base import GET, POST, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import json_error, json_page
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 18
MAX_PAGE_SIZE = 100
FRAME_PATH = "/page/notice/notice.jsp"
TEXT_PATH = "/mvc/viewNoticeContent.do"
# NOTICE_NAME of the generated notice types, and the 采购方式 the rows name.
NOTICE_NAMES = {
    "tender": "采购公告",
    "award": "成交公告",
    "change": "更正公告",
    "termination": "终止公告",
}
FRAME = (
    '<div class="notice_top">{site}</div>\n<div class="notice_title">{title}</div>\n'
    '<iframe id="content" src="{frame}" width="100%" height="1500" frameborder="0"></iframe>\n'
)
TEXT = (
    '<div style="text-align:center"><h2>{title}</h2>'
    "<p>发布日期：{published:%Y-%m-%d}</p></div>\n<div>{body}</div>\n"
)


class HunanForm(Column):
    family = "hunan_form"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self._by_id: dict[str, Doc] = {}

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {
            self.prefix + self.entry_path: POST,
            self.prefix + FRAME_PATH: GET,
            self.prefix + TEXT_PATH: GET,
        }

    def check(self, call: Call) -> Reply | None:
        if call.path == self.prefix + self.entry_path and call.method != "POST":
            return json_error(405, {"success": False, "msg": "Request method not supported"})
        return super().check(call)

    def matches(self, call: Call) -> bool:
        if call.path in (self.prefix + FRAME_PATH, self.prefix + TEXT_PATH):
            return call.query.get("noticeId", "") in self._by_id
        return True

    def answer(self, call: Call) -> Reply | None:
        if call.path in (self.prefix + FRAME_PATH, self.prefix + TEXT_PATH):
            doc = self._by_id[call.query["noticeId"]]
            return self.render(doc, call.path).reply()
        form = call.form()
        try:
            first = date.fromisoformat(form["startDate"]) if form.get("startDate") else None
            last = date.fromisoformat(form["endDate"]) if form.get("endDate") else None
        except ValueError:
            return json_error(500, {"success": False, "msg": "日期格式错误"})
        page = as_int(form.get("page"), 1)
        size = as_int(form.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        key = (first, last, form.get("pType", ""), page, size)
        return self.cached(key, lambda: self._list(first, last, page, size)).reply()

    def _list(self, first: date | None, last: date | None, page: int, size: int) -> RenderedPage:
        chosen = [
            doc
            for doc in self.docs
            if (first is None or doc.published.date() >= first)
            and (last is None or doc.published.date() <= last)
        ]
        rows = [self._row(doc) for doc in page_slice(chosen, page - 1, size)]
        return json_page({"total": len(chosen), "rows": rows}, self.newest_modified())

    def _row(self, doc: Doc) -> dict[str, Any]:
        notice = doc.notice
        return {
            "NOTICE_ID": int(doc.site_id),
            "NOTICE_TITLE": doc.title,
            "NEWWORK_DATE": f"{doc.published:%Y-%m-%d}",
            "NEWWORK_DATE_ALL": {"time": int(beijing_to_utc(doc.published).timestamp()) * 1000},
            "AREA_NAME": doc.region,
            "ORG_CODE": None,
            "NOTICE_NAME": NOTICE_NAMES[notice.notice_type if notice else "tender"],
            "PRCM_MODE_NAME": "竞争性磋商" if notice and "磋商" in doc.title else "公开招标",
        }

    def place(self, doc: Doc, number: int) -> None:
        doc.site_id = str(number)
        doc.href = f"{FRAME_PATH}?noticeId={number}"
        doc.real_url = f"{self.scheme}://{self.host}{doc.href}"
        doc.url_path = f"{self.prefix}{TEXT_PATH}?noticeId={number}&area_id="
        doc.paths = ()  # served through the two routes, keyed by noticeId
        self._by_id[doc.site_id] = doc

    def render(self, doc: Doc, path: str) -> RenderedPage:
        if path.endswith(FRAME_PATH):
            frame = f"{TEXT_PATH}?noticeId={doc.site_id}&area_id="
            return self.article_page(doc, FRAME, metas=False, frame=frame)
        return self.article_page(doc, TEXT, metas=False)
