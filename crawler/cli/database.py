"""``govwatch db``: the database schema."""

from __future__ import annotations

import typer

from crawler.cli.context import current_settings, out

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema to the newest migration."""
    from storage.database import Database

    settings = current_settings()
    database = Database(settings.effective_database_url)
    database.upgrade()
    out.print(f"database schema is current: {settings.effective_database_url}")
