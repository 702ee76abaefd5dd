"""Topic hits come only from the document: page chrome never reaches the matcher.

Real saved pages (tests/fixtures/pages, see PROVENANCE.md) and replica article pages are given
a one-sentence, off-topic body, and titles on the watched topic are put where portals put
other documents' titles: a 相关文章 sidebar, a navigation bar, a footer, a list of dated links
under a 推荐阅读 heading. Whichever way the body is read (a CMS container, or the generic
extractor when the page has none), the short body stays the body and no hit is found; the same
titles inside the body are found.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.document_record import matched_text
from crawler.extract.page import Extraction, extract_page
from crawler.match.matcher import Matcher
from crawler.match.topics import load_topics
from replica import ReplicaThread

PAGES = Path(__file__).parent / "fixtures" / "pages"
SENTENCE = "请各单位做好春节假期值班工作，确保节日期间安全稳定。"
TOPIC_TITLES = ("关于推进区块链技术应用的实施意见", "区块链产业发展行动计划（2024—2026年）")
CHROME = (
    '<div class="sidebar"><h3>相关文章</h3><ul>'
    + "".join(f'<li><a href="./t{i}.html">{t}</a><span>2024-01-0{i}</span></li>' for i, t in
              enumerate(TOPIC_TITLES, 1))
    + "</ul></div>"
    f'<nav><a href="/qkl/">{TOPIC_TITLES[0]}</a></nav>'
    f'<div class="footer"><p>专题：{TOPIC_TITLES[1]}</p></div>'
    "<div><h4>推荐阅读</h4><div>"
    + "".join(f'<p><a href="./r{i}.html">{t}</a></p>' for i, t in enumerate(TOPIC_TITLES))
    + "</div></div>"
    '<ul class="list">'
    + "".join(f'<li><a href="./l{i}.html">{TOPIC_TITLES[i % 2]}</a> 2025-0{i}-12</li>'
              for i in range(1, 5))
    + "</ul>"
)  # fmt: skip
MATCHER = Matcher(load_topics(None))


def hits(extraction: Extraction) -> dict[str, int]:
    text = matched_text(extraction.title, extraction.body_text)
    return {h.topic: h.count for h in MATCHER.match(text) if h.count}


def with_short_body(html: str, container: str, sentence: str = SENTENCE) -> str:
    """The page with its body container holding one sentence, and topic titles in chrome."""
    opening = re.search(container, html)
    assert opening, container
    tag = re.match(r"<(\w+)", opening.group(0)).group(1)  # type: ignore[union-attr]
    start, depth = opening.end(), 1
    for found in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            end = start + found.start()
            break
    page = html[:start] + f"<p>{sentence}</p>" + html[end:]
    return page.replace("</body>", CHROME + "</body>", 1)


# (page, its body container's opening tag)
HUBEI = r'<div class="[^"]*TRS_UEDITOR[^"]*"[^>]*>'
REAL = [
    ("scjg.hubei.gov.cn/200_detail_after_cookie.html", HUBEI),
    ("www.zhuji.gov.cn/ceshi_2.html", r'<td [^>]*id="TDContent"[^>]*>'),
]


@pytest.mark.parametrize(("name", "container"), REAL)
def test_a_short_body_on_a_real_page_stays_the_body_and_chrome_gives_no_hit(
    name: str, container: str
) -> None:
    html = (PAGES / name).read_text("utf-8")
    page = with_short_body(html, container)
    extraction = extract_page(page.encode("utf-8"), f"https://{name}")
    assert extraction.is_document
    assert extraction.body_text == SENTENCE, extraction.body_text[:300]
    assert hits(extraction) == {}


def test_the_generic_extractor_reads_a_page_without_its_chrome() -> None:
    """No known body container: trafilatura reads the page once the chrome is out of it."""
    html = (PAGES / "scjg.hubei.gov.cn/200_detail_after_cookie.html").read_text("utf-8")
    page = with_short_body(html, HUBEI)
    page = re.sub(r'class="[^"]*TRS_UEDITOR[^"]*"', 'class="text"', page, count=1)
    page = page.replace('<div class="article"', '<div class="main-part"')  # no known container
    extraction = extract_page(page.encode("utf-8"), "https://scjg.hubei.gov.cn/x.html")
    assert extraction.sources["body"] == "generic"
    assert SENTENCE in extraction.body_text
    assert not any(title in extraction.body_text for title in TOPIC_TITLES)
    assert hits(extraction) == {}


def test_topic_titles_inside_the_body_are_found() -> None:
    """The control: the same words in the document itself are hits."""
    html = (PAGES / "scjg.hubei.gov.cn/200_detail_after_cookie.html").read_text("utf-8")
    sentence = f"印发{TOPIC_TITLES[0]}，推动区块链在政务服务中的应用。"
    page = with_short_body(html, HUBEI, sentence)
    extraction = extract_page(page.encode("utf-8"), "https://scjg.hubei.gov.cn/x.html")
    assert hits(extraction) == {"blockchain": 2}


def test_a_replica_notice_with_a_one_line_body_and_a_topic_sidebar_has_no_hit() -> None:
    with ReplicaThread(seed=5) as replica:
        base = str(replica.base_url)
        column = "/www.gansu.gov.cn/gsszf/zcwj/"
        listing = _get(base + column + "index.html")
        href = re.findall(r'href="\./([^"]+\.html)"', listing)[0]
        html = _get(base + column + href)
    page = with_short_body(html, r'<div id="zoom"[^>]*>').replace("gb2312", "utf-8")
    extraction = extract_page(page.encode("utf-8"), base + column + href)
    assert extraction.sources["body"] == "#zoom"
    assert extraction.body_text == SENTENCE
    assert hits(extraction) == {}


def test_the_title_is_matched_once_however_often_the_body_repeats_it() -> None:
    title = "关于推进区块链技术应用的实施意见"
    body = f"{title}\n各市州人民政府：\n{title}\n现印发给你们。\n 关于推进区块链技术应用的实施意见 "
    [topic] = MATCHER.match(matched_text(title, body))
    assert topic.count == 1 and len(topic.snippets) == 1


def _get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read().decode("gb18030", errors="replace")


def test_chrome_with_control_characters_after_it_is_still_removed() -> None:
    """Found by tests/test_fuzz.py: a control character in the text after a sidebar made
    lxml refuse to move that text when the sidebar was dropped."""
    page = (
        "<html><head><title>关于做好值班工作的通知</title></head><body><p>通知</p>"
        '<div class="sidebar"><a href="/a.html">区块链产业发展行动计划</a></div>\x01尾'
        '<div class="TRS_Editor"><p>请各单位做好春节假期值班工作，确保节日期间安全稳定。</p></div>'
        "</body></html>"
    ).encode()
    extraction = extract_page(page, "https://www.gansu.gov.cn/a.html")
    assert extraction.is_document and hits(extraction) == {}
