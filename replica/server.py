"""The Replica: state, Python API and the aiohttp server that serves it on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from aiohttp import web

from replica import admin, delivery
from replica.faults import Fault, FaultKind, FaultTable
from replica.static_web import StaticWeb
from replica.traffic import RequestLog

# Hung requests are released when the server stops, so shutdown needs only a short grace.
SHUTDOWN_TIMEOUT = 0.5
# Poll interval at which a hung request notices that its client gave up.
HANG_POLL_SECONDS = 0.1


class Replica:
    """A deterministic local replica of several Chinese government portals.

    The same seed yields a byte-identical web (the 浏览次数 counters aside). Every method may be
    called from any thread while the server runs.
    """

    def __init__(self, seed: int = 0, scale: int = 1) -> None:
        if scale < 1:
            raise ValueError(f"scale must be at least 1: {scale}")
        self.seed = seed
        self.scale = scale
        self._web = StaticWeb(seed, scale)
        self._faults = FaultTable()
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

    def documents(self) -> list[dict[str, Any]]:
        """Ground truth of every served document (see Document.ground_truth for the keys)."""
        return self._web.documents()

    def publish(
        self,
        host: str,
        column_path: str,
        title: str,
        body_paragraphs: Iterable[str],
        published: date | datetime | None = None,
        doc_number: str | None = None,
    ) -> dict[str, Any]:
        """Publish a document on top of a column and return its ground truth."""
        return self._web.publish(host, column_path, title, body_paragraphs, published, doc_number)

    def edit(
        self,
        url_path: str,
        title: str | None = None,
        body_paragraphs: Iterable[str] | None = None,
    ) -> dict[str, Any]:
        """Change the document served at url_path and return its new ground truth."""
        return self._web.edit(url_path, title, body_paragraphs)

    # -- faults and the request log --------------------------------------------------------

    def add_fault(
        self,
        path: str,
        kind: FaultKind | str,
        *,
        status: int = 503,
        delay: float = 0.0,
        times: int | None = None,
    ) -> Fault:
        """Make requests of `path` misbehave; `times` limits it to the next N requests."""
        return self._faults.add(path, kind, status=status, delay=delay, times=times)

    def clear_faults(self) -> None:
        self._faults.clear()

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
        if request.method not in ("GET", "HEAD"):
            return web.Response(status=405, headers={"Allow": "GET, HEAD"})
        fault = self._faults.take(path)
        if fault is None:
            return delivery.respond(request, self._web.lookup(path) or delivery.NOT_FOUND)
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
        if fault.kind is FaultKind.HANG:
            await self._hang(request)
            delivery.reset_connection(request)
            return web.Response()  # never reaches the client: the connection is gone
        if fault.kind is FaultKind.RESET:
            delivery.reset_connection(request)
            return web.Response()
        reply = self._web.lookup(request.path) or delivery.NOT_FOUND
        if fault.kind is FaultKind.TRUNCATE:
            return await delivery.send_truncated(request, reply)
        if fault.kind is FaultKind.CHARSET:
            reply = delivery.with_wrong_charset(reply)
        return delivery.respond(request, reply)  # SLOW already waited

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
