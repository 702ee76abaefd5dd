"""Running the analyst's commands (import, report, export) as a user would, in process.

The commands are registered on a fresh Typer app, as ``crawler.cli.main`` will do. A
:class:`~spiders.errors.UserError` becomes exit code 2 and one line on stderr, exactly as
``crawler.cli.main.main`` turns it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import typer
from typer.testing import CliRunner

from crawler.cli.reports import register
from crawler.logs import setup_logging
from spiders.errors import UserError
from tests.conftest import REPORTS

SHANGHAI_YEARS = (2020, 2021, 2022, 2023, 2024)


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    stderr: str


class Govwatch:
    """``govwatch …`` against one database."""

    def __init__(self, database_url: str) -> None:
        self.env = {"GOVWATCH_DATABASE_URL": database_url, "GOVWATCH_CONFIG": None}
        self.app = typer.Typer()
        register(self.app)

    def __call__(self, *args: str | Path) -> Run:
        try:
            result = CliRunner().invoke(self.app, [str(a) for a in args], env=self.env)
        finally:
            # The command pointed the logs at the runner's stderr, closed by now.
            setup_logging()
        if isinstance(result.exception, UserError):
            return Run(2, result.stdout, f"govwatch: error: {result.exception}")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Run(result.exit_code, result.stdout, result.stderr)

    def import_shanghai(self, *years: int) -> None:
        """Import the real Shanghai work reports of ``years`` (all five by default)."""
        for year in years or SHANGHAI_YEARS:
            run = self(
                "import", REPORTS / f"{year}_shanghai.txt", "--year", str(year), "-p", "shanghai"
            )
            assert run.exit_code == 0, run.stdout + run.stderr
