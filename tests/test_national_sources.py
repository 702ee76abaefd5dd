"""The national sources' own formats: gov.cn's column JSON feed and the work report's page.

Feed entries are shaped as public crawlers of www.gov.cn record them (2026): an array of
``TITLE`` / ``URL`` / ``DOCRELPUBTIME``, the URL whole or root-relative.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from spiders.adapters import ADAPTERS, AdapterOptionsError
from spiders.adapters.base import PARSE_ERRORS
from spiders.registry import load_registry

FEED = "https://www.gov.cn/zhengce/zuixin/ZUIXINZHENGCE.json"
YEAR_URL = "https://www.gov.cn/guowuyuan/{year}zfgzbg.htm"


def test_the_feed_gives_each_entry_with_its_date_and_a_whole_url() -> None:
    feed = ADAPTERS["govcn_feed"]({})
    entries = [
        {
            "TITLE": "国务院关于推进区块链技术应用的意见",
            "URL": "https://www.gov.cn/zhengce/content/202609/content_7012345.htm",
            "DOCRELPUBTIME": "2026-09-11",
        },
        {
            "TITLE": " 国务院办公厅关于印发数字政府建设方案的通知 ",
            "URL": "/zhengce/content/202608/content_7001234.htm",
            "DOCRELPUBTIME": "2026-08-30 10:00:00",
        },
        {"TITLE": "没有链接的条目", "URL": "", "DOCRELPUBTIME": "2026-08-01"},
        "not an entry",
    ]
    page = feed.parse_list(FEED, json.dumps(entries, ensure_ascii=False))

    assert [(i.url, i.title, i.date) for i in page.items] == [
        (
            "https://www.gov.cn/zhengce/content/202609/content_7012345.htm",
            "国务院关于推进区块链技术应用的意见",
            date(2026, 9, 11),
        ),
        (
            "https://www.gov.cn/zhengce/content/202608/content_7001234.htm",
            "国务院办公厅关于印发数字政府建设方案的通知",
            date(2026, 8, 30),
        ),
    ]
    assert page.total_pages == 1 and feed.page_url(FEED, 0) == FEED


@pytest.mark.parametrize("answer", ['{"unexpected": []}', "<html>验证码</html>"])
def test_a_feed_of_another_shape_is_a_parse_failure_not_an_empty_list(answer: str) -> None:
    with pytest.raises(PARSE_ERRORS):
        ADAPTERS["govcn_feed"]({}).parse_list(FEED, answer)


REPORT = """<html><head><meta charset="utf-8"><title>政府工作报告</title>
<meta name="firstpublishedtime" content="2025-03-12 19:30:06"></head><body>
<div class="conlun2_box_text"><p>政府工作报告</p>
<p>——2025年3月5日在第十四届全国人民代表大会第三次会议上</p>
<p>国务院总理 李强</p><p>各位代表：现在，我代表国务院，向大会报告工作。</p></div></body></html>"""


def test_the_report_page_is_one_document_named_by_its_years_address() -> None:
    reader = ADAPTERS["report_page"]({"year_url": YEAR_URL})
    page = reader.parse_list("https://www.gov.cn/guowuyuan/zfgzbg.htm", REPORT)

    [item] = page.items
    assert item.url == "https://www.gov.cn/guowuyuan/2025zfgzbg.htm"
    assert item.date == date(2025, 3, 5) and item.title == "政府工作报告"
    assert item.inline_html == REPORT and page.total_pages == 1


def test_without_a_delivery_line_the_pages_date_meta_names_the_year() -> None:
    page = REPORT.replace("——2025年3月5日在第十四届全国人民代表大会第三次会议上", "")
    [item] = ADAPTERS["report_page"]({"year_url": YEAR_URL}).parse_list(FEED, page).items
    assert item.url.endswith("/2025zfgzbg.htm") and item.date == date(2025, 3, 12)


def test_a_page_with_no_date_at_all_is_a_parse_failure() -> None:
    with pytest.raises(PARSE_ERRORS):
        ADAPTERS["report_page"]({"year_url": YEAR_URL}).parse_list(FEED, "<p>维护中</p>")


def test_a_year_url_without_the_year_is_refused_by_name() -> None:
    with pytest.raises(AdapterOptionsError, match="year_url"):
        ADAPTERS["report_page"]({"year_url": "https://www.gov.cn/guowuyuan/zfgzbg.htm"})


def test_the_national_sources_use_these_families_and_need_nothing_else() -> None:
    registry = load_registry()
    report, policy = registry.get("national-work-report"), registry.get("national-policy")
    assert (report.adapter, policy.adapter) == ("report_page", "govcn_feed")
    assert report.needs is None and policy.needs is None
    assert policy.confidence == "confirmed"
