"""全国公共资源交易平台: the getTradList form and its two-frame notice pages.

As public crawlers of 2026 saw it: a form POST; without ``DEAL_TIME`` the answer is a 404 page,
not JSON; ``DEAL_CLASSIFY`` must name one class (``00``, all, answers no rows); ``DEAL_TIME=06``
takes the days ``TIMEBEGIN``..``TIMEEND`` and the presets 01–05 count back from the newest
notice. 20 rows a page, newest first, and one query answers at most 1,000 rows: ``total``
stops at 1000, silently. FINDTXT searches titles, and a keyword without any hit gets the whole
unfiltered list back. A notice's URL (/html/a/) is a frame page whose iframe loads the text
from /html/b/.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from replica import pages
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

PAGE_SIZE = 20
# Days each DEAL_TIME preset reaches back (01 当天, 02 近三天, 03 近十天, 04/05 longer: guesses).
PRESET_DAYS = {"01": 1, "02": 3, "03": 10, "04": 30, "05": 90}
CUSTOM_RANGE = "06"
SITE_NAME = "全国公共资源交易平台"
CLASSES = {"01": "工程建设", "02": "政府采购"}
_STAGES = {
    "tender": ("0201", "采购/资审公告"),
    "award": ("0202", "交易结果公示"),
    "change": ("0203", "更正事项"),
    "termination": ("0204", "终止公告"),
}
NOT_FOUND = Reply(404, pages.error_page(404, "Not Found").encode("utf-8"), "utf-8")
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
    result_cap: ClassVar[int] = 1000  # tests lower it to see the sweep split its windows

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
        if not form.get("DEAL_TIME"):
            return NOT_FOUND
        key = tuple(sorted(form.items()))
        pool = [p for p in self.context.peers.columns_of(self.family) if p.host == self.host]
        versions = tuple(peer.version for peer in pool)
        return self.cached((key, versions), lambda: self._list(pool, form)).reply()

    def _list(self, pool: Sequence[Column], form: dict[str, str]) -> RenderedPage:
        docs = newest_first(doc for peer in pool for doc in peer.docs)
        days = _days(form, docs)
        if days is None:
            return json_page({"code": 804, "message": "请细化查询条件", "data": None})
        classify = form.get("DEAL_CLASSIFY", "00")
        first, last = days
        chosen = [
            doc
            for doc in docs
            if doc.extra.get("classify") == classify and first <= doc.published.date() <= last
        ]
        keyword = form.get("FINDTXT", "").strip()
        hits = [doc for doc in chosen if keyword in doc.title]
        listed = (hits or chosen)[: self.result_cap]  # no hit: the whole list, unfiltered
        page = as_int(form.get("PAGENUMBER"), 1)
        records = [self._record(doc) for doc in page_slice(listed, page - 1, PAGE_SIZE)]
        return json_page(_payload(len(listed), page, records))

    def _record(self, doc: Doc) -> dict[str, Any]:
        stage, information = _STAGES[doc.notice.notice_type if doc.notice else "tender"]
        return {
            "id": doc.site_id,
            "title": doc.title,
            "publishTime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "province": doc.extra.get("province_code", ""),
            "provinceText": doc.extra.get("province", ""),
            "cityText": doc.extra.get("city", ""),
            "businessType": doc.extra.get("classify", ""),
            "businessTypeText": CLASSES.get(doc.extra.get("classify", ""), ""),
            "informationType": stage,
            "informationTypeText": information,
            "transactionSourcesPlatformText": doc.publisher,
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
        # The generated notices of a keyword source are all goods and services; a third of
        # them go to 工程建设 so that both channels of the platform have documents.
        works = bool(doc.notice and "工程" in doc.notice.category) or number % 3 == 0
        doc.extra = {
            "province": province.short_name,
            "province_code": province.province.code,
            "city": "",
            "classify": "01" if works else "02",
        }

    def render(self, doc: Doc, path: str) -> RenderedPage:
        if "/html/a/" in path:
            frame = doc.href.replace("/html/a/", "/html/b/")
            return self.article_page(doc, FRAME_PAGE, metas=False, frame=frame)
        return self.article_page(doc, TEXT_PAGE, metas=False)


def _days(form: dict[str, str], docs: Sequence[Doc]) -> tuple[date, date] | None:
    """The first and last day a query asks for; None for a range the site cannot read."""
    deal_time = form.get("DEAL_TIME", "")
    if deal_time == CUSTOM_RANGE:
        try:
            return (
                date.fromisoformat(form.get("TIMEBEGIN", "")),
                date.fromisoformat(form.get("TIMEEND", "")),
            )
        except ValueError:
            return None
    if deal_time not in PRESET_DAYS:
        return None
    newest = docs[0].published.date() if docs else date.today()
    return newest - timedelta(days=PRESET_DAYS[deal_time] - 1), newest


def _payload(total: int, page: int, records: list[dict[str, Any]]) -> dict[str, Any]:
    data = {
        "total": total,
        "pages": page_count(total, PAGE_SIZE) if total else 0,
        "current": page,
        "size": PAGE_SIZE,
        "records": records,
    }
    return {"code": 200, "message": "操作成功", "data": data}
