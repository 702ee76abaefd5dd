"""A work report published at one fixed address that each year's report replaces.

中国政府网 shows the newest 国务院政府工作报告 at ``/guowuyuan/zfgzbg.htm`` and keeps each year's
at ``/guowuyuan/{year}zfgzbg.htm``. There is no list: the page is the document. The adapter
reads the report's year from the page itself (the delivery line ``——2025年3月5日在…会议上``,
else the page's date metas) and names the document by its year's address, so next March's
report is a new document, not an edit of this one. Earlier years are ``govwatch import``'s.
"""

from __future__ import annotations

import re
from datetime import date

from spiders.adapters.base import (
    AdapterOptionsError,
    ListAdapter,
    ListItem,
    ListPage,
    register,
)
from spiders.dates import parse_date

# The line under a report's title: when and where it was delivered.
_DELIVERED = re.compile(r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*在")
_DATE_META = re.compile(
    r"<meta\s+name=[\"']?(?:PubDate|firstpublishedtime)[\"']?\s+content=[\"']([^\"']+)",
    re.IGNORECASE,
)
_TITLE = re.compile(r"<title[^>]*>([^<]*)</title>", re.IGNORECASE)


@register("report_page")
class ReportPageAdapter(ListAdapter):
    REQUIRED_OPTIONS = ("year_url",)

    @classmethod
    def check_options(cls, options: dict[str, object]) -> None:
        super().check_options(options)
        if "{year}" not in str(options["year_url"]):
            raise AdapterOptionsError(
                f"adapter {cls.name!r}: options.year_url must contain {{year}}"
            )

    def page_url(self, entry_url: str, page_index: int) -> str:
        return entry_url

    def parse_list(self, url: str, text: str) -> ListPage:
        delivered = report_date(text)
        if delivered is None:
            raise ValueError("no report date on the page (no delivery line, no date meta)")
        title = _TITLE.search(text)
        item = ListItem(
            str(self.options["year_url"]).format(year=delivered.year),
            title.group(1).strip() if title and title.group(1).strip() else None,
            delivered,
            inline_html=text,
        )
        return ListPage(items=[item], total_pages=1)


def report_date(html: str) -> date | None:
    """The day the report was delivered, else the day the page was published."""
    plain = re.sub(r"<[^<>]*>", "", html[:200_000])  # [^<>]: linear on "<<<…"
    line = _DELIVERED.search(plain)
    found = parse_date(line.group(0)) if line else None
    if found is None:
        meta = _DATE_META.search(html)
        found = parse_date(meta.group(1)) if meta else None
    return found.date() if found else None
