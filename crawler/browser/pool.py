"""A bounded headless Chromium for the pages that need a browser, and only for those.

One :class:`BrowserPool` per process. It starts Chromium on its first render (never before:
plain crawls pay nothing), keeps at most ``max_contexts`` browser contexts (one per site, so
cookies never cross sites) and renders at most ``max_pages`` pages at once, each within
``page_timeout``. Images, fonts and media are never downloaded. A context is replaced after
``recycle_after`` pages, and the whole browser is restarted when it crashes or when the RSS of
its process tree grows past ``memory_ceiling_mb``. Contexts speak like a person in China: a
real browser User-Agent, ``zh-CN``, ``Asia/Shanghai``.

A render loads the page, lets its scripts run until the network is quiet, and, while the page
is still a challenge (crawler.extract.page_kinds), waits for the challenge's own script to
reload it. Nothing here solves or forges anything: a page the browser does not pass by itself is
returned as it is, and the caller records it as blocked.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import Counter, OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loguru import logger
from pydantic import BaseModel, ConfigDict, Field

from crawler.extract.page_kinds import PageKind, PageVerdict, classify_page
from crawler.fetch.identity import BROWSER_USER_AGENT

if TYPE_CHECKING:
    from playwright.async_api import (
        Browser,
        BrowserContext,
        Frame,
        Page,
        Playwright,
        Request,
        Response,
        Route,
    )

# We run as root (hence no sandbox) on machines with a closed network: every background
# service of Chromium (component updates, sync, safe browsing …) would knock on it forever.
LAUNCH_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
# Unknown switches are ignored by Chromium; this one finds our browser among the processes.
_MARKER_SWITCH = "--govwatch-browser="
# A challenge that reloads itself more often than this is going round in circles.
MAX_NAVIGATIONS = 6
_COOKIE_KEYS = ("name", "value", "domain", "path", "expires", "httpOnly", "secure", "sameSite")


class BrowserSettings(BaseModel):
    """Bounds of the browser that renders pages plain HTTP cannot get (``[browser]``)."""

    model_config = ConfigDict(extra="forbid")
    max_contexts: int = Field(4, ge=1, le=32, description="browser contexts (sites) at once")
    max_pages: int = Field(4, ge=1, le=64, description="pages rendering at once, all contexts")
    page_timeout: float = Field(30.0, gt=0, description="seconds one render may take in all")
    challenge_wait: float = Field(
        8.0, ge=0, description="seconds a challenge page gets to reload itself"
    )
    settle_ms: int = Field(
        250, ge=0, description="network quiet time after load before a page counts as rendered"
    )
    settle_max: float = Field(5.0, ge=0, description="longest wait for a quiet network")
    recycle_after: int = Field(100, ge=1, description="pages a context renders before renewal")
    # Summed over the tree, RSS counts shared pages once per process: about twice what the
    # browser really uses (measured here: 660 MB RSS for 306 MB PSS, idle with 3 contexts).
    memory_ceiling_mb: int = Field(
        2560, ge=64, description="RSS summed over the browser's process tree that restarts it"
    )
    executable_path: Path | None = Field(
        Path("/usr/bin/chromium"),
        description="Chromium to run; if missing, Playwright's own (playwright install chromium)",
    )
    headless: bool = True
    blocked_resources: list[str] = Field(
        default_factory=lambda: ["image", "font", "media"],
        description="Playwright resource types never downloaded",
    )
    user_agent: str = BROWSER_USER_AGENT
    locale: str = "zh-CN"
    timezone: str = "Asia/Shanghai"

    def executable(self) -> str | None:
        """The Chromium binary to launch; None means Playwright's bundled one."""
        path = self.executable_path
        return str(path) if path is not None and path.is_file() else None


class RenderError(Exception):
    """The browser could not render a page: it would not start, it crashed twice, …"""


class RenderTimeout(RenderError, TimeoutError):
    """A render took longer than ``page_timeout``."""


@dataclass(frozen=True)
class RenderResult:
    """What the browser ended up showing for one URL."""

    url: str  # where the browser ended up
    status: int  # HTTP status of the last main-frame document (0 if none arrived)
    body: bytes
    content_type: str
    cookies: list[dict[str, Any]]  # the context's cookies afterwards, as Playwright spells them
    navigations: int  # main-frame navigations; a challenge's reload adds one
    verdict: PageVerdict  # crawler.extract.page_kinds's reading of the final page

    @property
    def passed(self) -> bool:
        """Whether the page is no longer something standing in the way of the content."""
        return self.verdict.kind not in (
            PageKind.CHALLENGE,
            PageKind.CAPTCHA,
            PageKind.RATE_LIMITED,
        )


@dataclass
class _Slot:
    """A browser context serving one site."""

    key: str
    context: BrowserContext
    served: int = 0
    in_use: int = 0
    retired: bool = False


class _PageWatch:
    """Follows one page: main-frame navigations, its last document response, requests in flight."""

    def __init__(self, page: Page) -> None:
        self.navigations = 0
        self.response: Response | None = None
        self.in_flight = 0
        self.last_activity = time.monotonic()
        self._navigated = asyncio.Event()
        page.on("framenavigated", self._on_navigated)
        page.on("response", self._on_response)
        page.on("request", self._on_request)
        page.on("requestfinished", self._on_request_done)
        page.on("requestfailed", self._on_request_done)

    def _on_navigated(self, frame: Frame) -> None:
        if frame.parent_frame is None:
            self.navigations += 1
            self._navigated.set()

    def _on_response(self, response: Response) -> None:
        request = response.request
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.response = response

    def _on_request(self, _: Request) -> None:
        self.in_flight += 1
        self.last_activity = time.monotonic()

    def _on_request_done(self, _: Request) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self.last_activity = time.monotonic()

    @property
    def status(self) -> int:
        return self.response.status if self.response is not None else 0

    async def settle(self, quiet: float, until: float) -> None:
        """Return once no request has been in flight for ``quiet`` seconds (or at ``until``)."""
        while time.monotonic() < until:
            if self.in_flight == 0 and time.monotonic() - self.last_activity >= quiet:
                return
            await asyncio.sleep(min(0.05, max(quiet, 0.01)))

    async def navigated_since(self, seen: int, timeout: float) -> bool:
        """Whether the main frame navigates again after ``seen`` navigations, within ``timeout``."""
        until = time.monotonic() + timeout
        while self.navigations <= seen:
            remaining = until - time.monotonic()
            if remaining <= 0:
                return False
            self._navigated.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._navigated.wait(), remaining)
        return True


class BrowserPool:
    """A lazily started, bounded, self-healing Chromium (see the module docstring)."""

    def __init__(self, settings: BrowserSettings | None = None) -> None:
        self.settings = settings or BrowserSettings()  # type: ignore[call-arg]
        self.stats: Counter[str] = Counter()
        self.peak_rss_mb = 0.0
        self._pages = asyncio.Semaphore(self.settings.max_pages)
        self._cond = asyncio.Condition()
        self._launch_lock = asyncio.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._marker = ""
        self._pid: int | None = None
        self._slots: OrderedDict[str, _Slot] = OrderedDict()  # by site, least recent first
        self._retiring: list[_Slot] = []  # recycled contexts still rendering a page
        self._active = 0  # renders between checkout and checkin
        self._restart_wanted = False
        self._closing = False  # a deliberate close: a disconnect is no crash

    @property
    def started(self) -> bool:
        return self._browser is not None

    @property
    def browser_pid(self) -> int | None:
        """Process id of the running browser (its main process), if any."""
        process = self._browser_process()
        return process.pid if process is not None else None

    # -- rendering --------------------------------------------------------------------------

    async def render(
        self,
        url: str,
        *,
        key: str,
        cookies: list[dict[str, Any]] | None = None,
        dom: bool = False,
    ) -> RenderResult:
        """Open ``url`` in the context of site ``key`` and return what it ends up showing.

        ``cookies`` seed a new context (those the site's earlier renders earned). ``dom`` True
        returns the document as the scripts left it (serialised, UTF-8); False returns the
        final response's own content as the server sent it (text comes decoded by Chromium,
        so as UTF-8, and its Content-Type says so). A browser that crashes under a render is
        restarted and the page tried once more.
        """
        async with self._pages:
            for attempt in (1, 2):
                slot = await self._checkout(key, cookies or [])
                try:
                    return await self._render_in(slot, url, dom)
                except RenderError:
                    raise
                except Exception as exc:  # Playwright's errors: a crash, a closed context …
                    await asyncio.sleep(0.2)  # let a disconnect be noticed before asking
                    if attempt == 1 and not self._connected():
                        self.stats["crash_retries"] += 1
                        continue  # the browser died under us: once more in a new one
                    raise RenderError(f"browser failed on {url}: {exc}"[:500]) from exc
                finally:
                    await self._checkin(slot)
        raise AssertionError("unreachable")

    async def _render_in(self, slot: _Slot, url: str, dom: bool) -> RenderResult:
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        page = await slot.context.new_page()
        try:
            return await asyncio.wait_for(
                self._navigate(page, url, dom), timeout=self.settings.page_timeout
            )
        except (TimeoutError, PlaywrightTimeout):  # ours, or a Playwright call's own deadline
            self.stats["timeouts"] += 1
            raise RenderTimeout(
                f"{url} did not render within {self.settings.page_timeout:g} s"
            ) from None
        finally:
            with contextlib.suppress(Exception):
                await page.close()

    async def _navigate(self, page: Page, url: str, dom: bool) -> RenderResult:
        settings = self.settings
        deadline = time.monotonic() + settings.page_timeout
        watch = _PageWatch(page)
        await page.goto(url, wait_until="commit", timeout=_ms(deadline))
        html = ""
        verdict = PageVerdict(PageKind.EMPTY, "nothing rendered")
        while True:
            with contextlib.suppress(Exception):  # a slow subresource must not cost the page
                await page.wait_for_load_state("load", timeout=_ms(deadline))
            settle_until = min(deadline, time.monotonic() + settings.settle_max)
            await watch.settle(settings.settle_ms / 1000, settle_until)
            seen = watch.navigations
            try:
                html = await page.content()
            except Exception:  # the page is navigating: read it once it has loaded
                await asyncio.sleep(0.05)
                continue
            verdict = classify_page(html, watch.status)
            if verdict.kind is not PageKind.CHALLENGE or watch.navigations > MAX_NAVIGATIONS:
                break
            # A challenge page: its script reloads it when it is done, or it never will.
            wait = min(settings.challenge_wait, deadline - time.monotonic())
            if not await watch.navigated_since(seen, wait):
                break
        self.stats["pages"] += 1
        body, content_type = html.encode("utf-8"), "text/html; charset=utf-8"
        if watch.response is not None and (not dom or not _is_html(watch.response)):
            with contextlib.suppress(Exception):  # gone with a navigation: keep the DOM
                body = await watch.response.body()
                content_type = _as_delivered(watch.response.headers.get("content-type"))
        cookies = [dict(cookie) for cookie in await page.context.cookies()]
        return RenderResult(
            page.url, watch.status, body, content_type, cookies, watch.navigations, verdict
        )

    # -- contexts ---------------------------------------------------------------------------

    async def _checkout(self, key: str, cookies: list[dict[str, Any]]) -> _Slot:
        async with self._cond:
            while self._restart_wanted and self._active > 0:
                await self._cond.wait()  # a restart waits for the renders in progress
            if self._restart_wanted:
                self._restart_wanted = False
                self.stats["restarts_memory"] += 1
                await self._shutdown_browser()
            while True:
                slot = self._slots.get(key)
                if slot is not None:
                    self._slots.move_to_end(key)
                    break
                if len(self._slots) + len(self._retiring) < self.settings.max_contexts:
                    slot = _Slot(key, await self._new_context(cookies))
                    self._slots[key] = slot
                    break
                idle = next((s for s in self._slots.values() if s.in_use == 0), None)
                if idle is not None:
                    del self._slots[idle.key]
                    self.stats["contexts_evicted"] += 1
                    await _close_quietly(idle.context)
                    continue
                await self._cond.wait()
            slot.in_use += 1
            self._active += 1
            return slot

    async def _checkin(self, slot: _Slot) -> None:
        async with self._cond:
            slot.in_use -= 1
            slot.served += 1
            self._active -= 1
            if slot.served >= self.settings.recycle_after and not slot.retired:
                slot.retired = True
                if self._slots.get(slot.key) is slot:
                    del self._slots[slot.key]
                    self._retiring.append(slot)
            if slot.retired and slot.in_use == 0 and slot in self._retiring:
                self._retiring.remove(slot)
                self.stats["contexts_recycled"] += 1
                await _close_quietly(slot.context)
            self._check_memory()
            self._cond.notify_all()

    async def _new_context(self, cookies: list[dict[str, Any]]) -> BrowserContext:
        browser = await self._ensure_browser()
        settings = self.settings
        context = await browser.new_context(
            user_agent=settings.user_agent,
            locale=settings.locale,
            timezone_id=settings.timezone,
            viewport={"width": 1366, "height": 768},
            ignore_https_errors=True,  # government certificates are often expired or odd
            service_workers="block",
        )
        if settings.blocked_resources:
            await context.route("**/*", self._route)
        usable = [{k: c[k] for k in _COOKIE_KEYS if k in c} for c in cookies]
        if usable:
            with contextlib.suppress(Exception):  # a cookie the browser refuses is no reason
                await context.add_cookies(usable)  # type: ignore[arg-type]
        self.stats["contexts_created"] += 1
        return context

    async def _route(self, route: Route) -> None:
        if route.request.resource_type in self.settings.blocked_resources:
            self.stats["blocked_resources"] += 1
            await route.abort()
        else:
            await route.continue_()

    # -- the browser process ----------------------------------------------------------------

    async def _ensure_browser(self) -> Browser:
        async with self._launch_lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            await self._shutdown_browser()
            from playwright.async_api import async_playwright

            if self._playwright is None:
                self._playwright = await async_playwright().start()
            self._marker = f"{_MARKER_SWITCH}{uuid.uuid4().hex}"
            executable = self.settings.executable()
            logger.info("starting Chromium ({})", executable or "Playwright's own")
            try:
                browser = await self._playwright.chromium.launch(
                    executable_path=executable,
                    headless=self.settings.headless,
                    args=[*LAUNCH_ARGS, self._marker],
                    timeout=60_000,
                )
            except Exception as exc:
                where = executable or "Playwright's bundled Chromium"
                raise RenderError(
                    f"cannot start Chromium ({where}): {exc}. Install Debian's chromium "
                    "package, or run `.venv/bin/playwright install chromium`."[:800]
                ) from exc
            browser.on("disconnected", self._on_disconnected)
            self._browser, self._pid = browser, None
            self.stats["launches"] += 1
            return browser

    def _on_disconnected(self, browser: Browser) -> None:
        if browser is not self._browser:
            return
        if not self._closing:
            self.stats["crashes"] += 1
        # Every context died with the browser; renders still holding one fail and retry.
        self._browser, self._pid = None, None
        self._slots.clear()
        self._retiring.clear()

    def _connected(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    async def _shutdown_browser(self) -> None:
        browser = self._browser
        self._slots.clear()
        self._retiring.clear()
        if browser is None:
            return
        self._closing = True
        try:
            with contextlib.suppress(Exception):
                await browser.close()
        finally:
            self._closing = False
            self._browser, self._pid = None, None

    async def close(self) -> None:
        """Stop the browser and Playwright's driver; the pool may start again afterwards."""
        async with self._cond:
            await self._shutdown_browser()
            if self._playwright is not None:
                with contextlib.suppress(Exception):
                    await self._playwright.stop()
                self._playwright = None

    # -- memory -----------------------------------------------------------------------------

    def rss_mb(self) -> float:
        """Resident memory of the browser's whole process tree, in MB (0 when not running).

        Every reading counts toward ``peak_rss_mb``, whoever takes it.
        """
        import psutil

        process = self._browser_process()
        if process is None:
            return 0.0
        total = 0
        for member in [process, *_children(process)]:
            with contextlib.suppress(psutil.Error):
                total += member.memory_info().rss
        rss = total / 2**20
        self.peak_rss_mb = max(self.peak_rss_mb, rss)
        return rss

    def _browser_process(self) -> Any:
        import psutil

        if self._browser is None:
            return None
        if self._pid is not None:
            with contextlib.suppress(psutil.Error):
                process = psutil.Process(self._pid)
                if process.is_running():
                    return process
        for child in _children(psutil.Process()):
            with contextlib.suppress(psutil.Error):
                if self._marker in child.cmdline():
                    self._pid = child.pid
                    return child
        return None

    def _check_memory(self) -> None:
        rss = self.rss_mb()
        if rss > self.settings.memory_ceiling_mb and self._browser is not None:
            self._restart_wanted = True


def _children(process: Any) -> list[Any]:
    import psutil

    try:
        return list(process.children(recursive=True))
    except psutil.Error:
        return []


async def _close_quietly(context: BrowserContext) -> None:
    with contextlib.suppress(Exception):
        await context.close()


def _is_html(response: Response) -> bool:
    content_type = response.headers.get("content-type", "text/html").lower()
    return "html" in content_type or "xml" in content_type


def _as_delivered(content_type: str | None) -> str:
    """The Content-Type of a body as Playwright hands it over: Chromium gives text resources
    (HTML, XML, JSON, scripts) already decoded, and Playwright encodes them as UTF-8."""
    mime = (content_type or "text/html").split(";", 1)[0].strip().lower()
    texty = mime.startswith("text/") or mime.endswith(("json", "xml", "javascript"))
    return f"{mime}; charset=utf-8" if texty else (content_type or mime)


def _ms(deadline: float) -> float:
    """Milliseconds left until ``deadline`` (at least 1: Playwright reads 0 as 'no limit')."""
    return max(1.0, (deadline - time.monotonic()) * 1000)
