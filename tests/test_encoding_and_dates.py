"""Decoding Chinese pages and reading Chinese dates."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.extract.encoding import decode_html
from spiders.dates import date_from_url, find_dates, parse_date

PAGE = (
    "<html><head>{meta}</head><body><p>关于推进区块链技术应用的通知 朱镕基 2024年</p></body></html>"
)


def gbk_page(meta: str = '<meta charset="gb2312">') -> bytes:
    return PAGE.format(meta=meta).encode("gbk")


def test_gb2312_declaration_is_decoded_as_gb18030_so_gbk_only_characters_survive() -> None:
    decoded = decode_html(gbk_page(), "text/html; charset=gb2312")
    assert "朱镕基" in decoded.text  # 镕 is GBK, not GB2312
    assert decoded.encoding == "gb18030"
    assert decoded.note is None


def test_a_header_claiming_utf8_on_gbk_bytes_is_overruled_and_noted() -> None:
    decoded = decode_html(gbk_page(), "text/html; charset=utf-8")
    assert "区块链" in decoded.text
    assert decoded.encoding == "gb18030"
    assert decoded.note is not None and "header said utf-8" in decoded.note


def test_a_header_claiming_gbk_on_utf8_bytes_is_overruled_and_noted() -> None:
    body = PAGE.format(meta='<meta charset="utf-8">').encode("utf-8")
    decoded = decode_html(body, "text/html; charset=gbk")
    assert "区块链" in decoded.text
    assert decoded.encoding == "utf-8"
    assert decoded.note is not None and "header said gbk" in decoded.note


def test_meta_declaration_is_used_when_there_is_no_header() -> None:
    decoded = decode_html(
        gbk_page('<meta http-equiv="Content-Type" content="text/html; charset=GBK">')
    )
    assert "区块链" in decoded.text and decoded.encoding == "gb18030"


def test_undecodable_bytes_keep_the_reading_that_loses_least_and_say_so() -> None:
    body = gbk_page() + b"\xff\xff\xff"
    decoded = decode_html(body)
    assert "区块链" in decoded.text
    assert decoded.note is not None and "replacement" in decoded.note


def test_utf8_bom_wins() -> None:
    decoded = decode_html(b"\xef\xbb\xbf" + "区块链".encode(), "text/html; charset=gbk")
    assert decoded.text == "区块链" and decoded.encoding == "utf-8"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025年3月15日", datetime(2025, 3, 15)),
        ("发布时间：2025年03月15日 10:30", datetime(2025, 3, 15, 10, 30)),
        ("2025年3月15日10时30分", datetime(2025, 3, 15, 10, 30)),
        ("二〇二五年三月十五日", datetime(2025, 3, 15)),
        ("二〇一九年十二月三十一日", datetime(2019, 12, 31)),
        ("２０２５年３月１５日", datetime(2025, 3, 15)),
        ("2025-03-15 10:30:00", datetime(2025, 3, 15, 10, 30)),
        ("2025/3/15", datetime(2025, 3, 15)),
        ("2025.03.15", datetime(2025, 3, 15)),
        ("2023年2月30日", None),
        ("第12345678号", None),
    ],
)
def test_chinese_dates_in_every_spelling(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_find_dates_returns_them_in_order_of_appearance() -> None:
    found = [d for _, d in find_dates("成文日期：二〇二四年一月五日 发布日期：2024-01-08")]
    assert found == [datetime(2024, 1, 5), datetime(2024, 1, 8)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.cq.gov.cn/zwgk/202401/t20240125_1234567.html", datetime(2024, 1, 25)),
        ("https://www.jiangsu.gov.cn/art/2021/4/27/art_84242_59041515.html", datetime(2021, 4, 27)),
        ("https://www.gd.gov.cn/gkmlpt/content/4/4851/post_4851130.html", None),
    ],
)
def test_dates_stamped_into_cms_urls(url: str, expected: datetime | None) -> None:
    assert date_from_url(url) == expected
