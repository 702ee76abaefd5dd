"""Logging through loguru, with the standard library's records (Scrapy's) routed into it.

Log times are Beijing time and say so (``2026-12-06 10:56:54 +08:00``), whatever the machine's
time zone: the people reading them work on Beijing time, as the sites they watch publish on it.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from loguru import logger

from storage.times import BEIJING

# A fixed offset (storage.times): loguru's "Z" token needs an offset it can read without a
# date, which zoneinfo does not give.

LINE_FORMAT = "<green>{time:YYYY-MM-DD HH:mm:ss Z}</green> <level>{level: <7}</level> {message}"


def _beijing_time(record: Any) -> None:
    record["time"] = record["time"].astimezone(BEIJING)


class InterceptHandler(logging.Handler):
    """Hands every stdlib log record to loguru, keeping its level and origin."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            level: str | int = logger.level(record.levelname).name
        except ValueError:
            level = record.levelno
        logger.opt(exception=record.exc_info, depth=0).bind(origin=record.name).log(
            level, record.getMessage()
        )


def setup_logging(level: str = "WARNING", json_lines: bool = False) -> None:
    """Send all logs to stderr: human-readable, or one JSON object per line for services."""
    logger.remove()
    logger.configure(patcher=_beijing_time)
    if json_lines:
        logger.add(sys.stderr, level=level, serialize=True, backtrace=False, diagnose=False)
    else:
        logger.add(
            sys.stderr,
            level=level,
            format=LINE_FORMAT,
            backtrace=False,
            diagnose=False,
        )
    # TRACE and SUCCESS are loguru's own levels; the stdlib side forwards from DEBUG and up.
    std_level = logging.getLevelNamesMapping().get(level, logging.DEBUG)
    logging.basicConfig(handlers=[InterceptHandler()], level=std_level, force=True)
    # Scrapy narrates every component it loads at INFO; keep that out of a user's terminal.
    for noisy in (
        "scrapy.core.scraper",
        "scrapy.middleware",
        "scrapy.addons",
        "scrapy.extensions",
        "scrapy.statscollectors",
        "scrapy.crawler",
        "scrapy.utils.log",
        "py.warnings",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, std_level))
    # The generic extractor narrates pages it cannot read; what govwatch makes of them is said
    # by govwatch (the page's kind and reason), once.
    for chatty in ("trafilatura", "htmldate", "justext", "courlan"):
        logging.getLogger(chatty).setLevel(logging.CRITICAL)
