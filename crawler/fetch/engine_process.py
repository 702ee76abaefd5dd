"""A crawl engine in a process of its own: what a service worker runs its crawls in.

The worker (scheduler.worker) starts this with the settings the service was started with and
one end of a pipe, and keeps it for many crawls. Messages, as tuples:

- to the engine: ``("crawl", key, source, timeout)`` — crawl ``source`` (a registry Source);
  ``("stop",)`` — take no more crawls, finish those running, exit.
- from the engine: ``("ready", pid)`` once Scrapy runs; ``("done", key, result)`` for every
  crawl, however it ended (``result`` as :func:`crawl_result` builds it).

The engine's log lines and errors go to the stderr it inherits (the service's). It dies with
its parent (Linux), so no crawl outlives the service.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

from loguru import logger

from crawler.config import Settings
from crawler.extract.page_kinds import FailureKind
from crawler.fetch.engine import CrawlEngine
from crawler.fetch.source_crawl import SourceCrawl
from spiders.registry import Source


def resident_mb() -> float:
    """This process's resident memory in MB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def crawl_result(job: SourceCrawl) -> dict[str, Any]:
    """What a worker learns of a finished crawl (the shape of ``govwatch crawl --json``'s
    sources, plus the documents that mention a topic, the first error and the engine's memory)."""
    seconds = (job.closed_at or time.monotonic()) - (job.opened_at or time.monotonic())
    return {
        "sources": [job.to_dict()],
        "documents": [
            {"source_id": record.source_id, "doc_key": record.doc_key, "hits": bool(record.hits)}
            for record in job.found
        ],
        "first_error": job.first_error,
        "seconds": round(seconds, 3),
        "engine_rss_mb": round(resident_mb(), 1),
    }


def failed_result(source: Source, reason: str) -> dict[str, Any]:
    """The result of a crawl that could not even begin (e.g. its run could not be recorded)."""
    failure = {"url": source.entry_urls[0], "kind": FailureKind.CRAWL_FAILED, "detail": reason}
    return {
        "sources": [
            {
                "source_id": source.id,
                "province_code": source.province_code,
                "kind": source.kind,
                "status": "failed",
                "run_id": None,
                "stats": {},
                "failures": [failure],
            }
        ],
        "documents": [],
        "first_error": f"{FailureKind.CRAWL_FAILED}: {reason}"[:300],
        "seconds": 0.0,
        "engine_rss_mb": round(resident_mb(), 1),
    }


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the worker's own deadline still ends a hung engine


def main(settings: Settings, connection: Connection) -> None:
    """The engine process: run crawls as they are sent until told to stop."""
    from crawler.fetch.crawl import start_scrapy
    from crawler.logs import setup_logging

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the service decides when its workers stop
    setup_logging(settings.log_level, settings.log_json)
    engine = CrawlEngine(settings, keep_open=True)
    sending = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        # A worker that is gone cannot be told; this process dies with it.
        with sending, contextlib.suppress(BrokenPipeError, OSError):
            connection.send(message)

    def submit(key: str, source: Source, timeout: float | None) -> None:
        try:
            engine.submit(
                source,
                timeout=timeout,
                on_done=lambda job: send(("done", key, crawl_result(job))),
            )
        except Exception as exc:  # e.g. the database refused the run record
            logger.error("{}: crawl not started: {}", source.id, exc)
            send(("done", key, failed_result(source, f"{type(exc).__name__}: {exc}")))

    def listen(loop: asyncio.AbstractEventLoop) -> None:
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):
                message = ("stop",)  # the worker is gone
            if message[0] == "crawl":
                _, key, source, timeout = message
                loop.call_soon_threadsafe(submit, key, source, timeout)
            elif message[0] == "stop":
                loop.call_soon_threadsafe(engine.close)
                return

    def opened() -> None:
        loop = asyncio.get_running_loop()
        threading.Thread(target=listen, args=(loop,), name="engine-inbox", daemon=True).start()
        send(("ready", os.getpid()))

    engine.on_open = opened
    start_scrapy(engine, install_signal_handlers=False)
