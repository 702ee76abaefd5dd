"""Benchmarks of the browser (crawler.browser.pool, crawler.browser.middleware);
bench/run.py calls run().

- ``pool``: rendered pages per second and peak memory (RSS of Chromium's whole process tree)
  with the pool at its default size, on replica pages of every kind: 瑞数 and 加速乐 sites
  (the first page of a site passes the challenge, the next ones carry its cookies), lists
  built by scripts, and plain pages. Chromium's cold start is timed apart.
- ``auto_crawl``: a crawl of the whole replica in ``auto`` mode with the challenge preset
  (replica.challenges.sources.PRESET), in a child process as a user runs it: the share of page
  requests that went to the browser, the renders by reason, and the documents stored against
  the replica's ground truth (the captcha source's are blocked by design).

Run alone: ``.venv/bin/python bench/browser.py``.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crawler.browser.pool import BrowserPool, BrowserSettings  # noqa: E402
from replica import ReplicaThread  # noqa: E402
from replica.challenges.sources import PRESET  # noqa: E402

SEED = 1
PAGES_PER_SITE = 12
CAPTCHA_SOURCES = {s for s, kind in PRESET.items() if kind == "captcha"}


def run() -> dict[str, Any]:
    return {"pool": bench_pool(), "auto_crawl": bench_auto_crawl()}


# -- the pool -------------------------------------------------------------------------------


def _pool_urls(replica: ReplicaThread) -> list[tuple[str, str, bool]]:
    """(url, site, dom) of the pages rendered: documents of the cookie-challenged sites and of
    a plain one, and the list pages of the script-built sites."""
    docs = replica.replica.documents()
    urls = []
    for source_id in ("gansu-policy", "hebei-industry", "anhui-policy"):
        chosen = [d for d in docs if d["source_id"] == source_id][:PAGES_PER_SITE]
        urls += [(replica.base_url + d["url_path"], d["host"], False) for d in chosen]
    lists = {
        "jxj.beijing.gov.cn": ["/jxdt/tzgg/index.html", "/jxdt/tzgg/index_1.html"],
        "gyxxh.tj.gov.cn": ["/", "/?page=2", "/?page=3"],
    }
    for host, paths in lists.items():
        urls += [(f"{replica.base_url}/{host}{path}", host, True) for path in paths]
    return urls


async def _render_all(urls: list[tuple[str, str, bool]]) -> dict[str, Any]:
    settings = BrowserSettings()  # type: ignore[call-arg]
    pool = BrowserPool(settings)
    peak = 0.0
    sampling = True

    peak_pss = 0.0

    async def sample() -> None:
        nonlocal peak, peak_pss
        ticks = 0
        while sampling:
            peak = max(peak, pool.rss_mb())
            if ticks % 5 == 0:  # reading smaps costs ~35 ms: once a second
                peak_pss = max(peak_pss, _pss_mb(pool.browser_pid))
            ticks += 1
            await asyncio.sleep(0.2)

    sampler = asyncio.create_task(sample())
    try:
        started = time.perf_counter()
        await pool.render(urls[0][0], key=urls[0][1], dom=urls[0][2])  # starts Chromium
        cold = time.perf_counter() - started
        started = time.perf_counter()
        results = await asyncio.gather(
            *(pool.render(url, key=site, dom=dom) for url, site, dom in urls[1:]),
            return_exceptions=True,
        )
        seconds = time.perf_counter() - started
    finally:
        sampling = False
        await sampler
        await pool.close()
    failed = [r for r in results if isinstance(r, BaseException) or not r.passed]
    return {
        "pool_size_pages": settings.max_pages,
        "pool_size_contexts": settings.max_contexts,
        "pages": len(results),
        "failed": len(failed),
        "cold_start_s": round(cold, 2),
        "seconds": round(seconds, 2),
        "rendered_pages_per_s": round(len(results) / seconds, 2),
        "peak_rss_mb": round(max(peak, pool.peak_rss_mb), 1),  # summed over the process tree
        "peak_pss_mb": round(peak_pss, 1),  # shared pages counted once: what it really uses
        "browser_stats": dict(pool.stats),
    }


def _pss_mb(pid: int | None) -> float:
    """Proportional set size of a process tree (Linux), in MB; 0 when unknown."""
    import psutil

    if pid is None:
        return 0.0
    total = 0
    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    for member in members:
        try:
            total += getattr(member.memory_full_info(), "pss", 0)
        except psutil.Error:
            continue
    return total / 2**20


def bench_pool() -> dict[str, Any]:
    with ReplicaThread(seed=SEED) as replica:
        for source_id, kind in PRESET.items():
            replica.replica.protect_source(source_id, kind)
        return asyncio.run(_render_all(_pool_urls(replica)))


# -- the whole replica in auto mode ---------------------------------------------------------


def bench_auto_crawl() -> dict[str, Any]:
    with ReplicaThread(seed=SEED) as replica, tempfile.TemporaryDirectory() as tmp:
        for source_id, kind in PRESET.items():
            replica.replica.protect_source(source_id, kind)
        assert replica.base_url is not None
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "child", replica.base_url, tmp],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        child = json.loads(done.stdout.strip().splitlines()[-1])
        truth = [d for d in replica.replica.documents() if d["source_id"] in child["crawled"]]
        behind = _behind_challenges(replica)
    stored = set(child["stored_urls"])
    missing = Counter(d["source_id"] for d in truth if d["real_url"] not in stored)
    runs: dict[str, dict[str, int]] = child["stats"]
    total = sum(s.get("requests", 0) for s in runs.values())
    rendered = sum(s.get("rendered", 0) for s in runs.values())
    reasons: Counter[str] = Counter()
    for stats in runs.values():
        reasons.update(
            {k.split(":", 1)[1]: v for k, v in stats.items() if k.startswith("render_reason:")}
        )
    return {
        "sources": len(runs),
        "seconds": child["seconds"],
        "page_requests": total,
        "rendered": rendered,
        "browser_share": round(rendered / total, 4) if total else 0.0,
        "render_reasons": dict(reasons),
        "sources_that_rendered": sorted(s for s, v in runs.items() if v.get("rendered")),
        "blocked": {s: k for s, v in runs.items() for k in v if k.startswith("blocked:")},
        "documents_expected": len(truth),
        "documents_stored": len(stored),
        "sources_behind_challenges": len(behind),
        "documents_behind_challenges": sum(1 for d in truth if d["source_id"] in behind),
        # Other than the captcha's (blocked by design), none may be missing.
        "documents_missing_behind_challenges": {
            s: n for s, n in missing.items() if s in behind and s not in CAPTCHA_SOURCES
        },
        "documents_missing_behind_captcha": sum(missing[s] for s in CAPTCHA_SOURCES),
        # The same in a crawl without challenges: gaps of adapters, not of the browser.
        "documents_missing_elsewhere": {s: n for s, n in missing.items() if s not in behind},
        "browser_peak_rss_mb": child["browser_peak_rss_mb"],
        "browser_stats": child["browser_stats"],
    }


def _behind_challenges(replica: ReplicaThread) -> set[str]:
    """Sources any preset challenge stands in front of: every source on a cookie-challenged
    or captcha host, and the script-built lists themselves."""
    from spiders.registry import load_registry

    sources = load_registry().enabled()
    hosts = {p.site_prefix for p in replica.replica.protections() if p.kind.gates}
    behind = {s for s, kind in PRESET.items() if kind in ("js_list", "js_api")}
    for source in sources:
        if "/" + source.entry_urls[0].split("://", 1)[1].split("/", 1)[0].lower() in hosts:
            behind.add(source.id)
    return behind


def child(replica_url: str, data_dir: str) -> None:
    """In a child process: crawl every enabled source once; print one JSON line."""
    from sqlalchemy import select

    from crawler.browser.middleware import RenderSession
    from crawler.config import load_settings
    from crawler.fetch.crawl import run_crawl
    from spiders.registry import load_registry
    from storage.database import Database
    from storage.models import Document

    settings = load_settings(
        replica_url=replica_url,
        data_dir=Path(data_dir),
        crawl={"polite": False, "max_pages": 20, "timeout": 10},
    )
    session = RenderSession.shared()  # kept to read the browser's counters afterwards
    sources = load_registry().enabled()
    started = time.perf_counter()
    jobs = run_crawl(settings, sources)
    seconds = time.perf_counter() - started
    database = Database(settings.effective_database_url)
    with database.session() as db:
        urls = list(db.scalars(select(Document.url)))
    database.dispose()
    print(
        json.dumps(
            {
                "seconds": round(seconds, 1),
                "crawled": [s.id for s in sources],
                "stats": {j.source.id: dict(j.stats) for j in jobs},
                "stored_urls": urls,
                "browser_peak_rss_mb": round(session.pool.peak_rss_mb, 1),
                "browser_stats": dict(session.pool.stats),
            }
        )
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3])
    else:
        print(json.dumps(run(), indent=2, ensure_ascii=False))
