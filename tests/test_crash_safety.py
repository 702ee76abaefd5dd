"""SIGKILL at random points between crawl, commit and delivery loses and repeats nothing.

Documents are published on the replica while ``govwatch crawl`` processes are killed again and
again; afterwards every published document has exactly one alert, every alert reached the
receiver (counted by idempotency key), and each is marked delivered exactly once.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from replica import ReplicaThread
from storage.database import Database
from storage.models import Alert, Delivery
from tests.receivers import WebhookReceiver
from tests.replica_crawl import REPO, run_govwatch

pytestmark = pytest.mark.e2e
SECRET = "crash-test-secret"
KILLS = int(os.environ.get("GOVWATCH_CRASH_KILLS", "10"))  # make crash-test: 100


def test_sigkill_anywhere_never_loses_or_duplicates_an_alert(
    database_url: str, tmp_path: Path
) -> None:
    seed = int(os.environ.get("GOVWATCH_CRASH_SEED", random.randrange(10_000)))
    rng = random.Random(seed)
    hook = WebhookReceiver(SECRET.encode()).start()
    config = tmp_path / "govwatch.toml"
    config.write_text(
        f"[alerts]\nlease_seconds = 1\nbackoff_base_seconds = 0.2\nbackoff_cap_seconds = 0.5\n\n"
        f'[[channels]]\nname = "hook"\ntype = "webhook"\nurl = "{hook.url}"\nsecret_env = "HOOK_SECRET"\n',
        encoding="utf-8",
    )
    published: list[str] = []
    try:
        with ReplicaThread(seed=31) as replica:
            env = {"GOVWATCH_CONFIG": str(config), "HOOK_SECRET": SECRET}

            def govwatch(*args: str):  # type: ignore[no-untyped-def]
                return run_govwatch(
                    list(args),
                    replica_url=replica.base_url,
                    database_url=database_url,
                    data_dir=tmp_path,
                    extra_env=env,
                )

            assert govwatch("crawl", "-s", "gansu-policy").returncode == 0  # the baseline
            child_env = {
                **{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")},
                **env,
                "GOVWATCH_REPLICA_URL": str(replica.base_url),
                "GOVWATCH_DATABASE_URL": database_url,
                "GOVWATCH_DATA_DIR": str(tmp_path),
                "GOVWATCH_CRAWL__POLITE": "false",
            }
            for round_number in range(KILLS):
                for n in range(2):
                    doc = replica.replica.publish(
                        "www.gansu.gov.cn",
                        "/gsszf/zcwj/index.html",
                        f"甘肃省关于区块链应用的通知（第{round_number}-{n}号）",
                        ["推进区块链技术应用。"],
                    )
                    published.append(doc["real_url"])
                process = subprocess.Popen(
                    [sys.executable, "-m", "crawler", "crawl", "-s", "gansu-policy"],
                    cwd=REPO,
                    env=child_env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(rng.uniform(0.4, 2.5))
                process.send_signal(signal.SIGKILL)
                process.wait(30)

            # Recovery: a clean crawl, then deliveries until nothing is left to send.
            assert govwatch("crawl", "-s", "gansu-policy").returncode == 0
            for _ in range(20):
                time.sleep(1.1)  # past the lease of any send that was killed mid-way
                govwatch("alerts", "send")
                if not _open_deliveries(database_url):
                    break
    finally:
        hook.stop()

    database = Database(database_url)
    with database.session() as session:
        alerts = list(session.scalars(select(Alert)))
        deliveries = list(session.scalars(select(Delivery)))
    database.dispose()
    new_alerts = [a for a in alerts if a.event == "document.new"]
    urls = sorted(a.payload["document"]["url"] for a in new_alerts)
    assert urls == sorted(published), f"seed {seed}: an alert is missing or doubled"
    assert set(hook.received) == {a.idempotency_key for a in alerts}, f"seed {seed}: lost alerts"
    assert len(deliveries) == len(alerts)
    assert {d.status for d in deliveries} == {"delivered"}, f"seed {seed}"
    assert hook.bad_signatures == 0


def _open_deliveries(database_url: str) -> int:
    database = Database(database_url)
    with database.session() as session:
        count = len(list(session.scalars(select(Delivery).where(Delivery.status != "delivered"))))
    database.dispose()
    return count
