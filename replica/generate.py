"""Deterministic generation of every column's documents from the seed.

Each column draws from its own random.Random seeded with (seed, host, column path), so adding
or resizing one column never changes another, and the global random module is never touched.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from replica import phrases
from replica.corpus import prose_runs, report_paragraphs
from replica.documents import Document, RelatedLink, beijing_to_utc
from replica.sites import NATIONAL, SITES, ColumnSpec, DocumentKind, SiteSpec

FIRST_POLICY_DAY = date(2019, 1, 1)
LAST_POLICY_DAY = date(2025, 12, 31)
RELATED_LINKS = 5
PLANTED_SHARE = 5  # one document in PLANTED_SHARE gets a blockchain sentence, as many a trap
# Generated bodies borrow real prose from the national work reports.
PROSE_FIXTURES = tuple(report.fixture for report in NATIONAL.columns[0].reports)


def build_site(site: SiteSpec, seed: int, scale: int) -> dict[str, list[Document]]:
    """All documents of a site, per column path, newest first, with ids and sidebars set."""
    columns: dict[str, list[Document]] = {}
    for column in site.columns:
        rng = random.Random(f"{seed}/{site.host}{column.path}")
        if column.kind is DocumentKind.WORK_REPORT:
            columns[column.path] = _report_documents(site, column, rng)
        else:
            columns[column.path] = _policy_documents(site, column, rng, column.policy_count * scale)
    _assign_trs_ids(site, [doc for docs in columns.values() for doc in docs], seed, scale)
    for column in site.columns:
        docs = columns[column.path]
        docs.sort(key=lambda doc: (doc.published, doc.trs_id), reverse=True)
        for position, doc in enumerate(docs):
            doc.related = related_links(docs, position)
        if column.lying_charset_rank is not None and column.lying_charset_rank < len(docs):
            docs[column.lying_charset_rank].lying_charset = True
    return columns


def related_links(newest_first: list[Document], position: int) -> tuple[RelatedLink, ...]:
    """The sidebar of the document at `position`: its nearest newer neighbours first.

    Most sidebar dates are therefore newer than the article's own, which trips crawlers that
    take the first date on the page.
    """
    newer = newest_first[max(0, position - RELATED_LINKS) : position]
    older = newest_first[position + 1 : position + 1 + RELATED_LINKS - len(newer)]
    return tuple(
        RelatedLink(doc.title, doc.sibling_href, doc.published.date()) for doc in newer + older
    )


def _report_documents(site: SiteSpec, column: ColumnSpec, rng: random.Random) -> list[Document]:
    documents = []
    for report in column.reports:
        published = datetime.combine(report.published, time(rng.randint(8, 11), rng.randrange(60)))
        documents.append(
            Document(
                site=site,
                column=column,
                trs_id=0,
                title=column.report_title.format(year=report.year),
                published=published,
                paragraphs=report_paragraphs(report.fixture),
                publisher=column.report_publisher,
                visits_base=rng.randint(1_000, 90_000),
                last_modified=beijing_to_utc(published),
            )
        )
    return documents


def _policy_documents(
    site: SiteSpec, column: ColumnSpec, rng: random.Random, count: int
) -> list[Document]:
    moments = sorted(_publication_moment(rng) for _ in range(count))
    planted = set(rng.sample(range(count), count // PLANTED_SHARE))
    traps = set(rng.sample(sorted(set(range(count)) - planted), count // PLANTED_SHARE))
    titled = set(rng.sample(sorted(planted), min(len(planted), rng.choice((2, 3)))))
    runs = [run for run in prose_runs(PROSE_FIXTURES) if len(run) >= 14]
    numbers_by_year: dict[int, int] = {}
    index_by_year: dict[int, int] = {}
    used_titles: set[str] = set()

    documents = []
    for i, published in enumerate(moments):  # chronological, so 文号 grow through the year
        theme, topic = rng.choice(phrases.BLOCKCHAIN_THEMES if i in titled else phrases.THEMES)
        title = _unique_title(rng, site, theme, published.year, used_titles)
        paragraphs = _borrowed_paragraphs(rng, runs)
        if i in planted:
            paragraphs = _with_sentence(rng, paragraphs, rng.choice(phrases.BLOCKCHAIN_SENTENCES))
        elif i in traps:
            paragraphs = _with_sentence(rng, paragraphs, rng.choice(phrases.TRAP_SENTENCES))
        written = published.date() - timedelta(days=rng.randint(1, 5))
        numbers_by_year[written.year] = numbers_by_year.get(written.year, 0) + rng.randint(1, 4)
        index_by_year[published.year] = index_by_year.get(published.year, 0) + rng.randint(1, 30)
        documents.append(
            Document(
                site=site,
                column=column,
                trs_id=0,
                title=title,
                published=published,
                paragraphs=paragraphs,
                publisher=site.policy_publisher,
                visits_base=rng.randint(50, 5_000),
                last_modified=beijing_to_utc(published),
                doc_number=(
                    f"{site.doc_number_prefix}〔{written.year}〕{numbers_by_year[written.year]}号"
                ),
                written=written,
                index_number=f"{site.org_code}/{published.year}-{index_by_year[published.year]:05d}",
                topic=topic,
            )
        )
    return documents


def _publication_moment(rng: random.Random) -> datetime:
    span = (LAST_POLICY_DAY - FIRST_POLICY_DAY).days
    day = FIRST_POLICY_DAY + timedelta(days=rng.randint(0, span))
    return datetime.combine(day, time(rng.randint(8, 18), rng.randrange(60)))


def _unique_title(rng: random.Random, site: SiteSpec, theme: str, year: int, used: set[str]) -> str:
    # Real columns rarely repeat a title; retry a few templates, then accept a repeat rather
    # than loop forever on a very large scale.
    for _ in range(20):
        title = rng.choice(phrases.TITLE_TEMPLATES).format(
            org=site.policy_publisher,
            region=site.region,
            theme=theme,
            year=year,
            year_end=year + 2,
        )
        if title not in used:
            break
    used.add(title)
    return title


def _borrowed_paragraphs(rng: random.Random, runs: list[tuple[str, ...]]) -> tuple[str, ...]:
    run = rng.choice(runs)
    length = rng.randint(6, 14)
    start = rng.randint(0, len(run) - length)
    return run[start : start + length]


def _with_sentence(
    rng: random.Random, paragraphs: tuple[str, ...], sentence: str
) -> tuple[str, ...]:
    """Append `sentence` to one paragraph, as drafters add a clause to an existing point."""
    target = rng.randrange(len(paragraphs))
    return tuple(p + sentence if i == target else p for i, p in enumerate(paragraphs))


def _assign_trs_ids(site: SiteSpec, documents: list[Document], seed: int, scale: int) -> None:
    """Give a site's documents increasing TRS ids in publication order, as the CMS would.

    Every site gets its own id range so ids are unique across the replica too; the step shrinks
    with scale so large webs stay within seven digits.
    """
    rng = random.Random(f"{seed}/{site.host}/trs-ids")
    next_id = 1_000_000 + SITES.index(site) * 2_000_000 + rng.randrange(500_000)
    max_step = max(1, 40 // scale)
    for doc in sorted(documents, key=lambda d: d.published):
        next_id += rng.randint(1, max_step)
        doc.trs_id = next_id
