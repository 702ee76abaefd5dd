"""湖北省公共资源交易电子服务系统 (hbggzyfwpt.cn): the ``/jyxxAjax/{column}`` list JSON.

The site's 交易信息 columns (``/jyxx/jsgcZbgg`` 建设工程招标公告 …) fill their tables from a form
POST to ``/jyxxAjax/{column}`` (``pageSize=100&area=``), which answers ``{"{column}List":
[{"bulletinName", "bulletinIssueTime": "20260813093000" (or ``2026-08-14``), "guid" /
"tenderBulletinGuid", …}]}``: the newest rows only, the page number being ignored, so one
request is one run. A notice opens at ``/jyxx/{column}Detail?guid=…`` (a page its script fills)
and its text comes from ``/jyxxAjax/{column}Detail?guid=…`` as ``{"tender": {"bulletinName",
"bulletinIssueTime", "bulletinContent": "<html>", …}}``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

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

_COMPACT = re.compile(r"^((?:19|20)\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(\d{2})?")


@register("hubei_jyxx")
class HubeiJyxxAdapter(ListAdapter):
    DEFAULT_PAGE_SIZE = 100  # what public code asks for; the API has no second page
    OPTIONAL_OPTIONS = ("area",)
    PAGE_CAP = 1  # the API answers the newest rows whatever page is asked
    RECHECK_BY_URL = False  # the page a person opens is a shell; the text is the detail JSON

    @classmethod
    def check_entry_url(cls, url: str) -> None:
        if not re.fullmatch(r"/jyxxAjax/\w+", urlsplit(url).path):
            raise AdapterOptionsError(
                f"adapter 'hubei_jyxx' wants the list API …/jyxxAjax/{{column}}, not {url!r}"
            )

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        fields = {
            "pageSize": self.page_size,
            "area": self.options.get("area", ""),
        }
        request = PageRequest.form(entry_url.split("?")[0], fields)
        root = _root(entry_url)
        headers = {**request.headers, "Referer": f"{root}/jyxx/{_column(entry_url)}"}
        return PageRequest(request.url, "POST", request.body, headers)

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        column = _column(url)
        rows = data.get(f"{column}List") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            shown = json.dumps(data, ensure_ascii=False)[:160]
            return ListPage(refused=("error", f"the list answered without {column}List: {shown}"))
        root = _root(url)
        page = ListPage(total_pages=1)
        for row in rows:
            if not isinstance(row, dict):
                continue
            guid = str(row.get("guid") or row.get("tenderBulletinGuid") or "").strip()
            title = str(row.get("bulletinName") or "").strip()
            if not guid or not title:
                continue
            published = issue_time(row.get("bulletinIssueTime"))
            page.items.append(
                ListItem(
                    f"{root}/jyxx/{column}Detail?guid={quote(guid, safe='')}",
                    title,
                    published.date() if published else None,
                    guid,
                    detail=PageRequest(
                        f"{root}/jyxxAjax/{column}Detail?guid={quote(guid, safe='')}"
                    ),
                )
            )
        return page

    def detail_html(self, item: ListItem, text: str) -> str | None:
        tender = (json.loads(text) or {}).get("tender")
        if not isinstance(tender, dict) or not tender.get("bulletinContent"):
            raise ValueError("the detail answered without tender.bulletinContent")
        published = issue_time(tender.get("bulletinIssueTime"))
        return synthesized_page(
            title=str(tender.get("bulletinName") or "") or item.title,
            published=published or item.date,
            body_html=str(tender["bulletinContent"]),
        )


def issue_time(value: Any) -> datetime | None:
    """``20260813093000`` (the list), or a date string (``2026-08-14``)."""
    raw = str(value or "").strip()
    compact = _COMPACT.match(raw)
    if compact:
        parts = [int(g) for g in compact.groups() if g is not None]
        try:
            return datetime(*parts)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
    return parse_date(raw)


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _column(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
