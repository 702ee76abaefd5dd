"""Shared test fixtures: the real saved material, and both database backends.

PostgreSQL is not optional: the suite runs every storage test against SQLite and against the
server named by GOVWATCH_TEST_DATABASE_URL (the local one by default). If it does not answer,
those tests fail; they never skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage.database import Database
from storage.repository import DocumentStore

REPO = Path(__file__).resolve().parents[1]
# Verbatim copies of the team's shared fixtures, with their PROVENANCE.md (see that file).
FIXTURES = Path(os.environ.get("GOVWATCH_FIXTURES", REPO / "tests" / "fixtures"))
SHARED_FIXTURES = REPO.parent / "shared" / "fixtures"
PAGES = FIXTURES / "pages"
REPORTS = FIXTURES / "reports"
REDIS_URL = os.environ.get("GOVWATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
POSTGRES_URL = os.environ.get(
    "GOVWATCH_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def pytest_sessionstart(session: pytest.Session) -> None:
    if not PAGES.is_dir() or not REPORTS.is_dir():
        raise pytest.UsageError(f"real fixtures not found at {FIXTURES} (set GOVWATCH_FIXTURES)")


def report_text(name: str) -> str:
    raw = (REPORTS / name).read_bytes()
    return raw.decode("gb18030") if name.endswith(".gbk.txt") else raw.decode("utf-8")


class PostgresSchema:
    """A private schema on the test server, so parallel runs and tests never share tables."""

    def __init__(self) -> None:
        self.name = f"gw_test_{uuid.uuid4().hex[:12]}"
        self.admin = create_engine(POSTGRES_URL)
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.name}"'))

    @property
    def url(self) -> str:
        separator = "&" if "?" in POSTGRES_URL else "?"
        return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.name}" CASCADE'))
        self.admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database of each backend, as a URL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'govwatch.sqlite3'}"
        Database(url).upgrade()
        yield url
        return
    schema = PostgresSchema()
    try:
        Database(schema.url).upgrade()
        yield schema.url
    finally:
        schema.drop()


@pytest.fixture
def store(database_url: str) -> Iterator[DocumentStore]:
    database = Database(database_url)
    yield DocumentStore(database)
    database.dispose()
