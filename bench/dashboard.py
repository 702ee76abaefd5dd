"""Dashboard benchmark, called by bench/run.py: how fast the dashboard answers over a large
database (the aim: a page over 100,000 stored documents in under 200 ms).

A PostgreSQL database ``govwatch_bench_dashboard`` of 100,000 documents is built through
govwatch's own write path (``DocumentStore.save_many``, which also writes the full-text terms):
the 31 provinces and the national level, the registry's sources and kinds, bodies of a few KB
of Chinese text, ~15% of them mentioning 区块链 (hits and snippets from the crawl's matcher),
a few thousand procurement notices with lots, second versions of some documents, alerts with
their deliveries, and crawl runs and health for every source. The data set is fixed by
:data:`SPEC`; a database that already holds exactly it (named in the database's comment) is
reused, any other is dropped and built again.

The dashboard is then served over loopback HTTP (uvicorn in a thread, as ``govwatch serve``)
and each endpoint is timed: warm-up requests, then the median and p95 of ``REQUESTS``.
SQLite gets the same at a smaller size (``SQLITE_DOCUMENTS``), built afresh in a temporary
directory.

Run alone: ``.venv/bin/python bench/dashboard.py`` (``--sqlite-only``, ``--postgres-only``).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crawler.match.matcher import Matcher  # noqa: E402
from crawler.match.topics import load_topics  # noqa: E402
from spiders.provinces import PROVINCES  # noqa: E402
from spiders.registry import Source, load_registry  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.repository import (  # noqa: E402
    DocumentRecord,
    DocumentStore,
    LotRecord,
    NoticeRecord,
)

SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/")
DATABASE_NAME = "govwatch_bench_dashboard"
DOCUMENTS = int(os.environ.get("BENCH_DASHBOARD_DOCUMENTS", "100000"))
SQLITE_DOCUMENTS = int(os.environ.get("BENCH_DASHBOARD_SQLITE_DOCUMENTS", "20000"))
# What the data set is; a change here (or in how documents are made: GENERATOR) rebuilds it.
GENERATOR = 1
SPEC = {
    "generator": GENERATOR,
    "seed": 7,
    "topic_share": 0.15,  # documents mentioning 区块链
    "service_share": 0.3,  # documents saying 政务服务
    "undated_share": 0.02,
    "changed_share": 0.03,  # stored twice: a second version
    "work_reports_per_province_year": 4,
    "years": [2015, 2025],
}
BATCH = 500
BUILD_WORKERS = 2  # processes storing documents into PostgreSQL
REQUESTS = 20
WARM_UP = 3
AIM_MS = 200.0

# -- the documents --------------------------------------------------------------------------

_PLACES = [p.short_name for p in PROVINCES]
_DOING = [
    "深化", "推进", "加快", "完善", "健全", "落实", "优化", "强化", "统筹", "规范", "提升",
    "扎实推进", "持续深化", "全面落实", "积极稳妥推进", "大力发展", "着力构建", "加大",
]  # fmt: skip
_MATTERS = [
    "营商环境", "放管服改革", "国资国企改革", "财税金融体制改革", "农村集体产权制度改革",
    "乡村振兴战略", "新型城镇化", "区域协调发展", "生态环境保护", "污染防治攻坚战",
    "碳达峰碳中和", "科技创新体系", "高新技术企业培育", "先进制造业集群", "现代服务业",
    "数字经济", "对外开放", "自由贸易试验区建设", "民营经济发展", "就业优先政策",
    "社会保障体系", "教育强省建设", "健康中国行动", "养老服务体系", "住房保障",
    "安全生产", "防灾减灾", "基层治理", "法治政府建设", "粮食安全", "高标准农田建设",
    "交通基础设施", "水利工程", "城市更新", "老旧小区改造", "文化旅游融合", "消费升级",
    "重大项目建设", "专项债券管理", "招商引资", "人才引进", "知识产权保护",
]  # fmt: skip
_GOALS = [
    "确保各项任务落到实处", "推动高质量发展取得新成效", "不断增强人民群众获得感",
    "切实提高工作效率", "为经济社会发展提供有力支撑", "形成可复制可推广的经验",
    "促进经济持续健康发展", "守住不发生系统性风险的底线", "全面完成年度目标任务",
    "加快形成新的增长点", "营造良好的发展环境", "保障和改善民生",
]  # fmt: skip
_UNITS = ["亿元", "万元", "万人", "个", "项", "公里", "万亩", "户"]
_SERVICE = [
    "深化政务服务“一网通办”改革，推动更多事项网上办、掌上办。",
    "优化政务服务中心窗口设置，推行“综合窗口”受理。",
    "推进政务服务标准化、规范化、便利化，提升数字政府建设水平。",
]
_TOPIC = [
    "加快区块链技术在{scenario}领域的应用，建设一批示范项目。",
    "推进区块链与人工智能、大数据、云计算融合发展。",
    "建设{place}区块链服务网络节点，支撑{scenario}。",
    "探索“区块链+{scenario}”应用试点，推动数据上链存证。",
    "培育区块链产业园区，引进区块链骨干企业{n}家。",
]
_SCENARIOS = [
    "政务服务", "农产品溯源", "供应链金融", "司法存证", "跨境贸易", "电子证照", "医疗健康",
]  # fmt: skip
_BUYERS = [
    "大数据中心", "财政厅", "卫生健康委员会", "教育厅", "公安厅", "政务服务管理局", "人民医院",
]  # fmt: skip
_PROJECTS = [
    "信息化平台建设", "数据中心运维服务", "办公设备", "电子证照系统", "区块链存证平台",
    "政务云服务",
]  # fmt: skip
_SUPPLIERS = ["科技有限公司", "信息技术股份有限公司", "网络科技有限公司", "数据服务有限公司"]


def _sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(_DOING)}{rng.choice(_MATTERS)}，{rng.choice(_DOING)}{rng.choice(_MATTERS)}，"
        f"全年完成投资{rng.randint(2, 900)}{rng.choice(_UNITS)}，{rng.choice(_GOALS)}。"
    )


def _body(rng: random.Random, chars: int, *, topic: bool, service: bool, place: str) -> str:
    parts: list[str] = []
    size = 0
    while size < chars:
        paragraph = "".join(_sentence(rng) for _ in range(rng.randint(2, 5)))
        parts.append(paragraph)
        size += len(paragraph)
    if service:
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(_SERVICE))
    if topic:
        for _ in range(rng.randint(1, 3)):
            sentence = rng.choice(_TOPIC).format(
                scenario=rng.choice(_SCENARIOS), place=place, n=rng.randint(2, 30)
            )
            parts.insert(rng.randrange(len(parts) + 1), sentence)
    return "\n".join(parts)


def _hits(matcher: Matcher, title: str | None, body: str) -> list[dict[str, Any]]:
    text = "\n".join(p for p in (title, body) if p)
    if "链" not in text and not any(w in text.casefold() for w in ("blockchain", "bsn")):
        return []  # every keyword of the topics has 链 or is Latin: nothing to match
    return [{k: v for k, v in h.to_dict().items() if k != "label"} for h in matcher.match(text)]


def _sources() -> dict[str, list[Source]]:
    by_kind: dict[str, list[Source]] = {}
    for source in load_registry().sources:
        by_kind.setdefault(source.kind, []).append(source)
    return by_kind


def _host(source: Source) -> str:
    return source.entry_urls[0].split("/")[2]


def _day(rng: random.Random, first: int, last: int) -> datetime:
    start = datetime(first, 1, 1)
    span = (datetime(last, 12, 31) - start).days
    # More documents of recent years, as crawls find them.
    return start + timedelta(days=int(span * rng.random() ** 0.7), hours=rng.randint(8, 18))


def documents(count: int, spec: dict[str, Any] = SPEC) -> Iterator[list[DocumentRecord]]:
    """The data set, a batch at a time: work reports (a few per province and year, long),
    then policies, procurement notices, trading and department documents."""
    rng = random.Random(spec["seed"])
    matcher = Matcher(load_topics())
    sources = _sources()
    first, last = spec["years"]
    by_province = {p.code: p for p in PROVINCES}
    batch: list[DocumentRecord] = []
    made = 0
    reports = [
        (source, year, n)
        for source in sources["work_report"]
        for year in range(first, last + 1)
        for n in range(spec["work_reports_per_province_year"])
    ]
    others = ["policy"] * 45 + ["procurement"] * 6 + ["trading"] * 19 + ["industry_dept"] * 30
    while made < count:
        topic = rng.random() < spec["topic_share"]
        service = rng.random() < spec["service_share"]
        notice = None
        if made < len(reports):
            source, year, n = reports[made]
            place = by_province.get(source.province_code)
            name = place.full_name if place else "国务院"
            city = "" if n == 0 else f"第{n}市"
            title = f"{year}年{name}{city}政府工作报告"
            published: datetime | None = datetime(year, 1, 10) + timedelta(days=rng.randint(0, 60))
            body = _body(rng, rng.randint(6000, 12000), topic=topic, service=True, place=name)
        else:
            kind = rng.choice(others)
            source = rng.choice(sources[kind])
            place = by_province.get(source.province_code)
            name = place.full_name if place else "国务院"
            published = None if rng.random() < spec["undated_share"] else _day(rng, first, last)
            matter = rng.choice(_MATTERS)
            if kind == "procurement":
                project = rng.choice(_PROJECTS)
                kind_of = rng.choice(["award", "award", "tender", "change"])
                word = {"award": "中标公告", "tender": "招标公告", "change": "更正公告"}[kind_of]
                title = f"{name}{rng.choice(_BUYERS)}{project}项目{word}"
                notice = _notice(rng, kind_of, name, project, published)
            elif kind == "trading":
                title = f"{name}公共资源交易中心{rng.choice(_PROJECTS)}交易公告"
            elif kind == "industry_dept":
                title = f"{name}工业和信息化厅关于{rng.choice(_DOING)}{matter}的通知"
            else:
                title = f"{name}人民政府办公厅关于印发{matter}实施方案的通知"
            if topic and rng.random() < 0.3:
                title = title.replace("关于", "关于推进区块链应用和", 1)
            body = _body(rng, rng.randint(700, 1800), topic=topic, service=service, place=name)
        day = published or datetime(last, 6, 1)
        record = DocumentRecord(
            doc_key=f"{source.id}/{made}",
            source_id=source.id,
            province_code=source.province_code,
            kind=source.kind,
            url=f"https://{_host(source)}/art/{day:%Y/%m/%d}/art_{made}.html",
            title=title,
            published_at=published,
            body_text=body,
            doc_number=f"{name[:2]}政办发〔{day.year}〕{rng.randint(1, 99)}号",
            publisher=f"{name}人民政府办公厅",
            site_name=f"{name}人民政府",
            notice=notice,
        )
        record.hits = _hits(matcher, title, body)
        batch.append(record)
        made += 1
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _notice(
    rng: random.Random, notice_type: str, place: str, project: str, published: datetime | None
) -> NoticeRecord:
    lots = []
    if notice_type == "award":
        for number in range(1, rng.choice([1, 1, 1, 2, 3]) + 1):
            lots.append(
                LotRecord(
                    lot=str(number),
                    supplier=f"{place[:2]}{rng.choice('华信联创智远恒达')}{rng.choice(_SUPPLIERS)}",
                    amount_yuan=Decimal(rng.randint(50_000, 9_000_000)),
                )
            )
    total = sum((lot.amount_yuan or Decimal(0) for lot in lots), Decimal(0))
    return NoticeRecord(
        notice_type=notice_type,
        project_number=f"ZB{rng.randint(10**7, 10**8)}",
        project_name=f"{place}{project}项目",
        buyer=f"{place}{rng.choice(_BUYERS)}",
        agency=f"{place[:2]}招标代理有限公司",
        region=place,
        announced_on=published.date() if published else None,
        budget_yuan=Decimal(rng.randint(100_000, 10_000_000)),
        total_award_yuan=total if lots else None,
        lots=lots,
    )


# -- building -------------------------------------------------------------------------------


def build(url: str, count: int, spec: dict[str, Any] = SPEC, workers: int = 1) -> dict[str, Any]:
    """Store the data set in an empty, upgraded database; what was stored. ``workers``
    processes share the batches (each makes the whole sequence and stores its share)."""
    started = time.perf_counter()
    if workers == 1:
        parts = [_store_part(url, count, spec, 0, 1)]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            futures = [
                pool.submit(_store_part, url, count, spec, part, workers) for part in range(workers)
            ]
            parts = [future.result() for future in futures]
    saved_seconds = time.perf_counter() - started
    database = Database(url)
    alerts = _alerts_and_runs(database, random.Random(spec["seed"]))
    database.dispose()
    stored = sum(stored for stored, _ in parts)
    return {
        "documents": stored,
        "second_versions": sum(changed for _, changed in parts),
        **alerts,
        "build_workers": workers,
        "build_seconds": round(time.perf_counter() - started, 1),
        "documents_per_second": round(stored / saved_seconds, 1),
    }


def _store_part(
    url: str, count: int, spec: dict[str, Any], part: int, parts: int
) -> tuple[int, int]:
    """Store every ``parts``-th batch from the ``part``-th through ``DocumentStore.save_many``,
    then a second version of some of them; (documents, second versions) stored."""
    database = Database(url)
    store = DocumentStore(database)
    rng = random.Random(spec["seed"] + 1 + part)
    changed: list[DocumentRecord] = []
    stored = 0
    for index, batch in enumerate(documents(count, spec)):
        if index % parts != part:
            continue
        store.save_many(batch)
        stored += len(batch)
        changed += [r for r in batch if rng.random() < spec["changed_share"]]
    for start in range(0, len(changed), BATCH):
        again = changed[start : start + BATCH]
        for record in again:
            record.body_text += "\n补充说明：本文件部分内容已作修订，以最新版本为准。"
        store.save_many(again)
    database.dispose()
    return stored, len(changed)


def _alerts_and_runs(database: Database, rng: random.Random) -> dict[str, int]:
    """Alerts with deliveries for the newest matching documents, and every source's crawl
    runs and health, written in bulk (their write paths are not what is measured here)."""
    from sqlalchemy import insert, select

    from storage.models import Alert, CrawlRun, Delivery, Document, DocumentHit, SourceHealth

    now = datetime(2025, 12, 31, 12, 0)
    with database.session() as session:
        matching = list(
            session.execute(
                select(Document.id, Document.source_id, Document.title, DocumentHit.topic)
                .join(DocumentHit, DocumentHit.document_id == Document.id)
                .order_by(Document.published_at.desc().nulls_last(), Document.id.desc())
                .limit(3000)
            )
        )
        alert_rows = [
            {
                "idempotency_key": f"bench-{document_id}-{topic}",
                "event": "document.new",
                "topic": topic,
                "document_id": document_id,
                "source_id": source_id,
                "payload": {"document": {"title": title}},
                "created_at": now - timedelta(minutes=n),
            }
            for n, (document_id, source_id, title, topic) in enumerate(matching)
        ]
        session.execute(insert(Alert), alert_rows)
        alert_ids = list(session.scalars(select(Alert.id)))
        statuses = ["delivered"] * 18 + ["failed", "dead"]
        delivery_rows = []
        for alert_id in alert_ids:
            for channel in ("wecom", "mail"):
                status = rng.choice(statuses)
                delivery_rows.append(
                    {
                        "alert_id": alert_id,
                        "channel": channel,
                        "status": status,
                        "attempts": 1 if status == "delivered" else 5,
                        "due_at": now,
                        "delivered_at": now if status == "delivered" else None,
                        "last_error": None if status == "delivered" else "HTTP 502 Bad Gateway",
                        "created_at": now,
                    }
                )
        session.execute(insert(Delivery), delivery_rows)
        sources = [s.id for s in load_registry().sources]
        run_rows = []
        for source_id in sources:
            for n in range(30):
                started = now - timedelta(hours=6 * n)
                run_rows.append(
                    {
                        "source_id": source_id,
                        "started_at": started,
                        "finished_at": started + timedelta(seconds=rng.randint(5, 300)),
                        "status": "ok" if rng.random() < 0.9 else "failed",
                        "stats": {"pages": rng.randint(1, 40), "documents": rng.randint(0, 20)},
                    }
                )
        session.execute(insert(CrawlRun), run_rows)
        session.execute(
            insert(SourceHealth),
            [
                {
                    "source_id": source_id,
                    "state": "ok" if n % 10 else "failing",
                    "failures_in_a_row": 0 if n % 10 else 3,
                    "last_ok_items": 20,
                    "since": now - timedelta(days=3),
                    "updated_at": now,
                }
                for n, source_id in enumerate(sources)
            ],
        )
    return {
        "alerts": len(alert_rows),
        "deliveries": len(delivery_rows),
        "crawl_runs": len(run_rows),
    }


def counts(database: Database) -> dict[str, int]:
    from sqlalchemy import func, select

    from storage.models import BidLot, Document, DocumentHit, DocumentVersion, ProcurementNotice

    with database.session() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("documents", Document),
                ("documents_with_hits", DocumentHit),
                ("procurement_notices", ProcurementNotice),
                ("bid_lots", BidLot),
                ("document_versions", DocumentVersion),
            )
        }


def postgres_database(count: int) -> tuple[str, dict[str, Any]]:
    """The benchmark's PostgreSQL database holding the data set: reused when its comment
    names exactly this data set, else dropped and built again."""
    import sqlalchemy as sa

    wanted = json.dumps({**SPEC, "documents": count, "schema": _schema()}, sort_keys=True)
    url = SERVER_URL.rstrip("/") + "/" + DATABASE_NAME
    server = sa.create_engine(SERVER_URL.rstrip("/") + "/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        found = connection.execute(
            sa.text(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = :name"
            ),
            {"name": DATABASE_NAME},
        ).first()
        if found is not None and found[0] == wanted:
            server.dispose()
            database = Database(url)
            database.upgrade()  # a migration edited since: its objects come in (or stay)
            info = {"reused": True, **counts(database)}
            database.dispose()
            return url, info
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE_NAME} WITH (FORCE)"))
        connection.execute(sa.text(f"CREATE DATABASE {DATABASE_NAME}"))
    database = Database(url)
    database.upgrade()
    built = build(url, count, workers=BUILD_WORKERS)
    started = time.perf_counter()
    # The state autovacuum brings a database to after a load: statistics and the visibility
    # map (index-only scans); without it the planner's first choices are not the lasting ones.
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(sa.text("VACUUM (ANALYZE)"))
    built["vacuum_analyze_seconds"] = round(time.perf_counter() - started, 1)
    info = {"reused": False, **built, **counts(database)}
    database.dispose()
    with server.connect() as connection:
        connection.execute(sa.text(f"COMMENT ON DATABASE {DATABASE_NAME} IS {_quoted(wanted)}"))
    server.dispose()
    return url, info


def _schema() -> str:
    """A fingerprint of the tables and migrations: a database built under others is rebuilt."""
    import hashlib

    digest = hashlib.sha256()
    migrations = sorted((REPO / "storage" / "migrations" / "versions").glob("*.py"))
    for path in [REPO / "storage" / "models.py", REPO / "storage" / "search.py", *migrations]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def database_bytes(url: str) -> int:
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        return Path(url.split("///", 1)[1]).stat().st_size
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        size = int(connection.scalar(sa.text("SELECT pg_database_size(current_database())")) or 0)
    engine.dispose()
    return size


# -- measuring ------------------------------------------------------------------------------


def endpoints(database: Database) -> dict[str, str]:
    """The paths timed, with ids and filters taken from the data set."""
    from sqlalchemy import func, select

    from storage.models import Document, DocumentHit, DocumentVersion

    with database.session() as session:
        report_id = session.scalar(
            select(Document.id)
            .join(DocumentHit, DocumentHit.document_id == Document.id)
            .where(Document.kind == "work_report", Document.doc_key.like("%-work-report/%"))
            .order_by(Document.published_at.desc(), Document.id)
            .limit(1)
        )
        changed_id = session.scalar(
            select(DocumentVersion.document_id).where(DocumentVersion.version == 2).limit(1)
        )
        province, kind = session.execute(
            select(Document.province_code, Document.kind)
            .where(Document.kind == "policy")
            .group_by(Document.province_code, Document.kind)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    return {
        "documents_page": "/",
        "documents_page_all_topics": "/?topic=all",
        "documents_page_50": "/?topic=all&page=50",
        "documents_province_kind": f"/?topic=all&province={province}&kind={kind}",
        "search_区块链": "/?topic=all&q=区块链",
        "search_政务服务": "/?topic=all&q=政务服务",
        "search_政务服务_page_50": "/?topic=all&q=政务服务&page=50",
        "search_found_nowhere": "/?topic=all&q=ZB0000000",
        "documents_kind_work_report": "/?topic=all&kind=work_report",
        "document_work_report": f"/documents/{report_id}",
        "document_second_version": f"/documents/{changed_id}",
        "report_2024": "/report?year=2024",
        "report_2024_compare_2023": "/report?year=2024&compare=2023",
        "bids": "/bids",
        "bids_page_10": "/bids?page=10",
        "api_bids_2024": "/api/bids?year=2024",
        "sources": "/sources",
        "alerts": "/alerts",
        "api_documents": "/api/documents",
        "api_documents_search": "/api/documents?topic=all&q=政务服务",
        "feed_blockchain": "/feeds/blockchain.atom",
    }


def _percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(base_url: str, paths: dict[str, str]) -> dict[str, Any]:
    """Per endpoint: median and p95 in ms over loopback HTTP, bytes and status. Each request
    on a new connection, as curl: on one kept-alive connection (httpx, or http.client with
    TCP_NODELAY) many answers here took a steady ~40 ms more than curl saw (a delayed-ACK
    pattern between uvicorn's writes and the client's), which is not the dashboard's work."""
    import http.client
    from urllib.parse import quote, urlsplit

    where = urlsplit(base_url)

    def get(path: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(where.hostname or "", where.port, timeout=60)
        try:
            connection.request("GET", quote(path, safe="/?&=%"))
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    timings = {}
    for name, path in paths.items():
        for _ in range(WARM_UP):
            get(path)
        samples = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            status, body = get(path)
            samples.append((time.perf_counter() - started) * 1000)
        p95 = _percentile(samples, 0.95)
        timings[name] = {
            "path": path,
            "status": status,
            "bytes": len(body),
            "median_ms": round(statistics.median(samples), 1),
            "p95_ms": round(p95, 1),
            "under_200ms": p95 < AIM_MS,
        }
    return timings


def serve_and_measure(url: str) -> dict[str, Any]:
    """Serve the dashboard over ``url`` in a child process (as ``govwatch serve`` does) and
    time its endpoints from this one."""
    import multiprocessing

    database = Database(url)
    paths = endpoints(database)
    database.dispose()
    context = multiprocessing.get_context("spawn")
    ready = context.Queue()
    server = context.Process(target=_serve, args=(url, ready), daemon=True)
    server.start()
    try:
        base_url = ready.get(timeout=120)
        _wait(base_url)
        return measure(base_url, paths)
    finally:
        server.terminate()
        server.join(10)


def _serve(url: str, ready: Any) -> None:
    from crawler.config import load_settings
    from crawler.web.app import create_app
    from crawler.web.server import address, bind, serve_in_front

    os.environ.pop("GOVWATCH_WEB_PASSWORD", None)
    app = create_app(load_settings(database_url=url), DocumentStore(Database(url)))
    sock = bind("127.0.0.1", 0, key="bench")
    ready.put(address(sock))
    serve_in_front(app, sock)


def _wait(url: str) -> None:
    import httpx

    for _ in range(100):
        try:
            httpx.get(url + "/openapi.json", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"the dashboard at {url} did not answer")


def report_cold(url: str, year: int = 2024, samples: int = 5) -> dict[str, Any]:
    """The 年度对照 page's own work when its tables are not in memory (the first request after
    the year's documents changed): the year's table, the year before's and the brief with its
    bids, by a new dashboard each time, in this process. The endpoint timings above are what
    every later request costs."""
    from crawler.config import load_settings
    from crawler.web.dashboard import Dashboard

    settings = load_settings(database_url=url)
    database = Database(url)
    timings = []
    for _ in range(samples + 1):
        dashboard = Dashboard(settings, DocumentStore(database))
        topic = dashboard.topic(None)
        started = time.perf_counter()
        dashboard.year_report(topic, kind="work_report", year=year, compare_year=None)
        dashboard.brief(topic, kind="work_report", year=year)
        timings.append((time.perf_counter() - started) * 1000)
    database.dispose()
    timings = timings[1:]  # the first pays for connecting
    return {
        "what": f"/report?year={year} tables and brief built afresh (no HTTP, no page)",
        "median_ms": round(statistics.median(timings), 1),
        "max_ms": round(max(timings), 1),
    }


def report_cold_real_reports(copies: int = 3) -> dict[str, Any]:
    """:func:`report_cold` over real-length work reports: the fixtures' 上海 reports of 2023
    and 2024 (about 18,500 characters each, three times the generated ones) stored for every
    province, ``copies`` copies each (a portal's page, an import, a second source), SQLite."""
    fixtures = REPO / "tests" / "fixtures" / "reports"
    matcher = Matcher(load_topics())
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/real.sqlite3"
        database = Database(url)
        database.upgrade()
        records = []
        for year in (2023, 2024):
            text = (fixtures / f"{year}_shanghai.txt").read_text(encoding="utf-8")
            for province in PROVINCES:
                for copy in range(copies):
                    title = f"{year}年{province.short_name}政府工作报告"
                    body = text.replace("上海", province.short_name) + "\n" * copy
                    record = DocumentRecord(
                        doc_key=f"real-{province.code}-{year}-{copy}",
                        source_id=f"real-{province.code}-{copy}",
                        province_code=province.code,
                        kind="work_report",
                        url=f"https://www.example.gov.cn/{province.code}/{year}/{copy}.html",
                        title=title,
                        published_at=datetime(year, 1, 20),
                        body_text=body,
                    )
                    record.hits = _hits(matcher, title, body)
                    records.append(record)
        DocumentStore(database).save_many(records)
        database.dispose()
        return {
            "reports": len(records),
            "characters_each": len(text),
            **report_cold(url),
        }


def _summary(timings: dict[str, Any]) -> dict[str, Any]:
    over = [name for name, t in timings.items() if not t["under_200ms"]]
    return {"all_under_200ms_p95": not over, "over_200ms_p95": over}


def run_postgres(count: int = DOCUMENTS) -> dict[str, Any]:
    url, data = postgres_database(count)
    size = database_bytes(url)
    timings = serve_and_measure(url)
    return {
        "backend": "postgresql",
        "database": DATABASE_NAME,
        "data": data,
        "database_mb": round(size / 1024 / 1024, 1),
        "endpoints": timings,
        "report_cold": report_cold(url),
        **_summary(timings),
    }


def run_sqlite(count: int = SQLITE_DOCUMENTS) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/dashboard.sqlite3"
        database = Database(url)
        database.upgrade()
        data = {"reused": False, **build(url, count), **counts(database)}
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
        database.dispose()
        size = database_bytes(url)
        timings = serve_and_measure(url)
        cold = report_cold(url)
    return {
        "backend": "sqlite",
        "data": data,
        "database_mb": round(size / 1024 / 1024, 1),
        "endpoints": timings,
        "report_cold": cold,
        **_summary(timings),
    }


def run() -> dict[str, Any]:
    return {
        "aim": "each page under 200 ms (p95) over 100,000 stored documents, PostgreSQL",
        "requests_per_endpoint": REQUESTS,
        "warm_up_requests": WARM_UP,
        "client": "http.client over loopback HTTP, a new connection per request (as curl); the "
        "dashboard served by uvicorn in a child process (as `govwatch serve`)",
        "postgresql": run_postgres(),
        "sqlite": run_sqlite(),
        "report_cold_real_reports": report_cold_real_reports(),
    }


def main() -> None:
    if "--sqlite-only" in sys.argv:
        results: dict[str, Any] = {"sqlite": run_sqlite()}
    elif "--postgres-only" in sys.argv:
        results = {"postgresql": run_postgres()}
    else:
        results = run()
    text = json.dumps(results, indent=2, ensure_ascii=False)
    out_dir = REPO / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "dashboard.json").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
