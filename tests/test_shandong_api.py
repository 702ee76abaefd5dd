"""山东省政府采购网's JSON API on port 8087 and the replica's imitation of it
(spiders/adapters/FAMILIES.md, shandong_api). No saved real answer was found in public code:
the answers below are built from the wrappers and fields two crawlers read (see the registry's
evidence for shandong-procurement)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from replica import ReplicaThread
from spiders.adapters import ADAPTERS, ListItem, PageRequest
from spiders.registry import load_registry
from tests.replica_crawl import list_pages, registry_replica, send_request

API = "http://www.ccgp-shandong.gov.cn:8087/api/website/site/getListByCode"


def shandong(**options: Any) -> Any:
    return ADAPTERS["shandong_api"]({"colCode": "0301", **options})


def wrapped(inner: Any, code: int = 100, message: str = "成功") -> str:
    return json.dumps({"status": 200, "message": "OK",
                       "data": {"code": code, "message": message, "data": inner}})  # fmt: skip


RECORD = {
    "id": "2c9f80878f1b2e3a018f2b",
    "title": "山东省大数据中心区块链政务服务平台采购公告",
    "date": "2026-02-03 16:20:11",
    "areaName": "山东省本级",
    "userName": "山东省大数据中心",
    "colCode": "0301",
    "oldData": 0,
}


def test_the_request_is_the_home_page_lists_json_body() -> None:
    request = shandong().list_request(API, 1)
    assert request.method == "POST" and request.url == API
    assert json.loads(request.body or "") == {
        "colCode": "0301",
        "area": "",
        "currentPage": 2,
        "pageSize": 20,
        "homePage": 1,
    }
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.headers["Origin"] == "http://www.ccgp-shandong.gov.cn"


def test_records_inside_two_wrappers_become_notices_opened_on_the_app() -> None:
    page = shandong().parse_list(API, wrapped({"records": [RECORD], "total": 41, "pages": 3}))
    [item] = page.items
    assert item.url == (
        "http://www.ccgp-shandong.gov.cn/detail?id=2c9f80878f1b2e3a018f2b&colCode=0301"
    )
    assert item.title == RECORD["title"] and str(item.date) == "2026-02-03"
    assert item.detail is not None and item.detail.url == (
        "http://www.ccgp-shandong.gov.cn:8087/api/website/site/getDetail"
        "?id=2c9f80878f1b2e3a018f2b&colCode=0301&oldData=0"
    )
    assert page.total_pages == 3


def test_the_detail_body_is_base64_of_gbk_html_without_a_charset() -> None:
    html = "<html><body><p>采购项目名称：区块链政务服务平台</p></body></html>"
    notice = {"title": RECORD["title"], "date": RECORD["date"], "userName": "山东省大数据中心",
              "body": base64.b64encode(html.encode("gbk")).decode(), "files": []}  # fmt: skip
    item = ListItem(RECORD["id"], RECORD["title"], None)
    page = shandong().detail_html(item, wrapped(notice))
    assert "采购项目名称：区块链政务服务平台" in page
    assert 'name="ArticleTitle" content="山东省大数据中心区块链政务服务平台采购公告"' in page
    assert 'content="2026-02-03 16:20:11"' in page


@pytest.mark.parametrize(
    ("code", "kind"), [(999, "rate_limited"), (500, "error")]
)  # fmt: skip
def test_the_apis_own_error_codes_are_refusals(code: int, kind: str) -> None:
    page = shandong().parse_list(API, wrapped(None, code=code, message="请稍后重试"))
    assert page.refused is not None and page.refused[0] == kind
    outer = json.dumps({"status": 405, "message": "Method Not Allowed", "data": None})
    refused = shandong().parse_list(API, outer).refused
    assert refused is not None and "405" in refused[1]


def test_a_missing_column_or_bad_page_size_is_named() -> None:
    with pytest.raises(ValueError, match=r"options\.colCode"):
        ADAPTERS["shandong_api"]({})
    with pytest.raises(ValueError, match=r"options\.pageSize"):
        shandong(pageSize="20")


def test_the_packaged_source_reads_the_api_and_is_enabled() -> None:
    source = load_registry().get("shandong-procurement")
    assert source.adapter == "shandong_api" and source.needs is None and source.enabled
    assert source.confidence == "confirmed"


# -- the replica -------------------------------------------------------------------------------

REGISTRY = f"""province = "shandong"

[[source]]
id = "sd-notices"
name = "山东省政府采购网 采购公告"
kind = "procurement"
adapter = "shandong_api"
entry_urls = ["{API}"]
options = {{ colCode = "0301" }}
"""


@pytest.fixture(scope="module")
def rep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaThread]:
    with registry_replica(
        tmp_path_factory.mktemp("registry"), {"shandong.toml": REGISTRY}
    ) as replica:
        yield replica


def send(rep: ReplicaThread, request: PageRequest) -> tuple[int, str]:
    return send_request(rep.base_url, request)


def test_paging_the_replica_lists_every_notice_and_each_detail_decodes(
    rep: ReplicaThread,
) -> None:
    adapter = shandong()
    truth = [d for d in rep.replica.documents() if d["source_id"] == "sd-notices"]
    items = list_pages(rep.base_url, adapter, API, most=10)
    assert [i.url for i in items] == [d["real_url"] for d in truth]
    detail = items[0].detail
    assert detail is not None
    status, answer = send(rep, detail)
    html = adapter.detail_html(items[0], answer)
    assert status == 200 and truth[0]["title"] in html and "<p>" in html
    assert "base64" not in html


def test_the_replica_takes_json_only_and_serves_the_apps_shell(rep: ReplicaThread) -> None:
    form = PageRequest.form(API, {"colCode": "0301", "currentPage": 1})
    assert send(rep, form)[0] == 400
    assert send(rep, PageRequest(API))[0] == 405
    doc = next(d for d in rep.replica.documents() if d["source_id"] == "sd-notices")
    status, shell = send(rep, PageRequest(doc["real_url"]))
    assert status == 200 and '<div id="app"></div>' in shell
    other = shandong(colCode="0302").list_request(API, 0)
    assert json.loads(send(rep, other)[1])["data"]["data"]["records"] == []
