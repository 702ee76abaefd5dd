"""政采云 (ZCY) as it is today: ``POST /portal/category`` and ``/portal/detail``, on real saved
answers and on the replica's imitation (spiders/adapters/FAMILIES.md, zcy)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from replica import ReplicaThread
from spiders.adapters import ADAPTERS, AdapterOptionsError, PageRequest
from spiders.registry import load_registry
from tests.replica_crawl import list_pages, registry_replica, send_request

FIXTURES = Path(__file__).parent / "fixtures" / "families" / "zcy"
GUANGXI = "http://www.ccgp-guangxi.gov.cn/portal/category"


def zcy(**options: Any) -> Any:
    return ADAPTERS["zcy"](options)


def readme_answer(name: str, total: int | None = None) -> str:
    """A saved answer from the README it was published in, as the JSON the site sent.

    The README annotates the real answer with ``// …`` comments, keeps trailing commas where it
    cut rows, and writes ``int`` for the total; those are undone here, nothing else."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    text = re.sub(r"\s//[^\n]*", "", text)
    text = re.sub(r",(\s*[\]}])", r"\1", text)
    if total is not None:
        text = text.replace('"total": int', f'"total": {total}')
    json.loads(text)  # the undoing leaves valid JSON, or the fixture changed
    return text


# -- the adapter on real saved answers ------------------------------------------------------


def test_a_saved_guangxi_list_answer_reads_as_notices_opened_on_the_site_detail_page() -> None:
    adapter = zcy(categoryCode="ZcyAnnouncement2", parentId="66485")
    page = adapter.parse_list(GUANGXI, readme_answer("guangxi_category_answer.readme.txt", 31))
    [item] = page.items
    assert item.title == "那坡县应急管理局关于乡镇消防车及配套装备采购项目的终止公告"
    assert item.site_doc_id == "Y1Xs+Ya9sqZiYbm5sKeVqQ=="
    # 1708251407000 ms = 2024-02-18 18:16:47 in Beijing: the date a person sees.
    assert item.date == date(2024, 2, 18)
    assert item.url == (
        "http://www.ccgp-guangxi.gov.cn/site/detail?parentId=66485"
        "&articleId=Y1Xs%2BYa9sqZiYbm5sKeVqQ%3D%3D"
    )
    assert item.detail is not None and item.detail.url == (
        "http://www.ccgp-guangxi.gov.cn/portal/detail?articleId=Y1Xs%2BYa9sqZiYbm5sKeVqQ%3D%3D"
        "&parentId=66485"
    )
    assert page.total_pages == 3  # 31 notices, 15 a page


def test_a_saved_guangxi_detail_answer_becomes_a_page_with_title_date_and_publisher() -> None:
    adapter = zcy(categoryCode="ZcyAnnouncement2", parentId="66485")
    listed = adapter.parse_list(GUANGXI, readme_answer("guangxi_category_answer.readme.txt", 1))
    html = adapter.detail_html(listed.items[0], readme_answer("guangxi_detail_answer.readme.txt"))
    assert html is not None
    assert "凌云县乡村道路“三项工程”-通组路安全生命防护工程（下甲片区） 施工招标公告" in html
    assert 'name="PubDate" content="2023-12-04 16:46:41"' in html  # 1701679601000 ms, Beijing
    assert 'name="ContentSource" content="广西达苏泰工程咨询有限公司"' in html
    assert "fixTableStyle" in html, "the content HTML is the page's body"


# -- requests, options, refusals ------------------------------------------------------------


def test_the_list_request_is_the_sites_json_body_with_its_options_and_page_headers() -> None:
    adapter = zcy(
        categoryCode="110-978863",
        parentId="600007",
        isGov=True,
        excludeDistrictPrefix=["90", "006011"],
        pageSize=20,
    )
    request = adapter.list_request("https://zfcg.czt.zj.gov.cn/portal/category", 2)
    body = json.loads(request.body or "")
    assert request.method == "POST"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.headers["Origin"] == "https://zfcg.czt.zj.gov.cn"
    assert request.headers["Referer"] == (
        "https://zfcg.czt.zj.gov.cn/site/category?parentId=600007&childrenCode=ZcyAnnouncement"
    )
    assert {k: v for k, v in body.items() if k != "_t"} == {
        "pageNo": 3,
        "pageSize": 20,
        "categoryCode": "110-978863",
        "isGov": True,
        "excludeDistrictPrefix": ["90", "006011"],
    }
    assert body["_t"] > 1_700_000_000_000, "_t is a timestamp in milliseconds"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"categoryCode": "ZcyAnnouncement2"}, "needs options.parentId"),
        ({"categoryCode": "ZcyAnnouncement2", "parentId": "1", "pageSize": 500}, "pageSize"),
        ({"categoryCode": "Z", "parentId": "1", "districtCode": "650000"}, "list of strings"),
        ({"categoryCode": "Z", "parentId": "1", "isProvince": "yes"}, "true or false"),
        ({"categoryCode": "Z", "parentId": "1", "utm": "x"}, "has no option 'utm'"),
    ],
)
def test_bad_options_are_named(options: dict[str, Any], message: str) -> None:
    with pytest.raises(AdapterOptionsError, match=re.escape(message)):
        zcy(**options)


def test_the_old_front_search_entry_is_refused_with_a_clear_line() -> None:
    with pytest.raises(AdapterOptionsError, match="/front/search/category is gone"):
        ADAPTERS["zcy"].check_entry_url("http://www.ccgp-qinghai.gov.cn/front/search/category")


def test_an_error_answer_is_a_refusal_and_an_error_detail_is_no_page() -> None:
    adapter = zcy(categoryCode="ZcyAnnouncement1", parentId="4149")
    refused = adapter.parse_list(
        GUANGXI, json.dumps({"success": False, "result": None, "error": "系统繁忙"})
    )
    assert refused.refused == ("error", "ZCY list answered: 系统繁忙") and not refused.items
    item = adapter.parse_list(GUANGXI, readme_answer("guangxi_category_answer.readme.txt", 1))
    with pytest.raises(ValueError, match="文章不存在"):
        adapter.detail_html(
            item.items[0], json.dumps({"success": False, "result": None, "error": "文章不存在"})
        )


def test_every_zcy_source_lists_at_portal_category_with_its_own_category_and_parent() -> None:
    sources = [s for s in load_registry().sources if s.adapter == "zcy"]
    assert {s.id for s in sources} == {
        f"{p}-procurement"
        for p in (
            "anhui",
            "guangxi",
            "guizhou",
            "jilin",
            "qinghai",
            "shanxi",
            "xinjiang",
            "shanghai",
            "zhejiang",
        )
    }
    for source in sources:
        assert urlsplit(source.entry_urls[0]).path == "/portal/category", source.id
        assert source.needs is None and source.confidence in ("confirmed", "older"), source.id
    by_id = {s.id: s.options for s in sources}
    assert by_id["zhejiang-procurement"]["categoryCode"] == "110-978863"
    assert by_id["shanxi-procurement"]["categoryCode"] == "ZcyAnnouncement1"  # 2 = 结果公告 there


# -- the replica ------------------------------------------------------------------------------

ENTRY = "https://zfcg.czt.zj.gov.cn/portal/category"
REGISTRY = f"""
province = "zhejiang"

[[source]]
id = "zj-zcy"
name = "浙江政府采购网 采购项目公告"
kind = "procurement"
adapter = "zcy"
entry_urls = ["{ENTRY}"]
options = {{ categoryCode = "110-978863", parentId = "600007", isGov = true, pageSize = 10 }}
"""


@pytest.fixture(scope="module")
def rep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaThread]:
    with registry_replica(
        tmp_path_factory.mktemp("registry"), {"zhejiang.toml": REGISTRY}
    ) as replica:
        yield replica


def send(rep: ReplicaThread, request: PageRequest) -> tuple[int, str]:
    return send_request(rep.base_url, request)


def test_paging_the_replica_reaches_every_notice_and_each_detail_is_its_page(
    rep: ReplicaThread,
) -> None:
    adapter = zcy(categoryCode="110-978863", parentId="600007", isGov=True, pageSize=10)
    truth = [d for d in rep.replica.documents() if d["source_id"] == "zj-zcy"]
    listed = list_pages(rep.base_url, adapter, ENTRY, most=10)
    assert [i.url for i in listed] == [d["real_url"] for d in truth]
    assert any("%2B" in i.url or "%2F" in i.url for i in listed), "ids carry + and / as real ones"
    item, doc = listed[0], truth[0]
    assert item.detail is not None
    status, detail = send(rep, item.detail)
    html = adapter.detail_html(item, detail)
    assert status == 200 and html is not None and doc["title"] in html
    shell = send(rep, PageRequest(item.url))
    assert shell[0] == 200 and '<div id="app"></div>' in shell[1]


def test_the_replica_wants_a_json_post_and_answers_unknown_articles_with_success_false(
    rep: ReplicaThread,
) -> None:
    assert send(rep, PageRequest(ENTRY + "?categoryCode=110-978863"))[0] == 416
    form = PageRequest.form(ENTRY, {"categoryCode": "110-978863", "pageNo": 1})
    status, text = send(rep, form)
    assert status == 400 and json.loads(text)["success"] is False
    unknown = PageRequest("https://zfcg.czt.zj.gov.cn/portal/detail?articleId=bm9wZQ%3D%3D")
    assert json.loads(send(rep, unknown)[1]) == {
        "success": False,
        "result": None,
        "error": "文章不存在",
    }
