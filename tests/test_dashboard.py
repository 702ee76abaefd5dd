"""The dashboard (crawler.web) as people use it: its pages in a real Chromium, the login and
cross-site tokens off loopback, `govwatch serve`'s refusals, the Atom feeds, and the README's
screenshot.

Every test serves the app over a database filled by tests.web_fixtures (32 documents: work
reports of 2023 and 2024, 24 policies, a procurement award with a lot and two versions, a
failed and a delivered alert delivery) on 127.0.0.1 with uvicorn, as `govwatch serve` does.
The API against its OpenAPI document is in tests/test_dashboard_api.py.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import struct
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import feedparser
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select

from crawler.config import Settings, load_settings
from crawler.web.access import CSRF_COOKIE, SESSION_COOKIE, check_exposure
from crawler.web.app import create_app
from crawler.web.dashboard import WebHost
from crawler.web.server import BackgroundServer, bind
from spiders.errors import UserError
from spiders.registry import load_registry
from storage.database import Database
from storage.models import Delivery
from storage.repository import DocumentStore
from tests.conftest import REPO
from tests.web_fixtures import POLICIES, REPORT_2023, REPORT_2024, fill, record

pytestmark = pytest.mark.timeout(120)
PASSWORD_ENV = "GOVWATCH_DASHBOARD_TEST_PASSWORD"
PASSWORD = "correct horse 电池 staple"
SCREENSHOT = REPO / "crawler" / "web" / "dashboard.png"
TOPIC_WORD = "区块链"  # the first topic's keyword, as the fixture's texts carry it


# -- what the fixture holds -------------------------------------------------------------------


@dataclass(frozen=True)
class Doc:
    key: str
    province: str
    kind: str
    title: str
    published: date
    text: str


def fixture_documents() -> list[Doc]:
    """The fixture's documents as tests.web_fixtures writes them (its last version)."""
    docs = [
        Doc(f"report-{code}-{year}", code, "work_report", f"{year}年政府工作报告", day, body)
        for year, reports in ((2023, REPORT_2023), (2024, REPORT_2024))
        for code, body in reports.items()
        for day in [date(year, 1, 20)]
    ]
    for index in range(POLICIES):
        topic = TOPIC_WORD if index % 2 == 0 else "交通"
        docs.append(
            Doc(
                f"policy-{index}",
                "310000" if index % 3 else "440000",
                "policy",
                f"关于推进{topic}发展的通知（第{index}号）",
                date(2024, 3, 1) + timedelta(days=index),
                f"为推进{topic}应用，现通知如下。第{index}条。",
            )
        )
    docs.append(
        Doc(
            "award-1",
            "510000",
            "procurement",
            "四川省区块链电子证照平台采购项目成交公告",
            date(2024, 5, 6),
            "成交供应商：成都链数科技有限公司。补充说明：合同已签订，区块链平台上线时间为六月。",
        )
    )
    return docs


def newest_first(docs: list[Doc]) -> list[str]:
    """Keys in the dashboard's order: newest first, the later stored first on the same day."""
    stored = [d.key for d in fixture_documents()]
    return [
        d.key for d in sorted(docs, key=lambda d: (d.published, stored.index(d.key)), reverse=True)
    ]


def mentioning(word: str) -> list[Doc]:
    return [d for d in fixture_documents() if word in d.title + d.text]


# -- serving ----------------------------------------------------------------------------------


def dashboard_settings(tmp_path: Path, database_url: str, **web: Any) -> Settings:
    """A test's settings: its own data folder and database; the password (if any) is read
    from PASSWORD_ENV, which only the login tests set."""
    return load_settings(
        data_dir=tmp_path, database_url=database_url, web={"password_env": PASSWORD_ENV, **web}
    )


@dataclass
class Crawls:
    """A host's crawl_now that records what it was asked to crawl."""

    asked: list[list[str]] = field(default_factory=list)

    def __call__(self, source_ids: list[str]) -> str:
        self.asked.append(source_ids)
        return f"已开始抓取 {', '.join(source_ids)}"


@dataclass
class Served:
    url: str
    database_url: str
    ids: dict[str, int]
    crawls: Crawls

    def delivery_ids(self) -> dict[str, int]:
        """Delivery id by status as stored now."""
        database = Database(self.database_url)
        with database.session() as session:
            found = {d.status: d.id for d in session.scalars(select(Delivery))}
        database.dispose()
        return found

    def delivery_status(self, delivery_id: int) -> str:
        database = Database(self.database_url)
        with database.session() as session:
            status = session.get(Delivery, delivery_id).status  # type: ignore[union-attr]
        database.dispose()
        return status


def filled_database(tmp_path: Path) -> tuple[str, dict[str, int]]:
    url = f"sqlite:///{tmp_path / 'govwatch.sqlite3'}"
    Database(url).upgrade()
    return url, fill(url)


@contextmanager
def serving(tmp_path: Path) -> Iterator[Served]:
    """The dashboard over a filled database on 127.0.0.1 (a free port), in a thread."""
    url, ids = filled_database(tmp_path)
    crawls = Crawls()
    database = Database(url)
    app = create_app(
        dashboard_settings(tmp_path, url),
        DocumentStore(database),
        WebHost(name="test", crawl_now=crawls),
    )
    server = BackgroundServer(app, bind("127.0.0.1", 0, key="web.port")).start()
    try:
        yield Served(server.url, url, ids, crawls)
    finally:
        server.stop()
        database.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    with serving(tmp_path) as running:
        yield running


def listed_keys(page: Page, served: Served) -> list[str]:
    """The documents the list shows, as fixture keys, in the order shown."""
    by_id = _keys_by_id(served.database_url)
    hrefs = page.locator("ol.documents li.document a.title").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    return [by_id[int(href.rsplit("/", 1)[1])] for href in hrefs]


def _keys_by_id(database_url: str) -> dict[int, str]:
    from storage.models import Document

    database = Database(database_url)
    with database.session() as session:
        found = {i: k for i, k in session.execute(select(Document.id, Document.doc_key))}
    database.dispose()
    return found


# -- 最新文件 ---------------------------------------------------------------------------------


def test_the_documents_page_lists_the_topics_documents_newest_first_with_the_keyword_marked(
    page: Page, served: Served
) -> None:
    page.goto(served.url + "/")
    expect(page.locator("h1")).to_have_text("最新文件")
    expected = newest_first(mentioning(TOPIC_WORD))
    assert len(expected) == 17  # 4 reports, 12 policies, the award
    expect(page.locator("#total")).to_have_text(str(len(expected)))
    assert listed_keys(page, served) == expected
    shown = page.locator("ol.documents li.document time").all_inner_texts()
    assert shown == sorted(shown, reverse=True) and shown[0] == "2024-05-06"
    # Every line shows a sentence with the topic's keywords marked (区块链, 区块链服务网络).
    items = page.locator("ol.documents li.document")
    for index in range(items.count()):
        marks = items.nth(index).locator("p.snippet mark").all_inner_texts()
        assert marks and all(TOPIC_WORD in m for m in marks), (index, marks)
        # The highlight, not the command line's 【…】 around it.
        assert "【" not in items.nth(index).locator("p.snippet").inner_text()
    assert page.locator("p.snippet mark", has_text="区块链服务网络").count() == 1  # 广东 2024
    first = items.first
    expect(first.locator("a.title")).to_have_text("四川省区块链电子证照平台采购项目成交公告")
    expect(first.locator(".province")).to_have_text("四川")
    expect(first.locator(".badge")).to_have_text("第 2 版")


def test_filters_narrow_the_list_by_province_kind_words_and_dates(
    page: Page, served: Served
) -> None:
    page.goto(served.url + "/")
    form = page.locator("form.filters")
    # Province and kind, through the form's selects.
    form.locator("select[name=province]").select_option("310000")
    form.locator("select[name=kind]").select_option("policy")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"province=310000.*kind=policy"))
    wanted = [d for d in mentioning(TOPIC_WORD) if d.province == "310000" and d.kind == "policy"]
    assert len(wanted) == 8
    assert listed_keys(page, served) == newest_first(wanted)
    assert set(page.locator("li.document .province").all_inner_texts()) == {"上海"}
    assert set(page.locator("li.document .kind").all_inner_texts()) == {"政策文件"}

    # Full-text search over all documents, not only the topic's.
    form.locator("select[name=topic]").select_option("all")
    form.locator("select[name=province]").select_option("")
    form.locator("select[name=kind]").select_option("")
    form.locator("input[name=q]").fill("交通")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"q=%E4%BA%A4%E9%80%9A"))
    transport = mentioning("交通")  # 12 policies and 四川's 2023 report
    assert len(transport) == 13
    assert listed_keys(page, served) == newest_first(transport)
    form.locator("input[name=q]").fill(TOPIC_WORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"q=%E5%8C%BA%E5%9D%97%E9%93%BE"))
    assert listed_keys(page, served) == newest_first(mentioning(TOPIC_WORD))
    # All the words of a query must be there.
    form.locator("input[name=q]").fill("区块链 政务服务")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"q=%E5%8C%BA.*%E6%94%BF"))
    assert listed_keys(page, served) == ["report-310000-2023"]

    # A date range (both ends included), with the topic and without words.
    form.locator("input[name=q]").fill("")
    form.locator("input[name=since]").fill("2024-03-10")
    form.locator("input[name=until]").fill("2024-03-15")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"since=2024-03-10.*until=2024-03-15"))
    in_range = [
        d for d in fixture_documents() if date(2024, 3, 10) <= d.published <= date(2024, 3, 15)
    ]
    assert [d.key for d in in_range] == [f"policy-{i}" for i in range(9, 15)]
    assert listed_keys(page, served) == newest_first(in_range)
    # A date that is not one is said on the page, not a server error.
    answer = page.goto(served.url + "/?since=2024-13-45")
    assert answer is not None and answer.status == 400
    expect(page.locator("p.problem")).to_contain_text("不是日期")


def test_the_second_page_continues_the_first(page: Page, served: Served) -> None:
    page.goto(served.url + "/?topic=all")
    everything = newest_first(fixture_documents())
    assert len(everything) == 32
    expect(page.locator("p.count")).to_contain_text("第 1/2 页")
    first = listed_keys(page, served)
    assert first == everything[:20]
    assert page.locator("a[rel=prev]").count() == 0
    page.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    expect(page.locator("p.count")).to_contain_text("第 2/2 页")
    assert listed_keys(page, served) == everything[20:]
    assert page.locator("a[rel=next]").count() == 0
    page.locator("a[rel=prev]").click()
    page.wait_for_url(re.compile(r"page=1"))
    assert listed_keys(page, served) == first
    # The filters stay on the next page's link.
    page.goto(served.url + "/?topic=all&kind=policy&q=%E9%80%9A%E7%9F%A5")
    assert (
        listed_keys(page, served)
        == newest_first([d for d in fixture_documents() if d.kind == "policy"])[:20]
    )
    page.locator("a[rel=next]").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert listed_keys(page, served) == [f"policy-{i}" for i in (3, 2, 1, 0)]


def test_a_documents_page_shows_its_fields_sentences_notice_versions_and_alerts(
    page: Page, served: Served
) -> None:
    page.goto(served.url + "/")
    page.locator("a.title", has_text="四川省区块链电子证照平台采购项目成交公告").click()
    page.wait_for_url(f"{served.url}/documents/{served.ids['award']}")
    expect(page.locator("h1")).to_have_text("四川省区块链电子证照平台采购项目成交公告")
    fields = _definitions(page.locator("dl.fields").first)
    assert fields["省份"] == "四川"
    assert fields["类别"] == "采购公告"
    assert fields["发布日期"] == "2024-05-06"
    assert fields["数据源"] == "510000-procurement"
    assert fields["原文"] == "https://www.example.gov.cn/award-1.html"
    assert "第 2 版" in fields["最近变更"] and "北京时间" in fields["最近变更"]
    # Each sentence that mentions the topic, the keyword marked.
    reading = page.locator("section.reading")
    expect(reading.locator("h3")).to_contain_text("「区块链」")
    sentences = reading.locator("ol.sentences li")
    assert sentences.count() >= 2
    assert any("上线时间为六月" in s for s in sentences.all_inner_texts())
    assert all(TOPIC_WORD in m for m in reading.locator("mark").all_inner_texts())
    assert "【" not in reading.inner_text()
    # The notice and its lot.
    notice = _definitions(page.locator("dl.fields").nth(1))
    assert notice["类型"] == "中标/成交" or "成交" in notice["类型"]
    assert notice["项目编号"] == "SC2024-001"
    assert notice["项目名称"] == "区块链电子证照平台"
    assert notice["采购人"] == "四川省大数据中心"
    assert notice["成交金额（元）"] == "1,280,000.00"
    lot = page.locator("table.lots tbody tr").all()
    assert len(lot) == 1
    cells = lot[0].locator("td").all_inner_texts()
    assert cells[0] == "1" and cells[2] == "成都链数科技有限公司" and cells[3] == "1,280,000.00"
    # Two versions, and what the second added.
    expect(page.locator("ol.versions li")).to_have_count(2)
    diff = page.locator("section.diff")
    expect(diff.locator("h3")).to_have_text("第 1 版 → 第 2 版")
    added = diff.locator("p.added").all_inner_texts()
    assert any("补充说明：合同已签订" in line for line in added)
    assert diff.locator("p.removed").count() == 0
    # The alerts it caused: one failed delivery, one delivered.
    rows = [r.locator("td").all_inner_texts() for r in page.locator("table tbody tr").all()[1:]]
    by_channel = {r[2]: r for r in rows}
    assert by_channel["wecom"][3] == "失败（将重试）"
    assert by_channel["wecom"][5] == "HTTP 502 Bad Gateway"
    assert by_channel["mail"][3] == "已送达"
    # A document that does not exist is a page saying so.
    answer = page.goto(served.url + "/documents/999999")
    assert answer is not None and answer.status == 404


def _definitions(fields: Any) -> dict[str, str]:
    terms = fields.locator("dt").all_inner_texts()
    values = fields.locator("dd").all_inner_texts()
    return dict(zip(terms, values, strict=True))


# -- 告警 and 数据源 --------------------------------------------------------------------------


def test_retrying_a_failed_delivery_makes_it_pending_again(page: Page, served: Served) -> None:
    ids = served.delivery_ids()
    failed, delivered = ids["failed"], ids["delivered"]
    page.goto(served.url + "/alerts")
    row = page.locator(f"#delivery-{failed}")
    expect(row.locator("td.status")).to_have_text("失败（将重试）")
    expect(row).to_contain_text("HTTP 502 Bad Gateway")
    assert page.locator(f"#delivery-{delivered} button").count() == 0  # nothing to retry
    row.locator("button", has_text="重试").click()
    page.wait_for_url(re.compile(r"/alerts\?notice="))
    expect(page.locator("p.notice")).to_have_text(f"投递 {failed} 已重新排队")
    expect(page.locator(f"#delivery-{failed} td.status")).to_have_text("待发送")
    assert page.locator(f"#delivery-{failed} button").count() == 0
    assert served.delivery_status(failed) == "pending"
    # The filter by state.
    page.goto(served.url + "/alerts?status=delivered")
    expect(page.locator("table.deliveries tbody tr")).to_have_count(1)
    expect(page.locator(f"#delivery-{delivered}")).to_be_visible()


def test_the_sources_page_lists_the_registry_and_crawls_one_now(page: Page, served: Served) -> None:
    sources = load_registry(None).sources
    page.goto(served.url + "/sources")
    expect(page.locator("p.count")).to_have_text(f"{len(sources)} 个数据源")
    expect(page.locator("table.sources tbody tr")).to_have_count(len(sources))
    chosen = sources[0]
    row = page.locator(f'tr[id="source-{chosen.id}"]')
    expect(row).to_contain_text(chosen.name)
    expect(row).to_contain_text("从未抓取")
    assert served.crawls.asked == []
    row.locator("button", has_text="立即抓取").click()
    page.wait_for_url(re.compile(r"/sources\?notice="))
    assert served.crawls.asked == [[chosen.id]]
    expect(page.locator("p.notice")).to_have_text(f"已开始抓取 {chosen.id}")


# -- 年度对照 and 中标 ----------------------------------------------------------------------------


def test_the_analysts_table_with_its_brief_comparison_chart_and_downloads(
    page: Page, served: Served
) -> None:
    page.goto(served.url + "/report?year=2024")
    brief = page.locator("section.brief p").all_inner_texts()
    # 上海 mentioned the topic in 2023; 上海, 广东 and 四川 in 2024.
    assert brief[0] == (
        "2024 年，31 个省份中有 3 个在政府工作报告中提及「区块链」（2023 年 1 个）；"
        "新提及的有 广东、四川；共 3 处提及。"
    )
    assert brief[1].startswith("其中 2 个省份把「区块链」与其他新技术并提：")
    assert "农产品溯源 1 个" in brief[2] and "跨境贸易 1 个" in brief[2]
    assert brief[3] == (
        "2024 年提及「区块链」的采购公告 1 条，其中中标/成交 1 条，成交金额合计 "
        "1,280,000.00 元（候选人公示不计入）。"
    )
    headings = page.locator("table.analyst thead th").all_inner_texts()
    assert headings[:5] == ["代码", "省份", "2024 年文件数", "2024 年", "2024 年提及次数"]
    assert "2023 年" not in headings  # no comparison until it is asked for
    expect(page.locator("tr#p-440000")).to_have_class("mentioned")
    expect(page.locator("tr#p-620000")).to_contain_text("未提及")
    expect(page.locator("tr#p-110000")).to_contain_text("无文件")
    # The compared year, chosen on the form.
    page.locator("select[name=compare]").select_option("2023")
    page.locator("form.filters button").click()
    page.wait_for_url(re.compile(r"compare=2023"))
    headings = page.locator("table.analyst thead th").all_inner_texts()
    assert "2023 年" in headings and "变化" in headings
    cells = page.locator("tr#p-440000 td").all_inner_texts()
    assert cells[headings.index("变化")] == "新提及"
    assert cells[headings.index("次数增减")] == "+1"  # 广东 had a report in 2023 too
    # A figure of the brief leads to its rows: the province named as new is a row of the
    # table compared with the year before.
    page.goto(served.url + "/report?year=2024")
    page.locator("section.brief a", has_text="广东").click()
    page.wait_for_url(re.compile(r"/report\?.*compare=2023.*#p-440000$"))
    expect(page.locator("tr#p-440000")).to_have_class("mentioned")
    # The chart is a real image.
    chart = page.locator("figure.chart img")
    chart.scroll_into_view_if_needed()
    expect(chart).to_have_js_property("complete", True)
    assert chart.evaluate("img => img.naturalWidth") > 100
    # The CSV download is the command line's table.
    with page.expect_download() as downloading:
        page.locator("p.downloads a", has_text="CSV").click()
    download = downloading.value
    assert download.suggested_filename == "govwatch-blockchain-work_report-2024-vs-2023.csv"
    lines = Path(download.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("code,province,documents,mentioned,mentions,compare_mentioned")
    assert "440000,广东,1,yes,1,not mentioned,0,newly mentioning,+1," in "\n".join(lines)


def test_the_bids_page_totals_every_notice_and_pages_the_lines(
    page: Page, served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawler.web import pages
    from storage.repository import NoticeRecord

    database = Database(served.database_url)
    tender = record(
        "tender-1",
        "510000",
        "procurement",
        "四川省区块链存证平台招标公告",
        "项目名称：区块链存证平台。预算金额：500000元。",
        datetime(2024, 6, 1),
        notice=NoticeRecord(
            notice_type="tender", project_name="区块链存证平台", budget_yuan=Decimal("500000")
        ),
    )
    DocumentStore(database).save_many([tender])
    database.dispose()
    monkeypatch.setattr(pages, "BIDS_PER_PAGE", 1)
    page.goto(served.url + "/bids")
    expect(page.locator("p.count").first).to_contain_text("采购公告 2 条")
    expect(page.locator("p.count").first).to_contain_text("成交金额合计 1,280,000.00 元")
    headings = page.locator("table.totals thead th").all_inner_texts()
    assert headings == ["省份", "年份", "公告", "中标/成交", "成交金额合计（元）"]
    totals = [
        r.locator("td").all_inner_texts() for r in page.locator("table.totals tbody tr").all()
    ]
    assert totals == [
        ["四川", "2024", "2", "1", "1,280,000.00"],
        ["合计", "—", "2", "1", "1,280,000.00"],
    ]
    # One notice a page (the award, the older), then the tender on the next.
    lines = page.locator("table.bids tbody tr")
    expect(lines).to_have_count(1)
    expect(lines).to_contain_text("成都链数科技有限公司")
    expect(page.locator("p.count").nth(1)).to_have_text("第 1/2 页，每页 1 条公告")
    page.locator("nav.pager a[rel=next]").click()
    page.wait_for_url(re.compile(r"/bids\?.*page=2"))
    expect(lines).to_have_count(1)
    assert page.locator("nav.pager a[rel=next]").count() == 0
    expect(lines).to_contain_text("区块链存证平台")
    expect(lines).to_contain_text("500,000.00")  # its budget, not an amount won
    # The project opens its document on the dashboard; ↗ is the notice on its own site.
    expect(lines.locator("a.source")).to_have_attribute("href", tender.url)
    lines.locator("a", has_text="区块链存证平台").click()
    page.wait_for_url(re.compile(r"/documents/\d+$"))
    expect(page.locator("h1")).to_have_text("四川省区块链存证平台招标公告")
    # A year without notices: the totals say nothing was won.
    page.goto(served.url + "/bids?year=2023")
    expect(page.locator("table.bids tbody tr")).to_have_text("没有公告。")


# -- the login off loopback -------------------------------------------------------------------


@pytest.fixture
def guarded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """The dashboard with a password, as off loopback (still served on 127.0.0.1 here)."""
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    with serving(tmp_path) as running:
        yield running


def test_with_a_password_every_page_needs_the_login_and_actions_need_the_token(
    browser: Browser, page: Page, guarded: Served
) -> None:
    url = guarded.url
    seen: list[str] = []
    for path in ("/", "/alerts", "/sources", "/report", f"/documents/{guarded.ids['award']}"):
        page.goto(url + path)
        assert unquote(page.url) == f"{url}/login?next={path}", page.url
        expect(page.locator("h1")).to_have_text("登录")
        seen.append(page.content())
    # A wrong password is refused and logs nobody in.
    page.goto(url + "/alerts")
    page.locator("input[name=password]").fill("wrong " + PASSWORD)
    with page.expect_response(f"{url}/login") as refused:
        page.locator("form.login button").click()
    assert refused.value.status == 401
    expect(page.locator("p.problem")).to_have_text("密码不对。")
    seen.append(page.content())
    assert SESSION_COOKIE not in {c["name"] for c in page.context.cookies()}
    # The right one lets you in, back where you were going.
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.login button").click()
    page.wait_for_url(f"{url}/alerts")
    failed = guarded.delivery_ids()["failed"]
    expect(page.locator(f"#delivery-{failed} td.status")).to_have_text("失败（将重试）")
    seen.append(page.content())
    for path in ("/", "/sources", "/report", "/bids", f"/documents/{guarded.ids['award']}"):
        answer = page.goto(url + path)
        assert answer is not None and answer.status == 200 and page.url == url + path
        seen.append(page.content())

    # Logged in, an action without this browser's token (or with another) is refused.
    forms: list[dict[str, str | float | bool]] = [{}, {"csrf": "x" * 43}]
    for form in forms:
        posted = page.request.post(f"{url}/alerts/{failed}/retry", form=form, max_redirects=0)
        assert posted.status == 403, form
        crawl = page.request.post(f"{url}/sources/anhui-policy/crawl", form=form, max_redirects=0)
        assert crawl.status == 403
    assert guarded.delivery_status(failed) == "failed" and guarded.crawls.asked == []
    # The API's actions take JSON only; the pages' forms carry the token.
    posted = page.request.post(
        f"{url}/api/alerts/{failed}/retry", data="{}", headers={"Content-Type": "text/plain"}
    )
    assert posted.status == 415
    page.goto(url + "/alerts")
    page.locator(f"#delivery-{failed} button", has_text="重试").click()
    page.wait_for_url(re.compile(r"/alerts\?notice="))
    assert guarded.delivery_status(failed) == "pending"

    # Another browser, never logged in: no page, no API, no feed, no action.
    stranger = browser.new_context()
    try:
        for path in ("/api/documents", "/api/alerts", "/feeds/blockchain.atom"):
            assert stranger.request.get(url + path).status == 401, path
        posted = stranger.request.post(
            f"{url}/api/sources/anhui-policy/crawl",
            data="{}",
            headers={"Content-Type": "application/json"},
        )
        assert posted.status == 401
        token = stranger.request.get(url + "/login")
        assert token.status == 200
        csrf = next(c["value"] for c in stranger.cookies() if c["name"] == CSRF_COOKIE)
        posted = stranger.request.post(
            f"{url}/sources/anhui-policy/crawl", form={"csrf": csrf}, max_redirects=0
        )
        assert posted.status == 303 and posted.headers["location"].startswith("/login")
        assert guarded.crawls.asked == []
        # Programs send the password: as a bearer token, or as HTTP Basic's (feed readers).
        # (Playwright sends a header's characters as bytes, so the UTF-8 bytes are spelt out.)
        bearer = {"Authorization": f"Bearer {PASSWORD}".encode().decode("latin-1")}
        assert stranger.request.get(url + "/api/documents", headers=bearer).status == 200
        basic = base64.b64encode(f"reader:{PASSWORD}".encode()).decode()
        feed = stranger.request.get(
            url + "/feeds/blockchain.atom", headers={"Authorization": f"Basic {basic}"}
        )
        assert feed.status == 200 and feed.headers["content-type"].startswith(
            "application/atom+xml"
        )
        wrong = {"Authorization": f"Bearer {PASSWORD}x".encode().decode("latin-1")}
        assert stranger.request.get(url + "/api/documents", headers=wrong).status == 401
    finally:
        stranger.close()

    # Logging out ends the session.
    page.goto(url + "/")
    page.locator("form.logout button").click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto(url + "/sources")
    assert page.url.startswith(f"{url}/login")
    # The password never stands in a page, nor in a cookie.
    assert seen and not any(PASSWORD in html for html in seen)
    assert not any(PASSWORD in c["value"] for c in page.context.cookies())


def test_without_a_password_actions_still_need_the_token(page: Page, served: Served) -> None:
    page.goto(served.url + "/alerts")
    failed = served.delivery_ids()["failed"]
    answer = page.request.post(f"{served.url}/alerts/{failed}/retry", form={}, max_redirects=0)
    assert answer.status == 403
    assert served.delivery_status(failed) == "failed"
    # A page of another site cannot send JSON here without asking first, so the API's
    # action refuses a form's body.
    answer = page.request.post(
        f"{served.url}/api/alerts/{failed}/retry", form={"x": "1"}, max_redirects=0
    )
    assert answer.status == 415
    answer = page.request.post(
        f"{served.url}/api/alerts/{failed}/retry",
        data="{}",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status == 200 and answer.json()["message"] == f"投递 {failed} 已重新排队"
    assert served.delivery_status(failed) == "pending"
    # Once pending, a second retry is refused as not possible now.
    again = page.request.post(
        f"{served.url}/api/alerts/{failed}/retry",
        data="{}",
        headers={"Content-Type": "application/json"},
    )
    assert again.status == 409


# -- access rules and `govwatch serve` --------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "gov.example.org"])
def test_off_loopback_the_dashboard_refuses_to_start_without_a_password(host: str) -> None:
    with pytest.raises(UserError) as refused:
        check_exposure(host, None, key="web.host", env="GOVWATCH_WEB_PASSWORD")
    message = str(refused.value)
    assert "\n" not in message
    assert host in message and "GOVWATCH_WEB_PASSWORD" in message
    check_exposure(host, PASSWORD, key="web.host", env="GOVWATCH_WEB_PASSWORD")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.53"])
def test_on_loopback_no_password_is_needed(host: str) -> None:
    check_exposure(host, None, key="web.host", env="GOVWATCH_WEB_PASSWORD")


def _serve_command(folder: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    (folder / "govwatch.toml").write_text(
        f'data_dir = "{folder / "data"}"\n'
        f'database_url = "sqlite:///{folder / "govwatch.sqlite3"}"\n',
        encoding="utf-8",
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    return subprocess.Popen(
        [sys.executable, "-m", "crawler", "serve", *args],
        cwd=folder,
        env={**clean, "PYTHONUNBUFFERED": "1", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_govwatch_serve_off_loopback_without_a_password_exits_with_one_line(
    tmp_path: Path,
) -> None:
    serve = _serve_command(tmp_path, "--host", "0.0.0.0", "--port", "0")
    try:
        stdout, stderr = serve.communicate(timeout=60)
    finally:
        if serve.poll() is None:
            serve.kill()
    assert serve.returncode == 2, (stdout, stderr)
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("govwatch: error: web.host: 0.0.0.0 is not a loopback address")
    assert "$GOVWATCH_WEB_PASSWORD" in lines[0]
    assert "Traceback" not in stderr and "dashboard:" not in stdout
    # Refused before anything was opened or made.
    assert not (tmp_path / "govwatch.sqlite3").exists()


def test_govwatch_serve_with_a_password_asks_for_it_and_never_prints_it(tmp_path: Path) -> None:
    url, ids = filled_database(tmp_path)
    assert url == f"sqlite:///{tmp_path / 'govwatch.sqlite3'}"
    serve = _serve_command(
        tmp_path, "--host", "127.0.0.1", "--port", "0", env={"GOVWATCH_WEB_PASSWORD": PASSWORD}
    )
    printed = ""
    try:
        assert serve.stdout is not None
        printed = serve.stdout.readline()
        found = re.fullmatch(
            r"dashboard: (http://127\.0\.0\.1:\d+)/  \(Ctrl-C stops it\)\n", printed
        )
        assert found is not None, printed
        address = found.group(1)
        no_redirects = urllib.request.build_opener(_NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as redirected:
            no_redirects.open(address + "/", timeout=30)
        assert redirected.value.code == 303
        assert redirected.value.headers["Location"] == "/login?next=/"
        login = urllib.request.urlopen(address + "/login", timeout=30).read().decode()
        assert "登录" in login and PASSWORD not in login
        asked = urllib.request.Request(
            f"{address}/api/documents/{ids['award']}",
            # As curl sends it: UTF-8 (the password is not Latin-1).
            headers={"Authorization": f"Bearer {PASSWORD}".encode()},  # type: ignore[dict-item]
        )
        with urllib.request.urlopen(asked, timeout=30) as answer:
            assert b"SC2024-001" in answer.read()
    finally:
        serve.send_signal(signal.SIGINT)
        try:
            rest, stderr = serve.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            serve.kill()
            rest, stderr = serve.communicate()
    assert PASSWORD not in printed + rest + stderr
    assert "Traceback" not in stderr, stderr[-3000:]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# -- feeds ------------------------------------------------------------------------------------


@pytest.fixture
def client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, dict[str, int]]]:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    url, ids = filled_database(tmp_path)
    database = Database(url)
    app = create_app(dashboard_settings(tmp_path, url), DocumentStore(database))
    with TestClient(app, base_url="http://127.0.0.1:8421") as test_client:
        yield test_client, ids
    database.dispose()


def _feed(test_client: TestClient, path: str) -> Any:
    answer = test_client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/atom+xml")
    parsed = feedparser.parse(answer.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_a_topics_feed_is_valid_atom_of_its_newest_documents(
    client: tuple[TestClient, dict[str, int]],
) -> None:
    test_client, _ = client
    parsed = _feed(test_client, "/feeds/blockchain.atom")
    assert parsed.feed.title == "govwatch：提及「区块链」的最新文件"
    listed = test_client.get("/api/documents", params={"per_page": 50}).json()["documents"]
    expected = newest_first(mentioning(TOPIC_WORD))
    assert [d["doc_key"] for d in listed] == expected
    assert len(parsed.entries) == len(expected)
    published = {d.key: d.published for d in fixture_documents()}
    ids = set()
    for entry, document in zip(parsed.entries, listed, strict=True):
        assert entry.title == document["title"]
        links = {link.rel: link.href for link in entry.links}
        assert links["alternate"] == f"http://127.0.0.1:8421/documents/{document['id']}"
        assert (
            links["related"]
            == document["url"]
            == f"https://www.example.gov.cn/{document['doc_key']}.html"
        )
        assert entry.published.startswith(published[document["doc_key"]].isoformat())
        assert entry.published.endswith("+08:00")
        assert entry.updated_parsed is not None
        assert entry.tags[0].term == document["kind"]
        ids.add(entry.id)
    assert len(ids) == len(expected) and all(i.startswith("tag:govwatch,") for i in ids)
    assert "区块链" in parsed.entries[0].summary and parsed.entries[0].summary.startswith("四川")
    # The feed by the topic's label is the same feed.
    by_label = _feed(test_client, "/feeds/区块链.atom")
    assert [e.id for e in by_label.entries] == [e.id for e in parsed.entries]
    # The documents page names its feed for readers.
    page = test_client.get("/?province=510000").text
    assert (
        'type="application/atom+xml"' in page and "/feeds/blockchain.atom?province=510000" in page
    )


@pytest.mark.parametrize(
    ("query", "narrowed"),
    [
        ("province=510000", lambda d: d.province == "510000"),
        ("kind=policy", lambda d: d.kind == "policy"),
        (
            "province=310000&kind=work_report",
            lambda d: d.province == "310000" and d.kind == "work_report",
        ),
        ("province=620000", lambda d: False),
    ],
)
def test_a_feed_narrowed_by_province_and_kind(
    client: tuple[TestClient, dict[str, int]], query: str, narrowed: Any
) -> None:
    test_client, _ = client
    parsed = _feed(test_client, f"/feeds/blockchain.atom?{query}")
    expected = newest_first([d for d in mentioning(TOPIC_WORD) if narrowed(d)])
    keys = [e.id.rsplit(":", 1)[1] for e in parsed.entries]
    assert keys == expected
    if "province=510000" in query:
        assert parsed.feed.title.endswith("·四川") and len(keys) == 2


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/feeds/nonsense.atom", 400),
        ("/feeds/blockchain.atom?province=999999", 422),
        ("/feeds/blockchain.atom?province=shanghai", 422),
        ("/feeds/blockchain.atom?kind=blog", 422),
        ("/feeds/blockchain.rss", 404),
    ],
)
def test_a_feed_that_cannot_be_is_refused_not_a_server_error(
    client: tuple[TestClient, dict[str, int]], path: str, status: int
) -> None:
    test_client, _ = client
    assert test_client.get(path).status_code == status


# -- the README's screenshot ------------------------------------------------------------------


def test_a_screenshot_of_the_documents_page(page: Page, served: Served, tmp_path: Path) -> None:
    """Writes crawler/web/dashboard.png (the README's) only with GOVWATCH_UPDATE_SCREENSHOT=1."""
    page.goto(served.url + "/")
    expect(page.locator("ol.documents li.document")).to_have_count(17)
    update = os.environ.get("GOVWATCH_UPDATE_SCREENSHOT") == "1"
    target = SCREENSHOT if update else tmp_path / "dashboard.png"
    page.screenshot(path=str(target))
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 900)
