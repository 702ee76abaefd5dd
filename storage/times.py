"""Times: stored as naive UTC, shown as Beijing time with its offset.

The database keeps UTC (``utcnow``). Whatever govwatch shows people or sends them (alerts,
logs) is Beijing time and says so: ``2026-11-26T19:45:00+08:00``. China keeps no daylight
saving time, so a fixed UTC+8 offset is Asia/Shanghai exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "CST")


def beijing_iso(utc: datetime) -> str:
    """A stored (naive UTC) or aware time as ISO 8601 in Beijing time, with ``+08:00``."""
    aware = utc if utc.tzinfo is not None else utc.replace(tzinfo=UTC)
    return aware.astimezone(BEIJING).isoformat()
