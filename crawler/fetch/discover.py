"""``govwatch sources discover``: from a portal's home page, the columns worth watching.

A portal names its columns in its navigation: 政策文件, 规范性文件, 通知公告, 政府工作报告,
采购公告 … Discover reads those links (on the portal's own site), gives each the kind of
source it makes, and — when the columns can be fetched — probes each so the proposed
registry entry names the adapter that reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import Tag

from crawler.extract.encoding import decode_html
from crawler.extract.soup import read_markup
from crawler.fetch.probe import probe_page

# Column names and the kind of source each makes; the first that matches a link's text wins.
_COLUMNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("work_report", "政府工作报告", re.compile(r"政府工作报告")),
    (
        "procurement",
        "采购公告",
        re.compile(r"采购公告|招标公告|中标公告|成交公告|政府采购|采购信息|招标信息|招投标"),
    ),
    (
        "policy",
        "政策文件",
        re.compile(
            r"政策文件|规范性文件|政府文件|政策法规|文件发布|最新文件|[省市区县]政府文件|政策发布"
        ),
    ),
    ("policy", "通知公告", re.compile(r"通知公告|公示公告|通知通告|工作通知")),
)
MAX_TEXT = 20  # navigation labels are short; longer link texts are documents


@dataclass
class Column:
    """One column a portal links to, and what it would be as a source."""

    kind: str
    label: str
    text: str
    url: str
    adapter: str | None = None  # from probing the column, when it was fetched
    items: int = 0
    note: str = ""

    def entry(self, site: str) -> str:
        host = urlsplit(self.url).hostname or "site"
        slug = re.sub(r"[^a-z0-9]+", "-", host.lower()).strip("-")[:50]
        return "\n".join(
            [
                "[[source]]",
                f'id = "{slug}-{self.kind.replace("_", "-")}"',
                f"name = {json.dumps(f'{site} {self.text}', ensure_ascii=False)}",
                f'kind = "{self.kind}"',
                f'adapter = "{self.adapter or "generic_list"}"',
                f"entry_urls = [{json.dumps(self.url)}]",
                'schedule = "every 6h"',
                'render = "auto"',
            ]
        )

    def to_dict(self, site: str) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "text": self.text,
            "url": self.url,
            "adapter": self.adapter,
            "items": self.items,
            "note": self.note,
            "entry": self.entry(site),
        }


def portal_columns(body: bytes, url: str) -> tuple[str, list[Column]]:
    """The portal's name and the columns its home page links to, on its own site."""
    soup = read_markup(decode_html(body).text)
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    site = re.split(r"\s*[-_|｜—]\s*", title)[-1].strip() or (urlsplit(url).hostname or "")
    home = urlsplit(url).hostname or ""
    columns: list[Column] = []
    seen: set[str] = set()
    for link in soup.find_all("a", href=True):
        if not isinstance(link, Tag):
            continue
        text = re.sub(r"\s+", "", link.get_text())
        href = str(link.get("href") or "").strip()
        if not text or len(text) > MAX_TEXT or href.startswith(("javascript:", "#", "mailto:")):
            continue
        target = urljoin(url, href).split("#", 1)[0]
        if target in seen or not _same_site(urlsplit(target).hostname or "", home):
            continue
        for kind, label, pattern in _COLUMNS:
            if pattern.search(text):
                seen.add(target)
                columns.append(Column(kind, label, text, target))
                break
    return site, columns


def _same_site(host: str, home: str) -> bool:
    """The portal's host, or a host under the same parent (zfcg.gansu.gov.cn for gansu.gov.cn)."""
    if not host or not home:
        return False
    parent = ".".join(home.split(".")[-3:]) if home.endswith(".gov.cn") else home
    return host in (home, parent) or host.endswith("." + parent)


def probe_columns(columns: list[Column], fetch: Callable[[str], tuple[bytes, int]]) -> None:
    """Fetch and probe each column: the adapter that reads it, how many items it lists."""
    for column in columns:
        try:
            body, status = fetch(column.url)
        except Exception as exc:  # one column that cannot be fetched must not end the others
            column.note = f"not fetched: {str(exc).splitlines()[0][:120]}"
            continue
        probe = probe_page(body, column.url, status)
        readers = [r for r in probe.readings if r.items]
        if probe.kind in ("challenge", "captcha"):
            column.note = f"{probe.kind}: {probe.reason}"
        elif readers:
            best = max(readers, key=lambda r: len(r.items))
            column.adapter, column.items = best.adapter, len(best.items)
        else:
            families = ", ".join(f["family"] for f in probe.families) or "no known family"
            column.note = f"no adapter read items ({families}); see `govwatch sources probe`"
