"""Alert benchmarks, called by bench/run.py.

- latency: from a document being published on the replica to its webhook arriving, through a
  one-off ``govwatch crawl`` (child process start, crawl, commit, delivery), p50 and p99;
- throughput: alerts per second the notifier delivers from the outbox to a webhook on loopback.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SECRET = "bench-secret"
LATENCY_SAMPLES = 15
THROUGHPUT_ALERTS = 1000


def _config(directory: Path, hook_url: str) -> Path:
    config = directory / "govwatch.toml"
    config.write_text(
        f'[[channels]]\nname = "hook"\ntype = "webhook"\nurl = "{hook_url}"\n'
        f'secret_env = "HOOK_SECRET"\n',
        encoding="utf-8",
    )
    return config


def latency() -> dict[str, Any]:
    from replica import ReplicaThread
    from tests.receivers import WebhookReceiver

    hook = WebhookReceiver(SECRET.encode()).start()
    samples = []
    with tempfile.TemporaryDirectory() as tmp, ReplicaThread(seed=41) as replica:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")},
            "GOVWATCH_CONFIG": str(_config(Path(tmp), hook.url)),
            "HOOK_SECRET": SECRET,
            "GOVWATCH_REPLICA_URL": str(replica.base_url),
            "GOVWATCH_DATA_DIR": tmp,
            "GOVWATCH_CRAWL__POLITE": "false",
        }
        command = [sys.executable, "-m", "crawler", "crawl", "-s", "gansu-policy"]
        subprocess.run(command, cwd=REPO, env=env, capture_output=True, check=True)  # baseline
        for n in range(LATENCY_SAMPLES):
            started = time.perf_counter()
            doc = replica.replica.publish(
                "www.gansu.gov.cn",
                "/gsszf/zcwj/index.html",
                f"关于区块链应用的通知（{n}）",
                ["推进区块链技术应用。"],
            )
            subprocess.run(command, cwd=REPO, env=env, capture_output=True, check=True)
            for body in hook.bodies:
                for alert in body["alerts"]:
                    if (alert.get("document") or {}).get("url") == doc["real_url"]:
                        samples.append(hook.arrived_at[alert["idempotency_key"]] - started)
    hook.stop()
    return latency_summary(samples) | {
        "note": "one-off `govwatch crawl` per sample: includes starting the process (~1 s)",
    }


def latency_summary(samples: list[float]) -> dict[str, Any]:
    """Count, median, p99 and worst of latency samples in seconds."""
    ordered = sorted(samples)
    return {
        "samples": len(ordered),
        "p50_seconds": round(statistics.median(ordered), 3),
        "p99_seconds": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
        "max_seconds": round(ordered[-1], 3),
    }


def throughput() -> dict[str, Any]:
    from crawler.alerts.compose import Alerting
    from crawler.alerts.notifier import Notifier, build_channels
    from crawler.config import load_settings
    from crawler.match.topics import load_topics
    from spiders.registry import load_registry
    from storage.database import Database
    from storage.repository import DocumentRecord, DocumentStore
    from tests.receivers import WebhookReceiver

    hook = WebhookReceiver(SECRET.encode()).start()
    os.environ["HOOK_SECRET"] = SECRET
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["GOVWATCH_CONFIG"] = str(_config(Path(tmp), hook.url))
        try:
            settings = load_settings(database_url=f"sqlite:///{tmp}/bench.sqlite3")
        finally:
            del os.environ["GOVWATCH_CONFIG"]
        database = Database(settings.effective_database_url)
        database.upgrade()
        store = DocumentStore(database)
        alerting = Alerting(settings, {s.id: s for s in load_registry().sources}, load_topics())
        published = datetime.now() - timedelta(hours=1)
        hit = {
            "topic": "blockchain",
            "count": 1,
            "keywords": {"区块链": 1},
            "snippets": ["推进【区块链】应用。"],
            "technologies": [],
            "scenarios": [],
        }
        for start in range(0, THROUGHPUT_ALERTS, 100):
            store.save_many(
                [
                    DocumentRecord(
                        doc_key=f"bench/{n}",
                        source_id="gansu-policy",
                        province_code="620000",
                        kind="policy",
                        url=f"http://www.gansu.gov.cn/bench/{n}.html",
                        title=f"关于区块链的通知{n}",
                        published_at=published,
                        body_text="推进区块链应用。",
                        hits=[hit],
                    )
                    for n in range(start, start + 100)
                ],
                alerting,
            )
        notifier = Notifier(store, build_channels(settings.channels), settings.alerts)
        started = time.perf_counter()
        report = notifier.drain()
        seconds = time.perf_counter() - started
        database.dispose()
    hook.stop()
    return {
        "alerts": report.delivered,
        "seconds": round(seconds, 2),
        "alerts_per_second": round(report.delivered / seconds, 1),
        "note": "instant webhook channel, one signed POST per alert, SQLite outbox",
    }
