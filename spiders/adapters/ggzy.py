"""全国公共资源交易平台 (ggzy.gov.cn): the ``getTradList`` form, walked in date windows.

The API answers at most 1,000 results for one query and says nothing when it cuts (``total``
stops at 1000). So one channel (one ``DEAL_CLASSIFY``: 01 工程建设, 02 政府采购 …) is read as a
backward sweep of date windows (``DEAL_TIME=06`` with ``TIMEBEGIN``/``TIMEEND``), newest first:
a window whose first page reaches the cap is asked again as its newer half, and a quiet window
makes the next one twice as long. A one-day window still at the cap cannot be split: it is read
as far as the API goes and counted in the crawl's stats (``windows_at_result_cap``).

Which window and page an answer belongs to travels in the request URL's fragment, which is
never sent: the adapter stays stateless and ``parse_list`` sees it in the URL it is given.
A channel is one entry URL whose fragment holds its fixed form fields, e.g.
``…/getTradList#DEAL_CLASSIFY=02``; each channel is its own list, so a run stops in one channel
at known documents without stopping the others.

Other quirks: risk-control codes in the answer (829 captcha, 800 too frequent, 801 error, 804
refine the query), and a keyword with no hit returning the whole unfiltered list, so titles are
re-filtered and such an answer counts as an empty window.
"""

from __future__ import annotations

import json
import math
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin

from spiders.adapters.base import (
    AdapterOptionsError,
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    register,
)
from spiders.dates import beijing_today, newer_half, older_window, parse_date

RISK_CODES = {
    829: ("captcha", "ggzy asks for a captcha (code 829)"),
    800: ("rate_limited", "ggzy says requests are too frequent (code 800)"),
    801: ("error", "ggzy answered an error (code 801)"),
    804: ("error", "ggzy asks to refine the query (code 804)"),
}
PAGE_SIZE = 20  # fixed by the site
RESULT_CAP = 1000  # the most one query answers; `total` stops there
MAX_WINDOW_DAYS = 365
CUSTOM_RANGE = "06"  # DEAL_TIME for TIMEBEGIN/TIMEEND
# Fields the site's own list page sends with their "all" values (a channel's fragment or the
# `form` option overrides them). DEAL_CLASSIFY 00 ("all") answers nothing: a channel names one.
FORM_DEFAULTS = {
    "SOURCE_TYPE": "1",
    "DEAL_STAGE": "0000",
    "DEAL_PROVINCE": "0",
    "DEAL_CITY": "0",
    "DEAL_PLATFORM": "0",
    "BID_PLATFORM": "0",
    "DEAL_TRADE": "0",
    "isShowAll": "1",
}
WINDOW_FIELDS = ("TIMEBEGIN", "TIMEEND", "PAGENUMBER")


@register("ggzy")
class GgzyAdapter(ListAdapter):
    OPTIONAL_OPTIONS = ("keyword", "since", "window_days", "form", "filter_titles")
    RECHECK_BY_URL = False  # content comes from the /html/b/ frame, not the page's own URL

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> None:
        super().check_options(options)
        days = options.get("window_days", 7)
        if not isinstance(days, int) or not 1 <= days <= MAX_WINDOW_DAYS:
            raise AdapterOptionsError(
                f"adapter 'ggzy' options.window_days must be a whole number of days "
                f"from 1 to {MAX_WINDOW_DAYS}, not {days!r}"
            )
        if not isinstance(options.get("form", {}), dict):
            raise AdapterOptionsError("adapter 'ggzy' options.form must be a table of fields")

    @property
    def since(self) -> date:
        """The oldest day the sweep reaches (default: 90 days back)."""
        value = self.options.get("since")
        return date.fromisoformat(str(value)) if value else beijing_today() - timedelta(days=90)

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        """The newest window of the channel; later requests come from each answer."""
        end = beijing_today()
        begin = max(end - timedelta(days=int(self.options.get("window_days", 7)) - 1), self.since)
        return self._request(entry_url, min(begin, end), end, 1)

    @classmethod
    def check_entry_url(cls, url: str) -> None:
        channel = dict(parse_qsl(urldefrag(url)[1]))
        if channel.get("DEAL_CLASSIFY", "00") in ("", "00"):
            raise AdapterOptionsError(
                f"a ggzy entry URL names its channel in its fragment, e.g. "
                f"'…/getTradList#DEAL_CLASSIFY=02' (00, all classes, answers nothing): {url}"
            )

    def _request(self, url: str, begin: date, end: date, page: int) -> PageRequest:
        base, fragment = urldefrag(url)
        channel = {k: v for k, v in parse_qsl(fragment) if k not in WINDOW_FIELDS}
        window = {
            "TIMEBEGIN": begin.isoformat(),
            "TIMEEND": end.isoformat(),
            "PAGENUMBER": str(page),
        }
        form = {
            **FORM_DEFAULTS,
            **{str(k): str(v) for k, v in dict(self.options.get("form", {})).items()},
            **channel,
            "DEAL_TIME": CUSTOM_RANGE,
            "TIMEBEGIN_SHOW": window["TIMEBEGIN"],
            "TIMEEND_SHOW": window["TIMEEND"],
            **window,
            "FINDTXT": str(self.options.get("keyword", "")),
        }
        request = PageRequest.form(f"{base}#{urlencode({**channel, **window})}", form)
        # The site's front end sends an empty pass token when no captcha was solved.
        return PageRequest(
            request.url,
            request.method,
            request.body,
            {**request.headers, "X-Pass-Token": "", "Referer": f"{_root(base)}/deal/dealList.html"},
        )

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        code = int(data.get("code") or 200)
        if code in RISK_CODES:
            return ListPage(refused=RISK_CODES[code])
        if code != 200:
            return ListPage(refused=("error", f"ggzy answered code {code}: {data.get('message')}"))
        body = data.get("data") or {}
        records = body.get("records") or []
        total = int(body.get("total") or 0)
        keyword = str(self.options.get("keyword") or "")
        if keyword and records and not any(keyword in str(r.get("title")) for r in records):
            total = 0  # no hit: the API lists everything instead; nothing here is ours
        window = _window_of(url)
        if window is not None and total >= RESULT_CAP and window[2] == 1:
            begin, end, _ = window
            if begin < end:  # ask again for the newer half; the older half follows
                return ListPage(next_request=self._request(url, *newer_half(begin, end), 1))
        page = ListPage(items=self._items(url, records) if total else [])
        if window is None:
            page.total_pages = int(body.get("pages") or 0) or math.ceil(total / PAGE_SIZE) or None
            return page
        begin, end, number = window
        if total >= RESULT_CAP and number == 1:
            page.counts["windows_at_result_cap"] = 1
        pages = min(math.ceil(total / PAGE_SIZE), RESULT_CAP // PAGE_SIZE)
        if number < pages:
            page.next_request = self._request(url, begin, end, number + 1)
        elif begin > self.since:
            quiet = total * 2 < RESULT_CAP
            older = older_window(begin, end, self.since, quiet=quiet, longest=MAX_WINDOW_DAYS)
            page.next_request = self._request(url, *older, 1)
        return page

    def _items(self, url: str, records: list[dict[str, Any]]) -> list[ListItem]:
        keyword = str(self.options.get("keyword") or "")
        keep_all = not keyword or not self.options.get("filter_titles", True)
        items = []
        for record in records:
            title = str(record.get("title") or "")
            link = record.get("url")
            if not link or not (keep_all or keyword in title):
                continue
            absolute = urljoin(urldefrag(url)[0], str(link))
            published = parse_date(str(record.get("publishTime") or ""))
            items.append(
                ListItem(
                    absolute,
                    title,
                    published.date() if published else None,
                    str(record.get("id") or "") or None,
                    detail=PageRequest(absolute.replace("/html/a/", "/html/b/")),
                )
            )
        return items


def _window_of(url: str) -> tuple[date, date, int] | None:
    """(begin, end, page) a request URL's fragment names, None for a URL without one."""
    fields = dict(parse_qsl(urldefrag(url)[1]))
    try:
        begin = date.fromisoformat(fields["TIMEBEGIN"])
        end = date.fromisoformat(fields["TIMEEND"])
        return begin, end, max(1, int(fields.get("PAGENUMBER", "1")))
    except (KeyError, ValueError):
        return None


def _root(url: str) -> str:
    return urljoin(url, "/").rstrip("/")
