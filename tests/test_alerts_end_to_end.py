"""A user's setup: email and a webhook; crawls around documents published on the replica.

Real SMTP (aiosmtpd) and a real signature-checking HTTP receiver on loopback; each crawl runs
``govwatch crawl`` in a child process, as a user would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from replica import ReplicaThread
from tests.receivers import SmtpReceiver, WebhookReceiver
from tests.replica_crawl import CliRun, run_govwatch

pytestmark = pytest.mark.e2e
SECRET = "s3cret-for-tests"


@pytest.fixture
def setup(tmp_path: Path, database_url: str) -> Iterator[dict]:  # type: ignore[type-arg]
    hook = WebhookReceiver(SECRET.encode()).start()
    smtp = SmtpReceiver().start()
    config = tmp_path / "govwatch.toml"
    config.write_text(
        f"""
[alerts]
backfill_days = 7
failures_in_a_row = 2

[[channels]]
name = "mail"
type = "email"
host = "127.0.0.1"
port = {smtp.port}
security = "none"
sender = "govwatch <alerts@example.org>"
to = ["analyst@example.org", "boss@example.org"]

[[channels]]
name = "hook"
type = "webhook"
url = "{hook.url}"
secret_env = "HOOK_SECRET"
""",
        encoding="utf-8",
    )
    with ReplicaThread(seed=21) as replica:
        yield {
            "replica": replica,
            "hook": hook,
            "smtp": smtp,
            "config": config,
            "db": database_url,
            "dir": tmp_path,
        }
    hook.stop()
    smtp.stop()


def crawl(setup: dict, *extra: str) -> CliRun:  # type: ignore[type-arg]
    return run_govwatch(
        ["crawl", "-s", "gansu-policy", *extra],
        replica_url=setup["replica"].base_url,
        database_url=setup["db"],
        data_dir=setup["dir"],
        extra_env={"GOVWATCH_CONFIG": str(setup["config"]), "HOOK_SECRET": SECRET},
    )


def publish(setup: dict, title: str, paragraphs: list[str]) -> dict:  # type: ignore[type-arg]
    return setup["replica"].replica.publish(
        "www.gansu.gov.cn", "/gsszf/zcwj/index.html", title, paragraphs
    )


def test_one_alert_of_each_kind_reaches_email_and_webhook_exactly_once(setup: dict) -> None:  # type: ignore[type-arg]
    hook, smtp = setup["hook"], setup["smtp"]

    # First crawl: the baseline. The replica's documents are years old: nothing is alerted.
    assert crawl(setup).returncode == 0
    assert hook.received == {} and smtp.messages == []

    doc = publish(
        setup,
        "甘肃省人民政府办公厅关于推进区块链技术应用的通知",
        ["各市州人民政府：", "推动区块链技术在政务服务、农产品质量安全追溯等领域的应用。"],
    )
    assert crawl(setup).returncode == 0
    assert len(hook.received) == 1 and list(hook.received.values()) == [1]
    [body] = hook.bodies
    alert = body["alerts"][0]
    assert alert["event"] == "document.new" and alert["document"]["url"] == doc["real_url"]
    assert (
        alert["hits"][0]["keywords"] == {"区块链": 2}
        and "政务服务" in alert["hits"][0]["scenarios"]
    )
    assert hook.bad_signatures == 0
    [(rcpts, message)] = smtp.messages
    assert sorted(rcpts) == ["analyst@example.org", "boss@example.org"]
    assert (
        "区块链" in str(message["Subject"])
        and message.get_content_type() == "multipart/alternative"
    )

    # Nothing changed: nothing new, however often the page's counter changes.
    assert crawl(setup).returncode == 0
    assert len(hook.received) == 1 and len(smtp.messages) == 1

    setup["replica"].replica.edit(
        doc["url_path"], title="甘肃省人民政府办公厅关于推进区块链技术应用的通知（修订）"
    )
    assert crawl(setup).returncode == 0
    assert len(hook.received) == 2 and all(n == 1 for n in hook.received.values())
    updated = hook.bodies[-1]["alerts"][0]
    assert updated["event"] == "document.updated" and updated["changes"] == ["title"]
    assert len(smtp.messages) == 2


def test_a_failing_source_alerts_once_and_its_recovery_once(setup: dict) -> None:  # type: ignore[type-arg]
    replica, hook = setup["replica"].replica, setup["hook"]
    assert crawl(setup).returncode == 0
    replica.add_fault("/www.gansu.gov.cn/gsszf/zcwj/index.html", "status", status=503)
    for _ in range(3):
        assert crawl(setup, "--no-notify").returncode == 1
    assert crawl(setup).returncode == 1  # delivers what is due
    events = [b["alerts"][0]["event"] for b in hook.bodies]
    assert events == ["source.failing"]
    replica.clear_faults()
    assert crawl(setup).returncode == 0
    events = [b["alerts"][0]["event"] for b in hook.bodies]
    assert events == ["source.failing", "source.recovered"]


def test_a_receiver_that_is_down_gets_the_alert_once_it_is_back(setup: dict) -> None:  # type: ignore[type-arg]
    hook = setup["hook"]
    assert crawl(setup).returncode == 0
    publish(setup, "关于区块链的通知", ["推进区块链应用。"])
    hook.mode = "fail"
    assert crawl(setup).returncode == 0
    assert hook.received == {}
    hook.mode = "ok"
    # The retry is due after its backoff; `alerts retry --all-failed` sends it at once.
    result = run_govwatch(
        ["alerts", "retry", "--all-failed"],
        replica_url=None,
        database_url=setup["db"],
        data_dir=setup["dir"],
        extra_env={"GOVWATCH_CONFIG": str(setup["config"]), "HOOK_SECRET": SECRET},
    )
    assert result.returncode == 0, result.stderr
    assert list(hook.received.values()) == [1]
