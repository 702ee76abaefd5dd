"""Real saved detail pages, labelled by reading them, read through the crawl's own path.

The corpus (tests/fixtures/detail_pages/, provenance in its PROVENANCE.md) is still small: seven
pages from seven hosts (a provincial department on Hanweb, a provincial portal and a central
agency on TRS, gov.cn's 国务院公报, an institution's CMS, a 中国政府采购网 notice, a 湖北
procurement notice fragment). The saved HTML notices of tests/fixtures/notices/ whose labelled
title the page states are measured for their titles too (Word-made fragments whose title is broken
over the body's first lines). The bar is what the extractor reaches on them: every title and every
date right, and no 文号 invented where a page states none.
``python -m tests.detail_page_corpus`` lists every miss.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from tests.detail_page_corpus import (
    CORPUS,
    Scored,
    blob_id,
    labels,
    notice_pages,
    provenance_markdown,
    score,
    score_notice,
    totals,
)
from tests.test_notice_corpus import RESERVED


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    return [score(label) for label in labels()]


def test_every_page_is_the_repository_file_byte_for_byte_and_not_from_a_reserved_repo() -> None:
    ids = Counter(label["id"] for label in labels())
    assert [i for i, n in ids.items() if n > 1] == []
    for label in labels():
        where = label["id"]
        path = CORPUS / label["file"]
        assert path.is_file(), where
        assert blob_id(path.read_bytes()) == label["blob"], where
        assert re.fullmatch(r"[0-9a-f]{40}", label["commit"]), where
        assert re.fullmatch(r"20\d\d-\d\d-\d\d", label["commit_date"]), where
        assert label["repo"].lower() not in RESERVED, where
        assert re.fullmatch(r"(19|20)\d\d-\d\d-\d\d", label["published"]), where
        assert label["title"].strip(), where


def test_every_file_in_the_corpus_is_labelled() -> None:
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.glob("*/*.html")}
    assert files == {label["file"] for label in labels()}


def test_the_provenance_table_lists_every_page() -> None:
    assert (CORPUS / "PROVENANCE.md").read_text(encoding="utf-8") == provenance_markdown()


def test_titles_and_dates_are_read_right_on_every_page(scored: list[Scored]) -> None:
    t = totals(scored)
    misses = [f"{r.label['id']}: {m}" for r in scored for m in r.misses]
    assert t.titles_ok == t.pages and t.dates_ok == t.pages, "\n".join(misses)


def test_the_titles_of_the_saved_notice_pages_are_read_right() -> None:
    scored = [score_notice(label) for label in notice_pages()]
    t = totals(scored)
    misses = [f"{r.label['id']}: {m}" for r in scored for m in r.misses]
    assert t.pages >= 9, "the notice corpus lost pages that state their title"
    assert t.titles_ok == t.pages, "\n".join(misses)


def test_a_title_broken_over_the_first_lines_of_a_body_is_joined() -> None:
    from crawler.extract.page import _first_line_title

    assert _first_line_title("某某县公厕改造工程\n竞争性磋商成交结果公告\n某某（采购人）…") == (
        "某某县公厕改造工程竞争性磋商成交结果公告"
    )
    # A bare notice type above the project's name names that project's notice.
    assert _first_line_title("招标公告\n某某道路改扩建工程监理\n招标编号：X-1") == (
        "某某道路改扩建工程监理招标公告"
    )
    # A field line above the title is skipped; a sentence is never part of a title.
    assert _first_line_title("招标代码：0024\n某某工程\n中标候选人公示") == "某某工程中标候选人公示"
    assert _first_line_title("现将有关事项通知如下。\n一、总体要求") is None
    assert _first_line_title("一、项目名称：某某工程\n二、预算：10万元") is None


def test_no_doc_number_is_invented_and_stated_ones_are_read(scored: list[Scored]) -> None:
    misses = [f"{r.label['id']}: {m}" for r in scored for m in r.misses if m.startswith("文号")]
    assert misses == []


def test_stated_publishers_are_read_right(scored: list[Scored]) -> None:
    t = totals(scored)
    misses = [f"{r.label['id']}: {m}" for r in scored for m in r.misses if m.startswith("publ")]
    assert t.publishers_ok == t.publishers, "\n".join(misses)


def test_an_article_after_a_stray_closing_html_tag_is_still_the_body() -> None:
    # gov.cn's 国务院公报 template closes </html> after its header and goes on with the article.
    from crawler.extract.page import extract_page

    page = (
        "<html><head><title>某决议_国务院公报</title></head><body><div>首页</div></body></html>"
        '<div id="UCAP-CONTENT"><p>第十届全国人民代表大会常务委员会第二十八次会议决定批准发行特别国债。</p></div>'
    )
    result = extract_page(page.encode("utf-8"))
    assert result.sources["body"] == "#UCAP-CONTENT"
    assert "特别国债" in result.body_text


def test_the_heading_of_a_related_documents_box_is_never_a_title() -> None:
    from crawler.extract.page import tidy_title

    assert tidy_title("相关稿件") is None and tidy_title("相关文章：") is None
    assert tidy_title("关于相关稿件管理的通知") == "关于相关稿件管理的通知"
