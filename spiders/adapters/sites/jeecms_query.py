"""JEECMS trading platforms' search form: ``queryContent_{N}-jyxx.jspx`` (山西, 天津).

Both 山西 (``prec.sxzwfw.gov.cn``) and 天津 (``ggzy.zwfwb.tj.gov.cn``) list their 交易信息 through
one JEECMS action: page N is ``…/queryContent_{N}-jyxx.jspx`` (the first page also answers as
``queryContent-jyxx.jspx``) with the form fields ``title``, ``inDates``, ``ext``, ``origin``,
``channelId``, ``beginTime``, ``endTime`` — POSTed on 山西, sent as a query on 天津 — and it
answers an HTML page whose rows link ``…/{column}/{id}.jhtml``. The skins differ: 山西's row is
``<a class="cs_two_c_2" href="…"><p class="cs_bz_cont">title</p>…<span
class="cs_bz_cont_1_time">date</span></a>`` with ``,count: N`` in its pager script; 天津's is
``<div class="article-list3-t"><a url="http://…:80/jyxxcggg/1005397.jhtml">title</a><div
class="list-times">date</div></div>`` with ``1/N页`` in ``div.page-list``. 天津 opens a notice
only at its id encrypted by the site's script (AES-128-ECB with a key in that script, PKCS#7,
base64 without its ``==``, ``/`` written ``^``); option ``link_key`` names the key.
"""

from __future__ import annotations

import base64
import math
import re
from datetime import date
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from spiders.adapters.base import (
    AdapterOptionsError,
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    register,
)
from spiders.dates import find_dates

_ACTION = re.compile(r"/queryContent(?:_\d+)?-(\w+)\.jspx$")
_CONTENT = re.compile(r"^/(?:[\w-]+/)+(\d+)\.jhtml$")  # a JEECMS content page: /{column}/{id}
_PAGES = re.compile(r"/\s*(\d+)\s*页")
_COUNT = re.compile(r"\bcount\s*:\s*(\d+)")
_SPACES = re.compile(r"\s+")
MAX_ROW_CHARS = 600


def encrypted_id(content_id: str, key: str) -> str:
    """天津's link for a content id: AES-128-ECB(key), PKCS#7, base64 without '==', '/' → '^'."""
    padder = padding.PKCS7(128).padder()
    block = padder.update(content_id.encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key.encode()), modes.ECB()).encryptor()
    sealed = encryptor.update(block) + encryptor.finalize()
    return base64.b64encode(sealed).decode("ascii")[:-2].replace("/", "^")


@register("jeecms_query")
class JeecmsQueryAdapter(ListAdapter):
    DEFAULT_PAGE_SIZE = 10  # 山西's script pages its count by ten
    REQUIRED_OPTIONS = ("channelId",)
    OPTIONAL_OPTIONS = ("method", "inDates", "form", "title_class", "link_key")

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> None:
        super().check_options(options)
        if options.get("method", "POST") not in ("GET", "POST"):
            raise AdapterOptionsError(
                f"adapter 'jeecms_query' options.method must be GET or POST, "
                f"not {options['method']!r}"
            )
        if not isinstance(options.get("form", {}), dict):
            raise AdapterOptionsError("adapter 'jeecms_query' options.form must be a table")
        key = options.get("link_key")
        if key is not None and (not isinstance(key, str) or len(key.encode()) not in (16, 24, 32)):
            raise AdapterOptionsError(
                "adapter 'jeecms_query' options.link_key must be an AES key of 16, 24 or 32 bytes"
            )

    @classmethod
    def check_entry_url(cls, url: str) -> None:
        if not _ACTION.search(urlsplit(url).path):
            raise AdapterOptionsError(
                f"adapter 'jeecms_query' wants the search action …/queryContent-jyxx.jspx, "
                f"not {url!r}"
            )

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        parts = urlsplit(entry_url)
        path = parts.path
        if page_index:
            suffix = _ACTION.search(path)
            assert suffix is not None  # check_entry_url
            path = path[: suffix.start()] + f"/queryContent_{page_index + 1}-{suffix.group(1)}.jspx"
        fields = {
            "title": "",
            "inDates": str(self.options.get("inDates", "")),
            "ext": "",
            "origin": "",
            "channelId": str(self.options["channelId"]),
            "beginTime": "",
            "endTime": "",
            **{str(k): str(v) for k, v in dict(self.options.get("form", {})).items()},
        }
        # The search page itself as Referer, as a browser submitting its form sends.
        referer = {"Referer": urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))}
        if self.options.get("method", "POST") == "GET":
            query = urlencode(fields)
            return PageRequest(urlunsplit((*parts[:2], path, query, "")), headers=referer)
        url = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        form = PageRequest.form(url, fields)  # a plain form post: no X-Requested-With
        headers = {"Content-Type": form.headers["Content-Type"], **referer}
        return PageRequest(url, "POST", form.body, headers)

    def parse_list(self, url: str, text: str) -> ListPage:
        tree = lxml.html.document_fromstring(text)
        site = urlsplit(url)
        page = ListPage()
        seen: set[str] = set()
        title_class = str(self.options.get("title_class") or "")
        for anchor in tree.iter("a"):
            target = (anchor.get("url") or anchor.get("href") or "").strip()
            link = urlsplit(urljoin(url, target))
            found = _CONTENT.match(link.path)
            if not found or (link.hostname or "") != site.hostname:
                continue
            content_id = found.group(1)
            if content_id in seen:
                continue
            title = _title(anchor, title_class)
            if not title:
                continue
            seen.add(content_id)
            path = link.path
            if self.options.get("link_key"):
                path = path[: found.start(1)] + encrypted_id(content_id, self.options["link_key"])
                path += ".jhtml"
            published = _row_date(anchor)
            page.items.append(
                ListItem(
                    # The site's own host and scheme: rows say http://host:80/ whatever was asked.
                    urlunsplit((site.scheme, site.netloc, path, "", "")),
                    title,
                    published,
                    content_id,
                )
            )
        page.total_pages = _page_count(text, self.page_size)
        return page


def _title(anchor: lxml.html.HtmlElement, title_class: str) -> str:
    if title_class:
        for element in anchor.iter():
            if title_class in (element.get("class") or "").split():
                return _SPACES.sub(" ", element.text_content()).strip()
        return ""
    return _SPACES.sub(" ", anchor.get("title") or anchor.text_content()).strip()


def _row_date(anchor: lxml.html.HtmlElement) -> date | None:
    """The row's date: the last in the link's own text (山西: title, place, date), else in its
    holder's (天津: the link, then div.list-times); a holder of several links is no row."""
    holder: lxml.html.HtmlElement | None = anchor
    for _ in range(3):
        if holder is None:
            return None
        text = _SPACES.sub(" ", holder.text_content())
        if len(text) > MAX_ROW_CHARS or sum(1 for _ in holder.iter("a")) > 2:
            return None
        dates = find_dates(text)
        if dates:
            return dates[-1][1].date()
        holder = holder.getparent()
    return None


def _page_count(text: str, page_size: int) -> int | None:
    pages = _PAGES.search(text)
    if pages:
        return int(pages.group(1)) or None
    count = _COUNT.search(text)
    if count:
        return math.ceil(int(count.group(1)) / page_size) or None
    return None
