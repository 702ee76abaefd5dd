"""RecentOutcomes: are the service's last crawls all failing? (scheduler/crawl_outcomes.py)"""

from __future__ import annotations

import threading

from scheduler.crawl_outcomes import RecentOutcomes


def test_too_few_crawls_say_nothing() -> None:
    outcomes = RecentOutcomes()
    assert outcomes.all_failing() is None
    outcomes.record("gansu-policy", "failed", "timeout")
    outcomes.record("gansu-policy", "failed", "timeout")
    assert outcomes.all_failing() is None  # two failures are not yet a pattern
    outcomes.record("chongqing-policy", "timeout", None)
    assert outcomes.all_failing() == (
        "crawls: the last 3 crawls (2 sources) all failed; first: gansu-policy: timeout"
    )


def test_one_success_among_the_last_n_is_enough_and_older_ones_do_not_count() -> None:
    outcomes = RecentOutcomes()
    outcomes.record("gansu-policy", "ok", None)
    for index in range(9):
        outcomes.record(f"source-{index}", "failed", f"connection: refused {index}")
    assert outcomes.all_failing(min_count=10) is None
    outcomes.record("source-9", "failed", "connection:\n refused 9")
    problem = outcomes.all_failing(min_count=10)
    assert problem == (
        "crawls: the last 10 crawls (10 sources) all failed; first: source-0: connection: refused 0"
    )
    for status in ("partial", "empty", "ok"):
        more = RecentOutcomes()
        for _ in range(5):
            more.record("a", "failed", "x")
        more.record("b", status, None)
        assert more.all_failing() is None, status


def test_records_from_many_threads_are_all_kept() -> None:
    outcomes = RecentOutcomes(keep=1000)

    def worker(name: str) -> None:
        for _ in range(100):
            outcomes.record(name, "failed", "timeout")

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outcomes) == 800
    assert outcomes.all_failing() is not None
