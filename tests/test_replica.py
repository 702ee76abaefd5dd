"""Specification of the local government-portal replica, checked with plain HTTP clients."""

from __future__ import annotations

import html
import http.client
import json
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from replica import ReplicaThread
from replica.phrases import TRAP_SENTENCES
from replica.sites import SITES, site_for_host

SHANGHAI_POLICY = "/www.shanghai.gov.cn/nw39220/index.html"
CQ_POLICY = "/www.cq.gov.cn/zwgk/zfxxgkml/szfwj/xzgfxwj/szf/index.html"
GANSU_POLICY = "/www.gansu.gov.cn/gsszf/zcwj/index.html"
SHANGHAI_REPORTS = "/www.shanghai.gov.cn/nw12336/index.html"
NATIONAL_REPORTS = "/www.gov.cn/zhengce/zfgzbg/index.html"
COUNTER = re.compile(rb'<span class="count">\d+</span>')
LIST_ITEM = re.compile(
    r'<li><a href="([^"]+)" target="_blank" title="([^"]+)">([^<]+)</a>'
    r'<span class="date">([0-9-]+)</span></li>'
)
PAGER = re.compile(
    r'<script>(createPageHTML|createPage)\((\d+), (\d+), "index", "html"\);</script>'
)
REPO = Path(__file__).resolve().parents[1]


# -- plain HTTP client ---------------------------------------------------------------------


@dataclass
class Fetched:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def charset(self) -> str:
        return self.headers["content-type"].split("charset=")[1]

    def text(self, encoding: str | None = None) -> str:
        return self.body.decode(encoding or self.charset)


def fetch(
    base_url: str, path: str, headers: dict[str, str] | None = None, timeout: float = 5.0
) -> Fetched:
    """GET base_url+path with http.client, so broken responses surface as exceptions."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=timeout)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return Fetched(
            response.status,
            {name.lower(): value for name, value in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


def admin(base_url: str, method: str, route: str, payload: Any = None) -> tuple[int, Any]:
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        body = None if payload is None else json.dumps(payload).encode()
        connection.request(method, "/_replica/" + route, body=body)
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def list_items(page: Fetched) -> list[tuple[str, str, str, str]]:
    """(href, full title, shown title, date) of every entry of a list page."""
    return [
        (href, html.unescape(title), html.unescape(shown), day)
        for href, title, shown, day in LIST_ITEM.findall(page.text())
    ]


def pager(page: Fetched) -> tuple[str, int, int]:
    match = PAGER.search(page.text())
    assert match, "list page has no TRS pager call"
    return match.group(1), int(match.group(2)), int(match.group(3))


def list_page_path(first_page: str, index: int) -> str:
    return first_page if index == 0 else first_page.replace("index.html", f"index_{index}.html")


def article_text(page: str, host: str) -> str:
    """Title plus body-container text: what blockchain_count counts."""
    title = re.search(r'<h1 class="title">(.*?)</h1>', page, re.S)
    container = re.escape(site_for_host(host).body_container)
    body = re.search(container + r"(.*?)</div>", page, re.S)
    assert title and body, "article page lacks its title or body container"
    return html.unescape(title.group(1) + re.sub(r"<[^>]+>", "", body.group(1)))


def decoded(page: Fetched, host: str) -> str:
    # The lying Gansu page announces UTF-8; the site's real encoding is GBK.
    return page.text("gb18030" if host == "www.gansu.gov.cn" else None)


# -- fixtures -------------------------------------------------------------------------------


# The hand-built portals alone: registry-driven sites have their own tests
# (test_replica_families.py), and their documents would change the totals asserted here.
NO_REGISTRY = Path(tempfile.mkdtemp(prefix="govwatch-empty-registry-"))


@pytest.fixture(scope="module")
def shared() -> Iterator[ReplicaThread]:
    """A replica for tests that only read (they must not publish, edit or arm faults)."""
    with ReplicaThread(seed=7, registry_dir=NO_REGISTRY) as rep:
        yield rep


@pytest.fixture
def rep() -> Iterator[ReplicaThread]:
    """A fresh replica a test may change."""
    with ReplicaThread(seed=7, registry_dir=NO_REGISTRY) as fresh:
        yield fresh


# -- determinism ----------------------------------------------------------------------------


def sample_paths(rep: ReplicaThread) -> list[str]:
    docs = rep.replica.documents()
    lists = [SHANGHAI_POLICY, CQ_POLICY, list_page_path(CQ_POLICY, 3), GANSU_POLICY]
    return lists + [doc["url_path"] for doc in docs[::9]]


def test_same_seed_serves_byte_identical_pages() -> None:
    with (
        ReplicaThread(seed=7, registry_dir=NO_REGISTRY) as first,
        ReplicaThread(seed=7, registry_dir=NO_REGISTRY) as second,
    ):
        assert first.replica.documents() == second.replica.documents()
        for path in sample_paths(first):
            a, b = fetch(first.base_url, path), fetch(second.base_url, path)
            assert a.status == b.status == 200
            assert a.body == b.body, path
            assert a.headers["etag"] == b.headers["etag"]


def test_different_seed_serves_a_different_web(shared: ReplicaThread) -> None:
    with ReplicaThread(seed=8, registry_dir=NO_REGISTRY) as other:
        mine = [(d["url_path"], d["title"]) for d in shared.replica.documents()]
        theirs = [(d["url_path"], d["title"]) for d in other.replica.documents()]
        assert len(mine) == len(theirs)
        assert mine != theirs
        assert fetch(shared.base_url, CQ_POLICY).body != fetch(other.base_url, CQ_POLICY).body


# -- list pages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_page", "function", "total_docs"),
    [
        (SHANGHAI_REPORTS, "createPageHTML", 5),
        (SHANGHAI_POLICY, "createPageHTML", 60),
        (CQ_POLICY, "createPage", 90),
        (GANSU_POLICY, "createPageHTML", 45),
        (NATIONAL_REPORTS, "createPageHTML", 9),
    ],
)
def test_list_pages_hold_twenty_newest_first_with_the_sites_trs_pager(
    shared: ReplicaThread, first_page: str, function: str, total_docs: int
) -> None:
    total_pages = -(-total_docs // 20)
    hrefs, dates = [], []
    for index in range(total_pages):
        page = fetch(shared.base_url, list_page_path(first_page, index))
        assert page.status == 200
        assert pager(page) == (function, total_pages, index)
        items = list_items(page)
        assert len(items) == min(20, total_docs - 20 * index)
        hrefs += [href for href, *_ in items]
        dates += [day for *_, day in items]
    assert dates == sorted(dates, reverse=True)
    column_dir = first_page.rsplit("/", 1)[0] + "/"
    expected = [
        d["url_path"] for d in shared.replica.documents() if d["url_path"].startswith(column_dir)
    ]
    assert [urljoin(first_page, href) for href in hrefs] == expected
    beyond = fetch(shared.base_url, list_page_path(first_page, total_pages))
    assert beyond.status == 404


def test_list_titles_are_cut_to_24_characters_with_the_full_title_in_the_attribute(
    shared: ReplicaThread,
) -> None:
    items = list_items(fetch(shared.base_url, CQ_POLICY))
    long_ones = [(title, shown) for _, title, shown, _ in items if len(title) > 24]
    assert long_ones
    for title, shown in long_ones:
        assert shown == title[:24] + "…"


def test_article_links_are_relative_and_resolve_under_the_host_prefix(
    shared: ReplicaThread,
) -> None:
    page = fetch(shared.base_url, CQ_POLICY)
    href = list_items(page)[0][0]
    assert re.fullmatch(r"\./\d{6}/t\d{8}_\d{7}\.html", href)
    article = fetch(shared.base_url, urljoin(CQ_POLICY, href))
    assert article.status == 200
    # Sidebar links are relative too, nav and footer links carry the host prefix.
    text = article.text()
    sidebar = re.search(r'<div class="sidebar">(.*?)</div>', text, re.S)
    assert sidebar
    for link in re.findall(r'href="([^"]+)"', sidebar.group(1)):
        assert link.startswith("../")
        assert fetch(shared.base_url, urljoin(urljoin(CQ_POLICY, href), link)).status == 200
    absolute = re.findall(r'href="(/[^"]*)"', text)
    assert absolute
    for link in absolute:
        assert link.startswith("/www.cq.gov.cn/")
        assert fetch(shared.base_url, link).status == 200


def test_unknown_paths_answer_404_with_a_small_chinese_page(shared: ReplicaThread) -> None:
    for path in (
        "/www.cq.gov.cn/nope.html",
        "/www.example.gov.cn/index.html",
        "/www.gansu.gov.cn/gsszf/zcwj/index_0.html",
        "/www.gansu.gov.cn/gsszf/zcwj/202401/t20240101_1234567.html",
    ):
        page = fetch(shared.base_url, path)
        assert page.status == 404
        assert page.charset == "utf-8"
        assert "页面不存在" in page.text()


# -- charsets -------------------------------------------------------------------------------


def test_gansu_pages_are_gbk_bytes_declared_gb2312(shared: ReplicaThread) -> None:
    truthful = [
        d
        for d in shared.replica.documents()
        if d["host"] == "www.gansu.gov.cn" and not d["lying_charset"]
    ]
    for path in (GANSU_POLICY, truthful[0]["url_path"]):
        page = fetch(shared.base_url, path)
        assert page.headers["content-type"] == "text/html; charset=gb2312"
        text = page.body.decode("gb18030")
        assert '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' in text
        assert "甘肃省人民政府" in text
        with pytest.raises(UnicodeDecodeError):
            page.body.decode("utf-8")


def test_exactly_one_gansu_page_claims_utf8_in_its_header_but_sends_gbk(
    shared: ReplicaThread,
) -> None:
    liars = [d for d in shared.replica.documents() if d["lying_charset"]]
    assert [d["host"] for d in liars] == ["www.gansu.gov.cn"]
    gansu = [d for d in shared.replica.documents() if d["host"] == "www.gansu.gov.cn"]
    assert gansu.index(liars[0]) == 2  # the third newest
    page = fetch(shared.base_url, liars[0]["url_path"])
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    with pytest.raises(UnicodeDecodeError):
        page.body.decode("utf-8")
    text = page.body.decode("gb18030")
    assert "charset=gb2312" in text
    assert liars[0]["title"] in html.unescape(text)


# -- content and ground truth ---------------------------------------------------------------


def test_ground_truth_blockchain_count_matches_the_served_text(shared: ReplicaThread) -> None:
    docs = shared.replica.documents()
    assert len(docs) == 5 + 60 + 90 + 45 + 9
    for doc in docs:
        page = fetch(shared.base_url, doc["url_path"])
        assert page.status == 200
        served = article_text(decoded(page, doc["host"]), doc["host"])
        assert served.count("区块链") == doc["blockchain_count"], doc["url_path"]


def test_about_one_policy_document_in_five_mentions_blockchain_and_as_many_hold_traps(
    shared: ReplicaThread,
) -> None:
    docs = shared.replica.documents()
    for host in ("www.shanghai.gov.cn", "www.cq.gov.cn", "www.gansu.gov.cn"):
        policies = [d for d in docs if d["host"] == host and d["kind"] == "policy"]
        hits = [d for d in policies if d["blockchain_count"] > 0]
        assert len(hits) == len(policies) // 5
        assert 2 <= sum("区块链" in d["title"] for d in policies) <= 3
        trapped = 0
        for doc in policies:
            if doc["blockchain_count"] == 0:
                text = decoded(fetch(shared.base_url, doc["url_path"]), host)
                trapped += any(sentence in text for sentence in TRAP_SENTENCES)
        assert trapped == len(policies) // 5


def test_generated_policy_metadata_looks_like_a_real_portals(shared: ReplicaThread) -> None:
    prefixes = {
        "www.shanghai.gov.cn": "沪府办发",
        "www.cq.gov.cn": "渝府办发",
        "www.gansu.gov.cn": "甘政办发",
    }
    policies = [d for d in shared.replica.documents() if d["kind"] == "policy"]
    for doc in policies:
        assert re.fullmatch(prefixes[doc["host"]] + r"〔20\d\d〕\d+号", doc["doc_number"])
        assert doc["publisher"].endswith("人民政府办公厅")
        assert date(2019, 1, 1) <= doc["published"] <= date(2025, 12, 31)
        scheme = "http" if doc["host"] == "www.gansu.gov.cn" else "https"
        site_path = doc["url_path"].removeprefix(f"/{doc['host']}")
        assert doc["real_url"] == f"{scheme}://{doc['host']}{site_path}"
    trs_ids = [re.search(r"_(\d{7})\.html$", d["url_path"]) for d in shared.replica.documents()]
    assert all(trs_ids)
    assert len({m.group(1) for m in trs_ids if m}) == len(trs_ids)
    national = next(d for d in shared.replica.documents() if d["host"] == "www.gov.cn")
    assert national["real_url"].startswith("http://www.gov.cn/zhengce/zfgzbg/")


@pytest.mark.parametrize(
    ("host", "container", "date_pattern"),
    [
        ("www.shanghai.gov.cn", '<div class="TRS_Editor">', r"\d{4}年\d{1,2}月\d{1,2}日"),
        ("www.cq.gov.cn", '<div class="trs_editor_view">', r"\d{4}-\d{2}-\d{2}"),
        ("www.gansu.gov.cn", '<div id="zoom">', r"\d{4}\.\d{2}\.\d{2}"),
    ],
)
def test_policy_article_page_carries_trs_metas_the_xxgk_table_and_the_sites_date_spelling(
    shared: ReplicaThread, host: str, container: str, date_pattern: str
) -> None:
    policies = [
        d for d in shared.replica.documents() if d["host"] == host and d["kind"] == "policy"
    ]
    doc = next(d for d in policies[10:] if not d["lying_charset"])
    text = html.unescape(decoded(fetch(shared.base_url, doc["url_path"]), host))
    site = site_for_host(host)
    assert f'<meta name="SiteName" content="{site.name}">' in text
    assert f'<meta name="ArticleTitle" content="{doc["title"]}">' in text
    assert re.search(
        r'<meta name="PubDate" content="' + doc["published"].isoformat() + r' \d\d:\d\d">', text
    )
    assert f'<meta name="ContentSource" content="{doc["publisher"]}">' in text
    assert f"<title>{doc['title']}_" in text
    assert container in text
    info = re.search(r"发布时间：(\S+) 来源：", text)
    assert info and re.fullmatch(date_pattern, info.group(1))
    assert info.group(1) == site.spell_date(doc["published"])
    for label in (
        "索　引　号：",
        "主题分类：",
        "发文机关：",
        "成文日期：",
        "标　　题：",
        "发文字号：",
        "发布日期：",
    ):
        assert label in text
    assert f"<td>{doc['doc_number']}</td>" in text
    assert f"{doc['published']:%Y年%m月%d日}" in text
    # The sidebar lists the column's newer documents: later dates than the article's own.
    sidebar_dates = re.findall(r"<li><a [^>]+>[^<]+</a><span>([0-9-]+)</span></li>", text)
    assert len(sidebar_dates) == 5
    assert all(day >= doc["published"].isoformat() for day in sidebar_dates)
    assert f"版权所有：{site.name}" in text and site.site_id_code in text


def test_report_columns_serve_the_real_work_reports(shared: ReplicaThread) -> None:
    docs = shared.replica.documents()
    shanghai = [d for d in docs if d["column_path"] == "/nw12336/index.html"]
    assert [(d["title"], d["published"]) for d in shanghai] == [
        ("2024年上海市政府工作报告", date(2024, 1, 23)),
        ("2023年上海市政府工作报告", date(2023, 1, 16)),
        ("2022年上海市政府工作报告", date(2022, 1, 24)),
        ("2021年上海市政府工作报告", date(2021, 1, 27)),
        ("2020年上海市政府工作报告", date(2020, 1, 20)),
    ]
    assert {d["publisher"] for d in shanghai} == {"上海市人民政府"}
    national = [d for d in docs if d["host"] == "www.gov.cn"]
    assert [d["published"] for d in national] == [
        date(y, 3, 5) for y in (2025, 2024, 2023, 2022, 2021, 2019, 2018, 2017, 2016)
    ]
    assert national[0]["title"] == "2025年国务院政府工作报告"
    assert {d["publisher"] for d in national} == {"国务院"}
    assert all(d["doc_number"] is None for d in shanghai + national)
    page = fetch(shared.base_url, national[-1]["url_path"]).text()
    assert '<div class="pages_content">' in page
    assert "2016年03月05日" in page
    assert "xxgk-table" not in page


def test_shanghai_2020_report_page_contains_its_real_blockchain_sentence(
    shared: ReplicaThread,
) -> None:
    report = next(d for d in shared.replica.documents() if d["title"] == "2020年上海市政府工作报告")
    page = fetch(shared.base_url, report["url_path"]).text()
    assert "加快物联网、大数据、人工智能、区块链等信息技术推广应用" in page
    assert report["blockchain_count"] == 1
    assert page.count("<p>") > 50  # the full report, split into paragraphs


# -- HTTP caching ---------------------------------------------------------------------------


def test_visitor_counter_increases_while_the_etag_stays(shared: ReplicaThread) -> None:
    path = shared.replica.documents()[20]["url_path"]
    first, second = fetch(shared.base_url, path), fetch(shared.base_url, path)
    counts = [
        int(m.group(1))
        for m in (re.search(rb'class="count">(\d+)<', p.body) for p in (first, second))
        if m
    ]
    assert counts[1] == counts[0] + 1
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["etag"].startswith('"')  # a strong validator
    assert COUNTER.sub(b"", first.body) == COUNTER.sub(b"", second.body)


def test_conditional_requests_are_answered_with_304(shared: ReplicaThread) -> None:
    path = shared.replica.documents()[30]["url_path"]
    page = fetch(shared.base_url, path)
    etag, modified = page.headers["etag"], page.headers["last-modified"]
    assert fetch(shared.base_url, path, {"If-None-Match": etag}).status == 304
    assert fetch(shared.base_url, path, {"If-None-Match": '"other", ' + etag}).status == 304
    assert fetch(shared.base_url, path, {"If-Modified-Since": modified}).status == 304
    assert fetch(shared.base_url, path, {"If-None-Match": '"stale"'}).status == 200
    old = "Mon, 01 Jan 2018 00:00:00 GMT"
    assert fetch(shared.base_url, path, {"If-Modified-Since": old}).status == 200


# -- publishing and editing -----------------------------------------------------------------


def test_publish_puts_a_new_newest_item_on_list_page_zero(rep: ReplicaThread) -> None:
    before = list_items(fetch(rep.base_url, SHANGHAI_POLICY))
    truth = rep.replica.publish(
        "www.shanghai.gov.cn",
        "/nw39220/index.html",
        "上海市人民政府办公厅关于推进区块链技术赋能城市数字化转型的实施意见",
        ["加快区块链在城市治理中的应用。", "推进公共数据上链存证。"],
        published=date(2026, 2, 3),
        doc_number="沪府办发〔2026〕3号",
    )
    assert truth["url_path"].startswith("/www.shanghai.gov.cn/nw39220/202602/t20260203_")
    assert truth["blockchain_count"] == 2
    after = list_items(fetch(rep.base_url, SHANGHAI_POLICY))
    assert urljoin(SHANGHAI_POLICY, after[0][0]) == truth["url_path"]
    assert after[0][1] == truth["title"]
    assert after[1:] == before[:19]
    page = fetch(rep.base_url, truth["url_path"])
    assert "推进公共数据上链存证。" in page.text()
    assert "沪府办发〔2026〕3号" in page.text()
    assert rep.replica.documents()[5] == truth  # the Shanghai report column holds five
    ids = [d["url_path"].rsplit("_", 1)[1] for d in rep.replica.documents()]
    assert len(set(ids)) == len(ids)


def test_publishing_is_deterministic_for_the_same_seed() -> None:
    paths = []
    for _ in range(2):
        with ReplicaThread(seed=3, registry_dir=NO_REGISTRY) as rep:
            paths.append(
                rep.replica.publish(
                    "www.gov.cn",
                    "/zhengce/zfgzbg/index.html",
                    "2026年国务院政府工作报告",
                    ["各位代表："],
                    published=date(2026, 3, 5),
                )["url_path"]
            )
    assert paths[0] == paths[1]


def test_edit_changes_that_pages_etag_and_last_modified(rep: ReplicaThread) -> None:
    docs = rep.replica.documents()
    target, bystander = docs[40]["url_path"], docs[41]["url_path"]
    old, old_bystander = fetch(rep.base_url, target), fetch(rep.base_url, bystander)
    truth = rep.replica.edit(
        target, title="修改后的标题：关于区块链的通知", body_paragraphs=["正文已更新。"]
    )
    assert truth["blockchain_count"] == 1
    new = fetch(rep.base_url, target)
    assert new.headers["etag"] != old.headers["etag"]
    assert new.headers["last-modified"] != old.headers["last-modified"]
    assert "正文已更新。" in new.text()
    assert fetch(rep.base_url, target, {"If-None-Match": old.headers["etag"]}).status == 200
    assert fetch(rep.base_url, bystander).headers["etag"] == old_bystander.headers["etag"]
    with pytest.raises(KeyError):
        rep.replica.edit("/www.cq.gov.cn/missing.html", title="x")


# -- faults ---------------------------------------------------------------------------------


def test_status_fault_answers_with_the_given_status_and_an_error_page(rep: ReplicaThread) -> None:
    rep.replica.add_fault(CQ_POLICY, "status", status=503)
    page = fetch(rep.base_url, CQ_POLICY)
    assert page.status == 503
    assert b"503" in page.body and b"createPage" not in page.body


def test_slow_fault_waits_then_serves_normally(rep: ReplicaThread) -> None:
    rep.replica.add_fault(CQ_POLICY, "slow", delay=0.4)
    started = time.monotonic()
    page = fetch(rep.base_url, CQ_POLICY)
    assert time.monotonic() - started >= 0.4
    assert page.status == 200 and pager(page)[0] == "createPage"


def test_hang_fault_never_answers_and_does_not_block_other_requests(rep: ReplicaThread) -> None:
    rep.replica.add_fault(CQ_POLICY, "hang")
    outcome: list[BaseException] = []

    def hang() -> None:
        try:
            fetch(rep.base_url, CQ_POLICY, timeout=1.0)
        except OSError as error:
            outcome.append(error)

    client = threading.Thread(target=hang)
    client.start()
    time.sleep(0.1)
    started = time.monotonic()
    assert fetch(rep.base_url, GANSU_POLICY).status == 200
    assert time.monotonic() - started < 0.5
    client.join(5)
    assert outcome and isinstance(outcome[0], TimeoutError)


def test_reset_fault_aborts_the_connection_without_a_response(rep: ReplicaThread) -> None:
    rep.replica.add_fault(CQ_POLICY, "reset")
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        fetch(rep.base_url, CQ_POLICY)


def test_truncate_fault_sends_half_of_the_promised_body(rep: ReplicaThread) -> None:
    full = fetch(rep.base_url, GANSU_POLICY)
    rep.replica.add_fault(GANSU_POLICY, "truncate")
    with pytest.raises(http.client.IncompleteRead) as raised:
        fetch(rep.base_url, GANSU_POLICY)
    assert raised.value.expected == len(full.body) - len(full.body) // 2
    assert raised.value.partial == full.body[: len(full.body) // 2]


def test_charset_fault_announces_the_wrong_charset_for_unchanged_bytes(rep: ReplicaThread) -> None:
    gansu_normal, cq_normal = fetch(rep.base_url, GANSU_POLICY), fetch(rep.base_url, CQ_POLICY)
    rep.replica.add_fault(GANSU_POLICY, "charset")
    rep.replica.add_fault(CQ_POLICY, "charset")
    gansu, cq = fetch(rep.base_url, GANSU_POLICY), fetch(rep.base_url, CQ_POLICY)
    assert gansu.charset == "utf-8" and gansu.body == gansu_normal.body
    assert cq.charset == "gbk" and cq.body == cq_normal.body


def test_soft404_fault_answers_200_with_a_removed_notice(rep: ReplicaThread) -> None:
    path = rep.replica.documents()[10]["url_path"]
    rep.replica.add_fault(path, "soft404")
    page = fetch(rep.base_url, path)
    assert page.status == 200
    assert "您访问的页面不存在或已删除" in page.text()


def test_times_limits_a_fault_to_the_next_requests_and_clear_faults_disarms_all(
    rep: ReplicaThread,
) -> None:
    rep.replica.add_fault(CQ_POLICY, "status", status=500, times=2)
    assert [fetch(rep.base_url, CQ_POLICY).status for _ in range(3)] == [500, 500, 200]
    rep.replica.add_fault(CQ_POLICY, "status", status=429)
    rep.replica.add_fault(GANSU_POLICY, "soft404")
    assert fetch(rep.base_url, CQ_POLICY).status == 429
    rep.replica.clear_faults()
    assert fetch(rep.base_url, CQ_POLICY).status == 200
    assert pager(fetch(rep.base_url, GANSU_POLICY))[0] == "createPageHTML"


def test_invalid_faults_are_rejected(rep: ReplicaThread) -> None:
    with pytest.raises(ValueError):
        rep.replica.add_fault(CQ_POLICY, "explode")
    with pytest.raises(ValueError):
        rep.replica.add_fault(CQ_POLICY, "status", status=42)
    with pytest.raises(ValueError):
        rep.replica.add_fault(CQ_POLICY, "slow", times=0)


# -- request log and admin API --------------------------------------------------------------


def test_request_counts_include_304_faults_and_404_but_not_admin_calls(rep: ReplicaThread) -> None:
    path = rep.replica.documents()[0]["url_path"]
    etag = fetch(rep.base_url, path).headers["etag"]
    assert fetch(rep.base_url, path, {"If-None-Match": etag}).status == 304
    rep.replica.add_fault(CQ_POLICY, "status", times=1)
    fetch(rep.base_url, CQ_POLICY)
    fetch(rep.base_url, CQ_POLICY)
    fetch(rep.base_url, "/missing")
    admin(rep.base_url, "GET", "requests")
    assert rep.replica.request_counts() == {path: 2, CQ_POLICY: 2, "/missing": 1}
    rep.replica.reset_counts()
    assert rep.replica.request_counts() == {}


def test_admin_http_endpoints_mirror_the_python_api(rep: ReplicaThread) -> None:
    base = rep.base_url
    status, truth = admin(
        base,
        "POST",
        "publish",
        {
            "host": "www.gansu.gov.cn",
            "column_path": "/gsszf/zcwj/index.html",
            "title": "甘肃省人民政府办公厅关于区块链产业发展的通知",
            "body_paragraphs": ["发展区块链产业。"],
            "published": "2026-05-06",
            "doc_number": "甘政办发〔2026〕9号",
        },
    )
    assert status == 200
    assert truth["published"] == "2026-05-06" and truth["blockchain_count"] == 2
    assert truth["real_url"].startswith("http://www.gansu.gov.cn/gsszf/zcwj/202605/t20260506_")
    first = list_items(fetch(base, GANSU_POLICY))[0]
    assert urljoin(GANSU_POLICY, first[0]) == truth["url_path"]

    status, documents = admin(base, "GET", "documents")
    assert status == 200 and truth in documents and len(documents) == 210

    fault = {"path": CQ_POLICY, "kind": "status", "status": 502, "times": 1}
    status, armed = admin(base, "POST", "faults", fault)
    assert status == 200 and armed == {**fault, "delay": 0.0}
    assert fetch(base, CQ_POLICY).status == 502
    assert fetch(base, CQ_POLICY).status == 200
    admin(base, "POST", "faults", {"path": CQ_POLICY, "kind": "soft404"})
    assert admin(base, "DELETE", "faults")[0] == 200
    assert fetch(base, CQ_POLICY).status == 200

    status, counts = admin(base, "GET", "requests")
    assert status == 200 and counts[CQ_POLICY] == 3 and counts[GANSU_POLICY] == 1
    assert not any(path.startswith("/_replica") for path in counts)
    admin(base, "DELETE", "requests")
    assert admin(base, "GET", "requests")[1] == {}

    status, error = admin(base, "POST", "faults", {"path": CQ_POLICY, "kind": "melt"})
    assert status == 400 and "melt" in error["error"]
    status, error = admin(base, "POST", "publish", {"host": "www.nowhere.gov.cn"})
    assert status == 400


# -- running --------------------------------------------------------------------------------


def test_stopping_with_hung_requests_in_flight_takes_about_a_second_at_most() -> None:
    rep = ReplicaThread(seed=1, registry_dir=NO_REGISTRY).start()
    rep.replica.add_fault(CQ_POLICY, "hang")
    rep.replica.add_fault(GANSU_POLICY, "slow", delay=30)
    errors: list[BaseException] = []

    def client(path: str) -> None:
        try:
            fetch(rep.base_url, path, timeout=10)
        except (OSError, http.client.HTTPException) as error:
            errors.append(error)

    clients = [
        threading.Thread(target=client, args=(p,)) for p in (CQ_POLICY, CQ_POLICY, GANSU_POLICY)
    ]
    for thread in clients:
        thread.start()
    try:
        deadline = time.monotonic() + 5
        while sum(rep.replica.request_counts().values()) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        started = time.monotonic()
        rep.stop()
    assert time.monotonic() - started < 1.5
    for thread in clients:
        thread.join(5)
    assert len(errors) == 3


def test_scale_multiplies_the_generated_documents_only() -> None:
    with ReplicaThread(seed=7, scale=3, registry_dir=NO_REGISTRY) as rep:
        docs = rep.replica.documents()
        assert len(docs) == 5 + 9 + 3 * (60 + 90 + 45)
        assert pager(fetch(rep.base_url, CQ_POLICY)) == ("createPage", 14, 0)


def test_python_m_replica_serves_in_the_foreground_and_stops_on_sigterm() -> None:
    command = [sys.executable, "-m", "replica", "--port", "0", "--seed", "2"]
    with subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline().strip()
            match = re.fullmatch(r"replica serving on (http://127\.0\.0\.1:\d+)", line)
            assert match, line
            assert pager(fetch(match.group(1), SHANGHAI_POLICY)) == ("createPageHTML", 3, 0)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=5) == 0
        finally:
            if process.poll() is None:
                process.kill()


def test_every_site_in_the_spec_is_served_with_a_home_page(shared: ReplicaThread) -> None:
    for site in SITES:
        page = fetch(shared.base_url, site.home_path)
        assert page.status == 200
        assert page.charset == site.charset_label
        for column in site.columns:
            assert f'href="{site.prefix}{column.path}"' in page.text()
