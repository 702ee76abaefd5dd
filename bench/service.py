"""Service benchmarks, called by bench/run.py.

- requests per source in a cycle where nothing changed (aim: about one: the first list page,
  then stopping at known documents);
- CPU seconds per cycle (all crawl processes of the cycle);
- throughput of two workers against one (sources crawled per second, from a full queue);
- the service process's memory after N and after 10·N crawl cycles (aim: under 10% growth).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
SOURCES = [
    "gansu-policy",
    "chongqing-policy",
    "shanghai-policy",
    "shanghai-work-report",
    "national-work-report",
    "beijing-policy",
    "jiangsu-policy",
    "guangdong-policy",
    "heilongjiang-policy",
    "tianjin-policy",
]
MEMORY_CYCLES = int(os.environ.get("BENCH_SERVICE_CYCLES", "50"))


def _env(replica_url: str, tmp: str, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")},
        "GOVWATCH_REPLICA_URL": replica_url,
        "GOVWATCH_DATA_DIR": tmp,
        "GOVWATCH_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "GOVWATCH_CRAWL__POLITE": "false",
        **extra,
    }


def no_change_cycle() -> dict[str, Any]:
    from replica import ReplicaThread
    from spiders.registry import load_registry

    known = {s.id for s in load_registry().enabled()}
    sources = [s for s in SOURCES if s in known]
    args = [a for s in sources for a in ("-s", s)]
    with tempfile.TemporaryDirectory() as tmp, ReplicaThread(seed=71) as replica:
        env = _env(str(replica.base_url), tmp, GOVWATCH_CRAWL__MAX_PAGES="50")
        command = [sys.executable, "-m", "crawler", "crawl", *args, "--json"]
        subprocess.run(command, cwd=REPO, env=env, capture_output=True, check=False)
        replica.replica.reset_counts()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(command, cwd=REPO, env=env, capture_output=True, check=False)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        requests = sum(replica.replica.request_counts().values())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "sources": len(sources),
        "requests_per_source": round(requests / len(sources), 2),
        "cpu_seconds_per_cycle": round(cpu, 2),
        "cpu_seconds_per_source": round(cpu / len(sources), 3),
    }


def worker_throughput() -> dict[str, Any]:
    results = {}
    for workers in (1, 2):
        results[f"{workers}_worker"] = _drain_seconds(workers)
    one, two = results["1_worker"], results["2_worker"]
    return {**results, "speedup": round(one["seconds"] / two["seconds"], 2)}


def _drain_seconds(workers: int) -> dict[str, Any]:
    from crawler.config import load_settings
    from replica import ReplicaThread
    from scheduler.jobs import CrawlJob
    from scheduler.service import Service

    with tempfile.TemporaryDirectory() as tmp, ReplicaThread(seed=72) as replica:
        env = _env(str(replica.base_url), tmp, GOVWATCH_SERVICE__HTTP_PORT="0")
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            service = Service(load_settings(), run_scheduler=False, workers=workers)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        for source_id in SOURCES:
            service.queue.put(CrawlJob(source_id, "manual"))
        started = time.perf_counter()
        service.start()
        while service.queue.depth() and time.perf_counter() - started < 600:
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        service.stop()
    return {
        "sources": len(SOURCES),
        "seconds": round(seconds, 2),
        "sources_per_second": round(len(SOURCES) / seconds, 2),
    }


def memory() -> dict[str, Any]:
    """RSS of a running service after N and 10·N crawl cycles of a one-source registry."""
    from replica import ReplicaThread
    from spiders.registry import PACKAGED_REGISTRY

    with tempfile.TemporaryDirectory() as tmp, ReplicaThread(seed=73) as replica:
        registry = Path(tmp) / "registry"
        registry.mkdir()
        text = (PACKAGED_REGISTRY / "national.toml").read_text(encoding="utf-8")
        head, *blocks = text.split("[[source]]")
        block = next(b for b in blocks if 'id = "national-work-report"' in b)
        block = "\n".join(ln for ln in block.splitlines() if not ln.startswith("schedule"))
        (registry / "national.toml").write_text(
            head + '[[source]]\nschedule = "every 1s jitter 0s"' + block, encoding="utf-8"
        )
        env = _env(
            str(replica.base_url),
            tmp,
            GOVWATCH_REGISTRY_DIR=str(registry),
            GOVWATCH_SERVICE__HTTP_PORT="0",
            GOVWATCH_SERVICE__WORKERS="2",
            GOVWATCH_SERVICE__FIRST_RUN_WITHIN="0",
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "run"],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        service = psutil.Process(process.pid)
        readings: dict[int, float] = {}
        try:
            for target in (MEMORY_CYCLES, MEMORY_CYCLES * 10):
                while _cycles(tmp) < target:
                    time.sleep(1)
                readings[target] = service.memory_info().rss / 1e6
        finally:
            process.terminate()
            process.wait(60)
    first, last = readings[MEMORY_CYCLES], readings[MEMORY_CYCLES * 10]
    return {f"rss_mb_after_{k}_cycles": round(v, 1) for k, v in readings.items()} | {
        "growth_percent": round((last - first) / first * 100, 1)
    }


def _cycles(tmp: str) -> int:
    import sqlite3

    try:
        with sqlite3.connect(f"{tmp}/bench.sqlite3", timeout=5) as db:
            row = db.execute("select count(*) from crawl_runs where finished_at is not null")
            return int(row.fetchone()[0])
    except sqlite3.Error:
        return 0


def run() -> dict[str, Any]:
    threading.current_thread().name = "bench"
    return {
        "no_change_cycle": no_change_cycle(),
        "workers": worker_throughput(),
        "memory": memory(),
    }
