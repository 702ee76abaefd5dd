"""The document model: what one article page shows, where it lives, and its ground truth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, Protocol

from replica.sites import ColumnSpec, SiteSpec

BLOCKCHAIN = "区块链"

# Publication times on the portals are Beijing time; HTTP dates are GMT.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


@dataclass(frozen=True)
class RelatedLink:
    """An entry of the 相关文章 sidebar, frozen when the page was made, as on a static CMS."""

    title: str
    href: str  # relative to the article's own directory
    published: date


@dataclass
class Document:
    """One article of a column. Mutable only through the replica's publish/edit operations."""

    site: SiteSpec
    column: ColumnSpec
    trs_id: int
    title: str
    published: datetime  # naive Beijing time
    paragraphs: tuple[str, ...]
    publisher: str
    visits_base: int  # 浏览次数 shown before the replica served the page once
    last_modified: datetime  # aware, changes on edit
    doc_number: str | None = None
    written: date | None = None  # 成文日期
    index_number: str | None = None  # 索引号
    topic: str | None = None  # 主题分类
    lying_charset: bool = False
    related: tuple[RelatedLink, ...] = ()

    @property
    def month_dir(self) -> str:
        return f"{self.published:%Y%m}"

    @property
    def file_name(self) -> str:
        return f"t{self.published:%Y%m%d}_{self.trs_id}.html"

    @property
    def list_href(self) -> str:
        """The link on the column's list pages, relative to the column directory as on TRS."""
        return f"./{self.month_dir}/{self.file_name}"

    @property
    def sibling_href(self) -> str:
        """The link from another article page of the same column (one directory deeper)."""
        return f"../{self.month_dir}/{self.file_name}"

    @property
    def site_path(self) -> str:
        """Path on the real site, without the replica's host prefix."""
        return f"{self.column.directory}{self.month_dir}/{self.file_name}"

    @property
    def url_path(self) -> str:
        """Path served by the replica, host prefix included."""
        return self.site.prefix + self.site_path

    @property
    def real_url(self) -> str:
        return f"{self.site.scheme}://{self.site.host}{self.site_path}"

    @property
    def is_policy(self) -> bool:
        return self.index_number is not None

    @property
    def blockchain_count(self) -> int:
        """Occurrences of 区块链 in the title and body text, the crawler's target number."""
        return self.title.count(BLOCKCHAIN) + sum(p.count(BLOCKCHAIN) for p in self.paragraphs)

    def ground_truth(self) -> dict[str, Any]:
        """What a perfect crawler would record about this document."""
        return ground_truth(
            self,
            host=self.site.host,
            column_path=self.column.path,
            kind=self.column.kind.value,
            lying_charset=self.lying_charset,
        )


class Recorded(Protocol):
    """What the ground truth reads of a document, hand-built or generated."""

    @property
    def url_path(self) -> str: ...
    @property
    def real_url(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def published(self) -> datetime: ...
    @property
    def doc_number(self) -> str | None: ...
    @property
    def publisher(self) -> str: ...
    @property
    def blockchain_count(self) -> int: ...


def ground_truth(
    doc: Recorded, *, host: str, column_path: str, kind: str, lying_charset: bool
) -> dict[str, Any]:
    """The ground-truth record of a served document, as the crawl is scored against it."""
    return {
        "host": host,
        "column_path": column_path,
        "kind": kind,
        "url_path": doc.url_path,
        "real_url": doc.real_url,
        "title": doc.title,
        "published": doc.published.date(),
        "doc_number": doc.doc_number,
        "publisher": doc.publisher,
        "blockchain_count": doc.blockchain_count,
        "lying_charset": lying_charset,
    }


def beijing_to_utc(moment: datetime) -> datetime:
    """Interpret a naive portal timestamp as Beijing time and convert it for HTTP headers."""
    return moment.replace(tzinfo=BEIJING).astimezone(UTC)
