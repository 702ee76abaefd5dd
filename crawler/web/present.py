"""How values look on the dashboard: Beijing time, Chinese labels, amounts, keywords marked.

Stored times are naive UTC; people read Beijing time (UTC+8) and every page says so.
Publication dates are the day a page states, shown as the date alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from markupsafe import Markup, escape

from crawler.match.matcher import MARK_CLOSE, MARK_OPEN
from crawler.reports.bids import NOTICE_TYPES
from crawler.reports.charts import KIND_LABELS
from crawler.reports.export import Column
from spiders.provinces import by_code_unchecked
from storage.times import BEIJING, beijing_iso

STATUS_LABELS = {
    "pending": "待发送",
    "sending": "发送中",
    "delivered": "已送达",
    "failed": "失败（将重试）",
    "dead": "已放弃",
    "ok": "正常",
    "failing": "连续失败",
    "blocked": "被拦截",
    "empty": "无条目",
    "partial": "部分成功",
    "failed_run": "失败",
}
CONFIDENCE_LABELS = {"confirmed": "已证实", "older": "旧证据", "guess": "推测"}


def beijing(value: datetime | None) -> str:
    """A stored UTC time as Beijing time to the minute: ``2026-12-06 20:16``."""
    if value is None:
        return "—"
    return beijing_iso(value)[:16].replace("T", " ")


def beijing_now() -> datetime:
    return datetime.now(BEIJING)


def day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    return (value.date() if isinstance(value, datetime) else value).isoformat()


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind or "", kind or "—")


def notice_label(notice_type: str | None) -> str:
    return NOTICE_TYPES.get(notice_type or "", notice_type or "—")


def province_name(code: str | None) -> str:
    return by_code_unchecked(code).short_name if code else "—"


def status_label(status: str | None) -> str:
    return STATUS_LABELS.get(status or "", status or "—")


def yuan(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def mark(text: str | None, keywords: Iterable[str]) -> Markup:
    """``text`` escaped, with each keyword wrapped in ``<mark>`` (longest keywords first).

    A stored snippet already marks its keywords 【…】 (as the command line shows them): here
    the highlight replaces those brackets."""
    if not text:
        return Markup("")
    words = sorted({k for k in keywords if k}, key=len, reverse=True)
    if not words:
        return escape(text)
    alternatives = "|".join(re.escape(w) for w in words)
    text = re.sub(f"{MARK_OPEN}({alternatives}){MARK_CLOSE}", r"\1", text, flags=re.IGNORECASE)
    pattern = re.compile(alternatives, re.IGNORECASE)
    out, last = [], 0
    for found in pattern.finditer(text):
        out.append(escape(text[last : found.start()]))
        out.append(Markup("<mark>{}</mark>").format(found.group(0)))
        last = found.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


# Column headings of the 年度对照 and 中标 tables as the page shows them ({year}: the table's
# year, {before}: the compared year); downloads keep the command line's headings.
HEADINGS = {
    "code": "代码",
    "province": "省份",
    "documents": "{year} 年文件数",
    "mentioned": "{year} 年",
    "mentions": "{year} 年提及次数",
    "compare_mentioned": "{before} 年",
    "compare_mentions": "{before} 年提及次数",
    "change": "变化",
    "delta": "次数增减",
    "keywords": "关键词",
    "technologies": "并提技术",
    "scenarios": "应用场景",
    "date": "日期",
    "notice_type": "类型",
    "project": "项目",
    "buyer": "采购人",
    "agency": "代理机构",
    "lot": "标包",
    "supplier": "供应商",
    "amount_yuan": "成交金额（元）",
    "rate": "费率/下浮率",
    "budget_yuan": "预算（元）",
    "year": "年份",
    "notices": "公告",
    "awards": "中标/成交",
    "awarded_yuan": "成交金额合计（元）",
}
# The table's words for a province's state and change (crawler.reports.analyst_table).
CELL_LABELS = {
    "yes": "提及",
    "mentioned": "提及",
    "not mentioned": "未提及",
    "no document": "无文件",
    "newly mentioning": "新提及",
    "no longer mentioning": "不再提及",
    "still mentioning": "仍提及",
    "total": "合计",
}


def heading(column: Column, year: int | None = None, before: int | None = None) -> str:
    """A table column's heading in Chinese (its own heading when there is none)."""
    shown = HEADINGS.get(column.key)
    return shown.format(year=year, before=before) if shown else column.header


def cell_label(value: object) -> object:
    """A table's English state word (``not mentioned``, ``newly mentioning`` …) in Chinese."""
    return CELL_LABELS.get(value, value) if isinstance(value, str) else value


FILTERS = {
    "beijing": beijing,
    "day": day,
    "kind_label": kind_label,
    "notice_label": notice_label,
    "province_name": province_name,
    "status_label": status_label,
    "yuan": yuan,
    "mark": mark,
    "heading": heading,
    "cell_label": cell_label,
}
