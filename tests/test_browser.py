"""The bounded browser (crawler.browser.pool) with real Chromium: what it renders, and its bounds.

Pages come from the replica's challenges and from a small local server that records what the
browser asked for. Each test starts its own pool on its own event loop (a pool belongs to
one loop), so each pays one Chromium start, about a second.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import psutil
import pytest

from crawler.browser.pool import BrowserPool, BrowserSettings, RenderTimeout
from crawler.extract.encoding import decode_html
from crawler.extract.page_kinds import PageKind
from crawler.fetch.identity import BROWSER_USER_AGENT
from replica import ReplicaThread
from replica.challenges.pages import RUISHU_CLIENT_COOKIE, RUISHU_SERVER_COOKIE
from replica.challenges.sources import PRESET
from spiders.adapters import ADAPTERS
from spiders.registry import load_registry

pytestmark = pytest.mark.timeout(60)
T = TypeVar("T")

PROBE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>探针</title>
<link rel="stylesheet" href="/style.css"></head><body>
<p style="font-family: gwfont">字体</p><img src="/img.png"><video src="/movie.mp4"></video>
<pre id="out"></pre><ul id="data"></ul>
<script>
document.getElementById('out').textContent = JSON.stringify({ua: navigator.userAgent,
  lang: navigator.language, tz: Intl.DateTimeFormat().resolvedOptions().timeZone});
fetch('/data.json').then(r => r.json()).then(d => {
  document.getElementById('data').innerHTML = d.map(x => '<li>' + x + '</li>').join('');
});
</script></body></html>"""
STUCK = (
    '<html><head><meta content="tok" r="m"><script r="m">$_ts=window[\'$_ts\'];</script>'
    "</head><body></body></html>"
)


class _Server:
    """Records every request (path, headers) and how many were in flight at once."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()


def _handler(state: _Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            with state.lock:
                state.requests.append((self.path, dict(self.headers)))
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                self._answer()
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _answer(self) -> None:
            path = self.path.split("?")[0]
            status, body, kind = 200, b"", "text/html; charset=utf-8"
            if path == "/probe.html":
                body = PROBE.encode()
            elif path == "/data.json":
                body, kind = json.dumps(["一", "二", "三"]).encode(), "application/json"
            elif path == "/style.css":
                body = b"@font-face{font-family:gwfont;src:url(/font.woff2)}"
                kind = "text/css"
            elif path == "/slow.html":
                time.sleep(0.4)
                body = b"<html><body><p>" + "慢页面。".encode() * 20 + b"</p></body></html>"
            elif path == "/hang.html":
                time.sleep(6)
            elif path == "/stuck.html":
                status, body = 412, STUCK.encode()
            else:
                status = 404
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, _Server]]:
    state = _Server()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    httpd.shutdown()


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaThread]:
    with ReplicaThread(seed=4) as running:
        for source_id, kind in PRESET.items():
            running.replica.protect_source(source_id, kind)
        yield running


def with_pool(
    use: Callable[[BrowserPool], Awaitable[T]], settings: BrowserSettings | None = None
) -> tuple[T, BrowserPool]:
    """Run ``use(pool)`` on a new loop with a new pool, which is closed afterwards."""

    async def main() -> tuple[T, BrowserPool]:
        pool = BrowserPool(settings)
        try:
            return await use(pool), pool
        finally:
            await pool.close()

    return asyncio.run(main())


def _entry(source_id: str) -> str:
    return "/" + load_registry().get(source_id).entry_urls[0].split("://", 1)[1]


def test_the_pool_starts_nothing_until_the_first_render() -> None:
    pool = BrowserPool()
    assert not pool.started and pool.browser_pid is None and pool.rss_mb() == 0.0
    assert BrowserSettings(executable_path="/nowhere/chromium").executable() is None


def test_a_ruishu_challenge_is_passed_and_its_cookies_open_the_site_to_plain_requests(
    replica: ReplicaThread,
) -> None:
    url = replica.base_url + "/www.gansu.gov.cn/gsszf/zcwj/index.html"
    result, pool = with_pool(lambda pool: pool.render(url, key="www.gansu.gov.cn"))
    assert result.status == 200 and result.passed and result.navigations >= 2
    assert result.verdict.kind is PageKind.DOCUMENT
    # The final answer as served, not a re-serialised DOM (Chromium hands text over decoded:
    # this GBK page comes as UTF-8, and says so).
    assert result.content_type == "text/html; charset=utf-8"
    cookies = {c["name"]: c["value"] for c in result.cookies}
    assert {RUISHU_SERVER_COOKIE, RUISHU_CLIENT_COOKIE} <= set(cookies)
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    plain = urllib.request.Request(url, headers={"Cookie": header})
    with urllib.request.urlopen(plain) as answer:
        assert answer.status == 200
        assert result.body == answer.read().decode("gb18030").encode("utf-8")
    assert pool.stats["launches"] == 1 and pool.stats["pages"] == 1


def test_a_jsl_challenge_is_passed(replica: ReplicaThread) -> None:
    url = replica.base_url + _entry("hebei-industry")
    result, _ = with_pool(lambda pool: pool.render(url, key="gxt.hebei.gov.cn"))
    assert result.passed and result.status == 200
    assert "__jsl_clearance_s" in {c["name"] for c in result.cookies}


@pytest.mark.parametrize("source_id", ["beijing-industry", "tianjin-industry"])
def test_a_list_built_by_scripts_is_read_from_the_rendered_dom(
    replica: ReplicaThread, source_id: str
) -> None:
    served = [d for d in replica.replica.documents() if d["source_id"] == source_id]
    items = min(len(served), 15)  # the family's first page holds 15
    assert items >= 10
    url = replica.base_url + _entry(source_id)
    result, _ = with_pool(lambda pool: pool.render(url, key=source_id, dom=True))
    source = load_registry().get(source_id)
    adapter = ADAPTERS[source.adapter](source.options)
    text = decode_html(result.body, result.content_type).text
    assert len(adapter.parse_list(source.entry_urls[0], text).items) == items


def test_a_captcha_is_returned_as_a_captcha_at_once(replica: ReplicaThread) -> None:
    url = replica.base_url + _entry("ningxia-industry")
    started = time.monotonic()
    result, _ = with_pool(lambda pool: pool.render(url, key="gxt.nx.gov.cn"))
    assert result.verdict.kind is PageKind.CAPTCHA and not result.passed
    assert time.monotonic() - started < 10


def test_a_challenge_that_never_reloads_is_given_up_after_the_challenge_wait(
    server: tuple[str, _Server],
) -> None:
    base, _ = server
    settings = BrowserSettings(challenge_wait=1.0)
    started = time.monotonic()
    result, _ = with_pool(lambda pool: pool.render(base + "/stuck.html", key="x"), settings)
    assert result.verdict.kind is PageKind.CHALLENGE and result.status == 412
    assert not result.passed and time.monotonic() - started < 8


def test_contexts_look_like_a_browser_in_china_and_download_no_images_fonts_or_media(
    server: tuple[str, _Server],
) -> None:
    base, state = server
    state.requests.clear()
    result, pool = with_pool(lambda pool: pool.render(base + "/probe.html", key="p", dom=True))
    html = result.body.decode("utf-8")
    seen = json.loads(html.split('<pre id="out">', 1)[1].split("</pre>", 1)[0])
    assert seen == {"ua": BROWSER_USER_AGENT, "lang": "zh-CN", "tz": "Asia/Shanghai"}
    assert "<li>一</li><li>二</li><li>三</li>" in html, "the page's fetch ran before it counted"
    paths = [path for path, _ in state.requests]
    headers = dict(state.requests[0][1])
    assert headers["User-Agent"] == BROWSER_USER_AGENT
    assert headers["Accept-Language"].startswith("zh-CN")
    assert "/data.json" in paths and "/style.css" in paths
    assert not {"/img.png", "/movie.mp4", "/font.woff2"} & set(paths)
    assert pool.stats["blocked_resources"] >= 2


def test_pages_at_once_and_contexts_are_bounded_and_contexts_are_recycled(
    server: tuple[str, _Server],
) -> None:
    base, state = server
    settings = BrowserSettings(max_pages=2, max_contexts=2, recycle_after=3)
    state.max_in_flight = 0

    async def use(pool: BrowserPool) -> None:
        await asyncio.gather(
            *(pool.render(f"{base}/slow.html?{i}", key=f"site{i % 2}") for i in range(6))
        )
        for key in ("c", "d", "e"):  # a third site while two contexts live: one is evicted
            await pool.render(f"{base}/slow.html?{key}", key=key)

    _, pool = with_pool(use, settings)
    assert state.max_in_flight == 2
    assert pool.stats["pages"] == 9
    assert pool.stats["contexts_recycled"] == 2, "each site's context renewed after 3 pages"
    assert pool.stats["contexts_evicted"] == 1


def test_a_page_that_takes_too_long_times_out_and_the_pool_goes_on(
    server: tuple[str, _Server],
) -> None:
    base, _ = server
    settings = BrowserSettings(page_timeout=1.5)

    async def use(pool: BrowserPool) -> Any:
        started = time.monotonic()
        with pytest.raises(RenderTimeout):
            await pool.render(base + "/hang.html", key="h")
        assert time.monotonic() - started < 4
        return await pool.render(base + "/slow.html", key="h")

    result, pool = with_pool(use, settings)
    assert result.passed and pool.stats["timeouts"] == 1


def test_the_browser_is_restarted_after_a_crash(server: tuple[str, _Server]) -> None:
    base, _ = server

    async def use(pool: BrowserPool) -> Any:
        await pool.render(base + "/slow.html", key="c")
        pid = pool.browser_pid
        assert pid is not None
        psutil.Process(pid).kill()
        await asyncio.sleep(0.5)
        return await pool.render(base + "/slow.html?after", key="c")

    result, pool = with_pool(use)
    assert result.passed and pool.stats["launches"] == 2 and pool.stats["crashes"] == 1


def test_a_render_whose_browser_crashes_is_tried_once_more_in_a_new_one(
    server: tuple[str, _Server],
) -> None:
    base, state = server
    settings = BrowserSettings(page_timeout=2.5)

    async def use(pool: BrowserPool) -> None:
        await pool.render(base + "/slow.html?warm", key="c")
        pid = pool.browser_pid
        assert pid is not None
        state.requests.clear()
        rendering = asyncio.create_task(pool.render(base + "/hang.html", key="c"))
        await asyncio.sleep(0.6)
        psutil.Process(pid).kill()
        with pytest.raises(RenderTimeout):  # the second try hangs too: the page's fault
            await rendering

    _, pool = with_pool(use, settings)
    assert pool.stats["crash_retries"] == 1 and pool.stats["launches"] == 2
    assert [p for p, _ in state.requests].count("/hang.html") == 2


def test_the_browser_is_restarted_above_its_memory_ceiling(server: tuple[str, _Server]) -> None:
    base, _ = server
    settings = BrowserSettings(memory_ceiling_mb=64)  # any Chromium is bigger

    async def use(pool: BrowserPool) -> float:
        await pool.render(base + "/slow.html?1", key="m")
        first = pool.rss_mb()
        await pool.render(base + "/slow.html?2", key="m")
        return first

    first_rss, pool = with_pool(use, settings)
    assert first_rss > 64 and pool.peak_rss_mb >= first_rss
    assert pool.stats["restarts_memory"] == 1 and pool.stats["launches"] == 2


def test_a_plain_request_still_meets_the_challenge(replica: ReplicaThread) -> None:
    """The browser's pass is the browser's: nothing is solved for plain clients."""
    url = replica.base_url + _entry("jiangsu-policy")
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(url)
    assert raised.value.code == 412
