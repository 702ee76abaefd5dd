"""全国公共资源交易平台 (ggzy.gov.cn): the ``getTradList`` POST API.

Quirks handled: risk-control codes in the answer (829 captcha, 800 too frequent, 804 refine),
and a keyword with no hit returning the whole unfiltered list, so titles are re-filtered.
"""

from __future__ import annotations

import json
import math
from urllib.parse import urljoin

from spiders.adapters.base import ListAdapter, ListItem, ListPage, PageRequest, register
from spiders.dates import parse_date

RISK_CODES = {
    829: ("captcha", "ggzy asks for a captcha (code 829)"),
    800: ("rate_limited", "ggzy says requests are too frequent (code 800)"),
    804: ("error", "ggzy asks to refine the query (code 804)"),
}
PAGE_SIZE = 10


@register("ggzy")
class GgzyAdapter(ListAdapter):
    OPTIONAL_OPTIONS = ("keyword", "deal_time", "form", "filter_titles")
    RECHECK_BY_URL = False  # content comes from the /html/b/ frame, not the page's own URL

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        form = {
            "FINDTXT": self.options.get("keyword", ""),
            "DEAL_TIME": self.options.get("deal_time", "04"),
            "PAGENUMBER": page_index + 1,
            **dict(self.options.get("form", {})),
        }
        return PageRequest.form(entry_url, form)

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        code = int(data.get("code") or 200)
        if code in RISK_CODES:
            return ListPage(refused=RISK_CODES[code])
        body = data.get("data") or {}
        keyword = str(self.options.get("keyword") or "")
        keep_all = not keyword or not self.options.get("filter_titles", True)
        page = ListPage()
        for record in body.get("records") or []:
            title = str(record.get("title") or "")
            link = record.get("url")
            if not link or not (keep_all or keyword in title):
                continue
            absolute = urljoin(url, str(link))
            published = parse_date(str(record.get("publishTime") or ""))
            page.items.append(
                ListItem(
                    absolute,
                    title,
                    published.date() if published else None,
                    str(record.get("id") or "") or None,
                    detail=PageRequest(absolute.replace("/html/a/", "/html/b/")),
                )
            )
        pages = body.get("pages")
        total = int(body.get("total") or 0)
        page.total_pages = int(pages) if pages else (math.ceil(total / PAGE_SIZE) or None)
        return page
