"""Faults of the environment are one line naming what is at fault, and exit code 2.

A database that is down or missing, a URL govwatch cannot use, a SQLite file that cannot be
written, a data folder that cannot be made: every command that touches them answers with one
line (no traceback) naming the URL, file or folder. Run as a user runs them, in subprocesses,
against the real PostgreSQL of this machine (a database that does not exist on it, a port
where nothing listens).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.guards import assert_one_line_refusal

REPORT = Path(__file__).parent / "fixtures" / "reports" / "2025_national.txt"
COMMANDS = (
    ["db", "upgrade"],
    ["crawl", "-s", "gansu-policy", "--no-notify"],
    ["alerts", "list"],
    ["report", "--year", "2025"],
    ["import", str(REPORT), "--province", "beijing", "--year", "2025", "--kind", "work_report"],
)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens


def govwatch(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    environment["GOVWATCH_DATA_DIR"] = str(tmp_path / "data")
    environment["GOVWATCH_REPLICA_URL"] = "http://127.0.0.1:9"  # never the real sites
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def postgres_url(database: str, port: int = 5432) -> str:
    return f"postgresql+psycopg://postgres:hunter2@127.0.0.1:{port}/{database}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (postgres_url("test", closed_port()), ("127.0.0.1", "Connection refused")),
        (postgres_url("govwatch_no_such_db"), ('database "govwatch_no_such_db" does not exist',)),
        ("mysql://user@127.0.0.1/govwatch", ("database_url", "mysql is not supported")),
        ("not a url", ("GOVWATCH_DATABASE_URL", "not a database URL")),
        ("sqlite:////proc/govwatch/govwatch.sqlite3", ("/proc/govwatch",)),
    ],
)
def test_a_database_that_cannot_be_used_is_one_line_for_every_command(
    tmp_path: Path, url: str, expected: tuple[str, ...]
) -> None:
    for args in COMMANDS:
        done = govwatch(args, tmp_path, GOVWATCH_DATABASE_URL=url)
        assert_one_line_refusal(done, *expected)
        assert "hunter2" not in done.stderr  # the password is never shown


def test_a_sqlite_file_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    database = tmp_path / "data" / "govwatch.sqlite3"
    database.parent.mkdir()
    assert govwatch(["db", "upgrade"], tmp_path).returncode == 0  # the default file, made
    read_only = f"sqlite:///file:{database}?mode=ro&uri=true"
    for args in COMMANDS[1:2] + COMMANDS[4:]:  # the commands that write
        done = govwatch(args, tmp_path, GOVWATCH_DATABASE_URL=read_only)
        assert_one_line_refusal(done, "readonly database")


@pytest.mark.parametrize("where", ["under /proc", "under a regular file"])
def test_a_data_folder_that_cannot_be_made_is_one_line_naming_it(
    tmp_path: Path, where: str
) -> None:
    if where == "under /proc":
        data = Path("/proc/govwatch-data")
    else:
        (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
        data = tmp_path / "a-file" / "data"
    for args in COMMANDS:
        done = govwatch(args, tmp_path, GOVWATCH_DATA_DIR=str(data))
        assert_one_line_refusal(done, str(data))


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small filesystem needs root")
def test_a_full_disk_is_one_line_and_what_was_stored_stays(tmp_path: Path) -> None:
    """The data folder on a 1.5 MB filesystem: importing report after report fills it; the
    import stops with one line naming the database, and the reports stored before stay."""
    full = tmp_path / "small-disk"
    full.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1500k", "tmpfs", str(full)], check=True)
    try:
        reports = sorted((Path(__file__).parent / "fixtures" / "reports").glob("20*_national.txt"))
        args = ["import", *map(str, reports), "--year", "2024", "--province", "beijing"]
        done = govwatch([*args, "--kind", "work_report"], tmp_path, GOVWATCH_DATA_DIR=str(full))
        assert_one_line_refusal(done, str(full / "govwatch.sqlite3"), "full")
        imported = [line for line in done.stdout.splitlines() if line.startswith("imported")]
        assert imported, done.stdout
        with sqlite3.connect(full / "govwatch.sqlite3") as database:
            [(stored,)] = database.execute("select count(*) from documents")
        assert stored == len(imported)  # what was imported before the disk filled is there
    finally:
        subprocess.run(["umount", "-l", str(full)], check=False)
