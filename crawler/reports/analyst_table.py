"""The analyst's table: for one year, which of the 31 provinces mention a topic, and how.

Computed from storage, the same way for crawled and imported documents: the stored text of
each document (title, body, attachments) is split into sentences
(:mod:`crawler.match.sentences`) and each sentence is matched with the topic's matcher, so
every hit is shown as its whole sentence
(the snippets stored with a hit are cut at 160 characters). Counting with the topics file in
use now, rather than the hit rows each crawl stored, keeps one report on one definition.

``mentions`` counts every mention of the topic (all its keywords, e.g. 区块链 and 数据上链);
``keywords`` breaks it down (``{"区块链": 3, "上链": 1}``).

Duplicates. A province may have several documents of one kind in one year: a crawled and an
imported copy of the same report, the report and its summary page, or (for policies) many
different documents. The rule: **each distinct sentence counts once per province, year and
kind**. Sentences are compared with all whitespace removed. Two copies of one report therefore
count once, while different documents add up. A sentence that a text genuinely repeats word
for word also counts once. The ``documents`` column still shows how many documents were read.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from crawler.match.matcher import TopicMatcher
from crawler.match.topics import Topic
from crawler.reports.export import Column
from spiders.errors import UserError
from spiders.provinces import PROVINCES, Province
from storage.database import Database
from storage.queries import StoredText, texts_published_in, years_with_documents

MENTIONED, NOT_MENTIONED, NO_DOCUMENT = "mentioned", "not mentioned", "no document"
NEWLY, NO_LONGER, STILL = "newly mentioning", "no longer mentioning", "still mentioning"
DUPLICATE_RULE = (
    "each distinct sentence (whitespace ignored) counts once per province, year and kind, "
    "so copies of one document count once"
)
_BLANKS = re.compile(r"\s+")


class NoDocumentsError(UserError):
    """No document of the kind was published in the year: the report would be empty."""


@dataclass
class ProvinceYear:
    """What one province's documents of one kind and year say about the topic."""

    province: Province
    documents: int = 0
    mentions: int = 0
    keywords: dict[str, int] = field(default_factory=dict)
    sentences: list[str] = field(default_factory=list)
    technologies: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)

    @property
    def mentioned(self) -> bool:
        return self.mentions > 0

    @property
    def status(self) -> str:
        if not self.documents:
            return NO_DOCUMENT
        return MENTIONED if self.mentioned else NOT_MENTIONED


@dataclass
class YearReport:
    """All 31 provinces for one year, in GB/T 2260 code order."""

    topic: Topic
    kind: str
    year: int
    rows: list[ProvinceYear]

    @property
    def provinces_with_documents(self) -> int:
        return sum(1 for row in self.rows if row.documents)

    @property
    def provinces_mentioning(self) -> int:
        return sum(1 for row in self.rows if row.mentioned)

    @property
    def total_mentions(self) -> int:
        return sum(row.mentions for row in self.rows)


@dataclass
class Change:
    """How one province moved between the compared year and the report's year."""

    previous: ProvinceYear
    label: str | None  # NEWLY, NO_LONGER, STILL, or None (never mentioned, or nothing to compare)
    delta: int | None  # None when either year has no document for the province


@dataclass
class Comparison:
    """The report's year against another year."""

    current: YearReport
    previous: YearReport
    changes: list[Change]  # aligned with ``current.rows``

    @property
    def newly_mentioning(self) -> list[Province]:
        return [c.previous.province for c in self.changes if c.label == NEWLY]

    @property
    def no_longer_mentioning(self) -> list[Province]:
        return [c.previous.province for c in self.changes if c.label == NO_LONGER]


def province_year(
    province: Province, texts: Iterable[StoredText], matcher: TopicMatcher
) -> ProvinceYear:
    """Read one province's documents under the duplicate rule (see the module docstring)."""
    documents = sorted(texts, key=lambda t: (-len(t.text), t.document_id))
    row = ProvinceYear(province, documents=len(documents))
    seen: set[str] = set()
    keywords: Counter[str] = Counter()
    technologies: Counter[str] = Counter()
    scenarios: Counter[str] = Counter()
    # The fullest copy first, so the sentences come in the order of the most complete text.
    for document in documents:
        # One pass over the whole text finds the sentences that can mention the topic: a
        # sentence read alone can only lose context words its document had, never gain them.
        # Each is then read alone, so its count and co-mentions are its own.
        for start, end in matcher.match(document.text).sentence_spans:
            sentence = document.text[start:end]
            key = _BLANKS.sub("", sentence)
            if key in seen:
                continue
            hits = matcher.match(sentence)
            if not hits.count:
                continue
            seen.add(key)
            row.mentions += hits.count
            row.sentences.append(sentence)
            keywords.update(hits.keywords)
            technologies.update(hits.technologies)
            scenarios.update(hits.scenarios)
    row.keywords = dict(keywords.most_common())
    row.technologies = [name for name, _ in technologies.most_common()]
    row.scenarios = [name for name, _ in scenarios.most_common()]
    return row


def build_year_report(database: Database, topic: Topic, *, kind: str, year: int) -> YearReport:
    """The table for ``year``; :class:`NoDocumentsError` when nothing of ``kind`` is stored."""
    texts = texts_published_in(database, kind=kind, year=year)
    by_province: dict[str, list[StoredText]] = {}
    for text in texts:
        by_province.setdefault(text.province_code, []).append(text)
    if not any(p.code in by_province for p in PROVINCES):
        stored = years_with_documents(
            database, kind=kind, province_codes=[p.code for p in PROVINCES]
        )
        known = ", ".join(str(y) for y in stored) if stored else "none"
        raise NoDocumentsError(
            f"no {kind} documents of the 31 provinces published in {year} are stored "
            f"(years with {kind} documents: {known}); crawl them or "
            f"`govwatch import FILE... --year {year} --kind {kind}`"
        )
    matcher = TopicMatcher(topic)
    rows = [province_year(p, by_province.get(p.code, []), matcher) for p in PROVINCES]
    return YearReport(topic, kind, year, rows)


def compare(current: YearReport, previous: YearReport) -> Comparison:
    """Per province: newly / no longer / still mentioning, and the change in mentions.

    A province counts as newly (or no longer) mentioning only when both years have a document:
    a missing report says nothing about what it would have said.
    """
    changes = []
    for now, before in zip(current.rows, previous.rows, strict=True):
        if not (now.documents and before.documents):
            changes.append(Change(before, None, None))
            continue
        if now.mentioned and not before.mentioned:
            label: str | None = NEWLY
        elif before.mentioned and not now.mentioned:
            label = NO_LONGER
        elif now.mentioned:
            label = STILL
        else:
            label = None
        changes.append(Change(before, label, now.mentions - before.mentions))
    return Comparison(current, previous, changes)


def report_to_dict(report: YearReport, comparison: Comparison | None = None) -> dict[str, Any]:
    """The report as plain data (for JSON), comparison included when given."""
    provinces = []
    for index, row in enumerate(report.rows):
        item = _row_dict(row)
        if comparison is not None:
            change = comparison.changes[index]
            item["compare"] = {
                "year": comparison.previous.year,
                **_row_dict(change.previous, with_province=False),
                "change": change.label,
                "delta": change.delta,
            }
        provinces.append(item)
    totals: dict[str, Any] = {
        "provinces": len(report.rows),
        "provinces_with_documents": report.provinces_with_documents,
        "provinces_mentioning": report.provinces_mentioning,
        "mentions": report.total_mentions,
    }
    if comparison is not None:
        before = comparison.previous
        totals["compare"] = {
            "year": before.year,
            "provinces_with_documents": before.provinces_with_documents,
            "provinces_mentioning": before.provinces_mentioning,
            "mentions": before.total_mentions,
            "change_in_provinces_mentioning": report.provinces_mentioning
            - before.provinces_mentioning,
            "change_in_mentions": report.total_mentions - before.total_mentions,
            "newly_mentioning": [p.short_name for p in comparison.newly_mentioning],
            "no_longer_mentioning": [p.short_name for p in comparison.no_longer_mentioning],
        }
    return {
        "topic": report.topic.name,
        "label": report.topic.label,
        "kind": report.kind,
        "year": report.year,
        "compare_year": comparison.previous.year if comparison else None,
        "duplicate_rule": DUPLICATE_RULE,
        "provinces": provinces,
        "totals": totals,
    }


def _row_dict(row: ProvinceYear, *, with_province: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = (
        {"code": row.province.code, "province": row.province.short_name} if with_province else {}
    )
    data.update(
        documents=row.documents,
        status=row.status,
        mentioned=row.mentioned,
        mentions=row.mentions,
        keywords=row.keywords,
        sentences=row.sentences,
        technologies=row.technologies,
        scenarios=row.scenarios,
    )
    return data


# -- rows for tables, CSV and Markdown --------------------------------------------------------


def report_columns(report: YearReport, comparison: Comparison | None = None) -> list[Column]:
    """The columns of the flat table; the compared year's columns follow the report's."""
    year = report.year
    columns = [
        Column("code", "code"),
        Column("province", "省份"),
        Column("documents", f"{year} documents", numeric=True),
        Column("mentioned", f"{year} mentioned"),
        Column("mentions", f"{year} mentions", numeric=True),
    ]
    if comparison is not None:
        before = comparison.previous.year
        columns += [
            Column("compare_mentioned", f"{before} mentioned"),
            Column("compare_mentions", f"{before} mentions", numeric=True),
            Column("change", "change"),
            Column("delta", "Δ mentions", numeric=True),
        ]
    columns += [
        Column("keywords", "keywords"),
        Column("sentences", "sentences"),
        Column("technologies", "technologies"),
        Column("scenarios", "scenarios"),
    ]
    return columns


def report_rows(report: YearReport, comparison: Comparison | None = None) -> list[dict[str, Any]]:
    """One flat row per province: lists joined (sentences one per line)."""
    rows = []
    for index, row in enumerate(report.rows):
        flat: dict[str, Any] = {
            "code": row.province.code,
            "province": row.province.short_name,
            "documents": row.documents,
            "mentioned": _mentioned(row),
            "mentions": row.mentions if row.documents else None,
            "keywords": "、".join(f"{k}×{n}" for k, n in row.keywords.items()),
            "sentences": "\n".join(row.sentences),
            "technologies": "、".join(row.technologies),
            "scenarios": "、".join(row.scenarios),
        }
        if comparison is not None:
            change = comparison.changes[index]
            previous = change.previous
            flat.update(
                compare_mentioned=_mentioned(previous),
                compare_mentions=previous.mentions if previous.documents else None,
                change=change.label or "",
                delta=_signed(change.delta),
            )
        rows.append(flat)
    return rows


def _mentioned(row: ProvinceYear) -> str:
    return "yes" if row.mentioned else row.status


def _signed(delta: int | None) -> str | None:
    return None if delta is None else f"{delta:+d}"


def totals_lines(report: YearReport, comparison: Comparison | None = None) -> list[str]:
    """The totals, in words, for below a table."""
    lines = [_year_totals(report)]
    if comparison is not None:
        before = comparison.previous
        lines.append(_year_totals(before))
        lines.append(
            f"change: {report.provinces_mentioning - before.provinces_mentioning:+d} provinces "
            f"mentioning, {report.total_mentions - before.total_mentions:+d} mentions"
        )
        newly = "、".join(p.short_name for p in comparison.newly_mentioning) or "none"
        no_longer = "、".join(p.short_name for p in comparison.no_longer_mentioning) or "none"
        lines.append(f"newly mentioning: {newly}; no longer mentioning: {no_longer}")
    lines.append(f"duplicates: {DUPLICATE_RULE}")
    return lines


def _year_totals(report: YearReport) -> str:
    of = f"of {len(report.rows)}"
    return (
        f"{report.year}: {report.provinces_mentioning} {of} provinces mention "
        f"{report.topic.label}, {report.total_mentions} mentions in all; "
        f"{report.provinces_with_documents} {of} have a {report.kind} document"
    )
