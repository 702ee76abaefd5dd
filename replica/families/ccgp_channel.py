"""中国政府采购网 static channels: index.htm, index_1.htm … with a Pager script."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from replica.families import ccgp_pages
from replica.families.base import GET, Column, Context, page_count, page_slice
from replica.families.call import Call
from replica.families.markup import attr, gov_head, html_page, text
from replica.families.model import Doc
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from spiders.registry import Source

PAGE_SIZE = 20
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


class CcgpChannel(Column):
    family = "ccgp_channel"

    def __init__(self, source: Source, context: Context) -> None:
        super().__init__(source, context)
        path = self.entry_path
        self.directory = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
        self._page_file = re.compile(r"index(?:_([1-9][0-9]*))?\.htm")

    def page_size_hint(self) -> int:
        return PAGE_SIZE

    def notice_mix(self) -> tuple[tuple[str, int], ...]:
        channel = self.directory.rstrip("/").rsplit("/", 1)[-1]
        return _CHANNEL_MIX.get(channel, super().notice_mix())

    def routes(self) -> Mapping[str, frozenset[str]]:
        return {self.prefix + self.entry_path: GET}

    def dir_routes(self) -> tuple[str, ...]:
        return (self.prefix + self.directory,)

    def _page_index(self, path: str) -> int | None:
        if path in (self.prefix + self.entry_path, self.prefix + self.directory):
            return 0
        match = self._page_file.fullmatch(path.rsplit("/", 1)[1])
        return None if match is None else int(match.group(1) or 0)

    def matches(self, call: Call) -> bool:
        return self._page_index(call.path) is not None

    def answer(self, call: Call) -> Reply | None:
        index = self._page_index(call.path)
        total = page_count(len(self.docs), PAGE_SIZE)
        if index is None or index >= total:
            return None
        return self.cached(index, lambda: self._list_page(index, total)).reply()

    def _list_page(self, index: int, total: int) -> RenderedPage:
        items = "".join(
            f'<li><a href="{attr(doc.href)}" title="{attr(doc.title)}" target="_blank">'
            f"{text(doc.title)}</a>"
            f"<em>{doc.published:%Y-%m-%d %H:%M}</em><em>{text(doc.region)}</em>"
            f"<em>{text(doc.notice.buyer.name if doc.notice else doc.publisher)}</em></li>\n"
            for doc in page_slice(self.docs, index, PAGE_SIZE)
        )
        html = (
            gov_head(
                f"{self.column_name}_{ccgp_pages.SITE_NAME}",
                (("SiteName", ccgp_pages.SITE_NAME), ("ColumnName", self.column_name)),
            )
            + f'<div class="vF_detail_header">{text(self.column_name)}</div>\n'
            f'<div class="vT_z"><ul class="c_list_bid">\n{items}</ul>\n'
            f'<p class="pager"><script>Pager({{size: {total}, current: {index}, '
            "prefix: 'index', suffix: 'htm'});</script></p></div>\n</body></html>\n"
        )
        return html_page(html, self.newest_modified())

    def place(self, doc: Doc, number: int) -> None:
        tail = f"{doc.published:%Y%m}/t{doc.published:%Y%m%d}_{number}.htm"
        doc.site_id = str(number)
        doc.href = f"./{tail}"
        doc.url_path = self.prefix + self.directory + tail
        doc.paths = (doc.url_path,)
        doc.real_url = f"{self.scheme}://{self.host}{self.directory}{tail}"

    def render(self, doc: Doc, path: str) -> RenderedPage:
        return html_page(ccgp_pages.detail_page(doc, self.column_name), doc.last_modified)
