"""Helpers for end-to-end tests: run ``govwatch`` in a child process against a replica.

Scrapy's reactor starts once per process, so every crawl runs in its own interpreter, exactly
as a user (or the service) runs it.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from replica import ReplicaThread
from spiders.adapters import ListAdapter, ListItem, PageRequest
from storage.database import Database
from storage.models import Document

REPO = Path(__file__).resolve().parents[1]


@dataclass
class CliRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)


def run_govwatch(
    args: list[str],
    *,
    replica_url: str,
    database_url: str,
    data_dir: Path,
    extra_env: dict[str, str] | None = None,
    timeout: float = 180,
) -> CliRun:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")},
        **({"GOVWATCH_REPLICA_URL": replica_url} if replica_url else {}),
        "GOVWATCH_DATABASE_URL": database_url,
        "GOVWATCH_DATA_DIR": str(data_dir),
        "GOVWATCH_CRAWL__POLITE": "false",
        "GOVWATCH_CRAWL__MAX_PAGES": "20",
        "GOVWATCH_CRAWL__TIMEOUT": "10",
        **(extra_env or {}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliRun(done.returncode, done.stdout, done.stderr)


def stored_documents(database_url: str) -> dict[str, Document]:
    """Every stored document by URL, hits loaded."""
    database = Database(database_url)
    try:
        with database.session() as session:
            return {d.url: d for d in session.scalars(select(Document))}
    finally:
        database.dispose()


def blockchain_count(document: Document) -> int:
    hit = next((h for h in document.hits if h.topic == "blockchain"), None)
    return hit.keywords.get("区块链", 0) if hit else 0


def send_request(base_url: str, request: PageRequest) -> tuple[int, str]:
    """Send an adapter's request (method, body, headers) to the replica at ``base_url``, which
    serves every real host under ``/{host}``: (status, text)."""
    address = urlsplit(str(base_url))
    parts = urlsplit(request.url)
    path = f"/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        body = request.body.encode() if request.body is not None else None
        connection.request(request.method, path, body=body, headers=request.headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


@contextmanager
def registry_replica(directory: Path, files: dict[str, str]) -> Iterator[ReplicaThread]:
    """A replica (seed 5) serving only the sources of these registry files (name → TOML),
    written into ``directory``."""
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    with ReplicaThread(seed=5, registry_dir=directory) as replica:
        yield replica


def list_pages(base_url: str, adapter: ListAdapter, entry: str, most: int) -> list[ListItem]:
    """Every item ``adapter`` lists from ``entry`` on the replica, page after page until the
    list says it has no more (at most ``most`` pages); each page must answer 200."""
    items: list[ListItem] = []
    for index in range(most):
        request = adapter.list_request(entry, index)
        status, text = send_request(base_url, request)
        assert status == 200, (request.url, status)
        page = adapter.parse_list(request.url, text)
        items += page.items
        if page.total_pages is None or index + 1 >= page.total_pages:
            break
    return items
