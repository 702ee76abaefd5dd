"""新点 (Epoint) static column pages: ``…/jyxx/002006/002006001/1.html``, ``2.html`` ….

Epoint's page generator writes each column as numbered static pages in the column's folder
(``1.html``, ``2.html`` …; the first page is also served as ``subPage.html``,
``moreinfo.html`` or the like). A row is ``<li class="ewb-list-node clearfix"><a
class="ewb-list-name" href="…" title="…">…</a><span class="ewb-list-date">2026-03-14</span>
</li>`` inside ``div.ewb-infolist`` / ``ul.ewb-list`` (older skins: ``li.ewb-com-item``, rows
under ``#categorypagingcontent``), and the pager says ``<span id="index">1/37</span>``.
Notices live at ``…/{categorynum path}/{YYYYMMDD}/{uuid}.html``; the uuid is the site's id.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html

from spiders.adapters.base import ListAdapter, ListItem, ListPage, register
from spiders.dates import date_from_url, parse_date

_PAGER = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_UUID = re.compile(r"/([0-9a-fA-F]{8}-[0-9a-fA-F-]{27,})\.html?$")
_ROW_CLASSES = ("ewb-list-node", "ewb-com-item", "ewb-info-item", "ewb-list-item")


@register("epoint_list")
class EpointListAdapter(ListAdapter):
    """Reads an Epoint column's static pages; page k (0-based) after the first is ``{k+1}.html``."""

    def page_url(self, entry_url: str, page_index: int) -> str:
        if page_index == 0:
            return entry_url
        folder = entry_url.split("?", 1)[0].rsplit("/", 1)[0]
        return f"{folder}/{page_index + 1}.html"

    def parse_list(self, url: str, text: str) -> ListPage:
        tree = lxml.html.document_fromstring(text)
        page = ListPage()
        seen: set[str] = set()
        for row in tree.iter("li"):
            if not _is_row(row):
                continue
            anchor = next((a for a in row.iter("a") if a.get("href")), None)
            if anchor is None:
                continue
            href = (anchor.get("href") or "").strip()
            if href.startswith(("javascript:", "#")):
                continue
            link = urljoin(url, href)
            if link in seen:
                continue
            seen.add(link)
            title = (anchor.get("title") or anchor.text_content()).strip() or None
            published = parse_date(_date_text(row)) or date_from_url(link)
            match = _UUID.search(link)
            page.items.append(
                ListItem(
                    link,
                    title,
                    published.date() if published else None,
                    match.group(1) if match else None,
                )
            )
        pager = tree.find(".//*[@id='index']")
        found = _PAGER.match(pager.text_content()) if pager is not None else None
        if found:
            page.page_index = int(found.group(1)) - 1
            page.total_pages = int(found.group(2))
        return page


def _is_row(row: lxml.html.HtmlElement) -> bool:
    """An Epoint list row: by its own class, its list's class, or the paged list's id."""
    own = row.get("class") or ""
    if any(name in own for name in _ROW_CLASSES):
        return True
    parent = row.getparent()
    holder = parent.getparent() if parent is not None else None
    for element in (parent, holder):
        if element is None:
            continue
        classes = element.get("class") or ""
        if element.get("id") == "categorypagingcontent" or re.search(
            r"\bewb-(?:list|infolist|info-list)\b", classes
        ):
            return True
    return False


def _date_text(row: lxml.html.HtmlElement) -> str:
    """The row's date: its date span if it has one, else the row's own text."""
    for span in row.iter("span", "em", "p", "div"):
        if "date" in (span.get("class") or "") or "time" in (span.get("class") or ""):
            return span.text_content()
    return row.text_content()
