"""List pages whose items only appear once a script has run.

The list's ``<ul>`` is served empty; its entries travel as JSON, either inline in the page
(``js_list``) or from a JSON endpoint the page's script fetches (``js_api``), and the script
builds the ``<li>`` elements. A crawler reading the HTML as served sees an empty list.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from urllib.parse import quote

from replica.rendered import Reply

# The list is the <ul> holding the most <li> entries with a link.
_UL = re.compile(r"<ul\b([^>]*)>(.*?)</ul>", re.S | re.I)
_LI = re.compile(r"<li\b[^>]*>(.*?)</li>", re.S | re.I)
_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""", re.I)
DATA_PATH = "/_data/list.json"  # below the site's prefix: /{host}/_data/list.json?of=…
LIST_ID = "gw-list"

_BUILD = (
    "function gwBuild(rows){var ul=document.getElementById('%s');"
    "for(var i=0;i<rows.length;i++){var li=document.createElement('li');"
    "li.innerHTML=rows[i];ul.appendChild(li);}}"
)


def list_rows(page: str) -> tuple[re.Match[str], list[str]] | None:
    """The list's ``<ul>`` match and the inner HTML of its entries; None if the page has none."""
    best: tuple[re.Match[str], list[str]] | None = None
    for match in _UL.finditer(page):
        rows = [row for row in _LI.findall(match.group(2)) if "<a " in row]
        if rows and (best is None or len(rows) > len(best[1])):
            best = (match, rows)
    return best


def _json_text(rows: list[str]) -> str:
    # ASCII-only (any page encoding carries it) and no "</" that could end the script early.
    return json.dumps({"total": len(rows), "rows": rows}).replace("</", "<\\/")


def _decode(reply: Reply) -> str | None:
    charset = reply.charset.lower()
    codec = "gb18030" if charset in ("gb2312", "gbk", "gb18030") else charset
    try:
        return reply.body.decode(codec)
    except (LookupError, UnicodeDecodeError):
        return None


def _encode(reply: Reply, page: str) -> Reply:
    charset = reply.charset.lower()
    codec = "gb18030" if charset in ("gb2312", "gbk", "gb18030") else charset
    body = page.encode(codec, errors="xmlcharrefreplace")
    # Another body, another validator: a cached plain copy must not be revalidated as this one.
    etag = None if reply.etag is None else reply.etag[:-1] + '-js"'
    return replace(reply, body=body, etag=etag)


def scripted(reply: Reply, site_prefix: str, page_path: str, *, fetch: bool) -> Reply:
    """The list page ``reply`` with its entries moved into JSON and a script that rebuilds them.

    ``fetch`` False inlines the JSON; True makes the script fetch it from the site's data
    endpoint for ``page_path`` (path and query of the page, as served).
    """
    if reply.status != 200 or reply.mime != "text/html":
        return reply
    page = _decode(reply)
    found = None if page is None else list_rows(page)
    if page is None or found is None:
        return reply
    match, rows = found
    attrs = match.group(1)
    list_id = _ID.search(attrs)
    ul_id = list_id.group(1) if list_id else LIST_ID
    opening = f"<ul{attrs}>" if list_id else f'<ul{attrs} id="{LIST_ID}">'
    build = _BUILD % ul_id
    if fetch:
        url = f"{site_prefix}{DATA_PATH}?of={quote(page_path, safe='')}"
        script = (
            f"<script>(function(){{{build}fetch('{url}',{{credentials:'same-origin'}})"
            ".then(function(r){return r.json();}).then(function(d){gwBuild(d.rows);});})();"
            "</script>"
        )
    else:
        script = (
            f'<script type="application/json" id="{ul_id}-data">{_json_text(rows)}</script>'
            f"<script>(function(){{{build}gwBuild(JSON.parse("
            f"document.getElementById('{ul_id}-data').textContent).rows);}})();</script>"
        )
    rebuilt = page[: match.start()] + opening + "</ul>" + script + page[match.end() :]
    return _encode(reply, rebuilt)


def data_reply(reply: Reply) -> Reply:
    """The JSON a ``js_api`` page fetches: the entries of the list page ``reply``."""
    page = _decode(reply) if reply.status == 200 else None
    found = None if page is None else list_rows(page)
    rows = found[1] if found is not None else []
    body = _json_text(rows).encode("ascii")
    return Reply(200 if found is not None else 404, body, "utf-8", mime="application/json")
