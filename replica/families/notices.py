"""Procurement and trading notices in the official format (财办库〔2020〕50号).

Four kinds are generated: 招标/磋商 announcements (tender), 中标（成交）结果 (award), 更正
(change) and 终止 (termination). About one notice in four buys something blockchain based.
Award tables vary the way real ones do: several lots, amounts in 元 or 万元, in 大写, as a
下浮率 only, or 详见附件.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from replica.families import money, naming
from replica.families.model import Doc, Item, Lot, Notice, Party
from replica.families.naming import Region
from replica.families.notice_text import notice_body

FIRST_NOTICE_DAY = date(2023, 1, 1)
LAST_NOTICE_DAY = date(2025, 12, 31)
BLOCKCHAIN_SHARE = 4  # one notice in four is about blockchain
DEFAULT_MIX = (("tender", 45), ("award", 35), ("change", 12), ("termination", 8))
BLOCKCHAIN_ITEMS = (
    Item("区块链电子证照共享平台建设", "信息技术服务", "信息技术", "服务"),
    Item("基于区块链的农产品溯源系统采购", "信息系统集成实施服务", "数据科技", "服务"),
    Item("区块链政务数据共享交换平台建设", "信息技术服务", "网络科技", "服务"),
    Item("区块链存证平台运维服务", "运行维护服务", "信息技术", "服务"),
    Item("基于区块链技术的不动产登记信息共享平台采购", "软件开发服务", "软件", "服务"),
    Item("供应链金融区块链服务平台建设", "信息系统集成实施服务", "数据科技", "服务"),
    Item("区块链电子票据系统升级改造", "软件开发服务", "软件", "服务"),
    Item("“区块链+医保”结算平台建设", "信息技术服务", "智能科技", "服务"),
)
ORDINARY_ITEMS = (
    Item("办公设备采购", "台式计算机", "办公设备", "货物"),
    Item("物业管理服务", "物业管理服务", "物业服务", "服务"),
    Item("道路改造工程", "市政道路工程", "建设工程", "工程"),
    Item("校园安防监控系统采购", "安全技术防范设备", "智能科技", "货物"),
    Item("医疗设备采购", "医用设备", "医疗器械", "货物"),
    Item("食堂食材配送服务", "餐饮服务", "农产品配送", "服务"),
    Item("绿化养护服务", "园林绿化管理服务", "园林绿化", "服务"),
    Item("信息化运维服务", "运行维护服务", "信息技术", "服务"),
    Item("档案数字化加工服务", "数据处理服务", "数据科技", "服务"),
    Item("公务用车租赁服务", "车辆租赁服务", "汽车租赁", "服务"),
    Item("图书采购", "图书", "图书发行", "货物"),
    Item("办公楼维修改造工程", "装修工程", "建筑装饰工程", "工程"),
    # Traps: 链 words that are not 区块链.
    Item("农产品冷链物流监测平台建设", "信息系统集成实施服务", "物联网科技", "服务"),
    Item("重点产业链招商咨询服务", "其他服务", "企业管理咨询", "服务"),
)
_LOT_COUNTS = ((1, 70), (2, 20), (3, 10))
_AMOUNT_STYLES = (("yuan", 40), ("wan", 25), ("capital", 15), ("rate", 10), ("attachment", 10))


def notice_docs(
    rng: random.Random,
    region: Region,
    count: int,
    mix: tuple[tuple[str, int], ...] = DEFAULT_MIX,
    keyword: str = "",
) -> list[Doc]:
    """`count` notices in publication order.

    With a keyword every project name contains it (blockchain projects for 区块链), as the hits
    of a search for it would.
    """
    moments = sorted(_moment(rng) for _ in range(count))
    about_blockchain = set(rng.sample(range(count), count // BLOCKCHAIN_SHARE))
    types = [name for name, _ in mix]
    weights = [weight for _, weight in mix]
    docs = []
    for i, published in enumerate(moments):
        blockchain = i in about_blockchain or "区块链" in keyword
        notice_type = rng.choices(types, weights)[0]
        docs.append(_notice_doc(rng, region, published, i, notice_type, blockchain, keyword))
    return docs


def _notice_doc(
    rng: random.Random,
    region: Region,
    published: datetime,
    sequence: int,
    notice_type: str,
    blockchain: bool,
    keyword: str,
) -> Doc:
    local = naming.local_region(rng, region)
    item = rng.choice(BLOCKCHAIN_ITEMS if blockchain else ORDINARY_ITEMS)
    buyer_name = naming.department(rng, local)
    name = item.name if not keyword or keyword in item.name else keyword + item.name
    project_name = f"{buyer_name}{name}项目"
    consultation = rng.random() < 0.3  # 竞争性磋商 instead of 公开招标
    budget = Decimal(rng.randint(50, 5_000) * 1_000 * (3 if item.kind == "工程" else 1))
    notice = Notice(
        notice_type=notice_type,
        label=_label(notice_type, consultation),
        project_number=(
            f"ZC{local.province.code}-{published.year}-"
            f"{'C' if consultation else 'G'}{sequence * 7 + rng.randint(1, 6):04d}"
        ),
        project_name=project_name,
        buyer=naming.party(rng, local, buyer_name),
        agency=naming.party(rng, local, naming.agency_name(rng, local)),
        budget_yuan=budget if notice_type == "tender" else None,
        lots=_lots(rng, local, item, budget) if notice_type == "award" else (),
        category=item.category,
        region=local.full_name,
        contact=naming.person(rng),
        first_published=(published - timedelta(days=rng.randint(20, 45))).date(),
    )
    body = notice_body(rng, notice, item, published, consultation)
    return Doc(
        title=f"{project_name}{notice.label}",
        published=published,
        publisher=notice.buyer.name,
        body_html=body,
        notice=notice,
        region=local.full_name,
    )


def _label(notice_type: str, consultation: bool) -> str:
    if notice_type == "tender":
        return "竞争性磋商公告" if consultation else "公开招标公告"
    if notice_type == "award":
        return "成交公告" if consultation else "中标公告"
    return "更正公告" if notice_type == "change" else "终止公告"


def _lots(rng: random.Random, region: Region, item: Item, budget: Decimal) -> tuple[Lot, ...]:
    count = rng.choices([n for n, _ in _LOT_COUNTS], [w for _, w in _LOT_COUNTS])[0]
    style = rng.choices([s for s, _ in _AMOUNT_STYLES], [w for _, w in _AMOUNT_STYLES])[0]
    lots = []
    for number in range(1, count + 1):
        # Amounts are whole hundreds of yuan, so the 万元 spelling is exact.
        share = budget / count * Decimal(rng.randint(850, 990)) / 1000
        amount = Decimal(int(share / 100) * 100)
        rate = f"{rng.randint(5, 150) / 10:g}%"
        shown = {
            "yuan": f"{money.yuan(amount)}元",
            "wan": f"{money.wan(amount, 0)}万元",
            "capital": f"大写：{money.capital(amount)}（¥{money.grouped(amount)}）",
            "rate": f"下浮率：{rate}",
            "attachment": "详见附件",
        }[style]
        lots.append(
            Lot(
                lot=str(number),
                supplier=naming.company(rng, region, item.trade),
                address=naming.address(rng, region),
                amount_yuan=amount if style in ("yuan", "wan", "capital") else None,
                rate=rate if style == "rate" else None,
                shown=shown,
            )
        )
    return tuple(lots)


def _moment(rng: random.Random) -> datetime:
    span = (LAST_NOTICE_DAY - FIRST_NOTICE_DAY).days
    day = FIRST_NOTICE_DAY + timedelta(days=rng.randint(0, span))
    return datetime.combine(day, time(rng.randint(8, 18), rng.randrange(60), rng.randrange(60)))


def notice_from_dict(data: dict[str, object], published: datetime) -> Notice:
    """A Notice from the ground-truth shape a test passes to publish_to_source."""
    lots = tuple(
        Lot(
            lot=str(raw.get("lot", index + 1)),
            supplier=str(raw.get("supplier", "")),
            address="",
            amount_yuan=_maybe_decimal(raw.get("amount_yuan")),
            rate=None if raw.get("rate") is None else str(raw.get("rate")),
            shown="",
        )
        for index, raw in enumerate(_dicts(data.get("lots", [])))
    )
    notice_type = str(data.get("notice_type", "tender"))
    return Notice(
        notice_type=notice_type,
        label=_label(notice_type, False),
        project_number=str(data.get("project_number", "")),
        project_name=str(data.get("project_name", "")),
        buyer=Party(str(data.get("buyer", "")), "", ""),
        agency=Party(str(data.get("agency", "")), "", ""),
        budget_yuan=_maybe_decimal(data.get("budget_yuan")),
        lots=lots,
        first_published=published.date(),
    )


def _dicts(value: object) -> list[dict[str, object]]:
    if not isinstance(value, list):
        raise TypeError("notice lots must be a list of dicts")
    return [item for item in value if isinstance(item, dict)]


def _maybe_decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))
