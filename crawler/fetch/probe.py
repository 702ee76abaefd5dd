"""``govwatch sources probe``: what a list page is, which adapters read it, and a registry entry.

A user holding a page (saved, or at a URL) learns in one command which CMS family it is by its
fingerprints, what each adapter that needs no options reads from it (title, link, date), and a
ready ``[[source]]`` entry for the adapter that read the most. Families that need options
(Hanweb column ids, a ZCY categoryCode …) are named with what to look up.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from crawler.browser.rules import script_built_list
from crawler.extract.encoding import decode_html
from crawler.extract.page_kinds import PageKind, classify_page, page_title
from spiders.adapters import ADAPTERS
from spiders.adapters.base import PARSE_ERRORS

# Fingerprints of the CMS families seen on government sites: (family, what it needs, marks).
_FAMILIES: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("trs_static", "", re.compile(r"createPageHTML|/t\d{8}_\d+\.s?html|var countPage\s*=")),
    (
        "hanweb_jpage",
        "options columnid, unitid, webid (from the page's datastore script)",
        re.compile(r"/col/col\d+/|<datastore>|jpage/dataproxy\.jsp|hanweb", re.I),
    ),
    ("gkmlpt", "", re.compile(r"/gkmlpt/")),
    (
        "zcy",
        "options categoryCode, parentId",
        re.compile(r"ZcyAnnouncement|/site/category\?|/portal/category|zcygov", re.I),
    ),
    ("freecms", "options siteId, channel", re.compile(r"/freecms/|selectInfoMoreChannel\.do")),
    ("gpcms", "options siteId, channel, articleUrl", re.compile(r"/gpcms/|maincms-web")),
    ("epoint_list", "", re.compile(r"ewb-infolist|ewb-list|ewb-com-item", re.I)),
    ("epoint_webbuilder", "not yet an adapter", re.compile(r"EpointWebBuilder", re.I)),
    (
        "epoint_search",
        "options.categorynum (the list script's categorynum; the entry is its search API)",
        re.compile(r"inteligentsearch|getFullTextData", re.I),
    ),
    ("jcms", "options webId, pageId", re.compile(r"/module/web/jpage/|jcms", re.I)),
    ("search_json", "options.channel", re.compile(r"/common/search/[0-9a-f]{32}")),
    (
        "ggzy",
        "an entry per channel: …/getTradList#DEAL_CLASSIFY=01|02",
        re.compile(r"pubTradingInfo/getTradList|/information/deal/html/[ab]/"),
    ),
    ("hunan_form", "", re.compile(r"getNoticeList4Web\.do|viewNoticeContent\.do")),
    ("shandong_api", "options.colCode", re.compile(r"/api/website/site/getListByCode")),
    ("chongqing_json", "", re.compile(r"/gwebsite/api/v1/notices/stable")),
    ("jeecms_query", "options.channelId", re.compile(r"queryContent(?:_\d+)?-\w+\.jspx")),
    ("trs_was5", "the search URL as entry", re.compile(r"/was5/web/search")),
    ("hubei_jyxx", "", re.compile(r"/jyxxAjax/\w+")),
    ("jiangxi_querylist", "options webSiteCode, channelCode", re.compile(r"webSiteCode\[\]")),
    ("guizhou_es", "options.channelId", re.compile(r"/tradeInfo/es/list|/tradeInfo/detailHtml")),
    ("yunnan_json", "", re.compile(r"ynggfwpt-home-api/|/jyInfo/gcjs/getZbggList")),
    ("nmg_trssearch", "", re.compile(r"/trssearch/openSearch/")),
)


@dataclass
class AdapterReading:
    """What one adapter read from the page."""

    adapter: str
    items: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


@dataclass
class Probe:
    """A probed page: its kind, family fingerprints, each adapter's reading, an entry."""

    url: str
    kind: str
    reason: str
    title: str | None
    families: list[dict[str, str]]
    script_built: str | None
    readings: list[AdapterReading]
    entry: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "kind": self.kind,
            "reason": self.reason,
            "title": self.title,
            "families": self.families,
            "script_built": self.script_built,
            "readings": [
                {"adapter": r.adapter, "items": r.items, "error": r.error} for r in self.readings
            ],
            "entry": self.entry,
        }


def probe_page(body: bytes, url: str, status: int = 200) -> Probe:
    """Probe a page as served (raw bytes, its URL, its HTTP status)."""
    text = decode_html(body).text
    verdict = classify_page(text, status)
    families = [
        {"family": name, "needs": needs}
        for name, needs, marks in _FAMILIES
        if marks.search(text) or marks.search(url)
    ]
    readings = []
    if verdict.kind not in (PageKind.CHALLENGE, PageKind.CAPTCHA, PageKind.BINARY):
        readings = [_reading(name, url, text) for name in _option_free_adapters()]
    fingerprinted = {f["family"] for f in families}
    # The most items; on a tie the family the page's fingerprints name.
    best = max(readings, key=lambda r: (len(r.items), r.adapter in fingerprinted), default=None)
    title = page_title(text).strip() or None
    entry = _entry(url, title, best.adapter) if best is not None and best.items else None
    return Probe(
        url=url,
        kind=verdict.kind.value,
        reason=verdict.reason,
        title=title,
        families=families,
        script_built=script_built_list(text),
        readings=[r for r in readings if r.items or r.error],
        entry=entry,
    )


def _option_free_adapters() -> list[str]:
    """Adapters that read a page without options and without an API of their own."""
    return [
        name
        for name, adapter in sorted(ADAPTERS.items())
        if not adapter.REQUIRED_OPTIONS
        and name in ("trs_static", "generic_list", "gkmlpt", "epoint_list")
    ]


def _reading(name: str, url: str, text: str) -> AdapterReading:
    try:
        listing = ADAPTERS[name]({}).parse_list(url, text)
    except PARSE_ERRORS as exc:
        return AdapterReading(name, error=f"{type(exc).__name__}: {exc}"[:200])
    items = [
        {
            "title": item.title,
            "url": item.url,
            "date": item.date.isoformat() if item.date else None,
        }
        for item in listing.items
    ]
    return AdapterReading(name, items=items)


def _entry(url: str, title: str | None, adapter: str) -> str:
    """A ``[[source]]`` entry to paste into a province's registry file."""
    host = re.sub(r"^https?://", "", url).split("/")[0]
    slug = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:60]
    return "\n".join(
        [
            "[[source]]",
            f'id = "{slug}"',
            f"name = {json.dumps(title or host, ensure_ascii=False)}",
            'kind = "policy"  # policy, work_report, procurement, trading, industry_dept',
            f'adapter = "{adapter}"',
            f"entry_urls = [{json.dumps(url)}]",
            'schedule = "every 6h"',
            'render = "auto"',
        ]
    )
