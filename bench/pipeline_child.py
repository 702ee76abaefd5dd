"""Child process: the full govwatch pipeline over the replica, timed from inside.

Prints one JSON object: pages fetched, documents stored, seconds, peak RSS.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from crawler.config import load_settings
from crawler.fetch.crawl import run_crawl
from spiders.registry import load_registry


def main(replica_url: str, data_dir: str) -> None:
    settings = load_settings(
        replica_url=replica_url,
        data_dir=Path(data_dir),
        crawl={"polite": False, "max_pages": 1000, "concurrent_per_domain": 8},
    )
    # The TRS portals: the same web the bare spider fetches (bench/run.py all_urls).
    sources = [s for s in load_registry().enabled() if s.adapter == "trs_static"]
    started = time.perf_counter()
    jobs = run_crawl(settings, sources)
    total = time.perf_counter() - started
    # Crawling time proper, measured like the bare spider's: first spider open to last close.
    seconds = max(j.closed_at or 0 for j in jobs) - min(j.opened_at or 0 for j in jobs)
    stored = sum(j.stats["documents_new"] for j in jobs)
    pages = sum(j.stats["list_pages"] + j.stats["details_fetched"] for j in jobs)
    errors = sum(j.stats["errors"] for j in jobs)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "setup_seconds": total - seconds,
                "documents": stored,
                "pages": pages,
                "errors": errors,
                "peak_rss_mb": round(peak_kb / 1024, 1),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
