"""山东省政府采购网 (ccgp-shandong.gov.cn): the Vue site's JSON API on port 8087.

The site's pages hold no content; its scripts POST ``/api/website/site/getListByCode`` with a
JSON body naming a column (``colCode``: 0301 采购公告, 0302 结果公告, 2500 意向公开 …) and read
``data.data.records`` inside two wrappers (``{"status": 200, "data": {"code": 100, "data":
{…}}}``). A notice's text comes from ``getDetail?id=…&colCode=…`` as base64 of an HTML page in
GBK without a charset declaration. The page a person opens is the app's ``/detail?id=…``.
The image captcha guards the site's own search form, not this list.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

from spiders.adapters.base import (
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    register,
    synthesized_page,
)
from spiders.dates import parse_date

OK_CODE = 100
BUSY_CODE = 999  # "请稍后重试": the API's own rate limit
DETAIL_PATH = "/api/website/site/getDetail"
_CHARSET = re.compile(rb"charset=[\"']?([A-Za-z0-9_\-]+)", re.I)


@register("shandong_api")
class ShandongApiAdapter(ListAdapter):
    DEFAULT_PAGE_SIZE = 20
    REQUIRED_OPTIONS = ("colCode",)
    OPTIONAL_OPTIONS = ("area",)
    RECHECK_BY_URL = False  # the page a person opens is a script shell; text is in getDetail

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        # The body the site's home-page list sends (seen working without a captcha).
        payload = {
            "colCode": str(self.options["colCode"]),
            "area": str(self.options.get("area", "")),
            "currentPage": page_index + 1,
            "pageSize": self.page_size,
            "homePage": 1,
        }
        request = PageRequest.json_post(entry_url, payload)
        site = _site_root(entry_url)
        headers = {**request.headers, "Origin": site, "Referer": f"{site}/"}
        return PageRequest(request.url, request.method, request.body, headers)

    def parse_list(self, url: str, text: str) -> ListPage:
        body, refusal = _unwrap(json.loads(text))
        if refusal is not None:
            return ListPage(refused=refusal)
        api = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
        site = _site_root(url)
        page = ListPage()
        for record in body.get("records") or []:
            notice_id = str(record.get("id") or "")
            if not notice_id:
                continue
            column = str(record.get("colCode") or self.options["colCode"])
            published = parse_date(str(record.get("date") or ""))
            query = urlencode({"id": notice_id, "colCode": column})
            page.items.append(
                ListItem(
                    f"{site}/detail?{query}",
                    str(record.get("title") or "").strip() or None,
                    published.date() if published else None,
                    notice_id,
                    detail=PageRequest(f"{api}{DETAIL_PATH}?{query}&oldData=0"),
                )
            )
        pages = body.get("pages")
        total = body.get("total")
        if pages is not None:
            page.total_pages = int(pages) or None
        elif total is not None:
            page.total_pages = math.ceil(int(total) / self.page_size) or None
        return page

    def detail_html(self, item: ListItem, text: str) -> str | None:
        notice, refusal = _unwrap(json.loads(text))
        if refusal is not None:
            raise ValueError(f"getDetail answered {refusal[1]}")
        published = parse_date(str(notice.get("date") or ""))
        return synthesized_page(
            title=str(notice.get("title") or "") or item.title,
            published=published or item.date,
            body_html=_decoded_body(str(notice.get("body") or "")),
            metas={"ContentSource": notice.get("userName")},
        )


def _unwrap(payload: Any) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """The business body inside ``{status, data: {code, message, data}}``, or a refusal."""
    if not isinstance(payload, dict):
        raise ValueError("the answer is not a JSON object")
    status = payload.get("status")
    outer = payload.get("data")
    if status not in (None, 200) or not isinstance(outer, dict):
        return {}, ("error", f"the API answered status {status}: {payload.get('message')}")
    code = outer.get("code")
    if code == BUSY_CODE:
        return {}, (
            "rate_limited",
            f"the API asks to retry later (code 999: {outer.get('message')})",
        )
    if code not in (None, OK_CODE):
        return {}, ("error", f"the API answered code {code}: {outer.get('message')}")
    inner = outer.get("data")
    if not isinstance(inner, dict):
        raise ValueError("no data object inside the answer")
    return inner, None


def _decoded_body(value: str) -> str:
    """The notice's HTML: base64 of GBK (or UTF-8) bytes, as the site's SiteBody decodes it."""
    if not value or "<" in value:
        return value
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return ""
    declared = _CHARSET.search(raw[:1024])
    encodings = [declared.group(1).decode("ascii")] if declared else []
    for encoding in [*encodings, "utf-8", "gb18030"]:
        try:
            return raw.decode("gb18030" if encoding.lower() in ("gbk", "gb2312") else encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("gb18030", "replace")


def _site_root(api_url: str) -> str:
    """The site a person opens: the API's host without its port."""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.hostname}"
