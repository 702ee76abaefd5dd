"""``govwatch report bids``: procurement notices that mention a topic, and who won what.

One line per 标包 (lot) of a notice, so every supplier stands beside its own amount; a notice
without lots (a tender, a termination) is one line. ``amount`` is what was awarded; a tender's
lot amounts are budgets and stand under ``budget``. Amounts are exact ``Decimal`` yuan. Lots
awarded at a rate (下浮率, 折扣率) have no amount: the rate is shown and nothing is summed.

Totals per province and year (the notice's own date, else its page's) count notices, award
notices and the awarded yuan: the sum of an award's lot amounts, or its stated total when no lot
carries an amount. A 中标候选人公示 names candidates, not winners: it is listed, never summed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from crawler.reports.export import Column
from spiders.provinces import Province, by_code_unchecked
from storage.database import Database
from storage.queries import StoredNotice, notices_mentioning

NOTICE_TYPES = {
    "tender": "招标",
    "award": "中标/成交",
    "candidates": "候选人公示",
    "change": "更正",
    "termination": "终止",
    "intention": "采购意向",
}


@dataclass
class ProvinceTotal:
    """The notices of one province (or the national level) in one year."""

    province: Province
    year: int | None  # None: the notice and its page are both undated
    notices: int = 0
    awards: int = 0
    awarded_yuan: Decimal = Decimal("0")


@dataclass
class BidsReport:
    topic: str
    label: str
    since: date | None
    notices: list[StoredNotice]  # by province (GB/T 2260 order), year, then date
    totals: list[ProvinceTotal]  # the same order, national (000000) first
    year: int | None = None

    @property
    def awarded_yuan(self) -> Decimal:
        return sum((t.awarded_yuan for t in self.totals), Decimal("0"))


def _group(notice: StoredNotice) -> tuple[str, int]:
    day = notice.day
    return notice.province_code, day.year if day else 0


def build_bids_report(
    database: Database,
    *,
    topic: str,
    label: str,
    since: date | None = None,
    year: int | None = None,
    province_codes: list[str] | None = None,
) -> BidsReport:
    """The notices mentioning ``topic`` (of ``year``, of these provinces), with totals per
    province and year."""
    found = notices_mentioning(
        database, topic=topic, since=since, year=year, province_codes=province_codes
    )
    notices = sorted(found, key=lambda n: (*_group(n), n.day or date.min, n.document_id))
    totals: dict[tuple[str, int], ProvinceTotal] = {}
    for notice in notices:
        code, notice_year = _group(notice)
        total = totals.setdefault(
            (code, notice_year), ProvinceTotal(by_code_unchecked(code), notice_year or None)
        )
        total.notices += 1
        if notice.notice_type == "award":
            total.awards += 1
            total.awarded_yuan += notice.awarded_yuan or Decimal("0")
    return BidsReport(topic, label, since, notices, list(totals.values()), year)


LINE_COLUMNS = (
    Column("date", "date"),
    Column("province", "省份"),
    Column("notice_type", "type"),
    Column("project", "project"),
    Column("buyer", "buyer"),
    Column("agency", "agency"),
    Column("lot", "lot"),
    Column("supplier", "supplier"),
    Column("amount_yuan", "amount (yuan)", numeric=True),
    Column("rate", "rate"),
    Column("budget_yuan", "budget (yuan)", numeric=True),
    Column("url", "url"),
)
# CSV is for programs: codes and numbers beside the names people read.
CSV_COLUMNS = (
    *LINE_COLUMNS[:2],
    Column("province_code", "province_code"),
    *LINE_COLUMNS[2:4],
    Column("project_number", "project_number"),
    *LINE_COLUMNS[4:],
)
TOTAL_COLUMNS = (
    Column("province", "省份"),
    Column("year", "year"),
    Column("notices", "notices", numeric=True),
    Column("awards", "awards", numeric=True),
    Column("awarded_yuan", "awarded (yuan)", numeric=True),
)


def line_rows(report: BidsReport) -> list[dict[str, Any]]:
    """One row per lot (a notice without lots: one row), for tables and CSV."""
    rows = []
    for notice in report.notices:
        base = {
            "document_id": notice.document_id,
            "date": notice.day,
            "province_code": notice.province_code,
            "province": by_code_unchecked(notice.province_code).short_name,
            "notice_type": NOTICE_TYPES.get(notice.notice_type, notice.notice_type),
            "project": notice.project_name or notice.title,
            "project_number": notice.project_number,
            "buyer": notice.buyer,
            "agency": notice.agency,
            "budget_yuan": notice.budget_yuan,
            "url": notice.url,
        }
        if not notice.lots:
            rows.append({**base, "amount_yuan": notice.awarded_yuan})
        for lot in notice.lots:
            row = {
                **base,
                "lot": lot.lot,
                "supplier": lot.supplier,
                "amount_yuan": lot.amount_yuan,
                "rate": _rate(lot.rate, lot.amount_raw) if lot.amount_yuan is None else None,
            }
            if notice.notice_type != "award":
                # A tender's lot amount is what the buyer means to spend, not what anyone won.
                row.update(amount_yuan=None, budget_yuan=lot.amount_yuan or notice.budget_yuan)
            rows.append(row)
    return rows


def _rate(rate: Decimal | None, raw: str | None) -> str | None:
    if rate is None:
        return raw
    return f"{rate.normalize()} ({raw})" if raw else str(rate.normalize())


def total_rows(report: BidsReport) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {
            "province_code": t.province.code,
            "province": t.province.short_name,
            "year": t.year,
            "notices": t.notices,
            "awards": t.awards,
            "awarded_yuan": t.awarded_yuan,
        }
        for t in report.totals
    ]
    rows.append(
        {
            "province_code": "total",
            "province": "total",
            "year": report.year,
            "notices": sum(t.notices for t in report.totals),
            "awards": sum(t.awards for t in report.totals),
            "awarded_yuan": report.awarded_yuan,
        }
    )
    return rows


def bids_to_dict(report: BidsReport) -> dict[str, Any]:
    """The report as plain data: notices with their lots, and the totals per province."""
    return {
        "topic": report.topic,
        "label": report.label,
        "since": report.since,
        "year": report.year,
        "notices": [
            {
                "date": n.day,
                "province_code": n.province_code,
                "province": by_code_unchecked(n.province_code).short_name,
                "notice_type": n.notice_type,
                "project_number": n.project_number,
                "project": n.project_name or n.title,
                "buyer": n.buyer,
                "agency": n.agency,
                "region": n.region,
                "budget_yuan": n.budget_yuan,
                "awarded_yuan": n.awarded_yuan,
                "url": n.url,
                "lots": [
                    {
                        "lot": lot.lot,
                        "lot_name": lot.lot_name,
                        "supplier": lot.supplier,
                        "amount_yuan": lot.amount_yuan,
                        "amount_raw": lot.amount_raw,
                        "amount_kind": lot.amount_kind,
                        "rate": lot.rate,
                    }
                    for lot in n.lots
                ],
            }
            for n in report.notices
        ],
        "totals": total_rows(report),
    }
