"""The diff engine and source health: which changes and which runs become alerts."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.diff_engine import SaveOutcome, Snapshot, decide, idempotency_key
from storage.source_health import RunResult, next_health

HITS = {"blockchain": {"count": 1, "keywords": {"区块链": 1}}}
T0 = datetime(2026, 11, 1, 9, 0)


def snap(
    content: str = "a",
    *,
    hits: dict | None = None,
    title: str = "关于推进区块链的通知",  # type: ignore[type-arg]
    published: datetime | None = T0,
    attachments: frozenset[str] = frozenset(),
) -> Snapshot:
    return Snapshot(content, title, published, HITS if hits is None else hits, attachments)


def decide_(
    previous: Snapshot | None,
    current: Snapshot,
    alerted: frozenset[str] = frozenset(),
    baseline: bool = False,
    within: bool = True,
):  # type: ignore[no-untyped-def]
    return decide(
        previous, current, alerted_topics=alerted, baseline=baseline, within_backfill=within
    )


def test_a_new_document_that_mentions_the_topic_is_alerted_once_per_topic() -> None:
    decision = decide_(None, snap())
    assert decision.outcome is SaveOutcome.NEW
    assert decision.events == [("document.new", "blockchain")]


def test_a_new_document_without_hits_is_stored_silently() -> None:
    assert decide_(None, snap(hits={})).events == []


def test_the_baseline_crawl_alerts_only_documents_within_the_backfill_window() -> None:
    assert decide_(None, snap(), baseline=True, within=False).events == []
    assert decide_(None, snap(), baseline=True, within=True).events == [
        ("document.new", "blockchain")
    ]


def test_an_unchanged_document_raises_nothing() -> None:
    assert decide_(snap(), snap()).outcome is SaveOutcome.UNCHANGED


def test_a_text_change_that_leaves_hits_title_and_date_alone_is_a_silent_new_version() -> None:
    decision = decide_(snap("a"), snap("b"), alerted=frozenset({"blockchain"}))
    assert decision.outcome is SaveOutcome.CHANGED
    assert decision.changes == [] and decision.events == []


def test_changed_hits_title_or_date_of_an_alerted_document_is_an_update() -> None:
    more = {"blockchain": {"count": 2, "keywords": {"区块链": 2}}}
    alerted = frozenset({"blockchain"})
    assert decide_(snap("a"), snap("b", hits=more), alerted).changes == ["hits"]
    assert decide_(snap("a"), snap("b", title="新标题"), alerted).changes == ["title"]
    assert decide_(snap("a"), snap("b", published=T0 + timedelta(days=1)), alerted).changes == [
        "published_at"
    ]
    assert decide_(snap("a"), snap("b", hits=more), alerted).events == [
        ("document.updated", "blockchain")
    ]


def test_an_attachment_with_hits_that_appears_is_an_update() -> None:
    decision = decide_(
        snap("a"), snap("b", attachments=frozenset({"https://x/a.pdf"})), frozenset({"blockchain"})
    )
    assert decision.changes == ["attachments"]
    assert decision.events == [("document.updated", "blockchain")]


def test_a_known_document_that_starts_mentioning_the_topic_is_new_for_that_topic() -> None:
    decision = decide_(snap("a", hits={}), snap("b"))
    assert decision.events == [("document.new", "blockchain")]


def test_an_alerted_document_that_stops_mentioning_the_topic_is_an_update() -> None:
    decision = decide_(snap("a"), snap("b", hits={}), frozenset({"blockchain"}))
    assert decision.events == [("document.updated", "blockchain")]


def test_idempotency_keys_are_stable_and_distinct() -> None:
    key = idempotency_key("document.new", "blockchain", "www.x.gov.cn/a.html", 1)
    assert key == idempotency_key("document.new", "blockchain", "www.x.gov.cn/a.html", 1)
    assert key != idempotency_key("document.new", "blockchain", "www.x.gov.cn/a.html", 2)
    assert len(key) == 32


def run(outcome: str, items: int = 0) -> RunResult:
    return RunResult(outcome, items, f"{outcome} detail")


def test_failures_alert_once_after_n_in_a_row_and_recovery_alerts_once() -> None:
    state, events = None, []
    for outcome in ["ok", "failed", "failed", "failed", "failed", "ok", "ok"]:
        state, event = next_health(
            state, run(outcome, 20 if outcome == "ok" else 0), T0, failures_in_a_row=3
        )
        events.append(event)
    assert events == [None, None, None, "source.failing", None, "source.recovered", None]


def test_a_challenge_is_alerted_at_once_and_only_once_per_streak() -> None:
    state, first = next_health(None, run("blocked"), T0)
    state, second = next_health(state, run("blocked"), T0)
    assert (first, second) == ("source.blocked", None)


def test_zero_items_alerts_only_where_the_source_used_to_list_many() -> None:
    _, event = next_health(None, run("empty"), T0, empty_after_items=5)
    assert event is None  # never listed anything: no expectation to break
    state, _ = next_health(None, run("ok", 40), T0)
    _, event = next_health(state, run("empty"), T0, empty_after_items=5)
    assert event == "source.empty"
