"""中国政府采购网 static channels: index.htm, index_1.htm … with a Pager script."""

from __future__ import annotations

from replica.families import ccgp_pages
from replica.families.base import StaticPages, link_items, page_slice
from replica.families.markup import html_page
from replica.families.model import Doc
from replica.rendered import RenderedPage

PAGE_SIZE = 20
ITEM = (
    '<li><a href="{href}" title="{title_attr}" target="_blank">{title}</a>'
    "<em>{published:%Y-%m-%d %H:%M}</em><em>{region}</em><em>{buyer}</em></li>\n"
)
LIST_PAGE = (
    '<div class="vF_detail_header">{column}</div>\n'
    '<div class="vT_z"><ul class="c_list_bid">\n{items}</ul>\n'
    '<p class="pager"><script>{pager}</script></p></div>\n'
)
# A channel's directory name says which notices it lists.
_CHANNEL_MIX = {
    "gkzb": (("tender", 1),),
    "jzxcs": (("tender", 1),),
    "jzxtp": (("tender", 1),),
    "zbgg": (("award", 1),),
    "cjgg": (("award", 1),),
    "gzgg": (("change", 1),),
    "zzgg": (("termination", 1),),
    "fblbgg": (("termination", 1),),
}


class CcgpChannel(StaticPages):
    family = "ccgp_channel"
    default_page_size = PAGE_SIZE

    def page_names(self) -> tuple[str, str]:
        return ("index", "htm")  # whatever the entry is called

    def notice_mix(self) -> tuple[tuple[str, int], ...]:
        channel = self.directory.rstrip("/").rsplit("/", 1)[-1]
        return _CHANNEL_MIX.get(channel, super().notice_mix())

    def list_page(self, index: int, total: int) -> RenderedPage:
        items = link_items(page_slice(self.docs, index, self.page_size), ITEM)
        pager = (
            f"Pager({{size: {total}, current: {index}, "
            f"prefix: '{self.stem}', suffix: '{self.ext}'}});"
        )
        head = self.list_head(site_name=ccgp_pages.SITE_NAME)
        return self.listing(LIST_PAGE, head=head, items=items, pager=pager)

    def place(self, doc: Doc, number: int) -> None:
        tail = f"{doc.published:%Y%m}/t{doc.published:%Y%m%d}_{number}.htm"
        self.put(doc, str(number), self.directory + tail, "relative")

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return html_page(ccgp_pages.detail_page(doc, self.column_name), doc.last_modified)
