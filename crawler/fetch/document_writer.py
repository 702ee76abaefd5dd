"""Documents go into storage in batches, one transaction each, across all running crawls.

A commit per document costs more than extracting it. A batch is written when it is full, when
its oldest document has waited ``max_wait`` seconds (the engine calls :meth:`flush_due` every
second), and before a crawl is finished. A crash loses only unwritten documents, which stay
unknown and are fetched again by the next crawl.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from loguru import logger

from crawler.alerts.compose import Alerting
from crawler.extract.page_kinds import FailureKind
from storage.repository import DocumentRecord, DocumentStore

if TYPE_CHECKING:
    from crawler.fetch.source_crawl import SourceCrawl

BATCH_SIZE = 50
BATCH_SECONDS = 1.0


class DocumentWriter:
    def __init__(
        self,
        store: DocumentStore,
        alerting: Alerting | None,
        *,
        batch_size: int = BATCH_SIZE,
        max_wait: float = BATCH_SECONDS,
    ) -> None:
        self.store, self.alerting = store, alerting
        self.batch_size, self.max_wait = batch_size, max_wait
        self.pending: list[tuple[SourceCrawl, DocumentRecord]] = []
        self.oldest = 0.0

    def add(self, job: SourceCrawl, record: DocumentRecord) -> None:
        """Queue one document of ``job`` (open work of the crawl until it is stored)."""
        if not self.pending:
            self.oldest = time.monotonic()
        job.opened()
        job.documents_waiting += 1
        self.pending.append((job, record))
        if len(self.pending) >= self.batch_size:
            self.flush()

    def flush_due(self) -> None:
        if self.pending and time.monotonic() - self.oldest >= self.max_wait:
            self.flush()

    def flush(self) -> None:
        """Store every queued document now; each crawl hears what became of its own."""
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        for job, _ in batch:
            job.documents_waiting -= 1
        try:
            outcomes = self.store.save_many([record for _, record in batch], self.alerting)
        except Exception as exc:  # the database refused the batch: each crawl records it
            logger.error("storing {} documents failed: {}", len(batch), exc)
            for job, record in batch:
                job.fail(record.url, FailureKind.STORE_FAILED, f"{type(exc).__name__}: {exc}")
        else:
            for (job, record), outcome in zip(batch, outcomes, strict=True):
                job.stored(record, outcome)
        for job, _ in batch:
            job.closed()
