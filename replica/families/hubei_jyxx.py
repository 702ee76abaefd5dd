"""湖北省公共资源交易电子服务系统: the ``/jyxxAjax/{column}`` list JSON and its detail JSON.

As a public collector of 2026-08 saw it: ``POST /jyxxAjax/jsgcZbgg`` (form ``pageSize=100&
area=``) answers ``{"jsgcZbggList": [{"bulletinName", "bulletinIssueTime": "20260813093000",
"guid", …}]}`` — the newest ``pageSize`` rows, whatever page is asked; ``GET /jyxxAjax/
jsgcZbggDetail?guid=`` answers ``{"tender": {"bulletinName", "bulletinIssueTime",
"bulletinContent": "<html>"}}``; the page a person opens, ``/jyxx/jsgcZbggDetail?guid=``, is a
shell its script fills.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from replica.families.base import GET, MAX_DOCS, MIN_DOCS, POST, Column, Context, as_int
from replica.families.call import Call
from replica.families.markup import json_error, json_page, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 100
SHELL = (
    '<div class="detail-box"><input type="hidden" id="guid" value="{guid}">'
    '<div id="bulletinContent"></div></div><script src="/js/jyxx/detail.js"></script>'
)
CONTENT = (
    '<div style="text-align:center"><h3>{title}</h3></div>'
    "<p>发布时间：{published:%Y-%m-%d %H:%M}</p>{body}"
)


class HubeiJyxx(Column):
    family = "hubei_jyxx"
    default_page_size = DEFAULT_PAGE_SIZE
    page_size_option = "pageSize"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.column = self.entry_path.rstrip("/").rsplit("/", 1)[-1]
        self._by_guid: dict[str, Doc] = {}

    def document_count(self, rng: random.Random) -> int:
        # No more rows than one answer holds: the API has no second page to reach the rest.
        count = random.Random(f"count/{self.source.id}").randint(MIN_DOCS, MAX_DOCS)
        return min(count * self.context.scale, self.page_size)

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {
            self.prefix + self.entry_path: POST,
            f"{self.prefix}/jyxxAjax/{self.column}Detail": GET,
            f"{self.prefix}/jyxx/{self.column}Detail": GET,
        }

    def check(self, call: Call) -> Reply | None:
        if call.path == self.prefix + self.entry_path and call.method != "POST":
            return json_error(405, {"code": 405, "msg": "Request method 'GET' not supported"})
        return super().check(call)

    def matches(self, call: Call) -> bool:
        if call.path != self.prefix + self.entry_path:
            return call.query.get("guid", "") in self._by_guid
        return True

    def answer(self, call: Call) -> Reply | None:
        if call.path == self.prefix + self.entry_path:
            size = as_int(call.form().get("pageSize"), 10, high=100)
            return self.cached(("list", size), lambda: self._list(size)).reply()
        doc = self._by_guid[call.query["guid"]]
        return self.render(doc, call.path).reply()

    def _list(self, size: int) -> RenderedPage:
        rows = [
            {
                "guid": doc.site_id,
                "bulletinName": doc.title,
                "bulletinIssueTime": f"{doc.published:%Y%m%d%H%M%S}",
                "regionName": doc.region,
            }
            for doc in self.docs[:size]
        ]
        return json_page({f"{self.column}List": rows}, self.newest_modified())

    def place(self, doc: Doc, number: int) -> None:
        guid = str(uuid.UUID(int=random.Random(f"{self.source.id}/{number}").getrandbits(128)))
        doc.site_id = guid
        doc.href = f"/jyxx/{self.column}Detail?guid={guid}"
        doc.real_url = f"{self.scheme}://{self.host}{doc.href}"
        doc.url_path = f"{self.prefix}/jyxxAjax/{self.column}Detail?guid={guid}"
        doc.paths = ()  # served through the detail routes, keyed by guid
        self._by_guid[guid] = doc

    def render(self, doc: Doc, path: str) -> RenderedPage:
        if "/jyxx/" in path:
            return self.article_page(doc, SHELL, metas=False, guid=text(doc.site_id))
        content = CONTENT.format(title=text(doc.title), published=doc.published, body=doc.body_html)
        tender = {
            "bulletinName": doc.title,
            "bulletinIssueTime": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "bulletinContent": content,
        }
        return json_page({"tender": tender}, doc.last_modified)
