"""gpcms / maincms procurement sites: ``GET /gpcms/rest/web/v2/info/selectInfoForIndex``.

The Vue front ends at ``/maincms-web/…`` of 广东 (gdgpo.czt.gd.gov.cn), 黑龙江 (hljcg.hlj.gov.cn),
四川 (www.ccgp-sichuan.gov.cn) and 福建 (zfcg.czt.fujian.gov.cn) fetch their notice lists from
``selectInfoForIndex``; 内蒙古 uses the sibling ``selectInfoMoreChannel``. Both take the same query
(``siteId``, ``channel``, ``currPage``, ``pageSize``, ``noticeType``, ``verifyCode`` …) and answer
``{"code": "200", "msg": "操作成功", "data": {"rows": [...], "total": N}}``. A notice's text is
``GET /gpcms/rest/web/v2/info/getInfoById?id=…`` (``data.content``, HTML).

Several of these sites want an image captcha (``verifyCode``, from ``/index/getVerify``) on every
list query. govwatch solves none: such a site answers a code other than ``"200"`` with a message
about the 验证码, which this adapter reports as a captcha refusal (the source is ``blocked``),
never as an empty list. Any other code is an error refusal.

A person opens a notice at a per-site page of the front end (``/maincms-web/noticeGd?…``,
``noticeHlj``, ``articleNm``, ``article``, ``articleDetail``): the source names it in
``articleUrl``, a template over the row's fields.
"""

from __future__ import annotations

import json
import math
import string
import time
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from spiders.adapters.base import (
    AdapterOptionsError,
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    register,
    synthesized_page,
)
from spiders.dates import parse_date

API_PATH = "/gpcms/rest/web/v2/info/"
LIST_ENDPOINTS = ("selectInfoForIndex", "selectInfoMoreChannel")
DETAIL_PATH = API_PATH + "getInfoById"
DEFAULT_PAGE_SIZE = 10  # the page size public code verified on 四川 and 黑龙江
# Row fields an articleUrl template may name.
ARTICLE_FIELDS = ("id", "planId", "noticeType", "openTenderCode")


@register("gpcms")
class GpcmsAdapter(ListAdapter):
    REQUIRED_OPTIONS = ("siteId", "channel", "articleUrl")
    OPTIONAL_OPTIONS = ("pageSize", "noticeType", "regionCode", "cityOrArea")
    RECHECK_BY_URL = False  # the notice's page is a script shell; its text is getInfoById's

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> None:
        super().check_options(options)
        size = options.get("pageSize", DEFAULT_PAGE_SIZE)
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 100:
            raise AdapterOptionsError(
                f"adapter 'gpcms' options.pageSize must be 1 to 100, not {size!r}"
            )
        template = str(options["articleUrl"])
        if not template.startswith("/"):
            raise AdapterOptionsError(
                f"adapter 'gpcms' options.articleUrl must be a path on the site, not {template!r}"
            )
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
        except ValueError as exc:
            raise AdapterOptionsError(f"adapter 'gpcms' options.articleUrl: {exc}") from None
        unknown = [name for name in names if name not in ARTICLE_FIELDS]
        if unknown or "id" not in names:
            raise AdapterOptionsError(
                f"adapter 'gpcms' options.articleUrl must name {{id}} and only row fields "
                f"({', '.join(ARTICLE_FIELDS)}), not {template!r}"
            )

    @classmethod
    def check_entry_url(cls, url: str) -> None:
        path = urlsplit(url).path
        if not any(path == API_PATH + endpoint for endpoint in LIST_ENDPOINTS):
            raise AdapterOptionsError(
                f"adapter 'gpcms' lists at {{host}}{API_PATH}selectInfoForIndex (or "
                f"selectInfoMoreChannel), not {url!r}"
            )

    @property
    def page_size(self) -> int:
        return int(self.options.get("pageSize", DEFAULT_PAGE_SIZE))

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        # The query the sites' own list pages send, empty filters included.
        query = {
            "siteId": self.options["siteId"],
            "channel": self.options["channel"],
            "currPage": page_index + 1,
            "pageSize": self.page_size,
            "noticeType": self.options.get("noticeType", ""),
            "regionCode": self.options.get("regionCode", ""),
            "cityOrArea": self.options.get("cityOrArea", ""),
            "title": "",
            "region": "",
            "purchaseManner": "",
            "openTenderCode": "",
            "purchaser": "",
            "agency": "",
            "purchaseNature": "",
            "operationStartTime": "",
            "operationEndTime": "",
            "selectTimeName": "noticeTime",
            "verifyCode": "",
            "_t": int(time.time() * 1000),
        }
        return PageRequest(f"{entry_url.split('?')[0]}?{urlencode(query)}", headers=_HEADERS)

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        refusal = _refusal(data)
        if refusal is not None:
            return ListPage(refused=refusal)
        found = data.get("data") or {}
        root = _root(url)
        template = str(self.options["articleUrl"])
        page = ListPage()
        for row in found.get("rows") or []:
            row_id = str(row.get("id") or "")
            if not row_id:
                continue
            fields = {name: quote(str(row.get(name) or ""), safe="") for name in ARTICLE_FIELDS}
            published = parse_date(str(row.get("noticeTime") or ""))
            page.items.append(
                ListItem(
                    root + template.format(**fields),
                    row.get("title"),
                    published.date() if published else None,
                    row_id,
                    detail=PageRequest(f"{root}{DETAIL_PATH}?id={fields['id']}", headers=_HEADERS),
                )
            )
        total = int(found.get("total") or 0)
        page.total_pages = math.ceil(total / self.page_size) if total else None
        return page

    def detail_html(self, item: ListItem, text: str) -> str | None:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        refusal = _refusal(data)
        if refusal is not None:
            raise ValueError(refusal[1])
        notice = data.get("data")
        if not isinstance(notice, dict):
            raise ValueError("gpcms getInfoById answered no notice (data is empty)")
        return synthesized_page(
            title=notice.get("title") or item.title,
            published=parse_date(str(notice.get("noticeTime") or "")) or item.date,
            body_html=str(notice.get("content") or ""),
            metas={"ContentSource": notice.get("author") or notice.get("purchaser")},
        )


_HEADERS = {"Accept": "application/json, text/plain, */*"}


def _refusal(data: dict[str, Any]) -> tuple[str, str] | None:
    """A captcha or error refusal for an answer whose code is not "200", else None."""
    code = str(data.get("code", ""))
    if code == "200":
        return None
    message = str(data.get("msg") or data.get("message") or "")
    if "验证码" in message or "verify" in message.lower():
        return ("captcha", f"gpcms asks for a captcha (code {code}: {message})"[:200])
    return ("error", f"gpcms answered code {code or '(none)'}: {message}"[:200])


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
