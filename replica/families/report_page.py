"""A work report at one fixed address that each year's report replaces (中国政府网 zfgzbg.htm).

The page at the entry shows the newest report; each year's also stands at its own address
(``{year}zfgzbg.htm`` beside the entry). Only the newest is reachable from the entry, so it is
the column's one document; a report published on command replaces it at the entry.
"""

from __future__ import annotations

from replica.families.base import Column
from replica.families.call import Call
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

ARTICLE = (
    '<div class="conlun2_box">\n<div class="conlun2_box_tit">{title}</div>\n'
    '<div class="pages-date">{published:%Y-%m-%d %H:%M} 来源：{site}</div>\n'
    '<div class="conlun2_box_text" id="conlun2_box_text">\n{body}</div>\n</div>\n'
)


class ReportPage(Column):
    family = "report_page"

    def _generate(self) -> list[Doc]:
        return super()._generate()[:1]  # the entry shows the newest report only

    def answer(self, call: Call) -> Reply | None:
        docs = self.docs
        return self.render(docs[0], call.path).reply() if docs else None

    def place(self, doc: Doc, number: int) -> None:
        path = f"{self.directory}{doc.published:%Y}zfgzbg.htm"
        self.put(doc, str(number), path, "url")

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return self.article_page(doc, ARTICLE)
