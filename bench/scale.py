"""``make bench-scale``: the embedded service over the replica's scale preset (replica.preset).

The replica serves N synthetic TRS static sources (ten to a host, a few documents each) from
its own process, so it takes no CPU from what is measured. The service runs as a user runs it:
``python -m crawler run`` with SQLite in a temporary data directory and the default, polite
crawl settings (one request at a time per host, 2 s apart).

Cycle 1, the baseline, is the service's own scheduled first run of every source, spread over
``first_run_within`` = BENCH_SCALE_SPREAD seconds (so the jobs come in random order, as the
service spreads first runs). Every later cycle is queued by the bench when the one before has
finished, all sources at once in a shuffled order, through the service's ``POST /jobs`` (what
``govwatch crawl --via-service`` and a due schedule do: one job per source on the queue); the
sources' own schedule (every 24h) does not fire again during the run. Nothing changes on the
replica, so each later cycle is a no-change cycle. A cycle is complete when every source has
one more finished row in ``crawl_runs``.

Measured per cycle: wall time; the replica's requests per source and how many it answered 304;
CPU seconds (user + system) of the service's whole process tree, per source; resident memory
(sum of RSS over the tree) after the cycle, and the ratio of the last cycle's to cycle 5's.

Environment: BENCH_SCALE_SOURCES (3000), BENCH_SCALE_PER_HOST (10), BENCH_SCALE_DOCS (3 per
source), BENCH_SCALE_CYCLES (6, the baseline included), BENCH_SCALE_SPREAD (60 s),
BENCH_SCALE_TIMEOUT (3600 s a cycle may take before the run is given up); GOVWATCH_SERVICE__*
and GOVWATCH_CRAWL__* are passed on to the service (and reported).

The JSON result is the last line of stdout and is written to bench/results/scale.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psutil

from replica.preset import ScalePreset

REPO = Path(__file__).resolve().parents[1]
RESULT = REPO / "bench" / "results" / "scale.json"
POLL_SECONDS = 0.2
MIB = 1024 * 1024


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass
class Config:
    sources: int = field(default_factory=lambda: env_int("BENCH_SCALE_SOURCES", 3000))
    per_host: int = field(default_factory=lambda: env_int("BENCH_SCALE_PER_HOST", 10))
    docs: int = field(default_factory=lambda: env_int("BENCH_SCALE_DOCS", 3))
    cycles: int = field(default_factory=lambda: env_int("BENCH_SCALE_CYCLES", 6))
    spread: int = field(default_factory=lambda: env_int("BENCH_SCALE_SPREAD", 60))
    timeout: int = field(default_factory=lambda: env_int("BENCH_SCALE_TIMEOUT", 3600))
    # The baseline is the scheduled first run; later cycles are queued by the bench, so the
    # schedule must not fire again during the run.
    schedule: str = "every 24h jitter 0s"
    # Service and crawl settings passed on from the bench's environment (none by default).
    passed: dict[str, str] = field(
        default_factory=lambda: {
            k: v
            for k, v in os.environ.items()
            if k.startswith(("GOVWATCH_SERVICE__", "GOVWATCH_CRAWL__"))
        }
    )


@dataclass
class Cycle:
    """What the bench saw of one cycle, live (the database's timestamps come at the end)."""

    number: int
    started: float = 0.0  # time.monotonic() when its first run row appeared
    finished: float = 0.0  # … when its last run finished
    cpu_start: float = 0.0
    cpu_end: float = 0.0
    rss_mb: float = 0.0
    processes: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    requests: int = 0


# -- processes -----------------------------------------------------------------------------


def start_replica(config: Config, registry: Path, log: Path) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable,
        "-m",
        "replica.preset",
        "--registry",
        str(registry),
        "--sources",
        str(config.sources),
        "--per-host",
        str(config.per_host),
        "--docs",
        str(config.docs),
        "--schedule",
        config.schedule,
    ]
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("replica serving on "):
        process.kill()
        raise SystemExit(f"the preset replica did not start: {line!r}; see {log}")
    return process, line.split()[-1]


def start_service(
    config: Config, replica_url: str, registry: Path, data: Path, log: Path
) -> subprocess.Popen[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")},
        "GOVWATCH_REGISTRY_DIR": str(registry),
        "GOVWATCH_REPLICA_URL": replica_url,
        "GOVWATCH_DATA_DIR": str(data),
        "GOVWATCH_DATABASE_URL": f"sqlite:///{data / 'govwatch.sqlite3'}",
        "GOVWATCH_SERVICE__HTTP_PORT": "0",
        "GOVWATCH_SERVICE__FIRST_RUN_WITHIN": str(config.spread),
        **config.passed,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "run"],
        cwd=data,  # no ./govwatch.toml there: the environment is the whole configuration
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )


def tree(process: psutil.Process) -> list[psutil.Process]:
    try:
        return [process, *process.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def tree_cpu(process: psutil.Process) -> float:
    """User + system seconds of the tree, reaped children (recycled engines) included."""
    total = 0.0
    for member in tree(process):
        try:
            times = member.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def tree_rss_mb(process: psutil.Process) -> tuple[float, int]:
    total, count = 0, 0
    for member in tree(process):
        try:
            total += member.memory_info().rss
            count += 1
        except psutil.NoSuchProcess:
            continue
    return total / MIB, count


def stop(process: subprocess.Popen[str], grace: float) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        for member in reversed(tree(psutil.Process(process.pid))):
            with contextlib.suppress(psutil.NoSuchProcess):
                member.kill()
        process.wait(10)


# -- the replica's counts ------------------------------------------------------------------


def replica_counts(base_url: str, reset: bool) -> tuple[dict[str, int], int]:
    """(answers by status, requests) since the last reset; `reset` starts new counts."""
    requests = json.loads(urllib.request.urlopen(base_url + "/_replica/requests").read())
    method = "DELETE" if reset else "GET"
    request = urllib.request.Request(base_url + "/_preset/statuses", method=method)
    statuses = json.loads(urllib.request.urlopen(request).read())
    return statuses, sum(requests.values())


def service_url(log: Path) -> str:
    """The service's HTTP address, from the line it prints when it starts."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        words = log.read_text(errors="replace").split() if log.exists() else []
        found = [w for w in words if w.startswith("http://127.0.0.1:")]
        if found:
            return found[0]
        time.sleep(POLL_SECONDS)
    raise GaveUp("the service did not print its address")


def queue_cycle(url: str, source_ids: list[str], number: int) -> None:
    order = list(source_ids)
    random.Random(number).shuffle(order)
    body = json.dumps({"source_ids": order}).encode()
    request = urllib.request.Request(url + "/jobs", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        if answer.status != 202:
            raise GaveUp(f"POST /jobs answered {answer.status}")


# -- the database --------------------------------------------------------------------------


def run_counts(database: Path) -> tuple[int, int]:
    """(run rows, finished run rows) in crawl_runs; (0, 0) before the schema exists."""
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5) as db:
            row = db.execute("select count(*), count(finished_at) from crawl_runs").fetchone()
            return int(row[0]), int(row[1])
    except sqlite3.Error:
        return 0, 0


def runs_by_cycle(
    database: Path,
) -> dict[int, list[tuple[datetime, datetime, str, dict[str, Any]]]]:
    """Each source's runs in order: its n-th run belongs to cycle n."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute(
            "select source_id, started_at, finished_at, status, stats from crawl_runs "
            "where finished_at is not null order by source_id, started_at, id"
        ).fetchall()
    cycles: dict[int, list[tuple[datetime, datetime, str, dict[str, Any]]]] = defaultdict(list)
    seen: Counter[str] = Counter()
    for source_id, started, finished, status, stats in rows:
        seen[source_id] += 1
        cycles[seen[source_id]].append(
            (
                datetime.fromisoformat(started),
                datetime.fromisoformat(finished),
                status,
                json.loads(stats) if stats else {},
            )
        )
    return cycles


def documents_stored(database: Path) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
        return int(db.execute("select count(*) from documents").fetchone()[0])


# -- the run -------------------------------------------------------------------------------


class GaveUp(Exception):
    pass


def wait_for_runs(
    database: Path,
    finished: bool,
    at_least: int,
    service: subprocess.Popen[str],
    deadline: float,
    what: str,
) -> None:
    """Wait until crawl_runs holds `at_least` rows (finished ones if `finished`)."""
    while run_counts(database)[1 if finished else 0] < at_least:
        if service.poll() is not None:
            raise GaveUp(f"the service exited (code {service.returncode}) while {what}")
        if time.monotonic() > deadline:
            raise GaveUp(f"timed out while {what}")
        time.sleep(POLL_SECONDS)


def measure(config: Config, work: Path) -> dict[str, Any]:
    registry, data = work / "registry", work / "data"
    data.mkdir()
    database = data / "govwatch.sqlite3"
    replica, base_url = start_replica(config, registry, work / "replica.log")
    service: subprocess.Popen[str] | None = None
    cycles: list[Cycle] = []
    problem: str | None = None
    started = time.monotonic()
    try:
        replica_counts(base_url, reset=True)
        service = start_service(config, base_url, registry, data, work / "service.log")
        tracked = psutil.Process(service.pid)
        n = config.sources
        source_ids = [s.id for s in ScalePreset(config.sources, config.per_host).iter_sources()]
        for number in range(1, config.cycles + 1):
            cycle = Cycle(number)
            deadline = time.monotonic() + config.timeout
            done_before = (number - 1) * n
            try:
                if number > 1:
                    queue_cycle(service_url(work / "service.log"), source_ids, number)
                wait_for_runs(
                    database,
                    False,
                    done_before + 1,
                    service,
                    deadline,
                    f"waiting for cycle {number} to start",
                )
                cycle.started, cycle.cpu_start = time.monotonic(), tree_cpu(tracked)
                wait_for_runs(
                    database,
                    True,
                    done_before + n,
                    service,
                    deadline,
                    f"waiting for cycle {number} to finish",
                )
            except GaveUp as gave_up:
                problem = str(gave_up)
                break
            cycle.finished, cycle.cpu_end = time.monotonic(), tree_cpu(tracked)
            cycle.rss_mb, cycle.processes = tree_rss_mb(tracked)
            statuses, cycle.requests = replica_counts(base_url, reset=True)
            cycle.statuses = statuses
            cycles.append(cycle)
            print(
                f"cycle {number}: {cycle.finished - cycle.started:.1f} s, "
                f"{cycle.requests} requests {statuses}, "
                f"cpu {cycle.cpu_end - cycle.cpu_start:.1f} s, rss {cycle.rss_mb:.0f} MiB",
                file=sys.stderr,
                flush=True,
            )
    finally:
        if service is not None:
            stop(service, 60)
        stop(replica, 10)
    elapsed = time.monotonic() - started
    return summarize(config, cycles, database, problem, elapsed, work)


def summarize(
    config: Config,
    cycles: list[Cycle],
    database: Path,
    problem: str | None,
    elapsed: float,
    work: Path,
) -> dict[str, Any]:
    n = config.sources
    recorded = runs_by_cycle(database) if database.exists() else {}
    per_cycle = []
    for cycle in cycles:
        runs = recorded.get(cycle.number, [])
        stats: Counter[str] = Counter()
        for _, _, _, run_stats in runs:
            stats.update({k: v for k, v in run_stats.items() if isinstance(v, int)})
        span = (max(r[1] for r in runs) - min(r[0] for r in runs)).total_seconds() if runs else None
        durations = sorted((r[1] - r[0]).total_seconds() for r in runs)
        cpu = cycle.cpu_end - cycle.cpu_start
        not_modified = cycle.statuses.get("304", 0)
        per_cycle.append(
            {
                "cycle": cycle.number,
                "kind": "baseline" if cycle.number == 1 else "no_change",
                "seconds": round(cycle.finished - cycle.started, 1),
                "seconds_by_database": round(span, 1) if span is not None else None,
                "runs": len(runs),
                "run_statuses": dict(Counter(r[2] for r in runs)),
                "run_seconds_median": round(durations[len(durations) // 2], 2)
                if durations
                else None,
                "run_seconds_max": round(durations[-1], 2) if durations else None,
                "requests": cycle.requests,
                "requests_per_source": round(cycle.requests / n, 3),
                "replica_statuses": cycle.statuses,
                "share_304": round(not_modified / cycle.requests, 4) if cycle.requests else None,
                "cpu_seconds": round(cpu, 1),
                "cpu_ms_per_source": round(cpu / n * 1000, 2),
                "rss_mib": round(cycle.rss_mb, 1),
                "processes": cycle.processes,
                "crawl_stats": {
                    k: stats[k]
                    for k in (
                        "list_pages",
                        "lists_not_modified",
                        "lists_unchanged",
                        "details_requested",
                        "documents_new",
                        "documents_changed",
                        "rechecks",
                        "errors",
                    )
                    if k in stats
                },
            }
        )
    baseline = per_cycle[0] if per_cycle else None
    no_change = [c for c in per_cycle if c["kind"] == "no_change"]
    by_number = {c["cycle"]: c for c in per_cycle}
    fifth, last = by_number.get(5), per_cycle[-1] if per_cycle else None
    second = by_number.get(2)

    def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> float | None:
        if a is None or b is None or a is b:
            return None
        return round(b["rss_mib"] / a["rss_mib"], 3)

    slowest = max(no_change, key=lambda c: c["seconds"]) if no_change else None
    summary = {
        "baseline_cycle_seconds": baseline["seconds"] if baseline else None,
        "no_change_cycle_seconds": [c["seconds"] for c in no_change],
        "no_change_cycle_seconds_max": slowest["seconds"] if slowest else None,
        "no_change_requests_per_source": _mean(no_change, "requests_per_source"),
        "no_change_share_304": _mean(no_change, "share_304"),
        "no_change_cpu_ms_per_source": _mean(no_change, "cpu_ms_per_source"),
        "rss_mib_after_cycle_5": fifth["rss_mib"] if fifth else None,
        "rss_mib_after_last_cycle": last["rss_mib"] if last else None,
        "rss_ratio_last_to_cycle_5": ratio(fifth, last),
        "rss_ratio_last_to_cycle_2": ratio(second, last),
    }
    targets = {
        "no_change_cycle_under_600_s": slowest is not None and slowest["seconds"] < 600,
        "rss_under_1_gib": bool(per_cycle) and max(c["rss_mib"] for c in per_cycle) < 1024,
        "rss_flat_cycle_5_to_last": (
            summary["rss_ratio_last_to_cycle_5"] is not None
            and summary["rss_ratio_last_to_cycle_5"] <= 1.10
        ),
        "measured_cycles_5_to_50": len(per_cycle) >= 50,
    }
    return {
        "benchmark": "scale",
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        },
        "run": {
            "sources": n,
            "hosts": -(-n // config.per_host),
            "sources_per_host": config.per_host,
            "documents_per_source": config.docs,
            "cycles_asked": config.cycles,
            "cycles_completed": len(per_cycle),
            "baseline": "the service's scheduled first runs, spread over first_run_within",
            "first_run_within_seconds": config.spread,
            "no_change_cycles": "all sources queued at once (shuffled) through POST /jobs "
            "when the previous cycle finished",
            "service_settings_passed": config.passed,
            "politeness": "service defaults: polite, 1 request at a time per host, "
            "download_delay 2 s (Scrapy randomises 0.5-1.5x)",
            "service": "python -m crawler run (embedded: in-process queue, SQLite), "
            "default workers and crawls_per_worker",
            "replica": "python -m replica.preset, its own process (not in the CPU figures)",
            "documents_stored": documents_stored(database) if database.exists() else 0,
            "elapsed_seconds": round(elapsed, 1),
            "problem": problem,
            "logs_kept_in": str(work) if problem else None,
        },
        "summary": summary,
        "targets_met": targets,
        "cycles": per_cycle,
    }


def _mean(cycles: list[dict[str, Any]], key: str) -> float | None:
    values = [c[key] for c in cycles if c[key] is not None]
    return round(sum(values) / len(values), 4) if values else None


def main() -> None:
    config = Config()
    keep = tempfile.mkdtemp(prefix="govwatch-bench-scale-")
    work = Path(keep)
    result = measure(config, work)
    if result["run"]["problem"] is None:
        shutil.rmtree(work, ignore_errors=True)
    else:
        for name in ("service.log", "replica.log"):
            path = work / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-20:]
                print(f"--- {name} (last lines)\n" + "\n".join(tail), file=sys.stderr)
    RESULT.parent.mkdir(exist_ok=True)
    text = json.dumps(result, ensure_ascii=False)
    RESULT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
