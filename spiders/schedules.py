"""Source schedules as people write them, turned into APScheduler 3.11 triggers.

Grammar (the ``schedule`` key of a source):

    every <N><s|m|h|d> [jitter <N><s|m|h>] [business-hours]
    cron <minute> <hour> <day> <month> <day-of-week> [jitter <N><s|m|h>]

``business-hours`` limits an interval schedule to 08:00–18:59, Monday to Friday, Beijing time
(government sites publish then, and are watched more closely then). Without an explicit jitter
an interval gets a tenth of its length (at most 10 minutes), so 160 sources on "every 6h" do not
all start in the same second.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from spiders.errors import UserError

TIMEZONE = "Asia/Shanghai"
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_DURATION = r"(\d+)\s*([smhd])"
_EVERY = re.compile(rf"^every\s+{_DURATION}(?:\s+jitter\s+{_DURATION})?(\s+business-hours)?$")
_CRON = re.compile(rf"^cron\s+((?:\S+\s+){{4}}\S+)(?:\s+jitter\s+{_DURATION})?$")


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule: the trigger, and the interval it aims at (for misfire grace)."""

    trigger: BaseTrigger
    period: timedelta
    text: str


def _seconds(number: str, unit: str) -> int:
    return int(timedelta(**{_UNITS[unit]: int(number)}).total_seconds())


_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _crontab_weekdays(field: str) -> str:
    """Crontab weekday numbers (0 or 7 = Sunday) as names.

    APScheduler 3 numbers weekdays from Monday = 0, unlike crontab; names mean the same to both.
    Step values (``*/2``) are left alone.
    """
    return re.sub(r"(?<![/\d])([0-7])(?!\d)", lambda m: _WEEKDAYS[int(m.group(1))], field)


def parse_schedule(text: str) -> Schedule:
    """Parse a schedule string or raise :class:`UserError` saying what is accepted."""
    spec = " ".join(text.strip().lower().split())
    if match := _EVERY.match(spec):
        period = _seconds(match.group(1), match.group(2))
        if period < 1:
            raise UserError(f"schedule {text!r}: the interval must be at least 1s (e.g. every 6h)")
        jitter = (
            _seconds(match.group(3), match.group(4)) if match.group(3) else min(period // 10, 600)
        )
        if match.group(5):
            # Interval within business hours: a cron that fires every `period` in 08–18h.
            minutes = max(1, period // 60)
            minute = f"*/{minutes}" if minutes < 60 else "0"
            hour = "8-18" if minutes < 60 else f"8-18/{max(1, minutes // 60)}"
            trigger: BaseTrigger = CronTrigger(
                minute=minute,
                hour=hour,
                day_of_week="mon-fri",
                timezone=TIMEZONE,
                jitter=jitter or None,
            )
        else:
            trigger = IntervalTrigger(seconds=period, timezone=TIMEZONE, jitter=jitter or None)
        return Schedule(trigger, timedelta(seconds=period), text)
    if match := _CRON.match(spec):
        cron_jitter = _seconds(match.group(2), match.group(3)) if match.group(2) else None
        minute, hour, day, month, weekday = match.group(1).split()
        try:
            trigger = CronTrigger(
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=_crontab_weekdays(weekday),
                timezone=TIMEZONE,
            )
        except ValueError as exc:
            raise UserError(f"schedule {text!r}: {exc}") from None
        trigger.jitter = cron_jitter
        return Schedule(trigger, timedelta(days=1), text)
    raise UserError(
        f"schedule {text!r}: write 'every 6h', 'every 30m jitter 5m', "
        "'every 2h business-hours' or 'cron 0 8 * * 1-5'"
    )
