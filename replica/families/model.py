"""Documents of generated sources: what a page shows, where it is served, and its ground truth.

A Doc is produced by the content generators (title, dates, body) and then placed by its
family, which gives it a site id, the paths the replica serves it at and its real URL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from replica.documents import BLOCKCHAIN, ground_truth
from replica.families.markup import plain_text

NOTICE_TYPES = ("tender", "award", "change", "termination")


@dataclass(frozen=True)
class Item:
    """What a project buys: name fragment, 品目, the suppliers' trade, and its class."""

    name: str
    category: str
    trade: str
    kind: str  # 货物, 服务 or 工程


@dataclass(frozen=True)
class Lot:
    """One row of a 中标（成交）信息 table."""

    lot: str  # 包号 as shown
    supplier: str
    address: str
    amount_yuan: Decimal | None  # None when the cell gives only a rate or 详见附件
    rate: str | None  # 下浮率 such as "3.5%"
    shown: str  # the amount cell exactly as served

    def ground_truth(self) -> dict[str, Any]:
        return {
            "lot": self.lot,
            "supplier": self.supplier,
            "amount_yuan": _decimal(self.amount_yuan),
            "rate": self.rate,
        }


@dataclass(frozen=True)
class Party:
    """A buyer or agency with the contact block the 2020 notice format prints for it."""

    name: str
    address: str
    phone: str


@dataclass(frozen=True)
class Notice:
    """A procurement notice's facts; the served text is built from these."""

    notice_type: str  # one of NOTICE_TYPES
    label: str  # 公开招标公告, 竞争性磋商公告, 中标公告, 成交公告, 更正公告, 终止公告
    project_number: str
    project_name: str
    buyer: Party
    agency: Party
    budget_yuan: Decimal | None
    lots: tuple[Lot, ...] = ()
    category: str = ""  # 品目, e.g. 信息技术服务
    region: str = ""  # 行政区域, e.g. 江苏省
    contact: str = ""  # 项目联系人
    first_published: date | None = None  # of the original tender, for results and corrections

    def ground_truth(self) -> dict[str, Any]:
        return {
            "notice_type": self.notice_type,
            "project_number": self.project_number,
            "project_name": self.project_name,
            "buyer": self.buyer.name,
            "agency": self.agency.name,
            "budget_yuan": _decimal(self.budget_yuan),
            "lots": [lot.ground_truth() for lot in self.lots],
        }

    @property
    def total_award_yuan(self) -> Decimal | None:
        """Sum of the lots' amounts, or None when any lot gives no amount."""
        amounts = [lot.amount_yuan for lot in self.lots]
        if not amounts or any(a is None for a in amounts):
            return None
        return sum((a for a in amounts if a is not None), Decimal(0))


def _decimal(value: Decimal | None) -> str | None:
    """Yuan with two decimals, the way the ground truth spells every amount."""
    return None if value is None else f"{value.quantize(Decimal('0.01'))}"


@dataclass
class Doc:
    """One document of a generated source. Mutable only through publish and edit."""

    title: str
    published: datetime  # naive Beijing time
    publisher: str
    body_html: str  # the fragment inside the family's body container
    doc_number: str | None = None
    notice: Notice | None = None
    region: str = ""  # 行政区域 shown in procurement lists
    index_number: str | None = None  # 索引号 of 信息公开 tables
    topic: str | None = None  # 主题分类
    # Set by the family when it places the document:
    site_id: str = ""
    url_path: str = ""  # where the text is served, host prefix included (query for JSON details)
    real_url: str = ""  # what a person opens: the list's or API's link on the real host
    href: str = ""  # the link exactly as the list or API gives it
    paths: tuple[str, ...] = ()  # served paths (no query) rendered from this document
    last_modified: datetime | None = None  # aware; changes on edit
    extra: dict[str, str] = field(default_factory=dict)  # family-specific list fields
    _text: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        """The body as plain text, cached until the next edit."""
        if self._text is None:
            self._text = plain_text(self.body_html)
        return self._text

    def set_body(self, body_html: str) -> None:
        self.body_html = body_html
        self._text = None

    @property
    def blockchain_count(self) -> int:
        return self.title.count(BLOCKCHAIN) + self.text.count(BLOCKCHAIN)

    @property
    def buyer(self) -> str:
        """A notice's buyer, else the publisher (what procurement lists show as 采购人)."""
        return self.notice.buyer.name if self.notice else self.publisher

    def ground_truth(self, source_id: str, kind: str, column_path: str) -> dict[str, Any]:
        """The keys of the hand-built sites' ground truth, plus source_id and notice."""
        return {
            **ground_truth(
                self,
                host=urlsplit(self.real_url).netloc.lower(),
                column_path=column_path,
                kind=kind,
                lying_charset=False,
            ),
            "source_id": source_id,
            "notice": None if self.notice is None else self.notice.ground_truth(),
        }
