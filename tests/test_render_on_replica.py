"""End to end with real Chromium: crawls of replica sites behind challenges, in a child process.

The replica puts registry sources behind its challenges (replica.challenges.sources.PRESET):
瑞数-style 412 pages on a GBK portal (with a JSON search and a second source on the host) and
on a Hanweb site whose later list pages are POSTs, 加速乐-style 521 pages on a list site and on
a JSON API, lists built by scripts from inline JSON and from a JSON endpoint, and a captcha.
A crawl in ``auto`` mode must store every document behind them, render only the pages that
need it, and report the captcha as blocked.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from replica import ReplicaThread
from replica.challenges.sources import PRESET
from spiders.registry import PACKAGED_REGISTRY
from storage.database import Database
from storage.models import SourceHealth
from tests.replica_crawl import CliRun, run_govwatch, stored_documents

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(120)]

# Sources on a protected host besides the one the challenge was put on, and a plain one.
PEERS = ("gansu-policy-search", "gansu-work-report", "jiangsu-work-report", "anhui-policy")
CAPTCHA = "ningxia-industry"


@pytest.fixture
def replica() -> Iterator[ReplicaThread]:
    with ReplicaThread(seed=8) as running:
        yield running


def crawl(
    replica: ReplicaThread, tmp_path: Path, sources: list[str], **env: str
) -> tuple[CliRun, str]:
    database_url = f"sqlite:///{tmp_path / 'govwatch.sqlite3'}"
    args = ["crawl", "--json", "--no-notify", *(a for s in sources for a in ("-s", s))]
    result = run_govwatch(
        args,
        replica_url=replica.base_url,
        database_url=database_url,
        data_dir=tmp_path,
        extra_env=env,
    )
    assert result.stdout, result.stderr[-3000:]
    return result, database_url


def by_source(result: CliRun) -> dict[str, dict[str, Any]]:
    return {s["source_id"]: s for s in result.json["sources"]}


def missing(replica: ReplicaThread, database_url: str, sources: list[str]) -> dict[str, int]:
    stored = stored_documents(database_url)
    gaps: dict[str, int] = {}
    for doc in replica.replica.documents():
        if doc["source_id"] in sources and doc["real_url"] not in stored:
            gaps[doc["source_id"]] = gaps.get(doc["source_id"], 0) + 1
    return gaps


def test_an_auto_crawl_gets_every_document_behind_its_challenges_and_only_those_render(
    replica: ReplicaThread, tmp_path: Path
) -> None:
    for source_id, kind in PRESET.items():
        replica.replica.protect_source(source_id, kind)
    sources = [*PRESET, *PEERS]
    result, database_url = crawl(replica, tmp_path, sources, GOVWATCH_LOG_LEVEL="INFO")
    assert result.stderr.count("starting Chromium") == 1, "one browser for every source"
    assert result.returncode == 1, "the captcha is a failure of the run"
    assert missing(replica, database_url, sources) == {CAPTCHA: 28}
    runs = by_source(result)
    reasons = {
        "gansu-policy": "ruishu",
        "jiangsu-policy": "ruishu",
        "hebei-industry": "jsl",
        "shaanxi-procurement": "jsl",
        "beijing-industry": "js_list",
        "tianjin-industry": "js_list",
    }
    for source_id in reasons:
        assert runs[source_id]["status"] == "ok", runs[source_id]["failures"]
    # One render earns a site's cookies for every source of that site (their requests share
    # the site's download slot in one engine, so whichever asks first renders); every other
    # page goes the plain way with those cookies.
    sites = {
        "gansu-policy": ("gansu-policy", "gansu-policy-search", "gansu-work-report"),
        "jiangsu-policy": ("jiangsu-policy", "jiangsu-work-report"),
        "hebei-industry": ("hebei-industry",),
        "shaanxi-procurement": ("shaanxi-procurement",),
    }
    for protected, site_sources in sites.items():
        site_stats = [runs[s]["stats"] for s in site_sources]
        reason = reasons[protected]
        assert sum(st.get("rendered", 0) for st in site_stats) == 1, protected
        assert sum(st.get(f"render_reason:{reason}", 0) for st in site_stats) == 1, protected
        assert runs[protected]["stats"]["browser_cookies_reused"] >= 20, protected
    for source_id in ("beijing-industry", "tianjin-industry"):
        stats = runs[source_id]["stats"]
        assert stats["render_reason:js_list"] == stats["rendered"], source_id
    for source_id in ("beijing-industry", "tianjin-industry"):
        # Every list page needs the browser; no document page does.
        stats = runs[source_id]["stats"]
        assert stats["rendered"] == stats["list_pages"], source_id
    for peer in ("gansu-policy-search", "gansu-work-report", "jiangsu-work-report"):
        assert runs[peer]["status"] == "ok" and runs[peer]["stats"]["browser_cookies_reused"]
    assert not any(k.startswith(("render", "blocked")) for k in runs["anhui-policy"]["stats"])
    # The captcha: never rendered, recorded as blocked, a health alert.
    captcha = runs[CAPTCHA]
    assert captcha["stats"]["blocked:captcha"] == 1 and "rendered" not in captcha["stats"]
    assert [f["kind"] for f in captcha["failures"]] == ["captcha"]
    assert health(database_url, CAPTCHA) == ("blocked", "blocked")
    total = sum(s["stats"].get("requests", 0) for s in runs.values())
    rendered = sum(s["stats"].get("rendered", 0) for s in runs.values())
    assert rendered <= 12 and rendered / total < 0.05


def test_a_crawl_that_meets_no_challenge_never_starts_chromium(
    replica: ReplicaThread, tmp_path: Path
) -> None:
    result, database_url = crawl(
        replica, tmp_path, ["gansu-work-report"], GOVWATCH_LOG_LEVEL="INFO"
    )
    assert result.returncode == 0 and missing(replica, database_url, ["gansu-work-report"]) == {}
    stats = result.json["sources"][0]["stats"]
    assert stats["requests"] == 9 and not any(k.startswith("render") for k in stats)
    assert "starting Chromium" not in result.stderr


def health(database_url: str, source_id: str) -> tuple[str, str | None]:
    database = Database(database_url)
    try:
        with database.session() as session:
            row = session.scalars(
                select(SourceHealth).where(SourceHealth.source_id == source_id)
            ).one()
            return row.state, row.alerted_state
    finally:
        database.dispose()


def test_cookies_that_stop_working_send_the_site_back_to_the_browser(
    replica: ReplicaThread, tmp_path: Path
) -> None:
    # The site's cookies are good for 12 pages, then the site asks again (a new token).
    replica.replica.protect_source("gansu-policy", "ruishu", max_uses=12)
    result, database_url = crawl(replica, tmp_path, ["gansu-policy"])
    assert result.returncode == 0, result.json["sources"][0]["failures"]
    assert missing(replica, database_url, ["gansu-policy"]) == {}
    stats = result.json["sources"][0]["stats"]
    assert stats["browser_cookies_expired"] >= 2 and stats["rendered"] >= 3
    assert stats["rendered"] < stats["requests"] / 5


def registry_with_render(tmp_path: Path, modes: dict[str, str]) -> Path:
    """A copy of the packaged registry with some sources' ``render`` changed."""
    directory = tmp_path / "registry"
    shutil.copytree(PACKAGED_REGISTRY, directory)
    for path in directory.glob("*.toml"):
        blocks = path.read_text(encoding="utf-8").split("[[source]]")
        for index, block in enumerate(blocks):
            for source_id, mode in modes.items():
                if f'id = "{source_id}"\n' in block:
                    blocks[index] = block.replace('render = "auto"', f'render = "{mode}"')
        path.write_text("[[source]]".join(blocks), encoding="utf-8")
    return directory


def test_render_never_leaves_a_challenge_blocked_and_always_renders_every_page(
    tmp_path: Path,
) -> None:
    registry = registry_with_render(
        tmp_path, {"hebei-industry": "never", "gansu-work-report": "always"}
    )
    with ReplicaThread(seed=8, registry_dir=registry) as replica:
        replica.replica.protect_source("hebei-industry", "jsl")
        sources = ["hebei-industry", "gansu-work-report"]
        result, database_url = crawl(
            replica, tmp_path, sources, GOVWATCH_REGISTRY_DIR=str(registry)
        )
        assert missing(replica, database_url, sources) == {"hebei-industry": 22}
    runs = by_source(result)
    never = runs["hebei-industry"]
    assert [f["kind"] for f in never["failures"]] == ["challenge"]
    assert never["stats"]["blocked:challenge"] == 1 and "rendered" not in never["stats"]
    assert health(database_url, "hebei-industry")[0] == "blocked"
    always = runs["gansu-work-report"]["stats"]
    assert always["rendered"] == always["requests"] == always["render_reason:always"] == 9
