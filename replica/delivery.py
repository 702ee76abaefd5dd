"""Turning replies into HTTP responses, including the broken ways a fault can deliver them."""

from __future__ import annotations

import socket
import struct
from dataclasses import replace
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from http import HTTPStatus

from aiohttp import web

from replica import pages
from replica.rendered import Reply

NOT_FOUND = Reply(404, pages.not_found_page().encode("utf-8"), "utf-8")
SOFT_NOT_FOUND = Reply(200, pages.soft_not_found_page().encode("utf-8"), "utf-8")
_GB_CHARSETS = frozenset({"gb2312", "gbk", "gb18030"})


def error_reply(status: int) -> Reply:
    """A small error page for an injected status."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = "Error"
    return Reply(status, pages.error_page(status, reason).encode("utf-8"), "utf-8")


def with_wrong_charset(reply: Reply) -> Reply:
    """The same bytes announced with the other family's charset (GB sites get UTF-8)."""
    wrong = "utf-8" if reply.charset.lower() in _GB_CHARSETS else "gbk"
    return replace(reply, charset=wrong)


def _headers(reply: Reply) -> dict[str, str]:
    headers = {"Content-Type": reply.content_type}
    headers.update(_validators(reply))
    return headers


def _validators(reply: Reply) -> dict[str, str]:
    headers = {}
    if reply.etag is not None:
        headers["ETag"] = reply.etag
    if reply.last_modified is not None:
        headers["Last-Modified"] = format_datetime(reply.last_modified, usegmt=True)
    return headers


def is_not_modified(reply: Reply, if_none_match: str | None, if_modified_since: str | None) -> bool:
    """Whether a conditional GET may be answered with 304 (RFC 9110 section 13.2.2)."""
    if reply.status != 200:
        return False
    if if_none_match is not None:
        # If-None-Match wins over If-Modified-Since and uses the weak comparison.
        if reply.etag is None:
            return False
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or reply.etag in tags
    if if_modified_since is not None and reply.last_modified is not None:
        since = _parse_http_date(if_modified_since)
        return since is not None and reply.last_modified <= since
    return False


def _parse_http_date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return parsed if parsed.tzinfo is not None else None


def respond(request: web.BaseRequest, reply: Reply) -> web.Response:
    """The normal answer, honouring conditional request headers."""
    if is_not_modified(
        reply, request.headers.get("If-None-Match"), request.headers.get("If-Modified-Since")
    ):
        return web.Response(status=304, headers=_validators(reply))
    return web.Response(status=reply.status, body=reply.body, headers=_headers(reply))


async def send_truncated(request: web.BaseRequest, reply: Reply) -> web.StreamResponse:
    """Promise the whole body in Content-Length, send the first half, then close."""
    response = web.StreamResponse(status=reply.status, headers=_headers(reply))
    response.content_length = len(reply.body)
    await response.prepare(request)
    if request.method != "HEAD":
        await response.write(reply.body[: len(reply.body) // 2])
    transport = request.transport
    if transport is not None:
        transport.close()  # close() flushes what was written; abort() would drop it
    return response


def reset_connection(request: web.BaseRequest) -> None:
    """Abort the TCP connection so the client sees a reset instead of any response."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # Linger 0 makes the kernel send RST rather than an orderly FIN.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
