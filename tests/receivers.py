"""Real receivers on loopback for alert tests: a webhook that checks signatures, and SMTP."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller


@dataclass
class WebhookReceiver:
    """Accepts signed webhook posts; counts every alert by idempotency key.

    ``mode``: "ok" answers 200, "fail" 503, "hang" never answers in time.
    """

    secret: bytes
    mode: str = "ok"
    received: Counter[str] = field(default_factory=Counter)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    url: str = ""
    arrived_at: dict[str, float] = field(default_factory=dict)  # key → time.perf_counter()

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        expected = "sha256=" + hmac.new(self.secret, raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Govwatch-Signature", "")):
            self.bad_signatures += 1
            return web.Response(status=401)
        if self.mode == "fail":
            return web.Response(status=503)
        if self.mode == "hang":
            await asyncio.sleep(30)
        body = json.loads(raw)
        self.bodies.append(body)
        for alert in body["alerts"]:
            self.received[alert["idempotency_key"]] += 1
            self.arrived_at.setdefault(alert["idempotency_key"], time.perf_counter())
        return web.Response(status=200)

    def start(self) -> WebhookReceiver:
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()

        async def serve() -> None:
            app = web.Application()
            app.router.add_post("/hook", self._handle)
            self._runner = web.AppRunner(app)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            await site.start()
            port = self._runner.addresses[0][1]
            self.url = f"http://127.0.0.1:{port}/hook"
            ready.set()

        def run() -> None:
            self._loop.run_until_complete(serve())
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


class SmtpReceiver:
    """An SMTP server on loopback (aiosmtpd) that keeps every message it accepts."""

    def __init__(self) -> None:
        self.mailbox = _Mailbox()
        # aiosmtpd connects to its own port to confirm start-up, so it needs a real one.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self._port = probe.getsockname()[1]
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self._port)

    def start(self) -> SmtpReceiver:
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return int(self._port)

    @property
    def messages(self) -> list[tuple[list[str], EmailMessage]]:
        return self.mailbox.messages

    def stop(self) -> None:
        self.controller.stop()
