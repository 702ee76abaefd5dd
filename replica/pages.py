"""HTML of the replica's pages, in the markup of TRS WCM static sites.

Functions here return text; encoding, caching and HTTP live elsewhere. The visitor counter of
article pages is rendered as VISITS_PLACEHOLDER so the rest of the page can be cached as bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from html import escape

from replica.documents import Document
from replica.sites import ColumnSpec, SiteSpec

VISITS_PLACEHOLDER = "@@VISITS@@"
LIST_TITLE_LIMIT = 24


def _text(value: str) -> str:
    return escape(value, quote=False)


def _attr(value: str) -> str:
    return escape(value, quote=True)


def _xxgk_date(day: date) -> str:
    """信息公开 tables spell dates with zero padding whatever the site's visible style is."""
    return f"{day:%Y年%m月%d日}"


def _head(site: SiteSpec, title: str, metas: Iterable[tuple[str, str]]) -> str:
    meta_tags = "".join(f'<meta name="{name}" content="{_attr(value)}">' for name, value in metas)
    return (
        f"<!DOCTYPE html><html><head>{site.meta_charset_tag}\n"
        f'<meta name="SiteName" content="{_attr(site.name)}">'
        f'<meta name="SiteDomain" content="{site.host}">'
        f'<meta name="SiteIDCode" content="{site.site_id_code}">\n'
        f"{meta_tags}\n<title>{_text(title)}</title></head>\n<body>\n"
    )


def _header(site: SiteSpec) -> str:
    # Root-absolute links carry the host prefix so they resolve inside the replica.
    links = [f'<a href="{site.home_path}">首页</a>']
    links += [f'<a href="{site.prefix}{c.path}">{_text(c.name)}</a>' for c in site.columns]
    return (
        f'<div class="header"><div class="logo">{_text(site.name)}</div>'
        f'<div class="nav">{"".join(links)}</div></div>\n'
    )


def _footer(site: SiteSpec) -> str:
    return (
        f'<div class="footer"><p>版权所有：{_text(site.name)} 网站标识码：{site.site_id_code} '
        f"ICP备案：{_text(site.icp)}</p>"
        f'<p><a href="{site.home_path}">网站首页</a></p></div>\n'
        "</body></html>\n"
    )


def article_page(doc: Document) -> str:
    """An article page; its 浏览次数 is VISITS_PLACEHOLDER."""
    site, column = doc.site, doc.column
    metas = (
        ("ColumnName", column.name),
        ("ArticleTitle", doc.title),
        ("PubDate", f"{doc.published:%Y-%m-%d %H:%M}"),
        ("ContentSource", doc.publisher),
    )
    body = "".join(f"<p>{_text(p)}</p>\n" for p in doc.paragraphs)
    return (
        _head(site, f"{doc.title}_{column.name}_{site.name}", metas)
        + _header(site)
        + _sidebar(doc)
        + '<div class="main">\n'
        f'<h1 class="title">{_text(doc.title)}</h1>\n'
        f'<div class="info">发布时间：{site.spell_date(doc.published.date())} '
        f"来源：{_text(doc.publisher)} "
        f'浏览次数：<span class="count">{VISITS_PLACEHOLDER}</span></div>\n'
        + (_xxgk_table(doc) if doc.is_policy else "")
        + f"{site.body_container}\n{body}</div>\n"
        "</div>\n" + _footer(site)
    )


def _sidebar(doc: Document) -> str:
    items = "".join(
        f'<li><a href="{link.href}" title="{_attr(link.title)}">{_text(link.title)}</a>'
        f"<span>{link.published:%Y-%m-%d}</span></li>"
        for link in doc.related
    )
    return f'<div class="sidebar"><h3>相关文章</h3><ul>{items}</ul></div>\n'


def _xxgk_table(doc: Document) -> str:
    # Labels are spaced out with U+3000 exactly like the 信息公开 tables of real portals.
    rows = (
        (("索　引　号：", doc.index_number or ""), ("主题分类：", doc.topic or "")),
        (
            ("发文机关：", doc.publisher),
            ("成文日期：", _xxgk_date(doc.written) if doc.written else ""),
        ),
        (("标　　题：", doc.title),),
        (("发文字号：", doc.doc_number or ""), ("发布日期：", _xxgk_date(doc.published))),
    )
    return xxgk_rows(rows)


def xxgk_rows(rows: Iterable[Sequence[tuple[str, str]]]) -> str:
    """A 信息公开 table of (label, value) cells, two to a row; a lone cell spans the row."""
    html = ['<table class="xxgk-table">\n']
    for cells in rows:
        html.append("<tr>")
        for label, value in cells:
            span = ' colspan="3"' if len(cells) == 1 else ""
            html.append(f'<td class="label">{label}</td><td{span}>{_text(value)}</td>')
        html.append("</tr>\n")
    html.append("</table>\n")
    return "".join(html)


def list_page(
    site: SiteSpec,
    column: ColumnSpec,
    docs: Sequence[Document],
    total_pages: int,
    page_index: int,
) -> str:
    """One page of a column list, with the site's TRS pager call at the bottom."""
    items = "".join(
        f'<li><a href="{doc.list_href}" target="_blank" title="{_attr(doc.title)}">'
        f"{_text(_shorten(doc.title))}</a>"
        f'<span class="date">{doc.published:%Y-%m-%d}</span></li>\n'
        for doc in docs
    )
    return (
        _head(site, f"{column.name}_{site.name}", (("ColumnName", column.name),))
        + _header(site)
        + '<div class="main">\n'
        f'<div class="crumb">当前位置：<a href="{site.home_path}">首页</a> &gt; '
        f"{_text(column.name)}</div>\n"
        f'<ul class="list">\n{items}</ul>\n'
        f'<div class="page"><script>{site.pager_function}({total_pages}, {page_index}, '
        '"index", "html");</script></div>\n'
        "</div>\n" + _footer(site)
    )


def _shorten(title: str) -> str:
    """List pages cut long titles; the full one is only in the title attribute."""
    return title if len(title) <= LIST_TITLE_LIMIT else title[:LIST_TITLE_LIMIT] + "…"


def home_page(site: SiteSpec) -> str:
    """The portal's front page: links into every column the replica serves."""
    links = "".join(
        f'<li><a href="{site.prefix}{c.path}">{_text(c.name)}</a></li>' for c in site.columns
    )
    return (
        _head(site, site.name, ())
        + _header(site)
        + f'<div class="main"><ul class="columns">{links}</ul></div>\n'
        + _footer(site)
    )


def portal_index(sites: Iterable[SiteSpec]) -> str:
    """The replica's own root page, a convenience for people browsing it."""
    links = "".join(
        f'<li><a href="{s.home_path}">{_text(s.name)}</a>（{s.host}）</li>' for s in sites
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>replica</title></head>'
        f"<body><h1>本地政府网站副本</h1><ul>{links}</ul></body></html>\n"
    )


def not_found_page() -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>页面不存在</title></head>'
        "<body><h1>404</h1><p>页面不存在</p><p>抱歉，您访问的页面不存在，请检查网址。</p>"
        "</body></html>\n"
    )


def soft_not_found_page() -> str:
    """What many portals answer with HTTP 200 for a removed article."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>提示信息</title></head>'
        '<body><div class="main"><p class="tips">您访问的页面不存在或已删除！</p>'
        "</div></body></html>\n"
    )


def error_page(status: int, reason: str) -> str:
    """An nginx-style error page, as gateways in front of the portals send it."""
    heading = _text(f"{status} {reason}")
    return (
        f"<html><head><title>{heading}</title></head><body>"
        f"<center><h1>{heading}</h1></center><hr><center>nginx</center></body></html>\n"
    )
