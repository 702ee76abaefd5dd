"""``govwatch serve``: the dashboard, its API and feeds, for users who crawl by hand.

(``govwatch run`` serves the same dashboard on the service's port.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from crawler.cli.context import current_settings

if TYPE_CHECKING:
    from crawler.config import Settings
    from crawler.web.dashboard import WebHost
    from storage.repository import DocumentStore

app = typer.Typer()


def delivering(settings: Settings, store: DocumentStore) -> threading.Event | None:
    """A thread that sends what is due whenever woken (after a retry); None without channels."""
    if not settings.channels:
        return None
    from crawler.alerts.notifier import Notifier, build_channels

    channels = build_channels(settings.channels, settings.alerts.templates_dir)
    wake = threading.Event()

    def rounds() -> None:
        while True:
            wake.wait()
            wake.clear()
            Notifier(store, channels, settings.alerts).drain()

    threading.Thread(target=rounds, name="deliver", daemon=True).start()
    return wake


def host_for(
    settings: Settings, store: DocumentStore, overrides: dict[str, str] | None = None
) -> WebHost:
    """What ``govwatch serve`` lends the dashboard: one-off crawls, delivery after a retry."""
    from crawler.web.dashboard import WebHost
    from crawler.web.one_off import OneOffCrawls

    wake = delivering(settings, store)
    return WebHost(
        name="govwatch serve",
        crawl_now=OneOffCrawls(settings.data_dir / "logs", overrides),
        deliver_now=wake.set if wake is not None else None,
    )


def serve_dashboard(
    settings: Settings,
    open_store: Callable[[], DocumentStore],
    *,
    host: str,
    port: int,
    overrides: dict[str, str] | None = None,
) -> None:
    """Serve the dashboard over the store ``open_store`` gives in front until Ctrl-C, its
    address printed first (on stdout: the line a user copies). A host that may not serve
    (off loopback without a password) or a busy port is refused before the store is opened
    (or, for SQLite, made). ``overrides`` go to the crawls started from it."""
    from crawler.cli.context import out
    from crawler.web.access import check_exposure
    from crawler.web.app import create_app
    from crawler.web.server import address, bind, serve_in_front

    check_exposure(host, settings.web_password, key="web.host", env=settings.web.password_env)
    sock = bind(host, port, key="web.host/web.port")
    try:
        store = open_store()
    except BaseException:
        sock.close()
        raise
    web_app = create_app(settings, store, host_for(settings, store, overrides))
    out.print(f"dashboard: {address(sock)}/  (Ctrl-C stops it)", markup=False)
    serve_in_front(web_app, sock)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on.  [default: web.host, 127.0.0.1]")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port (0: any free one).  [default: web.port, 8421]")
    ] = None,
) -> None:
    """Serve the dashboard (最新文件, 年度对照, 中标, 数据源, 告警), its JSON API under /api/
    (described at /openapi.json) and Atom feeds under /feeds/, until Ctrl-C.

    On 127.0.0.1 it is open; on any other address it needs a password in
    $GOVWATCH_WEB_PASSWORD (web.password_env) or web.password_file.
    """
    from crawler.fetch.engine import open_store

    settings = current_settings()
    chosen_host = host or settings.web.host
    chosen_port = settings.web.port if port is None else port
    serve_dashboard(settings, lambda: open_store(settings), host=chosen_host, port=chosen_port)
