"""When a page needs the browser, and the cookies the browser earned, per site.

Pure functions and plain state, no Scrapy and no Chromium, so that every rule is tested on
saved pages (tests/test_challenge_detection.py).

**Challenges.** A page crawler.extract.page_kinds classifies as a challenge goes to the browser; the
reason is the vendor: ``ruishu`` (瑞数 of any generation: HTTP 412 or a near-empty page with
its marks — ``r="m"`` on the token meta or on the script tags, ``$_ts``, a token meta with an id
and a long content), ``jsl`` (加速乐, HTTP 521 or ``__jsl_clearance``) or ``waf`` (Aliyun's
``acw_sc__v2``, 知道创宇, 云锁, 安全狗, 360 网站卫士 and other browser checks). A captcha or a
rate-limit page never does: no browser passes the first, and the second asks us to slow down.

**Script-built lists.** A list page goes to the browser when all three hold:

1. the source's adapter reads no item from it (the caller checks this one);
2. it has an empty list container: a ``<ul>``, ``<ol>`` or ``<tbody>`` with nothing inside,
   or a ``<div>``/``<section>`` whose id or class says list, with nothing inside;
3. it has a script that can fill it: inline code that writes the DOM or fetches data
   (``innerHTML``, ``appendChild``, ``fetch(``, ``$.ajax`` …), or a script file (whose code
   we cannot see).

A page with items, or with no empty container, or without scripts is read as it is.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crawler.extract.page_kinds import PageKind, PageVerdict, classify_page

CHALLENGE_REASONS = ("ruishu", "jsl", "waf")
JS_LIST = "js_list"
ALWAYS = "always"

# Bytes that must occur in a page crawler.extract.page_kinds could call anything but content: a 200
# page of some size with none of them is a document, and is not even decoded here.
_ASCII_MARKERS = (
    b"$_ts",
    b"$_ss",
    b"jsl_clearance",
    b"just a moment",
    b"wzws",
    b"captcha",
    b"geetest",
    b"slider-verify",
    b"too many requests",
    b"r='m'",
    b'r="m"',
    b"acw_sc__v",
    b"jsluid",
    b"yunsuo",
    b"security_verify",
    b"safedog",
)
_CJK_MARKERS = tuple(
    word.encode(codec)
    for word in (
        "请稍候",
        "安全验证",
        "访问异常",
        "滑动验证",
        "验证码",
        "频繁访问",
        "访问过于频繁",
        "访问频率过快",
        "请求过于频繁",
    )
    for codec in ("utf-8", "gb18030")
)
SMALL_BODY = 2048  # below this, classifying costs nothing

# Attribute runs are bounded ({0,2000}): an unbounded [^>]* over openers never closed is
# quadratic, and no real tag is that long.
_EMPTY_LIST = re.compile(r"<(ul|ol|tbody)\b[^>]{0,2000}>\s*</\1\s*>", re.I)
_EMPTY_LIST_DIV = re.compile(
    r"<(div|section)\b[^>]{0,2000}?\b(?:id|class)\s*=\s*[\"'][^\"'>]{0,500}list[^\"'>]{0,500}[\"']"
    r"[^>]{0,2000}>\s*</\1\s*>",
    re.I,
)
_DOM_WRITERS = re.compile(
    r"innerHTML|appendChild|insertAdjacentHTML|document\.write|\.append\(|\.html\(|"
    r"fetch\(|XMLHttpRequest|\$\.(?:ajax|get|post|getJSON)\b|\.load\(",
)
_DATA_SCRIPT = re.compile(r"type\s*=\s*[\"']?(?:application/(?:ld\+)?json|text/template)", re.I)


def needs_look(body: bytes, status: int) -> bool:
    """Whether a response could be anything but content (cheap: a few byte searches)."""
    if status != 200 or len(body) < SMALL_BODY:
        return True
    lowered = body.lower()  # ASCII markers only: GBK bytes must not be case-folded
    return any(m in lowered for m in _ASCII_MARKERS) or any(m in body for m in _CJK_MARKERS)


def challenge_reason(verdict: PageVerdict) -> str | None:
    """The browser-worthy vendor behind a challenge verdict (ruishu, jsl, waf), else None."""
    if verdict.kind is not PageKind.CHALLENGE:
        return None
    if verdict.reason.startswith("瑞数"):
        return "ruishu"
    if verdict.reason.startswith("加速乐"):
        return "jsl"
    return "waf"


def render_reason(html: str, status: int) -> str | None:
    """Why a page as served needs the browser before the adapter reads it, if it does.

    Only challenges are decided here; whether a list is script-built needs the adapter too
    (see :func:`script_built_list`).
    """
    return challenge_reason(classify_page(html, status))


def script_built_list(html: str) -> str | None:
    """Conditions 2 and 3 of the module docstring: why the list looks script-built, or None."""
    empty = _EMPTY_LIST.search(html) or _EMPTY_LIST_DIV.search(html)
    if empty is None:
        return None
    external = False
    for attributes, code in _scripts(html):
        if _DATA_SCRIPT.search(attributes):
            continue
        if "src" in attributes.lower():
            external = True
        elif _DOM_WRITERS.search(code):
            return f"empty {_opening(empty.group(0))} and a script that fills the page"
    if external:
        return f"empty {_opening(empty.group(0))} and script files"
    return None


def list_needs_browser(html: str, count_items: Callable[[str], int]) -> str | None:
    """The whole rule for a list page: why it needs the browser, or None.

    ``count_items`` reads the page with the source's adapter; an adapter that cannot read it
    at all (ValueError, KeyError, TypeError) counts as reading no item.
    """
    why = script_built_list(html)  # the cheap conditions first
    if why is None:
        return None
    try:
        items = count_items(html)
    except (ValueError, KeyError, TypeError):
        items = 0
    return None if items else why


def _opening(tag: str) -> str:
    return tag.split(">", 1)[0][:60] + ">"


# -- cookies the browser earned ---------------------------------------------------------------


@dataclass
class SiteCookies:
    """Cookies one site's browser renders earned, and how many times they were earned."""

    cookies: list[dict[str, Any]] = field(default_factory=list)
    generation: int = 0  # +1 each time a render earns cookies


class CookieStore:
    """Browser-earned cookies per site, lent to plain requests until they stop working.

    A plain request notes the generation it was sent with. When it meets a challenge anyway,
    those cookies are dropped (if no newer ones came meanwhile) and the page goes to the
    browser, which earns the next generation.
    """

    def __init__(self) -> None:
        self._sites: dict[str, SiteCookies] = {}

    def generation(self, site: str) -> int:
        found = self._sites.get(site)
        return found.generation if found is not None else 0

    def cookies(self, site: str) -> list[dict[str, Any]]:
        found = self._sites.get(site)
        return list(found.cookies) if found is not None else []

    def earned(self, site: str, cookies: list[dict[str, Any]]) -> int:
        """Keep what a render earned for ``site``; returns the new generation."""
        found = self._sites.setdefault(site, SiteCookies())
        found.cookies = list(cookies)
        found.generation += 1
        return found.generation

    def failed(self, site: str, generation: int) -> bool:
        """A plain request sent with ``generation``'s cookies met a challenge: drop them,
        unless newer ones have been earned since. Returns whether anything was dropped."""
        found = self._sites.get(site)
        if found is None or found.generation != generation or not found.cookies:
            return False
        found.cookies = []
        return True

    def header(self, site: str, path: str, existing: str | None = None) -> str | None:
        """The Cookie header for a plain request to ``path`` on ``site``: the request's own
        cookies (Scrapy's jar) with the browser's added, the browser's winning a clash.
        None when the browser has nothing for it."""
        found = self._sites.get(site)
        if found is None or not found.cookies:
            return None
        now = time.time()
        ours = {
            c["name"]: c["value"]
            for c in found.cookies
            if path.startswith(str(c.get("path") or "/"))
            and not (0 < float(c.get("expires", -1)) < now)
        }
        if not ours:
            return None
        merged = _parse_cookie_header(existing)
        merged.update(ours)
        return "; ".join(f"{name}={value}" for name, value in merged.items())


def _parse_cookie_header(header: str | None) -> dict[str, str]:
    pairs = (part.split("=", 1) for part in (header or "").split(";") if "=" in part)
    return {name.strip(): value.strip() for name, value in pairs}


def _scripts(html: str) -> list[tuple[str, str]]:
    """(attributes, code) of each ``<script>``, found with ``str.find`` in one pass (a lazy
    ``<script…>(.*?)</script>`` regex is quadratic over scripts never closed)."""
    lower = html.lower()
    found: list[tuple[str, str]] = []
    position = 0
    while (start := lower.find("<script", position)) >= 0:
        after = start + len("<script")
        if after < len(lower) and lower[after].isalnum():
            position = after
            continue
        tag_end = lower.find(">", after)
        closing = lower.find("</script", tag_end) if tag_end >= 0 else -1
        if closing < 0:
            break
        found.append((html[after:tag_end], html[tag_end + 1 : closing]))
        position = closing + len("</script")
    return found
