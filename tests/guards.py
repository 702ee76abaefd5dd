"""What tests hold govwatch to, shared: a user's mistake or a fault of the environment is one
line and exit code 2; reading hostile input ends in bounded time."""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections.abc import Iterator
from typing import Any


def assert_one_line_refusal(done: subprocess.CompletedProcess[str], *expected: str) -> None:
    """``done`` exited 2 with exactly one ``govwatch: error:`` line holding every ``expected``."""
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert lines[0].startswith("govwatch: error: "), lines[0]
    for part in expected:
        assert part in lines[0], (part, lines[0])


@contextlib.contextmanager
def hang_guard(what: str, seconds: int) -> Iterator[None]:
    """Raise TimeoutError in the block if it runs past ``seconds`` (main thread, SIGALRM)."""

    def hang(*_: Any) -> None:
        raise TimeoutError(f"{what}: still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, hang)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
