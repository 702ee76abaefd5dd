"""云南省公共资源交易信息网's getZbggList API and the replica's imitation of it
(spiders/adapters/FAMILIES.md, yunnan_json)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from crawler.fetch.probe import probe_page
from replica import ReplicaThread
from spiders.adapters import ADAPTERS, AdapterOptionsError, ListItem, PageRequest
from spiders.registry import load_registry
from tests.replica_crawl import list_pages, registry_replica, send_request

API = "https://ggzy.yn.gov.cn/ynggfwpt-home-api/jyzyCenter/jyInfo/gcjs/getZbggList"
# A row with the fields the 2025–2026 crawlers read (guid, bulletinname, bulletinissuetime,
# jyptid); the values are made up in that shape.
ROW = {
    "guid": "6a0c3b0e-5a52-4c1f-9d0e-7f0b8a1e2c33",
    "bulletinname": "昆明市呈贡区污水管网改造工程施工招标公告",
    "bulletinissuetime": "2025-09-02 09:15:00",
    "jyptid": "昆明市",
}


def yunnan(**options: Any) -> Any:
    return ADAPTERS["yunnan_json"](options)


def test_the_request_is_the_sites_json_body_with_compact_times() -> None:
    request = yunnan(since="2025-01-01").list_request(API, 1)
    body = json.loads(request.body or "")
    assert request.method == "POST" and request.url.split("#")[0] == API
    assert request.headers["Origin"] == "https://ggzy.yn.gov.cn"
    assert (body["pageNum"], body["pageSize"], body["tradeType"], body["cityId"]) == (
        2,
        20,
        "gcjs",
        "",
    )
    assert body["startTime"] == "20250101000000"
    assert len(body["endTime"]) == 14 and body["endTime"].endswith("235959")
    assert {"industryCode", "childType", "title"} <= set(body)


def test_a_row_opens_at_the_apps_page_and_reads_find_zbgg_by_guid() -> None:
    answer = {"code": "1", "value": {"list": [ROW], "total": 41}}
    page = yunnan().parse_list(f"{API}#page=1", json.dumps(answer))
    [item] = page.items
    assert item.url == (
        "https://ggzy.yn.gov.cn/tradeHall/tradeDetail?guid=6a0c3b0e-5a52-4c1f-9d0e-7f0b8a1e2c33"
        "&colCode=1&rowCode=%E6%8B%9B%E6%A0%87%E5%85%AC%E5%91%8A"
    )
    assert item.title == "昆明市呈贡区污水管网改造工程施工招标公告"
    assert str(item.date) == "2025-09-02" and item.site_doc_id == ROW["guid"]
    assert item.detail is not None and item.detail.url == (
        "https://ggzy.yn.gov.cn/ynggfwpt-home-api/jyzyCenter/jyInfo/gcjs/findZbggByGuid"
        "?guid=6a0c3b0e-5a52-4c1f-9d0e-7f0b8a1e2c33"
    )
    assert (page.page_index, page.total_pages) == (0, 3)
    dotted = {"code": "1", "value": {"list": [{**ROW, "bulletinissuetime": "2025.09.03"}]}}
    assert str(yunnan().parse_list(API, json.dumps(dotted)).items[0].date) == "2025-09-03"


def test_the_detail_json_becomes_a_page_and_a_failure_is_not_stored() -> None:
    item = ListItem("https://ggzy.yn.gov.cn/tradeHall/tradeDetail?guid=x", "t", None, "x")
    notice = {
        "code": "1",
        "value": {
            "guid": ROW["guid"],
            "bulletinname": ROW["bulletinname"],
            "bulletinissuetime": "2025-09-02 09:15:00",
            "bulletincontent": "<table><tr><td>招标人</td><td>昆明市呈贡区水务局</td></tr></table>",
        },
    }
    html = yunnan().detail_html(item, json.dumps(notice, ensure_ascii=False))
    assert '<meta name="PubDate" content="2025-09-02 09:15:00">' in html
    assert "<title>昆明市呈贡区污水管网改造工程施工招标公告</title>" in html
    assert "昆明市呈贡区水务局" in html
    with pytest.raises(ValueError, match="findZbggByGuid answered"):
        yunnan().detail_html(item, json.dumps({"code": "0", "message": "数据不存在"}))


def test_an_answer_without_code_1_is_a_refusal_and_other_lists_are_refused() -> None:
    page = yunnan().parse_list(API, json.dumps({"code": "500", "message": "系统繁忙"}))
    assert page.refused is not None and page.refused[0] == "error"
    assert "系统繁忙" in page.refused[1]
    with pytest.raises(AdapterOptionsError, match="getZbggList"):
        ADAPTERS["yunnan_json"].check_entry_url(API.replace("gcjs/getZbggList", "zfcg/getCgggList"))
    with pytest.raises(ValueError, match=r"options\.since"):
        yunnan(since="2025/01/01")


def test_the_packaged_source_is_on_the_api_and_confirmed() -> None:
    source = load_registry().get("yunnan-trading")
    assert source.adapter == "yunnan_json" and source.needs is None and source.enabled
    assert source.entry_urls == [API] and source.confidence == "confirmed"


def test_probe_names_the_family_from_the_apps_script() -> None:
    page = b'<html><script>axios.post("/ynggfwpt-home-api/jyzyCenter/jyInfo/gcjs/getZbggList")'
    probe = probe_page(page + b"</script></html>", "https://ggzy.yn.gov.cn/homePage")
    assert {"family": "yunnan_json", "needs": ""} in probe.families


# -- the replica -------------------------------------------------------------------------------

REGISTRY = f"""province = "yunnan"

[[source]]
id = "yn-tenders"
name = "云南省公共资源交易信息网 工程建设"
kind = "trading"
adapter = "yunnan_json"
entry_urls = ["{API}"]
options = {{ since = "2020-01-01" }}
"""


@pytest.fixture(scope="module")
def rep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaThread]:
    with registry_replica(
        tmp_path_factory.mktemp("registry"), {"yunnan.toml": REGISTRY}
    ) as replica:
        yield replica


def test_paging_the_replica_lists_every_notice_and_serves_its_text(rep: ReplicaThread) -> None:
    adapter = yunnan(since="2020-01-01")
    truth = [d for d in rep.replica.documents() if d["source_id"] == "yn-tenders"]
    items = list_pages(rep.base_url, adapter, API, most=20)
    assert len(truth) > 20 and [i.url for i in items] == [d["real_url"] for d in truth]
    assert [(i.title, i.date) for i in items] == [(d["title"], d["published"]) for d in truth]
    for item, doc in zip(items[:5], truth, strict=False):
        assert item.detail is not None
        status, text = send_request(rep.base_url, item.detail)
        assert status == 200 and doc["title"] in adapter.detail_html(item, text)
        assert send_request(rep.base_url, PageRequest(item.url))[0] == 200


def test_the_replica_wants_a_post_and_answers_empty_for_another_range(rep: ReplicaThread) -> None:
    assert send_request(rep.base_url, PageRequest(API))[0] == 405
    later = yunnan(since="2031-01-01").list_request(API, 0)
    answer = json.loads(send_request(rep.base_url, later)[1])
    assert answer["code"] == "1" and answer["value"] == {"list": [], "total": 0}
