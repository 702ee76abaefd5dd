"""重庆市政府采购网's gwebsite notice API and the replica's imitation of it
(spiders/adapters/FAMILIES.md, chongqing_json). No saved real answer was found in public code:
the answers below use the fields crawlers of 2019–2020 read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from replica import ReplicaThread
from spiders.adapters import ADAPTERS, ListItem, PageRequest
from spiders.registry import load_registry
from tests.replica_crawl import list_pages, registry_replica, send_request

ENTRY = (
    "https://www.ccgp-chongqing.gov.cn/gwebsite/api/v1/notices/stable/new"
    "?__platDomain__=www.ccgp-chongqing.gov.cn&isResult=1&pi=1&ps=20&type=100,200"
)
NOTICE = {
    "id": "606544077072371712",
    "title": "重庆市大数据应用发展管理局区块链服务平台采购",
    "issueTime": 1599098400000,  # 2020-09-03 10:00 Beijing time
    "districtName": "重庆市本级",
    "buyerName": "重庆市大数据应用发展管理局",
    "agentName": "重庆招标代理有限公司",
    "projectPurchaseWay": 100,
}


def chongqing(**options: Any) -> Any:
    return ADAPTERS["chongqing_json"](options)


def test_pages_keep_the_entrys_query_and_set_page_and_dates() -> None:
    url = chongqing(since="2025-01-01").list_request(ENTRY, 2).url
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert query["pi"] == "3" and query["ps"] == "20" and query["isResult"] == "1"
    assert query["type"] == "100,200" and query["__platDomain__"] == "www.ccgp-chongqing.gov.cn"
    assert query["startDate"] == "2025-01-01" and query["endDate"] >= "2026-01-01"


def test_notices_become_items_whose_text_is_the_notice_api() -> None:
    page = chongqing().parse_list(ENTRY, json.dumps({"notices": [NOTICE], "total": 41}))
    [item] = page.items
    assert item.url == "https://www.ccgp-chongqing.gov.cn/notices/detail/606544077072371712"
    assert item.title == NOTICE["title"] and str(item.date) == "2020-09-03"
    assert item.detail is not None and item.detail.url == (
        "https://www.ccgp-chongqing.gov.cn/gwebsite/api/v1/notices/stable/606544077072371712"
    )
    assert page.total_pages == 3
    dated = chongqing().parse_list(ENTRY, json.dumps({"notices": [
        {**NOTICE, "issueTime": "2020-09-04 09:30:00"}]}))  # fmt: skip
    assert str(dated.items[0].date) == "2020-09-04"


def test_the_notice_json_becomes_a_page_and_other_answers_are_refusals() -> None:
    item = ListItem("https://www.ccgp-chongqing.gov.cn/notices/detail/1", "标题", None)
    html = chongqing().detail_html(item, json.dumps({"notice": {**NOTICE, "html": "<p>正文</p>"}}))
    assert "<p>正文</p>" in html and 'content="2020-09-03 10:00:00"' in html
    refused = chongqing().parse_list(ENTRY, json.dumps({"code": 500, "msg": "系统错误"}))
    assert refused.refused is not None and "系统错误" in refused.refused[1]
    with pytest.raises(ValueError, match=r"options\.since"):
        chongqing(since="yesterday")


def test_the_packaged_source_reads_the_api_with_older_evidence_only() -> None:
    source = load_registry().get("chongqing-procurement")
    assert source.adapter == "chongqing_json" and source.needs is None
    assert source.confidence == "older"


# -- the replica -------------------------------------------------------------------------------

REGISTRY = f"""province = "chongqing"

[[source]]
id = "cq-notices"
name = "重庆市政府采购网 采购公告"
kind = "procurement"
adapter = "chongqing_json"
entry_urls = ["{ENTRY}"]
options = {{ since = "2023-01-01" }}

[[source]]
id = "cq-results"
name = "重庆市政府采购网 结果公告"
kind = "procurement"
adapter = "chongqing_json"
entry_urls = ["{ENTRY.replace("isResult=1", "isResult=2")}"]
options = {{ since = "2023-01-01" }}
"""


@pytest.fixture(scope="module")
def rep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaThread]:
    with registry_replica(
        tmp_path_factory.mktemp("registry"), {"chongqing.toml": REGISTRY}
    ) as replica:
        yield replica


def get(rep: ReplicaThread, url: str) -> tuple[int, str]:
    return send_request(rep.base_url, PageRequest(url))


@pytest.mark.parametrize("source_id", ["cq-notices", "cq-results"])
def test_each_list_of_the_replica_pages_to_its_own_notices(
    rep: ReplicaThread, source_id: str
) -> None:
    entry = ENTRY if source_id == "cq-notices" else ENTRY.replace("isResult=1", "isResult=2")
    adapter = chongqing(since="2023-01-01")
    truth = [d for d in rep.replica.documents() if d["source_id"] == source_id]
    items = list_pages(rep.base_url, adapter, entry, most=10)
    assert [i.url for i in items] == [d["real_url"] for d in truth]
    detail = items[0].detail
    assert detail is not None
    status, answer = get(rep, detail.url)
    assert status == 200 and truth[0]["title"] in adapter.detail_html(items[0], answer)
    shell_status, shell = get(rep, items[0].url)
    assert shell_status == 200 and '<div id="root"></div>' in shell
