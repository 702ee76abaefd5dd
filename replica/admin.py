"""The replica's control API over HTTP, for crawlers and tests running in other processes.

Routes (JSON in, JSON out; dates as ISO strings):
    POST   /_replica/publish    {host, column_path, title, body_paragraphs, published?, doc_number?}
                                 or {source_id, title, body_paragraphs, published?, notice?, …}
    POST   /_replica/edit       {url_path, title?, body_paragraphs?}
    POST   /_replica/faults     {path, kind, status?, delay?, times?}
    DELETE /_replica/faults
    GET    /_replica/requests   -> {path: count}
    DELETE /_replica/requests
    GET    /_replica/documents  -> [ground truth, ...]
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from replica.server import Replica

PREFIX = "/_replica/"

Handler = Callable[["Replica", web.BaseRequest], Awaitable[Any]]


async def handle(replica: Replica, request: web.BaseRequest) -> web.Response:
    """Dispatch an admin request; bad input is answered with 400 and a JSON error."""
    route = _ROUTES.get((request.method, request.path))
    if route is None:
        return _json({"error": f"no admin route {request.method} {request.path}"}, status=404)
    try:
        return _json(await route(replica, request))
    except (KeyError, ValueError, TypeError) as error:
        message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
        return _json({"error": str(message)}, status=400)


def _json(payload: Any, status: int = 200) -> web.Response:
    text = json.dumps(payload, ensure_ascii=False, default=_iso)
    return web.Response(status=status, text=text, content_type="application/json")


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")


async def _body(request: web.BaseRequest) -> dict[str, Any]:
    try:
        payload = await request.json()
    except json.JSONDecodeError as error:
        raise ValueError(f"request body is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise ValueError("request body must be a JSON object")
    return payload


def _parse_published(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    if len(value) == len("2024-01-25"):
        return date.fromisoformat(value)
    return datetime.fromisoformat(value)


async def _publish(replica: Replica, request: web.BaseRequest) -> dict[str, Any]:
    body = await _body(request)
    if "source_id" in body:
        return replica.publish_to_source(
            body["source_id"],
            body["title"],
            body["body_paragraphs"],
            published=_parse_published(body.get("published")),
            notice=body.get("notice"),
            doc_number=body.get("doc_number"),
        )
    return replica.publish(
        body["host"],
        body["column_path"],
        body["title"],
        body["body_paragraphs"],
        published=_parse_published(body.get("published")),
        doc_number=body.get("doc_number"),
    )


async def _edit(replica: Replica, request: web.BaseRequest) -> dict[str, Any]:
    body = await _body(request)
    return replica.edit(body["url_path"], body.get("title"), body.get("body_paragraphs"))


async def _add_fault(replica: Replica, request: web.BaseRequest) -> dict[str, Any]:
    body = await _body(request)
    fault = replica.add_fault(
        body["path"],
        body["kind"],
        status=int(body.get("status", 503)),
        delay=float(body.get("delay", 0.0)),
        times=None if body.get("times") is None else int(body["times"]),
        location=str(body.get("location", "")),
    )
    return {
        "path": body["path"],
        "kind": fault.kind.value,
        "status": fault.status,
        "delay": fault.delay,
        "times": fault.remaining,
    }


async def _clear_faults(replica: Replica, request: web.BaseRequest) -> dict[str, Any]:
    replica.clear_faults()
    return {"cleared": True}


async def _request_counts(replica: Replica, request: web.BaseRequest) -> dict[str, int]:
    return replica.request_counts()


async def _reset_counts(replica: Replica, request: web.BaseRequest) -> dict[str, Any]:
    replica.reset_counts()
    return {"reset": True}


async def _documents(replica: Replica, request: web.BaseRequest) -> list[dict[str, Any]]:
    return replica.documents()


_ROUTES: dict[tuple[str, str], Handler] = {
    ("POST", PREFIX + "publish"): _publish,
    ("POST", PREFIX + "edit"): _edit,
    ("POST", PREFIX + "faults"): _add_fault,
    ("DELETE", PREFIX + "faults"): _clear_faults,
    ("GET", PREFIX + "requests"): _request_counts,
    ("DELETE", PREFIX + "requests"): _reset_counts,
    ("GET", PREFIX + "documents"): _documents,
}
