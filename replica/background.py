"""Running a Replica on its own event loop in a daemon thread, for tests and benchmarks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType

from replica.families.base import Column
from replica.server import DEFAULT_SEARCH_RATE_LIMIT, Replica

STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 5.0


class ReplicaThread:
    """A Replica served from a background thread.

        with ReplicaThread(seed=7) as rep:
            fetch(rep.base_url + "/www.cq.gov.cn/...")
            rep.replica.publish(...)

    Entering returns once the port is listening; leaving stops the server within about a second,
    even with hung requests in flight.
    """

    def __init__(
        self,
        seed: int = 0,
        scale: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
        registry_dir: Path | None = None,
        search_rate_limit: tuple[int, float] = DEFAULT_SEARCH_RATE_LIMIT,
        families: Mapping[str, type[Column]] | None = None,
    ) -> None:
        self.replica = Replica(
            seed=seed,
            scale=scale,
            registry_dir=registry_dir,
            search_rate_limit=search_rate_limit,
            families=families,
        )
        self.base_url = ""
        self._host = host
        self._port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ReplicaThread:
        """Start serving and block until the replica accepts connections."""
        if self._thread is not None:
            raise RuntimeError("replica thread already started")
        loop = asyncio.new_event_loop()
        started: Future[str] = Future()  # thread-safe, unlike an asyncio future
        self._loop = loop
        self._thread = threading.Thread(
            target=self._run, args=(loop, started), name="replica", daemon=True
        )
        self._thread.start()
        self.base_url = started.result(STARTUP_TIMEOUT)
        return self

    def _run(self, loop: asyncio.AbstractEventLoop, started: Future[str]) -> None:
        asyncio.set_event_loop(loop)
        try:
            started.set_result(loop.run_until_complete(self.replica.start(self._host, self._port)))
        except BaseException as error:  # reported to the starting thread
            started.set_exception(error)
            loop.close()
            return
        try:
            loop.run_forever()
        finally:
            _cancel_leftover_tasks(loop)
            loop.close()

    def stop(self) -> None:
        """Stop the server and the thread; safe to call twice."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or loop.is_closed():
            return
        future = asyncio.run_coroutine_threadsafe(self.replica.stop(), loop)
        try:
            future.result(STOP_TIMEOUT)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT)

    def __enter__(self) -> ReplicaThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _cancel_leftover_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what is still scheduled so closing the loop warns about nothing."""
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    if tasks:
        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    loop.run_until_complete(loop.shutdown_asyncgens())
