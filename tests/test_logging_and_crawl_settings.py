"""Logging through loguru, and the Scrapy settings every crawl runs with."""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime

import pytest

from crawler.config import CrawlSettings
from crawler.fetch.scrapy_settings import scrapy_settings
from crawler.logs import setup_logging


def test_stdlib_records_such_as_scrapys_reach_loguru_as_json_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    setup_logging("INFO", json_lines=True)
    logging.getLogger("scrapy.downloadermiddlewares.retry").warning("Gave up retrying %s", "url")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)["record"]
    assert record["message"] == "Gave up retrying url"
    assert record["level"]["name"] == "WARNING"
    assert record["extra"]["origin"] == "scrapy.downloadermiddlewares.retry"
    setup_logging("WARNING")


def test_scrapys_chatter_stays_out_of_a_users_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO")
    logging.getLogger("scrapy.middleware").info("Enabled item pipelines: …")
    logging.getLogger("govwatch.test").info("kept")
    err = capsys.readouterr().err
    assert "Enabled item pipelines" not in err and "kept" in err
    setup_logging("WARNING")


def test_log_times_are_beijing_time_and_say_so_whatever_the_machines_zone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        for json_lines in (False, True):
            setup_logging("INFO", json_lines=json_lines)
            before = datetime.now(UTC)
            logging.getLogger("govwatch.test").info("when")
            line = capsys.readouterr().err.strip().splitlines()[-1]
            if json_lines:
                stamp = json.loads(line)["record"]["time"]["repr"]
                assert stamp.endswith("+08:00"), stamp
                logged = datetime.fromisoformat(stamp)
            else:
                match = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+08:00 INFO +when$", line)
                assert match, line
                logged = datetime.fromisoformat(match.group(1) + "+08:00")
            assert abs((logged - before).total_seconds()) < 5  # the same instant, in UTC+8
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
        setup_logging("WARNING")


def test_the_defaults_are_polite_to_real_government_sites() -> None:
    settings = scrapy_settings(CrawlSettings())
    assert settings["TWISTED_REACTOR"].endswith("AsyncioSelectorReactor")
    assert settings["REMOTE_CONTROL_ENABLED"] is False
    assert settings["TELNETCONSOLE_ENABLED"] is False
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert settings["DOWNLOAD_DELAY"] == 2.0 and settings["DOWNLOAD_DELAY_JITTER"] == 0.5
    assert settings["AUTOTHROTTLE_ENABLED"] is True
    assert settings["RETRY_TIMES"] == 3 and 503 in settings["RETRY_HTTP_CODES"]
    assert settings["DOWNLOAD_MAXSIZE"] == 20 * 1024 * 1024
    assert settings["DOWNLOAD_FAIL_ON_DATALOSS"] is True
    assert "Chrome/" in settings["USER_AGENT"] and "Scrapy" not in settings["USER_AGENT"]
    assert settings["DEFAULT_REQUEST_HEADERS"]["Accept-Language"].startswith("zh-CN")


def test_politeness_off_is_only_a_choice_for_the_replica_and_benchmarks() -> None:
    settings = scrapy_settings(CrawlSettings(polite=False))
    assert settings["DOWNLOAD_DELAY"] == 0 and settings["AUTOTHROTTLE_ENABLED"] is False
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 8
