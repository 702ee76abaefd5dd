"""The text of procurement notices, section by section, in the 2020 official format.

财办库〔2020〕50号 fixes the sections of each notice type: 招标/磋商公告 (一、项目基本情况 …
七、联系方式), 中标（成交）结果公告 (一、项目编号 … 九、联系方式), 更正公告 and 终止公告.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from replica.families import money, naming
from replica.families.markup import text
from replica.families.model import Item, Notice, Party

_TERMINATION_REASONS = (
    "因采购需求发生变化，经采购人研究决定终止本项目采购活动。",
    "因递交投标文件的供应商不足三家，本项目采购活动终止。",
    "因出现影响采购公正的违法、违规行为，本项目采购活动终止。",
)


def notice_body(
    rng: random.Random, notice: Notice, item: Item, published: datetime, consultation: bool
) -> str:
    """The HTML body of a notice of notice.notice_type."""
    return _BODIES[notice.notice_type](rng, notice, item, published, consultation)


def _p(line: str) -> str:
    return f"<p>{text(line)}</p>\n"


def _heading(line: str) -> str:
    return f"<p><strong>{text(line)}</strong></p>\n"


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    head = "".join(f"<th>{text(cell)}</th>" for cell in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{text(cell)}</td>" for cell in row) + "</tr>\n" for row in rows
    )
    return f'<table border="1" cellspacing="0" cellpadding="4">\n<tr>{head}</tr>\n{body}</table>\n'


def budget_text(amount: Decimal, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{money.wan(amount)}万元（人民币）"
    return f"{money.yuan(amount)}元"


def _contacts(number: str, heading: str, notice: Notice) -> str:
    def block(title: str, party: Party) -> str:
        return (
            _p(title)
            + _p(f"名 称：{party.name}")
            + _p(f"地 址：{party.address}")
            # Contact numbers are printed as the site has them.
            + _p(f"联系方式：{party.phone}")
        )

    return (
        _heading(f"{number}、{heading}")
        + block("1.采购人信息", notice.buyer)
        + block("2.采购代理机构信息", notice.agency)
        + _p("3.项目联系方式")
        + _p(f"项目联系人：{notice.contact}")
        + _p(f"电 话：{notice.agency.phone}")
    )


def _tender_body(
    rng: random.Random, notice: Notice, item: Item, published: datetime, consultation: bool
) -> str:
    assert notice.budget_yuan is not None
    document = "磋商文件" if consultation else "招标文件"
    response = "响应文件" if consultation else "投标文件"
    deadline = published.date() + timedelta(days=rng.randint(15, 25) if not consultation else 12)
    cap = notice.budget_yuan if rng.random() < 0.6 else None
    months = rng.choice((6, 12, 24, 36))
    return (
        _heading("项目概况")
        + _p(
            f"{notice.project_name}的潜在{'供应商' if consultation else '投标人'}应在"
            f"{notice.agency.name}获取{document}，并于{deadline:%Y年%m月%d日} 09点30分"
            f"（北京时间）前提交{response}。"
        )
        + _heading("一、项目基本情况")
        + _p(f"项目编号：{notice.project_number}")
        + _p(f"项目名称：{notice.project_name}")
        + _p(f"采购方式：{'竞争性磋商' if consultation else '公开招标'}")
        + _p(f"预算金额：{budget_text(notice.budget_yuan, rng)}")
        + _p(f"最高限价（如有）：{money.yuan(cap) + '元' if cap is not None else '无'}")
        + _p("采购需求：")
        + _table(
            ("包号", "标的名称", "数量", "预算金额（元）"),
            [("1", item.name, "1（项）", money.yuan(notice.budget_yuan))],
        )
        + _p(f"合同履行期限：合同签订之日起{months}个月。")
        + _p("本项目不接受联合体投标。")
        + _heading("二、申请人的资格要求：")
        + _p("1.满足《中华人民共和国政府采购法》第二十二条规定；")
        + _p("2.落实政府采购政策需满足的资格要求：本项目专门面向中小企业采购。")
        + _p("3.本项目的特定资格要求：无。")
        + _heading(f"三、获取{document}")
        + _p(
            f"时间：{published:%Y年%m月%d日}至{published.date() + timedelta(days=5):%Y年%m月%d日}，"
            "每天上午9:00至12:00，下午14:00至17:00（北京时间，法定节假日除外）"
        )
        + _p(f"地点：{notice.agency.address}")
        + _p("方式：网上获取")
        + _p("售价：￥0.0元（人民币）")
        + _heading(f"四、提交{response}截止时间、开标时间和地点")
        + _p(f"{deadline:%Y年%m月%d日} 09点30分（北京时间）")
        + _p(f"地点：{notice.agency.address}")
        + _heading("五、公告期限")
        + _p("自本公告发布之日起5个工作日。")
        + _heading("六、其他补充事宜")
        + _p("无")
        + _contacts("七", "对本次招标提出询问，请按以下方式联系。", notice)
    )


def _award_body(
    rng: random.Random, notice: Notice, item: Item, published: datetime, consultation: bool
) -> str:
    experts = "、".join(naming.person(rng)[0] + rng.choice("明华伟芳军静") for _ in range(4))
    fee = money.yuan(Decimal(rng.randint(50, 400) * 100))
    targets = [
        (lot.lot, item.name, lot.supplier, "1（项）" if item.kind != "货物" else "详见附件")
        for lot in notice.lots
    ]
    return (
        _heading(f"一、项目编号：{notice.project_number}")
        + _heading(f"二、项目名称：{notice.project_name}")
        + _heading("三、中标（成交）信息")
        + _table(
            ("包号", "供应商名称", "供应商地址", "中标（成交）金额"),
            [(lot.lot, lot.supplier, lot.address, lot.shown) for lot in notice.lots],
        )
        + _heading("四、主要标的信息")
        + _table(("包号", "名称", "供应商", "数量"), targets)
        + _heading("五、评审专家（单一来源采购人员）名单：")
        + _p(f"{experts}（采购人代表）")
        + _heading("六、代理服务收费标准及金额：")
        + _p(f"参照国家有关规定收取，收费金额：{fee}元。")
        + _heading("七、公告期限")
        + _p("自本公告发布之日起1个工作日。")
        + _heading("八、其它补充事宜")
        + _p(f"原公告日期：{notice.first_published:%Y年%m月%d日}")
        + _contacts("九", "凡对本次公告内容提出询问，请按以下方式联系。", notice)
    )


def _change_body(
    rng: random.Random, notice: Notice, item: Item, published: datetime, consultation: bool
) -> str:
    new_day = published.date() + timedelta(days=rng.randint(7, 15))
    return (
        _heading("一、项目基本情况")
        + _p(f"原公告的采购项目编号：{notice.project_number}")
        + _p(f"原公告的采购项目名称：{notice.project_name}")
        + _p(f"首次公告日期：{notice.first_published:%Y年%m月%d日}")
        + _heading("二、更正信息")
        + _p("更正事项：采购公告、采购文件")
        + _p(
            "更正内容：提交投标文件截止时间及开标时间变更为"
            f"{new_day:%Y年%m月%d日} 09点30分（北京时间），其余内容不变。"
        )
        + _p(f"更正日期：{published:%Y年%m月%d日}")
        + _heading("三、其他补充事宜")
        + _p("无")
        + _contacts("四", "凡对本次公告内容提出询问，请按以下方式联系。", notice)
    )


def _termination_body(
    rng: random.Random, notice: Notice, item: Item, published: datetime, consultation: bool
) -> str:
    return (
        _heading("一、项目基本情况")
        + _p(f"采购项目编号：{notice.project_number}")
        + _p(f"采购项目名称：{notice.project_name}")
        + _heading("二、项目终止的原因")
        + _p(rng.choice(_TERMINATION_REASONS))
        + _heading("三、其他补充事宜")
        + _p(f"原公告日期：{notice.first_published:%Y年%m月%d日}")
        + _contacts("四", "凡对本次公告内容提出询问，请按以下方式联系。", notice)
    )


_BODIES = {
    "tender": _tender_body,
    "award": _award_body,
    "change": _change_body,
    "termination": _termination_body,
}
