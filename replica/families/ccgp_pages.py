"""中国政府采购网 article pages: metas, header, the 公告概要 table and the notice body.

Both the static channels and the full-text search link to these pages.
"""

from __future__ import annotations

from decimal import Decimal

from replica.families import money
from replica.families.markup import article_metas, gov_head, text
from replica.families.model import Doc, Notice

SITE_NAME = "中国政府采购网"
SITE_HOST = "www.ccgp.gov.cn"
SITE_CODE = "bm14000002"
# Notice type → the 地方公告 sub-channel the article lives in.
CHANNELS = {
    ("tender", False): ("gkzb", "公开招标公告"),
    ("tender", True): ("jzxcs", "竞争性磋商公告"),
    ("award", False): ("zbgg", "中标公告"),
    ("award", True): ("cjgg", "成交公告"),
    ("change", False): ("gzgg", "更正公告"),
    ("termination", False): ("zzgg", "终止公告"),
}


def channel_of(notice: Notice | None) -> tuple[str, str]:
    """(sub-channel directory, its name) for a notice."""
    if notice is None:
        return "qtgg", "其他公告"
    consultation = notice.label in ("竞争性磋商公告", "成交公告")
    return CHANNELS.get((notice.notice_type, consultation), CHANNELS[(notice.notice_type, False)])


def amount_wan(amount: Decimal) -> str:
    """`￥128.500000 万元（人民币）`, the summary table's spelling."""
    return f"￥{money.wan(amount)} 万元（人民币）"


def detail_page(doc: Doc, column_name: str) -> str:
    notice = doc.notice
    when = f"{doc.published:%Y年%m月%d日 %H:%M}"
    metas = article_metas(
        SITE_NAME, SITE_HOST, SITE_CODE, column_name, doc.title, doc.published, doc.publisher
    )
    summary = _summary(doc, notice, when) if notice is not None else ""
    return (
        gov_head(f"{doc.title}_{SITE_NAME}", metas)
        + '<div class="vF_deail_maincontent"><div class="vF_detail_main">\n'
        f'<div class="vF_detail_header"><h2 class="tc">{text(doc.title)}</h2>\n'
        f'<p class="tc"><span id="pubTime">{when}</span> 来源：'
        f'<span id="sourceName">{text(doc.publisher)}</span></p></div>\n'
        f"{summary}"
        '<div class="vF_detail_content_container"><div class="vF_detail_content">\n'
        f"{doc.body_html}</div></div>\n</div></div>\n</body></html>\n"
    )


def _summary(doc: Doc, notice: Notice, when: str) -> str:
    rows: list[tuple[str, str]] = [
        ("采购项目名称", notice.project_name),
        ("品目", notice.category),
        ("采购单位", notice.buyer.name),
        ("行政区域", notice.region or doc.region),
        ("公告时间", when),
    ]
    if notice.notice_type == "tender" and notice.budget_yuan is not None:
        rows.append(("预算金额", amount_wan(notice.budget_yuan)))
    elif notice.notice_type == "award":
        first = notice.first_published
        rows.append(("本项目招标公告日期", f"{first:%Y年%m月%d日}" if first else ""))
        rows.append(("中标日期", f"{doc.published:%Y年%m月%d日}"))
        total = notice.total_award_yuan
        rows.append(("总中标金额", amount_wan(total) if total is not None else "详见公告正文"))
    rows += [
        ("项目联系人", notice.contact),
        ("项目联系电话", notice.agency.phone),
        ("采购单位地址", notice.buyer.address),
        ("采购单位联系方式", notice.buyer.phone),
        ("代理机构名称", notice.agency.name),
        ("代理机构地址", notice.agency.address),
        ("代理机构联系方式", notice.agency.phone),
    ]
    body = "".join(
        f'<tr><td class="title">{label}</td><td>{text(value)}</td></tr>\n' for label, value in rows
    )
    return (
        '<div class="table"><table>\n<tr><td colspan="2"><b>公告概要：</b></td></tr>\n'
        f"{body}</table></div>\n"
    )
