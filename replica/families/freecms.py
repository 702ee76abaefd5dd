"""freecms `selectInfoMoreChannel.do`: a GET JSON API of notices and static notice pages.

Several channels of one site share the API path; siteId, channel, noticeType and regionCode
tell them apart, and a combination no channel has answers with an empty list.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from replica.families.base import Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import json_page
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
# noticeType codes of the 广东 platform, by the generated notice types.
NOTICE_CODES = {"tender": "00101", "award": "00102", "change": "00103", "termination": "00104"}
ARTICLE = (
    '<div class="header">{site}</div>\n'
    '<div class="info-header"><h1 class="info-title">{title}</h1>\n'
    '<p class="info-time">发布时间：{published:%Y-%m-%d %H:%M:%S}　来源：{publisher}</p></div>\n'
    '<div class="info-article"><div class="noticeArea" id="noticeArea">\n{body}</div></div>\n'
)


class Freecms(Column):
    family = "freecms"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.site_id_option = self.option("siteId")
        self.channel = self.option("channel")
        self.notice_type = self.option("noticeType")
        self.region_code = self.option("regionCode")
        self.site_dir = self.region.province.pinyin

    def matches(self, call: Call) -> bool:
        query = call.query
        return (
            query.get("siteId") == self.site_id_option
            and query.get("channel") == self.channel
            and query.get("noticeType", "") == self.notice_type
            and query.get("regionCode", "") == self.region_code
        )

    def answer(self, call: Call) -> Reply | None:
        page = as_int(call.query.get("currPage"), 1)
        size = as_int(call.query.get("pageSize"), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        return self.cached((page, size), lambda: self._api(page, size)).reply()

    def miss(self, call: Call) -> Reply | None:
        return json_page({"code": "200", "msg": "操作成功", "total": 0, "data": []}).reply()

    def _api(self, page: int, size: int) -> RenderedPage:
        data = [self._item(doc) for doc in page_slice(self.docs, page - 1, size)]
        payload = {"code": "200", "msg": "操作成功", "total": len(self.docs), "data": data}
        return json_page(payload, self.newest_modified())

    def _item(self, doc: Doc) -> dict[str, Any]:
        notice = doc.notice
        return {
            "id": doc.site_id,
            "title": doc.title,
            "noticeTime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "htmlpath": doc.href,
            "purchaser": doc.buyer,
            "agency": notice.agency.name if notice else "",
            "regionName": doc.region,
            "noticeType": self.notice_type
            or NOTICE_CODES[notice.notice_type if notice else "tender"],
            "openTenderCode": notice.project_number if notice else "",
        }

    def place(self, doc: Doc, number: int) -> None:
        # freecms ids are 32 hex digits; derive them from the number so they stay unique.
        site_id = f"{number:012x}{self.context.block:04x}{number * 2654435761 % 2**64:016x}"
        path = f"/freecms/site/{self.site_dir}/ggxx/info/{doc.published:%Y}/{site_id}.html"
        self.put(doc, site_id, path)

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self.article_page(doc, ARTICLE, metas=False)
