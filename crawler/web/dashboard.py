"""What the dashboard's pages, its API and its feeds read and do, in one place.

Every figure comes from the functions the CLI uses (``report``, ``report bids``, ``report
--brief``, ``alerts retry``), never from a second computation: the page and the command line
show the same numbers. What only the host knows — how to crawl a source now, how to deliver
what is due — is handed in as a :class:`WebHost`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import Request

from crawler.config import Settings
from crawler.match.matcher import TopicMatcher
from crawler.match.topics import Topic, load_topics
from crawler.reports.analyst_table import (
    Comparison,
    NoDocumentsError,
    ProvinceYear,
    YearReport,
    compare,
    province_year,
)
from crawler.reports.bids import BidsReport, build_bids_report
from crawler.reports.brief import Brief, build_brief
from crawler.web.report_cache import YearReports
from spiders.errors import UserError
from spiders.provinces import by_code_unchecked
from spiders.registry import KINDS, Registry, Source, load_registry
from storage.browse import (
    DeliveryView,
    DocumentDetail,
    DocumentFilter,
    DocumentPage,
    SourceRuns,
    document_detail,
    list_deliveries,
    list_documents,
    source_runs,
)
from storage.database import Database
from storage.queries import StoredText
from storage.repository import CheckView, DocumentStore

DELIVERY_STATES = ("pending", "sending", "delivered", "failed", "dead")


@dataclass
class WebHost:
    """What the process serving the dashboard lends it.

    ``crawl_now`` starts or queues crawls of sources and says what it did (None: the
    dashboard offers no crawl button); ``deliver_now`` sends what is due after a retry;
    ``registry`` gives the registry in force (the service reloads it when its files change).
    """

    name: str = "govwatch serve"
    crawl_now: Callable[[list[str]], str] | None = None
    deliver_now: Callable[[], None] | None = None
    registry: Callable[[], Registry] | None = None


@dataclass(frozen=True)
class TopicReading:
    """What one topic finds in one document, sentence by sentence (as the analyst's table)."""

    topic: Topic
    reading: ProvinceYear


@dataclass(frozen=True)
class SourceView:
    source: Source
    runs: SourceRuns | None
    check: CheckView | None


@dataclass
class Dashboard:
    settings: Settings
    store: DocumentStore
    host: WebHost = field(default_factory=WebHost)

    def __post_init__(self) -> None:
        self.topics: list[Topic] = load_topics(self.settings.topics_file)
        self._registry = load_registry(self.settings.registry_dir)

    @property
    def database(self) -> Database:
        return self.store.db

    @property
    def registry(self) -> Registry:
        return self.host.registry() if self.host.registry else self._registry

    def topic(self, name: str | None) -> Topic:
        """A topic by name or label, else the first; :class:`UserError` when unknown."""
        if name is None or name == "":
            return self.topics[0]
        for topic in self.topics:
            if name in (topic.name, topic.label):
                return topic
        known = ", ".join(t.name for t in self.topics)
        raise UserError(f"topic {name!r}: not in the topics file (topics: {known})")

    @functools.cached_property
    def _matchers(self) -> dict[str, TopicMatcher]:
        return {t.name: TopicMatcher(t) for t in self.topics}

    # -- documents ------------------------------------------------------------------------

    def documents(self, wanted: DocumentFilter) -> DocumentPage:
        if wanted.kind is not None and wanted.kind not in KINDS:
            raise UserError(f"kind {wanted.kind!r}: use one of {', '.join(KINDS)}")
        return list_documents(self.database, wanted)

    def document(self, document_id: int) -> DocumentDetail | None:
        return document_detail(self.database, document_id)

    def readings(self, detail: DocumentDetail) -> list[TopicReading]:
        """Every sentence of the document that mentions a topic, with the technologies and
        scenarios named beside it: the analyst's table's reading of this one document."""
        summary = detail.summary
        text = StoredText(
            document_id=summary.id,
            doc_key=summary.doc_key,
            source_id=summary.source_id,
            province_code=summary.province_code,
            kind=summary.kind,
            published_at=summary.published_at,
            title=summary.title,
            text=detail.text,
        )
        province = by_code_unchecked(summary.province_code)
        found = []
        for topic in self.topics:
            reading = province_year(province, [text], self._matchers[topic.name])
            if reading.mentioned:
                found.append(TopicReading(topic, reading))
        return found

    # -- the analyst's table, the brief, the bids -----------------------------------------

    @functools.cached_property
    def _year_reports(self) -> YearReports:
        return YearReports(self.database)

    def year_report(
        self, topic: Topic, *, kind: str, year: int, compare_year: int | None
    ) -> tuple[YearReport, Comparison | None]:
        """As ``govwatch report --year Y [--compare Y2]``; :class:`NoDocumentsError` when
        the year has no document of the kind."""
        current = self._year_reports.get(topic, kind=kind, year=year)
        comparison = None
        if compare_year is not None and compare_year != year:
            try:
                previous = self._year_reports.get(topic, kind=kind, year=compare_year)
            except NoDocumentsError:
                pass
            else:
                comparison = compare(current, previous)
        return current, comparison

    def brief(
        self, topic: Topic, *, kind: str, year: int, compare_year: int | None = None
    ) -> Brief:
        """As ``govwatch report --brief``, from the same tables as :meth:`year_report`."""
        return build_brief(
            self.database,
            topic,
            kind=kind,
            year=year,
            compare_year=compare_year,
            tables=lambda wanted: self._year_reports.get(topic, kind=kind, year=wanted),
        )

    def bids(
        self,
        topic: Topic,
        *,
        year: int | None = None,
        since: date | None = None,
        province_code: str | None = None,
    ) -> BidsReport:
        return build_bids_report(
            self.database,
            topic=topic.name,
            label=topic.label,
            since=since,
            year=year,
            province_codes=[province_code] if province_code else None,
        )

    # -- sources and alerts ---------------------------------------------------------------

    def sources(self) -> list[SourceView]:
        runs = source_runs(self.database)
        checks = self.store.live_checks()
        return [
            SourceView(source, runs.get(source.id), checks.get(source.id))
            for source in self.registry.sources
        ]

    def crawl_now(self, source_id: str) -> str:
        """Start (or queue) a crawl of one source; :class:`UserError` when there is no such
        source or this host cannot crawl."""
        if self.host.crawl_now is None:
            raise UserError(f"{self.host.name} cannot crawl from the dashboard")
        source = self.registry.get(source_id)
        return self.host.crawl_now([source.id])

    def deliveries(self, status: str | None = None, limit: int = 200) -> list[DeliveryView]:
        if status is not None and status not in DELIVERY_STATES:
            raise UserError(f"status {status!r}: use one of {', '.join(DELIVERY_STATES)}")
        return list_deliveries(self.database, status=status, limit=limit)

    def retry(self, delivery_id: int) -> str:
        """As ``govwatch alerts retry ID``: a failed or dead delivery is due again now."""
        if self.store.requeue_deliveries(ids=[delivery_id]) == 0:
            status = self.store.delivery_status(delivery_id)
            if status is None:
                raise LookupError(f"no delivery {delivery_id}")
            raise UserError(f"delivery {delivery_id} is {status}, not failed or dead")
        if self.host.deliver_now is not None:
            self.host.deliver_now()
        return f"投递 {delivery_id} 已重新排队"


def dashboard_of(request: Request) -> Dashboard:
    """The dashboard the app (crawler.web.app) was made with."""
    dashboard: Dashboard = request.app.state.dashboard
    return dashboard


def report_years(dashboard: Dashboard, kind: str) -> list[int]:
    from storage.queries import years_with_documents

    return years_with_documents(dashboard.database, kind=kind)


def json_ready(data: Any) -> Any:
    """Plain data through govwatch's one JSON encoder (exact amounts, ISO dates)."""
    import json

    from crawler.json_output import dumps

    return json.loads(dumps(data))
