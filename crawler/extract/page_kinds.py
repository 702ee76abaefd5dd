"""Telling a document from what stands in its way: challenges, rate limits, errors, blanks.

Nothing classified here as anything but ``document`` or ``listing`` may ever be stored as a
document: an error page that reaches the diff engine is a false alert. Beside the page kinds
stand the kinds of crawl failure (:class:`FailureKind`), the names a failed page is recorded,
counted and alerted under.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class PageKind(StrEnum):
    DOCUMENT = "document"
    LISTING = "listing"
    JSON = "json"
    CHALLENGE = "challenge"
    RATE_LIMITED = "rate_limited"
    CAPTCHA = "captcha"
    SOFT_404 = "soft_404"
    ERROR = "error"
    EMPTY = "empty"
    BINARY = "binary"  # a file (PDF, archive, image, program) or bytes that are no text

    @property
    def is_content(self) -> bool:
        """Whether a page of this kind carries the site's content (and may be stored)."""
        return self in (PageKind.DOCUMENT, PageKind.LISTING, PageKind.JSON)


class FailureKind(StrEnum):
    """Why a page of a crawl was not stored: one name per kind, everywhere it is recorded.

    A page that came but is not content carries its :class:`PageKind`'s name; a download that
    failed after Scrapy's retries names how; an HTTP error status is ``http_NNN``
    (``FailureKind.http(404)``), one pseudo-member per status.
    """

    CHALLENGE = "challenge"
    RATE_LIMITED = "rate_limited"
    CAPTCHA = "captcha"
    SOFT_404 = "soft_404"
    ERROR = "error"
    EMPTY = "empty"
    BINARY = "binary"
    OFFSITE = "offsite"  # a link or redirect off the source's sites, or to a private address
    LISTING = "listing"  # a detail page that turned out to be a list
    JSON = "json"  # a detail page that turned out to be bare JSON
    PARSE_FAILED = "parse_failed"  # the adapter could not read what the site answered
    TIMEOUT = "timeout"
    TRUNCATED = "truncated"
    DNS = "dns"
    CONNECTION = "connection"
    DOWNLOAD_FAILED = "download_failed"  # any other download error (its class is in the detail)
    STORE_FAILED = "store_failed"  # read, but the database did not take it
    CRAWL_TIMEOUT = "crawl_timeout"  # the whole crawl ran past its time and was ended
    CRAWL_FAILED = "crawl_failed"  # the crawl could not run (its engine failed or died)

    @classmethod
    def http(cls, status: int) -> FailureKind:
        return cls(f"http_{status}")

    @classmethod
    def of_page(cls, kind: PageKind) -> FailureKind:
        """The failure a page of ``kind`` is when a document was expected."""
        return cls(kind.value)

    @classmethod
    def _missing_(cls, value: object) -> FailureKind | None:
        if isinstance(value, str) and _HTTP_KIND.fullmatch(value):
            member = cls._value2member_map_.get(value)
            if member is None:
                member = str.__new__(cls, value)
                member._name_ = value.upper()
                member._value_ = value
                member = cls._value2member_map_.setdefault(value, member)
            return member  # type: ignore[return-value]
        return None


_HTTP_KIND = re.compile(r"http_[1-5][0-9][0-9]")

# A stored document whose page fails so has been taken down.
GONE = frozenset({FailureKind.http(404), FailureKind.http(410), FailureKind.SOFT_404})

# Kinds that mean the site refuses us rather than that a page is broken: a source meeting them
# is "blocked" (health alerts, `sources check`, metrics), and retrying soon will not help.
REFUSALS = frozenset({PageKind.CHALLENGE, PageKind.CAPTCHA, PageKind.RATE_LIMITED})


@dataclass(frozen=True)
class PageVerdict:
    kind: PageKind
    reason: str


_SPACE_RUNS = re.compile(r"\s+")
# 瑞数 (Ruishu) marks, of every generation seen: an r="m" attribute on the <meta> token (older)
# or on the <script> tags (newer), the $_ts bootstrap, and the newer token meta: an id and a
# long content, no r="m" (<meta id="9DhefwqGPrzGxEp9hPaoag" content="{hundreds of chars}">).
_RUISHU_MARKS = (
    re.compile(r"<(?:meta|script)\b[^>]{0,4000}?\sr\s*=\s*[\"']?m[\"'\s/>]", re.I),
    re.compile(r"\$_(?:ts|ss)\s*=\s*window\["),
    re.compile(
        r"<meta\b(?=[^>]{0,4000}?\sid\s*=\s*[\"']?[A-Za-z0-9_]{8,})"
        r"(?=[^>]{0,4000}?\scontent\s*=\s*[\"'][^\"']{120,})[^>]{0,8000}>",
        re.I,
    ),
)
_JSL = re.compile(r"__jsl_clearance|_jsl_clearance_s")
# Other vendors' browser checks, named for the reason a user reads (and the browser gets).
_VENDOR_CHALLENGES = (
    (
        "阿里云 WAF (acw_sc__v2) cookie challenge",
        re.compile(r"acw_sc__v[23]|\barg1\s*=\s*'[0-9A-F]{20,}'"),
    ),
    ("知道创宇 / 创宇盾 browser check", re.compile(r"__jsluid|jiasule|创宇盾|知道创宇")),
    (
        "云锁 (Yunsuo) browser check",
        re.compile(r"yunsuo_session_verify|security_verify_(?:data|img)|云锁"),
    ),
    ("安全狗 (SafeDog) browser check", re.compile(r"safedog|安全狗")),
    ("360 网站卫士 browser check", re.compile(r"wzws_cid|WZWS|360wzws")),
)
_WAF_MARKERS = ("Just a moment", "请稍候", "安全验证", "访问异常", "滑动验证")
_CAPTCHA = re.compile(r"验证码|captcha|geetest|slider-verify", re.I)
_RATE_LIMIT = re.compile(r"频繁访问|访问过于频繁|访问频率过快|请求过于频繁|too many requests", re.I)
_NOT_FOUND = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|您要访问的)?页面|已删除|已被删除|404 Not Found|\b404\b"
)

# A real page carries at least this much visible text; challenges and stubs carry less.
SMALL_PAGE_CHARS = 300


def visible_text(html: str) -> str:
    """Rough visible text of a page (scripts, styles, comments and tags removed).

    One pass with ``str.find``: a lazy regex (``<!--.*?-->``) over a page of openers never
    closed is quadratic (minutes for 160 KB of ``<!--``)."""
    lower = html.lower()
    parts: list[str] = []
    position, size = 0, len(html)
    while (opening := html.find("<", position)) >= 0:
        parts.append(html[position:opening])
        parts.append(" ")
        resumed = _after_markup(html, lower, opening, size)
        if resumed < 0:  # a "<" that opens nothing is text
            parts.append("<")
            resumed = opening + 1
        position = resumed
    parts.append(html[position:])
    return _SPACE_RUNS.sub(" ", "".join(parts)).strip()


def _after_markup(html: str, lower: str, opening: int, size: int) -> int:
    """Where the text resumes after the markup at ``opening``; -1 when it is no markup."""
    if html.startswith("<!--", opening):
        end = html.find("-->", opening + 4)
        return size if end < 0 else end + 3  # an unclosed comment hides the rest
    for element in ("script", "style"):
        name_end = opening + 1 + len(element)
        if lower.startswith(element, opening + 1) and (
            name_end >= size or not lower[name_end].isalnum()
        ):
            closing = lower.find(f"</{element}", name_end)
            if closing < 0:
                return size
            end = html.find(">", closing)
            return size if end < 0 else end + 1
    end = html.find(">", opening + 1)
    return -1 if end < 0 or end == opening + 1 else end + 1


def page_title(html: str) -> str:
    """The text of the page's first ``<title>`` (found with ``str.find``, in linear time)."""
    lower = html.lower()
    start = lower.find("<title")
    if start < 0:
        return ""
    opened = lower.find(">", start)
    closing = lower.find("</title", opened) if opened >= 0 else -1
    return html[opened + 1 : closing] if closing >= 0 else ""


# What a file's first bytes say it is (the common formats a page URL can answer with).
_MAGIC = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (DOCX, XLSX, …)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (DOC, XLS)"),
    (b"\x7fELF", "an ELF program"),
    (b"MZ", "a Windows program"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "gzip data"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7z archive"),
)
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b")


def binary_verdict(body: bytes) -> PageVerdict | None:
    """A verdict for bytes that are no page at all (a file, or no text), else None."""
    head = body[:4096]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return PageVerdict(PageKind.BINARY, f"{what}, not a page")
    sample = body[:65536]
    if not sample:
        return None
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # one pass
    if b"\x00" in head or controls > 0.02 * len(sample):
        share = controls / len(sample)
        return PageVerdict(PageKind.BINARY, f"binary data ({share:.0%} control bytes), not a page")
    return None


def classify_page(html: str, status: int = 200) -> PageVerdict:
    """What kind of page ``html`` is, given the HTTP ``status`` it came with."""
    stripped = html.lstrip()
    if stripped[:1] in ("{", "["):
        return PageVerdict(PageKind.JSON, "JSON data, not an HTML page")
    title = visible_text(page_title(html))
    text = visible_text(html)
    small = len(text) < SMALL_PAGE_CHARS

    ruishu = sum(1 for mark in _RUISHU_MARKS if mark.search(html))
    if (status == 412 and ruishu) or (small and ruishu >= 2):
        return PageVerdict(
            PageKind.CHALLENGE,
            f'瑞数 (Ruishu) challenge: {ruishu} of its marks (r="m", $_ts, token meta), '
            f"HTTP {status}, no content",
        )
    if status == 521 or (_JSL.search(html) and small):
        return PageVerdict(PageKind.CHALLENGE, "加速乐 (jsl) cookie challenge")
    if small or status in (403, 405, 412, 429, 503):
        for name, pattern in _VENDOR_CHALLENGES:
            if pattern.search(html):
                return PageVerdict(PageKind.CHALLENGE, f"{name}, HTTP {status}")
    if status == 412 and small:  # 412 answers nothing a client asked for: a check page
        return PageVerdict(PageKind.CHALLENGE, "HTTP 412 check page (vendor unknown)")
    if _RATE_LIMIT.search(title) or (small and _RATE_LIMIT.search(text)):
        return PageVerdict(PageKind.RATE_LIMITED, f"rate-limit page: {title or text[:40]}")
    if small and any(marker in html for marker in _WAF_MARKERS):
        return PageVerdict(PageKind.CHALLENGE, "WAF / browser check page")
    if small and _CAPTCHA.search(html):
        return PageVerdict(PageKind.CAPTCHA, "captcha page")
    if status == 404 or (small and _NOT_FOUND.search(title + " " + text)):
        return PageVerdict(
            PageKind.SOFT_404 if status < 400 else PageKind.ERROR, f"not found (HTTP {status})"
        )
    if status >= 400:
        return PageVerdict(PageKind.ERROR, f"HTTP {status}")
    if len(text) < 20:
        return PageVerdict(PageKind.EMPTY, "page has no visible text")
    return PageVerdict(PageKind.DOCUMENT, "content page")
