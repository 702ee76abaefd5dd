"""The README's commands are commands govwatch has, with options it takes.

Every ``govwatch …`` line in the README's shell blocks is read: its command path must exist
(``govwatch report bids``), and every ``--option`` it shows must be in that command's help.
The example config must load (tests/test_provinces_config_registry.py checks its keys).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawler.cli.main import app

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    commands, in_shell = [], False
    for line in README.read_text("utf-8").splitlines():
        if line.startswith("```"):
            in_shell = line.strip() in ("```sh", "```bash", "```console")
            continue
        if in_shell and line.startswith("govwatch"):
            commands.append(line.split("  #", 1)[0].strip())
    return commands


def command_path(words: list[str]) -> list[str]:
    """The longest prefix of ``words`` that is a command (help exits 0), options skipped."""
    path: list[str] = []
    for word in words:
        if word.startswith("-"):
            continue
        trial = [*path, word]
        if CliRunner().invoke(app, [*trial, "--help"]).exit_code != 0:
            break
        path = trial
    return path


COMMANDS = readme_commands()


def test_the_readme_shows_commands() -> None:
    assert len(COMMANDS) >= 15, COMMANDS


@pytest.mark.parametrize("line", COMMANDS)
def test_every_readme_command_exists_with_the_options_it_shows(line: str) -> None:
    words = line.split()[1:]
    global_options = {"--config", "--log-level", "--log-json", "--no-log-json"}
    path = command_path([w for w in words if w not in global_options])
    help_text = CliRunner().invoke(app, [*path, "--help"]).output
    assert "Usage:" in help_text, (line, path)
    for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", line):
        if option in global_options:
            continue
        assert option in help_text, f"{line!r}: {option} is not an option of {path}"
