"""Schedules as users write them become the triggers they mean."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spiders.errors import UserError
from spiders.registry import load_registry
from spiders.schedules import parse_schedule

BEIJING = ZoneInfo("Asia/Shanghai")


def fire_times(text: str, start: datetime, count: int = 5) -> list[datetime]:
    trigger = parse_schedule(text).trigger
    trigger.jitter = None  # the times themselves, without the random spread
    times, previous, now = [], None, start
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        times.append(nxt)
        previous, now = nxt, nxt
    return times


def test_every_interval_fires_at_that_interval_with_default_jitter() -> None:
    schedule = parse_schedule("every 6h")
    assert schedule.period == timedelta(hours=6)
    assert schedule.trigger.jitter == 600
    assert parse_schedule("every 30m jitter 5m").trigger.jitter == 300


def test_crontab_weekdays_mean_what_crontab_means_monday_to_friday() -> None:
    monday = datetime(2026, 11, 23, 7, 0, tzinfo=BEIJING)
    times = fire_times("cron 0 8 * * 1-5", monday, 6)
    assert [t.strftime("%a %H:%M") for t in times] == [
        "Mon 08:00",
        "Tue 08:00",
        "Wed 08:00",
        "Thu 08:00",
        "Fri 08:00",
        "Mon 08:00",
    ]


def test_business_hours_keep_an_interval_to_weekday_office_hours() -> None:
    friday_evening = datetime(2026, 11, 27, 18, 30, tzinfo=BEIJING)
    times = fire_times("every 2h business-hours", friday_evening, 3)
    assert times[0].strftime("%a %H:%M") == "Mon 08:00"
    assert all(t.weekday() < 5 and 8 <= t.hour <= 18 for t in times)


@pytest.mark.parametrize("text", ["hourly", "every", "every 6 hours", "cron 0 8 * *", "every 0s"])
def test_a_schedule_that_means_nothing_is_a_user_error_saying_what_works(text: str) -> None:
    with pytest.raises(UserError, match="every 6h"):
        parse_schedule(text)


def test_every_schedule_in_the_registry_parses() -> None:
    for source in load_registry().sources:
        parse_schedule(source.schedule)
