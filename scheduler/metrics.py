"""Prometheus metrics of the service (``GET /metrics``)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from crawler.extract.page_kinds import REFUSALS

REGISTRY = CollectorRegistry()
CRAWLS = Counter(
    "govwatch_crawls", "Crawls by source and outcome", ["source", "status"], registry=REGISTRY
)
DOCUMENTS = Counter(
    "govwatch_documents",
    "Documents stored by source and outcome",
    ["source", "outcome"],
    registry=REGISTRY,
)
HITS = Counter(
    "govwatch_documents_with_hits",
    "New or changed documents that mention a topic",
    ["source"],
    registry=REGISTRY,
)
ERRORS = Counter(
    "govwatch_crawl_errors",
    "Pages that failed, by source and kind",
    ["source", "kind"],
    registry=REGISTRY,
)
BLOCKS = Counter(
    "govwatch_crawl_blocks",
    "Challenges, captchas and rate limits met, by source",
    ["source", "kind"],
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge("govwatch_queue_depth", "Jobs waiting or in hand", registry=REGISTRY)
JOB_WAIT = Histogram(
    "govwatch_job_wait_seconds",
    "From enqueue to a worker starting the job",
    registry=REGISTRY,
    buckets=(1, 5, 30, 60, 300, 900, 3600, 21600),
)
JOB_DURATION = Histogram(
    "govwatch_job_duration_seconds",
    "Crawl duration",
    ["source"],
    registry=REGISTRY,
    buckets=(1, 5, 15, 60, 300, 900, 3600),
)
DELIVERIES = Gauge(
    "govwatch_alert_deliveries", "Alert deliveries by state", ["state"], registry=REGISTRY
)
NOTIFIER_RESTARTS = Counter(
    "govwatch_notifier_restarts",
    "Times the notifier loop died of an unexpected error and was restarted",
    registry=REGISTRY,
)
NOTIFIER_LAST_ROUND = Gauge(
    "govwatch_notifier_last_round_timestamp_seconds",
    "When the notifier last finished a round (health alerts grouped, deliveries sent)",
    registry=REGISTRY,
)
LAST_SUCCESS = Gauge(
    "govwatch_last_success_timestamp_seconds",
    "When a source last crawled without failures",
    ["source"],
    registry=REGISTRY,
)


def record_crawl(result: dict[str, Any], seconds: float, finished_at: float) -> None:
    """Count one finished crawl from its ``--json`` result."""
    for source in result.get("sources", []):
        source_id, stats = source["source_id"], source.get("stats", {})
        CRAWLS.labels(source_id, source["status"]).inc()
        JOB_DURATION.labels(source_id).observe(seconds)
        for outcome in ("new", "changed", "unchanged"):
            if stats.get(f"documents_{outcome}"):
                DOCUMENTS.labels(source_id, outcome).inc(stats[f"documents_{outcome}"])
        for failure in source.get("failures", []):
            kind = failure["kind"]
            (BLOCKS if kind in REFUSALS else ERRORS).labels(source_id, kind).inc()
        if source["status"] == "ok":
            LAST_SUCCESS.labels(source_id).set(finished_at)
    for document in result.get("documents", []):
        if document.get("hits"):
            HITS.labels(document["source_id"]).inc()
