"""全国公共资源交易平台: the getTradList POST API and its two-frame notice pages.

The API searches titles of every ggzy source's notices for FINDTXT. Its known quirk is kept:
a keyword without any hit gets the whole unfiltered list back, so a crawler must re-filter.
Only DEAL_TIME 04 and 05 return data, as observed in 2026; without DEAL_TIME the API asks the
client to refine the query (code 804). A notice's URL (/html/a/) is a frame page whose iframe
loads the text from /html/b/.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from replica.families.base import (
    POST,
    Column,
    Context,
    as_int,
    newest_first,
    page_count,
    page_slice,
)
from replica.families.call import Call
from replica.families.markup import json_error, json_page
from replica.families.model import Doc
from replica.families.naming import region_named
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

PAGE_SIZE = 10
DEAL_TIMES_WITH_DATA = frozenset({"04", "05"})
SITE_NAME = "全国公共资源交易平台"
_STAGES = {
    "tender": ("0201", "采购/资审公告"),
    "award": ("0202", "交易结果公示"),
    "change": ("0203", "更正事项"),
    "termination": ("0204", "终止公告"),
}
# A notice's URL is a frame page (/html/a/) around its text page (/html/b/).
DETAIL = (
    '<div class="detail">\n<h4 class="h4_o">{title}</h4>\n'
    '<p class="p_o"><span class="span_o">发布时间：{published:%Y-%m-%d %H:%M}</span>'
    '<span class="span_o">信息来源：{publisher}</span></p>\n'
)
FRAME_PAGE = (
    DETAIL + '<iframe id="iframe_b" src="{frame}" width="100%" height="1200" '
    'frameborder="0" scrolling="auto"></iframe>\n</div>\n'
)
TEXT_PAGE = DETAIL + '<div class="detail_content" id="mycontent">\n{body}</div>\n</div>\n'


class Ggzy(Column):
    family = "ggzy"
    default_page_size = PAGE_SIZE

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.keyword = self.option("keyword")

    def search_keyword(self) -> str:
        return self.keyword

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: POST}

    def check(self, call: Call) -> Reply | None:
        if call.method != "POST":
            return json_error(405, {"code": 405, "message": "请求方式不支持", "data": None})
        return None

    def answer(self, call: Call) -> Reply | None:
        form = call.form()
        deal_time = form.get("DEAL_TIME", "")
        if not deal_time:
            return json_page({"code": 804, "message": "请完善查询条件", "data": None}).reply()
        if deal_time not in DEAL_TIMES_WITH_DATA:
            return json_page(_payload(0, 1, [])).reply()
        keyword = form.get("FINDTXT", "").strip()
        page = as_int(form.get("PAGENUMBER"), 1)
        return self.host_search(keyword, page, self._list)

    def _list(self, pool: Sequence[Column], keyword: str, page: int) -> RenderedPage:
        docs = newest_first(doc for peer in pool for doc in peer.docs)
        hits = [doc for doc in docs if keyword in doc.title]
        listed = hits or docs  # no hit: the whole list, unfiltered
        records = [self._record(doc) for doc in page_slice(listed, page - 1, PAGE_SIZE)]
        return json_page(_payload(len(listed), page, records))

    def _record(self, doc: Doc) -> dict[str, Any]:
        _, information = _STAGES[doc.notice.notice_type if doc.notice else "tender"]
        return {
            "id": doc.site_id,
            "title": doc.title,
            "publishTime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "provinceText": doc.extra.get("province", ""),
            "cityText": doc.extra.get("city", ""),
            "businessTypeText": doc.extra.get("business", "政府采购"),
            "informationTypeText": information,
            "url": doc.href,
        }

    def place(self, doc: Doc, number: int) -> None:
        stage, _ = _STAGES[doc.notice.notice_type if doc.notice else "tender"]
        # On a national platform a notice belongs to its buyer's province.
        province = region_named(doc.region) or self.region
        tail = f"{province.province.code}/{stage}/{doc.published:%Y%m%d}/{number}.html"
        doc.site_id = str(number)
        doc.href = f"/information/deal/html/a/{tail}"
        doc.url_path = f"{self.prefix}/information/deal/html/b/{tail}"
        doc.paths = (self.prefix + doc.href, doc.url_path)
        doc.real_url = f"{self.scheme}://{self.host}{doc.href}"
        doc.publisher = f"{province.full_name}公共资源交易平台"
        doc.extra = {
            "province": province.short_name,
            "city": "",
            "business": "工程建设" if doc.notice and "工程" in doc.notice.category else "政府采购",
        }

    def render(self, doc: Doc, path: str) -> RenderedPage:
        if "/html/a/" in path:
            frame = doc.href.replace("/html/a/", "/html/b/")
            return self.article_page(doc, FRAME_PAGE, metas=False, frame=frame)
        return self.article_page(doc, TEXT_PAGE, metas=False)


def _payload(total: int, page: int, records: list[dict[str, Any]]) -> dict[str, Any]:
    data = {
        "total": total,
        "pages": page_count(total, PAGE_SIZE) if total else 0,
        "current": page,
        "size": PAGE_SIZE,
        "records": records,
    }
    return {"code": 200, "message": "操作成功", "data": data}
