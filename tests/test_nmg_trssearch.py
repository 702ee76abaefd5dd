"""内蒙古自治区公共资源交易网's TRS openSearch API and the replica's imitation of it
(spiders/adapters/FAMILIES.md, nmg_trssearch)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.fetch.probe import probe_page
from replica import ReplicaThread
from spiders.adapters import ADAPTERS, AdapterOptionsError, ListItem, PageRequest
from spiders.registry import load_registry
from tests.replica_crawl import list_pages, registry_replica, send_request

API = "https://ggzyjy.nmg.gov.cn/trssearch/openSearch/searchPublishResource"
ENTRY = (
    f"{API}?noticeName=&projectCode=&bidSectionCodes=&pageSize=20&pageNum=1"
    "&noticeTypeName=%E6%8B%9B%E6%A0%87%E5%85%AC%E5%91%8A&platformCode=&regionCode="
    "&startTime=&endTime=&transactionTypeName=%E5%B7%A5%E7%A8%8B%E5%BB%BA%E8%AE%BE"
    "&industriesTypeName="
)
# A row with the fields the 2025–2026 crawlers read; the values are made up in that shape.
ROW = {
    "sourceDataKey": "8a8a8f2e9183d7a2019189b1c6e4012f",
    "noticeName": "呼和浩特市赛罕区供热管网改造工程施工招标公告",
    "projectName": "呼和浩特市赛罕区供热管网改造工程",
    "noticeSendTime": "2025-08-28 16:40:12",
    "regionName": "呼和浩特市",
    "noticeTypeName": "招标公告",
}


def nmg(**options: Any) -> Any:
    return ADAPTERS["nmg_trssearch"](options)


def test_the_request_keeps_the_entrys_filters_and_sets_page_and_dates() -> None:
    request = nmg(since="2025-01-01").list_request(ENTRY, 3)
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query, True).items()}
    assert request.method == "GET" and request.url.startswith(API + "?")
    assert (query["pageNum"], query["pageSize"]) == ("4", "20")
    assert query["noticeTypeName"] == "招标公告" and query["transactionTypeName"] == "工程建设"
    assert query["startTime"] == "2025-01-01 00:00:00" and query["endTime"].endswith("23:59:59")
    assert query["noticeName"] == "" and "industriesTypeName" in query
    assert request.headers["Referer"] == "https://ggzyjy.nmg.gov.cn/jyxx/jyxxss/"


def test_a_row_opens_at_its_page_and_reads_the_deal_content() -> None:
    url = nmg().list_request(ENTRY, 1).url
    page = nmg().parse_list(url, json.dumps({"data": {"total": 61, "data": [ROW]}}))
    [item] = page.items
    assert item.url == "https://ggzyjy.nmg.gov.cn/jyxx/index_24.html?id=" + ROW["sourceDataKey"]
    assert item.title == "呼和浩特市赛罕区供热管网改造工程施工招标公告"
    assert str(item.date) == "2025-08-28" and item.site_doc_id == ROW["sourceDataKey"]
    assert item.detail is not None and item.detail.url == (
        "https://ggzyjy.nmg.gov.cn/trssearch/openSearch/getPublishResourceDealContent"
        "?sourceDataKey=8a8a8f2e9183d7a2019189b1c6e4012f"
    )
    assert (page.page_index, page.total_pages) == (1, 4)
    untitled = {k: v for k, v in ROW.items() if k != "noticeName"}
    answer = {"data": {"total": 1, "data": [untitled]}}
    assert (
        nmg().parse_list(url, json.dumps(answer)).items[0].title
        == "呼和浩特市赛罕区供热管网改造工程"
    )


def test_the_deal_content_becomes_a_page_and_an_empty_one_is_a_failure() -> None:
    item = ListItem("https://ggzyjy.nmg.gov.cn/jyxx/index_24.html?id=x", "标题", None, "x")
    content = {
        "data": {
            "dealContent": {
                "noticeSendTime": "2025-08-28 16:40:12",
                "noticeContent": "<p>招标人：呼和浩特市赛罕区住房和城乡建设局</p>",
            }
        }
    }
    html = nmg().detail_html(item, json.dumps(content, ensure_ascii=False))
    assert "<title>标题</title>" in html and "赛罕区住房和城乡建设局" in html
    assert '<meta name="PubDate" content="2025-08-28 16:40:12">' in html
    with pytest.raises(ValueError, match="no notice"):
        nmg().detail_html(item, json.dumps({"data": {"dealContent": None}}))


def test_an_answer_without_rows_is_a_refusal_and_another_path_is_refused() -> None:
    page = nmg().parse_list(ENTRY, json.dumps({"code": 500, "msg": "服务异常", "data": None}))
    assert page.refused is not None and "服务异常" in page.refused[1]
    with pytest.raises(AdapterOptionsError, match="searchPublishResource"):
        ADAPTERS["nmg_trssearch"].check_entry_url(API.replace("search", "getPublishResourceDeal"))


def test_the_packaged_source_is_on_the_api_and_confirmed() -> None:
    source = load_registry().get("neimenggu-trading")
    assert source.adapter == "nmg_trssearch" and source.needs is None and source.enabled
    assert urlsplit(source.entry_urls[0]).path == urlsplit(API).path
    assert source.confidence == "confirmed"


def test_probe_names_the_family_from_the_search_script() -> None:
    page = b'<html><script>$.get("/trssearch/openSearch/searchPublishResource")</script></html>'
    probe = probe_page(page, "https://ggzyjy.nmg.gov.cn/jyxx/jyxxss/")
    assert {"family": "nmg_trssearch", "needs": ""} in probe.families


# -- the replica -------------------------------------------------------------------------------

REGISTRY = f"""province = "neimenggu"

[[source]]
id = "nmg-tenders"
name = "内蒙古自治区公共资源交易网 工程建设 招标公告"
kind = "trading"
adapter = "nmg_trssearch"
entry_urls = ["{ENTRY}"]
options = {{ since = "2020-01-01" }}
"""


@pytest.fixture(scope="module")
def rep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaThread]:
    with registry_replica(
        tmp_path_factory.mktemp("registry"), {"neimenggu.toml": REGISTRY}
    ) as replica:
        yield replica


def test_paging_the_replica_lists_every_notice_and_serves_its_text(rep: ReplicaThread) -> None:
    adapter = nmg(since="2020-01-01")
    truth = [d for d in rep.replica.documents() if d["source_id"] == "nmg-tenders"]
    items = list_pages(rep.base_url, adapter, ENTRY, most=20)
    assert len(truth) > 20 and [i.url for i in items] == [d["real_url"] for d in truth]
    assert [(i.title, i.date) for i in items] == [(d["title"], d["published"]) for d in truth]
    for item, doc in zip(items[:5], truth, strict=False):
        assert item.detail is not None
        status, text = send_request(rep.base_url, item.detail)
        assert status == 200 and doc["title"] in adapter.detail_html(item, text)
        assert send_request(rep.base_url, PageRequest(item.url))[0] == 200


def test_the_replica_answers_empty_for_another_notice_type_or_range(rep: ReplicaThread) -> None:
    other = ENTRY.replace("noticeTypeName=%E6%8B%9B%E6%A0%87%E5%85%AC%E5%91%8A", "noticeTypeName=")
    answer = json.loads(send_request(rep.base_url, nmg().list_request(other, 0))[1])
    assert answer["data"] == {"total": 0, "data": []}
    later = nmg(since="2031-01-01").list_request(ENTRY, 0)
    assert json.loads(send_request(rep.base_url, later)[1])["data"]["data"] == []
