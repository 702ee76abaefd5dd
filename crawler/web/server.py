"""Serving an ASGI app with uvicorn on a socket bound here first, in a thread or in front.

Binding first turns a busy port into one clear :class:`UserError` before anything runs, and
lets port 0 mean "any free port" with the real address known at once (tests, the demo).
"""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
from typing import Any

import uvicorn

from spiders.errors import UserError


def bind(host: str, port: int, *, key: str) -> socket.socket:
    """A listening socket on ``host:port``; ``key`` names the setting in the refusal."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        where = f"{host}:{port}"
        if exc.errno == errno.EADDRINUSE:
            raise UserError(f"{key}: {where} is already in use (choose another port)") from None
        raise UserError(f"{key}: {where} cannot be listened on: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    return f"http://{shown}:{port}"


class BackgroundServer:
    """uvicorn serving ``app`` on ``sock`` in a daemon thread until :meth:`stop`."""

    def __init__(self, app: Any, sock: socket.socket) -> None:
        self.sock = sock
        self.url = address(sock)
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self._run, name="http", daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self.sock]))

    def start(self) -> BackgroundServer:
        self.thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)
        self.sock.close()


def serve_in_front(app: Any, sock: socket.socket) -> None:
    """Serve until Ctrl-C or SIGTERM (uvicorn's own handlers end it cleanly)."""
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    asyncio.run(uvicorn.Server(config).serve(sockets=[sock]))
