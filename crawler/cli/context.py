"""What every command shares: the consoles, the global options, and the settings they give."""

from __future__ import annotations

import sys
from collections.abc import Callable

from rich.console import Console

from crawler.config import Settings, load_settings
from crawler.logs import setup_logging

# Piped output gets wide tables rather than rich's 80-column default.
out = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False)


class _State:
    log_level: str | None = None
    log_json: bool | None = None
    # How `crawl --via-service` hands crawls to a running service: set by the service's
    # commands (scheduler/cli.py) when they are installed, so this package never imports them.
    service_handoff: Callable[[Settings, list[str]], None] | None = None


state = _State()


def current_settings(**overrides: object) -> Settings:
    """This invocation's settings (config file, environment, global options), logging set up."""
    if state.log_level:
        overrides.setdefault("log_level", state.log_level)
    if state.log_json is not None:
        overrides.setdefault("log_json", state.log_json)
    loaded = load_settings(**overrides)
    setup_logging(loaded.log_level, loaded.log_json)
    return loaded
