"""TRS WAS5 full-text search ``/was5/web/search`` (辽宁, 吉林 trading platforms).

As public code of 2019–2026 saw it: a GET with ``channelid``, ``searchword`` (a TRS query),
``page`` from 1 and the page size as ``perpage`` (吉林's scripts: ``prepage``) answers
``{"datas": [...]}``, wrapped as JSONP when the query names a ``callback`` (吉林). 辽宁's records
are ``DOCTITLE``/``DOCRELTIME``/``DOCPUBURL`` (absolute) beside a ``recordnum`` count; 吉林's
``title``/``timestamp`` (``2026.08.13 …``)/``docpuburl`` (relative to its /ggzy/ section, option
``link_base``)/``iType``, and no count is known. Asked past the last page, the search answers an
empty ``datas``. Documents are TRS static pages (``…/YYYYMM/tYYYYMMDD_ID.html``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from replica.families.base import GET, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import json_page
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
NOTICE_PAGE = (
    '<div class="ewb-article"><h3 class="ewb-article-tt">{title}</h3>\n'
    '<div class="ewb-article-sources">发布时间：{published:%Y-%m-%d %H:%M}  '
    "来源：{publisher}</div>\n"
    '<div class="ewb-article-info">\n{body}</div></div>\n'
)


class TrsWas5(Column):
    family = "trs_was5"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.callback = self.entry_query.get("callback", "")
        self.size_param = "prepage" if "prepage" in self.entry_query else "perpage"
        base = urlsplit(self.option("link_base") or f"{self.scheme}://{self.host}/")
        self.doc_scheme, self.doc_host = base.scheme, base.netloc.lower()
        self.doc_root = base.path.rstrip("/")

    @property
    def page_size(self) -> int:
        return as_int(self.entry_query.get(self.size_param), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: GET}

    def document_hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.host, self.doc_host)))

    def matches(self, call: Call) -> bool:
        return all(
            call.query.get(name, "") == self.entry_query.get(name, "")
            for name in ("channelid", "searchword")
        )

    def miss(self, call: Call) -> Reply | None:
        return json_page({"datas": [], "recordnum": 0}).reply()

    def answer(self, call: Call) -> Reply | None:
        page = as_int(call.query.get("page"), 1)
        size = as_int(call.query.get(self.size_param), DEFAULT_PAGE_SIZE, high=MAX_PAGE_SIZE)
        callback = call.query.get("callback", "")
        return self.cached((page, size, callback), lambda: self._list(page, size, callback)).reply()

    def _list(self, page: int, size: int, callback: str) -> RenderedPage:
        docs = page_slice(self.docs, page - 1, size)
        payload: dict[str, Any]
        if self.callback:
            records = [self._jilin(doc) for doc in docs]
            payload = {"datas": records}
        else:
            payload = {"recordnum": len(self.docs), "datas": [self._liaoning(doc) for doc in docs]}
        if not callback:
            return json_page(payload, self.newest_modified())
        wrapped = f"{callback}({json.dumps(payload, ensure_ascii=False)});"
        return RenderedPage.encode(
            wrapped,
            encoding="utf-8",
            charset="UTF-8",
            last_modified=self.newest_modified(),
            mime="application/javascript",
        )

    def _liaoning(self, doc: Doc) -> dict[str, Any]:
        return {
            "DOCTITLE": doc.title,
            "DOCRELTIME": f"{doc.published:%Y-%m-%d %H:%M:%S}",
            "DOCPUBURL": doc.real_url,
            "CHNLNAME": "招标公告",
        }

    def _jilin(self, doc: Doc) -> dict[str, Any]:
        return {
            "title": doc.title,
            "timestamp": f"{doc.published:%Y.%m.%d %H:%M:%S}",
            "docpuburl": doc.href,
            "tType": "工程建设",
            "iType": "招标公告",
        }

    def place(self, doc: Doc, number: int) -> None:
        path = f"{self.doc_root}/jyxx/{doc.published:%Y%m}/t{doc.published:%Y%m%d}_{number}.html"
        self.put(doc, str(number), path, "url", scheme=self.doc_scheme, host=self.doc_host)
        if self.callback:  # 吉林's records are relative to its /ggzy/ section
            doc.href = path.removeprefix(self.doc_root)

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self.article_page(doc, NOTICE_PAGE)
