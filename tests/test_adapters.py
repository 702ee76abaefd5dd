"""Each adapter family reads its documented wire format (spiders/adapters/FAMILIES.md)."""

from __future__ import annotations

import json
from datetime import date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from spiders.adapters import ADAPTERS, AdapterOptionsError


def adapter(name: str, **options: object):  # type: ignore[no-untyped-def]
    return ADAPTERS[name](options)


def test_every_family_of_the_contract_is_registered() -> None:
    assert set(ADAPTERS) == {
        "trs_static",
        "generic_list",
        "hanweb_jpage",
        "hunan_form",
        "hubei_jyxx",
        "jeecms_query",
        "jiangxi_querylist",
        "trs_was5",
        "gkmlpt",
        "freecms",
        "gpcms",
        "guizhou_es",
        "zcy",
        "ccgp_channel",
        "ccgp_search",
        "chongqing_json",
        "epoint_search",
        "epoint_list",
        "ggzy",
        "search_json",
        "shandong_api",
        "jcms",
        "govcn_feed",
        "report_page",
        "yunnan_json",
        "nmg_trssearch",
    }


@pytest.mark.parametrize(
    ("name", "missing"),
    [
        ("hanweb_jpage", "columnid"),
        ("freecms", "siteId"),
        ("zcy", "categoryCode"),
        ("search_json", "channel"),
        ("jcms", "webId"),
    ],
)
def test_missing_required_options_are_named(name: str, missing: str) -> None:
    with pytest.raises(AdapterOptionsError, match=f"options.{missing}"):
        adapter(name)


HANWEB_PAGE = """<html><body><div id="div84242"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=1&path=/&columnid=84242&unitid=356383&webname=江苏省人民政府&permissiontype=0"></a>]]></nextgroup>
<recordset><record><![CDATA[<li class="clearfix"><a href="/art/2024/1/25/art_84242_1001.html" title="省政府关于推进区块链发展的意见">省政府关于推进区块链…</a><span class="time">2024-01-25</span></li>]]></record>
<record><![CDATA[<li class="clearfix"><a href="/art/2024/1/20/art_84242_1000.html" title="另一文件">另一文件</a><span class="time">2024-01-20</span></li>]]></record>
</recordset><totalrecord>100</totalrecord></datastore></script></div></body></html>"""


def test_hanweb_reads_records_hidden_in_cdata_and_posts_three_screens_a_request() -> None:
    hanweb = adapter("hanweb_jpage", columnid=84242, unitid=356383, webid=1, perpage=15)
    entry = "https://www.jiangsu.gov.cn/col/col84242/index.html"
    page = hanweb.parse_list(entry, HANWEB_PAGE)
    assert [i.url for i in page.items] == [
        "https://www.jiangsu.gov.cn/art/2024/1/25/art_84242_1001.html",
        "https://www.jiangsu.gov.cn/art/2024/1/20/art_84242_1000.html",
    ]
    assert page.items[0].title == "省政府关于推进区块链发展的意见"
    assert page.items[0].date == date(2024, 1, 25) and page.items[0].site_doc_id == "1001"
    assert page.total_pages == 1 + 3  # 100 records, 45 per request
    second = hanweb.list_request(entry, 2)
    assert second.method == "POST"
    assert second.url == (
        "https://www.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp"
        "?startrecord=46&endrecord=90&perpage=15"
    )
    form = parse_qs(second.body or "")
    assert form["columnid"] == ["84242"] and form["unitid"] == ["356383"] and form["webid"] == ["1"]


def test_gkmlpt_learns_the_site_id_then_pages_the_json_api() -> None:
    gkmlpt = adapter("gkmlpt", category=5)
    entry = "http://www.gd.gov.cn/gkmlpt/index"
    assert gkmlpt.list_request(entry, 0).url == entry
    first = gkmlpt.parse_list(entry, "<script>window._CONFIG = {SID: '2', TREE: []};</script>")
    assert first.items == [] and first.total_pages == 2
    api = gkmlpt.list_request(entry, 1)
    assert api.url == "http://www.gd.gov.cn/gkmlpt/api/all/5?page=1&sid=2"
    answer = {"total": 250, "articles": [{"id": 4851130, "title": "广东省政府工作报告",
              "url": "http://www.gd.gov.cn/gkmlpt/content/4/4851/post_4851130.html",
              "display_publish_time": 1769990400}]}  # fmt: skip
    page = gkmlpt.parse_list(api.url, json.dumps(answer))
    assert page.items[0].site_doc_id == "4851130" and page.items[0].date == date(2026, 2, 2)
    assert page.total_pages == 3 + 1


def test_gkmlpt_with_a_known_site_id_starts_at_the_api() -> None:
    gkmlpt = adapter("gkmlpt", sid="2")
    assert gkmlpt.list_request("http://www.gd.gov.cn/gkmlpt/index", 0).url.endswith(
        "/gkmlpt/api/all/0?page=1&sid=2"
    )


def test_freecms_pages_by_currpage_and_links_htmlpath() -> None:
    freecms = adapter("freecms", siteId="cd64e06a", channel="fca71be5", pageSize=10)
    entry = "https://gdgpo.czt.gd.gov.cn/freecms/rest/v1/notice/selectInfoMoreChannel.do"
    request = freecms.list_request(entry, 1)
    query = parse_qs(urlsplit(request.url).query)
    assert (
        query["currPage"] == ["2"]
        and query["siteId"] == ["cd64e06a"]
        and query["channel"] == ["fca71be5"]
    )
    answer = {"code": "200", "total": 35, "data": [{"id": "a1", "title": "区块链平台采购中标公告",
              "noticeTime": "2024-01-25 10:30:00", "htmlpath": "/freecms/site/gd/ggxx/info/2024/a1.html"}]}  # fmt: skip
    page = freecms.parse_list(request.url, json.dumps(answer))
    assert page.items[0].url == "https://gdgpo.czt.gd.gov.cn/freecms/site/gd/ggxx/info/2024/a1.html"
    assert page.items[0].date == date(2024, 1, 25) and page.total_pages == 4


def test_zcy_posts_json_and_turns_the_json_detail_into_a_page() -> None:
    """More in tests/test_zcy_portal.py (real saved answers, options, the replica)."""
    zcy = adapter("zcy", categoryCode="ZcyAnnouncement4", parentId="4149")
    entry = "http://www.ccgp-qinghai.gov.cn/portal/category"
    request = zcy.list_request(entry, 0)
    assert request.method == "POST" and request.headers["Content-Type"].startswith(
        "application/json"
    )
    assert json.loads(request.body or "")["categoryCode"] == "ZcyAnnouncement4"
    answer = {"success": True, "result": {"data": {"total": 31, "data": [
        {"articleId": "ab+c/d==", "title": "区块链项目结果公告", "publishDate": 1706150400000}]}}}  # fmt: skip
    page = zcy.parse_list(entry, json.dumps(answer))
    item = page.items[0]
    assert item.url == (
        "http://www.ccgp-qinghai.gov.cn/site/detail?parentId=4149&articleId=ab%2Bc%2Fd%3D%3D"
    )
    assert item.detail is not None
    assert item.detail.url.endswith("/portal/detail?articleId=ab%2Bc%2Fd%3D%3D&parentId=4149")
    assert page.total_pages == 3
    detail = {"success": True, "result": {"data": {"title": "区块链项目结果公告", "publishDate": 1706150400000,
              "content": "<p>中标供应商：北京链谷科技有限公司</p>", "author": "青海省政府采购中心"}}}  # fmt: skip
    html = zcy.detail_html(item, json.dumps(detail))
    assert html is not None and 'name="ArticleTitle" content="区块链项目结果公告"' in html
    assert "北京链谷科技有限公司" in html


CCGP_CHANNEL = """<html><body><ul class="c_list_bid">
<li><a href="./202606/t20260622_26784726.htm" title="某市区块链平台采购项目中标公告">某市区块链平台…</a>
<em>2026-06-22 10:00</em><em>北京</em><em>某市数据局</em></li></ul>
<script>Pager({size: 25, current: 0, prefix: 'index', suffix: 'htm'});</script></body></html>"""


def test_ccgp_channel_reads_c_list_bid_and_its_pager() -> None:
    ccgp = adapter("ccgp_channel")
    entry = "http://www.ccgp.gov.cn/cggg/dfgg/zbgg/index.htm"
    page = ccgp.parse_list(entry, CCGP_CHANNEL)
    assert page.total_pages == 25
    assert (
        page.items[0].url == "http://www.ccgp.gov.cn/cggg/dfgg/zbgg/202606/t20260622_26784726.htm"
    )
    assert page.items[0].site_doc_id == "26784726" and page.items[0].date == date(2026, 6, 22)
    assert ccgp.list_request(entry, 2).url == "http://www.ccgp.gov.cn/cggg/dfgg/zbgg/index_2.htm"


CCGP_SEARCH = """<html><head><title>中国政府采购网搜索</title></head><body>
<p>共找到 <span>42</span> 条内容</p><ul class="vT-srch-result-list-bid"><li>
<a href="http://www.ccgp.gov.cn/cggg/dfgg/gkzb/202609/t20260923_1234.htm">某省<font color="red">区块链</font>平台采购公告</a>
<p>摘要</p><span>2026.09.23 12:30:10 | 采购人：某省大数据局 | 代理机构：某代理 <br/><strong>公开招标</strong> | 浙江 | <strong>服务</strong></span></li></ul>
<script>Pager({size: 3, current: 0});</script></body></html>"""


def test_ccgp_search_reads_results_and_pages_by_page_index() -> None:
    search = adapter("ccgp_search")
    entry = "http://search.ccgp.gov.cn/bxsearch?searchtype=1&page_index=1&kw=%E5%8C%BA%E5%9D%97%E9%93%BE"
    page = search.parse_list(entry, CCGP_SEARCH)
    assert page.items[0].title == "某省区块链平台采购公告" and page.items[0].date == date(
        2026, 9, 23
    )
    assert page.total_pages == 3
    assert parse_qs(urlsplit(search.list_request(entry, 1).url).query)["page_index"] == ["2"]
    assert ADAPTERS["ccgp_search"].PAGE_CAP == 3


def test_ccgp_search_rate_limit_page_is_a_refusal_not_an_empty_list() -> None:
    page = adapter("ccgp_search").parse_list(
        "http://search.ccgp.gov.cn/bxsearch",
        "<html><head><title>频繁访问!中国政府采购网</title></head></html>",
    )
    assert page.refused is not None and page.refused[0] == "rate_limited"


def test_search_json_builds_documents_from_the_list_without_fetching_them() -> None:
    search = adapter("search_json", channel="c7eb6a51b99845ea906d5ec83b0f8e27", pageSize=15)
    request = search.list_request(
        "https://www.hlj.gov.cn/common/search/c7eb6a51b99845ea906d5ec83b0f8e27", 1
    )
    assert "_isJson=true" in request.url and "page=2" in request.url
    answer = {"data": {"total": 31, "results": [{"title": "黑龙江省人民政府关于区块链的通知",
              "url": "https://www.hlj.gov.cn/hlj/c108371/202401/c00_31700000.shtml",
              "publishedTimeStr": "2024-01-25 10:30:00", "contentHtml": "<p>推进区块链应用。</p>",
              "domainMetaList": [{"resultList": [{"key": "refno", "value": "黑政发〔2024〕1号"}]}]}]}}  # fmt: skip
    page = search.parse_list(request.url, json.dumps(answer))
    item = page.items[0]
    assert item.inline_html is not None and "推进区块链应用" in item.inline_html
    assert page.total_pages == 3

    from crawler.extract.page import extract_page

    extraction = extract_page(item.inline_html.encode(), item.url)
    assert extraction.title == "黑龙江省人民政府关于区块链的通知"
    assert extraction.doc_number == "黑政发〔2024〕1号"
    assert str(extraction.published_at) == "2024-01-25 10:30:00"


def test_jcms_reads_the_html_inside_the_json_and_its_pagination_attributes() -> None:
    jcms = adapter("jcms", webId=3185, pageId=1229, rows=15)
    request = jcms.list_request("https://jxt.zj.gov.cn/col/col1229/index.html", 0)
    assert request.url.startswith(
        "https://jxt.zj.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?"
    )
    html = (
        '<ul><li><a href="/art/2024/1/25/art_1229_5001.html" title="关于区块链的通知">关于…</a>'
        '<span>2024-01-25</span></li></ul><div class="pagination" count="40" rows="15" pageNo="1"></div>'
    )
    page = jcms.parse_list(request.url, json.dumps({"success": True, "data": {"html": html}}))
    assert page.items[0].url == "https://jxt.zj.gov.cn/art/2024/1/25/art_1229_5001.html"
    assert page.items[0].site_doc_id == "5001" and page.total_pages == 3


def test_generic_list_finds_dated_links_of_the_same_site_and_follows_next_page() -> None:
    html = """<html><body><div class="nav"><a href="/">首页首页首页</a></div><table>
    <tr><td><a href="/news/2024/abc.html">关于推进区块链应用的公告</a></td><td>2024年1月25日</td></tr>
    <tr><td><a href="https://elsewhere.example/x.html">别的网站的文章标题</a></td><td>2024-01-20</td></tr>
    </table><a href="list_2.html">下一页</a></body></html>"""
    page = adapter("generic_list").parse_list("http://ggzy.example.gov.cn/list/list_1.html", html)
    assert [i.url for i in page.items] == ["http://ggzy.example.gov.cn/news/2024/abc.html"]
    assert page.items[0].date == date(2024, 1, 25)
    assert (
        page.next_request is not None
        and page.next_request.url == "http://ggzy.example.gov.cn/list/list_2.html"
    )


def test_an_epoch_no_calendar_holds_is_no_date() -> None:
    """Found by tests/test_fuzz.py: a mutated ZCY answer's publishDate overflowed time_t."""
    from spiders.adapters.base import epoch_to_datetime

    for absurd in ("9" * 30, "1e300", "-1e300", "nan", "inf", 10**22):
        assert epoch_to_datetime(absurd) is None
    assert epoch_to_datetime(1704153600000) == datetime(2024, 1, 2, 8, 0)


PAGED = sorted(name for name, cls in ADAPTERS.items() if cls.DEFAULT_PAGE_SIZE is not None)


def _required(name: str) -> dict[str, object]:
    return {option: "x" for option in ADAPTERS[name].REQUIRED_OPTIONS}


@pytest.mark.parametrize("name", PAGED)
def test_a_family_that_pages_by_page_size_reads_and_checks_it(name: str) -> None:
    cls = ADAPTERS[name]
    assert cls(_required(name)).page_size == cls.DEFAULT_PAGE_SIZE
    assert cls({**_required(name), "pageSize": 7}).page_size == 7
    for wrong in (0, 101, "20", True, 2.5):
        with pytest.raises(AdapterOptionsError) as refused:
            cls({**_required(name), "pageSize": wrong})
        assert str(refused.value) == (
            f"adapter {name!r} options.pageSize must be 1 to 100, not {wrong!r}"
        )


def test_a_family_without_a_page_size_refuses_the_option_as_unknown() -> None:
    assert len(PAGED) >= 7  # the JSON and form APIs of site families
    with pytest.raises(AdapterOptionsError, match="has no option 'pageSize'"):
        ADAPTERS["generic_list"]({"pageSize": 20})
