"""The service's commands, added to ``govwatch`` through the ``govwatch.cli`` entry-point group:
``run`` and ``worker``, and how ``crawl --via-service`` hands crawls to a running service."""

from __future__ import annotations

from typing import Annotated

import typer

from crawler.cli.context import current_settings, err, out, state
from crawler.config import Settings
from spiders.errors import UserError


def register(app: typer.Typer) -> None:
    """Add ``run`` and ``worker`` to ``app``; let ``crawl --via-service`` reach the service."""
    app.command()(run)
    app.command()(worker)
    state.service_handoff = queue_in_service


def queue_in_service(settings: Settings, source_ids: list[str]) -> None:
    """Hand crawls to the running service: on its Redis queue, or to its local HTTP endpoint."""
    if settings.redis_url:
        from scheduler.backends import job_queue
        from scheduler.jobs import CrawlJob

        queue = job_queue(settings, give_up_after=10)
        for source_id in source_ids:
            queue.put(CrawlJob(source_id, "manual"))
    else:
        import json
        import urllib.error
        import urllib.request

        service = settings.service
        url = f"http://{service.http_host}:{service.http_port}/jobs"
        body = json.dumps({"source_ids": source_ids}).encode()
        headers = {"Content-Type": "application/json"}
        if settings.service_token is not None:
            headers["Authorization"] = f"Bearer {settings.service_token}"
        request = urllib.request.Request(url, body, headers)
        try:
            urllib.request.urlopen(request, timeout=10).read()
        except urllib.error.HTTPError as exc:
            answer = exc.read().decode("utf-8", "replace")[:200]
            hint = f" (set ${service.token_env})" if exc.code == 401 else ""
            raise UserError(
                f"the service at {url} refused: HTTP {exc.code} {answer}{hint}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise UserError(f"no service answers at {url} ({exc}); start `govwatch run`") from None
    out.print(f"queued {len(source_ids)} crawls in the service: {', '.join(source_ids)}")


def run(
    scheduler_only: Annotated[
        bool,
        typer.Option(
            "--scheduler-only",
            help="Schedule and deliver; leave crawling to "
            "`govwatch worker` processes (shared mode).",
        ),
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(help="Crawl workers in this process.  [default: service.workers, 1]"),
    ] = None,
    http_port: Annotated[
        int | None,
        typer.Option(
            help="Port of the dashboard (/, /api/, /feeds/), /healthz, /metrics and "
            "POST /jobs.  [default: service.http_port, 8420]"
        ),
    ] = None,
) -> None:
    """Run the service: crawl every enabled source on its schedule and deliver alerts.

    Embedded by default (SQLite, in-process queue). With GOVWATCH_DATABASE_URL (PostgreSQL)
    and GOVWATCH_REDIS_URL it shares work with `govwatch worker` processes on other hosts;
    one scheduler leads at a time. SIGTERM finishes or gives back the crawl in hand, then exits.
    """
    _serve(scheduler=True, workers=0 if scheduler_only else workers, http_port=http_port)


def worker(
    workers: Annotated[int, typer.Option(help="Crawl workers in this process.")] = 1,
    http_port: Annotated[
        int | None, typer.Option(help="Port of /healthz and /metrics (0: any free port).")
    ] = None,
) -> None:
    """Crawl jobs from the shared queue (needs GOVWATCH_REDIS_URL and a shared database)."""
    _serve(scheduler=False, workers=workers, http_port=http_port)


def _serve(*, scheduler: bool, workers: int | None, http_port: int | None) -> None:
    import signal

    from scheduler.service import Service

    settings = current_settings()
    if not scheduler and not settings.redis_url:
        raise UserError("`govwatch worker` needs GOVWATCH_REDIS_URL (shared mode)")
    if settings.redis_url and settings.is_embedded_database:
        raise UserError(
            "shared mode needs a shared database: set GOVWATCH_DATABASE_URL "
            "(postgresql+psycopg://…)"
        )
    if http_port is not None:
        settings.service.http_port = http_port
    service = Service(settings, run_scheduler=scheduler, workers=workers)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: service.stop_event.set())
    service.start()
    err.print(
        f"govwatch {'service' if scheduler else 'worker'} running ({service.role}); "
        f"dashboard, health and metrics on {service.http_url}/"
    )
    service.wait()
    err.print("stopping: finishing or giving back the crawls in hand …")
    service.stop()
    err.print("stopped")
