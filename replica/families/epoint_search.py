"""新点 (Epoint) full-text search API and the static notice pages it links to.

As public crawlers of 2025–2026 saw it (四川's captured request, 海南's and 黑龙江's collectors,
广西's saved answer): a POST whose body is one JSON object, sent as a raw string under a form
content type by the sites' own script (``application/json`` is accepted too). ``pn`` is an
offset and ``rn`` a page size, both JSON numbers: anything else, like a body that is not a JSON
object, gets the site's HTML error page with HTTP 200, not JSON. ``condition`` narrows by
``categorynum`` (``likeType`` 2: a prefix); ``time`` keeps a window of the date field;
``sort`` ``{"webdate":"0"}`` lists the newest first, ``"1"`` the oldest, and without a sort on
the date field the answer comes by relevance (old notices first). A time window on a field the
index lacks matches nothing. The answer is ``{"result": {"categorys", "totalcount", "records",
"executetime"}}``; ``totalcount`` is the true count, but no row past the 480th of one query is
ever returned. Records link their notice by ``linkurl``, a root-relative path that some sites
serve under a prefix (``/xinjiangggzy``, ``/gxggzy``: the ``link_prefix`` option).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from replica.families.base import POST, Column, Context, newest_first
from replica.families.call import Call
from replica.families.markup import json_error, json_page, plain_text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

RESULT_CAP = 480
MAX_PAGE_SIZE = 1000
ACCEPTED_MEDIA = ("application/x-www-form-urlencoded", "application/json", "text/plain", "")
_STAGE_CODES = {"tender": "001", "change": "002", "award": "003", "termination": "004"}
# The site's error page for a body its REST layer cannot read: HTTP 200, HTML (海南, 2026).
ERROR_PAGE = Reply(
    200,
    (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>错误页面</title></head>'
        '<body><div class="ewb-error"><p>系统繁忙，请稍后再试！</p></div></body></html>\n'
    ).encode(),
    "utf-8",
)
NOTICE_PAGE = (
    '<div class="ewb-container"><div class="article-info">\n'
    '<h3 class="infotitle">{title}</h3>\n'
    '<div class="article-sources">信息来源：{publisher}&nbsp;&nbsp;'
    "发布时间：{published:%Y-%m-%d %H:%M:%S}</div>\n"
    '<div class="article-content" id="newsText">\n{body}</div>\n</div></div>\n'
)


class EpointSearch(Column):
    family = "epoint_search"
    default_page_size = 12
    result_cap: ClassVar[int] = RESULT_CAP  # tests lower it to see the sweep split windows

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.categorynum = self.option("categorynum") or "001"
        self.date_field = self.option("date_field", "webdate")
        self.link_prefix = self.option("link_prefix")

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: POST}

    def check(self, call: Call) -> Reply | None:
        if call.method != "POST":
            return json_error(405, {"code": 405, "message": "Method Not Allowed"})
        return None

    def answer(self, call: Call) -> Reply | None:
        query = call.json_object() if call.media_type in ACCEPTED_MEDIA else None
        if query is None or not all(_number(query.get(k)) for k in ("pn", "rn")):
            return ERROR_PAGE
        pool = [
            peer
            for peer in self.context.peers.columns_of(self.family)
            if peer.host == self.host and peer.entry_path == self.entry_path
        ]
        key = (json.dumps(query, sort_keys=True, ensure_ascii=False), *(p.version for p in pool))
        return self.cached(key, lambda: self._search(pool, query)).reply()

    def _search(self, pool: Sequence[Column], query: dict[str, Any]) -> RenderedPage:
        prefixes = [
            str(c.get("equal") or "")
            for c in query.get("condition") or []
            if isinstance(c, dict) and c.get("fieldName") == "categorynum"
        ]
        docs = [
            doc
            for peer in pool
            for doc in peer.docs
            if all(doc.extra.get("categorynum", "").startswith(p) for p in prefixes)
        ]
        docs = [doc for doc in docs if _in_windows(doc, query.get("time"), self.date_field)]
        docs = _sorted(docs, query.get("sort"), self.date_field)
        offset, size = int(query["pn"]), min(int(query["rn"]), MAX_PAGE_SIZE)
        shown = docs[offset : min(offset + size, self.result_cap)] if offset >= 0 else []
        records = [self._record(doc, int(query.get("cl") or 200)) for doc in shown]
        payload = {
            "result": {
                "categorys": [
                    {"categorynum": "001", "count": str(len(docs)), "categoryname": "交易信息"}
                ],
                "totalcount": len(docs),
                "records": records,
                "executetime": "0.021",
            }
        }
        return json_page(payload, self.newest_modified())

    def _record(self, doc: Doc, content_length: int) -> dict[str, Any]:
        stamp = f"{doc.published:%Y-%m-%d %H:%M:%S}"
        return {
            "title": doc.title,
            "titlenew": doc.title,
            "categorynum": doc.extra["categorynum"],
            "infoid": doc.site_id,
            "id": f"{doc.extra['categorynum']}{doc.site_id}_001",
            self.date_field: stamp,
            "infodate": stamp,
            "zhuanzai": doc.publisher,
            "linkurl": doc.href,
            "content": plain_text(doc.body_html)[: max(0, content_length)],
        }

    def place(self, doc: Doc, number: int) -> None:
        stage = _STAGE_CODES[doc.notice.notice_type if doc.notice else "tender"]
        # One level below the source's category, as the site's tree nests its columns.
        base = self.categorynum if len(self.categorynum) >= 9 else (self.categorynum + "001")[:6]
        categorynum = base + stage
        guid = str(uuid.UUID(int=random.Random(f"{self.source.id}/{number}").getrandbits(128)))
        folder = "/".join(categorynum[: i + 3] for i in range(3, len(categorynum), 3))
        linkurl = f"/jyxx/{folder}/{doc.published:%Y%m%d}/{guid}.html"
        doc.site_id = guid
        doc.href = linkurl
        path = self.link_prefix + linkurl
        doc.real_url = f"{self.scheme}://{self.host}{path}"
        doc.url_path = f"{self.prefix}{path}"
        doc.paths = (doc.url_path,)
        doc.extra = {"categorynum": categorynum}

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self.article_page(doc, NOTICE_PAGE, metas=False)


def _number(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _in_windows(doc: Doc, windows: Any, date_field: str) -> bool:
    """Whether a document falls in every ``time`` window of the query."""
    for window in windows or []:
        if not isinstance(window, dict):
            continue
        if window.get("fieldName") != date_field:
            return False  # a field the index lacks: nothing matches
        stamp = f"{doc.published:%Y-%m-%d %H:%M:%S}"
        if not str(window.get("startTime") or "") <= stamp <= str(window.get("endTime") or "~"):
            return False
    return True


def _sorted(docs: list[Doc], sort: Any, date_field: str) -> list[Doc]:
    """The documents in the order the query's ``sort`` asks for; relevance without one."""
    try:
        order = json.loads(sort) if isinstance(sort, str) else {}
    except json.JSONDecodeError:
        order = {}
    direction = str(order.get(date_field, "")) if isinstance(order, dict) else ""
    newest = newest_first(docs)
    if direction == "0":
        return newest
    if direction == "1":
        return newest[::-1]
    # By relevance: for a search without words, an order unrelated to the date.
    return sorted(docs, key=lambda doc: (doc.site_id, doc.title))
