"""新点 (Epoint) full-text search ``…/esinteligentsearch/getFullTextDataNew``, in date windows.

Most provincial trading platforms built on Epoint list their notices through one search API
(its path prefix varies: ``inteligentsearch``, ``inteligentsearchnew``, ``XZinterface``,
``interface_wz`` …; 青海 still answers the older ``inteligentSearch/getFullTextData``). The
site's own list script POSTs a raw JSON string as the body (``pn`` an offset, ``rn`` the page
size, ``condition`` a ``categorynum`` prefix, ``time`` a window on the date field, ``sort`` a
JSON string such as ``{"webdate":"0"}``, newest first) and reads ``result.totalcount`` and
``result.records`` (``title``, ``linkurl``, ``webdate``, ``infoid`` …). Without the sort the
answer comes by relevance, old notices first.

One query pages only so far (the sites' own list gives up after 40 pages of 12, 480 rows), so
a category is read as a backward sweep of date windows from today, as ``ggzy`` does: a window
whose first page is over the cap is asked again as its newer half, a quiet one makes the next
window twice as long, and a one-day window still over the cap is read as far as the site goes
and counted (``windows_at_result_cap``). Which window and offset an answer belongs to travels
in the request URL's fragment, never sent, so ``parse_list`` reads each answer statelessly.

Some sites echo ``rn`` as ``totalcount`` (黑龙江): a full page whose total equals its size asks
for the next page anyway, and an empty page ends the window.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

from spiders.adapters.base import (
    AdapterOptionsError,
    ListAdapter,
    ListItem,
    ListPage,
    PageRequest,
    register,
)
from spiders.dates import beijing_today, newer_half, older_window, parse_date

DEFAULT_PAGE_SIZE = 12  # what 四川's list script asks for (2026 capture)
DEFAULT_RESULT_CAP = 480  # 40 pages of 12: where the sites' own list stops using this API
DEFAULT_WINDOW_DAYS = 7
MAX_WINDOW_DAYS = 365
DATE_FIELDS = ("webdate", "infodatepx", "showdate", "infodate")
_TAG = re.compile(r"<[^<>]{0,200}>")
_SPACE = re.compile(r"\s+")


@register("epoint_search")
class EpointSearchAdapter(ListAdapter):
    OPTIONAL_OPTIONS = (
        "categorynum",
        "cnum",
        "date_field",
        "link_prefix",
        "referer",
        "rn",
        "result_cap",
        "since",
        "window_days",
        "conditions",
        "keyword",
        "keyword_field",
    )

    @classmethod
    def check_options(cls, options: dict[str, Any]) -> None:
        super().check_options(options)
        for name in ("categorynum", "cnum", "link_prefix", "referer", "keyword"):
            if not isinstance(options.get(name, ""), str):
                raise AdapterOptionsError(f"adapter 'epoint_search' options.{name} must be text")
        if options.get("date_field", "webdate") not in DATE_FIELDS:
            raise AdapterOptionsError(
                f"adapter 'epoint_search' options.date_field must be one of "
                f"{', '.join(DATE_FIELDS)}, not {options['date_field']!r}"
            )
        prefix = options.get("link_prefix", "")
        if prefix and (not prefix.startswith("/") or prefix.endswith("/")):
            raise AdapterOptionsError(
                f"adapter 'epoint_search' options.link_prefix is a path such as "
                f"'/xinjiangggzy' (a leading slash, none at the end), not {prefix!r}"
            )
        _check_whole(options, "rn", 1, 1000, DEFAULT_PAGE_SIZE)
        _check_whole(options, "result_cap", 1, 100_000, DEFAULT_RESULT_CAP)
        _check_whole(options, "window_days", 1, MAX_WINDOW_DAYS, DEFAULT_WINDOW_DAYS)
        conditions = options.get("conditions", [])
        if not isinstance(conditions, list) or not all(
            isinstance(c, dict) and isinstance(c.get("fieldName"), str) for c in conditions
        ):
            raise AdapterOptionsError(
                "adapter 'epoint_search' options.conditions must be a list of tables with a "
                'fieldName, e.g. [{ fieldName = "infoc", equal = "33", isLike = true, '
                "likeType = 2 }]"
            )

    @property
    def page_size(self) -> int:
        return int(self.options.get("rn", DEFAULT_PAGE_SIZE))

    @property
    def result_cap(self) -> int:
        return int(self.options.get("result_cap", DEFAULT_RESULT_CAP))

    @property
    def date_field(self) -> str:
        return str(self.options.get("date_field", "webdate"))

    @property
    def since(self) -> date:
        """The oldest day the sweep reaches (default: 90 days back)."""
        value = self.options.get("since")
        return date.fromisoformat(str(value)) if value else beijing_today() - timedelta(days=90)

    def list_request(self, entry_url: str, page_index: int) -> PageRequest:
        """The newest window of the category; later requests come from each answer."""
        end = beijing_today()
        days = int(self.options.get("window_days", DEFAULT_WINDOW_DAYS))
        begin = max(end - timedelta(days=days - 1), self.since)
        return self._request(entry_url, min(begin, end), end, 0)

    def _request(self, url: str, begin: date, end: date, offset: int) -> PageRequest:
        api = urldefrag(url)[0]
        field = self.date_field
        conditions: list[dict[str, Any]] = []
        if self.options.get("categorynum"):
            conditions.append(_like("categorynum", str(self.options["categorynum"]), 2))
        if self.options.get("keyword"):
            field_name = str(self.options.get("keyword_field", "titlenew"))
            conditions.append(_like(field_name, str(self.options["keyword"]), 0))
        conditions.extend(dict(c) for c in self.options.get("conditions", []))
        payload = {
            "token": "",
            "pn": offset,
            "rn": self.page_size,
            "sdt": "",
            "edt": "",
            "wd": "",
            "inc_wd": "",
            "exc_wd": "",
            "fields": "",
            "cnum": str(self.options.get("cnum", "001")),
            "sort": json.dumps({field: "0"}, separators=(",", ":")),
            "ssort": "",
            "cl": 200,
            "terminal": "",
            "condition": conditions,
            "time": [
                {
                    "fieldName": field,
                    "startTime": f"{begin.isoformat()} 00:00:00",
                    "endTime": f"{end.isoformat()} 23:59:59",
                }
            ],
            "highlights": "",
            "statistics": None,
            "unionCondition": None,
            "accuracy": "",
            "noParticiple": "1",
            "searchRange": None,
            "noWd": True,
        }
        root = _root(api)
        window = urlencode({"begin": begin.isoformat(), "end": end.isoformat(), "pn": offset})
        # The sites' list script sends the JSON string as a form-typed body, as jQuery does.
        return PageRequest(
            f"{api}#{window}",
            "POST",
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            {
                "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
                "X-Requested-With": "XMLHttpRequest",
                "Origin": root,
                "Referer": _absolute(root, str(self.options.get("referer") or "/")),
            },
        )

    def parse_list(self, url: str, text: str) -> ListPage:
        data = json.loads(text)
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, dict):
            shown = json.dumps(data, ensure_ascii=False)[:160]
            return ListPage(refused=("error", f"the full-text search answered no result: {shown}"))
        records = [r for r in result.get("records") or [] if isinstance(r, dict)]
        total = int(result.get("totalcount") or 0)
        window = _window_of(url)
        if window is None:  # an answer read on its own (a saved response, a probe)
            return ListPage(items=self._items(url, records))
        begin, end, offset = window
        size, cap = self.page_size, self.result_cap
        if offset == 0 and total > cap and begin < end:
            return ListPage(next_request=self._request(url, *newer_half(begin, end), 0))
        page = ListPage(items=self._items(url, records))
        if offset == 0 and total > cap:
            page.counts["windows_at_result_cap"] = 1
        full = len(records) >= size
        echoed_total = full and total == size  # some sites answer rn as the total
        if records and offset + size < cap and (offset + size < total or echoed_total):
            page.next_request = self._request(url, begin, end, offset + size)
        elif begin > self.since:
            quiet = max(total, offset + len(records)) * 2 < cap
            older = older_window(begin, end, self.since, quiet=quiet, longest=MAX_WINDOW_DAYS)
            page.next_request = self._request(url, *older, 0)
        return page

    def _items(self, url: str, records: list[dict[str, Any]]) -> list[ListItem]:
        root = _root(urldefrag(url)[0])
        prefix = str(self.options.get("link_prefix", ""))
        keyword = str(self.options.get("keyword") or "")
        items = []
        for record in records:
            link = str(record.get("linkurl") or "").strip()
            if not link:
                continue
            title = clean_title(record.get("titlenew") or record.get("title"))
            if keyword and keyword not in (title or ""):
                continue  # the title condition is the site's; the match is ours
            absolute = link if link.startswith(("http://", "https://")) else None
            if absolute is None:
                absolute = root + prefix + ("" if link.startswith("/") else "/") + link
            published = self._published(record)
            doc_id = record.get("infoid") or record.get("id")
            items.append(
                ListItem(
                    absolute,
                    title,
                    published.date() if published else None,
                    str(doc_id) if doc_id else None,
                )
            )
        return items

    def _published(self, record: dict[str, Any]) -> datetime | None:
        for field in (self.date_field, *DATE_FIELDS):
            found = parse_date(str(record.get(field) or ""))
            if found is not None:
                return found
        return None


def clean_title(value: Any) -> str | None:
    """A record's title without the search's ``<em>`` highlights and entities."""
    if value is None:
        return None
    text = _SPACE.sub(" ", html_lib.unescape(_TAG.sub("", str(value)))).strip()
    return text or None


def _like(field: str, value: str, like_type: int) -> dict[str, Any]:
    """One ``condition`` entry as the sites' scripts write it (likeType 2: prefix, 0: contains)."""
    return {
        "fieldName": field,
        "equal": value,
        "notEqual": None,
        "equalList": None,
        "notEqualList": None,
        "isLike": True,
        "likeType": like_type,
    }


def _check_whole(options: dict[str, Any], name: str, low: int, high: int, default: int) -> None:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise AdapterOptionsError(
            f"adapter 'epoint_search' options.{name} must be a whole number from {low} to "
            f"{high}, not {value!r}"
        )


def _window_of(url: str) -> tuple[date, date, int] | None:
    """(begin, end, offset) a request URL's fragment names, None for a URL without one."""
    fields = dict(parse_qsl(urldefrag(url)[1]))
    try:
        begin = date.fromisoformat(fields["begin"])
        end = date.fromisoformat(fields["end"])
        return begin, end, max(0, int(fields.get("pn", "0")))
    except (KeyError, ValueError):
        return None


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _absolute(root: str, path_or_url: str) -> str:
    if path_or_url.startswith(("http://", "https://")):
        return path_or_url
    return root + ("" if path_or_url.startswith("/") else "/") + path_or_url
