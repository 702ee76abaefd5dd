"""广东 政府信息公开目录平台 (gkmlpt): a config page with the SID and a JSON article API.

The platform is served over plain HTTP only, so the article URLs it gives are http:// ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from replica.documents import beijing_to_utc
from replica.families.base import GET, Column, Context, as_int, page_slice
from replica.families.call import Call
from replica.families.markup import attr, gov_head, html_page, json_page, text
from replica.families.model import Doc
from replica.families.naming import stable_number
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

PAGE_SIZE = 100
API_PREFIX = "/gkmlpt/api/all/"
# The platform shows its facts table above the text, and no date line.
ARTICLE = (
    '<div class="header">{site}</div>\n<div class="introduce"><table>{facts}</table></div>\n'
    '<div class="content-box">\n<h1 class="content-title">{title}</h1>\n'
    '<div class="article-content">\n{body}</div>\n</div>\n'
)


class Gkmlpt(Column):
    family = "gkmlpt"
    default_page_size = PAGE_SIZE

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        self.category = self.option("category", "0")

    @property
    def sid(self) -> str:
        """The source's SID, else the one the host's config page announces."""
        return self.option("sid") or self.host_config_sid()

    def host_config_sid(self) -> str:
        # One config page per host: the first SID a source on it names, else a fixed one.
        for peer in self.context.peers.columns_of(self.family):
            if peer.host == self.host and peer.option("sid"):
                return peer.option("sid")
        return host_sid(self.host)

    @property
    def api_path(self) -> str:
        return f"{self.prefix}{API_PREFIX}{self.category}"

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: GET, self.api_path: GET}

    def matches(self, call: Call) -> bool:
        return call.path != self.api_path or call.query.get("sid") == self.sid

    def answer(self, call: Call) -> Reply | None:
        if call.path != self.api_path:
            return self.cached("config", self._config_page).reply()
        page = as_int(call.query.get("page"), 1)
        return self.cached(("api", page), lambda: self._api(page)).reply()

    def miss(self, call: Call) -> Reply | None:
        # A wrong SID or category finds nothing rather than failing.
        return json_page({"total": 0, "articles": []}).reply()

    def _api(self, page: int) -> RenderedPage:
        articles = [self._article(doc) for doc in page_slice(self.docs, page - 1, PAGE_SIZE)]
        return json_page({"total": len(self.docs), "articles": articles}, self.newest_modified())

    def _article(self, doc: Doc) -> dict[str, Any]:
        stamp = int(beijing_to_utc(doc.published).timestamp())
        return {
            "id": int(doc.site_id),
            "title": doc.title,
            "url": doc.href,
            "publisher": doc.publisher,
            "identifier": doc.doc_number or "",
            "create_time": stamp,
            "display_publish_time": stamp,
        }

    def _config_page(self) -> RenderedPage:
        html = (
            gov_head(f"政府信息公开_{self.site_name}", (("SiteName", self.site_name),))
            + "<script>window._CONFIG = {"
            f"SID: '{self.host_config_sid()}', SITE_NAME: '{attr(self.site_name)}', "
            f"DOMAIN: 'http://{self.host}', TREE: []"
            "};</script>\n"
            f'<div id="app"><div class="header">{text(self.site_name)} 政府信息公开</div>'
            "</div>\n</body></html>\n"
        )
        return html_page(html)

    def place(self, doc: Doc, number: int) -> None:
        path = f"/gkmlpt/content/{number // 1_000_000}/{number // 1_000}/post_{number}.html"
        self.put(doc, str(number), path, "url", scheme="http")

    def render(self, doc: Doc, path: str) -> RenderedPage:
        rows = (
            ("索引号：", doc.index_number or ""),
            ("分类：", doc.topic or ""),
            ("发布机构：", doc.publisher),
            ("成文日期：", f"{doc.published:%Y-%m-%d}"),
            ("名称：", doc.title),
            ("文号：", doc.doc_number or ""),
            ("发布日期：", f"{doc.published:%Y-%m-%d}"),
        )
        facts = "".join(
            f'<tr><td class="first">{label}</td><td>{text(value)}</td></tr>'
            for label, value in rows
        )
        return self.article_page(doc, ARTICLE, facts=facts)


def host_sid(host: str) -> str:
    """The SID of a gkmlpt site whose source does not name one: fixed per host."""
    return str(100_000 + stable_number(host, 900_000))
