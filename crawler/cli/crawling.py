"""Crawling by hand: ``crawl``, ``demo``, and ``extract`` (what the extractor reads from a
page)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
)

from crawler.cli.alerts import deliver
from crawler.cli.context import current_settings, err, out, state
from spiders.errors import UserError

if TYPE_CHECKING:
    from crawler.extract.page import Extraction
    from crawler.fetch.source_crawl import ProgressCallback, SourceCrawl

app = typer.Typer()


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
    from crawler.cli.views import crawl_json
    from crawler.fetch.crawl import run_crawl
    from crawler.match.topics import load_topics
    from spiders.provinces import resolve_province
    from spiders.registry import load_registry

    if (province is None) == (not source):
        raise UserError("give exactly one of --province or --source")
    settings = current_settings()
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
        if state.service_handoff is None:
            raise UserError("--via-service: the service's commands are not installed")
        state.service_handoff(settings, [s.id for s in sources])
        return
    topic = load_topics(settings.topics_file)[0]
    with _progress(not json_output and err.is_terminal) as on_progress:
        jobs = run_crawl(settings, sources, on_progress=on_progress)
    if json_output:
        out.print_json(crawl_json(jobs)) if out.is_terminal else print(crawl_json(jobs))
    else:
        _print_found(jobs, topic.name, topic.label)
    if notify and settings.channels:
        deliver(settings, quiet=json_output)
    if any(job.failures for job in jobs):
        raise typer.Exit(1)


def _print_found(jobs: list[SourceCrawl], topic: str, label: str) -> None:
    from crawler.cli.views import hits_table, print_failures, summary_table
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
    limited = [job for job in jobs if job.stats["list_pages_beyond_limit"]]
    if limited:
        out.print(
            f"{len(limited)} sources have list pages beyond their page limit, not read: "
            + ", ".join(
                f"{job.source.id} ({_pages(job.stats['list_pages_beyond_limit'])} more, "
                f"limit {job.max_pages})"
                for job in limited[:10]
            )
            + ("…" if len(limited) > 10 else "")
            + " (raise max_pages in the source or crawl.max_pages to read them)"
        )
    print_failures(err, jobs)


def _pages(count: int) -> str:
    return f"{count} list page{'s' if count != 1 else ''}"


@app.command()
def extract(
    page: Annotated[Path, typer.Argument(help="A saved page (HTML or JSON), as served.")],
    url: Annotated[str | None, typer.Option(help="The URL the page was fetched from.")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    body: Annotated[bool, typer.Option(help="Include the full body text.")] = False,
    kind: Annotated[
        str,
        typer.Option(
            help="auto: read a procurement notice where the title names one; procurement: "
            "always read the page as a notice; document: never."
        ),
    ] = "auto",
) -> None:
    """Show what the extractor reads from one saved page: fields, encoding, topic hits and,
    for a procurement notice, its type, buyer, agency, amounts and lots."""
    from crawler.document_record import matched_text
    from crawler.extract.page import extract_page
    from crawler.json_output import dumps
    from crawler.match.matcher import Matcher
    from crawler.match.topics import load_topics

    settings = current_settings()
    limit_mb = settings.crawl.max_download_mb
    try:
        with page.open("rb") as handle:
            raw = handle.read(limit_mb * 1024 * 1024 + 1)
        if len(raw) > limit_mb * 1024 * 1024:
            size_mb = page.stat().st_size / 1024 / 1024
            raise UserError(
                f"{page}: {size_mb:.1f} MB, more than crawl.max_download_mb ({limit_mb} MB), "
                "the most a crawl reads of a page; raise it (GOVWATCH_CRAWL__MAX_DOWNLOAD_MB) "
                "to read this one"
            )
    except FileNotFoundError:
        raise UserError(f"{page}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{page}: is a directory, not a page") from None
    extraction = extract_page(raw, url)
    data = extraction.to_dict()
    matcher = Matcher(load_topics(settings.topics_file))
    data["hits"] = (
        [h.to_dict() for h in matcher.match(matched_text(extraction.title, extraction.body_text))]
        if extraction.is_document
        else []
    )
    if kind not in ("auto", "procurement", "document"):
        raise UserError(f"--kind {kind!r}: use auto, procurement or document")
    data["notice"] = _notice_of(extraction, raw, kind)
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
        words = ", ".join(f"{word} ×{n}" for word, n in hit["keywords"].items())
        out.print(f"  [green]{hit['label']}[/] ×{hit['count']}  [dim]({words})[/]")
        for snippet in hit["snippets"][:3]:
            out.print(f"    {snippet}", markup=False)
        if hit["technologies"]:
            out.print(f"    technologies: {', '.join(hit['technologies'])}")
        if hit["scenarios"]:
            out.print(f"    scenarios: {', '.join(hit['scenarios'])}")
    for item in data["items"][:10]:
        out.print(f"  · {item['date']} {item['title']}  {item['url']}", markup=False)
    if data["notice"] is not None:
        _print_notice(data["notice"])


def _notice_of(extraction: Extraction, raw: bytes, kind: str) -> dict[str, Any] | None:
    """The procurement notice a page is, as the crawl reads it (JSON form), or None."""
    from crawler.extract.encoding import decode_html
    from crawler.procurement.notice import notice_type_of, parse_notice

    if kind == "document" or not extraction.is_document:
        return None
    if kind == "auto" and notice_type_of(extraction.title or "") is None:
        return None
    html = decode_html(raw).text
    notice = parse_notice(
        extraction.title or "", extraction.body_text, html, extraction.published_at
    )
    return notice.to_dict() if notice is not None else None


def _print_notice(notice: dict[str, Any]) -> None:
    out.print(f"  [bold]notice[/]        {notice['notice_type']}")
    for key in ("project_number", "project_name", "buyer", "agency", "region", "announced_on"):
        if notice.get(key):
            out.print(f"    {key:<15} {notice[key]}", markup=False)
    for key in ("budget", "total_award"):
        amount = notice.get(key)
        if amount and amount.get("yuan"):
            out.print(f"    {key:<15} {amount['yuan']} 元  ({amount['raw']})", markup=False)
    for heading, key in (("lot", "lots"), ("candidate", "candidates")):
        for lot in notice.get(key) or []:
            amount = lot.get("amount") or {}
            money = f"{amount['yuan']} 元" if amount.get("yuan") else (amount.get("raw") or "")
            state = "  (failed)" if lot.get("failed") else ""
            supplier = lot.get("supplier") or "—"
            out.print(f"    {heading} {lot['lot']:<11} {supplier}  {money}{state}", markup=False)


@app.command()
def demo(
    seed: Annotated[
        int, typer.Option(help="Seed of the replica: the same seed, the same web.")
    ] = 0,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve/--no-serve",
            help="Then serve the dashboard over the demo's documents until Ctrl-C "
            "(its 立即抓取 button crawls the replica).",
        ),
    ] = True,
    port: Annotated[
        int | None,
        typer.Option(help="Port of the dashboard (0: any free one).  [default: web.port, 8421]"),
    ] = None,
) -> None:
    """Run the whole pipeline offline: start the replica, crawl it, show what mentions the
    topic, then serve the dashboard on 127.0.0.1 and print its address.

    Uses its own SQLite database under the data directory (demo/), never your real one.
    """
    from crawler.cli.views import hits_table
    from crawler.cli.web import serve_dashboard
    from crawler.fetch.crawl import run_crawl
    from crawler.match.topics import load_topics
    from replica import ReplicaThread
    from spiders.registry import load_registry

    base = current_settings()
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
        if serve:
            # Crawls started from the page go to the same replica and the demo's database.
            overrides = {
                "GOVWATCH_DATABASE_URL": settings.effective_database_url,
                "GOVWATCH_REPLICA_URL": str(replica.base_url),
                "GOVWATCH_CRAWL__POLITE": "false",
            }
            chosen = settings.web.port if port is None else port
            serve_dashboard(
                settings, lambda: store, host="127.0.0.1", port=chosen, overrides=overrides
            )
    if any(job.failures for job in jobs):
        raise typer.Exit(1)
