"""湖南省政府采购网 (ccgp-hunan.gov.cn): the ``getNoticeList4Web.do`` POST form.

The site's notice list is a jQuery grid fed by a form POST that answers JSON ``rows`` with
upper-case column names (``NOTICE_ID``, ``NOTICE_TITLE``, ``NEWWORK_DATE`` …). A notice opens
at ``/page/notice/notice.jsp?noticeId=`` (a frame) and its text is
``/mvc/viewNoticeContent.do?noticeId=…&area_id=``. Whether the answer carries ``total`` is not
seen in public code: the pager uses it when present, and otherwise asks for the next page while
pages come back full; the page number travels in the request URL's fragment (never sent).
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urljoin

from spiders.adapters.base import (
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    epoch_to_datetime,
    register,
)
from spiders.dates import beijing_today, parse_date


@register("hunan_form")
class HunanFormAdapter(ListAdapter):
    DEFAULT_PAGE_SIZE = 18  # what the site's own list asks for
    OPTIONAL_OPTIONS = ("pType", "since")
    RECHECK_BY_URL = False  # the notice's own URL is a frame; its text is another page

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        today = beijing_today()
        since = self.since_option(today)
        form = {
            "pType": str(self.options.get("pType", "")),
            "prcmPrjName": "",
            "prcmItemCode": "",
            "prcmOrgName": "",
            "startDate": str(since),
            "endDate": today.isoformat(),
            "prcmPlanNo": "",
            "page": page_index + 1,
            "pageSize": self.page_size,
        }
        base = urldefrag(entry_url)[0]
        return PageRequest.form(f"{base}#page={page_index + 1}", form)

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
            shown = json.dumps(data, ensure_ascii=False)[:160]
            return ListPage(refused=("error", f"the notice list answered without rows: {shown}"))
        rows: list[dict[str, Any]] = data["rows"]
        base = urldefrag(url)[0]
        page = ListPage(items=[self._item(base, row) for row in rows if row.get("NOTICE_ID")])
        number = int(dict(parse_qsl(urldefrag(url)[1])).get("page", "1"))
        page.page_index = number - 1
        if data.get("total") is not None:
            page.total_pages = math.ceil(int(data["total"]) / self.page_size) or None
        elif len(rows) >= self.page_size:
            page.next_request = self.list_request(base, number)
        return page

    def _item(self, url: str, row: dict[str, Any]) -> ListItem:
        notice_id = str(row["NOTICE_ID"])
        published = parse_date(str(row.get("NEWWORK_DATE") or ""))
        stamp = row.get("NEWWORK_DATE_ALL")
        if published is None and isinstance(stamp, dict):
            published = epoch_to_datetime(stamp.get("time"))
        return ListItem(
            urljoin(url, f"/page/notice/notice.jsp?noticeId={notice_id}"),
            str(row.get("NOTICE_TITLE") or "").strip() or None,
            published.date() if published else None,
            notice_id,
            detail=PageRequest(
                urljoin(url, f"/mvc/viewNoticeContent.do?noticeId={notice_id}&area_id=")
            ),
        )
