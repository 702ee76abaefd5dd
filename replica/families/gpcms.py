"""gpcms / maincms: a GET JSON list (``selectInfoForIndex`` or ``selectInfoMoreChannel``), a
JSON detail (``getInfoById``) and Vue article pages with no text.

As public code of 2023–2026 shows the real sites: the list answers ``{"code": "200", "msg":
"操作成功", "data": {"rows": [...], "total": N}}`` for the channel, siteId, noticeType and
regionCode it is asked for (a combination no list has answers with no rows); ``noticeTime`` is
``YYYY-MM-DD HH:MM:SS``. A ``verifyCode`` the site did not issue is refused with a code other
than 200 and a message about the 验证码 (the wording and the code are this imitation's; public
code only shows that crawlers retry while the message names the 验证码). The replica serves
``captcha = true`` sources like the others, as for every family: a captcha in front of a whole
site is the challenge layer's (replica/challenges), the same for every family.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from replica.families.base import GET, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import html_page, json_page, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
DETAIL_PATH = "/gpcms/rest/web/v2/info/getInfoById"
OK = {"code": "200", "msg": "操作成功"}
CAPTCHA_REFUSAL = {"code": "500", "msg": "验证码错误，请重新输入", "data": None}
# noticeType codes of the rows, by the generated notice types (广东's dictionary).
NOTICE_CODES = {"tender": "001011", "award": "001021", "change": "00103", "termination": "001004"}


class Gpcms(Column):
    family = "gpcms"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.site_id_option = self.option("siteId")
        self.channel = self.option("channel")
        self.notice_type = self.option("noticeType")
        self.region_code = self.option("regionCode")
        self.article_template = self.option("articleUrl")
        self.article_path = urlsplit(self.article_template).path
        self._by_id: dict[str, Doc] = {}

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {
            self.prefix + self.entry_path: GET,
            self.prefix + DETAIL_PATH: GET,
            self.prefix + self.article_path: GET,
        }

    def matches(self, call: Call) -> bool:
        if call.path in (self.prefix + DETAIL_PATH, self.prefix + self.article_path):
            return call.query.get("id", "") in self._by_id
        query = call.query
        return (
            query.get("siteId") == self.site_id_option
            and query.get("channel") == self.channel
            and query.get("noticeType", "") == self.notice_type
            and query.get("regionCode", "") == self.region_code
        )

    def answer(self, call: Call) -> Reply | None:
        if call.path == self.prefix + DETAIL_PATH:
            doc = self._by_id[call.query["id"]]
            return self.cached(("detail", doc.site_id), lambda: self._detail(doc)).reply()
        if call.path == self.prefix + self.article_path:
            return self.cached("shell", self._shell).reply()
        if call.query.get("verifyCode"):  # the replica never showed a captcha to solve
            return json_page(CAPTCHA_REFUSAL).reply()
        page = as_int(call.query.get("currPage"), 1)
        size = as_int(call.query.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        return self.cached(("list", page, size), lambda: self._list(page, size)).reply()

    def miss(self, call: Call) -> Reply | None:
        if call.path == self.prefix + self.entry_path:
            return json_page({**OK, "data": {"rows": [], "total": 0}}).reply()
        if call.path == self.prefix + DETAIL_PATH:
            return json_page({**OK, "data": None}).reply()
        return None

    def _list(self, page: int, size: int) -> RenderedPage:
        rows = [self._row(doc) for doc in page_slice(self.docs, page - 1, size)]
        payload = {**OK, "data": {"rows": rows, "total": len(self.docs)}}
        return json_page(payload, self.newest_modified())

    def _row(self, doc: Doc) -> dict[str, Any]:
        notice = doc.notice
        return {
            "id": doc.site_id,
            "title": doc.title,
            "noticeTime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "regionName": doc.region,
            "regionCode": self.region_code or self.region.province.code,
            "purchaser": doc.buyer,
            "agency": notice.agency.name if notice else "",
            "noticeType": doc.extra["noticeType"],
            "openTenderCode": doc.extra["openTenderCode"],
            "planId": doc.extra["planId"],
            "budget": f"{notice.budget_yuan:.4f}" if notice and notice.budget_yuan else None,
            "author": notice.agency.name if notice else doc.publisher,
            "content": None,
            "siteName": self.site_name,
        }

    def _detail(self, doc: Doc) -> RenderedPage:
        data = {**self._row(doc), "content": doc.body_html}
        return json_page({**OK, "data": data}, doc.last_modified)

    def _shell(self) -> RenderedPage:
        # maincms-web is a Vue app: the article page holds no text until its scripts run.
        html = (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
            f"<title>{text(self.site_name)}</title></head>\n"
            '<body><div id="app"></div>'
            '<script src="/maincms-web/static/js/app.js"></script></body></html>\n'
        )
        return html_page(html)

    def place(self, doc: Doc, number: int) -> None:
        # gpcms ids are 32 hex digits; derive them from the number so they stay unique.
        site_id = f"{number:012x}{self.context.block:04x}{number * 2654435761 % 2**64:016x}"
        notice = doc.notice
        doc.extra = {
            "noticeType": NOTICE_CODES.get(notice.notice_type if notice else "", "00101"),
            "openTenderCode": notice.project_number if notice else "",
            "planId": f"{number * 40503 % 2**32:08x}{self.context.block:04x}",
        }
        doc.site_id = site_id
        fields = {name: quote(value, safe="") for name, value in doc.extra.items()}
        doc.href = self.article_template.format(id=site_id, **fields)
        doc.url_path = f"{self.prefix}{DETAIL_PATH}?id={site_id}"
        doc.paths = ()  # served through the detail route, which is keyed by id
        doc.real_url = f"{self.scheme}://{self.host}{doc.href}"
        self._by_id[site_id] = doc

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self._detail(doc)
