"""湖南省政府采购网's getNoticeList4Web.do form and the replica's imitation of it
(spiders/adapters/FAMILIES.md, hunan_form)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import pytest

from crawler.fetch.probe import probe_page
from replica import ReplicaThread
from spiders.adapters import ADAPTERS, PageRequest
from spiders.registry import load_registry
from tests.replica_crawl import list_pages, registry_replica, send_request

API = "http://www.ccgp-hunan.gov.cn/mvc/getNoticeList4Web.do"
# The shape of one row as a public crawler saved it (code-index#38696705092, a 2017 notice).
ROW = {
    "PRCM_PLAN_ID": -1,
    "PRCM_MODE_CODE": "03",
    "AREA_ID": 124,
    "AREA_NAME": "娄星区",
    "NOTICE_ID": 1000174426,
    "ORG_CODE": None,
    "PRCM_MODE_NAME": "竞争性谈判",
    "NOTICE_TITLE": "娄底三中博远楼高考监考系统改造",
    "NOTICE_TYPE_NAME": "更正公告",
    "NEWWORK_DATE": "2017-04-21",
    "NEWWORK_DATE_ALL": {},
    "SRC_CODE": "2",
}


def hunan(**options: Any) -> Any:
    return ADAPTERS["hunan_form"](options)


def test_the_request_is_the_sites_form_with_a_date_range_and_page() -> None:
    request = hunan(since="2025-01-01").list_request(API, 2)
    form = {k: v[0] for k, v in parse_qs(request.body or "", keep_blank_values=True).items()}
    assert request.method == "POST" and request.url.split("#")[0] == API
    assert form["startDate"] == "2025-01-01" and form["endDate"] >= "2026-01-01"
    assert (form["page"], form["pageSize"], form["pType"]) == ("3", "18", "")
    assert {"prcmPrjName", "prcmItemCode", "prcmOrgName", "prcmPlanNo"} <= set(form)


def test_a_saved_row_becomes_a_notice_whose_text_is_the_content_page() -> None:
    page = hunan().parse_list(f"{API}#page=1", json.dumps({"rows": [ROW]}))
    [item] = page.items
    assert item.url == "http://www.ccgp-hunan.gov.cn/page/notice/notice.jsp?noticeId=1000174426"
    assert item.title == "娄底三中博远楼高考监考系统改造"
    assert str(item.date) == "2017-04-21" and item.site_doc_id == "1000174426"
    assert item.detail is not None and item.detail.url == (
        "http://www.ccgp-hunan.gov.cn/mvc/viewNoticeContent.do?noticeId=1000174426&area_id="
    )
    assert page.next_request is None, "a page less than full is the last"


def test_without_a_total_full_pages_lead_on_and_with_one_the_pager_knows() -> None:
    full = hunan(pageSize=2).parse_list(f"{API}#page=4", json.dumps({"rows": [ROW, ROW]}))
    assert full.next_request is not None
    assert parse_qs(full.next_request.body or "")["page"] == ["5"]
    counted = hunan().parse_list(f"{API}#page=1", json.dumps({"total": 40, "rows": [ROW]}))
    assert counted.total_pages == 3 and counted.next_request is None


def test_an_answer_without_rows_is_a_refusal_and_bad_options_are_named() -> None:
    page = hunan().parse_list(API, json.dumps({"success": False, "msg": "系统繁忙"}))
    assert page.refused is not None and "系统繁忙" in page.refused[1]
    with pytest.raises(ValueError, match=r"options\.since"):
        hunan(since="2025/01/01")
    with pytest.raises(ValueError, match=r"options\.pageSize"):
        hunan(pageSize=1000)


def test_the_packaged_source_is_on_the_form_and_enabled() -> None:
    source = load_registry().get("hunan-procurement")
    assert source.adapter == "hunan_form" and source.needs is None and source.enabled
    assert source.confidence == "confirmed"


# -- the replica -------------------------------------------------------------------------------

REGISTRY = f"""province = "hunan"

[[source]]
id = "hn-notices"
name = "湖南省政府采购网 采购公告"
kind = "procurement"
adapter = "hunan_form"
entry_urls = ["{API}"]
options = {{ since = "2023-01-01" }}
"""


@pytest.fixture(scope="module")
def rep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaThread]:
    with registry_replica(tmp_path_factory.mktemp("registry"), {"hunan.toml": REGISTRY}) as replica:
        yield replica


def send(rep: ReplicaThread, request: PageRequest) -> tuple[int, str]:
    return send_request(rep.base_url, request)


def test_paging_the_replica_lists_every_notice_newest_first(rep: ReplicaThread) -> None:
    adapter = hunan(since="2023-01-01")
    truth = [d for d in rep.replica.documents() if d["source_id"] == "hn-notices"]
    listed = list_pages(rep.base_url, adapter, API, most=10)
    assert [i.url for i in listed] == [d["real_url"] for d in truth]
    assert all(i.title == d["title"] for i, d in zip(listed, truth, strict=True))


def test_the_replica_serves_the_frame_and_the_text_and_wants_a_post(rep: ReplicaThread) -> None:
    doc = next(d for d in rep.replica.documents() if d["source_id"] == "hn-notices")
    status, frame = send(rep, PageRequest(doc["real_url"]))
    assert status == 200 and "viewNoticeContent.do?noticeId=" in frame
    item = (
        hunan()
        .parse_list(f"{API}#page=1", send(rep, hunan(since="2023-01-01").list_request(API, 0))[1])
        .items[0]
    )
    assert item.detail is not None
    status, content = send(rep, item.detail)
    assert status == 200 and doc["title"] in content
    assert send(rep, PageRequest(API))[0] == 405
    since_last = hunan(since="2030-01-01").list_request(API, 0)
    assert json.loads(send(rep, since_last)[1])["rows"] == []


def test_probe_names_the_family_from_the_sites_list_script() -> None:
    page = b'<html><script>$.post("/mvc/getNoticeList4Web.do", params)</script></html>'
    probe = probe_page(page, "http://www.ccgp-hunan.gov.cn/page/notice/more.jsp")
    assert {"family": "hunan_form", "needs": ""} in probe.families
