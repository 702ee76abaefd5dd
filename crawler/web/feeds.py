"""Atom feeds of the newest documents that mention a topic, per province and kind.

``/feeds/{topic}.atom`` (``?province=310000&kind=policy`` narrows it): the 50 newest
documents, each linking to its page on the dashboard and to the government page it came from.
Written with feedgen, so the XML is what readers expect; an entry's id is a tag URI built from
the document's key, stable across restarts and hosts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response

from crawler.web.api import Kind, ProvinceCode
from crawler.web.dashboard import dashboard_of
from crawler.web.present import kind_label, province_name
from spiders.errors import UserError
from storage.browse import DocumentFilter, DocumentSummary
from storage.times import BEIJING

router = APIRouter(tags=["feeds"])
ENTRIES = 50
_ATOM = "http://www.w3.org/2005/Atom"
# Control characters a scraped page may carry are not allowed in XML.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("", text)


@router.get(
    "/feeds/{topic}.atom",
    response_class=Response,
    responses={
        200: {"content": {"application/atom+xml": {}}, "description": "an Atom feed"},
        400: {"description": "unknown topic"},
        401: {"description": "login required"},
    },
)
def topic_feed(
    request: Request,
    topic: Annotated[str, Path(max_length=64)],
    province: ProvinceCode | None = None,
    kind: Kind | None = None,
) -> Response:
    """The newest documents that mention ``topic`` (narrowed by province and kind)."""
    from feedgen.feed import FeedGenerator

    dashboard = dashboard_of(request)
    try:
        chosen = dashboard.topic(topic)
    except UserError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    page = dashboard.documents(
        DocumentFilter(topic=chosen.name, province_code=province, kind=kind, per_page=ENTRIES)
    )
    base = str(request.base_url).rstrip("/")
    scope = "".join(
        f"·{part}"
        for part in (province and province_name(province), kind and kind_label(kind))
        if part
    )
    feed = FeedGenerator()
    # One id per feed, whether the topic is named by its name or its label.
    query = request.url.query
    feed.id(f"{base}/feeds/{chosen.name}.atom" + (f"?{query}" if query else ""))
    feed.title(f"govwatch：提及「{chosen.label}」的最新文件{scope}")
    feed.author({"name": "govwatch"})
    feed.link(href=str(request.url), rel="self")
    feed.link(href=f"{base}/", rel="alternate")
    feed.language("zh-CN")
    feed.updated(_updated(page.items))
    relations: dict[str, dict[str, str]] = {}
    for summary in reversed(page.items):  # feedgen puts each new entry first
        entry = feed.add_entry()
        entry.id(f"tag:govwatch,2026:{summary.doc_key}")
        entry.title(_xml(summary.title or summary.url))
        page_link = f"{base}/documents/{summary.id}"
        entry.link(href=page_link, rel="alternate")
        entry.link(href=summary.url, rel="related")
        relations[f"tag:govwatch,2026:{summary.doc_key}"] = {
            page_link: "alternate",
            summary.url: "related",
        }
        entry.updated(summary.last_changed_at.replace(tzinfo=UTC))
        if summary.published_at is not None:
            entry.published(datetime.combine(summary.published_at.date(), time.min, BEIJING))
        snippets = [s for hit in summary.hits if hit.topic == chosen.name for s in hit.snippets]
        where = f"{province_name(summary.province_code)} · {kind_label(summary.kind)}"
        entry.summary(_xml(f"{where}：{snippets[0]}" if snippets else where))
        entry.category(term=summary.kind, label=kind_label(summary.kind))
    atom = _with_link_relations(feed.atom_str(pretty=True), relations)
    return Response(atom, media_type="application/atom+xml")


def _with_link_relations(atom: bytes, relations: dict[str, dict[str, str]]) -> bytes:
    """The feed with each entry's links' ``rel`` written: feedgen 1.0 drops an entry link's
    attributes, and two links without ``rel`` are two "alternate" links, which Atom forbids
    (RFC 4287, 4.1.1) and which readers resolve to either page."""
    from lxml import etree

    root = etree.fromstring(atom)
    for entry in root.iterfind(f"{{{_ATOM}}}entry"):
        wanted = relations.get(entry.findtext(f"{{{_ATOM}}}id") or "", {})
        for link in entry.iterfind(f"{{{_ATOM}}}link"):
            if link.get("rel") is None and link.get("href") in wanted:
                link.set("rel", wanted[link.get("href")])
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _updated(items: list[DocumentSummary]) -> datetime:
    if not items:
        return datetime(2000, 1, 1, tzinfo=UTC)
    return max(s.last_changed_at for s in items).replace(tzinfo=UTC)
