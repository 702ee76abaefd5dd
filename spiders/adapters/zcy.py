"""政采云 (ZCY) procurement portals: ``POST /portal/category`` JSON list, ``/portal/detail`` JSON.

Every ZCY province seen in public code since 2023 (安徽, 广西, 贵州, 吉林, 青海, 山西, 新疆, 上海,
浙江) lists notices through ``POST {host}/portal/category`` with a JSON body and serves each
notice's text from ``GET {host}/portal/detail?articleId=…``; the older ``/front/search/category``
appears only in code of 2020–2021. A person opens a notice at the Vue page
``/site/detail?parentId=…&articleId=…``, which holds no text until its scripts run, so that page is
the document's identity and the detail API is where its content comes from.

Category codes differ between sites (``ZcyAnnouncement2`` is 采购公告 on 上海 and 吉林
but 结果公告 on 广西; 浙江 uses ``110-978863``, 安徽 ``anhuiCategory102``): each source names
its own. Article ids are base64 (``Y1Xs+Ya9sqZiYbm5sKeVqQ==``): they are percent-encoded
whole, never left with a raw ``+``.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

from spiders.adapters.base import (
    AdapterOptionsError,
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    epoch_to_datetime,
    register,
    synthesized_page,
)

LIST_PATH = "/portal/category"
DETAIL_PATH = "/portal/detail"
DEFAULT_PAGE_SIZE = 15  # what the sites' own lists ask for
# Body fields some sites' own pages send besides the paging, copied from the source's options.
_BODY_OPTIONS = ("districtCode", "isProvince", "isGov", "excludeDistrictPrefix")


@register("zcy")
class ZcyAdapter(ListAdapter):
    REQUIRED_OPTIONS = ("categoryCode", "parentId")
    OPTIONAL_OPTIONS = ("pageSize", *_BODY_OPTIONS)
    RECHECK_BY_URL = False  # the notice's page is a script shell; its text is the detail API's

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> None:
        super().check_options(options)
        size = options.get("pageSize", DEFAULT_PAGE_SIZE)
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= 100:
            raise AdapterOptionsError(
                f"adapter 'zcy' options.pageSize must be 1 to 100, not {size!r}"
            )
        for name in ("districtCode", "excludeDistrictPrefix"):
            value = options.get(name)
            if value is not None and not (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            ):
                raise AdapterOptionsError(
                    f"adapter 'zcy' options.{name} must be a list of strings, not {value!r}"
                )
        for name in ("isProvince", "isGov"):
            if name in options and not isinstance(options[name], bool):
                raise AdapterOptionsError(
                    f"adapter 'zcy' options.{name} must be true or false, not {options[name]!r}"
                )

    @classmethod
    def check_entry_url(cls, url: str) -> None:
        if urlsplit(url).path != LIST_PATH:
            raise AdapterOptionsError(
                f"adapter 'zcy' lists at {{host}}{LIST_PATH}, not {url!r} "
                "(the old /front/search/category is gone)"
            )

    @property
    def page_size(self) -> int:
        return int(self.options.get("pageSize", DEFAULT_PAGE_SIZE))

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        body: dict[str, Any] = {
            "pageNo": page_index + 1,
            "pageSize": self.page_size,
            "categoryCode": self.options["categoryCode"],
        }
        body.update({name: self.options[name] for name in _BODY_OPTIONS if name in self.options})
        body["_t"] = int(time.time() * 1000)  # the pages' own cache buster, in milliseconds
        request = PageRequest.json_post(entry_url, body)
        return replace(request, headers={**request.headers, **self._page_headers(entry_url)})

    def _page_headers(self, url: str) -> dict[str, str]:
        """The Origin and Referer of the site's own category page, as its script sends them."""
        root = _root(url)
        parent = quote(str(self.options["parentId"]), safe="")
        return {
            "Origin": root,
            "Referer": f"{root}/site/category?parentId={parent}&childrenCode=ZcyAnnouncement",
            "Accept": "application/json, text/plain, */*",
        }

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        if data.get("success") is not True:
            reason = data.get("error") or data.get("message") or "success is not true"
            return ListPage(refused=("error", f"ZCY list answered: {reason}"[:200]))
        result = (data.get("result") or {}).get("data") or {}
        root = _root(url)
        parent = quote(str(self.options["parentId"]), safe="")
        page = ListPage()
        for article in result.get("data") or []:
            article_id = str(article.get("articleId") or "")
            if not article_id:
                continue
            encoded = quote(article_id, safe="")
            published = epoch_to_datetime(article.get("publishDate"))
            detail = PageRequest(
                f"{root}{DETAIL_PATH}?articleId={encoded}&parentId={parent}",
                headers=self._page_headers(url),
            )
            page.items.append(
                ListItem(
                    f"{root}/site/detail?parentId={parent}&articleId={encoded}",
                    article.get("title"),
                    published.date() if published else None,
                    article_id,
                    detail=detail,
                )
            )
        total = int(result.get("total") or 0)
        page.total_pages = math.ceil(total / self.page_size) if total else None
        return page

    def detail_html(self, item: ListItem, text: str) -> str | None:
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("success") is not True:
            reason = data.get("error") if isinstance(data, dict) else None
            raise ValueError(f"ZCY detail answered: {reason or 'success is not true'}"[:200])
        article = (data.get("result") or {}).get("data")
        if not isinstance(article, dict):
            raise ValueError("ZCY detail answered no article (result.data is empty)")
        return synthesized_page(
            title=article.get("title") or item.title,
            published=epoch_to_datetime(article.get("publishDate")) or item.date,
            body_html=str(article.get("content") or ""),
            metas={"ContentSource": article.get("author")},
        )


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
