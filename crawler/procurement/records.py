"""From a parsed procurement notice to what storage keeps of it."""

from __future__ import annotations

from datetime import datetime

from crawler.procurement.notice import Notice, parse_notice
from storage.repository import LotRecord, NoticeRecord

# Source kinds whose documents are procurement or trading notices.
NOTICE_KINDS = frozenset({"procurement", "trading"})


def notice_record(notice: Notice) -> NoticeRecord:
    """The storage form of a parsed notice: main fields as columns, one row per lot."""
    lots = []
    for lot in notice.lots:
        amount = lot.amount
        lots.append(
            LotRecord(
                lot=lot.lot,
                lot_name=lot.lot_name,
                supplier=lot.supplier,
                supplier_address=lot.supplier_address,
                amount_yuan=amount.yuan if amount and amount.kind == "amount" else None,
                amount_raw=amount.raw if amount else None,
                amount_kind="failed" if lot.failed else (amount.kind if amount else None),
                rate=amount.rate if amount else None,
            )
        )
    return NoticeRecord(
        notice_type=notice.notice_type,
        project_number=notice.project_number,
        project_name=notice.project_name,
        buyer=notice.buyer,
        agency=notice.agency,
        region=notice.region,
        announced_on=notice.announced_on,
        budget_yuan=notice.budget.yuan if notice.budget else None,
        total_award_yuan=notice.total_award.yuan if notice.total_award else None,
        lots=lots,
        details=notice.to_dict(),
    )


def read_notice(
    title: str | None, text: str, html: str | None, published_at: datetime | None
) -> NoticeRecord | None:
    """The notice a document is, or None when it is not a procurement notice."""
    notice = parse_notice(title or "", text, html, published_at)
    return notice_record(notice) if notice is not None else None
