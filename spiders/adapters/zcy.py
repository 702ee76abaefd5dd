"""政采云 (ZCY) procurement sites: ``front/search/category`` JSON list, JSON detail API."""

from __future__ import annotations

import hashlib
import json
import math
from urllib.parse import parse_qs, urljoin, urlsplit

from spiders.adapters.base import (
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    epoch_to_datetime,
    register,
    synthesized_page,
)


@register("zcy")
class ZcyAdapter(ListAdapter):
    REQUIRED_OPTIONS = ("categoryCode",)
    OPTIONAL_OPTIONS = ("pageSize",)
    RECHECK_BY_URL = False  # content comes from the detail API

    @property
    def page_size(self) -> int:
        return int(self.options.get("pageSize", 15))

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        # The site's front end sends a tracking token; a stable one per category will do.
        token = hashlib.md5(str(self.options["categoryCode"]).encode()).hexdigest()
        return PageRequest.json_post(
            entry_url,
            {
                "categoryCode": self.options["categoryCode"],
                "pageNo": page_index + 1,
                "pageSize": self.page_size,
                "utm": f"sites_group_front.2ef5001f.0.0.{token}",
            },
        )

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        if not data.get("success", True):
            return ListPage(refused=("error", f"API answered: {data.get('error') or data}"[:200]))
        result = (data.get("result") or {}).get("data") or {}
        page = ListPage()
        root = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
        for article in result.get("data") or []:
            article_id = str(article.get("articleId") or "")
            link = urljoin(
                root, str(article.get("url") or f"/portal/detail?articleId={article_id}")
            )
            published = epoch_to_datetime(article.get("publishDate"))
            detail = PageRequest(
                f"{root}/portal/detail?articleId={article_id or _article_id(link)}"
            )
            page.items.append(
                ListItem(
                    link,
                    article.get("title"),
                    published.date() if published else None,
                    article_id or None,
                    detail=detail,
                )
            )
        total = int(result.get("total") or 0)
        page.total_pages = math.ceil(total / self.page_size) if total else None
        return page

    def detail_html(self, item: ListItem, text: str) -> str | None:
        data = json.loads(text)
        article = (data.get("result") or {}).get("data") or {}
        return synthesized_page(
            title=article.get("title") or item.title,
            published=epoch_to_datetime(article.get("publishDate")) or item.date,
            body_html=str(article.get("content") or ""),
            metas={"ContentSource": article.get("author"), "SiteName": article.get("districtName")},
        )


def _article_id(url: str) -> str:
    return (parse_qs(urlsplit(url).query).get("articleId") or [""])[0]
