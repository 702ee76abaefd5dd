"""Service benchmarks, called by bench/run.py.

- the running service in cycles where nothing changed: CPU per source of its whole process tree
  (service and crawl engines, user+sys; aim: 5 ms or less) and requests per source (aim: 1.05
  or less, 304s where the replica sends validators), beside the same figures for one one-off
  ``govwatch crawl`` of the same sources;
- publish on the replica → webhook received: a crawl triggered through the service
  (``POST /jobs``, aim: p99 under 3 s) and a 1-minute schedule (aim: p99 under 70 s);
- throughput of two workers against one (sources crawled per second, from a full queue);
- the service process's memory after N and after 10·N crawl cycles (aim: under 10% growth).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from bench import alerts as alerts_bench
from bench.scale import tree_cpu, tree_rss_mb
from tests.service_helpers import free_port, wait_for

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
CYCLE_SOURCES = 20  # TRS portals' columns, as in the side-by-side measurement of issue 11
MEASURED_CYCLES = int(os.environ.get("BENCH_SERVICE_MEASURED_CYCLES", "5"))
TRIGGERED_SAMPLES = int(os.environ.get("BENCH_TRIGGERED_SAMPLES", "20"))
SCHEDULED_SAMPLES = int(os.environ.get("BENCH_SCHEDULED_SAMPLES", "8"))


def _env(replica_url: str, tmp: str, **extra: str) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")},
        "GOVWATCH_REPLICA_URL": replica_url,
        "GOVWATCH_DATA_DIR": tmp,
        "GOVWATCH_DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3",
        "GOVWATCH_CRAWL__POLITE": "false",
        **extra,
    }


def _registry(directory: Path, source_ids: list[str], schedule: str) -> Path:
    """The packaged registry files, keeping ``source_ids`` only, each on ``schedule``."""
    from spiders.registry import PACKAGED_REGISTRY

    directory.mkdir()
    for path in sorted(PACKAGED_REGISTRY.glob("*.toml")):
        head, *blocks = path.read_text(encoding="utf-8").split("[[source]]")
        kept = [b for b in blocks if any(f'id = "{s}"\n' in b for s in source_ids)]
        if not kept:
            continue
        kept = [
            "\n".join(ln for ln in b.splitlines() if not ln.startswith("schedule")) for b in kept
        ]
        body = head + "".join(f'[[source]]\nschedule = "{schedule}"{b}\n' for b in kept)
        (directory / path.name).write_text(body, encoding="utf-8")
    return directory


def _trs_sources(count: int) -> list[str]:
    from spiders.registry import load_registry

    return [s.id for s in load_registry().enabled() if s.adapter == "trs_static"][:count]


@contextlib.contextmanager
def _service(env: dict[str, str]) -> Iterator[psutil.Process]:
    """``govwatch run`` as a user starts it; its log goes to a file shown if it dies."""
    log = Path(env["GOVWATCH_DATA_DIR"]) / "service.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "crawler", "run"], cwd=REPO, env=env, stdout=sink, stderr=sink
        )
    try:
        yield psutil.Process(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.returncode not in (0, -15):
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            print(f"service exited {process.returncode}:\n{tail}", file=sys.stderr)


def service_no_change_cycles() -> dict[str, Any]:
    """The embedded service on a 10-second schedule: figures over MEASURED_CYCLES cycles after
    the baseline crawl and one settling cycle, nothing published meanwhile."""
    from replica import ReplicaThread

    sources = _trs_sources(CYCLE_SOURCES)
    with tempfile.TemporaryDirectory() as tmp, ReplicaThread(seed=74) as replica:
        env = _env(
            str(replica.base_url),
            tmp,
            GOVWATCH_REGISTRY_DIR=str(
                _registry(Path(tmp) / "registry", sources, "every 10s jitter 0s")
            ),
            GOVWATCH_SERVICE__HTTP_PORT="0",
            GOVWATCH_SERVICE__FIRST_RUN_WITHIN="0",
            GOVWATCH_CRAWL__MAX_PAGES="50",
        )
        with _service(env) as service:
            wait_for(lambda: _cycles(tmp) >= 2 * len(sources), 600, "the baseline and one cycle")
            replica.replica.reset_counts()
            runs, cpu, started = _cycles(tmp), tree_cpu(service), time.perf_counter()
            target = runs + MEASURED_CYCLES * len(sources)
            wait_for(lambda: _cycles(tmp) >= target, 60 + 20 * MEASURED_CYCLES, "the cycles")
            runs, cpu = _cycles(tmp) - runs, tree_cpu(service) - cpu
            seconds = time.perf_counter() - started
            requests = sum(replica.replica.request_counts().values())
            rss, _ = tree_rss_mb(service)
    return {
        "sources": len(sources),
        "crawls": runs,
        "seconds": round(seconds, 1),
        "cpu_ms_per_source": round(cpu / runs * 1000, 2),
        "requests_per_source": round(requests / runs, 3),
        "rss_mib_process_tree": round(rss, 1),
        "note": "CPU of the service's whole process tree over the window, idle time included",
    }


def alert_latency() -> dict[str, Any]:
    """Publish on the replica → webhook received, through the running embedded service."""
    from replica import ReplicaThread
    from tests.receivers import WebhookReceiver

    results: dict[str, Any] = {}
    for label, schedule, samples in (
        ("triggered", "every 1h", TRIGGERED_SAMPLES),
        ("scheduled_1min", "every 1m", SCHEDULED_SAMPLES),
    ):
        # A receiver of its own for each run: the replica's URLs repeat between runs.
        hook = WebhookReceiver(alerts_bench.SECRET.encode()).start()
        try:
            with tempfile.TemporaryDirectory() as tmp, ReplicaThread(seed=75) as replica:
                config = alerts_bench._config(Path(tmp), hook.url)
                port = free_port()
                env = _env(
                    str(replica.base_url),
                    tmp,
                    GOVWATCH_CONFIG=str(config),
                    HOOK_SECRET=alerts_bench.SECRET,
                    GOVWATCH_REGISTRY_DIR=str(
                        _registry(Path(tmp) / "registry", ["gansu-policy"], schedule)
                    ),
                    GOVWATCH_SERVICE__HTTP_PORT=str(port),
                    GOVWATCH_SERVICE__FIRST_RUN_WITHIN="0",
                )
                with _service(env):
                    wait_for(lambda: _cycles(tmp) >= 1, 120, "the baseline crawl")
                    results[label] = _latency_samples(
                        replica, hook, port, samples, trigger=label == "triggered"
                    )
        finally:
            hook.stop()
    return results


def _latency_samples(
    replica: Any, hook: Any, port: int, samples: int, *, trigger: bool
) -> dict[str, Any]:
    seconds = []
    for n in range(samples):
        started = time.perf_counter()
        doc = replica.replica.publish(
            "www.gansu.gov.cn",
            "/gsszf/zcwj/index.html",
            f"甘肃省关于区块链应用的通知（{'触发' if trigger else '定时'}{n}）",
            ["推进区块链技术应用。"],
        )
        if trigger:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/jobs",
                data=json.dumps({"source_ids": ["gansu-policy"]}).encode(),
                headers={"Content-Type": "application/json"},
                method="POST",
            )
            urllib.request.urlopen(request, timeout=10).close()

        def arrived(url: str = doc["real_url"]) -> float | None:
            for body in list(hook.bodies):
                for alert in body["alerts"]:
                    if (alert.get("document") or {}).get("url") == url:
                        return float(hook.arrived_at[alert["idempotency_key"]])
            return None

        wait_for(lambda: arrived() is not None, 180, f"the alert of sample {n}")
        seconds.append(float(arrived() or 0.0) - started)
        if not trigger:
            time.sleep(random.uniform(0, 20))  # publish at varying points of the schedule
    return alerts_bench.latency_summary(seconds)


def no_change_cycle() -> dict[str, Any]:
    from replica import ReplicaThread

    sources = _trs_sources(CYCLE_SOURCES)
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
        "cpu_ms_per_source": round(cpu / len(sources) * 1000, 1),
        "note": "one `govwatch crawl` process of all the sources: start-up included",
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


def soak() -> dict[str, Any]:
    """A soak: the service crawling one source every second; the process tree's resident
    memory, its open files and the database's size after N and 10·N cycles (50 and 500)."""
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
        readings: dict[int, dict[str, float]] = {}
        with _service(env) as service:
            for target in (MEMORY_CYCLES, MEMORY_CYCLES * 10):
                wait_for(lambda n=target: _cycles(tmp) >= n, 60 + 3 * target, f"{target} cycles")
                rss, _ = tree_rss_mb(service)
                readings[target] = {
                    "rss_mib": round(rss, 1),
                    "open_files": _open_files(service),
                    "database_mib": round(_database_mib(tmp), 2),
                }
    first, last = readings[MEMORY_CYCLES], readings[MEMORY_CYCLES * 10]
    return {
        "cycles": {str(k): v for k, v in readings.items()},
        "rss_ratio": round(last["rss_mib"] / first["rss_mib"], 3),
        "open_files_ratio": round(last["open_files"] / max(first["open_files"], 1), 3),
        "database_ratio": round(last["database_mib"] / max(first["database_mib"], 0.01), 3),
        "note": "the database keeps one crawl_runs row per crawl, so it grows by design; "
        "its size per 1,000 crawls is the figure to watch",
    }


def _open_files(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += member.num_fds()
    return total


def _database_mib(tmp: str) -> float:
    return sum(p.stat().st_size for p in Path(tmp).glob("bench.sqlite3*")) / (1024 * 1024)


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
        "service_no_change_cycles": service_no_change_cycles(),
        "one_off_crawl_no_change": no_change_cycle(),
        "alert_latency": alert_latency(),
        "workers": worker_throughput(),
        "soak": soak(),
    }
