"""The diff engine: what changed in a document, and which alerts that calls for.

Pure decisions, no I/O. The repository calls :func:`decide` inside the transaction that stores
the document, and writes the alerts it asks for in that same transaction, so a document is
never stored without its alerts nor alerted without being stored.

What counts:
- content: the normalised text hash (title, date, 文号, body, attachments). A change of page
  chrome, counters or tokens never reaches it: those are outside the extracted body.
- what matters to people: the hit set (per topic: count and keywords), the title, the
  publication date, and attachments with hits. Only these raise a ``document.updated`` alert;
  other text changes make a new version silently.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SaveOutcome(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Snapshot:
    """What the diff engine compares: one version of a document, as far as alerts care."""

    content_hash: str
    title: str | None
    published_at: datetime | None
    hits: dict[str, dict[str, Any]]  # topic → {"count": n, "keywords": {kw: n}}
    attachments_with_hits: frozenset[str] = frozenset()


@dataclass
class Decision:
    outcome: SaveOutcome
    changes: list[str] = field(default_factory=list)
    events: list[tuple[str, str]] = field(default_factory=list)  # (event, topic)


def decide(
    previous: Snapshot | None,
    current: Snapshot,
    *,
    alerted_topics: frozenset[str],
    baseline: bool,
    within_backfill: bool,
) -> Decision:
    """Compare a document's stored snapshot with what a crawl just read.

    ``alerted_topics``: topics this document was already alerted for. ``baseline``: the first
    crawl of its source, when only documents published ``within_backfill`` are alerted.
    """
    if previous is None:
        decision = Decision(SaveOutcome.NEW)
        if not baseline or within_backfill:
            decision.events = [("document.new", topic) for topic in sorted(current.hits)]
        return decision
    if previous.content_hash == current.content_hash:
        return Decision(SaveOutcome.UNCHANGED)

    decision = Decision(SaveOutcome.CHANGED, changes=_material_changes(previous, current))
    if not decision.changes:
        return decision
    for topic in sorted(set(previous.hits) | set(current.hits)):
        if topic in alerted_topics:
            decision.events.append(("document.updated", topic))
        elif topic in current.hits:
            decision.events.append(("document.new", topic))
    return decision


def _material_changes(previous: Snapshot, current: Snapshot) -> list[str]:
    changes = []
    if previous.hits != current.hits:
        changes.append("hits")
    if (previous.title or "").strip() != (current.title or "").strip():
        changes.append("title")
    if previous.published_at != current.published_at:
        changes.append("published_at")
    if current.attachments_with_hits - previous.attachments_with_hits:
        changes.append("attachments")
    return changes


def idempotency_key(*parts: object) -> str:
    """A stable key for an alert from what it is about: the same inputs, the same key."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:32]
