"""Four families public code of 2023–2026 calls for (spiders/adapters/FAMILIES.md): the JEECMS
search form (山西, 天津), TRS WAS5 search (吉林, 辽宁), 湖北's /jyxxAjax/ list JSON and 江西's
/queryList JSON — each read on answers shaped as public code quotes them, and on the replica."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from replica import ReplicaThread
from spiders.adapters import ADAPTERS, AdapterOptionsError, ListAdapter, PageRequest
from spiders.adapters.sites.jeecms_query import encrypted_id
from spiders.registry import load_registry
from tests.replica_crawl import send_request

SHANXI = "https://prec.sxzwfw.gov.cn/queryContent-jyxx.jspx"
TIANJIN = "https://ggzy.zwfwb.tj.gov.cn/queryContent_1-jyxx.jspx?channelId=75"
TIANJIN_KEY = "qnbyzzwmdgghmcnm"
LIAONING = (
    "https://ggzy.ln.gov.cn/was5/web/search?channelid=219677"
    "&searchword=DOCCHANNEL%3D%27149559%27&page=1&perpage=15"
)
JILIN = (
    "https://was.jl.gov.cn/was5/web/search?channelid=237687&searchword=modal%3C%3E3%20and%20"
    "gtitle%3C%3E%27%27%20and%20gtitle%3C%3E%27null%27&page=1&prepage=50&callback=result"
)
HUBEI = "https://www.hbggzyfwpt.cn/jyxxAjax/jsgcZbgg"
JIANGXI = "https://gxt.jiangxi.gov.cn/queryList"


def adapter(name: str, **options: Any) -> ListAdapter:
    return ADAPTERS[name](options)


def form_of(request: PageRequest) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.body or "", keep_blank_values=True).items()}


# -- jeecms_query -----------------------------------------------------------------------------

SHANXI_OPTIONS = {"channelId": 11, "inDates": 4000, "title_class": "cs_bz_cont"}
TIANJIN_OPTIONS = {"channelId": 75, "method": "GET", "form": {"ext1": ""}, "link_key": TIANJIN_KEY}
# A 山西 row as a 2026 crawler's docstring quotes it (code#56643665008), on the notice address
# another collector saw (code#62676890451), and the laypage count a 2024 crawler reads.
SHANXI_PAGE = """<html><body><div class="cs_two_content">
<a href="http://prec.sxzwfw.gov.cn:80/jyxxzbjh/1060526.jhtml" target="_blank" class="cs_two_c_2">
  <p class="cs_bz_cont">运城市盐湖区2026年农村供水保障工程招标计划</p>
  <p class="cs_bz_cont_1"><span>交易场所：运城市</span>
  <span class="cs_bz_cont_1_time">2026/06/17</span></p></a>
<a href="/jyxx/index.jhtml">交易信息</a>
<a href="http://www.sxzwfw.gov.cn/jyxxzbjh/1060527.jhtml" class="cs_two_c_2">
  <p class="cs_bz_cont">另一站点的链接不算</p></a>
</div><script>laypage.render({elem: 'page',count: 25,limit: 10,curr: 1});</script></body></html>"""
# 天津's row as public crawlers read it (code#23433884083, code#7946139673) on the saved pair
# 1005397 → X^taCNA1q62qn1w3MI5ILA (code#19252821230, 2023).
TIANJIN_PAGE = """<html><body><ul class="article-list2">
<li><div class="article-list3-t"><a href="javascript:void(0)"
 url="http://ggzy.zwfwb.tj.gov.cn:80/jyxxcgjg/1005397.jhtml">天津市某中学教学设备采购项目结果公告</a>
<div class="list-times">2023-02-27</div></div></li></ul>
<div class="page-list"><ul><li><a>1/250页</a></li><li><a href="#">下一页</a></li></ul></div>
</body></html>"""


def test_the_tianjin_link_is_its_id_encrypted_as_the_sites_script_does() -> None:
    assert encrypted_id("1005397", TIANJIN_KEY) == "X^taCNA1q62qn1w3MI5ILA"
    assert encrypted_id("1005398", TIANJIN_KEY) != "X^taCNA1q62qn1w3MI5ILA"


def test_shanxi_posts_the_search_form_and_pages_by_the_action_name() -> None:
    shanxi = adapter("jeecms_query", **SHANXI_OPTIONS)
    first, third = shanxi.list_request(SHANXI, 0), shanxi.list_request(SHANXI, 2)
    assert (first.method, first.url) == ("POST", SHANXI)
    assert third.url == "https://prec.sxzwfw.gov.cn/queryContent_3-jyxx.jspx"
    assert form_of(first) == {"title": "", "inDates": "4000", "ext": "", "origin": "",
                              "channelId": "11", "beginTime": "", "endTime": ""}  # fmt: skip
    assert "X-Requested-With" not in first.headers  # a browser's form post, not jQuery's


def test_tianjin_sends_the_form_as_a_query_with_its_extra_field() -> None:
    request = adapter("jeecms_query", **TIANJIN_OPTIONS).list_request(TIANJIN, 1)
    parts = urlsplit(request.url)
    assert request.method == "GET" and parts.path == "/queryContent_2-jyxx.jspx"
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    assert query["channelId"] == "75" and query["ext1"] == "" and "inDates" in query


def test_a_shanxi_row_is_read_on_the_https_site_and_the_count_gives_the_pages() -> None:
    page = adapter("jeecms_query", **SHANXI_OPTIONS).parse_list(SHANXI, SHANXI_PAGE)
    [item] = page.items
    assert item.url == "https://prec.sxzwfw.gov.cn/jyxxzbjh/1060526.jhtml"
    assert item.title == "运城市盐湖区2026年农村供水保障工程招标计划"
    assert str(item.date) == "2026-06-17" and item.site_doc_id == "1060526"
    assert page.total_pages == 3  # count 25, ten a page


def test_a_tianjin_row_opens_at_its_encrypted_id_and_the_pager_names_the_pages() -> None:
    page = adapter("jeecms_query", **TIANJIN_OPTIONS).parse_list(TIANJIN, TIANJIN_PAGE)
    [item] = page.items
    assert item.url == "https://ggzy.zwfwb.tj.gov.cn/jyxxcgjg/X^taCNA1q62qn1w3MI5ILA.jhtml"
    assert item.title == "天津市某中学教学设备采购项目结果公告"
    assert str(item.date) == "2023-02-27" and item.site_doc_id == "1005397"
    assert page.total_pages == 250


def test_jeecms_options_and_entries_are_checked() -> None:
    with pytest.raises(AdapterOptionsError, match=r"options\.channelId"):
        adapter("jeecms_query")
    with pytest.raises(AdapterOptionsError, match=r"options\.method"):
        adapter("jeecms_query", channelId=1, method="PUT")
    with pytest.raises(AdapterOptionsError, match=r"options\.link_key"):
        adapter("jeecms_query", channelId=1, link_key="short")
    with pytest.raises(AdapterOptionsError, match="queryContent"):
        ADAPTERS["jeecms_query"].check_entry_url("https://prec.sxzwfw.gov.cn/jyxx/index.jhtml")


# -- trs_was5 -----------------------------------------------------------------------------------

# 辽宁's plain JSON and 吉林's JSONP, with the fields public code reads (code#58511756116, 2026;
# code#27163382211, 2023).
LIAONING_ANSWER = {
    "recordnum": 2555,
    "datas": [
        {
            "DOCTITLE": "辽宁省某高速公路改扩建工程施工招标公告",
            "DOCRELTIME": "2026-08-13 09:30:00",
            "DOCPUBURL": "https://ggzy.ln.gov.cn/jyxx/gcjs/zbgg/202608/t20260813_3560001.html",
        }
    ],
}
JILIN_ANSWER = (
    'result({"datas":[{"title":"长春市某小学改造工程招标公告","timestamp":"2023.06.14 10:22:31",'
    '"docpuburl":"/jyxx/gcjs/zbgg/202306/t20230614_8750001.html","tType":"工程建设",'
    '"iType":"招标公告"},{"title":"吉林省某医院设备采购公告","timestamp":"2023.06.14",'
    '"docpuburl":"http://www.jl.gov.cn/ggzy/zfcg/cggg/202306/t20230614_8750002.html"}]});'
)


def test_was5_pages_by_replacing_the_page_and_keeps_the_query_as_the_site_spells_it() -> None:
    request = adapter("trs_was5").list_request(JILIN, 3)
    assert request.method == "GET"
    assert "page=4&" in request.url and "prepage=50" in request.url
    assert "modal%3C%3E3%20and%20gtitle" in request.url and "callback=result" in request.url


def test_liaoning_json_is_read_and_its_recordnum_counts_the_pages() -> None:
    page = adapter("trs_was5").parse_list(LIAONING, json.dumps(LIAONING_ANSWER))
    [item] = page.items
    assert item.url.endswith("/202608/t20260813_3560001.html")
    assert item.title == "辽宁省某高速公路改扩建工程施工招标公告"
    assert str(item.date) == "2026-08-13"
    assert page.total_pages == 171  # 2555 rows, 15 a page


def test_jilin_jsonp_is_unwrapped_and_relative_links_go_under_its_section() -> None:
    jilin = adapter("trs_was5", link_base="https://www.jl.gov.cn/ggzy")
    page = jilin.parse_list(JILIN, JILIN_ANSWER)
    assert [i.url for i in page.items] == [
        "https://www.jl.gov.cn/ggzy/jyxx/gcjs/zbgg/202306/t20230614_8750001.html",
        "http://www.jl.gov.cn/ggzy/zfcg/cggg/202306/t20230614_8750002.html",
    ]
    assert [str(i.date) for i in page.items] == ["2023-06-14", "2023-06-14"]
    assert page.next_request is None, "two rows of fifty: the last page"
    small = jilin.parse_list(JILIN.replace("prepage=50", "prepage=2"), JILIN_ANSWER)
    assert small.next_request is not None and "page=2&" in small.next_request.url


def test_a_was5_placeholder_page_is_a_parse_failure_not_an_empty_list() -> None:
    placeholder = "<html><body>公共资源</body></html>"  # what perpage ≥ 25 gets on 辽宁
    with pytest.raises(ValueError):
        adapter("trs_was5").parse_list(LIAONING, placeholder)
    with pytest.raises(ValueError, match="datas"):
        adapter("trs_was5").parse_list(LIAONING, '{"error": "busy"}')
    with pytest.raises(AdapterOptionsError, match="channelid"):
        ADAPTERS["trs_was5"].check_entry_url("https://ggzy.ln.gov.cn/was5/web/search?page=1")


# -- hubei_jyxx ---------------------------------------------------------------------------------


def test_hubei_posts_the_page_size_and_reads_the_newest_rows_with_their_detail() -> None:
    hubei = adapter("hubei_jyxx")
    request = hubei.list_request(HUBEI, 0)
    assert request.method == "POST" and form_of(request) == {"pageSize": "100", "area": ""}
    assert request.headers["Referer"] == "https://www.hbggzyfwpt.cn/jyxx/jsgcZbgg"
    answer = {"jsgcZbggList": [
        {"bulletinName": "武汉市某污水管网改造工程招标公告", "bulletinIssueTime": "20260813093000",
         "tenderBulletinGuid": "a1b2c3d4-0000-4000-8000-000000000001"},
        {"bulletinName": "", "guid": "no-title"},
    ]}  # fmt: skip
    page = hubei.parse_list(request.url, json.dumps(answer, ensure_ascii=False))
    [item] = page.items
    assert item.url == (
        "https://www.hbggzyfwpt.cn/jyxx/jsgcZbggDetail?guid=a1b2c3d4-0000-4000-8000-000000000001"
    )
    assert str(item.date) == "2026-08-13" and page.total_pages == 1
    assert item.detail is not None and "/jyxxAjax/jsgcZbggDetail?guid=a1b2c3d4" in item.detail.url
    detail = {"tender": {"bulletinName": item.title, "bulletinIssueTime": "2026-08-13 09:30:00",
                         "bulletinContent": "<table><tr><td>招标人</td><td>武汉市水务局</td></tr></table>"}}  # fmt: skip
    html = hubei.detail_html(item, json.dumps(detail, ensure_ascii=False)) or ""
    assert "武汉市水务局" in html and 'content="2026-08-13 09:30:00"' in html
    with pytest.raises(ValueError, match="bulletinContent"):
        hubei.detail_html(item, '{"tender": {}}')


def test_hubei_without_its_list_key_refuses() -> None:
    page = adapter("hubei_jyxx").parse_list(HUBEI, '{"code": 500, "msg": "系统繁忙"}')
    assert page.refused is not None and "jsgcZbggList" in page.refused[1]
    with pytest.raises(AdapterOptionsError, match="jyxxAjax"):
        ADAPTERS["hubei_jyxx"].check_entry_url("https://www.hbggzyfwpt.cn/jyxx/jsgcZbgg")


# -- jiangxi_querylist -----------------------------------------------------------------------

# A record shaped as public crawlers read it (jas0no7/local_spider_jason, 2026-01): urls and
# metadata are JSON inside strings.
JIANGXI_RECORD = {
    "source": {
        "id": "1998765432101234567",
        "title": "江西省工业和信息化厅关于开展2026年工业互联网试点示范申报工作的通知",
        "pubDate": "2026-01-15 10:00:00",
        "metadata": json.dumps({"author": "江西省工业和信息化厅"}, ensure_ascii=False),
        "content": {"content": "<p>各设区市工信局：现将申报工作有关事项通知如下。</p>"},
        "urls": json.dumps({"pc": "/jxsgyhxxht/zcwj/pc/content/content_1998765432101234567.html"}),
    }
}


def test_jiangxi_posts_the_column_and_builds_documents_from_the_records() -> None:
    jiangxi = adapter("jiangxi_querylist", webSiteCode="jxsgyhxxht", channelCode="zcwj")
    request = jiangxi.list_request(JIANGXI, 0)
    assert form_of(request) == {"current": "1", "pageSize": "15", "webSiteCode[]": "jxsgyhxxht",
                                "channelCode[]": "zcwj", "sort": "sortNum", "order": "desc"}  # fmt: skip
    assert request.headers["Referer"] == "https://gxt.jiangxi.gov.cn/jxsgyhxxht/zcwj/index.html"
    answer = {"data": {"results": [JIANGXI_RECORD] * 15}}
    page = jiangxi.parse_list(request.url, json.dumps(answer, ensure_ascii=False))
    item = page.items[0]
    assert item.url == (
        "https://gxt.jiangxi.gov.cn/jxsgyhxxht/zcwj/pc/content/content_1998765432101234567.html"
    )
    assert str(item.date) == "2026-01-15" and item.site_doc_id == "1998765432101234567"
    assert item.inline_html is not None and "现将申报工作有关事项" in item.inline_html
    assert 'content="江西省工业和信息化厅"' in item.inline_html
    assert page.next_request is not None and form_of(page.next_request)["current"] == "2"
    last = jiangxi.parse_list(page.next_request.url, json.dumps({"data": {"results": []}}))
    assert last.items == [] and last.next_request is None


def test_jiangxi_without_results_refuses_and_needs_its_column() -> None:
    jiangxi = adapter("jiangxi_querylist", webSiteCode="jxsgyhxxht", channelCode="zcwj")
    page = jiangxi.parse_list(JIANGXI, '{"code": 500, "message": "error"}')
    assert page.refused is not None and "data.results" in page.refused[1]
    with pytest.raises(AdapterOptionsError, match=r"options\.channelCode"):
        adapter("jiangxi_querylist", webSiteCode="jxsgyhxxht")


# -- the packaged registry and the replica -------------------------------------------------------

BUILT = {
    "shanxi-trading": "jeecms_query",
    "tianjin-trading": "jeecms_query",
    "jilin-trading": "trs_was5",
    "liaoning-trading": "trs_was5",
    "hubei-trading": "hubei_jyxx",
    "jiangxi-industry": "jiangxi_querylist",
}


def test_the_sources_are_on_their_families_and_the_unbuildable_keep_their_needs() -> None:
    registry = load_registry()
    for source_id, family in BUILT.items():
        source = registry.get(source_id)
        assert (source.adapter, source.needs, source.confidence) == (family, None, "confirmed")
    procurement = registry.get("liaoning-procurement")
    assert procurement.needs and "'fn'" in procurement.notes and procurement.confidence == "guess"
    ningxia = registry.get("ningxia-procurement")
    assert ningxia.needs and ningxia.captcha


@pytest.fixture(scope="module")
def rep() -> Iterator[ReplicaThread]:
    with ReplicaThread(seed=5) as replica:
        yield replica


@pytest.mark.parametrize("source_id", sorted(BUILT))
def test_paging_the_replica_lists_every_document_and_each_opens(
    rep: ReplicaThread, source_id: str
) -> None:
    source = load_registry().get(source_id)
    reader = ADAPTERS[source.adapter](source.options)
    truth = [d for d in rep.replica.documents() if d["source_id"] == source_id]
    listed, request = [], reader.list_request(source.entry_urls[0], 0)
    for index in range(40):
        status, text = send_request(rep.base_url, request)
        assert status == 200, (source_id, index, request.url)
        page = reader.parse_list(request.url, text)
        listed += page.items
        if page.next_request is not None:
            request = page.next_request
        elif page.total_pages is not None and index + 1 < page.total_pages:
            request = reader.list_request(source.entry_urls[0], index + 1)
        else:
            break
    assert len(truth) >= 12
    assert [i.url for i in listed] == [d["real_url"] for d in truth]
    assert [i.title for i in listed] == [d["title"] for d in truth]
    item = listed[0]
    if item.inline_html is None:
        status, text = send_request(rep.base_url, item.detail or PageRequest(item.url))
        html = reader.detail_html(item, text) if item.detail else text
        assert status == 200 and item.title is not None and item.title in (html or "")


def test_the_replica_wants_each_familys_method(rep: ReplicaThread) -> None:
    assert send_request(rep.base_url, PageRequest(HUBEI))[0] == 405
    assert send_request(rep.base_url, PageRequest(JIANGXI))[0] == 405
    other = adapter("jiangxi_querylist", webSiteCode="jxsgyhxxht", channelCode="nosuch")
    status, text = send_request(rep.base_url, other.list_request(JIANGXI, 0))
    assert status == 200 and json.loads(text)["data"]["results"] == []
