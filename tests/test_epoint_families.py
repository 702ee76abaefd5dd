"""新点 (Epoint): the full-text search API in date windows (``epoint_search``) and the static
column pages (``epoint_list``), on real saved material and on the replica's imitation of both
(spiders/adapters/FAMILIES.md, epoint_search and epoint_list)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urlencode, urlsplit

import pytest

from crawler.fetch.probe import probe_page
from replica import ReplicaThread
from replica.families.epoint_search import EpointSearch
from spiders.adapters import ADAPTERS, ListPage, PageRequest
from spiders.adapters.epoint_list import EpointListAdapter
from spiders.adapters.epoint_search import EpointSearchAdapter
from spiders.dates import beijing_today
from tests.replica_crawl import send_request

FIXTURES = Path(__file__).parent / "fixtures" / "families" / "epoint"
API = "https://ggzyjy.sc.gov.cn/inteligentsearch/rest/esinteligentsearch/getFullTextDataNew"
GUANGXI = (
    "http://ggzy.jgswj.gxzf.gov.cn/inteligentsearchgxes/rest/esinteligentsearch/getFullTextDataNew"
)


def search(**options: Any) -> EpointSearchAdapter:
    adapter = ADAPTERS["epoint_search"](options)
    assert isinstance(adapter, EpointSearchAdapter)
    return adapter


def body(request: PageRequest) -> dict[str, Any]:
    payload = json.loads(request.body or "")
    assert isinstance(payload, dict)
    return payload


def at(begin: str, end: str, pn: int = 0, api: str = API) -> str:
    """A request URL for one window and offset, as the adapter writes it."""
    return f"{api}#{urlencode({'begin': begin, 'end': end, 'pn': pn})}"


def answer(total: int, count: int, day: str = "2026-09-23") -> str:
    records = [
        {
            "title": f"<em>区块链</em>平台采购公告{n}",
            "linkurl": f"/jyxx/002002/002002001/{day.replace('-', '')}/{n:08d}-0000-0000-0000-000000000000.html",
            "webdate": f"{day} 10:00:00",
            "infoid": f"{n:08d}-0000-0000-0000-000000000000",
            "categorynum": "002002001",
        }
        for n in range(count)
    ]
    return json.dumps({"result": {"totalcount": total, "records": records}}, ensure_ascii=False)


def window(request: PageRequest) -> tuple[str, str, int]:
    time = body(request)["time"][0]
    return time["startTime"][:10], time["endTime"][:10], body(request)["pn"]


# -- the search adapter on real material ----------------------------------------------------------


def test_the_saved_guangxi_answer_reads_to_its_notice_under_the_sites_prefix() -> None:
    text = (FIXTURES / "guangxi_getFullTextDataNew_2024.json").read_text(encoding="utf-8")
    adapter = search(categorynum="001001", date_field="infodatepx", link_prefix="/gxggzy")
    [item] = adapter.parse_list(GUANGXI, text).items
    assert item.url == (
        "http://ggzy.jgswj.gxzf.gov.cn/gxggzy/jyxx/001001/001001002/001001002005/20240104/"
        "ad57b363-c612-4eea-a8ed-d99e0269fb02.html"
    )
    assert item.title == "贵港市覃塘区马班水库除险加固工程中标结果公示"
    assert item.date == date(2024, 1, 4)  # infodatepx: this index has no webdate
    assert item.site_doc_id == "ad57b363-c612-4eea-a8ed-d99e0269fb02"


def test_the_request_has_the_shape_of_sichuans_captured_one() -> None:
    captured = json.loads((FIXTURES / "sichuan_request_2026-03.json").read_text(encoding="utf-8"))
    request = search(categorynum="002001009", cnum="", referer="/jyxx/transactionInfo.html")
    sent = body(request.list_request(API, 0))
    assert set(sent) == set(captured)
    assert {k: type(v) for k, v in sent.items()} == {k: type(v) for k, v in captured.items()}
    assert sent["condition"] == captured["condition"]  # the same categorynum prefix condition
    assert set(sent["time"][0]) == set(captured["time"][0]) == {"fieldName", "startTime", "endTime"}
    assert json.loads(sent["sort"]) == {"webdate": "0"}  # newest first, a JSON string
    headers = request.list_request(API, 0).headers
    assert headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert headers["Referer"] == "https://ggzyjy.sc.gov.cn/jyxx/transactionInfo.html"
    assert headers["X-Requested-With"] == "XMLHttpRequest"


# -- the search adapter's sweep -------------------------------------------------------------------


def test_the_first_request_is_the_newest_window_and_the_window_travels_in_the_fragment() -> None:
    request = search(categorynum="002", window_days=7).list_request(API, 0)
    today = beijing_today()
    assert urldefrag(request.url)[0] == API and request.method == "POST"
    assert window(request) == ((today - timedelta(6)).isoformat(), today.isoformat(), 0)
    fragment = dict(parse_qsl(urlsplit(request.url).fragment))
    assert fragment == {
        "begin": (today - timedelta(6)).isoformat(),
        "end": today.isoformat(),
        "pn": "0",
    }


def test_pages_follow_by_offset_and_titles_lose_their_highlights() -> None:
    adapter = search(categorynum="002", since="2026-01-01")
    page = adapter.parse_list(at("2026-09-17", "2026-09-23"), answer(30, 12))
    assert len(page.items) == 12 and page.items[0].title == "区块链平台采购公告0"
    assert page.next_request is not None and window(page.next_request) == (
        "2026-09-17",
        "2026-09-23",
        12,
    )
    last = adapter.parse_list(at("2026-09-17", "2026-09-23", 24), answer(30, 6))
    assert last.next_request is not None
    assert window(last.next_request)[1] == "2026-09-16", "the window is read: the older one next"


def test_a_window_over_the_cap_is_asked_again_as_its_newer_half() -> None:
    adapter = search(categorynum="002", since="2026-01-01")
    page = adapter.parse_list(at("2026-09-01", "2026-09-08"), answer(5000, 12))
    assert page.items == [] and page.next_request is not None
    assert window(page.next_request) == ("2026-09-05", "2026-09-08", 0)


def test_a_one_day_window_over_the_cap_is_read_up_to_the_cap_and_counted() -> None:
    adapter = search(categorynum="002", since="2026-01-01", rn=12, result_cap=480)
    first = adapter.parse_list(at("2026-09-08", "2026-09-08"), answer(5000, 12))
    assert len(first.items) == 12 and first.counts == {"windows_at_result_cap": 1}
    last = adapter.parse_list(at("2026-09-08", "2026-09-08", 468), answer(5000, 12))
    assert last.next_request is not None and window(last.next_request)[1] == "2026-09-07"


def test_a_total_that_echoes_the_page_size_pages_on_until_an_empty_page() -> None:
    adapter = search(cnum="002", since="2026-01-01")
    full = adapter.parse_list(at("2026-09-17", "2026-09-23", 24), answer(12, 12))
    assert full.next_request is not None and window(full.next_request)[2] == 36
    empty = adapter.parse_list(at("2026-09-17", "2026-09-23", 36), answer(12, 0))
    assert empty.next_request is not None and window(empty.next_request)[2] == 0


def test_quiet_windows_grow_and_the_sweep_stops_at_since() -> None:
    adapter = search(categorynum="002", since="2026-08-20")
    page = adapter.parse_list(at("2026-09-01", "2026-09-07"), answer(3, 3))
    assert page.next_request is not None
    assert window(page.next_request) == ("2026-08-20", "2026-08-31", 0)  # 14 days, cut at since
    last = adapter.parse_list(at("2026-08-20", "2026-08-31"), answer(0, 0))
    assert last.items == [] and last.next_request is None


def test_a_keyword_is_a_title_condition_and_the_titles_are_matched_again() -> None:
    adapter = search(categorynum="002", keyword="区块链")
    conditions = body(adapter.list_request(API, 0))["condition"]
    assert conditions[1]["fieldName"] == "titlenew" and conditions[1]["likeType"] == 0
    records = json.loads(answer(2, 2))
    records["result"]["records"][1]["title"] = "道路改造工程"
    page = adapter.parse_list(at("2026-09-17", "2026-09-23"), json.dumps(records))
    assert [i.title for i in page.items] == ["区块链平台采购公告0"]


@pytest.mark.parametrize("text", ['{"code": 500, "msg": "error"}', "[]", '{"result": null}'])
def test_an_answer_without_a_result_is_a_refusal_naming_what_came(text: str) -> None:
    page = search(categorynum="002").parse_list(at("2026-09-17", "2026-09-23"), text)
    assert page.refused is not None and page.refused[0] == "error"
    assert "answered no result" in page.refused[1]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"date_field": "pubdate"}, "options.date_field must be one of"),
        ({"link_prefix": "xinjiangggzy/"}, "options.link_prefix is a path"),
        ({"rn": "12"}, "options.rn must be a whole number"),
        ({"since": "last year"}, "options.since must be a date"),
        ({"conditions": [{"equal": "33"}]}, "options.conditions must be a list"),
        ({"categoryCode": "002"}, "has no option 'categoryCode'"),
    ],
)
def test_bad_options_are_named(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        search(**options)


# -- the static list adapter ------------------------------------------------------------------------

# Rows as the public crawlers of 江西 (2021–2025) match them, with the pager they read.
JIANGXI_ROWS = """<html><body><div class="ewb-infolist"><ul class="ewb-list">
<li class="ewb-list-node clearfix">
    <a href="/web/jyxx/002006/002006001/20240912/0ef6daf0-bd09-42e4-b230-ea89b23c316e.html"  title="某区块链服务平台采购项目公开招标公告" target="_blank" class="ewb-list-name">某区块链服务平台采购项目公开招标公告</a>
    <span class="ewb-list-date">2024-09-12</span>
</li>
<li class="ewb-list-node clearfix">
    <a href="./20240911/1f2e3d4c-0000-4000-8000-000000000001.html" title="道路养护采购更正公告" target="_blank" class="ewb-list-name">道路养护采购更正…</a>
    <span class="ewb-list-date">2024-09-11</span>
</li></ul></div>
<div class="ewb-page"><span id="index">1/37</span></div></body></html>"""


def test_epoint_rows_give_link_title_date_and_the_uuid_and_the_pager_its_count() -> None:
    url = "http://www.ccgp-jiangxi.gov.cn/web/jyxx/002006/002006001/1.html"
    page = EpointListAdapter({}).parse_list(url, JIANGXI_ROWS)
    assert [(i.title, i.date, i.site_doc_id) for i in page.items] == [
        (
            "某区块链服务平台采购项目公开招标公告",
            date(2024, 9, 12),
            "0ef6daf0-bd09-42e4-b230-ea89b23c316e",
        ),
        ("道路养护采购更正公告", date(2024, 9, 11), "1f2e3d4c-0000-4000-8000-000000000001"),
    ]
    assert page.items[1].url.endswith(
        "/002006001/20240911/1f2e3d4c-0000-4000-8000-000000000001.html"
    )
    assert page.total_pages == 37 and page.page_index == 0


def test_epoint_pages_after_the_first_are_numbered_in_the_columns_folder() -> None:
    adapter = EpointListAdapter({})
    entry = "https://www.sxggzyjy.cn/jydt/001001/001001001/001001001001/subPage.html"
    assert adapter.page_url(entry, 0) == entry
    assert adapter.page_url(entry, 1).endswith("/001001001001/2.html")
    assert adapter.page_url(entry.replace("subPage", "1"), 4).endswith("/001001001001/5.html")


def test_probe_names_both_epoint_families_by_their_marks() -> None:
    listing = probe_page(JIANGXI_ROWS.encode(), "http://www.ccgp-jiangxi.gov.cn/web/jyxx/1.html")
    assert "epoint_list" in {f["family"] for f in listing.families}
    reading = {r.adapter: r for r in listing.readings}["epoint_list"]
    assert len(reading.items) == 2 and listing.entry and 'adapter = "epoint_list"' in listing.entry
    shell = b'<script>var fullsearchUrl = "/inteligentsearch/rest/esinteligentsearch/getFullTextDataNew";</script>'
    families = {f["family"]: f["needs"] for f in probe_page(shell, "https://a.gov.cn/").families}
    assert "categorynum" in families["epoint_search"]


# -- the replica -------------------------------------------------------------------------------------

REGISTRY = f"""province = "sichuan"

[[source]]
id = "sc-trading"
name = "四川省公共资源交易信息网 交易信息"
kind = "trading"
adapter = "epoint_search"
entry_urls = ["{API}"]
options = {{ categorynum = "002", cnum = "", since = "2010-01-01", referer = "/jyxx/transactionInfo.html" }}

[[source]]
id = "sc-list"
name = "四川省政府采购网 采购公告"
kind = "procurement"
adapter = "epoint_list"
entry_urls = ["http://www.ccgp-sichuan.gov.cn/web/jyxx/002006/002006001/1.html"]
"""


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("registry")
    (directory / "sichuan.toml").write_text(REGISTRY, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def rep(registry_dir: Path) -> Iterator[ReplicaThread]:
    with ReplicaThread(seed=5, registry_dir=registry_dir) as replica:
        yield replica


def send(rep: ReplicaThread, request: PageRequest) -> tuple[int, str]:
    return send_request(rep.base_url, request)


def sweep(rep: ReplicaThread, adapter: Any, entry: str) -> tuple[list[ListPage], list[str]]:
    """Every list answer of a whole run, following each answer's next request or page count."""
    pages: list[ListPage] = []
    request: PageRequest | None = adapter.list_request(entry, 0)
    while request is not None and len(pages) < 400:
        status, text = send(rep, request)
        assert status == 200, (request.url, status)
        page = adapter.parse_list(request.url, text)
        pages.append(page)
        index = len(pages)
        if page.next_request is not None:
            request = page.next_request
        elif page.total_pages and index < page.total_pages:
            request = adapter.list_request(entry, index)
        else:
            request = None
    return pages, [item.url for page in pages for item in page.items]


def truth(rep: ReplicaThread, source_id: str) -> list[dict[str, Any]]:
    return [d for d in rep.replica.documents() if d["source_id"] == source_id]


def test_the_sweep_reads_every_document_once_even_when_the_cap_splits_windows(
    rep: ReplicaThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(EpointSearch, "result_cap", 12)
    adapter = search(categorynum="002", cnum="", since="2010-01-01", rn=6, result_cap=12)
    pages, urls = sweep(rep, adapter, API)
    expected = [d["real_url"] for d in truth(rep, "sc-trading")]
    assert sorted(urls) == sorted(expected) and len(urls) == len(set(urls))
    assert any(not page.items and page.next_request for page in pages), "some window was split"
    status, text = send(rep, PageRequest(urls[0]))
    assert status == 200 and 'id="newsText"' in text


def test_the_api_answers_newest_first_only_when_sorted_and_windows_by_its_date_field(
    rep: ReplicaThread,
) -> None:
    request = search(categorynum="002", rn=50, window_days=365).list_request(API, 0)
    payload = body(request)
    payload["time"][0]["startTime"] = "2010-01-01 00:00:00"
    sorted_dates = _dates(rep, payload)
    assert sorted_dates == sorted(sorted_dates, reverse=True) and sorted_dates
    unsorted = _dates(rep, {**payload, "sort": ""})
    assert unsorted != sorted_dates, "by relevance without the sort"
    wrong_field = [{**payload["time"][0], "fieldName": "infodatepx"}]
    assert _dates(rep, {**payload, "time": wrong_field}) == []


def _dates(rep: ReplicaThread, payload: dict[str, Any]) -> list[str]:
    request = PageRequest(API, "POST", json.dumps(payload), {"Content-Type": "application/json"})
    status, text = send(rep, request)
    assert status == 200
    return [r["webdate"] for r in json.loads(text)["result"]["records"]]


def test_the_api_answers_its_html_error_page_to_text_numbers_and_bodies_not_json(
    rep: ReplicaThread,
) -> None:
    payload = body(search(categorynum="002").list_request(API, 0))
    form = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
    for sent in (json.dumps({**payload, "pn": "0"}), "pn=0&rn=12"):
        status, text = send(rep, PageRequest(API, "POST", sent, form))
        assert status == 200 and text.lstrip().startswith("<!DOCTYPE html>")
    status, _ = send(rep, PageRequest(API))
    assert status == 405


def test_the_static_list_pages_reach_every_document_and_end_with_a_404(rep: ReplicaThread) -> None:
    entry = "http://www.ccgp-sichuan.gov.cn/web/jyxx/002006/002006001/1.html"
    adapter = EpointListAdapter({})
    pages, urls = sweep(rep, adapter, entry)
    expected = [d["real_url"] for d in truth(rep, "sc-list")]
    assert urls == expected and pages[0].total_pages == len(pages) > 1
    past = adapter.page_url(entry, len(pages))
    assert send(rep, PageRequest(past))[0] == 404
    status, text = send(rep, PageRequest(urls[0]))
    assert status == 200 and "ewb-article" in text
