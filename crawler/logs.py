"""Logging through loguru, with the standard library's records (Scrapy's) routed into it."""

from __future__ import annotations

import logging
import sys

from loguru import logger


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
    if json_lines:
        logger.add(sys.stderr, level=level, serialize=True, backtrace=False, diagnose=False)
    else:
        logger.add(
            sys.stderr,
            level=level,
            format="<green>{time:HH:mm:ss}</green> <level>{level: <7}</level> {message}",
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
