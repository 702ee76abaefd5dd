"""The ``govwatch`` command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
)

from crawler.config import CONFIG_ENV, Settings, load_settings
from crawler.errors import UserError
from crawler.logs import setup_logging

if TYPE_CHECKING:
    from crawler.crawl import ProgressCallback, SourceCrawl

app = typer.Typer(
    name="govwatch",
    help="Watch Chinese government publications for a topic (区块链 by default).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
alerts_app = typer.Typer(help="Alert deliveries: list, retry, send, test.", no_args_is_help=True)
sources_app = typer.Typer(help="The source registry.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(sources_app, name="sources")
app.add_typer(alerts_app, name="alerts")

# Piped output gets wide tables rather than rich's 80-column default.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False)


class _State:
    log_level: str | None = None
    log_json: bool | None = None


state = _State()


@app.callback()
def _global_options(
    config: Annotated[
        Path | None,
        typer.Option("--config", help=f"Config file (default ./govwatch.toml; env {CONFIG_ENV})."),
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help="TRACE, DEBUG, INFO, WARNING or ERROR (default WARNING).")
    ] = None,
    log_json: Annotated[
        bool | None, typer.Option("--log-json/--no-log-json", help="Log one JSON object per line.")
    ] = None,
) -> None:
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)
    state.log_level = log_level.upper() if log_level else None
    state.log_json = log_json


def _settings(**overrides: object) -> Settings:
    if state.log_level:
        overrides.setdefault("log_level", state.log_level)
    if state.log_json is not None:
        overrides.setdefault("log_json", state.log_json)
    settings = load_settings(**overrides)
    setup_logging(settings.log_level, settings.log_json)
    return settings


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressCallback | None]:
    """A live progress bar per source on stderr; ``None`` when output is for programs."""
    if not enabled:
        yield None
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("new {task.fields[new]} · errors {task.fields[errors]}"),
        console=err,
        transient=False,
    )
    tasks: dict[str, TaskID] = {}

    def update(job: SourceCrawl) -> None:
        s = job.stats
        task = tasks.get(job.source.id)
        if task is None:
            task = tasks[job.source.id] = progress.add_task(
                job.source.id, total=None, new=0, errors=0
            )
        progress.update(
            task,
            total=s["list_pages"]
            + s["details_requested"]
            + s["details_skipped"]
            + s["details_inline"],
            completed=s["list_pages"]
            + s["details_fetched"]
            + s["details_skipped"]
            + s["details_inline"],
            new=s["documents_new"] + s["documents_changed"],
            errors=s["errors"],
        )

    with progress:
        yield update


@app.command()
def crawl(
    province: Annotated[
        str | None, typer.Option("--province", "-p", help="gansu, 甘肃, 甘肃省 or 620000.")
    ] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="A source by id (repeatable).")
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
    notify: Annotated[
        bool, typer.Option("--notify/--no-notify", help="Deliver the alerts that are due.")
    ] = True,
    via_service: Annotated[
        bool, typer.Option("--via-service", help="Queue the crawl in the running service.")
    ] = False,
) -> None:
    """Crawl a province's sources (or the given sources) once and print what was found.

    New and changed documents that mention the topic become alerts (see `govwatch alerts`);
    with channels configured, those due now are delivered after the crawl.
    """
    from crawler.crawl import run_crawl
    from crawler.provinces import resolve_province
    from crawler.report_views import crawl_json
    from crawler.topics import load_topics
    from spiders.registry import load_registry

    if (province is None) == (not source):
        raise UserError("give exactly one of --province or --source")
    settings = _settings()
    registry = load_registry(settings.registry_dir)
    if source:
        sources = [registry.get(source_id) for source_id in dict.fromkeys(source)]
    else:
        assert province is not None
        resolved = resolve_province(province)
        sources = registry.for_province(resolved)
        if not sources:
            raise UserError(f"no enabled source for {resolved.full_name} in the registry")
    if via_service:
        _queue_in_service(settings, [s.id for s in sources])
        return
    topic = load_topics(settings.topics_file)[0]
    with _progress(not json_output and err.is_terminal) as on_progress:
        jobs = run_crawl(settings, sources, on_progress=on_progress)
    if json_output:
        out.print_json(crawl_json(jobs)) if out.is_terminal else print(crawl_json(jobs))
    else:
        _print_found(jobs, topic.name, topic.label)
    if notify and settings.channels:
        _deliver(settings, quiet=json_output)
    if any(job.failures for job in jobs):
        raise typer.Exit(1)


def _queue_in_service(settings: Settings, source_ids: list[str]) -> None:
    """Hand crawls to the running service: on its Redis queue, or to its local HTTP endpoint."""
    if settings.redis_url:
        from scheduler.jobs import CrawlJob
        from scheduler.queue import RedisStreamQueue

        queue = RedisStreamQueue(settings.redis_url, give_up_after=10)
        for source_id in source_ids:
            queue.put(CrawlJob(source_id, "manual"))
    else:
        import json
        import urllib.error
        import urllib.request

        service = settings.service
        url = f"http://{service.http_host}:{service.http_port}/jobs"
        body = json.dumps({"source_ids": source_ids}).encode()
        request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
        try:
            urllib.request.urlopen(request, timeout=10).read()
        except (urllib.error.URLError, OSError) as exc:
            raise UserError(f"no service answers at {url} ({exc}); start `govwatch run`") from None
    out.print(f"queued {len(source_ids)} crawls in the service: {', '.join(source_ids)}")


def _deliver(settings: Settings, *, quiet: bool = False) -> None:
    """Send the alerts that are due; one summary line on stderr."""
    from crawler.crawl import open_store
    from crawler.notifier import Notifier, build_channels

    store = open_store(settings)
    channels = build_channels(settings.channels, settings.alerts.templates_dir)
    report = Notifier(store, channels, settings.alerts).drain()
    if not quiet or report.failed or report.dead:
        err.print(
            f"alerts: {report.delivered} delivered, {report.failed} failed (will retry), "
            f"{report.dead} dead"
        )


def _print_found(jobs: list[SourceCrawl], topic: str, label: str) -> None:
    from crawler.report_views import hits_table, print_failures, summary_table
    from storage.repository import DocumentStore

    out.print(summary_table(jobs))
    found_keys = [r.doc_key for job in jobs for r in job.found]
    failed = [job.source.id for job in jobs if job.status in ("failed", "empty")]
    if failed:
        out.print(
            f"[red]{len(failed)} of {len(jobs)} sources could not be crawled:[/] "
            f"{', '.join(failed)}"
        )
    if not found_keys and not failed:
        known = sum(job.stats["details_skipped"] + job.stats["documents_unchanged"] for job in jobs)
        out.print(f"Nothing new: all {known} documents checked are stored and unchanged.")
    else:
        store: DocumentStore = jobs[0].store
        documents = store.documents_with_hits(topic, doc_keys=found_keys)
        out.print(f"{len(found_keys)} new or changed documents; {len(documents)} mention {label}.")
        if documents:
            out.print(
                hits_table(documents, topic, f"new or changed documents that mention {label}")
            )
    print_failures(err, jobs)


@app.command()
def extract(
    page: Annotated[Path, typer.Argument(help="A saved page (HTML or JSON), as served.")],
    url: Annotated[str | None, typer.Option(help="The URL the page was fetched from.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    body: Annotated[bool, typer.Option(help="Include the full body text.")] = False,
) -> None:
    """Show what the extractor reads from one saved page: fields, encoding and topic hits."""
    from crawler.extract import extract_page
    from crawler.matcher import Matcher
    from crawler.report_views import dumps
    from crawler.topics import load_topics

    settings = _settings()
    try:
        raw = page.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{page}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{page}: is a directory, not a page") from None
    extraction = extract_page(raw, url)
    data = extraction.to_dict()
    matcher = Matcher(load_topics(settings.topics_file))
    data["hits"] = (
        [h.to_dict() for h in matcher.match(f"{extraction.title or ''}\n{extraction.body_text}")]
        if extraction.is_document
        else []
    )
    if not body:
        data["body_text"] = extraction.body_text[:300]
    data["items"] = data["items"][:20]
    if json_output:
        print(dumps(data))
        return
    out.print(f"[bold]{page}[/]: {data['kind']} — {data['reason']}")
    for key in (
        "title",
        "published_at",
        "doc_number",
        "publisher",
        "doc_type",
        "site_name",
        "encoding",
        "encoding_note",
        "body_length",
    ):
        if data.get(key) is not None:
            origin = extraction.sources.get(key, "")
            out.print(f"  {key:<13} {data[key]}" + (f"  [dim]({origin})[/]" if origin else ""))
    for hit in data["hits"]:
        out.print(f"  [green]{hit['label']}[/] ×{hit['count']} {hit['keywords']}")
        for snippet in hit["snippets"][:3]:
            out.print(f"    {snippet}", markup=False)
        if hit["technologies"]:
            out.print(f"    technologies: {', '.join(hit['technologies'])}")
        if hit["scenarios"]:
            out.print(f"    scenarios: {', '.join(hit['scenarios'])}")
    for item in data["items"][:10]:
        out.print(f"  · {item['date']} {item['title']}  {item['url']}", markup=False)


@app.command()
def demo(
    seed: Annotated[
        int, typer.Option(help="Seed of the replica: the same seed, the same web.")
    ] = 0,
) -> None:
    """Run the whole pipeline offline: start the replica, crawl it, show what mentions the topic.

    Uses its own SQLite database under the data directory (demo/), never your real one.
    """
    from crawler.crawl import run_crawl
    from crawler.report_views import hits_table
    from crawler.topics import load_topics
    from replica import ReplicaThread
    from spiders.registry import load_registry

    base = _settings()
    demo_dir = base.data_dir / "demo"
    topic = load_topics(base.topics_file)[0]
    registry = load_registry(base.registry_dir)
    with ReplicaThread(seed=seed) as replica:
        settings = base.model_copy(
            update={
                "database_url": f"sqlite:///{demo_dir / 'govwatch.sqlite3'}",
                "replica_url": replica.base_url,
                "crawl": base.crawl.model_copy(update={"polite": False, "max_pages": 50}),
            }
        )
        err.print(f"replica of the government web on {replica.base_url} (seed {seed})")
        with _progress(err.is_terminal) as on_progress:
            jobs = run_crawl(settings, registry.enabled(), on_progress=on_progress)
    _print_found(jobs, topic.name, topic.label)
    store = jobs[0].store
    documents = store.documents_with_hits(topic.name)
    out.print(
        hits_table(
            documents,
            topic.name,
            f"all {len(documents)} stored documents that mention {topic.label}",
        )
    )
    out.print(f"database: {settings.effective_database_url}")
    if any(job.failures for job in jobs):
        raise typer.Exit(1)


@app.command()
def run(
    scheduler_only: Annotated[
        bool,
        typer.Option(
            "--scheduler-only",
            help="Schedule and deliver; leave crawling to "
            "`govwatch worker` processes (shared mode).",
        ),
    ] = False,
    workers: Annotated[int | None, typer.Option(help="Crawl workers in this process.")] = None,
    http_port: Annotated[
        int | None, typer.Option(help="Port of /healthz, /metrics and POST /jobs.")
    ] = None,
) -> None:
    """Run the service: crawl every enabled source on its schedule and deliver alerts.

    Embedded by default (SQLite, in-process queue). With GOVWATCH_DATABASE_URL (PostgreSQL)
    and GOVWATCH_REDIS_URL it shares work with `govwatch worker` processes on other hosts;
    one scheduler leads at a time. SIGTERM finishes or gives back the crawl in hand, then exits.
    """
    _serve(scheduler=True, workers=0 if scheduler_only else workers, http_port=http_port)


@app.command()
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

    settings = _settings()
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
        f"health and metrics on {service.http_url}"
    )
    service.wait()
    err.print("stopping: finishing or giving back the crawls in hand …")
    service.stop()
    err.print("stopped")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the newest migration."""
    from storage.database import Database

    settings = _settings()
    database = Database(settings.effective_database_url)
    database.upgrade()
    out.print(f"database schema is current: {settings.effective_database_url}")


@sources_app.command("list")
def sources_list(
    province: Annotated[str | None, typer.Option("--province", "-p")] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k")] = None,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """List the sources of the registry."""
    from rich.table import Table

    from crawler.provinces import by_code_unchecked, resolve_province
    from crawler.report_views import dumps
    from spiders.registry import load_registry

    settings = _settings()
    sources = load_registry(settings.registry_dir).sources
    if province:
        code = resolve_province(province).code
        sources = [s for s in sources if s.province_code == code]
    if kind:
        sources = [s for s in sources if s.kind == kind]
    if json_output:
        print(dumps([s.model_dump() for s in sources]))
        return
    table = Table()
    for column in (
        "id",
        "province",
        "kind",
        "adapter",
        "entry URL",
        "schedule",
        "render",
        "verified",
    ):
        table.add_column(column)
    for s in sources:
        table.add_row(
            s.id,
            by_code_unchecked(s.province_code).short_name,
            s.kind,
            s.adapter,
            s.entry_urls[0],
            s.schedule,
            s.render,
            "yes" if s.verified else "no",
        )
    out.print(table)


@sources_app.command("check")
def sources_check(
    province: Annotated[str | None, typer.Option("--province", "-p")] = None,
    source: Annotated[str | None, typer.Option("--source", "-s", help="One source by id.")] = None,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Validate the registry and try each source's first list page.

    Prints per source: ok (with the number of items), blocked (by what), unreachable, or
    parse failed (0 items). Exits 1 when any source is not ok.
    """
    from rich.table import Table

    from crawler.provinces import resolve_province
    from crawler.report_views import dumps
    from crawler.source_check import OK, check_sources
    from spiders.registry import load_registry

    settings = _settings()
    registry = load_registry(settings.registry_dir)
    sources = registry.enabled()
    if source:
        sources = [registry.get(source)]
    elif province:
        sources = registry.for_province(resolve_province(province))
    results = check_sources(sources, settings)
    if json_output:
        print(dumps([r.to_dict() for r in results]))
    else:
        table = Table(title=f"{len(results)} sources")
        for column in ("source", "status", "detail"):
            table.add_column(column)
        styles = {OK: "green", "blocked": "yellow"}
        for result in results:
            style = styles.get(result.status, "red")
            table.add_row(result.source_id, f"[{style}]{result.status}[/]", result.detail)
        out.print(table)
        good = sum(r.status == OK for r in results)
        out.print(f"{good} of {len(results)} sources ok")
    if any(r.status != OK for r in results):
        raise typer.Exit(1)


@alerts_app.command("list")
def alerts_list(
    status: Annotated[
        str | None, typer.Option(help="pending, sending, delivered, failed or dead.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    json_output: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show alert deliveries: channel, state, attempts, last error, what the alert is about."""
    from rich.table import Table

    from crawler.crawl import open_store
    from crawler.report_views import dumps

    if status is not None and status not in ("pending", "sending", "delivered", "failed", "dead"):
        raise UserError(f"--status {status!r}: use pending, sending, delivered, failed or dead")
    store = open_store(_settings())
    rows = store.deliveries(status=status, limit=limit)
    if json_output:
        print(
            dumps(
                [
                    {
                        "id": d.id,
                        "channel": d.channel,
                        "status": d.status,
                        "attempts": d.attempts,
                        "due_at": d.due_at,
                        "delivered_at": d.delivered_at,
                        "last_error": d.last_error,
                        "event": a.event,
                        "idempotency_key": a.idempotency_key,
                        "title": (a.payload.get("document") or {}).get("title"),
                        "source": a.source_id,
                    }
                    for d, a in rows
                ]
            )
        )
        return
    table = Table(title=f"{len(rows)} deliveries")
    for column in ("id", "channel", "status", "tries", "event", "about", "last error"):
        table.add_column(column)
    for delivery, alert in rows:
        about = (alert.payload.get("document") or {}).get("title") or alert.source_id
        table.add_row(
            str(delivery.id),
            delivery.channel,
            delivery.status,
            str(delivery.attempts),
            alert.event,
            about,
            delivery.last_error or "",
        )
    out.print(table)


@alerts_app.command("retry")
def alerts_retry(
    delivery_id: Annotated[int | None, typer.Argument(help="A delivery's id.")] = None,
    all_failed: Annotated[
        bool, typer.Option("--all-failed", help="Every failed and dead delivery.")
    ] = False,
) -> None:
    """Make failed or dead deliveries due again and send them now."""
    from crawler.crawl import open_store

    if (delivery_id is None) == (not all_failed):
        raise UserError("give a delivery id or --all-failed")
    settings = _settings()
    store = open_store(settings)
    count = store.requeue_deliveries(ids=[delivery_id] if delivery_id is not None else None)
    if delivery_id is not None and count == 0:
        raise UserError(
            f"delivery {delivery_id} is not failed or dead (see `govwatch alerts list`)"
        )
    out.print(f"{count} deliveries queued again")
    _deliver(settings)


@alerts_app.command("send")
def alerts_send() -> None:
    """Deliver every alert that is due now (digests included), then exit."""
    settings = _settings()
    if not settings.channels:
        raise UserError("no channels configured: add [[channels]] to govwatch.toml")
    _deliver(settings)


@alerts_app.command("test")
def alerts_test(
    channel: Annotated[str, typer.Argument(help="A channel's name from the config.")],
    event: Annotated[
        str, typer.Option(help="document.new, document.updated, source.failing …")
    ] = "document.new",
) -> None:
    """Send a sample alert through one channel, now, without touching the outbox."""
    import uuid

    from crawler.alert_payload import sample_payload
    from crawler.channels.base import DeliveryError
    from crawler.notifier import build_channels

    settings = _settings()
    configs = [c for c in settings.channels if c.name == channel]
    if not configs:
        names = ", ".join(c.name for c in settings.channels) or "none configured"
        raise UserError(f"unknown channel {channel!r} (channels: {names})")
    _, instance = build_channels(configs, settings.alerts.templates_dir)[channel]
    try:
        instance.send([sample_payload(event)], uuid.uuid4().hex)
    except DeliveryError as exc:
        err.print(f"[red]✗[/] {channel}: {exc}")
        raise typer.Exit(1) from None
    out.print(f"sample {event} alert sent through {channel}")


def _register_report_commands() -> None:
    from crawler.cli_reports import register

    register(app)


_register_report_commands()


def main() -> None:
    """Entry point: user mistakes become one line on stderr and exit code 2."""
    try:
        app()
    except UserError as exc:
        # One line, never wrapped: scripts and people both read it.
        print(f"govwatch: error: {' '.join(str(exc).split())}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
