"""How crawl results and documents are shown: rich tables for people, JSON for programs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from crawler.fetch.source_crawl import SourceCrawl
from crawler.json_output import dumps
from spiders.provinces import by_code_unchecked
from storage.models import Document
from storage.repository import DocumentRecord


def province_label(code: str) -> str:
    return by_code_unchecked(code).short_name


def record_to_dict(record: DocumentRecord) -> dict[str, Any]:
    return {
        "doc_key": record.doc_key,
        "url": record.url,
        "source_id": record.source_id,
        "province_code": record.province_code,
        "kind": record.kind,
        "doc_type": record.doc_type,
        "title": record.title,
        "published_at": record.published_at,
        "doc_number": record.doc_number,
        "publisher": record.publisher,
        "body_length": len(record.body_text),
        "hits": record.hits,
        "notice": record.notice.details if record.notice else None,
        "attachments": [
            {"url": a.url, "name": a.name, "kind": a.kind, "chars": len(a.text), "error": a.error}
            for a in record.attachments
        ],
    }


def crawl_json(jobs: Sequence[SourceCrawl]) -> str:
    return dumps(
        {
            "sources": [job.to_dict() for job in jobs],
            "documents": [record_to_dict(r) for job in jobs for r in job.found],
        }
    )


def hits_table(documents: Iterable[Document], topic: str, title: str) -> Table:
    """Documents that mention ``topic``: where, what, when, and the first hit in context."""
    table = Table(title=title, show_lines=False, expand=True)
    table.add_column("省份", no_wrap=True)
    table.add_column("source", no_wrap=True, style="dim")
    table.add_column("type", no_wrap=True)
    table.add_column("date", no_wrap=True)
    table.add_column("title", ratio=2)
    table.add_column("hits", justify="right")
    table.add_column("first hit in context", ratio=3)
    for document in documents:
        hit = next((h for h in document.hits if h.topic == topic), None)
        if hit is None:
            continue
        table.add_row(
            province_label(document.province_code),
            document.source_id,
            document.doc_type or document.kind,
            document.published_at.date().isoformat() if document.published_at else "—",
            document.title or document.url,
            str(hit.count),
            (hit.snippets[0] if hit.snippets else "").replace("[", r"\["),
        )
    return table


def summary_table(jobs: Sequence[SourceCrawl]) -> Table:
    table = Table(title="crawl summary")
    for column in (
        "source",
        "status",
        "list pages",
        "fetched",
        "skipped (known)",
        "new",
        "changed",
        "unchanged",
        "errors",
    ):
        table.add_column(column, justify="left" if column in ("source", "status") else "right")
    for job in jobs:
        s = job.stats
        style = {"ok": "green", "partial": "yellow"}.get(job.status, "red")
        table.add_row(
            job.source.id,
            f"[{style}]{job.status}[/]",
            str(s["list_pages"]),
            str(s["details_fetched"]),
            str(s["details_skipped"]),
            str(s["documents_new"]),
            str(s["documents_changed"]),
            str(s["documents_unchanged"]),
            str(s["errors"]),
        )
    return table


def print_failures(console: Console, jobs: Sequence[SourceCrawl], limit: int = 10) -> None:
    failures = [(job.source.id, f) for job in jobs for f in job.failures]
    for source_id, failure in failures[:limit]:
        console.print(
            f"[red]✗[/] {source_id}: {failure.kind} {failure.url} — {failure.detail}",
            markup=True,
            highlight=False,
        )
    if len(failures) > limit:
        console.print(f"… and {len(failures) - limit} more (see crawl_errors in the database)")
