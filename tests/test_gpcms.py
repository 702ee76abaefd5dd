"""gpcms / maincms JSON lists (``selectInfoForIndex``, ``selectInfoMoreChannel``) and
``getInfoById`` details, and the replica's imitation (spiders/adapters/FAMILIES.md, gpcms).

No saved answer of these APIs was found in public repositories: the answers below follow the
shape and field names that public crawlers document (四川 SITE2_CRAWLER_LOGIC.md, 2026-03; the
广东 gdgpo scraper, 2026-07)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from crawler.fetch.probe import probe_page
from replica import ReplicaThread
from spiders.adapters import ADAPTERS, AdapterOptionsError, PageRequest
from spiders.registry import load_registry
from tests.replica_crawl import registry_replica, send_request

GD = "https://gdgpo.czt.gd.gov.cn/gpcms/rest/web/v2/info/selectInfoForIndex"
GD_OPTIONS = {
    "siteId": "cd64e06a-21a7-4620-aebc-0576bab7e07a",
    "channel": "fca71be5-fc0c-45db-96af-f513e9abda9d",
    "noticeType": "00101",
    "articleUrl": "/maincms-web/noticeGd?type=notice&id={id}&noticeType={noticeType}"
    "&openTenderCode={openTenderCode}",
}
ROW = {
    "id": "8a9a3c0d9b0e4a8f",
    "title": "广东省某局区块链存证平台采购项目招标公告",
    "noticeTime": "2026-08-21 12:23:41",
    "regionName": "广东省省本级",
    "purchaser": "广东省某局",
    "agency": "某代理公司",
    "noticeType": "001011",
    "openTenderCode": "GZYL26FC073463",
    "budget": "1890000.0000",
    "planId": "",
    "content": None,
}


def gpcms(**options: Any) -> Any:
    return ADAPTERS["gpcms"](options)


def test_the_list_request_is_the_front_ends_query_with_an_empty_verify_code() -> None:
    request = gpcms(**GD_OPTIONS, pageSize=20).list_request(GD, 2)
    query = {k: v[0] for k, v in parse_qs(urlsplit(request.url).query, True).items()}
    assert request.method == "GET" and request.url.startswith(GD + "?")
    assert (query["currPage"], query["pageSize"], query["noticeType"]) == ("3", "20", "00101")
    assert query["siteId"] == GD_OPTIONS["siteId"] and query["channel"] == GD_OPTIONS["channel"]
    assert query["verifyCode"] == "" and int(query["_t"]) > 1_700_000_000_000
    assert {"title", "regionCode", "purchaseManner", "operationStartTime", "purchaseNature"} <= set(
        query
    )


def test_a_row_opens_on_the_sites_article_page_and_its_text_is_get_info_by_id() -> None:
    answer = {"code": "200", "msg": "操作成功", "data": {"rows": [ROW], "total": 197681}}
    page = gpcms(**GD_OPTIONS).parse_list(GD, json.dumps(answer, ensure_ascii=False))
    [item] = page.items
    assert item.url == (
        "https://gdgpo.czt.gd.gov.cn/maincms-web/noticeGd?type=notice&id=8a9a3c0d9b0e4a8f"
        "&noticeType=001011&openTenderCode=GZYL26FC073463"
    )
    assert item.title == ROW["title"] and item.date == date(2026, 8, 21)
    assert item.site_doc_id == "8a9a3c0d9b0e4a8f"
    assert item.detail is not None and item.detail.url == (
        "https://gdgpo.czt.gd.gov.cn/gpcms/rest/web/v2/info/getInfoById?id=8a9a3c0d9b0e4a8f"
    )
    assert page.total_pages == 19769  # 10 a page
    detail = {
        "code": "200",
        "msg": "操作成功",
        "data": {**ROW, "content": "<p>采购需求：区块链</p>"},
    }
    html = gpcms(**GD_OPTIONS).detail_html(item, json.dumps(detail, ensure_ascii=False))
    assert html is not None and 'name="PubDate" content="2026-08-21 12:23:41"' in html
    assert "<p>采购需求：区块链</p>" in html


@pytest.mark.parametrize(
    ("answer", "refused"),
    [
        (
            {"code": "500", "msg": "验证码错误", "data": None},
            ("captcha", "gpcms asks for a captcha (code 500: 验证码错误)"),
        ),
        (
            {"code": "403", "msg": "nsssjss is null"},
            ("error", "gpcms answered code 403: nsssjss is null"),
        ),
    ],
)
def test_an_answer_other_than_200_is_a_captcha_or_error_refusal_never_an_empty_list(
    answer: dict[str, Any], refused: tuple[str, str]
) -> None:
    page = gpcms(**GD_OPTIONS).parse_list(GD, json.dumps(answer, ensure_ascii=False))
    assert page.refused == refused and not page.items


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"articleUrl": "/maincms-web/noticeGd?type=notice"}, "must name {id}"),
        ({"articleUrl": "/x?id={id}&t={title}"}, "only row fields"),
        ({"articleUrl": "https://other.example/x?id={id}"}, "a path on the site"),
        ({"pageSize": 0}, "pageSize must be 1 to 100"),
        ({"verifyCode": "1234"}, "has no option 'verifyCode'"),
    ],
)
def test_bad_options_are_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(AdapterOptionsError, match=re.escape(message)):
        gpcms(**{**GD_OPTIONS, **change})


def test_an_entry_that_is_not_the_list_api_is_refused() -> None:
    with pytest.raises(AdapterOptionsError, match="selectInfoForIndex"):
        ADAPTERS["gpcms"].check_entry_url("https://gdgpo.czt.gd.gov.cn/maincms-web/noticeGd")


def test_the_five_gpcms_sources_and_the_captcha_ones_say_so() -> None:
    sources = {s.id: s for s in load_registry().sources if s.adapter == "gpcms"}
    assert set(sources) == {
        "guangdong-procurement",
        "heilongjiang-procurement",
        "neimenggu-procurement",
        "sichuan-procurement",
        "fujian-procurement",
    }
    assert {i for i, s in sources.items() if s.captcha} == {
        "heilongjiang-procurement",
        "sichuan-procurement",
        "fujian-procurement",
    }
    assert all(s.needs is None for s in sources.values())
    assert sources["neimenggu-procurement"].entry_urls[0].endswith("/selectInfoMoreChannel")


def test_probe_names_gpcms_not_freecms_for_a_maincms_page() -> None:
    page = (
        b'<html><script>axios.get("/gpcms/rest/web/v2/info/selectInfoMoreChannel")</script></html>'
    )
    families = [f["family"] for f in probe_page(page, "https://x.gov.cn/maincms-web/a").families]
    assert "gpcms" in families and "freecms" not in families


# -- the replica ------------------------------------------------------------------------------

SC = "https://www.ccgp-sichuan.gov.cn/gpcms/rest/web/v2/info/selectInfoForIndex"
SC_OPTIONS = {
    "siteId": "94c965cc-c55d-4f92-8469-d5875c68bd04",
    "channel": "c5bff13f-21ca-4dac-b158-cb40accd3035",
    "noticeType": "00101",
    "articleUrl": "/maincms-web/article?type=notice&id={id}&planId={planId}",
}
REGISTRY = {
    "guangdong.toml": f"""
province = "guangdong"

[[source]]
id = "gd-gpcms"
name = "广东省政府采购网 采购公告"
kind = "procurement"
adapter = "gpcms"
entry_urls = ["{GD}"]
options = {json.dumps(GD_OPTIONS, ensure_ascii=False).replace('": ', '" = ')}
""",
    "sichuan.toml": f"""
province = "sichuan"

[[source]]
id = "sc-gpcms"
name = "四川政府采购网 采购公告"
kind = "procurement"
adapter = "gpcms"
entry_urls = ["{SC}"]
captcha = true
options = {json.dumps(SC_OPTIONS, ensure_ascii=False).replace('": ', '" = ')}
""",
}


@pytest.fixture(scope="module")
def rep(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaThread]:
    with registry_replica(tmp_path_factory.mktemp("registry"), REGISTRY) as replica:
        yield replica


def send(rep: ReplicaThread, request: PageRequest) -> tuple[int, str]:
    return send_request(rep.base_url, request)


def test_paging_the_replica_reaches_every_notice_and_each_detail_is_its_page(
    rep: ReplicaThread,
) -> None:
    adapter = gpcms(**GD_OPTIONS)
    truth = [d for d in rep.replica.documents() if d["source_id"] == "gd-gpcms"]
    listed = []
    for index in range(10):
        request = adapter.list_request(GD, index)
        status, text = send(rep, request)
        assert status == 200
        page = adapter.parse_list(request.url, text)
        listed += page.items
        if page.total_pages is not None and index + 1 >= page.total_pages:
            break
    assert [i.url for i in listed] == [d["real_url"] for d in truth]
    assert listed[0].detail is not None
    status, detail = send(rep, listed[0].detail)
    html = adapter.detail_html(listed[0], detail)
    assert status == 200 and html is not None and truth[0]["title"] in html
    shell = send(rep, PageRequest(listed[0].url))
    assert shell[0] == 200 and '<div id="app"></div>' in shell[1]
    other = adapter.list_request(GD, 0).url.replace("fca71be5", "00000000")
    assert json.loads(send(rep, PageRequest(other))[1])["data"] == {"rows": [], "total": 0}


def test_a_captcha_the_replica_did_not_issue_is_refused_and_the_adapter_says_captcha(
    rep: ReplicaThread,
) -> None:
    adapter = gpcms(**SC_OPTIONS)
    request = adapter.list_request(SC, 0)
    request = PageRequest(request.url.replace("verifyCode=&", "verifyCode=2200&"))
    status, text = send(rep, request)
    page = adapter.parse_list(request.url, text)
    assert status == 200 and page.refused is not None and page.refused[0] == "captcha"
    assert not page.items
