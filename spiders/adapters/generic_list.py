"""Any list page of no known family: links that stand next to a date, and a 下一页 link."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import lxml.html

from spiders.adapters.base import ListAdapter, ListItem, ListPage, PageRequest, register
from spiders.links import dated_links


@register("generic_list")
class GenericListAdapter(ListAdapter):
    """Reads lists by structure alone; for sites whose CMS no adapter knows."""

    OPTIONAL_OPTIONS = ("next_text",)

    def page_url(self, entry_url: str, page_index: int) -> str:
        if page_index != 0:
            raise ValueError("generic lists are paged by their 下一页 link, not by number")
        return entry_url

    def parse_list(self, url: str, text: str) -> ListPage:
        tree = lxml.html.document_fromstring(text)
        host = urlsplit(url).netloc
        same_site = lambda link: urlsplit(link).netloc == host and link != url  # noqa: E731
        page = ListPage()
        for link in dated_links(tree, url, accept=same_site):
            page.items.append(ListItem(link.url, link.title, link.date))
        next_text = str(self.options.get("next_text", "下一页"))
        for anchor in tree.iter("a"):
            href = (anchor.get("href") or "").strip()
            if (
                anchor.text_content().strip() == next_text
                and href
                and not href.startswith(("javascript:", "#"))
            ):
                page.next_request = PageRequest(urljoin(url, href))
                break
        return page
