"""贵州省公共资源交易网's /tradeInfo/es/list API and the replica's imitation of it
(spiders/adapters/FAMILIES.md, guizhou_es)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from crawler.fetch.probe import probe_page
from replica import ReplicaThread
from spiders.adapters import ADAPTERS, ListAdapter, ListItem, PageRequest
from spiders.registry import load_registry
from tests.replica_crawl import list_pages, registry_replica, send_request

API = "https://ggzy.guizhou.gov.cn/tradeInfo/es/list"
# A row as the 2023–2026 crawlers read it (field names from their code; the ids and code are
# ones public code of 2026 names: code#68565121610).
ROW = {
    "id": "1257545352035307520",
    "metaDataId": "1257545352035307520",
    "docTitle": "印江自治县第十三幼儿园设备采购项目采购公告",
    "docRelTime": 1757903400000,  # 2025-09-15 10:30 Beijing
    "docSourceName": "铜仁市",
    "announcement": "采购公告",
    "tenderProjectCode": "P5203292026000BNN",
    "apiUrl": "https://ggzy.guizhou.gov.cn/tradeInfo/detailHtml?metaId=1257545352035307520",
}


def guizhou(**options: Any) -> Any:
    return ADAPTERS["guizhou_es"]({"channelId": "5904543", **options})


def test_the_request_is_the_sites_json_search_with_a_date_range() -> None:
    first = guizhou(announcement="采购公告", since="2025-01-01").list_request(API, 0)
    body = json.loads(first.body or "")
    assert first.method == "POST" and first.url.split("#")[0] == API
    assert first.headers["Content-Type"].startswith("application/json")
    assert first.headers["Origin"] == "https://ggzy.guizhou.gov.cn"
    assert body["channelId"] == "5904543" and body["announcement"] == "采购公告"
    assert (body["pageNum"], body["pageSize"], body["docTitle"]) == (1, 20, "")
    assert body["startTime"] == "2025-01-01 00:00:00" and body["endTime"].endswith(" 23:59:59")
    assert "isPage" not in body and "docSourceName" not in body
    third = json.loads(guizhou().list_request(API, 2).body or "")
    assert third["pageNum"] == 3 and third["isPage"] is True and "announcement" not in third


def test_a_trading_row_opens_at_its_page_and_reads_detail_html_data() -> None:
    page = guizhou().parse_list(f"{API}#page=2", json.dumps({"total": 45, "list": [ROW]}))
    [item] = page.items
    assert item.url == ROW["apiUrl"] and item.site_doc_id == "1257545352035307520"
    assert item.title == "印江自治县第十三幼儿园设备采购项目采购公告"
    assert str(item.date) == "2025-09-15"
    assert item.detail is not None and item.detail.url == (
        "https://ggzy.guizhou.gov.cn/tradeInfo/detailHtmlData?code=P5203292026000BNN"
        "&type=%E9%87%87%E8%B4%AD%E5%85%AC%E5%91%8A"
    )
    assert (page.page_index, page.total_pages) == (1, 3)


def test_the_detail_json_becomes_a_page_and_a_row_without_code_is_its_own_page() -> None:
    adapter = guizhou()
    [item] = adapter.parse_list(API, json.dumps({"total": 1, "list": [ROW]})).items
    answer = {
        "code": 1,
        "message": "成功",
        "data": [
            {
                "docTitle": " 印江自治县第十三幼儿园设备采购项目采购公告 ",
                "docRelTime": "2025-09-15 10:30:00",
                "docSourceName": "铜仁市",
                "docHtmlCon": "<p>一、项目基本情况</p>",
                "metaDataId": "1257545352035307520",
            }
        ],
    }
    html = adapter.detail_html(item, json.dumps(answer, ensure_ascii=False))
    assert '<meta name="PubDate" content="2025-09-15 10:30:00">' in html
    assert '<meta name="ContentSource" content="铜仁市">' in html
    assert "<p>一、项目基本情况</p>" in html
    with pytest.raises(ValueError, match="no notice"):
        adapter.detail_html(item, json.dumps({"code": 1, "message": "成功", "data": []}))
    plain = {k: v for k, v in ROW.items() if k not in ("tenderProjectCode", "apiUrl")}
    [other] = adapter.parse_list(API, json.dumps({"total": 1, "list": [plain]})).items
    assert other.detail is None and other.url == (
        "https://ggzy.guizhou.gov.cn/tradeInfo/detailHtml?metaId=1257545352035307520"
    )
    assert adapter.detail_html(other, "<html>…</html>") is None


def test_an_answer_without_a_list_is_a_refusal_and_bad_options_are_named() -> None:
    page = guizhou().parse_list(API, json.dumps({"code": 500, "message": "系统异常"}))
    assert page.refused is not None and "系统异常" in page.refused[1]
    with pytest.raises(ValueError, match=r"options\.channelId"):
        ADAPTERS["guizhou_es"]({})
    with pytest.raises(ValueError, match=r"options\.since"):
        guizhou(since="2025/01/01")
    with pytest.raises(ValueError, match=r"options\.pageSize"):
        guizhou(pageSize=0)


def test_the_packaged_source_is_on_the_api_and_confirmed() -> None:
    source = load_registry().get("guizhou-trading")
    assert source.adapter == "guizhou_es" and source.needs is None and source.enabled
    assert source.entry_urls == [API] and source.options["channelId"] == "5904475"
    assert source.confidence == "confirmed"


def test_probe_names_the_family_from_the_sites_script() -> None:
    page = b'<html><script>$.ajax({url: "/tradeInfo/es/list", type: "post"})</script></html>'
    probe = probe_page(page, "https://ggzy.guizhou.gov.cn/xxfw/jsgc/")
    assert {"family": "guizhou_es", "needs": "options.channelId"} in probe.families


# -- the replica -------------------------------------------------------------------------------

REGISTRY = f"""province = "guizhou"

[[source]]
id = "gz-trading"
name = "贵州省公共资源交易网 工程建设"
kind = "trading"
adapter = "guizhou_es"
entry_urls = ["{API}"]
options = {{ channelId = "5904475", announcement = "交易公告", since = "2020-01-01" }}

[[source]]
id = "gz-purchase"
name = "贵州省公共资源交易网 政府采购"
kind = "trading"
adapter = "guizhou_es"
entry_urls = ["{API}"]
options = {{ channelId = "5904543", announcement = "采购公告", since = "2020-01-01" }}
"""


@pytest.fixture(scope="module")
def rep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaThread]:
    with registry_replica(
        tmp_path_factory.mktemp("registry"), {"guizhou.toml": REGISTRY}
    ) as replica:
        yield replica


def listed(rep: ReplicaThread, adapter: ListAdapter) -> list[ListItem]:
    return list_pages(rep.base_url, adapter, API, most=20)


def test_paging_the_replica_lists_each_channel_newest_first(rep: ReplicaThread) -> None:
    for source_id, channel, stage in (
        ("gz-trading", "5904475", "交易公告"),
        ("gz-purchase", "5904543", "采购公告"),
    ):
        adapter = ADAPTERS["guizhou_es"](
            {"channelId": channel, "announcement": stage, "since": "2020-01-01"}
        )
        truth = [d for d in rep.replica.documents() if d["source_id"] == source_id]
        items = listed(rep, adapter)
        assert len(truth) > 20 and [i.url for i in items] == [d["real_url"] for d in truth]
        assert [i.title for i in items] == [d["title"] for d in truth]
        assert [i.date for i in items] == [d["published"] for d in truth]


def test_every_notice_text_is_served_where_the_adapter_reads_it(rep: ReplicaThread) -> None:
    adapter = guizhou(channelId="5904475", announcement="交易公告", since="2020-01-01")
    truth = {d["real_url"]: d for d in rep.replica.documents() if d["source_id"] == "gz-trading"}
    items = listed(rep, adapter)
    shells = 0
    for item in items:
        status, text = send_request(rep.base_url, item.detail or PageRequest(item.url))
        assert status == 200
        page = adapter.detail_html(item, text) or text
        assert truth[item.url]["title"] in page
        if item.detail is not None:
            shells += 1
            status, shell = send_request(rep.base_url, PageRequest(item.url))
            assert status == 200 and "/tradeInfo/detailHtmlData" in shell
    assert 0 < shells < len(items), "trading notices and whole pages both occur"


def test_the_replica_wants_a_json_post_and_answers_empty_for_another_range(
    rep: ReplicaThread,
) -> None:
    assert send_request(rep.base_url, PageRequest(API))[0] == 405
    later = guizhou(channelId="5904475", announcement="交易公告", since="2031-01-01")
    body = json.loads(send_request(rep.base_url, later.list_request(API, 0))[1])
    assert body == {"total": 0, "list": []}
    other = guizhou(channelId="5904476")
    assert json.loads(send_request(rep.base_url, other.list_request(API, 0))[1])["list"] == []
