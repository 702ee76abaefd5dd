"""Specification of the replica's registry-driven sources: every CMS family, as FAMILIES.md has it.

A temporary registry holds one or two sources per family (realistic options, two freecms
channels on one host, two gkmlpt categories, a source on a hand-built host), so these tests
do not depend on the packaged registry's changing contents. Requests are built the way
spiders/adapters/FAMILIES.md says the adapters build them, and answers are parsed with lxml
and json.
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit

import lxml.html
import pytest

from replica import Replica, ReplicaThread
from replica.families.money import capital
from spiders.registry import Source, load_registry

# -- the test registry ------------------------------------------------------------------------

REGISTRY = {
    "jiangsu.toml": """
province = "jiangsu"

[[source]]
id = "js-policy"
name = "江苏省人民政府 省政府文件"
kind = "policy"
adapter = "hanweb_jpage"
entry_urls = ["https://www.jiangsu.gov.cn/col/col84242/index.html"]
options = { columnid = 84242, unitid = 356383, webid = 1, webname = "江苏省人民政府" }

[[source]]
id = "js-work-report"
name = "江苏省人民政府 政府工作报告"
kind = "work_report"
adapter = "trs_static"
entry_urls = ["https://www.jiangsu.gov.cn/zfgzbg/index.html"]

[[source]]
id = "js-industry"
name = "江苏省工业和信息化厅 通知公告"
kind = "industry_dept"
adapter = "generic_list"
entry_urls = ["http://gxt.jiangsu.gov.cn/tzgg/list.jsp?cat=5"]
""",
    "guangdong.toml": """
province = "guangdong"

[[source]]
id = "gd-gkmlpt-5"
name = "广东省人民政府 政府信息公开目录 规范性文件"
kind = "policy"
adapter = "gkmlpt"
entry_urls = ["http://www.gd.gov.cn/gkmlpt/index"]
options = { sid = 2, category = 5 }

[[source]]
id = "gd-gkmlpt-6"
name = "广东省人民政府 政府信息公开目录 其他文件"
kind = "policy"
adapter = "gkmlpt"
entry_urls = ["http://www.gd.gov.cn/gkmlpt/index"]
options = { category = 6 }

[[source]]
id = "gd-tenders"
name = "广东省政府采购网 采购公告"
kind = "procurement"
adapter = "freecms"
entry_urls = ["https://gdgpo.czt.gd.gov.cn/freecms/rest/v1/notice/selectInfoMoreChannel.do"]
options = { siteId = "cd64e06a-21a7-4620-aebc-0576bab7e07a", channel = "fca71be5-fc0c-45db-96af-f513e9abda9d", noticeType = "00101" }

[[source]]
id = "gd-results"
name = "广东省政府采购网 结果公告"
kind = "procurement"
adapter = "freecms"
entry_urls = ["https://gdgpo.czt.gd.gov.cn/freecms/rest/v1/notice/selectInfoMoreChannel.do"]
options = { siteId = "cd64e06a-21a7-4620-aebc-0576bab7e07a", channel = "3b49b9ba-48b6-4220-9e8b-eb89f41e9d66", pageSize = 5 }
""",
    "qinghai.toml": """
province = "qinghai"

[[source]]
id = "qh-results"
name = "青海政府采购网 采购结果公告"
kind = "procurement"
adapter = "zcy"
entry_urls = ["http://www.ccgp-qinghai.gov.cn/portal/category"]
options = { categoryCode = "ZcyAnnouncement4", parentId = "4149" }
""",
    "heilongjiang.toml": """
province = "heilongjiang"

[[source]]
id = "hlj-hzf"
name = "黑龙江省人民政府 黑政发"
kind = "policy"
adapter = "search_json"
entry_urls = ["https://www.hlj.gov.cn/common/search/c7eb6a51b99845ea906d5ec83b0f8e27"]
options = { channel = "c7eb6a51b99845ea906d5ec83b0f8e27" }
""",
    "zhejiang.toml": """
province = "zhejiang"

[[source]]
id = "zj-jxt"
name = "浙江省经济和信息化厅 通知公告"
kind = "industry_dept"
adapter = "jcms"
entry_urls = ["https://jxt.zj.gov.cn/col/col1229/index.html"]
options = { webId = "3185", pageId = "1229", tplSetId = "5", rows = 10 }
""",
    "shanghai.toml": """
province = "shanghai"

[[source]]
id = "sh-policy"
name = "上海市人民政府 沪府文件"
kind = "policy"
adapter = "trs_static"
entry_urls = ["https://www.shanghai.gov.cn/nw39220/index.html"]

[[source]]
id = "sh-hufuling"
name = "上海市人民政府 沪府令"
kind = "policy"
adapter = "trs_static"
entry_urls = ["https://www.shanghai.gov.cn/nw2407/index.html"]
""",
    "national.toml": """
province = "national"

[[source]]
id = "ccgp-blockchain"
name = "中国政府采购网 全文检索：区块链"
kind = "procurement"
adapter = "ccgp_search"
entry_urls = ["http://search.ccgp.gov.cn/bxsearch?searchtype=1&page_index=1&bidSort=0&pinMu=0&bidType=0&dbselect=bidx&kw=区块链&timeType=6"]

[[source]]
id = "ccgp-awards"
name = "中国政府采购网 地方公告 中标公告"
kind = "procurement"
adapter = "ccgp_channel"
entry_urls = ["http://www.ccgp.gov.cn/cggg/dfgg/zbgg/index.htm"]

[[source]]
id = "ggzy-blockchain"
name = "全国公共资源交易平台 交易信息：区块链"
kind = "trading"
adapter = "ggzy"
entry_urls = [
  "https://www.ggzy.gov.cn/information/pubTradingInfo/getTradList#DEAL_CLASSIFY=01",
  "https://www.ggzy.gov.cn/information/pubTradingInfo/getTradList#DEAL_CLASSIFY=02",
]
options = { keyword = "区块链", since = "2023-01-01" }
""",
}
HAND_BUILT = {"sh-policy"}  # served by the hand-built Shanghai portal, not generated
NO_LIMIT = (10_000, 1.0)


@pytest.fixture(scope="module")
def registry_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("registry")
    for name, text in REGISTRY.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def sources(registry_dir: Path) -> dict[str, Source]:
    return {s.id: s for s in load_registry(registry_dir).sources}


@pytest.fixture(scope="module")
def shared(registry_dir: Path) -> Iterator[ReplicaThread]:
    """A replica for tests that only read; its search is not rate limited."""
    with ReplicaThread(seed=5, registry_dir=registry_dir, search_rate_limit=NO_LIMIT) as rep:
        yield rep


@pytest.fixture
def rep(registry_dir: Path) -> Iterator[ReplicaThread]:
    """A fresh replica a test may change."""
    with ReplicaThread(seed=5, registry_dir=registry_dir, search_rate_limit=NO_LIMIT) as fresh:
        yield fresh


# -- plain HTTP, real URLs mapped onto the replica ---------------------------------------------


@dataclass(frozen=True)
class Request:
    url: str  # the real URL
    method: str = "GET"
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        charset = self.headers["content-type"].partition("charset=")[2].lower() or "utf-8"
        return self.body.decode("gb18030" if charset.startswith("gb") else charset)

    def json(self) -> Any:
        return json.loads(self.body)


def served_path(real_url: str) -> str:
    """Where the replica serves a real URL: /host/path?query, percent-encoded."""
    parts = urlsplit(real_url)
    path = f"/{parts.netloc.lower()}{parts.path or '/'}" + (
        f"?{parts.query}" if parts.query else ""
    )
    return quote(path, safe="/?&=%:+,")


def send(base_url: str, request: Request) -> Answer:
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(
            request.method,
            served_path(request.url),
            body=request.body,
            headers=dict(request.headers),
        )
        response = connection.getresponse()
        return Answer(
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read(),
        )
    finally:
        connection.close()


def text_request(doc: dict[str, Any]) -> Request:
    """The request for the page holding a document's text (its ground-truth url_path)."""
    return Request("http://" + doc["url_path"][1:])


def get(base_url: str, real_url: str) -> Answer:
    return send(base_url, Request(real_url))


FORM = (("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8"),)
JSON = (("Content-Type", "application/json;charset=UTF-8"), ("X-Requested-With", "XMLHttpRequest"))


def form_post(url: str, fields: dict[str, Any]) -> Request:
    return Request(url, "POST", urlencode(fields).encode(), FORM)


def json_post(url: str, payload: dict[str, Any]) -> Request:
    return Request(url, "POST", json.dumps(payload, ensure_ascii=False).encode(), JSON)


# -- list requests and parsing as FAMILIES.md describes them ------------------------------------


def root(source: Source) -> str:
    parts = urlsplit(source.entry_urls[0])
    return f"{parts.scheme}://{parts.netloc}"


def numbered(entry: str, index: int) -> str:
    if index == 0:
        return entry
    base, _, last = entry.rpartition("/")
    stem, _, ext = last.partition(".")
    return f"{base}/{stem}_{index}.{ext}"


def list_request(
    source: Source, index: int, previous: Answer | None = None, base_url: str = ""
) -> Request:
    """The request for list page `index` (0-based) of a source.

    `previous` is list page index-1 (generic lists follow its 下一页 link); `base_url` lets a
    gkmlpt source without a sid option read it from the config page, as the adapter does.
    """
    entry, options = source.entry_urls[0], source.options
    adapter = source.adapter
    if adapter in ("trs_static", "ccgp_channel"):
        return Request(numbered(entry, index))
    if adapter == "generic_list":
        if index == 0:
            return Request(entry)
        assert previous is not None
        page = lxml.html.document_fromstring(previous.text)
        href = next(a.get("href") for a in page.iter("a") if a.text_content() == "下一页")
        return Request(urljoin(entry, href))
    if adapter == "hanweb_jpage":
        if index == 0:
            return Request(entry)
        perpage = int(options.get("perpage", 15))
        start, end = (index - 1) * 3 * perpage + 1, index * 3 * perpage
        fields = {
            "col": 1,
            "appid": 1,
            "webid": options["webid"],
            "path": "/",
            "columnid": options["columnid"],
            "sourceContentType": 1,
            "unitid": options["unitid"],
            "webname": options.get("webname", ""),
            "permissiontype": 0,
        }
        proxy = options.get("proxy_path", "/module/web/jpage/dataproxy.jsp")
        url = f"{root(source)}{proxy}?startrecord={start}&endrecord={end}&perpage={perpage}"
        return form_post(url, fields)
    if adapter == "gkmlpt":
        host = urlsplit(entry).netloc
        sid = options.get("sid") or config_sid(base_url, entry)
        query = urlencode({"page": index + 1, "sid": sid})
        return Request(f"http://{host}/gkmlpt/api/all/{options.get('category', 0)}?{query}")
    if adapter == "freecms":
        query = {
            "siteId": options["siteId"],
            "channel": options["channel"],
            "currPage": index + 1,
            "pageSize": options.get("pageSize", 10),
            "noticeType": options.get("noticeType", ""),
            "regionCode": options.get("regionCode", ""),
            "purchaseManner": "",
            "title": "",
            "openTenderCode": "",
            "operationStartTime": "",
            "operationEndTime": "",
            "selectTimeName": "noticeTime",
        }
        return Request(f"{entry.split('?')[0]}?&{urlencode(query)}")
    if adapter == "zcy":
        payload = {
            "categoryCode": options["categoryCode"],
            "pageNo": index + 1,
            "pageSize": options.get("pageSize", 15),
            "_t": 1748323359000,
        }
        return json_post(entry, payload)
    if adapter == "ccgp_search":
        return Request(re.sub(r"page_index=\d+", f"page_index={index + 1}", entry))
    if adapter == "ggzy":  # one channel (its fragment), every day at once
        api, _, channel = entry.partition("#")
        fields = {
            **dict(parse_qsl(channel)),
            "FINDTXT": options.get("keyword", ""),
            "DEAL_TIME": "06",
            "TIMEBEGIN": options.get("since", "2000-01-01"),
            "TIMEEND": "2030-12-31",
            "PAGENUMBER": index + 1,
        }
        return form_post(api, fields)
    if adapter == "search_json":
        query = urlencode(
            {
                "_isAgg": "true",
                "_isJson": "true",
                "_pageSize": options.get("pageSize", 15),
                "_template": "index",
                "_rangeTimeGte": "",
                "_channelName": "",
                "page": index + 1,
            }
        )
        return Request(f"{root(source)}/common/search/{options['channel']}?{query}")
    if adapter == "jcms":
        query = urlencode(
            {
                "webId": options["webId"],
                "pageId": options["pageId"],
                "parseType": "bulidstatic",
                "pageType": "column",
                "tagId": options.get("tagId", "当前栏目_list"),
                "tplSetId": options.get("tplSetId", ""),
                "rows": options.get("rows", 15),
                "pageNo": index + 1,
            }
        )
        return Request(
            f"{root(source)}/api-gateway/jpaas-publish-server/front/page/build/unit?{query}"
        )
    if adapter in ("govcn_feed", "report_page"):  # one answer, no paging
        return Request(entry)
    if adapter == "hunan_form":
        fields = {"pType": "", "prcmPrjName": "", "startDate": options.get("since", "2000-01-01"),
                  "endDate": "2030-12-31", "page": index + 1, "pageSize": 18}  # fmt: skip
        return form_post(entry, fields)
    if adapter == "shandong_api":
        payload = {"colCode": options["colCode"], "area": "", "currentPage": index + 1,
                   "pageSize": 20, "homePage": 1}  # fmt: skip
        return json_post(entry, payload)
    if adapter == "guizhou_es":
        payload = {"channelId": options["channelId"], "pageNum": index + 1, "pageSize": 20,
                   "announcement": options.get("announcement", ""),
                   "startTime": "2000-01-01 00:00:00", "endTime": "2030-12-31 23:59:59"}  # fmt: skip
        return json_post(entry, payload)
    if adapter == "yunnan_json":
        payload = {"pageNum": index + 1, "pageSize": 20, "cityId": "", "industryCode": "",
                   "childType": "", "tradeType": options.get("tradeType", "gcjs"), "title": "",
                   "startTime": "20000101000000", "endTime": "20301231235959"}  # fmt: skip
        return json_post(entry, payload)
    if adapter == "nmg_trssearch":  # the entry's filters, every day
        query = {**dict(parse_qsl(urlsplit(entry).query, keep_blank_values=True)),
                 "pageNum": index + 1, "startTime": "", "endTime": ""}  # fmt: skip
        return Request(f"{entry.split('?')[0]}?{urlencode(query)}")
    if adapter == "chongqing_json":
        query = {"pi": index + 1, "startDate": options.get("since", ""), "endDate": "2030-12-31"}
        return Request(f"{entry.split('&pi=')[0]}&{urlencode(query)}")
    if adapter == "epoint_search":  # every day in one window, newest first, pn an offset
        field = options.get("date_field", "webdate")
        prefix = options.get("categorynum")
        like = {"fieldName": "categorynum", "equal": prefix, "isLike": True, "likeType": 2}
        window = {"fieldName": field, "startTime": "2000-01-01 00:00:00", "endTime": "2030-12-31"}
        payload = {"pn": index * 12, "rn": 12, "cnum": options.get("cnum", "001"),
                   "sort": json.dumps({field: "0"}), "condition": [like] if prefix else [],
                   "time": [window]}  # fmt: skip
        return json_post(entry, payload)
    if adapter == "gpcms":
        query = {"siteId": options["siteId"], "channel": options["channel"],
                 "currPage": index + 1, "pageSize": options.get("pageSize", 10),
                 "noticeType": options.get("noticeType", ""),
                 "regionCode": options.get("regionCode", ""), "verifyCode": ""}  # fmt: skip
        return Request(f"{entry}?{urlencode(query)}")
    if adapter == "epoint_list":  # the entry, then 2.html, 3.html … in its folder
        return Request(entry if index == 0 else f"{entry.rsplit('/', 1)[0]}/{index + 1}.html")
    if adapter == "jeecms_query":  # the search form, POSTed (山西) or as a query (天津)
        fields = {"title": "", "inDates": options.get("inDates", ""),
                  "channelId": options["channelId"]}  # fmt: skip
        path = entry.split("?")[0]
        if index:
            path = re.sub(r"queryContent(?:_\d+)?-", f"queryContent_{index + 1}-", path)
        if options.get("method") == "GET":
            return Request(f"{path}?{urlencode(fields)}")
        return form_post(path, fields)
    if adapter == "trs_was5":  # the search URL with its page replaced
        return Request(re.sub(r"([?&])page=\d+", rf"\g<1>page={index + 1}", entry))
    if adapter == "hubei_jyxx":  # one answer, the newest rows
        return form_post(entry, {"pageSize": options.get("pageSize", 100), "area": ""})
    if adapter == "jiangxi_querylist":
        fields = {"current": index + 1, "pageSize": options.get("pageSize", 15),
                  "webSiteCode[]": options["webSiteCode"],
                  "channelCode[]": options["channelCode"], "sort": "sortNum", "order": "desc"}  # fmt: skip
        return form_post(entry, fields)
    raise AssertionError(f"no request recipe for {adapter}")


def jeecms_link(source: Source, link: str) -> str:
    """A JEECMS row's link on the entry's scheme and host; 天津's ids encrypted by its key."""
    from spiders.adapters.sites.jeecms_query import encrypted_id

    path = urlsplit(link).path
    key = source.options.get("link_key")
    if key:
        folder, _, name = path.rpartition("/")
        path = f"{folder}/{encrypted_id(name.split('.')[0], key)}.jhtml"
    return root(source) + path


def config_sid(base_url: str, entry: str) -> str:
    match = re.search(r"window\._CONFIG = \{SID: '(\w+)'", get(base_url, entry).text)
    assert match, "the gkmlpt config page names its SID"
    return match.group(1)


def links(fragment: str, base: str, selector: str) -> list[tuple[str, str]]:
    tree = lxml.html.fragment_fromstring(fragment, create_parent="div")
    return [
        (urljoin(base, a.get("href")), a.get("title") or a.text_content().strip())
        for a in tree.cssselect(selector)
    ]


def list_items(source: Source, request: Request, answer: Answer) -> list[tuple[str, str]]:
    """(real URL, title) of every item of a list answer."""
    adapter, base = source.adapter, request.url
    if adapter == "trs_static":
        return links(answer.text, base, "ul.list > li > a")
    if adapter == "generic_list":
        return links(answer.text, base, "div.list_box li > a")
    if adapter == "ccgp_channel":
        return links(answer.text, base, "ul.c_list_bid > li > a")
    if adapter == "epoint_list":
        return links(answer.text, base, "li.ewb-list-node > a.ewb-list-name")
    if adapter == "ccgp_search":
        return links(answer.text, base, "ul.vT-srch-result-list-bid > li > a")
    if adapter == "hanweb_jpage":
        records = re.findall(r"<record><!\[CDATA\[(.*?)\]\]></record>", answer.text, re.S)
        return links("".join(records), base, "li > a") if records else []
    if adapter == "report_page":  # the page is the document, named by its year's address
        year = re.search(r"(\d{4})年\d{1,2}月\d{1,2}日在", answer.text)
        title = lxml.html.document_fromstring(answer.text).findtext(".//title")
        return [(source.options["year_url"].format(year=year.group(1)), title)] if year else []
    if adapter == "jeecms_query":  # the url attribute (天津, link encrypted) or the href (山西)
        tree = lxml.html.document_fromstring(answer.text)
        rows = tree.cssselect("a.cs_two_c_2, div.article-list3-t > a")
        return [(jeecms_link(source, a.get("url") or a.get("href")),
                 (a.cssselect(".cs_bz_cont") or [a])[0].text_content().strip()) for a in rows]  # fmt: skip
    if adapter == "trs_was5":  # JSON, or JSONP when the search names a callback
        data = json.loads(re.sub(r"^\w+\((.*)\);?$", r"\1", answer.text.strip(), flags=re.S))
        link_base = source.options.get("link_base", "")
        return [(r.get("DOCPUBURL") or link_base + r["docpuburl"], r.get("DOCTITLE") or r["title"])
                for r in data["datas"]]  # fmt: skip
    data = answer.json()
    if adapter == "hubei_jyxx":
        column = urlsplit(base).path.rsplit("/", 1)[1]
        return [(f"{root(source)}/jyxx/{column}Detail?guid={r['guid']}", r["bulletinName"])
                for r in data[f"{column}List"]]  # fmt: skip
    if adapter == "jiangxi_querylist":
        return [(urljoin(base, json.loads(r["source"]["urls"])["pc"]), r["source"]["title"])
                for r in data["data"]["results"]]  # fmt: skip
    if adapter == "govcn_feed":
        return [(urljoin(base, e["URL"]), e["TITLE"]) for e in data]
    if adapter == "gkmlpt":
        return [(a["url"], a["title"]) for a in data["articles"]]
    if adapter == "freecms":
        return [(urljoin(root(source), d["htmlpath"]), d["title"]) for d in data["data"]]
    if adapter == "zcy":
        rows = data["result"]["data"]["data"]
        parent = quote(source.options["parentId"], safe="")
        return [
            (f"{root(source)}/site/detail?parentId={parent}&articleId={quote(d['articleId'], safe='')}",
             d["title"])
            for d in rows
        ]  # fmt: skip
    if adapter == "ggzy":
        return [(urljoin(root(source), r["url"]), r["title"]) for r in data["data"]["records"]]
    if adapter == "search_json":
        return [(r["url"], r["title"]) for r in data["data"]["results"]]
    if adapter == "jcms":
        return links(data["data"]["html"], base, "li > a")
    if adapter == "hunan_form":
        return [(f"{root(source)}/page/notice/notice.jsp?noticeId={r['NOTICE_ID']}",
                 r["NOTICE_TITLE"]) for r in data["rows"]]  # fmt: skip
    if adapter == "shandong_api":
        site = f"{urlsplit(base).scheme}://{urlsplit(base).hostname}"
        return [(f"{site}/detail?id={r['id']}&colCode={r['colCode']}", r["title"])
                for r in data["data"]["data"]["records"]]  # fmt: skip
    if adapter == "guizhou_es":
        return [(r["apiUrl"], r["docTitle"]) for r in data["list"]]
    if adapter == "yunnan_json":
        column = source.options.get("colCode", "1")
        return [(f"{root(source)}/tradeHall/tradeDetail?"
                 + urlencode({"guid": r["guid"], "colCode": column, "rowCode": "招标公告"}),
                 r["bulletinname"]) for r in data["value"]["list"]]  # fmt: skip
    if adapter == "nmg_trssearch":
        return [(f"{root(source)}/jyxx/index_24.html?id={r['sourceDataKey']}", r["noticeName"])
                for r in data["data"]["data"]]  # fmt: skip
    if adapter == "chongqing_json":
        return [(f"{root(source)}/notices/detail/{n['id']}", n["title"]) for n in data["notices"]]
    if adapter == "gpcms":
        template, rows = source.options["articleUrl"], data["data"]["rows"]
        return [(root(source) + template.format(**{k: quote(str(r.get(k) or ""), safe="")
                 for k in ("id", "planId", "noticeType", "openTenderCode")}), r["title"])
                for r in rows]  # fmt: skip
    if adapter == "epoint_search":
        prefix = root(source) + source.options.get("link_prefix", "")
        return [(prefix + r["linkurl"], r["title"]) for r in data["result"]["records"]]
    raise AssertionError(f"no parser for {adapter}")


def read_list(base_url: str, source: Source, pages: int) -> list[list[tuple[str, str]]]:
    """Items of the first `pages` list pages."""
    result, previous = [], None
    for index in range(pages):
        request = list_request(source, index, previous, base_url)
        previous = send(base_url, request)
        assert previous.status == 200, (source.id, index, previous.status)
        result.append(list_items(source, request, previous))
    return result


def truth_of(rep: ReplicaThread, source_id: str) -> list[dict[str, Any]]:
    return [d for d in rep.replica.documents() if d["source_id"] == source_id]


# Items per list page: fixed by the site, or asked for by the client (its option, else default).
SITE_PAGE_SIZES = {
    "generic_list": 10,
    "gkmlpt": 100,
    "ccgp_channel": 20,
    "ccgp_search": 20,
    "ggzy": 20,
}
CLIENT_PAGE_SIZES = {
    "hanweb_jpage": ("perpage", 15),
    "freecms": ("pageSize", 10),
    "zcy": ("pageSize", 15),
    "search_json": ("pageSize", 15),
    "jcms": ("rows", 15),
}


def page_size(source: Source) -> int:
    if source.adapter == "trs_static":
        return 5 if source.kind == "work_report" else 15
    if source.adapter in SITE_PAGE_SIZES:
        return SITE_PAGE_SIZES[source.adapter]
    option, default = CLIENT_PAGE_SIZES[source.adapter]
    return int(source.options.get(option, default))


def expected_sizes(source: Source, n: int) -> tuple[int, int]:
    """Items on list pages 0 and 1 of a source with n documents."""
    size = page_size(source)
    if source.adapter == "hanweb_jpage":  # page 0 embeds one screen, page 1 = records 1…3·perpage
        return min(size, n), min(3 * size, n)
    return min(size, n), min(size, n - size)


GENERATED = [
    "js-policy",
    "js-work-report",
    "js-industry",
    "gd-gkmlpt-5",
    "gd-gkmlpt-6",
    "gd-tenders",
    "gd-results",
    "qh-results",
    "hlj-hzf",
    "zj-jxt",
    "sh-hufuling",
    "ccgp-blockchain",
    "ccgp-awards",
]  # ggzy-blockchain lists its documents in two channels: tests/test_ggzy_form.py


# -- lists --------------------------------------------------------------------------------------


@pytest.mark.parametrize("source_id", GENERATED)
def test_list_pages_zero_and_one_parse_to_the_documented_shape(
    shared: ReplicaThread, sources: dict[str, Source], source_id: str
) -> None:
    source = sources[source_id]
    truth = truth_of(shared, source_id)
    assert truth, "every generated source has documents"
    page0, page1 = read_list(shared.base_url, source, 2)
    assert (len(page0), len(page1)) == expected_sizes(source, len(truth))
    assert len(page1) > 0, "every source has at least two list pages"
    listed = list(dict.fromkeys(url for url, _ in page0 + page1))  # hanweb repeats page 0
    assert listed == [d["real_url"] for d in truth][: len(listed)]
    titles = {url: title for url, title in page0 + page1}
    for doc in truth[: len(listed)]:
        assert titles[doc["real_url"]] == doc["title"]


@pytest.mark.parametrize("source_id", GENERATED)
def test_paging_through_a_list_reaches_every_document(
    shared: ReplicaThread, sources: dict[str, Source], source_id: str
) -> None:
    source = sources[source_id]
    truth = truth_of(shared, source_id)
    seen: list[str] = []
    previous = None
    for index in range(40):
        request = list_request(source, index, previous, shared.base_url)
        previous = send(shared.base_url, request)
        items = list_items(source, request, previous) if previous.status == 200 else []
        new = [url for url, _ in items if url not in seen]
        if not new:
            break
        seen += new
        if source.adapter == "generic_list" and "下一页</a>" not in previous.text:
            break
    assert seen == [d["real_url"] for d in truth]


def test_documents_are_numerous_enough_and_the_count_depends_on_the_source_not_the_seed(
    shared: ReplicaThread, registry_dir: Path
) -> None:
    other = Replica(seed=6, registry_dir=registry_dir).documents()
    for source_id in GENERATED:
        mine = truth_of(shared, source_id)
        theirs = [d for d in other if d["source_id"] == source_id]
        assert len(mine) == len(theirs)
        if source_id == "js-work-report":
            assert len(mine) == 7
        elif source_id.startswith("gd-gkmlpt"):
            assert 100 < len(mine) <= 150  # two pages of 100
        else:
            assert 12 <= len(mine) <= 40
        assert [d["url_path"] for d in mine] != [d["url_path"] for d in theirs]


# -- documents -------------------------------------------------------------------------------

# Where each family's document page puts the title and the body (title+body = what is counted).
PAGE_PARTS = {
    "trs_static": ("h1.title", "div.TRS_Editor"),
    "generic_list": ("h2.wz_title", "div.wz_text"),
    "hanweb_jpage": ("div.sp_title", "div#zoom"),
    "gkmlpt": ("h1.content-title", "div.article-content"),
    "freecms": ("h1.info-title", "#noticeArea"),
    "ccgp_channel": ("div.vF_detail_header h2", "div.vF_detail_content"),
    "ccgp_search": ("div.vF_detail_header h2", "div.vF_detail_content"),
    "ggzy": ("h4", "#mycontent"),
    "search_json": ("h1.title", "div#zoom"),
    "jcms": ("div.main > div.title", "div#zoom"),
}


def served_text(answer: Answer, adapter: str) -> tuple[str, str]:
    """(title, body text) of a document as served."""
    if adapter == "zcy":
        data = answer.json()["result"]["data"]
        body = lxml.html.fragment_fromstring(data["content"], create_parent="div")
        return data["title"], body.text_content()
    title_css, body_css = PAGE_PARTS[adapter]
    page = lxml.html.document_fromstring(answer.text)
    return page.cssselect(title_css)[0].text_content(), page.cssselect(body_css)[0].text_content()


def test_every_document_is_served_and_its_blockchain_count_matches_the_served_text(
    shared: ReplicaThread, sources: dict[str, Source]
) -> None:
    docs = [d for d in shared.replica.documents() if d["source_id"] in GENERATED]
    assert sum(d["blockchain_count"] > 0 for d in docs) > len(docs) // 8
    for doc in docs:
        answer = send(shared.base_url, text_request(doc))
        assert answer.status == 200, doc["url_path"]
        title, body = served_text(answer, sources[doc["source_id"]].adapter)
        assert title == doc["title"]
        assert (title + body).count("区块链") == doc["blockchain_count"], doc["url_path"]


def test_real_urls_open_on_the_replica_too(shared: ReplicaThread) -> None:
    for doc in shared.replica.documents():
        if doc["source_id"] in GENERATED:
            assert get(shared.base_url, doc["real_url"]).status == 200, doc["real_url"]


def test_ground_truth_keeps_the_old_keys_and_adds_source_id_and_notice(
    shared: ReplicaThread,
) -> None:
    docs = shared.replica.documents()
    keys = {
        "host",
        "column_path",
        "kind",
        "url_path",
        "real_url",
        "title",
        "published",
        "doc_number",
        "publisher",
        "blockchain_count",
        "lying_charset",
        "source_id",
        "notice",
    }
    assert all(set(d) == keys for d in docs)
    hand_built = [d for d in docs if d["host"] == "www.shanghai.gov.cn"]
    assert {d["source_id"] for d in hand_built if d["column_path"] == "/nw39220/index.html"} == {
        "sh-policy"
    }
    assert {d["source_id"] for d in hand_built if d["column_path"] == "/nw12336/index.html"} == {
        None
    }
    assert {d["source_id"] for d in docs} >= set(GENERATED) | HAND_BUILT
    procurement = [d for d in docs if d["kind"] in ("procurement", "trading")]
    assert procurement and all(d["notice"] is not None for d in procurement)
    assert all(d["notice"] is None for d in docs if d["kind"] not in ("procurement", "trading"))


def test_policy_documents_carry_a_doc_number_and_some_mention_blockchain_or_a_trap(
    shared: ReplicaThread,
) -> None:
    policies = [d for d in shared.replica.documents() if d["source_id"] == "gd-gkmlpt-5"]
    assert all(re.fullmatch(r"粤政办发〔20\d\d〕\d+号", d["doc_number"]) for d in policies)
    assert {d["publisher"] for d in policies} == {"广东省人民政府办公厅"}
    assert len([d for d in policies if d["blockchain_count"]]) == len(policies) // 5
    industry = truth_of(shared, "js-industry")
    assert {d["publisher"] for d in industry} == {"江苏省工业和信息化厅"}
    assert all(d["doc_number"].startswith("苏工信发〔") for d in industry)


def test_work_reports_come_one_a_year_and_only_some_years_mention_blockchain(
    shared: ReplicaThread,
) -> None:
    reports = truth_of(shared, "js-work-report")
    assert [d["title"] for d in reports] == [
        f"{year}年江苏省政府工作报告" for year in range(2025, 2018, -1)
    ]
    mentioning = [d for d in reports if d["blockchain_count"]]
    assert 0 < len(mentioning) < len(reports)
    text = get(shared.base_url, mentioning[0]["real_url"]).text
    sentence = next(s for s in re.split(r"[。<>]", text) if "区块链" in s)
    assert "人工智能" in sentence and "大数据" in sentence
    assert "现在，我代表省人民政府，向大会报告工作" in text


# -- procurement notices -------------------------------------------------------------------


def parse_amount(cell: str) -> tuple[Decimal | None, str | None]:
    """(amount in yuan, 下浮率) of an award table cell, in each spelling the replica uses."""
    if match := re.fullmatch(r"下浮率：(\S+%)", cell):
        return None, match.group(1)
    if cell == "详见附件":
        return None, None
    if match := re.fullmatch(r"大写：(\S+)（¥([\d,.]+)）", cell):
        amount = Decimal(match.group(2).replace(",", ""))
        assert capital(amount) == match.group(1)
        return amount, None
    if match := re.fullmatch(r"([\d.]+)万元", cell):
        return Decimal(match.group(1)) * 10_000, None
    match = re.fullmatch(r"([\d.]+)元", cell)
    assert match, cell
    return Decimal(match.group(1)), None


def body_tree(shared: ReplicaThread, doc: dict[str, Any]) -> Any:
    answer = send(shared.base_url, text_request(doc))
    return lxml.html.document_fromstring(answer.text)


def test_award_notices_follow_the_2020_format_and_match_their_ground_truth(
    shared: ReplicaThread,
) -> None:
    awards = truth_of(shared, "ccgp-awards")
    assert {d["notice"]["notice_type"] for d in awards} == {"award"}
    seen_lot_counts, seen_styles = set(), set()
    for doc in awards:
        notice = doc["notice"]
        page = body_tree(shared, doc)
        body = page.cssselect("div.vF_detail_content")[0]
        text = body.text_content()
        assert f"一、项目编号：{notice['project_number']}" in text
        assert f"二、项目名称：{notice['project_name']}" in text
        assert "三、中标（成交）信息" in text and "九、凡对本次公告内容提出询问" in text
        assert f"1.采购人信息\n名 称：{notice['buyer']}\n" in text
        assert f"2.采购代理机构信息\n名 称：{notice['agency']}\n" in text
        table = body.cssselect("table")[0]
        header = [th.text_content() for th in table.cssselect("th")]
        assert header == ["包号", "供应商名称", "供应商地址", "中标（成交）金额"]
        rows = [
            [td.text_content() for td in tr.cssselect("td")] for tr in table.cssselect("tr")[1:]
        ]
        lots = []
        for lot, supplier, _address, cell in rows:
            amount, rate = parse_amount(cell)
            seen_styles.add(cell.split("：")[0] if "：" in cell else cell[-2:])
            lots.append(
                {
                    "lot": lot,
                    "supplier": supplier,
                    "amount_yuan": None
                    if amount is None
                    else str(amount.quantize(Decimal("0.01"))),
                    "rate": rate,
                }
            )
        assert lots == notice["lots"]
        assert all(lot["supplier"].endswith("有限公司") for lot in lots)
        seen_lot_counts.add(len(lots))
    assert len(seen_lot_counts) > 1, "some awards have several lots"
    assert len(seen_styles) >= 3, "amounts are spelled several ways"


def test_ccgp_article_pages_carry_the_summary_table(shared: ReplicaThread) -> None:
    for doc in truth_of(shared, "ccgp-awards")[:10] + truth_of(shared, "ccgp-blockchain")[:10]:
        page = body_tree(shared, doc)
        assert page.cssselect('meta[name="SiteName"]')[0].get("content") == "中国政府采购网"
        cells = page.cssselect("div.table td.title")
        summary = {td.text_content(): td.getnext().text_content() for td in cells}
        notice = doc["notice"]
        assert summary["采购项目名称"] == notice["project_name"]
        assert summary["采购单位"] == notice["buyer"]
        assert summary["代理机构名称"] == notice["agency"]
        assert summary["行政区域"].endswith(("省", "市", "区"))
        assert re.fullmatch(r"\d{4}年\d\d月\d\d日 \d\d:\d\d", summary["公告时间"])
        if notice["notice_type"] == "tender":
            budget = Decimal(notice["budget_yuan"]) / 10_000
            assert summary["预算金额"] == f"￥{budget:.6f} 万元（人民币）"
        if notice["notice_type"] == "award":
            amounts = [lot["amount_yuan"] for lot in notice["lots"]]
            if None in amounts:
                assert summary["总中标金额"] == "详见公告正文"
            else:
                total = sum(Decimal(a) for a in amounts) / 10_000
                assert summary["总中标金额"] == f"￥{total:.6f} 万元（人民币）"


def test_tender_notices_state_budget_and_requirements(shared: ReplicaThread) -> None:
    tenders = [d for d in truth_of(shared, "gd-tenders") if d["notice"]["notice_type"] == "tender"]
    assert tenders
    for doc in tenders:
        text = body_tree(shared, doc).cssselect("#noticeArea")[0].text_content()
        notice = doc["notice"]
        for part in (
            "一、项目基本情况",
            "项目编号：",
            "项目名称：",
            "预算金额：",
            "最高限价",
            "采购需求：",
        ):
            assert part in text
        budget = Decimal(notice["budget_yuan"])
        assert f"{budget / 10_000:.6f}万元" in text or f"{budget:.2f}元" in text
        assert notice["lots"] == []


def test_about_one_notice_in_four_buys_something_blockchain_based(shared: ReplicaThread) -> None:
    mixed = [
        d
        for source_id in ("gd-tenders", "gd-results", "qh-results", "ccgp-awards")
        for d in truth_of(shared, source_id)
    ]
    about = [d for d in mixed if "区块链" in d["notice"]["project_name"]]
    assert len(mixed) // 6 <= len(about) <= len(mixed) // 3
    assert all(
        re.search(r"[\u4e00-\u9fff]+(项目|平台)", d["notice"]["project_name"]) for d in mixed
    )
    types = {d["notice"]["notice_type"] for d in truth_of(shared, "gd-results")}
    assert types >= {"tender", "award", "change"}
    assert all("区块链" in d["title"] for d in truth_of(shared, "ccgp-blockchain"))


# -- family behaviours ---------------------------------------------------------------------


def test_hanweb_column_page_embeds_a_datastore_and_the_proxy_returns_three_screens(
    shared: ReplicaThread, sources: dict[str, Source]
) -> None:
    source = sources["js-policy"]
    total = len(truth_of(shared, "js-policy"))
    page = get(shared.base_url, source.entry_urls[0]).text
    store = re.search(r'<script type="text/xml">(<datastore>.*?</datastore>)</script>', page, re.S)
    assert store and f"<totalrecord>{total}</totalrecord>" in store.group(1)
    assert "<nextgroup><![CDATA[<a href=" in store.group(1)
    url = "https://www.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=12&perpage=4"
    fields = {"col": 1, "appid": 1, "webid": 1, "path": "/", "columnid": 84242, "unitid": 356383}
    answer = send(shared.base_url, form_post(url, fields))
    assert answer.headers["content-type"].startswith("text/xml")
    assert answer.text.count("<record>") == 12  # three screens of four
    assert f"<totalrecord>{total}</totalrecord>" in answer.text
    record = re.search(r"<record><!\[CDATA\[(.*?)\]\]></record>", answer.text, re.S)
    assert record and re.fullmatch(
        r'<li><a href="/art/\d{4}/\d{1,2}/\d{1,2}/art_84242_\d+\.html" title="[^"]+" '
        r'target="_blank">[^<]+</a><span>\d{4}-\d\d-\d\d</span></li>',
        record.group(1),
    )
    other = send(shared.base_url, form_post(url, {**fields, "columnid": 1}))
    assert other.status == 200 and "<totalrecord>0</totalrecord>" in other.text


def test_gkmlpt_announces_its_sid_and_serves_categories_over_http_only(
    shared: ReplicaThread,
) -> None:
    config = get(shared.base_url, "http://www.gd.gov.cn/gkmlpt/index").text
    assert re.search(r"window\._CONFIG = \{SID: '2',", config)
    for source_id in ("gd-gkmlpt-5", "gd-gkmlpt-6"):
        assert all(
            d["real_url"].startswith("http://www.gd.gov.cn/gkmlpt/content/")
            for d in truth_of(shared, source_id)
        )
    api = get(shared.base_url, "http://www.gd.gov.cn/gkmlpt/api/all/5?page=1&sid=2").json()
    article = api["articles"][0]
    assert set(article) >= {"id", "title", "url", "publisher", "identifier", "create_time"}
    assert article["url"].endswith(f"/post_{article['id']}.html")
    wrong = get(shared.base_url, "http://www.gd.gov.cn/gkmlpt/api/all/5?page=1&sid=9").json()
    assert wrong == {"total": 0, "articles": []}
    assert get(shared.base_url, "http://www.gd.gov.cn/gkmlpt/api/all/77?page=1&sid=2").status == 404


def test_two_freecms_channels_on_one_host_are_told_apart_by_their_parameters(
    shared: ReplicaThread, sources: dict[str, Source]
) -> None:
    tenders = read_list(shared.base_url, sources["gd-tenders"], 1)[0]
    results = read_list(shared.base_url, sources["gd-results"], 1)[0]
    assert tenders and results and not set(tenders) & set(results)
    item = get(shared.base_url, list_request(sources["gd-tenders"], 0).url).json()["data"][0]
    assert set(item) >= {"id", "title", "noticeTime", "htmlpath", "purchaser", "agency"}
    assert re.fullmatch(
        r"/freecms/site/guangdong/ggxx/info/\d{4}/[0-9a-f]{32}\.html", item["htmlpath"]
    )
    unknown = list_request(sources["gd-tenders"], 0).url.replace("fca71be5", "00000000")
    assert get(shared.base_url, unknown).json() == {
        "code": "200",
        "msg": "操作成功",
        "total": 0,
        "data": [],
    }


def test_zcy_accepts_only_json_and_serves_article_details_as_json(
    shared: ReplicaThread, sources: dict[str, Source]
) -> None:
    """More in tests/test_zcy_portal.py."""
    entry = sources["qh-results"].entry_urls[0]
    refused = send(shared.base_url, form_post(entry, {"categoryCode": "ZcyAnnouncement4"}))
    assert refused.status == 400
    assert refused.headers["content-type"].startswith("application/json")
    assert refused.json()["success"] is False
    assert get(shared.base_url, entry).status == 416  # as 浙江 answered a GET in 2026
    doc = truth_of(shared, "qh-results")[0]
    assert doc["real_url"].startswith(
        "http://www.ccgp-qinghai.gov.cn/site/detail?parentId=4149&articleId="
    )
    detail = send(shared.base_url, text_request(doc)).json()["result"]["data"]
    assert detail["title"] == doc["title"] and detail["content"]
    missing = get(
        shared.base_url, "http://www.ccgp-qinghai.gov.cn/portal/detail?articleId=nope"
    ).json()
    assert missing["success"] is False
    other = send(
        shared.base_url, json_post(entry, {"categoryCode": "ZcyAnnouncement9", "pageNo": 1})
    )
    assert other.json()["result"]["data"] == {"total": 0, "data": []}


def test_ccgp_search_highlights_the_keyword_and_filters_by_it(
    shared: ReplicaThread, sources: dict[str, Source]
) -> None:
    page = get(shared.base_url, sources["ccgp-blockchain"].entry_urls[0]).text
    total = len(truth_of(shared, "ccgp-blockchain"))
    assert f"共找到 <span>{total}</span> 条内容" in page
    assert '<font color="red">区块链</font>' in page
    assert re.search(r"Pager\(\{size: 2, current: 0,", page)
    assert re.search(r"\d{4}\.\d\d\.\d\d \d\d:\d\d:\d\d \| 采购人：", page)
    nothing = get(
        shared.base_url,
        "http://search.ccgp.gov.cn/bxsearch?searchtype=1&page_index=1&kw=量子计算机",
    )
    assert "共找到 <span>0</span> 条内容" in nothing.text


def test_ccgp_search_answers_with_the_rate_limit_page_when_searched_too_often(
    rep: ReplicaThread, sources: dict[str, Source]
) -> None:
    rep.replica.search_rate_limit = (3, 60.0)
    entry = sources["ccgp-blockchain"].entry_urls[0]
    answers = [get(rep.base_url, entry) for _ in range(4)]
    assert [a.status for a in answers] == [200, 200, 200, 200]
    assert all("<title>频繁访问!中国政府采购网</title>" not in a.text for a in answers[:3])
    assert "<title>频繁访问!中国政府采购网</title>" in answers[3].text
    # Other pages of ccgp are not limited, and a wider limit lets searches through again.
    assert get(rep.base_url, truth_of(rep, "ccgp-blockchain")[0]["real_url"]).status == 200
    rep.replica.search_rate_limit = (100, 60.0)
    assert "共找到" in get(rep.base_url, entry).text


def test_ggzy_returns_the_whole_unfiltered_list_for_a_keyword_without_hits(
    shared: ReplicaThread, sources: dict[str, Source]
) -> None:
    api = sources["ggzy-blockchain"].entry_urls[0].partition("#")[0]
    query = {"DEAL_TIME": "06", "TIMEBEGIN": "2000-01-01", "TIMEEND": "2030-12-31"}
    total = len(truth_of(shared, "ggzy-blockchain"))
    totals = []
    for channel in ("01", "02"):
        hits = send(shared.base_url, form_post(api, {**query, "DEAL_CLASSIFY": channel,
                                                     "FINDTXT": "区块链", "PAGENUMBER": 1}))  # fmt: skip
        none = send(shared.base_url, form_post(api, {**query, "DEAL_CLASSIFY": channel,
                                                     "FINDTXT": "量子计算机", "PAGENUMBER": 1}))  # fmt: skip
        data = none.json()["data"]
        assert data["total"] == hits.json()["data"]["total"] > 0
        assert not any("量子计算机" in r["title"] for r in data["records"])
        totals.append(data["total"])
    assert sum(totals) == total
    no_time = send(shared.base_url, form_post(api, {"FINDTXT": "区块链", "PAGENUMBER": 1}))
    assert no_time.status == 404


def test_ggzy_notice_pages_are_a_frame_and_its_content(shared: ReplicaThread) -> None:
    doc = truth_of(shared, "ggzy-blockchain")[0]
    assert "/information/deal/html/a/" in doc["real_url"]
    frame = lxml.html.document_fromstring(get(shared.base_url, doc["real_url"]).text)
    src = frame.cssselect("iframe")[0].get("src")
    assert src == urlsplit(doc["real_url"]).path.replace("/html/a/", "/html/b/")
    assert not frame.cssselect("#mycontent")
    content = lxml.html.document_fromstring(
        get(shared.base_url, urljoin(doc["real_url"], src)).text
    )
    assert content.xpath("/html/body/div/h4")[0].text_content() == doc["title"]
    assert content.xpath("/html/body/div/p/span[1]")[0].text_content().startswith("发布时间：")


@pytest.fixture(scope="module")
def packaged() -> Iterator[ReplicaThread]:
    """A replica of the packaged registry, for families the test registry above lacks."""
    with ReplicaThread(seed=5, search_rate_limit=NO_LIMIT) as rep:
        yield rep


def test_the_govcn_feed_is_one_array_of_every_entry_and_its_pages_carry_the_ucap_text(
    packaged: ReplicaThread,
) -> None:
    shared, source = packaged, load_registry().get("national-policy")
    entries = get(shared.base_url, source.entry_urls[0]).json()
    truth = truth_of(shared, source.id)
    assert [e["URL"] for e in entries] == [d["real_url"] for d in truth]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", e["DOCRELPUBTIME"]) for e in entries)
    page = lxml.html.document_fromstring(get(shared.base_url, entries[0]["URL"]).text)
    assert page.cssselect("h1#ti")[0].text_content() == entries[0]["TITLE"]
    assert page.cssselect("#UCAP-CONTENT")[0].text_content().strip()


def test_the_report_page_shows_the_newest_report_which_also_stands_at_its_years_address(
    packaged: ReplicaThread,
) -> None:
    shared, source = packaged, load_registry().get("national-work-report")
    [report] = truth_of(shared, source.id)
    entry = get(shared.base_url, source.entry_urls[0])
    assert report["real_url"].endswith(f"/{report['published'].year}zfgzbg.htm")
    assert entry.text == get(shared.base_url, report["real_url"]).text
    assert f"——{report['published'].year}年" in entry.text


def test_search_json_records_carry_the_whole_document(
    shared: ReplicaThread, sources: dict[str, Source]
) -> None:
    answer = get(shared.base_url, list_request(sources["hlj-hzf"], 0).url).json()
    record = answer["data"]["results"][0]
    doc = truth_of(shared, "hlj-hzf")[0]
    assert record["url"] == doc["real_url"]
    metas = {m["key"]: m["value"] for m in record["domainMetaList"][0]["resultList"]}
    assert metas["refno"] == doc["doc_number"] and metas["source"] == doc["publisher"]
    text = lxml.html.fragment_fromstring(record["contentHtml"], create_parent="div").text_content()
    assert (record["title"] + text).count("区块链") == doc["blockchain_count"]
    assert record["content"].replace("\n", "") == text.replace("\n", "")


def test_jcms_answers_json_html_with_the_pagination_attributes(
    shared: ReplicaThread, sources: dict[str, Source]
) -> None:
    data = get(shared.base_url, list_request(sources["zj-jxt"], 1).url).json()
    assert data["success"] is True
    fragment = lxml.html.fragment_fromstring(data["data"]["html"], create_parent="div")
    pagination = fragment.cssselect("div.pagination")[0]
    total = len(truth_of(shared, "zj-jxt"))
    # lxml lower-cases attribute names: pageNo is read as pageno.
    paging = {name: pagination.get(name) for name in ("count", "rows", "pageno")}
    assert paging == {"count": str(total), "rows": "10", "pageno": "2"}
    page = body_tree(shared, truth_of(shared, "zj-jxt")[0])
    assert page.cssselect('meta[name="ArticleTitle"]') and page.cssselect("div#zoom")


def test_generic_pages_have_no_government_metas_and_some_print_a_publication_line(
    shared: ReplicaThread,
) -> None:
    lines = []
    for doc in truth_of(shared, "js-industry"):
        text = get(shared.base_url, doc["real_url"]).text
        assert "<meta name=" not in text
        for known in ("TRS_Editor", "trs_editor_view", 'id="zoom"', "article", "vF_detail"):
            assert known not in text
        lines.append(re.search(r"发布时间：(\d{4})年(\d{1,2})月(\d{1,2})日", text))
    assert any(lines) and not all(lines)


def test_unknown_parameters_answer_empty_or_404_never_500(
    shared: ReplicaThread, sources: dict[str, Source]
) -> None:
    for source in sources.values():
        request = list_request(source, 0, base_url=shared.base_url)
        junk = Request(
            request.url + ("&" if "?" in request.url else "?") + "page=999999&currPage=x"
        )
        for probe in (
            junk,
            Request(request.url, "POST", b"%%%", FORM),
            Request(request.url, "PUT"),
        ):
            # 416: ZCY's list answers a GET so (浙江, 2026)
            assert send(shared.base_url, probe).status in (200, 400, 404, 405, 416)
        deep = (
            list_request(source, 500, base_url=shared.base_url)
            if source.adapter != "generic_list"
            else junk
        )
        answer = send(shared.base_url, deep)
        assert answer.status in (200, 404)
        if answer.status == 200 and source.adapter != "generic_list":
            assert list_items(source, deep, answer) == []


# -- changes, faults and determinism ---------------------------------------------------------


def test_publish_to_source_puts_the_new_document_first(
    rep: ReplicaThread, sources: dict[str, Source]
) -> None:
    notice = {
        "notice_type": "award",
        "project_number": "ZC440000-2026-G0001",
        "project_name": "广东省政务服务数据管理局区块链电子证照共享平台建设项目",
        "buyer": "广东省政务服务数据管理局",
        "agency": "广东恒信招标有限公司",
        "budget_yuan": None,
        "lots": [
            {
                "lot": "1",
                "supplier": "广东链捷科技有限公司",
                "amount_yuan": "1280000.00",
                "rate": None,
            }
        ],
    }
    for source_id, extra in (
        ("gd-results", {"notice": notice}),
        ("js-policy", {}),
        ("qh-results", {}),
        ("hlj-hzf", {}),
    ):
        truth = rep.replica.publish_to_source(
            source_id,
            "关于区块链电子证照共享平台建设项目的公告",
            ["项目已完成区块链存证。", "特此公告。"],
            **extra,
        )
        assert truth["source_id"] == source_id and truth["blockchain_count"] == 2
        first = read_list(rep.base_url, sources[source_id], 1)[0][0]
        assert first == (truth["real_url"], truth["title"])
        assert truth in rep.replica.documents()
        assert send(rep.base_url, text_request(truth)).status == 200
    assert truth_of(rep, "gd-results")[0]["notice"] == notice
    hand_built = rep.replica.publish_to_source("sh-policy", "沪府文件：区块链", ["正文。"])
    assert hand_built["source_id"] == "sh-policy"
    assert hand_built["url_path"].startswith("/www.shanghai.gov.cn/nw39220/")


def test_edit_changes_a_generated_page(rep: ReplicaThread) -> None:
    doc = truth_of(rep, "zj-jxt")[3]
    before = send(rep.base_url, text_request(doc))
    truth = rep.replica.edit(
        doc["url_path"], title="修改后：区块链应用通知", body_paragraphs=["已更新。"]
    )
    after = send(rep.base_url, text_request(doc))
    assert truth["blockchain_count"] == 1 and "已更新。" in after.text
    assert after.headers["etag"] != before.headers["etag"]


def test_faults_apply_to_post_paths_and_posts_are_counted(
    rep: ReplicaThread, sources: dict[str, Source]
) -> None:
    request = list_request(sources["ggzy-blockchain"], 0)
    path = "/www.ggzy.gov.cn/information/pubTradingInfo/getTradList"
    rep.replica.add_fault(path, "status", status=503, times=1)
    assert send(rep.base_url, request).status == 503
    assert send(rep.base_url, request).status == 200
    zcy = list_request(sources["qh-results"], 0)
    rep.replica.add_fault("/www.ccgp-qinghai.gov.cn/portal/category", "truncate")
    with pytest.raises(http.client.IncompleteRead):
        send(rep.base_url, zcy)
    counts = rep.replica.request_counts()
    assert counts[path] == 2
    assert counts["/www.ccgp-qinghai.gov.cn/portal/category"] == 1


def sample_requests(sources: dict[str, Source], rep: ReplicaThread) -> list[Request]:
    requests = []
    for source_id in GENERATED:
        requests += [list_request(sources[source_id], 0, base_url=rep.base_url)]
        if sources[source_id].adapter != "generic_list":
            requests += [list_request(sources[source_id], 1, base_url=rep.base_url)]
        requests += [text_request(d) for d in truth_of(rep, source_id)[::7]]
    return requests


def test_the_same_seed_and_registry_serve_byte_identical_answers(
    registry_dir: Path, sources: dict[str, Source]
) -> None:
    with (
        ReplicaThread(seed=9, registry_dir=registry_dir, search_rate_limit=NO_LIMIT) as first,
        ReplicaThread(seed=9, registry_dir=registry_dir, search_rate_limit=NO_LIMIT) as second,
    ):
        assert first.replica.documents() == second.replica.documents()
        for request in sample_requests(sources, first):
            a, b = send(first.base_url, request), send(second.base_url, request)
            assert a.status == b.status == 200, request.url
            assert a.body == b.body, request.url


# -- the packaged registry -------------------------------------------------------------------


def test_the_packaged_registry_loads_fast_and_every_first_list_page_has_items() -> None:
    started = time.monotonic()
    replica = Replica(seed=0, search_rate_limit=NO_LIMIT)
    assert time.monotonic() - started < 1.0
    assert replica.unserved_sources == []
    registry = load_registry()
    with ReplicaThread(seed=0, search_rate_limit=NO_LIMIT) as rep:
        empty = []
        for source in registry.sources:
            request = list_request(source, 0, base_url=rep.base_url)
            answer = send(rep.base_url, request)
            if answer.status != 200 or not list_items(source, request, answer):
                empty.append((source.id, answer.status))
        assert empty == []
        docs = rep.replica.documents()
        assert {d["source_id"] for d in docs} - {None} == {s.id for s in registry.sources}
        # Hand-built pages no source reads any more: the old TRS list of national reports.
        unread = {(d["host"], d["column_path"]) for d in docs if d["source_id"] is None}
        assert unread <= {("www.gov.cn", "/zhengce/zfgzbg/index.html")}


def test_serving_is_fast(shared: ReplicaThread, sources: dict[str, Source]) -> None:
    requests = sample_requests(sources, shared)
    for request in requests:  # warm the caches
        send(shared.base_url, request)
    started = time.monotonic()
    for request in requests * 3:
        send(shared.base_url, request)
    rate = 3 * len(requests) / (time.monotonic() - started)
    assert rate > 200, f"{rate:.0f} requests/s"


def test_two_sources_on_one_list_script_are_told_apart_by_their_extra_parameter(
    tmp_path: Path,
) -> None:
    """The most specific column answers: ?type=4&catId=… is not the ?type=4 list."""
    registry = tmp_path / "anhui"
    registry.mkdir()
    (registry / "anhui.toml").write_text(
        'province = "anhui"\n'
        '[[source]]\nid = "a-all"\nname = "全部"\nkind = "policy"\nadapter = "generic_list"\n'
        'entry_urls = ["https://www.ah.gov.cn/public/column/1681?type=4&action=list"]\n'
        '[[source]]\nid = "a-reports"\nname = "报告"\nkind = "work_report"\nadapter = "generic_list"\n'
        'entry_urls = ["https://www.ah.gov.cn/public/column/1681?type=4&catId=6708531&action=list"]\n',
        encoding="utf-8",
    )
    replica = Replica(seed=3, registry_dir=registry)
    reports = {d["title"] for d in replica.documents() if d["source_id"] == "a-reports"}
    call = "/www.ah.gov.cn/public/column/1681?type=4&catId=6708531&action=list"
    with ReplicaThread(seed=3, registry_dir=registry) as running:
        body = urllib.request.urlopen(running.base_url + call).read().decode("utf-8")
    listed = set(re.findall(r"<a [^>]*>([^<]{4,60})</a>", body)) - {"下一页"}
    assert listed and listed <= reports  # the reports' list, not the catalogue's
