"""A source's health from its runs: when to raise a health alert, and when to clear it.

Pure decisions, no I/O. Rules:
- a run blocked by a challenge, captcha or rate limit raises ``source.blocked`` at once;
- a run that parsed to 0 items where the last good run listed at least ``empty_after_items``
  raises ``source.empty`` at once (a redesigned page or a broken adapter);
- runs that fail (nothing fetched) raise ``source.failing`` after ``failures_in_a_row``;
- the first good run after an alert raises ``source.recovered``.
Each state is alerted once per streak, however many runs it lasts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

OK, FAILING, BLOCKED, EMPTY = "ok", "failing", "blocked", "empty"


@dataclass(frozen=True)
class HealthState:
    state: str
    failures_in_a_row: int
    last_ok_items: int
    alerted_state: str | None
    detail: str | None
    since: datetime


@dataclass(frozen=True)
class RunResult:
    """How a run went: ``ok``, ``failed``, ``blocked`` or ``empty``, with the items it listed."""

    outcome: str
    items: int
    detail: str | None = None


def next_health(
    previous: HealthState | None,
    run: RunResult,
    now: datetime,
    *,
    failures_in_a_row: int = 3,
    empty_after_items: int = 5,
) -> tuple[HealthState, str | None]:
    """The source's new health and the event to alert, if any."""
    prev = previous or HealthState(OK, 0, 0, None, None, now)
    if run.outcome == "ok":
        state = HealthState(OK, 0, run.items, None, None, prev.since if prev.state == OK else now)
        event = "source.recovered" if prev.alerted_state not in (None, OK) else None
        return state, event

    failures = prev.failures_in_a_row + 1
    since = prev.since if prev.state != OK else now
    if run.outcome == "blocked":
        state = HealthState(
            BLOCKED, failures, prev.last_ok_items, prev.alerted_state, run.detail, since
        )
    elif run.outcome == "empty" and prev.last_ok_items >= empty_after_items:
        state = HealthState(
            EMPTY, failures, prev.last_ok_items, prev.alerted_state, run.detail, since
        )
    else:
        state = HealthState(
            FAILING, failures, prev.last_ok_items, prev.alerted_state, run.detail, since
        )

    due = state.state in (BLOCKED, EMPTY) or failures >= failures_in_a_row
    if due and prev.alerted_state != state.state:
        return replace(state, alerted_state=state.state), f"source.{state.state}"
    return state, None
