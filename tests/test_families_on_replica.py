"""Every adapter family, crawled end to end on the replica's imitation of its site.

The replica serves the whole packaged registry in each family's markup and behaviour; its
ground truth says what a correct crawl stores, including the fields of procurement notices.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from replica import ReplicaThread
from spiders.adapters import ADAPTERS
from spiders.registry import load_registry
from tests.replica_crawl import blockchain_count, run_govwatch, stored_documents

pytestmark = pytest.mark.e2e


def one_source_per_family() -> list[str]:
    """The first enabled source of each adapter: unlimited paging first, then procurement."""
    chosen: dict[str, str] = {}
    ranked = sorted(
        load_registry().enabled(),
        key=lambda s: (s.max_pages is not None, s.kind != "procurement", s.id),
    )
    for source in ranked:
        chosen.setdefault(source.adapter, source.id)
    return [chosen[name] for name in sorted(chosen)]


@pytest.fixture(scope="module")
def replica() -> Iterator[ReplicaThread]:
    # Searches from several tests in a row would trip ccgp's real rate limit (tested on its own).
    with ReplicaThread(seed=5, search_rate_limit=(1000, 1.0)) as running:
        yield running


def test_the_packaged_registry_uses_every_family() -> None:
    assert {load_registry().get(s).adapter for s in one_source_per_family()} == set(ADAPTERS)


def test_every_enabled_source_of_the_registry_checks_ok_against_the_replica(
    replica: ReplicaThread, tmp_path: Path
) -> None:
    result = run_govwatch(
        ["sources", "check", "--json"],
        replica_url=replica.base_url,
        database_url=f"sqlite:///{tmp_path}/db.sqlite3",
        data_dir=tmp_path,
    )
    checks = result.json
    assert len(checks) == len(load_registry().enabled()) > 150
    assert [c for c in checks if c["status"] != "ok"] == []
    assert result.returncode == 0
    # What the check found is kept: the list shows when each source last read items.
    listed = run_govwatch(
        ["sources", "list", "--json"],
        replica_url=replica.base_url,
        database_url=f"sqlite:///{tmp_path}/db.sqlite3",
        data_dir=tmp_path,
    ).json
    live = {s["id"]: s["live_check"] for s in listed}
    assert all(live[c["source_id"]]["status"] == "ok" for c in checks)
    assert all(live[c["source_id"]]["last_ok_at"].endswith("+08:00") for c in checks)
    assert all(live[c["source_id"]]["last_ok_items"] == c["items"] for c in checks)


def test_one_source_of_each_family_is_crawled_to_exactly_the_replicas_documents(
    replica: ReplicaThread, database_url: str, tmp_path: Path
) -> None:
    sources = one_source_per_family()
    args = [arg for source_id in sources for arg in ("-s", source_id)]
    result = run_govwatch(
        ["crawl", *args, "--json"],
        replica_url=replica.base_url,
        database_url=database_url,
        data_dir=tmp_path,
        extra_env={"GOVWATCH_CRAWL__MAX_PAGES": "50"},
    )
    assert result.returncode == 0, [s for s in result.json["sources"] if s["failures"]]
    stored = stored_documents(database_url)
    truth = [d for d in replica.replica.documents() if d["source_id"] in sources]
    for source_id in sources:
        expected = {d["real_url"]: d for d in truth if d["source_id"] == source_id}
        got = {url: doc for url, doc in stored.items() if doc.source_id == source_id}
        assert set(got) == set(expected), source_id
        for url, doc in expected.items():
            assert got[url].title == doc["title"], url
            assert blockchain_count(got[url]) == doc["blockchain_count"], url


def test_award_notices_are_stored_with_the_replicas_buyers_suppliers_and_amounts(
    replica: ReplicaThread, database_url: str, tmp_path: Path
) -> None:
    registry = load_registry()
    sources = [s.id for s in registry.enabled() if s.adapter in ("zcy", "ccgp_channel", "freecms")]
    args = [arg for source_id in sources for arg in ("-s", source_id)]
    result = run_govwatch(
        ["crawl", *args, "--json"],
        replica_url=replica.base_url,
        database_url=database_url,
        data_dir=tmp_path,
        extra_env={"GOVWATCH_CRAWL__MAX_PAGES": "50"},
    )
    assert result.returncode == 0
    stored = stored_documents(database_url)
    awards = [
        d
        for d in replica.replica.documents()
        if d["source_id"] in sources and (d["notice"] or {}).get("notice_type") == "award"
    ]
    assert len(awards) > 10
    for doc in awards:
        notice = stored[doc["real_url"]].notice
        assert notice is not None and notice.notice_type == "award", doc["title"]
        assert notice.buyer == doc["notice"]["buyer"]
        expected_lots = [(lot["supplier"], lot["amount_yuan"]) for lot in doc["notice"]["lots"]]
        got_lots = [
            (lot.supplier, str(lot.amount_yuan) if lot.amount_yuan is not None else None)
            for lot in notice.lots
        ]
        assert got_lots == expected_lots, doc["title"]
    tenders = [
        d
        for d in replica.replica.documents()
        if d["source_id"] in sources and (d["notice"] or {}).get("notice_type") == "tender"
    ]
    for doc in tenders:
        notice = stored[doc["real_url"]].notice
        assert notice is not None and notice.budget_yuan == Decimal(doc["notice"]["budget_yuan"])


def test_the_ccgp_search_rate_limit_page_stops_the_run_and_is_recorded(
    database_url: str, tmp_path: Path
) -> None:
    with ReplicaThread(seed=5, search_rate_limit=(1, 60.0)) as limited:
        result = run_govwatch(
            ["crawl", "-s", "national-ccgp-search", "--json"],
            replica_url=limited.base_url,
            database_url=database_url,
            data_dir=tmp_path,
        )
    assert result.returncode == 1
    [source] = result.json["sources"]
    assert [f["kind"] for f in source["failures"]] == ["rate_limited"]
    assert source["stats"]["list_pages"] == 2
    assert source["stats"]["documents_new"] > 0  # the first page's documents are kept
