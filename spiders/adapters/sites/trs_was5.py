"""TRS WAS5 full-text search: ``/was5/web/search?channelid=…&searchword=…&page=…&perpage=…``.

吉林 (``was.jl.gov.cn``, the list scripts of ``www.jl.gov.cn/ggzy``) and 辽宁 (``ggzy.ln.gov.cn``)
list their trading notices through a TRS WAS5 search: a GET naming the search's channel
(``channelid``), a TRS query (``searchword``, e.g. ``DOCCHANNEL='149559'``), the page from 1
and the page size (``perpage``; 吉林's scripts spell it ``prepage``). The answer is JSON — or
JSONP when the query names a ``callback`` (吉林: ``result({…})``) — holding ``datas``, one
record per document, whose field names are the site's template's: 辽宁 ``DOCTITLE``,
``DOCRELTIME`` (``2026-08-13 …``), ``DOCPUBURL`` (absolute); 吉林 ``title``, ``timestamp``
(``2023.06.14``), ``docpuburl`` (absolute or root-relative), ``iType`` (公告类型). The entry
URL is the search itself; page k (0-based) replaces its ``page`` with k+1.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

from spiders.adapters.base import AdapterOptionsError, ListAdapter, ListItem, ListPage, register
from spiders.dates import parse_date

DEFAULT_PAGE_SIZE = 20
SIZE_PARAMS = ("perpage", "prepage")
TITLE_FIELDS = ("DOCTITLE", "title", "doctitle")
DATE_FIELDS = ("DOCRELTIME", "timestamp", "docreltime")
URL_FIELDS = ("DOCPUBURL", "docpuburl")
COUNT_FIELDS = ("recordnum", "RECORDNUM", "count")
_JSONP = re.compile(r"^\s*[\w.$]+\s*\((.*)\)\s*;?\s*$", re.S)


@register("trs_was5")
class TrsWas5Adapter(ListAdapter):
    OPTIONAL_OPTIONS = ("link_base",)

    @classmethod
    def check_entry_url(cls, url: str) -> None:
        query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
        if not urlsplit(url).path.endswith("/was5/web/search") or not query.get("channelid"):
            raise AdapterOptionsError(
                f"adapter 'trs_was5' wants the search URL …/was5/web/search?channelid=…, "
                f"not {url!r}"
            )

    def page_url(self, entry_url: str, page_index: int) -> str:
        parts = urlsplit(entry_url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "page"]
        query.insert(1, ("page", str(page_index + 1)))
        return urlunsplit((*parts[:3], urlencode(query, quote_via=quote), ""))

    def parse_list(self, url: str, text: str) -> ListPage:
        match = _JSONP.match(text)
        data = json.loads(match.group(1) if match else text)
        if not isinstance(data, dict) or not isinstance(data.get("datas"), list):
            raise ValueError("the search answered without a datas list")
        base = str(self.options.get("link_base") or "")
        page = ListPage()
        for record in data["datas"]:
            if not isinstance(record, dict):
                continue
            link = _first(record, URL_FIELDS)
            title = re.sub(r"<[^>]+>", "", _first(record, TITLE_FIELDS)).strip()
            if not link or not title:
                continue
            published = parse_date(_first(record, DATE_FIELDS))
            page.items.append(
                ListItem(
                    _absolute(base or url, link, bool(base)),
                    title,
                    published.date() if published else None,
                )
            )
        query = dict(parse_qsl(urlsplit(url).query))
        number = int(query.get("page") or 1)
        page.page_index = number - 1
        size = next((int(query[p]) for p in SIZE_PARAMS if query.get(p, "").isdigit()), 0)
        count = next((data[f] for f in COUNT_FIELDS if str(data.get(f, "")).isdigit()), None)
        if count is not None and size:
            page.total_pages = math.ceil(int(count) / size) or None
        elif len(data["datas"]) >= (size or DEFAULT_PAGE_SIZE):
            page.next_request = self.list_request(url, number)  # *guess*: no count, page on
        return page


def _first(record: dict[str, Any], names: tuple[str, ...]) -> str:
    for name in names:
        value = record.get(name)
        if value not in (None, ""):
            return str(value)
    return ""


def _absolute(base: str, link: str, under: bool) -> str:
    """A record's link: absolute as given, else under option ``link_base`` (吉林's are relative
    to its /ggzy/ section), else relative to the search."""
    if urlsplit(link).scheme:
        return link
    if under:
        return base.rstrip("/") + "/" + link.lstrip("/")
    return urljoin(base, link)
