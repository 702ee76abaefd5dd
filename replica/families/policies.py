"""Policy documents and work reports of generated sources, built from real report prose.

Bodies borrow consecutive paragraphs of the bundled national work reports (none of which
mentions 区块链), so every 区块链 in a generated document is one planted here on purpose.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from replica import phrases
from replica.corpus import prose_runs
from replica.families.markup import paragraphs
from replica.families.model import Doc
from replica.families.naming import MUNICIPALITIES, Region, stable_number
from replica.generate import PROSE_FIXTURES

FIRST_POLICY_DAY = date(2019, 1, 1)
LAST_POLICY_DAY = date(2025, 12, 31)
REPORT_YEARS = tuple(range(2019, 2026))
PLANTED_SHARE = 5  # one policy in five gets a blockchain sentence, as many a trap

# What a province says about blockchain in a work report: next to AI and big data.
REPORT_BLOCKCHAIN_SENTENCES = (
    "加快发展数字经济，推动人工智能、大数据、区块链、云计算等新一代信息技术与实体经济深度融合。",
    "培育壮大人工智能、大数据、区块链等新兴产业集群，打造数字经济发展新优势。",
    "推进人工智能、大数据、区块链在政务服务和社会治理中的创新应用，建设数字政府。",
)
# 第十三届 congresses were elected in 2018, 第十四届 in 2023: (届, 次) of each year's session.
_SESSIONS = {
    2019: ("十三", "二"),
    2020: ("十三", "三"),
    2021: ("十三", "四"),
    2022: ("十三", "五"),
    2023: ("十四", "一"),
    2024: ("十四", "二"),
    2025: ("十四", "三"),
}
# Department name fragments and the 文号 word they use (苏工信发, 粤发改 …).
_DEPARTMENT_WORDS = (
    ("工业和信息化", "工信"),
    ("发展和改革", "发改"),
    ("科学技术", "科"),
    ("商务", "商"),
    ("财政", "财"),
    ("农业农村", "农"),
    ("大数据", "数据"),
    ("数据", "数据"),
    ("市场监督", "市监"),
    ("地方金融", "金融"),
    ("交通运输", "交"),
    ("教育", "教"),
    ("网信", "网信"),
)
_DEPARTMENT_SUFFIXES = ("厅", "局", "委员会", "委", "办公室", "中心")


def issuer(site_name: str, region: Region, kind: str) -> tuple[str, str]:
    """(发文机关, 文号 prefix) of a source's policy documents."""
    if region.is_national:
        return "国务院办公厅", "国办发"
    if site_name.endswith(_DEPARTMENT_SUFFIXES) and "人民政府" not in site_name:
        return site_name, region.abbreviation + _department_word(site_name) + "发"
    if kind == "industry_dept":
        office = (
            "经济和信息化委员会" if region.province.code in MUNICIPALITIES else "工业和信息化厅"
        )
        return region.full_name + office, region.abbreviation + "工信发"
    return f"{region.full_name}人民政府办公厅", region.abbreviation + "政办发"


def _department_word(name: str) -> str:
    return next((word for fragment, word in _DEPARTMENT_WORDS if fragment in name), "政办")


def policy_docs(
    rng: random.Random, region: Region, publisher: str, prefix: str, count: int
) -> list[Doc]:
    """`count` policy documents in publication order, about one in five mentioning 区块链."""
    moments = sorted(_moment(rng) for _ in range(count))
    planted = set(rng.sample(range(count), count // PLANTED_SHARE))
    traps = set(rng.sample(sorted(set(range(count)) - planted), count // PLANTED_SHARE))
    titled = set(rng.sample(sorted(planted), min(len(planted), rng.choice((1, 2)))))
    runs = [run for run in prose_runs(PROSE_FIXTURES) if len(run) >= 14]
    numbers: dict[int, int] = {}
    org_code = f"{region.province.code[:2]}{stable_number(publisher, 10**8):08d}"
    docs = []
    for i, published in enumerate(moments):
        theme, topic = rng.choice(phrases.BLOCKCHAIN_THEMES if i in titled else phrases.THEMES)
        title = rng.choice(phrases.TITLE_TEMPLATES).format(
            org=publisher,
            region="" if region.is_national else region.full_name,
            theme=theme,
            year=published.year,
            year_end=published.year + 2,
        )
        body = _borrowed(rng, runs, rng.randint(5, 10))
        if i in planted:
            body = _with_sentence(rng, body, rng.choice(phrases.BLOCKCHAIN_SENTENCES))
        elif i in traps:
            body = _with_sentence(rng, body, rng.choice(phrases.TRAP_SENTENCES))
        numbers[published.year] = numbers.get(published.year, 0) + rng.randint(1, 4)
        docs.append(
            Doc(
                title=title,
                published=published,
                publisher=publisher,
                body_html=paragraphs(body),
                doc_number=f"{prefix}〔{published.year}〕{numbers[published.year]}号",
                index_number=f"{org_code}/{published.year}-{rng.randint(1, 99_999):05d}",
                topic=topic,
            )
        )
    return docs


def report_docs(rng: random.Random, region: Region) -> list[Doc]:
    """One work report per year 2019–2025, some of them mentioning 区块链 next to AI."""
    mentioning = set(rng.sample(REPORT_YEARS, rng.randint(2, 4)))
    docs = []
    for year in REPORT_YEARS:
        if region.is_national:
            title, publisher = f"{year}年国务院政府工作报告", "国务院"
            day = date(year, 3, 5)
        else:
            title = f"{year}年{region.full_name}政府工作报告"
            publisher = f"{region.full_name}人民政府"
            day = date(year, 1, rng.randint(10, 28))
        body = _report_body(rng, region, year, day, year in mentioning)
        docs.append(
            Doc(
                title=title,
                published=datetime.combine(day, time(rng.randint(8, 11), rng.randrange(60))),
                publisher=publisher,
                body_html=paragraphs(body),
            )
        )
    return docs


def _report_body(
    rng: random.Random, region: Region, year: int, day: date, blockchain: bool
) -> tuple[str, ...]:
    congress, session = _SESSIONS[year]
    if region.is_national:
        level, government, cppcc = "全国", "国务院", "全国政协"
    else:
        level = region.full_name
        unit = "市" if region.province.code in MUNICIPALITIES else "省"
        if region.full_name.endswith("自治区"):
            unit = "自治区"
        government, cppcc = f"{unit}人民政府", f"{unit}政协"
    runs = prose_runs(PROSE_FIXTURES)
    review = _borrowed(rng, [runs[_run_for(year - 1)]], rng.randint(8, 12))
    plans = _borrowed(rng, [runs[_run_for(year)]], rng.randint(8, 12))
    if blockchain:
        plans = _with_sentence(rng, plans, rng.choice(REPORT_BLOCKCHAIN_SENTENCES))
    return (
        f"——{year}年{day.month}月{day.day}日在{level}第{congress}届人民代表大会第{session}次会议上",
        "各位代表：",
        f"现在，我代表{government}，向大会报告工作，请予审议，"
        f"并请{cppcc}委员和其他列席人员提出意见。",
        f"一、{year - 1}年工作回顾",
        *review,
        f"二、{year}年重点工作",
        *plans,
        "各位代表！让我们坚定信心、真抓实干，为完成全年目标任务而努力奋斗！",
    )


def _run_for(year: int) -> int:
    """Index of the national report whose prose a given year's report borrows."""
    years = [int(fixture[:4]) for fixture in PROSE_FIXTURES]
    return min(range(len(years)), key=lambda i: (abs(years[i] - year), years[i]))


def _moment(rng: random.Random) -> datetime:
    span = (LAST_POLICY_DAY - FIRST_POLICY_DAY).days
    day = FIRST_POLICY_DAY + timedelta(days=rng.randint(0, span))
    return datetime.combine(day, time(rng.randint(8, 18), rng.randrange(60)))


def _borrowed(rng: random.Random, runs: list[tuple[str, ...]], length: int) -> tuple[str, ...]:
    run = rng.choice(runs)
    length = min(length, len(run))
    start = rng.randint(0, len(run) - length)
    return run[start : start + length]


def _with_sentence(rng: random.Random, body: tuple[str, ...], sentence: str) -> tuple[str, ...]:
    """Append `sentence` to one paragraph, as drafters add a clause to an existing point."""
    target = rng.randrange(len(body))
    return tuple(p + sentence if i == target else p for i, p in enumerate(body))
