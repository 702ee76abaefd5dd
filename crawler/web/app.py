"""The dashboard as an ASGI application: pages, the JSON API under ``/api/`` and Atom feeds.

:func:`create_app` builds it for a host (``govwatch serve``, ``govwatch run``, the demo, the
tests), which lends what only it knows (:class:`~crawler.web.dashboard.WebHost`). FastAPI
serves the OpenAPI description of the API at ``/openapi.json`` and checks every parameter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from crawler.config import Settings
from crawler.web import api, feeds, pages
from crawler.web.access import CSRF_COOKIE, Access
from crawler.web.dashboard import Dashboard, WebHost
from crawler.web.present import FILTERS
from storage.repository import DocumentStore

HERE = Path(__file__).parent
# Reachable without a login: the login itself, the style sheet, the API's description.
_OPEN_PATHS = ("/login", "/static/", "/openapi.json", "/favicon.ico")
_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self'",
}


def create_app(settings: Settings, store: DocumentStore, host: WebHost | None = None) -> FastAPI:
    """The dashboard over ``store``; the password comes from ``settings`` (web.*)."""
    dashboard = Dashboard(settings, store, host or WebHost())
    access = Access(
        settings.web_password,
        public_read=settings.web.public_read,
        session_hours=settings.web.session_hours,
    )
    app = FastAPI(
        title="govwatch",
        summary="政府公开文件中的主题：文件、年度对照、中标、数据源、告警",
        version="1",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters.update(FILTERS)
    app.state.dashboard = dashboard
    app.state.access = access
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(feeds.router)
    topic_names = [name for t in dashboard.topics for name in (t.name, t.label)]

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = api.name_topics(FastAPI.openapi(app), topic_names)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.middleware("http")
    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Reading needs the login when a password is set (unless public_read); every answer
        gets headers that keep it out of other sites' frames and scripts."""
        path = request.url.path
        if not path.startswith(_OPEN_PATHS) and not access.may_read(request):
            if path.startswith(("/api/", "/feeds/")):
                answer: Response = JSONResponse(
                    {"error": "login required: send the password as a bearer token"},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Basic realm="govwatch"'},
                )
            else:
                answer = RedirectResponse(f"/login?next={_local(path)}", status_code=303)
        else:
            answer = await call_next(request)
        new_token = getattr(request.state, "new_csrf", None)
        if new_token:
            answer.set_cookie(CSRF_COOKIE, new_token, httponly=True, samesite="strict", path="/")
        for name, value in _HEADERS.items():
            answer.headers.setdefault(name, value)
        return answer

    return app


def _local(path: str) -> str:
    """A path to come back to after the login: only paths of this site."""
    from urllib.parse import quote

    return quote(path if path.startswith("/") and not path.startswith("//") else "/")
