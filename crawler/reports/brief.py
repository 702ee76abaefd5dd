"""The year's brief: the analyst's table and the bids in sentences, as an analyst writes them.

N of the 31 provinces mention the topic (M the year before; which ones are new, which fell
silent); K of them name it beside the topic's technologies (人工智能, 物联网, 大数据 …), and
how many name each; the application scenarios ranked by how many provinces name them; the
procurement notices of the year and the yuan awarded.

Every figure comes from the same functions as ``govwatch report`` and ``report bids``
(:func:`~crawler.reports.analyst_table.build_year_report`,
:func:`~crawler.reports.bids.build_bids_report`), so the brief, the table, the dashboard and
``report --brief`` never disagree. Each figure carries the dashboard address of its rows; the
Markdown keeps them as links when given the dashboard's address.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from crawler.match.topics import Topic
from crawler.reports.analyst_table import (
    Comparison,
    NoDocumentsError,
    ProvinceYear,
    YearReport,
    build_year_report,
    compare,
)
from crawler.reports.bids import BidsReport, build_bids_report
from crawler.reports.charts import KIND_LABELS
from storage.database import Database


@dataclass(frozen=True)
class Figure:
    """A piece of a sentence; ``link`` is the dashboard path of the rows it counts."""

    text: str
    link: str | None = None


@dataclass
class Brief:
    topic: Topic
    kind: str
    year: int
    compare_year: int
    report: YearReport | None
    comparison: Comparison | None
    bids: BidsReport
    sentences: list[list[Figure]] = field(default_factory=list)


def _names(provinces: list[str]) -> str:
    return "、".join(provinces)


def build_brief(
    database: Database,
    topic: Topic,
    *,
    kind: str = "work_report",
    year: int,
    compare_year: int | None = None,
    tables: Callable[[int], YearReport] | None = None,
) -> Brief:
    """The brief for ``year``, compared with ``compare_year`` (default: the year before).

    ``tables(year)`` gives the table of this topic and kind for a year (the dashboard's kept
    ones); by default each is built. A year without documents has no table.
    """
    before = compare_year if compare_year is not None else year - 1

    def year_report(wanted: int) -> YearReport | None:
        try:
            if tables is not None:
                return tables(wanted)
            return build_year_report(database, topic, kind=kind, year=wanted)
        except NoDocumentsError:
            return None

    current, previous = year_report(year), year_report(before)
    comparison = compare(current, previous) if current and previous else None
    bids = build_bids_report(database, topic=topic.name, label=topic.label, year=year)
    brief = Brief(topic, kind, year, before, current, comparison, bids)
    brief.sentences = _sentences(brief)
    return brief


def _table_link(brief: Brief, anchor: str = "") -> str:
    query = {"year": brief.year, "kind": brief.kind, "topic": brief.topic.name}
    if brief.comparison is not None:
        query["compare"] = brief.compare_year
    return f"/report?{urlencode(query)}" + (f"#{anchor}" if anchor else "")


def _sentences(brief: Brief) -> list[list[Figure]]:
    label, kind = brief.topic.label, KIND_LABELS.get(brief.kind, brief.kind)
    report, comparison = brief.report, brief.comparison
    if report is None:
        return [
            [Figure(f"{brief.year} 年尚无各省{kind}入库，无法统计提及「{label}」的省份。")],
            _bids_sentence(brief),
        ]
    total = len(report.rows)
    mentioning = [row for row in report.rows if row.mentioned]
    first = [
        Figure(f"{brief.year} 年，{total} 个省份中有 "),
        Figure(f"{len(mentioning)} 个", _table_link(brief, "mentioning")),
        Figure(f"在{kind}中提及「{label}」"),
    ]
    if comparison is not None:
        previous = comparison.previous
        first += [
            Figure(f"（{brief.compare_year} 年 "),
            Figure(f"{previous.provinces_mentioning} 个", _table_link(brief, "mentioning")),
            Figure("）"),
        ]
        newly = [p.short_name for p in comparison.newly_mentioning]
        gone = [p.short_name for p in comparison.no_longer_mentioning]
        first.append(Figure("；新提及的有 " if newly else "；没有新提及的省份"))
        for index, name in enumerate(newly):
            code = comparison.newly_mentioning[index].code
            if index:
                first.append(Figure("、"))
            first.append(Figure(name, _table_link(brief, f"p-{code}")))
        if gone:
            first.append(Figure(f"，不再提及的有 {_names(gone)}"))
    else:
        first.append(Figure(f"（{brief.compare_year} 年尚无{kind}入库，无从比较）"))
    first.append(Figure(f"；共 {report.total_mentions} 处提及。"))
    sentences = [first, _technology_sentence(brief, mentioning)]
    sentences.append(_scenario_sentence(brief, mentioning))
    sentences.append(_bids_sentence(brief))
    return sentences


def _technology_sentence(brief: Brief, mentioning: list[ProvinceYear]) -> list[Figure]:
    technologies = brief.topic.technologies
    named = [row for row in mentioning if set(row.technologies) & set(technologies)]
    if not mentioning:
        return [Figure("没有省份提及，也就没有并提的技术。")]
    counts = Counter(t for row in named for t in row.technologies if t in technologies)
    sentence = [
        Figure("其中 "),
        Figure(f"{len(named)} 个", _table_link(brief, "technologies")),
        Figure(f"省份把「{brief.topic.label}」与其他新技术并提"),
    ]
    if counts:
        ranked = "、".join(f"{name}（{n} 个省份）" for name, n in counts.most_common())
        sentence.append(Figure(f"：{ranked}。"))
    else:
        sentence.append(Figure("。"))
    return sentence


def _scenario_sentence(brief: Brief, mentioning: list[ProvinceYear]) -> list[Figure]:
    counts = Counter(s for row in mentioning for s in row.scenarios)
    if not counts:
        return [Figure("提及的句子里没有点出应用场景。")]
    sentence = [Figure("应用场景按提及的省份数排列：")]
    for index, (name, n) in enumerate(counts.most_common()):
        if index:
            sentence.append(Figure("、"))
        sentence.append(Figure(f"{name} {n} 个", _table_link(brief, "scenarios")))
    sentence.append(Figure("。"))
    return sentence


def _bids_sentence(brief: Brief) -> list[Figure]:
    bids, label = brief.bids, brief.topic.label
    link = f"/bids?{urlencode({'year': brief.year, 'topic': brief.topic.name})}"
    if not bids.notices:
        return [Figure(f"{brief.year} 年没有提及「{label}」的采购公告入库。", link)]
    awards = sum(t.awards for t in bids.totals)
    return [
        Figure(f"{brief.year} 年提及「{label}」的采购公告 "),
        Figure(f"{len(bids.notices)} 条", link),
        Figure("，其中中标/成交 "),
        Figure(f"{awards} 条", link),
        Figure("，成交金额合计 "),
        Figure(f"{_yuan(bids.awarded_yuan)} 元", link),
        Figure("（候选人公示不计入）。"),
    ]


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def brief_markdown(brief: Brief, base_url: str | None = None) -> str:
    """The brief as Markdown: a heading and one paragraph per sentence; figures become links
    to the dashboard when ``base_url`` is given, else stand in bold."""
    kind = KIND_LABELS.get(brief.kind, brief.kind)
    lines = [f"## {brief.year} 年{kind}中的「{brief.topic.label}」：简报", ""]
    for sentence in brief.sentences:
        parts = []
        for figure in sentence:
            if figure.link is None:
                parts.append(figure.text)
            elif base_url:
                parts.append(f"[{figure.text}]({base_url.rstrip('/')}{figure.link})")
            else:
                parts.append(f"**{figure.text}**")
        lines += ["".join(parts), ""]
    return "\n".join(lines).rstrip() + "\n"


def brief_to_dict(brief: Brief) -> dict[str, object]:
    """The brief as plain data: its sentences (figures with their links) and the key counts."""
    report = brief.report
    return {
        "topic": brief.topic.name,
        "kind": brief.kind,
        "year": brief.year,
        "compare_year": brief.compare_year,
        "provinces_mentioning": report.provinces_mentioning if report else None,
        "provinces_mentioning_before": (
            brief.comparison.previous.provinces_mentioning if brief.comparison else None
        ),
        "bids": len(brief.bids.notices),
        "awarded_yuan": brief.bids.awarded_yuan,
        "sentences": [[{"text": f.text, "link": f.link} for f in s] for s in brief.sentences],
        "text": "".join(f.text for s in brief.sentences for f in s),
    }
