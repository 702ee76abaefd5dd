"""Links that stand next to a date: the items of a list page, whatever its markup.

Used by the extractor (to recognise a list page) and by the list adapters (to read one).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

import lxml.html

from spiders.dates import find_dates

_SPACES = re.compile(r"\s+")
MIN_TITLE_CHARS = 4
MAX_HOLDER_CHARS = 400


@dataclass(frozen=True)
class DatedLink:
    url: str
    title: str
    date: date | None


def dated_links(
    root: lxml.html.HtmlElement,
    base_url: str,
    *,
    accept: Callable[[str], bool] | None = None,
    require_date: bool = True,
) -> list[DatedLink]:
    """Links under ``root`` whose parent or grandparent (a short element) holds a date.

    ``accept`` filters on the absolute URL; links to scripts and anchors are skipped; the first
    occurrence of a URL wins.
    """
    found: list[DatedLink] = []
    seen: set[str] = set()
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        title = _SPACES.sub(" ", anchor.get("title") or anchor.text_content()).strip()
        if len(title) < MIN_TITLE_CHARS:
            continue
        link = urljoin(base_url, href)
        if link in seen or (accept is not None and not accept(link)):
            continue
        day = _date_near(anchor)
        if day is None and require_date:
            continue
        seen.add(link)
        found.append(DatedLink(link, title, day))
    return found


def _date_near(anchor: lxml.html.HtmlElement) -> date | None:
    holder = anchor.getparent()
    for _ in range(2):
        if holder is None:
            return None
        text = _SPACES.sub(" ", holder.text_content())
        # An item's holder is short and holds its own link (and maybe one more, e.g. [PDF]);
        # a block of many links is a menu or the whole list, not one item.
        if len(text) > MAX_HOLDER_CHARS or sum(1 for _ in holder.iter("a")) > 2:
            return None
        dates = find_dates(text)
        if dates:
            return dates[0][1].date()
        holder = holder.getparent()
    return None
