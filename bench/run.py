"""``make bench``: govwatch's first benchmarks, printed as JSON (and kept in bench/results/).

- pipeline: documents per second of the full pipeline (fetch, decode, extract, match, store in
  SQLite) crawling the replica with politeness off, beside a bare Scrapy spider fetching the same
  URLs in the same run; the ratio is the figure (aim: 0.5 or better).
- extraction: milliseconds per page on the real fixture pages and on replica pages.
- matcher: MB/s of topic matching over the real report texts.
- peak RSS of the pipeline process.
- dashboard: milliseconds per page of the dashboard over 100,000 documents in PostgreSQL
  (and 20,000 in SQLite), median and p95 per endpoint (bench/dashboard.py).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench import alerts, browser, dashboard, service  # noqa: E402
from crawler.extract.encoding import decode_html  # noqa: E402
from crawler.extract.page import extract_page  # noqa: E402
from crawler.fetch.mirror import Mirror  # noqa: E402
from crawler.match.matcher import Matcher  # noqa: E402
from crawler.match.topics import load_topics  # noqa: E402
from replica import ReplicaThread  # noqa: E402
from spiders.adapters.trs_static import TrsStaticAdapter  # noqa: E402
from spiders.registry import load_registry  # noqa: E402

FIXTURES = Path(os.environ.get("GOVWATCH_FIXTURES", REPO / "tests" / "fixtures"))
SCALE = 5
ROUNDS = 3


def child(script: str, *args: str) -> dict[str, Any]:
    """Run a bench script in a child process; its JSON result is its last line. A child that
    fails stops the bench with its own stderr shown."""
    done = subprocess.run(
        [sys.executable, str(REPO / "bench" / script), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-4000:])
        raise SystemExit(f"bench/{script} failed (exit {done.returncode}); its stderr is above")
    return json.loads(done.stdout.strip().splitlines()[-1])


def all_urls(base_url: str) -> list[tuple[str, str]]:
    """Every list and detail page of the registry's sources on the replica, with its slot."""
    mirror, adapter, urls = Mirror(base_url), TrsStaticAdapter(), []
    for source in load_registry().enabled():
        if source.adapter != "trs_static":
            continue  # the benchmark web is the TRS portals; other families have own tests
        first = source.entry_urls[0]
        html = decode_html(urllib.request.urlopen(mirror.fetch_url(first)).read()).text
        total = adapter.parse_list(first, html).total_pages or 1
        for index in range(total):
            page_url = adapter.page_url(first, index)
            urls.append((mirror.fetch_url(page_url), mirror.slot(first)))
            html = decode_html(urllib.request.urlopen(mirror.fetch_url(page_url)).read()).text
            items = adapter.parse_list(page_url, html).items
            urls += [(mirror.fetch_url(i.url), mirror.slot(first)) for i in items]
    return urls


def bench_pipeline() -> dict[str, Any]:
    rounds = []
    with ReplicaThread(seed=1, scale=SCALE) as replica:
        assert replica.base_url is not None
        urls = all_urls(replica.base_url)
        with tempfile.TemporaryDirectory() as tmp:
            url_file = Path(tmp) / "urls.tsv"
            url_file.write_text("\n".join("\t".join(u) for u in urls), encoding="utf-8")
            for round_index in range(ROUNDS):
                bare = child("bare_child.py", str(url_file))
                full = child("pipeline_child.py", replica.base_url, f"{tmp}/data{round_index}")
                rounds.append((bare, full))
    bare_rates = [b["pages"] / b["seconds"] for b, _ in rounds]
    full_rates = [f["pages"] / f["seconds"] for _, f in rounds]
    docs_rates = [f["documents"] / f["seconds"] for _, f in rounds]
    last_full = rounds[-1][1]
    return {
        "replica_scale": SCALE,
        "rounds": ROUNDS,
        "pages_per_crawl": last_full["pages"],
        "documents_per_crawl": last_full["documents"],
        "errors": last_full["errors"],
        "bare_scrapy_pages_per_s": round(statistics.median(bare_rates), 1),
        "pipeline_pages_per_s": round(statistics.median(full_rates), 1),
        "pipeline_documents_per_s": round(statistics.median(docs_rates), 1),
        "pipeline_to_bare_ratio": round(
            statistics.median(full_rates) / statistics.median(bare_rates), 3
        ),
        "pipeline_setup_seconds": round(
            statistics.median(f["setup_seconds"] for _, f in rounds), 2
        ),
        "pipeline_peak_rss_mb": max(f["peak_rss_mb"] for _, f in rounds),
    }


def bench_extraction() -> dict[str, Any]:
    pages = [p.read_bytes() for p in sorted((FIXTURES / "pages").glob("*/*.html"))]
    with ReplicaThread(seed=1) as replica:
        docs = replica.replica.documents()[:200]
        replica_pages = [
            urllib.request.urlopen(replica.base_url + d["url_path"]).read() for d in docs
        ]
    result = {}
    for name, batch in (("fixture_pages", pages), ("replica_pages", replica_pages)):
        extract_page(batch[0])  # warm-up: lazy imports
        started = time.perf_counter()
        for _ in range(3):
            for body in batch:
                extract_page(body)
        per_page = (time.perf_counter() - started) / (3 * len(batch)) * 1000
        result[f"{name}_ms_per_page"] = round(per_page, 2)
        result[f"{name}_count"] = len(batch)
    result.update(bench_large_pages())
    return result


def large_pages() -> dict[str, bytes]:
    """A real page grown to over 5 MB (60,000 paragraphs), with and without a body container
    govwatch knows (the second goes the generic extractor's way), and 5 MB of nested tags."""
    page = (FIXTURES / "pages" / "scjg.hubei.gov.cn" / "200_detail_after_cookie.html").read_text(
        "utf-8"
    )
    filler = "".join(
        f"<p>第{k}段：推进政务服务标准化、规范化、便利化，提升数字政府建设水平。</p>\n"
        for k in range(60000)
    )
    known = page.replace("</body>", filler + "</body>", 1)
    generic = known.replace("TRS_UEDITOR", "text").replace('class="article"', 'class="a"')
    nested = "<html><body>" + "<div>" * 500_000 + "区块链" + "</div>" * 500_000 + "</body></html>"
    pages = {"known_container": known, "generic": generic, "nested_tags": nested}
    return {name: html.encode("utf-8") for name, html in pages.items()}


def bench_large_pages() -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, body in large_pages().items():
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            extract_page(body)
            timings.append(time.perf_counter() - started)
        result[f"large_page_{name}_mb"] = round(len(body) / 1024 / 1024, 1)
        result[f"large_page_{name}_seconds"] = round(min(timings), 3)
    return result


def bench_matcher() -> dict[str, Any]:
    texts = []
    for path in sorted((FIXTURES / "reports").glob("*.txt")):
        raw = path.read_bytes()
        texts.append(raw.decode("gb18030" if path.name.endswith(".gbk.txt") else "utf-8"))
    corpus = "\n".join(texts) * 4
    matcher = Matcher(load_topics())
    size_mb = len(corpus.encode("utf-8")) / 1e6
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        matcher.match(corpus)
        timings.append(time.perf_counter() - started)
    return {"corpus_mb_utf8": round(size_mb, 2), "mb_per_s": round(size_mb / min(timings), 1)}


def main() -> None:
    results = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "pipeline": bench_pipeline(),
        "extraction": bench_extraction(),
        "matcher": bench_matcher(),
        "alert_latency": alerts.latency(),
        "outbox_throughput": alerts.throughput(),
        "service": service.run(),
        "browser": browser.run(),
        "dashboard": dashboard.run(),
    }
    text = json.dumps(results, indent=2, ensure_ascii=False)
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "latest.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
