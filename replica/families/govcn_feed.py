"""中国政府网 columns filled from a JSON feed beside them (``ZUIXINZHENGCE.json``).

The feed is one static array of the column's newest entries, ``TITLE`` / ``URL`` /
``DOCRELPUBTIME`` (a date), newest first, with no paging. Its documents are gov.cn's policy
pages: a 发文字号 table above the text, the text in ``#UCAP-CONTENT``.
"""

from __future__ import annotations

from replica.families.base import Column
from replica.families.call import Call
from replica.families.markup import json_page, when_given
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

ARTICLE = (
    '<div class="article"><table class="bd1"><tbody>\n'
    "<tr><td><b>标\u3000\u3000题：</b></td><td>{title}</td></tr>\n"
    "<tr><td><b>发文机关：</b></td><td>{publisher}</td></tr>\n"
    "{number}"
    "<tr><td><b>发布日期：</b></td><td>{published:%Y年%m月%d日}</td></tr>\n"
    "</tbody></table>\n"
    '<h1 id="ti">{title}</h1>\n'
    '<div class="pages-date">{published:%Y-%m-%d %H:%M}'
    '<span class="font">来源：{site}</span></div>\n'
    '<div class="pages_content" id="UCAP-CONTENT">\n{body}</div>\n</div>\n'
)


class GovcnFeed(Column):
    family = "govcn_feed"

    def answer(self, call: Call) -> Reply | None:
        return self.cached("feed", self._feed).reply()

    def _feed(self) -> RenderedPage:
        entries = [
            {"TITLE": doc.title, "URL": doc.href, "DOCRELPUBTIME": f"{doc.published:%Y-%m-%d}"}
            for doc in self.docs
        ]
        return json_page(entries, self.newest_modified())

    def place(self, doc: Doc, number: int) -> None:
        path = f"/zhengce/content/{doc.published:%Y%m}/content_{number}.htm"
        self.put(doc, str(number), path, "url")

    def render(self, doc: Doc, path: str) -> RenderedPage:
        number = when_given("<tr><td><b>发文字号：</b></td><td>{}</td></tr>\n", doc.doc_number)
        return self.article_page(doc, ARTICLE, number=number)
