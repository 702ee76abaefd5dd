"""中国政府采购网 full-text search (`search.ccgp.gov.cn/bxsearch`).

The search runs over the notices of every ccgp_search source, matching `kw` against title
and body, and highlights the keyword in red. Searching too often (the replica's
search_rate_limit, across all clients) gets the site's HTTP 200 "频繁访问" page. The notices
themselves are static pages on www.ccgp.gov.cn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from replica.families import ccgp_pages
from replica.families.base import Column, Context, as_int, newest_first, page_count, page_slice
from replica.families.call import Call
from replica.families.markup import html_page, plain_head, text
from replica.families.model import Doc
from replica.families.naming import region_named
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

PAGE_SIZE = 20
SUMMARY_CHARS = 120
RATE_LIMITED_PAGE = (
    '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
    "<title>频繁访问!中国政府采购网</title></head>\n"
    '<body><div class="vT_z"><p>您的访问过于频繁，请稍后再试！</p></div></body></html>\n'
)


class CcgpSearch(Column):
    family = "ccgp_search"
    default_page_size = PAGE_SIZE

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.keyword = self.entry_query.get("kw", "")

    def search_keyword(self) -> str:
        return self.keyword

    def document_hosts(self) -> tuple[str, ...]:
        return (self.host, ccgp_pages.SITE_HOST)

    def answer(self, call: Call) -> Reply | None:
        if not self.context.peers.search_allowed():
            return html_page(RATE_LIMITED_PAGE).reply()
        keyword = call.query.get("kw", "").strip()
        page = as_int(call.query.get("page_index"), 1)
        return self.host_search(keyword, page, self._results)

    def _results(self, pool: Sequence[Column], keyword: str, page: int) -> RenderedPage:
        docs = [doc for peer in pool for doc in peer.docs]
        hits = newest_first(doc for doc in docs if keyword in doc.title or keyword in doc.text)
        items = "".join(_item(doc, keyword) for doc in page_slice(hits, page - 1, PAGE_SIZE))
        total = page_count(len(hits), PAGE_SIZE)
        html = (
            plain_head(ccgp_pages.SITE_NAME)
            + '<div class="vT_z"><div class="vT-srch-result"><div class="vT-srch-result-list">\n'
            f"<p>共找到 <span>{len(hits)}</span> 条内容</p>\n"
            f'<ul class="vT-srch-result-list-bid">\n{items}</ul>\n'
            f'<p class="pager"><script>Pager({{size: {total}, current: {page - 1}, '
            "prefix: '', suffix: ''});</script></p>\n</div></div></div>\n</body></html>\n"
        )
        return html_page(html)

    def place(self, doc: Doc, number: int) -> None:
        channel, _ = ccgp_pages.channel_of(doc.notice)
        path = f"/cggg/dfgg/{channel}/{doc.published:%Y%m}/t{doc.published:%Y%m%d}_{number}.htm"
        # The notices are static pages of the main site, linked with their whole URL.
        self.put(doc, str(number), path, "url", scheme="http", host=ccgp_pages.SITE_HOST)

    def render(self, doc: Doc, path: str) -> RenderedPage:
        _, channel_name = ccgp_pages.channel_of(doc.notice)
        return html_page(ccgp_pages.detail_page(doc, channel_name), doc.last_modified)


def _highlight(value: str, keyword: str) -> str:
    escaped = text(value)
    if not keyword:
        return escaped
    return escaped.replace(text(keyword), f'<font color="red">{text(keyword)}</font>')


def _item(doc: Doc, keyword: str) -> str:
    notice = doc.notice
    body = doc.text.replace("\n", " ")
    at = max(0, body.find(keyword) - 30) if keyword else 0
    summary = body[at : at + SUMMARY_CHARS]
    agency = notice.agency.name if notice else ""
    label = notice.label if notice else "其他公告"
    category = notice.category if notice else ""
    named = region_named(doc.region)
    province = named.short_name if named else doc.region
    return (
        f'<li>\n<a href="{doc.href}" style="line-height:18px" target="_blank">\n'
        f"{_highlight(doc.title, keyword)}\n</a>\n"
        f"<p>{_highlight(summary, keyword)}</p>\n"
        f"<span>{doc.published:%Y.%m.%d %H:%M:%S} | 采购人：{text(doc.buyer)} | "
        f"代理机构：{text(agency)} <br/><strong>{text(label)}</strong> | {text(province)} | "
        f"<strong>{text(category)}</strong></span>\n</li>\n"
    )
