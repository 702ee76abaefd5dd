"""Challenge detection: the real saved pages, the replica's challenges, and the render rules.

Every real page in tests/fixtures/pages is classified right (each 412 page as 瑞数, each 200
page as content), and so is every challenge the replica serves. No browser here: these are
the decisions made before one is started (crawler.browser.rules).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.browser.rules import (
    CookieStore,
    challenge_reason,
    list_needs_browser,
    needs_look,
    render_reason,
    script_built_list,
)
from crawler.extract.encoding import decode_html
from crawler.extract.page_kinds import PageKind, classify_page
from replica import Replica, ReplicaThread
from replica.challenges import ChallengeKind, ChallengeTable
from replica.challenges.pages import RUISHU_CLIENT_COOKIE, RUISHU_SERVER_COOKIE
from replica.challenges.sources import PRESET
from replica.challenges.tokens import secret, token_hash
from replica.families.call import Call
from spiders.adapters import ADAPTERS
from spiders.registry import load_registry
from tests.conftest import PAGES

REAL_PAGES = sorted(PAGES.glob("*/*.html"))
# The one 200 "page" that is a JSON answer saved with .html: hubei's list API after the cookie.
JSON_PAGES = {"scjg.hubei.gov.cn/200_home_after_cookie.html"}
# The rule for script-built lists applies to list pages only (a detail page such as hubei's,
# with an empty <tbody> its scripts fill, is never asked).
LIST_PAGES = {"scjg.gansu.gov.cn/200_search_list_after_cookie.html"}


def _status(page: Path) -> int:
    return 412 if page.name.startswith("412") else 200


def _name(page: Path) -> str:
    return f"{page.parent.name}/{page.name}"


def test_the_fixture_set_has_both_kinds_of_real_page() -> None:
    statuses = [_status(p) for p in REAL_PAGES]
    assert statuses.count(412) == 3 and statuses.count(200) == 6


@pytest.mark.parametrize("page", REAL_PAGES, ids=_name)
def test_every_real_page_is_classified_right(page: Path) -> None:
    raw = page.read_bytes()
    text = decode_html(raw).text
    verdict = classify_page(text, _status(page))
    if _status(page) == 412:
        assert verdict.kind is PageKind.CHALLENGE
        assert challenge_reason(verdict) == "ruishu"
        assert render_reason(text, 412) == "ruishu"
        # Even if a proxy turned the status into 200, the page alone says 瑞数.
        assert challenge_reason(classify_page(text, 200)) == "ruishu"
        assert needs_look(raw, 200), "the byte prefilter must never let a challenge through"
    else:
        expected = PageKind.JSON if _name(page) in JSON_PAGES else PageKind.DOCUMENT
        assert verdict.kind is expected, verdict.reason
        assert render_reason(text, 200) is None
        if _name(page) in LIST_PAGES:
            # Read by the family for sites of no known CMS, the list has its items: no browser,
            # although the page has an empty <ul id="pageInfo"> (its pager) and scripts.
            assert script_built_list(text) is not None
            adapter = ADAPTERS["generic_list"]({})
            url = f"http://{page.parent.name}/common/search/list"
            count = lambda html: len(adapter.parse_list(url, html).items)  # noqa: E731
            assert list_needs_browser(text, count) is None


# -- the replica's challenges -----------------------------------------------------------------


@pytest.fixture(scope="module")
def protected() -> Iterator[ReplicaThread]:
    with ReplicaThread(seed=3) as running:
        for source_id, kind in PRESET.items():
            running.replica.protect_source(source_id, kind)
        yield running


def _get(url: str, cookies: dict[str, str] | None = None) -> tuple[int, bytes, str]:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
    request = urllib.request.Request(url, headers=headers if cookies else {})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read(), response.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers.get("Set-Cookie", "")


def _entry_path(source_id: str) -> str:
    url = load_registry().get(source_id).entry_urls[0]
    return "/" + url.split("://", 1)[1]


@pytest.mark.parametrize(
    ("source_id", "status", "kind", "reason"),
    [
        ("gansu-policy", 412, PageKind.CHALLENGE, "ruishu"),
        ("jiangsu-policy", 412, PageKind.CHALLENGE, "ruishu"),
        ("hebei-industry", 521, PageKind.CHALLENGE, "jsl"),
        ("shaanxi-procurement", 521, PageKind.CHALLENGE, "jsl"),
        ("ningxia-industry", 200, PageKind.CAPTCHA, None),
    ],
)
def test_the_replicas_challenge_pages_are_classified_like_the_real_ones(
    protected: ReplicaThread, source_id: str, status: int, kind: PageKind, reason: str | None
) -> None:
    got, body, _ = _get(protected.base_url + _entry_path(source_id))
    assert got == status
    verdict = classify_page(decode_html(body).text, got)
    assert verdict.kind is kind
    assert challenge_reason(verdict) == reason
    assert needs_look(body, got)


def test_a_ruishu_site_answers_412_until_both_cookies_are_right_and_again_after_rotation(
    protected: ReplicaThread,
) -> None:
    url = protected.base_url + "/www.gansu.gov.cn/gsszf/zcwj/index.html"
    status, body, set_cookie = _get(url)
    assert status == 412 and b'r="m"' in body and b"$_ts=window['$_ts']" in body
    assert set_cookie.startswith(RUISHU_SERVER_COOKIE) and "HttpOnly" in set_cookie
    server = set_cookie.split(";")[0].split("=", 1)[1]
    token = body.split(b'<meta content="', 1)[1].split(b'"', 1)[0].decode()
    assert _get(url)[0] == 412, "plain requests keep getting the challenge"
    assert _get(url, {RUISHU_SERVER_COOKIE: server})[0] == 412
    # What the page's script would compute (the replica's own arithmetic, not 瑞数's).
    right = {RUISHU_SERVER_COOKIE: server, RUISHU_CLIENT_COOKIE: token_hash(token)}
    status, body, _ = _get(url, right)
    assert status == 200 and "政策文件".encode("gbk") in body
    assert _get(url, {**right, RUISHU_CLIENT_COOKIE: "00000000"})[0] == 412
    protected.replica.rotate_challenges("/www.gansu.gov.cn/")
    assert _get(url, right)[0] == 412, "cookies of an old epoch are stale"
    assert _get(protected.base_url + "/www.gov.cn/zhengce/zfgzbg/index.html")[0] == 200


def test_cookies_expire_by_themselves_after_max_uses() -> None:
    table = ChallengeTable(seed=1)
    table.protect("/a.gov.cn/", "ruishu", max_uses=2)

    def right_cookies() -> dict[str, str]:
        (protection,) = table.protections()
        token = secret(1, "/a.gov.cn", protection.epoch, "ruishu-token", 54)
        server = secret(1, "/a.gov.cn", protection.epoch, "ruishu-S", 22)
        return {RUISHU_SERVER_COOKIE: server, RUISHU_CLIENT_COOKIE: token_hash(token)}

    cookies = right_cookies()
    assert table.gate("/a.gov.cn/x.html", cookies) is None
    assert table.gate("/a.gov.cn/y.html", cookies) is None
    answer = table.gate("/a.gov.cn/z.html", cookies)
    assert answer is not None and answer.reply.status == 412
    assert table.gate("/a.gov.cn/z.html", right_cookies()) is None
    assert table.gate("/b.gov.cn/z.html", {}) is None, "other sites are not protected"


def test_a_script_built_list_is_empty_as_served_and_needs_the_browser(
    protected: ReplicaThread,
) -> None:
    for source_id in ("beijing-industry", "tianjin-industry"):
        source = load_registry().get(source_id)
        status, body, _ = _get(protected.base_url + _entry_path(source_id))
        text = decode_html(body).text
        assert status == 200 and classify_page(text, status).kind is PageKind.DOCUMENT
        assert script_built_list(text) is not None, source_id
        listing = ADAPTERS[source.adapter](source.options).parse_list(source.entry_urls[0], text)
        assert listing.items == [], "an adapter sees nothing in the page as served"
    # The same source's documents are plain pages.
    doc = next(d for d in protected.replica.documents() if d["source_id"] == "beijing-industry")
    status, body, _ = _get(protected.base_url + doc["url_path"])
    assert status == 200 and script_built_list(decode_html(body).text) is None


def test_a_js_api_site_serves_its_rows_as_json_to_its_script(protected: ReplicaThread) -> None:
    status, body, _ = _get(protected.base_url + _entry_path("tianjin-industry"))
    path = body.split(b"fetch('", 1)[1].split(b"'", 1)[0].decode()
    status, data, _ = _get(protected.base_url + path)
    assert status == 200 and data.startswith(b'{"total": ') and b'"rows": ["<a href=' in data


def test_the_plain_replica_serves_lists_with_their_items() -> None:
    replica = Replica(seed=3)
    reply = replica.serve(Call("GET", _entry_path("beijing-industry"), {}, b"", ""))
    assert script_built_list(reply.body.decode("utf-8")) is None
    with pytest.raises(KeyError):
        replica.protect_source("no-such-source", ChallengeKind.RUISHU)


# -- the rule for script-built lists ----------------------------------------------------------

_SHELL = "<html><head><title>通知公告</title></head><body><h1>通知公告</h1>{}</body></html>"


@pytest.mark.parametrize(
    ("body", "needs_browser"),
    [
        ('<ul class="list"></ul><script>$("#l").html(rows)</script>', True),
        ('<ul id="l">\n</ul><script>fetch("/api").then(r=>r.json())</script>', True),
        ('<div id="newsList"></div><script src="/js/list.js"></script>', True),
        ("<table><tbody> </tbody></table><script>el.innerHTML = x;</script>", True),
        (
            '<ul class="list"><li><a href="/a.html">甲</a></li></ul><script>x.innerHTML=1</script>',
            False,
        ),
        ('<ul class="list"></ul><p>暂无数据</p>', False),  # empty, but nothing would fill it
        ('<ul></ul><script type="application/json">{"rows": []}</script>', False),
        ('<ul class="list"></ul><script>var year = 2024;</script>', False),
    ],
)
def test_script_built_list_rule(body: str, needs_browser: bool) -> None:
    assert (script_built_list(_SHELL.format(body)) is not None) is needs_browser


def test_the_byte_prefilter_looks_at_small_odd_or_marked_pages_only() -> None:
    big = ("<p>" + "政策文件正文。" * 400 + "</p>").encode()
    assert not needs_look(big, 200)
    assert needs_look(big, 412) and needs_look(b"<html></html>", 200)
    assert needs_look(big + "请输入验证码".encode("gbk"), 200)
    assert needs_look(big + b"<script>var __jsl_clearance_s=1</script>", 200)


# -- cookies the browser earned ---------------------------------------------------------------


def test_the_cookie_store_lends_cookies_until_they_fail_and_keeps_newer_ones() -> None:
    store = CookieStore()
    assert store.header("a.gov.cn", "/") is None and store.generation("a.gov.cn") == 0
    earned = [
        {"name": "T", "value": "1", "path": "/a.gov.cn/", "expires": -1},
        {"name": "old", "value": "x", "path": "/", "expires": 1.0},  # expired long ago
    ]
    assert store.earned("a.gov.cn", earned) == 1
    assert store.header("a.gov.cn", "/a.gov.cn/p.html", "S=9; T=0") == "S=9; T=1"
    assert store.header("a.gov.cn", "/b.gov.cn/p.html") is None, "path-scoped"
    assert store.header("b.gov.cn", "/a.gov.cn/p.html") is None, "per site"
    store.earned("a.gov.cn", [{"name": "T", "value": "2", "path": "/"}])
    assert not store.failed("a.gov.cn", 1), "a request with older cookies drops nothing"
    assert store.header("a.gov.cn", "/x") == "T=2"
    assert store.failed("a.gov.cn", 2)
    assert store.header("a.gov.cn", "/x") is None and store.generation("a.gov.cn") == 2


# --- challenges of every generation and vendor, as their pages are built ----------------------

TOKEN = "q" * 400  # the token meta's long content (real ones are base64-like, hundreds of chars)
NEWER_RUISHU = f"""<!DOCTYPE html><html><head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<meta id="9DhefwqGPrzGxEp9hPaoag" content="{TOKEN}">
<script type="text/javascript" r='m'>var _$k=window['_$k']||{{}};</script>
<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/d.FxJzG50F.dfe1675.js" r='m'></script>
</head><body></body></html>"""
ACW_SC = """<html><script>var arg1='3B5F0A2C9D8E7F6A1B2C3D4E5F60718293A4B5C6';
function setCookie(){document.cookie='acw_sc__v2='+x+'; max-age=3600; path=/';}
</script></html>"""
YUNSUO = """<html><head><script>var security_verify_data = "313932302c31303830";
document.cookie="srcurl="+stringToHex(window.location.href)+";path=/;";
location.href = "/?security_verify_data=" + security_verify_data;</script></head></html>"""


@pytest.mark.parametrize(
    ("html", "status", "vendor", "reason"),
    [
        (NEWER_RUISHU, 412, "瑞数", "ruishu"),  # token meta with an id, r='m' on scripts only
        (NEWER_RUISHU, 200, "瑞数", "ruishu"),
        (NEWER_RUISHU.replace(" r='m'", ""), 412, "瑞数", "ruishu"),  # the token meta alone
        (ACW_SC, 200, "阿里云 WAF", "waf"),
        (YUNSUO, 200, "云锁", "waf"),
        ("<html><body><script src='/a.js'></script></body></html>", 412, "HTTP 412", "waf"),
    ],
)
def test_challenges_of_every_generation_go_to_the_browser(
    html: str, status: int, vendor: str, reason: str
) -> None:
    verdict = classify_page(html, status)

    assert verdict.kind is PageKind.CHALLENGE, verdict
    assert vendor in verdict.reason
    assert needs_look(html.encode(), status)
    assert render_reason(html, status) == reason


def test_a_page_that_names_a_vendor_in_its_text_is_still_a_document() -> None:
    body = "本站由云锁、安全狗防护。" + "推进区块链技术应用，建设数字政府。" * 40
    html = f"<html><head><title>通知</title></head><body><p>{body}</p></body></html>"

    assert classify_page(html, 200).kind is PageKind.DOCUMENT
