"""Small HTML, XML and JSON helpers shared by the family renderers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from html import escape, unescape
from typing import TYPE_CHECKING, Any

from replica.pages import xxgk_rows
from replica.rendered import RenderedPage, Reply

if TYPE_CHECKING:
    from replica.families.model import Doc

_TAG = re.compile(r"<[^>]+>")
# Where a browser would start a new line; plain text keeps those breaks.
_BREAK = re.compile(r"</(?:p|div|tr|h[1-6]|li|table)>|<br\s*/?>", re.I)


def text(value: str) -> str:
    return escape(value, quote=False)


def attr(value: str) -> str:
    return escape(value, quote=True)


def paragraphs(values: Iterable[str]) -> str:
    return "".join(f"<p>{text(p)}</p>\n" for p in values)


def plain_text(html: str) -> str:
    """The text of an HTML fragment, one line per block."""
    lines = (line.strip() for line in unescape(_TAG.sub("", _BREAK.sub("\n", html))).split("\n"))
    return "\n".join(line for line in lines if line)


def plain_head(title: str) -> str:
    """A bare UTF-8 <head>, no metas: what sites of no known CMS and JSON platforms send."""
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{text(title)}</title></head>\n<body>\n"
    )


def gov_head(title: str, metas: Iterable[tuple[str, str]]) -> str:
    """A UTF-8 <head> with the national standard government metas, as most CMSs emit them."""
    tags = "".join(f'<meta name="{name}" content="{attr(value)}">\n' for name, value in metas)
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">\n'
        f"{tags}<title>{text(title)}</title></head>\n<body>\n"
    )


def article_metas(
    site_name: str, host: str, site_code: str, column: str, title: str, when: datetime, source: str
) -> tuple[tuple[str, str], ...]:
    return (
        ("SiteName", site_name),
        ("SiteDomain", host),
        ("SiteIDCode", site_code),
        ("ColumnName", column),
        ("ArticleTitle", title),
        ("PubDate", f"{when:%Y-%m-%d %H:%M}"),
        ("ContentSource", source),
    )


def xxgk_table(doc: Doc) -> str:
    """The 信息公开 table above a policy document with a 文号; nothing for other documents."""
    if not doc.doc_number:
        return ""
    return xxgk_rows(
        (
            (("索　引　号：", doc.index_number or ""), ("主题分类：", doc.topic or "")),
            (("发文机关：", doc.publisher), ("发布日期：", f"{doc.published:%Y年%m月%d日}")),
            (("标　　题：", doc.title),),
            (("发文字号：", doc.doc_number),),
        )
    )


def when_given(line: str, value: str | None) -> str:
    """`line` with the escaped value in place of {}, or nothing when there is no value."""
    return line.format(text(value)) if value else ""


def html_page(html: str, last_modified: datetime | None = None) -> RenderedPage:
    return RenderedPage.encode(html, encoding="utf-8", charset="utf-8", last_modified=last_modified)


def json_page(payload: Any, last_modified: datetime | None = None) -> RenderedPage:
    # Compact separators and literal Chinese, as Java JSON serialisers send it.
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return RenderedPage.encode(
        body,
        encoding="utf-8",
        charset="UTF-8",
        last_modified=last_modified,
        mime="application/json",
    )


def xml_page(xml: str) -> RenderedPage:
    return RenderedPage.encode(xml, encoding="utf-8", charset="UTF-8", mime="text/xml")


def json_error(status: int, payload: Any) -> Reply:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(status, body, "UTF-8", mime="application/json")


def cdata(value: str) -> str:
    # "]]>" cannot occur inside CDATA; split it the standard way should a title ever hold it.
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"
