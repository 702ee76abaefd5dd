"""The extractor on real saved government pages (../shared/fixtures/pages, PROVENANCE.md)."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.extract.page import extract_page, tidy_title
from crawler.extract.page_kinds import PageKind, classify_page
from tests.conftest import PAGES


def read(relative: str, **kwargs):  # type: ignore[no-untyped-def]
    return extract_page((PAGES / relative).read_bytes(), **kwargs)


@pytest.mark.parametrize(
    "page", sorted(p.relative_to(PAGES).as_posix() for p in PAGES.glob("*/412_*.html"))
)
def test_every_412_page_is_a_ruishu_challenge_not_a_document(page: str) -> None:
    result = read(page, status=412)
    assert result.kind is PageKind.CHALLENGE
    assert "瑞数" in result.reason
    assert result.body_text == "" and result.title is None


@pytest.mark.parametrize(
    "page", sorted(p.relative_to(PAGES).as_posix() for p in PAGES.glob("*/412_*.html"))
)
def test_a_412_page_is_recognised_by_its_markup_even_without_the_status(page: str) -> None:
    assert classify_page((PAGES / page).read_text("utf-8")).kind is PageKind.CHALLENGE


@pytest.mark.parametrize(
    "page", sorted(p.relative_to(PAGES).as_posix() for p in PAGES.glob("*/200_*.html"))
)
def test_every_200_page_is_content_not_a_challenge(page: str) -> None:
    assert read(page).kind.is_content


def test_gansu_detail_takes_the_visible_publication_date_not_the_page_generation_time() -> None:
    # Its PubDate meta holds 页面生成时间 2023-04-18; the page says 发布时间：2022-05-06 15:16.
    result = read("scjg.gansu.gov.cn/200_detail_after_cookie.html")
    assert result.kind is PageKind.DOCUMENT
    assert result.title == "甘肃省市场监督管理局国产保健食品备案信息查询"
    assert result.published_at == datetime(2022, 5, 6, 15, 16)
    assert result.site_name == "甘肃省市场监督管理局"
    assert "兰州奇正生态健康品有限公司" in result.body_text
    assert "新闻中心" not in result.body_text  # navigation is not body


def test_hubei_detail_reads_metas_and_the_information_table() -> None:
    result = read("scjg.hubei.gov.cn/200_detail_after_cookie.html")
    assert result.title is not None and result.title.startswith(
        "湖北省市场监督管理局办公室关于转发"
    )
    assert result.published_at == datetime(2023, 8, 28, 8, 15)
    # The table's 文号 is "便函"; the 〔2023〕37号 in the body belongs to the forwarded document.
    assert result.doc_number == "便函"
    assert result.sources["doc_number"] == "infotable:发文字号"
    assert result.publisher == "湖北省市场监督管理局"
    assert result.doc_type == "通知"
    assert result.body_text.startswith("各市、州、直管市、神农架林区市场监管局")
    assert "网站标识码" not in result.body_text


def test_hubei_json_list_is_read_as_records_not_as_a_document() -> None:
    result = read("scjg.hubei.gov.cn/200_home_after_cookie.html")
    assert result.kind is PageKind.JSON
    assert len(result.items) > 100
    first = result.items[0]
    assert first["url"].startswith("http://scjg.hubei.gov.cn/zfxxgk/")
    assert first["title"].startswith("湖北省市场监督管理局办公室转发")


def test_gansu_search_result_page_is_a_listing_of_dated_links() -> None:
    result = read("scjg.gansu.gov.cn/200_search_list_after_cookie.html")
    assert result.kind is PageKind.LISTING
    titles = [item["title"] for item in result.items]
    assert "甘肃省市场监督管理局关于保健食品备案的通告（2020年第1期）" in titles


def test_hanweb_page_wrapped_in_another_page_reads_its_own_metas_and_marked_body() -> None:
    result = read("www.zhuji.gov.cn/zhaobiao_detail_hanweb_wrapped.html")
    assert result.title == "大唐街道美丽城镇建设项目-吉阳路、泰荣路、嘉业路改造工程（施工）"
    assert result.published_at == datetime(2021, 4, 27, 10, 29)
    assert result.sources["body"] == "hanweb:ZJEG_RSS.content"
    assert "补充公告" in result.body_text
    assert "xml:namespace" not in result.body_text
    assert "浏览次数" not in result.body_text
    assert result.doc_type == "招标公告"  # from its column 招标公告


def test_page_without_metas_takes_its_title_from_the_body_not_the_wrapper_title() -> None:
    result = read("www.zhuji.gov.cn/ceshi_2.html")
    assert result.title == "织里镇翰林金街周边绿化工程施工招标公告"
    assert result.doc_type == "招标公告"
    # 吴发改经投织【2020】59号 approves the project; it is not this notice's number.
    assert result.doc_number is None


def test_a_bare_date_under_the_title_is_read_when_nothing_else_dates_the_page() -> None:
    page = (
        "<html><head><title>某市公共资源交易中心</title></head><body><div class='nav'>首页 交易信息</div>"
        "<div class='box'><h2>某市智慧城市区块链平台建设项目中标结果公示</h2>"
        "<p>2025-12-12 18:35　来源：某市公共资源交易中心</p>"
        "<p>一、项目编号：ZB-2025-118</p><p>二、项目名称：某市智慧城市区块链平台建设项目</p>"
        "<p>三、中标信息：某某科技有限公司，中标金额 128 万元。这里是足够长的正文内容，用来让通用提取器找到正文。</p>"
        "</div><div class='side'><ul><li><a href='/a.html'>另一则公告标题很长很长</a> 2026-01-05</li></ul></div>"
        "</body></html>"
    ).encode()
    result = extract_page(page, "http://ggzy.example.gov.cn/jyxx/abc.html")
    assert result.title == "某市智慧城市区块链平台建设项目中标结果公示"
    assert result.published_at == datetime(2025, 12, 12, 18, 35)
    assert result.sources["published_at"] == "near-title"


NOTICES = PAGES.parent / "notices"


@pytest.mark.parametrize(
    ("page", "title"),
    [
        # A 招标人: cell styled "title" and a bare "中标候选人公示" heading are no titles: the
        # crawl takes the list's title instead.
        ("hubei-2025-award-1.html", None),
        ("hubei-2025-candidates-1.html", None),
        ("shanxi-2026-tender-2.html", "2026年退役军人春节慰问品采购的采购公告"),
        ("quanguo-2026-tender-2.html", "山西省忻州市原平市消防救援大队食堂服务外包项目竞争性磋商"),
    ],
)
def test_real_notice_pages_give_their_title_or_none_never_a_label(
    page: str, title: str | None
) -> None:
    assert extract_page((NOTICES / page).read_bytes()).title == title


@pytest.mark.parametrize(
    ("candidate", "title"),
    [
        ('<font color="red">某某项目中标公告</font>', "某某项目中标公告"),
        ("采购项目名称", None),
        ("标的基本信息", None),
        ("招标人:", None),
        ("浙江政府采购网", None),
        ("某某省公共资源交易中心", None),
        ("(市交易中心)某某县道路工程施工招标公告", "某某县道路工程施工招标公告"),
        ("某某项目中标结果公告_8a7f3c21e9", "某某项目中标结果公告"),
        ("【区块链】应用试点通知", "【区块链】应用试点通知"),
        ("关于推进2024年区块链创新应用的通知", "关于推进2024年区块链创新应用的通知"),
    ],
)
def test_a_title_is_never_markup_a_label_a_site_name_a_prefix_or_an_id(
    candidate: str, title: str | None
) -> None:
    assert tidy_title(candidate, "浙江政府采购网") == title


def test_a_doc_number_stated_only_in_the_title_is_read() -> None:
    html = (
        "<html><head><title>x</title></head><body><h1>某某市行政处罚结果信息公开表"
        "（浙金罚决字〔2024〕52号）</h1><div class='content'><p>"
        + "当事人某某公司违反规定，处以罚款。" * 20
        + "</p></div></body></html>"
    ).encode()
    extraction = extract_page(html)

    assert extraction.doc_number == "浙金罚决字〔2024〕52号"
    assert extraction.sources["doc_number"] == "title"
