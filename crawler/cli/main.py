"""The ``govwatch`` command line: the app, its global options, and every command group.

Command groups live one per module beside this one. The service's commands (``run``,
``worker``) belong to the package above this one and join through the ``govwatch.cli``
entry-point group, so the crawler never imports the service.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated

import typer

from crawler.cli import alerts, crawling, database, reports, sources, web
from crawler.cli.context import state
from crawler.cli.faults import describe_fault
from crawler.config import CONFIG_ENV
from spiders.errors import UserError

app = typer.Typer(
    name="govwatch",
    help="Watch Chinese government publications for a topic (区块链 by default).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
app.registered_commands += crawling.app.registered_commands
app.registered_commands += web.app.registered_commands
app.add_typer(database.app, name="db")
app.add_typer(sources.app, name="sources")
app.add_typer(alerts.app, name="alerts")
reports.register(app)
for plugin in entry_points(group="govwatch.cli"):
    plugin.load()(app)


@app.callback()
def _global_options(
    config: Annotated[
        Path | None,
        typer.Option("--config", help=f"Config file (default ./govwatch.toml; env {CONFIG_ENV})."),
    ] = None,
    log_level: Annotated[
        str | None, typer.Option(help="TRACE, DEBUG, INFO, WARNING or ERROR (default WARNING).")
    ] = None,
    log_json: Annotated[
        bool | None, typer.Option("--log-json/--no-log-json", help="Log one JSON object per line.")
    ] = None,
) -> None:
    if config is not None:
        os.environ[CONFIG_ENV] = str(config)
    state.log_level = log_level.upper() if log_level else None
    state.log_json = log_json


def main() -> None:
    """Entry point: user mistakes and faults of the environment (database, disk) become one
    line on stderr and exit code 2."""
    try:
        app()
    except UserError as exc:
        _refuse(str(exc))
    except Exception as exc:
        line = describe_fault(exc, _database_url())
        if line is None:
            raise
        _refuse(line)


def _refuse(message: str) -> None:
    # One line, never wrapped: scripts and people both read it.
    print(f"govwatch: error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(2)


def _database_url() -> str | None:
    from crawler.config import load_settings

    try:
        return load_settings().effective_database_url
    except Exception:
        return None


if __name__ == "__main__":
    main()
