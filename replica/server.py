"""The Replica: state, Python API and the aiohttp server that serves it on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from replica import admin, delivery
from replica.challenges import ChallengeKind, ChallengeTable, GateAnswer, Protection, js_list
from replica.challenges.sources import column_list_filter, site_prefix, static_list_filter
from replica.families.base import METHOD_NOT_ALLOWED, Column
from replica.families.call import Call
from replica.families.web import FamilyWeb
from replica.faults import Fault, FaultKind, FaultTable
from replica.rendered import Reply
from replica.static_web import StaticWeb
from replica.traffic import RequestLog

# Hung requests are released when the server stops, so shutdown needs only a short grace.
SHUTDOWN_TIMEOUT = 0.5
# Poll interval at which a hung request notices that its client gave up.
HANG_POLL_SECONDS = 0.1


DEFAULT_SEARCH_RATE_LIMIT = (3, 10.0)  # ccgp bxsearch: requests per window of seconds


class Replica:
    """A deterministic local replica of the Chinese government web.

    Four hand-built TRS portals (replica.sites) plus, for every other source of the registry,
    a column generated in its CMS family's markup (replica.families). The same seed and
    registry yield a byte-identical web (the 浏览次数 counters aside). Every method may be
    called from any thread while the server runs.
    """

    def __init__(
        self,
        seed: int = 0,
        scale: int = 1,
        registry_dir: Path | None = None,
        search_rate_limit: tuple[int, float] = DEFAULT_SEARCH_RATE_LIMIT,
        challenges: Mapping[str, ChallengeKind | str] | None = None,
        families: Mapping[str, type[Column]] | None = None,
    ) -> None:
        """`registry_dir` None serves the packaged registry (spiders/sources).

        `challenges` puts registry sources behind challenges by id (see protect_source).
        `families` replaces the adapter-name → column-class map (replica.families.FAMILIES),
        as replica.preset does for its synthetic sources.
        """
        if scale < 1:
            raise ValueError(f"scale must be at least 1: {scale}")
        from spiders.registry import load_registry  # the registry pulls in the crawler's code

        self.seed = seed
        self.scale = scale
        self._web = StaticWeb(seed, scale)
        generated = []
        sources = load_registry(registry_dir).sources
        self._entries = {source.id: source.entry_urls[0] for source in sources}
        for source in sources:
            host, path = _entry_host_and_path(source.entry_urls[0])
            if not self._web.claim(host, path, source.id):
                generated.append(source)
        self._families = FamilyWeb(generated, seed, scale, search_rate_limit, families)
        self._faults = FaultTable()
        self._challenges = ChallengeTable(seed)
        for source_id, kind in (challenges or {}).items():
            self.protect_source(source_id, kind)
        self._log = RequestLog()
        self._runner: web.ServerRunner | None = None
        self._stopping: asyncio.Event | None = None
        self.base_url: str | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on host:port (0 picks a free port) and return the base URL."""
        if self._runner is not None:
            raise RuntimeError("replica is already running")
        self._stopping = asyncio.Event()
        server = web.Server(self._handle, access_log=None, keepalive_timeout=75)
        runner = web.ServerRunner(server, shutdown_timeout=SHUTDOWN_TIMEOUT)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound_port = runner.addresses[0][1]
        authority = f"[{host}]" if ":" in host else host
        self.base_url = f"http://{authority}:{bound_port}"
        return self.base_url

    async def stop(self) -> None:
        """Stop serving; hung and slow requests are dropped rather than waited for."""
        if self._runner is None:
            return
        if self._stopping is not None:
            self._stopping.set()
        runner, self._runner = self._runner, None
        await runner.cleanup()
        self.base_url = None

    # -- content -------------------------------------------------------------------------

    @property
    def search_rate_limit(self) -> tuple[int, float]:
        """(requests, seconds) the ccgp search allows before its 频繁访问 page, all clients."""
        return self._families.search_limit.limit

    @search_rate_limit.setter
    def search_rate_limit(self, limit: tuple[int, float]) -> None:
        self._families.search_limit.limit = limit

    @property
    def unserved_sources(self) -> list[str]:
        """Ids of registry sources whose adapter family the replica cannot imitate."""
        return list(self._families.unserved)

    def documents(self) -> list[dict[str, Any]]:
        """Ground truth of every served document: hand-built sites first, then the registry's.

        Keys: host, column_path, kind, url_path, real_url, title, published, doc_number,
        publisher, blockchain_count, lying_charset, source_id and notice (None unless the
        document is a procurement notice).
        """
        return self._web.documents() + self._families.documents()

    def publish(
        self,
        host: str,
        column_path: str,
        title: str,
        body_paragraphs: Iterable[str],
        published: date | datetime | None = None,
        doc_number: str | None = None,
    ) -> dict[str, Any]:
        """Publish a document on top of a column and return its ground truth.

        A generated source's column is named by its entry URL's host and path.
        """
        try:
            return self._web.publish(
                host, column_path, title, body_paragraphs, published, doc_number
            )
        except KeyError:
            column = self._families.find_column(host, column_path)
            if column is None:
                raise
        return self._families.publish(
            column.source.id, title, body_paragraphs, published, doc_number=doc_number
        )

    def publish_to_source(
        self,
        source_id: str,
        title: str,
        body_paragraphs: Iterable[str],
        published: date | datetime | None = None,
        notice: dict[str, Any] | None = None,
        doc_number: str | None = None,
    ) -> dict[str, Any]:
        """Publish a document as the newest of a registry source and return its ground truth.

        `notice` (procurement sources) takes the ground-truth shape: notice_type,
        project_number, project_name, buyer, agency, budget_yuan, lots.
        """
        mapped = self._web.column_of(source_id)
        if mapped is not None:
            host, column_path = mapped
            return self._web.publish(
                host, column_path, title, body_paragraphs, published, doc_number
            )
        return self._families.publish(
            source_id, title, body_paragraphs, published, notice, doc_number
        )

    def edit(
        self,
        url_path: str,
        title: str | None = None,
        body_paragraphs: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Change the document served at url_path and return its new ground truth."""
        try:
            return self._web.edit(url_path, title, body_paragraphs)
        except KeyError:
            return self._families.edit(url_path, title, body_paragraphs)

    # -- faults and the request log --------------------------------------------------------

    def add_fault(
        self,
        path: str,
        kind: FaultKind | str,
        *,
        status: int = 503,
        delay: float = 0.0,
        times: int | None = None,
        location: str = "",
    ) -> Fault:
        """Make requests of `path` misbehave; `times` limits it to the next N requests."""
        return self._faults.add(
            path, kind, status=status, delay=delay, times=times, location=location
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    # -- challenges (replica.challenges) -----------------------------------------------------

    def protect(
        self, path_prefix: str, kind: ChallengeKind | str, *, max_uses: int | None = None
    ) -> Protection:
        """Put every path under `path_prefix` ("/{host}/…") behind a challenge `kind`.

        `max_uses`: cookies earned in one epoch get that many pages, then stop working.
        """
        return self._challenges.protect(path_prefix, kind, max_uses=max_uses)

    def protect_source(
        self, source_id: str, kind: ChallengeKind | str, *, max_uses: int | None = None
    ) -> Protection:
        """Put a registry source behind `kind`: its whole site for ruishu, jsl and captcha,
        its own list pages for js_list and js_api."""
        kind = ChallengeKind(kind)
        entry = self._entries.get(source_id)
        if entry is None:
            raise KeyError(f"no registry source {source_id!r}")
        prefix = site_prefix(entry)
        if kind.gates:
            return self._challenges.protect(prefix, kind, max_uses=max_uses)
        mapped = self._web.column_of(source_id)
        if mapped is not None:
            lists = static_list_filter(*mapped)
        else:
            lists = column_list_filter(self._families.column(source_id))
        return self._challenges.protect(prefix, kind, lists=lists)

    def protections(self) -> list[Protection]:
        """The challenges in place, by path prefix."""
        return self._challenges.protections()

    def rotate_challenges(self, path_prefix: str | None = None) -> None:
        """New challenge tokens (for one prefix, or all): cookies earned so far go stale."""
        self._challenges.rotate(path_prefix)

    def clear_challenges(self) -> None:
        self._challenges.clear()

    def request_counts(self) -> dict[str, int]:
        """Requests per path since start or the last reset; admin requests are not counted."""
        return self._log.counts()

    def reset_counts(self) -> None:
        self._log.reset()

    # -- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        path = request.path
        if path.startswith(admin.PREFIX):
            return await admin.handle(self, request)
        self._log.record(path)
        if request.method not in ("GET", "HEAD", "POST"):
            return web.Response(status=405, headers={"Allow": "GET, HEAD, POST"})
        gated = self._challenges.gate(path, request.cookies)
        if gated is not None:
            return _challenge_response(gated)
        fault = self._faults.take(path)
        if fault is None:
            return delivery.respond(request, await self._lookup(request))
        if fault.delay:
            await self._pause(fault.delay)
            if self._is_stopping():
                # Answering early would make a slow page look fast; drop it like a dying server.
                delivery.reset_connection(request)
                return web.Response()
        return await self._deliver_with_fault(request, fault)

    async def _deliver_with_fault(
        self, request: web.BaseRequest, fault: Fault
    ) -> web.StreamResponse:
        if fault.kind is FaultKind.STATUS:
            return delivery.respond(request, delivery.error_reply(fault.status))
        if fault.kind is FaultKind.SOFT404:
            return delivery.respond(request, delivery.SOFT_NOT_FOUND)
        if fault.kind is FaultKind.REDIRECT:
            return web.Response(status=302, headers={"Location": fault.location})
        if fault.kind is FaultKind.HANG:
            await self._hang(request)
            delivery.reset_connection(request)
            return web.Response()  # never reaches the client: the connection is gone
        if fault.kind is FaultKind.RESET:
            delivery.reset_connection(request)
            return web.Response()
        reply = await self._lookup(request)
        if fault.kind is FaultKind.TRUNCATE:
            return await delivery.send_truncated(request, reply)
        if fault.kind is FaultKind.CHARSET:
            reply = delivery.with_wrong_charset(reply)
        return delivery.respond(request, reply)  # SLOW already waited

    async def _lookup(self, request: web.BaseRequest) -> Reply:
        """The normal answer to a request: hand-built sites first, then the registry's."""
        query: dict[str, str] = {}
        for name, value in request.query.items():
            query.setdefault(name, value)  # a repeated parameter counts once, the first
        body = await request.read() if request.method == "POST" else b""
        call = Call(
            request.method, request.path, query, body, request.headers.get("Content-Type", "")
        )
        return self.serve(call)

    def serve(self, call: Call) -> Reply:
        """The reply to a request without HTTP: for tests and tools that need no server.

        Script-built list pages (js_list, js_api challenges) are rewritten here; cookie
        challenges and captchas answer at the HTTP layer, before this.
        """
        listed = self._challenges.data_request(call)
        if listed is not None:
            return js_list.data_reply(self._serve_plain(listed))
        return self._challenges.rewrite(call, self._serve_plain(call))

    def _serve_plain(self, call: Call) -> Reply:
        if call.method != "POST":
            reply = self._web.lookup(call.path)
            if reply is not None:
                return reply
        reply = self._families.lookup(call)
        if reply is not None:
            return reply
        return METHOD_NOT_ALLOWED if call.method == "POST" else delivery.NOT_FOUND

    def _is_stopping(self) -> bool:
        return self._stopping is not None and self._stopping.is_set()

    async def _hang(self, request: web.BaseRequest) -> None:
        """Wait until the client disconnects or the server stops, without answering."""
        while self._stopping is not None and not self._stopping.is_set():
            transport = request.transport
            if transport is None or transport.is_closing():
                return
            await self._pause(HANG_POLL_SECONDS)

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake up at once when the server stops so shutdown is never delayed."""
        if self._stopping is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _challenge_response(gated: GateAnswer) -> web.Response:
    reply = gated.reply
    response = web.Response(
        status=reply.status, body=reply.body, headers={"Content-Type": reply.content_type}
    )
    for name, value, httponly in gated.cookies:
        response.set_cookie(name, value, path=gated.cookie_path, httponly=httponly or None)
    return response


def _entry_host_and_path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.netloc.lower(), parts.path or "/"


async def serve_until_stopped(replica: Replica, host: str, port: int) -> None:
    """Serve ``replica`` until SIGTERM or SIGINT; the first line printed names the base URL."""
    base_url = await replica.start(host, port)
    print(f"replica serving on {base_url}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await replica.stop()
