"""A crawl stays on its source's sites and off private addresses, redirects included.

Unit: which URLs a source's crawl may fetch. On the replica: a detail page and a list page
that redirect to another site are refused before the other site is asked, recorded as
``offsite`` failures naming where they pointed; the rest of the crawl goes on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.fetch.host_policy import why_refused
from replica import FaultKind, ReplicaThread
from spiders.registry import Source, load_registry
from tests.replica_crawl import run_govwatch, stored_documents

GANSU = load_registry().get("gansu-policy")  # entry on www.gansu.gov.cn


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("https://www.gansu.gov.cn/gsszf/c100055/202401/t1.shtml", None),
        ("http://ggzyjy.gansu.gov.cn/f/notice/1.html", None),  # another host of gansu.gov.cn
        ("https://www.shaanxi.gov.cn/a.html", "outside the source's sites (gansu.gov.cn)"),
        ("https://gansu.gov.cn.evil.example/a.html", "outside the source's sites"),
        ("http://127.0.0.1:6379/", "loopback, private or reserved"),
        ("http://10.0.0.5/admin", "loopback, private or reserved"),
        ("http://169.254.169.254/latest/meta-data/", "loopback, private or reserved"),
        ("http://[::1]:8420/jobs", "loopback, private or reserved"),
        ("http://localhost/", "loopback, private or reserved"),
        ("ftp://www.gansu.gov.cn/a.pdf", "not an http(s) URL"),
        ("file:///etc/passwd", "not an http(s) URL"),
    ],
)
def test_which_urls_a_sources_crawl_may_fetch(url: str, refused: str | None) -> None:
    reason = why_refused(url, GANSU)
    assert (reason is None) == (refused is None), reason
    if refused is not None:
        assert reason is not None and refused in reason


def test_a_private_host_is_allowed_only_where_the_user_registered_it() -> None:
    intranet = Source.model_validate(
        {**GANSU.model_dump(), "id": "intranet", "entry_urls": ["http://10.1.2.3/list.html"]}
    )
    assert why_refused("http://10.1.2.3/doc/1.html", intranet) is None
    assert "private" in (why_refused("http://10.9.9.9/admin", intranet) or "")


def test_a_source_may_name_further_hosts() -> None:
    source = Source.model_validate(
        {**GANSU.model_dump(), "options": {**GANSU.options, "hosts": ["file.gsei.com.cn"]}}
    )
    assert why_refused("https://file.gsei.com.cn/a.pdf", source) is None


@pytest.mark.e2e
def test_redirects_off_the_sources_sites_are_refused_before_they_are_fetched(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite:///{tmp_path / 'govwatch.sqlite3'}"
    with ReplicaThread(seed=21) as replica:
        truth = [d for d in replica.replica.documents() if d["source_id"] == "gansu-policy"]
        hijacked = truth[0]
        replica.replica.add_fault(
            hijacked["url_path"], FaultKind.REDIRECT, location="/evil.example.com/phish.html"
        )
        replica.replica.add_fault(  # the list of another source goes the same way
            "/www.gansu.gov.cn/gsszf/gsyw/",
            FaultKind.REDIRECT,
            location="/127.0.0.1:6379/",
        )
        done = run_govwatch(
            ["crawl", "-s", "gansu-policy", "-s", "gansu-work-report", "--json"],
            replica_url=str(replica.base_url),
            database_url=database_url,
            data_dir=tmp_path,
        )
        asked = replica.replica.request_counts()
    assert not any(path.startswith(("/evil.example.com", "/127.0.0.1")) for path in asked)
    failures = [f for s in done.json["sources"] for f in s["failures"]]
    offsite = [f for f in failures if f["kind"] == "offsite"]
    details = {f["url"]: f["detail"] for f in offsite}
    assert "evil.example.com/phish.html" in details[hijacked["real_url"]], failures
    assert "outside the source's sites" in details[hijacked["real_url"]]
    assert any("127.0.0.1" in detail for detail in details.values()), failures
    stored = stored_documents(database_url)
    assert hijacked["real_url"] not in stored
    assert len([d for d in truth if d["real_url"] in stored]) == len(truth) - 1
