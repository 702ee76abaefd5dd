"""ggzy.gov.cn's getTradList form: channels by DEAL_CLASSIFY, date windows under the silent
1,000-row cap, and the replica's imitation of both (spiders/adapters/FAMILIES.md, ggzy)."""

from __future__ import annotations

import http.client
import json
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urldefrag, urlencode, urlsplit

import pytest

from replica import ReplicaThread
from replica.families.ggzy import Ggzy
from spiders.adapters import ADAPTERS, ListPage, PageRequest
from spiders.adapters.ggzy import GgzyAdapter
from spiders.dates import beijing_today
from spiders.errors import UserError
from spiders.registry import load_registry
from tests.replica_crawl import run_govwatch

API = "https://www.ggzy.gov.cn/information/pubTradingInfo/getTradList"
CHANNEL = f"{API}#DEAL_CLASSIFY=02"


def ggzy(**options: Any) -> GgzyAdapter:
    adapter = ADAPTERS["ggzy"](options)
    assert isinstance(adapter, GgzyAdapter)
    return adapter


def answer(total: int, titles: list[str], day: str = "2026-09-23") -> str:
    records = [
        {
            "id": str(n),
            "title": title,
            "publishTime": f"{day} 10:00:00",
            "url": f"/information/deal/html/a/330000/0201/{day.replace('-', '')}/{n}.html",
        }
        for n, title in enumerate(titles)
    ]
    pages = -(-total // 20)
    return json.dumps({"code": 200, "data": {"total": total, "pages": pages, "records": records}})


def window(request: PageRequest) -> tuple[str, str, str]:
    form = parse_qs(request.body or "")
    return form["TIMEBEGIN"][0], form["TIMEEND"][0], form["PAGENUMBER"][0]


def at(begin: str, end: str, page: int = 1) -> str:
    """A request URL of the channel for one window and page, as the adapter writes it."""
    fields = {"DEAL_CLASSIFY": "02", "TIMEBEGIN": begin, "TIMEEND": end, "PAGENUMBER": page}
    return f"{API}#{urlencode(fields)}"


# -- the adapter -------------------------------------------------------------------------------


def test_the_first_request_is_the_channels_newest_window_in_the_sites_own_form() -> None:
    request = ggzy(keyword="区块链", window_days=7).list_request(CHANNEL, 0)
    form = {k: v[0] for k, v in parse_qs(request.body or "", keep_blank_values=True).items()}
    today = beijing_today()
    assert request.method == "POST" and urldefrag(request.url)[0] == API
    assert form["DEAL_CLASSIFY"] == "02" and form["DEAL_TIME"] == "06"
    assert form["TIMEEND"] == form["TIMEEND_SHOW"] == today.isoformat()
    assert form["TIMEBEGIN"] == form["TIMEBEGIN_SHOW"] == (today - timedelta(6)).isoformat()
    assert form["FINDTXT"] == "区块链" and form["PAGENUMBER"] == "1"
    assert form["SOURCE_TYPE"] == "1" and form["isShowAll"] == "1"
    assert request.headers["X-Pass-Token"] == ""
    assert request.headers["Referer"] == "https://www.ggzy.gov.cn/deal/dealList.html"
    # The window travels in the fragment, never sent, so the answer can be read statelessly.
    assert window(request) == tuple(parse_qs(urlsplit(request.url).fragment)[k][0]
                                    for k in ("TIMEBEGIN", "TIMEEND", "PAGENUMBER"))  # fmt: skip


def test_a_window_at_the_cap_is_asked_again_as_its_newer_half() -> None:
    adapter = ggzy(keyword="区块链", since="2026-01-01")
    page = adapter.parse_list(at("2026-09-01", "2026-09-08"), answer(1000, ["区块链平台"] * 20))
    assert page.items == [] and page.next_request is not None
    assert window(page.next_request) == ("2026-09-05", "2026-09-08", "1")
    # The older half is the next window of the sweep once the newer one is read.
    done = adapter.parse_list(at("2026-09-05", "2026-09-08"), answer(15, ["区块链平台"] * 15))
    assert len(done.items) == 15 and done.next_request is not None
    assert window(done.next_request)[1] == "2026-09-04"


def test_a_one_day_window_at_the_cap_is_read_as_far_as_the_site_goes_and_counted() -> None:
    adapter = ggzy(keyword="区块链", since="2026-01-01")
    first = adapter.parse_list(at("2026-09-08", "2026-09-08"), answer(1000, ["区块链平台"] * 20))
    assert len(first.items) == 20 and first.counts == {"windows_at_result_cap": 1}
    assert first.next_request is not None
    assert window(first.next_request) == ("2026-09-08", "2026-09-08", "2")
    last = adapter.parse_list(at("2026-09-08", "2026-09-08", 50), answer(1000, ["区块链"] * 20))
    assert last.counts == {} and last.next_request is not None
    assert window(last.next_request)[1] == "2026-09-07", "page 51 does not exist: next window"


def test_quiet_windows_grow_and_the_sweep_stops_at_since() -> None:
    adapter = ggzy(keyword="区块链", since="2026-08-20")
    page = adapter.parse_list(at("2026-09-01", "2026-09-07"), answer(3, ["区块链平台"] * 3))
    assert page.next_request is not None
    assert window(page.next_request) == ("2026-08-20", "2026-08-31", "1")  # 14 days, cut
    last = adapter.parse_list(at("2026-08-20", "2026-08-31"), answer(0, []))
    assert last.items == [] and last.next_request is None


def test_an_answer_without_one_hit_is_the_unfiltered_list_and_counts_as_an_empty_window() -> None:
    adapter = ggzy(keyword="区块链", since="2026-01-01")
    page = adapter.parse_list(at("2026-09-01", "2026-09-07"), answer(1000, ["道路改造"] * 20))
    assert page.items == [] and page.counts == {}
    assert page.next_request is not None and window(page.next_request)[1] == "2026-08-31"
    mixed = adapter.parse_list(at("2026-09-01", "2026-09-07"), answer(2, ["区块链平台", "道路"]))
    assert [i.title for i in mixed.items] == ["区块链平台"]
    assert mixed.items[0].detail is not None and "/html/b/" in mixed.items[0].detail.url


@pytest.mark.parametrize(
    ("code", "kind"), [(829, "captcha"), (800, "rate_limited"), (804, "error"), (801, "error")]
)
def test_risk_codes_are_refusals(code: int, kind: str) -> None:
    page = ggzy().parse_list(at("2026-09-01", "2026-09-07"), json.dumps({"code": code}))
    assert page.refused is not None and page.refused[0] == kind


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"since": "last year"}, "options.since must be a date"),
        ({"window_days": 0}, "options.window_days"),
        ({"deal_time": "04"}, "has no option 'deal_time'"),
    ],
)
def test_bad_options_are_named(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ggzy(**options)


def test_a_registry_entry_without_its_channel_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "national.toml").write_text(
        f'province = "national"\n[[source]]\nid = "g"\nname = "g"\nkind = "trading"\n'
        f'adapter = "ggzy"\nentry_urls = ["{API}"]\n',
        encoding="utf-8",
    )
    with pytest.raises(UserError, match=r"source\[g\].*DEAL_CLASSIFY=02"):
        load_registry(tmp_path)


def test_the_packaged_source_reads_two_channels_and_needs_nothing_more() -> None:
    source = load_registry().get("national-ggzy")
    assert source.needs is None and source.confidence == "confirmed"
    assert [urlsplit(u).fragment for u in source.entry_urls] == [
        "DEAL_CLASSIFY=01",
        "DEAL_CLASSIFY=02",
    ]


# -- the replica -------------------------------------------------------------------------------

REGISTRY = f"""province = "national"

[[source]]
id = "ggzy-blockchain"
name = "全国公共资源交易平台 交易信息：区块链"
kind = "trading"
adapter = "ggzy"
entry_urls = ["{API}#DEAL_CLASSIFY=01", "{API}#DEAL_CLASSIFY=02"]
options = {{ keyword = "区块链", since = "2023-01-01", window_days = 7 }}
"""


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("registry")
    (directory / "national.toml").write_text(REGISTRY, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def rep(registry_dir: Path) -> Iterator[ReplicaThread]:
    with ReplicaThread(seed=5, registry_dir=registry_dir) as replica:
        yield replica


def post(rep: ReplicaThread, request: PageRequest) -> tuple[int, str]:
    address = urlsplit(str(rep.base_url))
    parts = urlsplit(request.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(
            request.method,
            f"/{parts.netloc}{parts.path}",
            body=(request.body or "").encode(),
            headers=request.headers,
        )
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8")
    finally:
        connection.close()


def form(rep: ReplicaThread, **fields: str) -> tuple[int, str]:
    return post(rep, PageRequest.form(API, fields))


def sweep(rep: ReplicaThread, entry: str, adapter: GgzyAdapter) -> tuple[list[str], int, int]:
    """What a crawl of one channel lists: (item URLs, requests, windows left at the cap)."""
    urls: list[str] = []
    request: PageRequest | None = adapter.list_request(entry, 0)
    requests = capped = 0
    while request is not None:
        requests += 1
        assert requests < 400, "the sweep ends"
        status, text = post(rep, request)
        assert status == 200, text[:200]
        page: ListPage = adapter.parse_list(request.url, text)
        urls += [item.url for item in page.items]
        capped += page.counts.get("windows_at_result_cap", 0)
        request = page.next_request
    return urls, requests, capped


def truth(rep: ReplicaThread) -> list[dict[str, Any]]:
    return [d for d in rep.replica.documents() if d["source_id"] == "ggzy-blockchain"]


def test_the_replica_wants_deal_time_and_one_class(rep: ReplicaThread) -> None:
    status, text = form(rep, FINDTXT="区块链", DEAL_CLASSIFY="02", PAGENUMBER="1")
    assert status == 404 and not text.lstrip().startswith("{")
    everything = {"DEAL_TIME": "06", "TIMEBEGIN": "2000-01-01", "TIMEEND": "2030-12-31"}
    status, text = form(rep, **everything, DEAL_CLASSIFY="00", FINDTXT="区块链")
    assert status == 200 and json.loads(text)["data"]["total"] == 0
    totals = [
        json.loads(form(rep, **everything, DEAL_CLASSIFY=c, FINDTXT="区块链")[1])["data"]["total"]
        for c in ("01", "02")
    ]
    assert sum(totals) == len(truth(rep)) and all(totals)


def test_the_replica_answers_a_window_twenty_rows_a_page_newest_first(rep: ReplicaThread) -> None:
    docs = truth(rep)
    day = str(docs[0]["published"])[:10]
    fields = {"DEAL_TIME": "06", "TIMEBEGIN": day, "TIMEEND": day, "FINDTXT": ""}
    rows = [
        r
        for c in ("01", "02")
        for r in json.loads(form(rep, **fields, DEAL_CLASSIFY=c)[1])["data"]["records"]
    ]
    assert rows and all(r["publishTime"].startswith(day) for r in rows)
    big = json.loads(form(rep, DEAL_TIME="06", TIMEBEGIN="2000-01-01", TIMEEND="2030-12-31",
                          DEAL_CLASSIFY="02", FINDTXT="")[1])["data"]  # fmt: skip
    assert len(big["records"]) == min(20, big["total"])
    times = [r["publishTime"] for r in big["records"]]
    assert times == sorted(times, reverse=True)


def test_a_sweep_of_both_channels_lists_every_document_once(
    rep: ReplicaThread, registry_dir: Path
) -> None:
    adapter = ggzy(keyword="区块链", since="2023-01-01", window_days=7)
    source = load_registry(registry_dir).get("ggzy-blockchain")
    listed = [url for entry in source.entry_urls for url in sweep(rep, entry, adapter)[0]]
    assert sorted(listed) == sorted(d["real_url"] for d in truth(rep))


def test_under_a_small_cap_the_sweep_splits_windows_and_still_lists_everything(
    registry_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three rows a query, one a page: windows of a year must be split down to days."""
    monkeypatch.setattr(Ggzy, "result_cap", 3)
    monkeypatch.setattr("spiders.adapters.ggzy.RESULT_CAP", 3)
    monkeypatch.setattr("spiders.adapters.ggzy.PAGE_SIZE", 1)
    monkeypatch.setattr("replica.families.ggzy.PAGE_SIZE", 1)
    adapter = ggzy(keyword="区块链", since="2023-01-01", window_days=365)
    with ReplicaThread(seed=5, registry_dir=registry_dir) as fresh:  # nothing cached
        docs = truth(fresh)
        listed, requests, capped = [], 0, 0
        for entry in (f"{API}#DEAL_CLASSIFY=01", f"{API}#DEAL_CLASSIFY=02"):
            urls, asked, windows = sweep(fresh, entry, adapter)
            listed, requests, capped = listed + urls, requests + asked, capped + windows
    per_day = Counter(str(doc["published"])[:10] for doc in docs)
    assert max(per_day.values()) < 3 and capped == 0
    assert sorted(listed) == sorted(d["real_url"] for d in docs)
    assert requests > len(docs) + 2 * 4, "windows were split (a year of notices is over 3)"


def test_a_check_follows_quiet_windows_to_the_first_notices(tmp_path: Path) -> None:
    """The replica's notices end in 2025: the newest windows are empty, and a check of the
    packaged source follows them (doubling) until it reads items, instead of saying 0 items."""
    with ReplicaThread(seed=5) as replica:
        result = run_govwatch(
            ["sources", "check", "-s", "national-ggzy", "--json"],
            replica_url=str(replica.base_url),
            database_url=f"sqlite:///{tmp_path}/db.sqlite3",
            data_dir=tmp_path,
        )
    [check] = result.json
    assert check["status"] == "ok" and check["items"] > 0, check
