"""Structured fields of procurement notices: crawler.procurement.notice.

The notices below follow the formats of 财办库〔2020〕50号; names, numbers and figures are
invented.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest

from crawler.procurement.notice import Lot, Notice, notice_type_of, parse_notice, party_name


def parse(text: str, published_at: datetime | None = None) -> Notice:
    """Parse a notice whose first line is its title; it must be read as a notice."""
    notice = parse_notice(text.splitlines()[0], text, published_at=published_at)
    assert notice is not None
    return notice


# --- the notices -------------------------------------------------------------------------------

TENDER = """某某市政务区块链服务平台建设项目公开招标公告
项目概况
某某市政务区块链服务平台建设项目的潜在投标人应在某某市公共资源交易网获取招标文件，并于2024年06月03日09点30分（北京时间）前递交投标文件。
一、项目基本情况
项目编号：SZCG-2024-0158
项目名称：某某市政务区块链服务平台建设项目
预算金额：3,500,000.00元
最高限价（如有）：3,480,000.00元
采购需求：
包1：区块链基础服务平台，预算金额：2,000,000.00元，最高限价：1,990,000.00元
包2：电子证照上链存证系统，预算金额：1,500,000.00元，最高限价：1,490,000.00元
合同履行期限：合同签订之日起180日
本项目（否）接受联合体投标。
二、申请人的资格要求：
1.满足《中华人民共和国政府采购法》第二十二条规定；
2.落实政府采购政策需满足的资格要求：无
三、获取招标文件
时间：2024年05月13日至2024年05月20日，每天上午9:00至12:00，下午14:00至17:00（北京时间，法定节假日除外）
地点：某某市公共资源交易网
方式：网上下载
售价：0元
四、提交投标文件截止时间、开标时间和地点
2024年06月03日09点30分（北京时间）
地点：某某市公共资源交易中心第三开标室
五、公告期限
自本公告发布之日起5个工作日。
六、其他补充事宜
无
七、对本次招标提出询问，请按以下方式联系。
1.采购人信息
名　　称：某某市大数据发展管理局
地　　址：某某市高新区政务大道88号
联系方式：0571-88886666
2.采购代理机构信息
名　　称：某某联合招标咨询有限公司
地　　址：某某市西湖区文三路100号
联系方式：0571-87776655
3.项目联系方式
项目联系人：王工
电　　话：0571-87776655
"""

TENDER_IN_WAN_YUAN = """某某区区块链产业园公共服务平台竞争性磋商公告
一、项目基本情况
项目编号：ＬＱ－ＣＳ－２０２４－００６
项目名称：某某区区块链产业园公共服务平台（二期）
预算金额（万元）：１２８．５
最高限价（如有）：无
采购需求：建设区块链产业园公共服务平台一套，详见磋商文件。
合同履行期限：一年
本项目（否）接受联合体投标。
七、对本次招标提出询问，请按以下方式联系。
1．采购人信息
名　　称：某某区工业和信息化局
地　　址：某某区创业路１８号
联系方式：０２１－６６６６７７７７
2．采购代理机构信息
名　　称：某某建设咨询有限公司
联 系 人：陈工
电　　话：０２１－５５５５４４４４
"""

TENDER_LOT_TABLE = """某某市区块链公共服务平台询价公告
一、项目基本情况
项目编号：XJ-2024-31
项目名称：某某市区块链公共服务平台
预算金额：２８０万元
采购需求：
包号\t包名称\t数量\t预算金额（万元）\t最高限价（万元）
1\t区块链节点服务器\t10台\t180\t178
2\t密码服务设备\t2套\t100\t99
合同履行期限：90日
"""

TENDER_LOT_PARAGRAPHS = """某某省数字人民币区块链试点项目竞争性谈判公告
一、项目基本情况
项目编号：DY-2024-2
项目名称：某某省数字人民币区块链试点项目
采购需求：
第一包
标的名称：试点应用软件
预算金额：300万元
第二包（运营服务）
预算金额：200万元
合同履行期限：一年
"""

ENGINEERING_TENDER = """某某新区智慧城市区块链底座工程招标公告
1．招标条件
招 标 人：某某新区管理委员会　地址：某某新区金融大道9号　联系人：孙工　电话：010-60001111
招标代理机构：某某工程咨询有限公司
地　　址：某某市朝阳区建国路88号
联 系 人：钱工
电　　话：010-60002222
招标编号：XQ-ZB-2024-12
项目名称：某某新区智慧城市区块链底座工程
招标控制价：1,250万元
"""

AWARD_SINGLE = """某某县区块链存证平台采购项目中标公告
一、项目编号：XY-2024-033
二、项目名称：某某县区块链存证平台采购项目
三、中标（成交）信息
供应商名称：南京链证科技有限公司
供应商地址：南京市建邺区江东中路100号
中标（成交）金额：1,280,000.00元
四、主要标的信息
货物类
名称：区块链存证一体机　品牌（如有）：链证　规格型号：LZ-2000　数量：1套　单价：1,280,000.00元
五、评审专家（单一来源采购人员）名单：
张某某、李某某、王某某
六、代理服务收费标准及金额：
参照计价格〔2002〕1980号文件收取，金额：1.8万元
七、公告期限
自本公告发布之日起1个工作日。
九、凡对本次公告内容提出询问，请按以下方式联系。
1.采购人信息
名　　称：某某县司法局
地　　址：某某县城关镇府前路2号
联系方式：张女士　0551-6666888
2.采购代理机构信息
名　　称：某某项目管理有限公司
地　　址：某某市蜀山区长江西路9号
联系方式：0551-6555777
2024年5月20日
"""

AWARD_THREE_LOTS_TABLE = """某某省区块链电子证照系统采购项目中标（成交）结果公告
一、项目编号：ZJCG-2024-0211
二、项目名称：某某省区块链电子证照系统采购项目
三、中标（成交）信息
序号\t包号\t供应商名称\t供应商地址\t中标（成交）金额（元）
1\t1\t北京链谷科技有限公司\t北京市海淀区中关村大街1号\t1,280,000.00
2\t2\t杭州数链信息技术有限公司\t杭州市滨江区江南大道3588号\t960,500.00
3\t3\t废标（有效供应商不足三家）\t/\t/
四、主要标的信息
序号\t包号\t名称\t品牌\t规格型号\t数量\t单价
1\t1\t区块链一体机\t链谷\tLG-100\t2台\t300,000.00元
五、评审专家（单一来源采购人员）名单：
张某某、李某某、王某某
六、代理服务收费标准及金额：
参照计价格〔2002〕1980号文件收取，合计：2.1万元
七、公告期限
自本公告发布之日起1个工作日。
八、其他补充事宜
无
九、凡对本次公告内容提出询问，请按以下方式联系。
1.采购人信息 名 称：某某省数据局 地 址：某某市滨江区创新路1号 联系方式：0571-81234567
2.采购代理机构信息 名 称：某某招标有限公司 地 址：某某市上城区解放路9号 联系方式：0571-87654321
3.项目联系方式 项目联系人：赵工 电 话：0571-87654321
"""

AWARD_LOT_PARAGRAPHS = """某某区政务数据共享平台项目（二次）成交结果公告
一、项目编号：HDQ-CS-2024-017
二、项目名称：某某区政务数据共享平台项目（二次）
三、中标（成交）信息
包1：区块链数据共享节点
供应商名称：深圳前海链融科技有限公司
供应商地址：深圳市南山区粤海街道科技南路18号
成交金额：人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分（¥1,234,567.89）
包2：数据安全审计系统
供应商名称：某某信安技术股份有限公司
供应商地址：某某市高新区软件园B座
成交金额：下浮率：5%
第三包：运维服务
成交供应商：某某云服务有限公司；供应商地址：某某市经开区云谷路7号；成交金额：详见附件
四、主要标的信息
服务类：名称：区块链节点运维 服务范围：全区 服务要求：7×24小时 服务时间：一年 服务标准：合格
九、凡对本次公告内容提出询问，请按以下方式联系。
1.采购人信息
名 称：某某区政务服务数据管理局
地 址：某某区人民路1号
联系方式：020-12345678
"""

AWARD_CAPITALS = """某某市公积金区块链核验系统采购项目成交公告
一、项目编号：GJJ-2024-07
二、项目名称：某某市公积金区块链核验系统采购项目
三、中标（成交）信息
供应商名称：某某链安科技有限公司
供应商地址：某某市软件大道1号
中标（成交）金额：大写：贰佰零伍万叁仟元整（小写：￥2,053,000.00）
"""

AWARD_RATE = """某某市政府采购代理机构服务项目中标结果公告
一、项目编号：DL-2024-003
二、项目名称：某某市区块链平台运维服务项目
三、中标（成交）信息
供应商名称：某某链服科技有限公司
供应商地址：某某市东湖路6号
中标（成交）金额：下浮率：8%
"""

AWARD_IN_ATTACHMENT = """某某市区块链安全监测项目中标结果公告
一、项目编号：AQ-2024-15
二、项目名称：某某市区块链安全监测项目
三、中标（成交）信息
供应商名称：某某安链信息技术有限公司
供应商地址：某某市科学城路2号
中标（成交）金额：详见附件
"""

AWARD_HTML = """<div class="content">
<p>一、项目编号：GZCG-2024-088</p>
<p>二、项目名称：某某省区块链+政务服务平台二期</p>
<p>三、中标（成交）信息</p>
<table border="1">
<tr><td colspan="5">单位：万元</td></tr>
<tr><th>序号</th><th>包号</th><th>供应商名称</th><th>供应商地址</th><th>中标（成交）金额</th></tr>
<tr><td>1</td><td>包1</td><td>贵阳链创科技有限公司</td><td>贵阳市观山湖区长岭北路8号</td><td>256.8</td></tr>
<tr><td>2</td><td>包2</td><td>某某数智科技有限公司</td><td>贵阳市 南明区 花果园 A座</td><td>98.65</td></tr>
<tr><td>3</td><td>包3</td><td colspan="3">流标</td></tr>
</table>
<p>九、凡对本次公告内容提出询问，请按以下方式联系。</p>
<p>1.采购人信息</p><p>名　　称：某某省大数据发展管理局</p>
</div>"""

AWARD_SPACE_TABLE = """某某市医保区块链结算系统项目中标结果公告
一、项目编号：YB-2024-101
二、项目名称：某某市医保区块链结算系统项目
三、中标信息
序号 包号 中标供应商 中标供应商地址 中标金额（万元）
1 1 上海链医科技有限公司 上海市徐汇区漕河泾开发区 3号楼 156.2
2 2 某某软件股份有限公司 某某市天府大道中段666号 88
"""

CHANGE = """某某市政务区块链服务平台建设项目更正公告
一、项目基本情况
原公告的采购项目编号：SZCG-2024-0158
原公告的采购项目名称：某某市政务区块链服务平台建设项目
首次公告日期：2024年05月13日
二、更正信息
更正事项：采购文件
更正内容：投标截止时间及开标时间由2024年06月03日09:30变更为2024年06月10日09:30。
更正日期：2024年05月27日
三、其他补充事宜
无
四、凡对本次公告内容提出询问，请按以下方式联系。
1.采购人信息
名 称：某某市大数据发展管理局
地 址：某某市高新区政务大道88号
联系方式：0571-88886666
"""

TERMINATION = """某某市不动产登记区块链应用项目终止公告
一、项目基本情况
采购项目编号：BDC-2024-009
采购项目名称：某某市不动产登记区块链应用项目
二、项目终止的原因
因采购需求发生重大变化，经采购人研究决定，终止本项目采购活动。
三、其他补充事宜
无
四、凡对本次公告内容提出询问，请按以下方式联系。
1.采购人信息
名 称：某某市自然资源和规划局
地 址：某某市和平路5号
联系方式：0311-7654321
"""

CCGP_SUMMARY_HTML = """<html><body><div class="vF_detail_content_container">
<div class="table"><table width="600" border="0">
<tr><td class="title" colspan="4">公告概要：</td></tr>
<tr><td class="title">采购项目名称</td><td colspan="3">某某大学区块链实验教学平台采购项目</td></tr>
<tr><td class="title">品目</td><td colspan="3"><p>货物/通用设备/计算机设备</p></td></tr>
<tr><td class="title">采购单位</td><td colspan="3">某某大学</td></tr>
<tr><td class="title">行政区域</td><td>武汉市</td><td class="title">公告时间</td><td>2024年04月18日  17:05</td></tr>
<tr><td class="title">获取招标文件时间</td><td colspan="3">2024年04月19日至2024年04月26日每日上午:9:00 至 12:00  下午:14:00 至 17:00（北京时间，法定节假日除外）</td></tr>
<tr><td class="title">招标文件售价</td><td colspan="3">￥0</td></tr>
<tr><td class="title">开标时间</td><td colspan="3">2024年05月10日 09:30</td></tr>
<tr><td class="title">开标地点</td><td colspan="3">某某市公共资源交易中心</td></tr>
<tr><td class="title">预算金额</td><td colspan="3">￥128.000000 万元（人民币）</td></tr>
<tr><td class="title" colspan="4">联系人及联系方式：</td></tr>
<tr><td class="title">项目联系人</td><td colspan="3">刘工</td></tr>
<tr><td class="title">项目联系电话</td><td colspan="3">027-88001122</td></tr>
<tr><td class="title">采购单位</td><td colspan="3">某某大学</td></tr>
<tr><td class="title">采购单位地址</td><td colspan="3">武汉市洪山区珞喻路1号</td></tr>
<tr><td class="title">采购单位联系方式</td><td colspan="3">027-88009900</td></tr>
<tr><td class="title">代理机构名称</td><td colspan="3">湖北某某项目管理有限公司</td></tr>
<tr><td class="title">代理机构地址</td><td colspan="3">武汉市武昌区中北路10号</td></tr>
<tr><td class="title">代理机构联系方式</td><td colspan="3">刘工 027-88001122</td></tr>
</table></div>
<div class="vF_detail_content"><p>一、项目基本情况</p><p>项目编号：HBZC-2024-0412</p>
<p>项目名称：某某大学区块链实验教学平台采购项目</p></div>
</div></body></html>"""

POLICY = """关于加快推进区块链技术和产业创新发展的实施意见
各区人民政府，市政府各部门：
为贯彻落实国家区块链创新应用试点工作部署，加快推进我市区块链技术和产业创新发展，现提出如下意见。
一、总体要求
以区块链技术在政务服务、供应链金融等领域的应用为重点，强化政府采购支持创新产品。
二、重点任务
（一）支持采购人采购区块链创新产品。
某某市人民政府
2024年3月1日
"""


# --- what is a notice ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("某某项目中标（成交）结果公告", "award"),
        ("某某项目竞争性磋商成交公告", "award"),
        ("某某项目中标候选人公示", "candidates"),
        ("某某工程评标结果公示", "candidates"),
        ("某某项目拟中标公示", "candidates"),
        ("某某项目中标结果公示", "award"),
        ("某某项目公开招标公告", "tender"),
        ("某某项目竞争性磋商公告", "tender"),
        ("某某项目竞争性谈判公告", "tender"),
        ("某某项目询价公告", "tender"),
        ("某某项目比选公告", "tender"),
        ("某某项目单一来源采购公示", "tender"),
        ("某某项目更正公告", "change"),
        ("某某项目中标结果更正公告", "change"),
        ("某某项目招标文件澄清公告", "change"),
        ("某某项目终止公告", "termination"),
        ("某某项目废标公告", "termination"),
        ("某某项目流标公告", "termination"),
        ("某某局2024年6月政府采购意向", "intention"),
        ("某某项目中标公告（第二次）", "award"),
    ],
)
def test_title_names_the_notice_type(title: str, kind: str) -> None:
    assert notice_type_of(title) == kind


def test_policy_document_is_not_a_procurement_notice() -> None:
    assert parse_notice(POLICY.splitlines()[0], POLICY) is None


def test_policy_document_about_notice_formats_is_not_a_notice() -> None:
    title = "关于印发《政府采购公告和公示信息格式规范（2020年版）》的通知"
    text = title + "\n附件：公开招标公告\n一、项目基本情况\n项目编号：\n项目名称：\n预算金额：\n"
    assert parse_notice(title, text) is None


def test_name_change_announcement_unrelated_to_procurement_is_not_a_notice() -> None:
    text = "某某市档案馆名称变更公告\n经市编办批准，某某市档案馆更名为某某市档案和地方志馆。"
    assert parse_notice(text.splitlines()[0], text) is None


def test_untitled_text_with_procurement_labels_is_an_other_notice() -> None:
    notice = parse_notice("", "项目编号：A-2024-1\n预算金额：100万元\n采购人：某某局")
    assert notice is not None
    assert notice.notice_type == "other"
    assert notice.project_number == "A-2024-1"
    assert notice.buyer == "某某局"


def test_type_is_read_from_the_body_when_the_title_is_missing() -> None:
    notice = parse_notice("", TERMINATION)
    assert notice is not None
    assert notice.notice_type == "termination"


# --- tender notices -----------------------------------------------------------------------------


def test_tender_notice_reads_project_budget_and_max_price() -> None:
    notice = parse(TENDER)
    assert notice.notice_type == "tender"
    assert notice.project_number == "SZCG-2024-0158"
    assert notice.project_name == "某某市政务区块链服务平台建设项目"
    assert notice.budget is not None and notice.budget.yuan == Decimal("3500000.00")
    assert notice.max_price is not None and notice.max_price.yuan == Decimal("3480000.00")
    assert notice.total_award is None


def test_tender_notice_lists_the_lots_of_its_requirements_with_their_budgets() -> None:
    lots = parse(TENDER).lots
    assert [(lot.lot, lot.lot_name) for lot in lots] == [
        ("包1", "区块链基础服务平台"),
        ("包2", "电子证照上链存证系统"),
    ]
    assert [lot.amount.yuan for lot in lots if lot.amount] == [
        Decimal("2000000.00"),
        Decimal("1500000.00"),
    ]
    assert all(lot.supplier is None for lot in lots)


def test_tender_contact_block_gives_buyer_and_agency_not_the_project_contact() -> None:
    notice = parse(TENDER)
    assert notice.buyer == "某某市大数据发展管理局"
    assert notice.buyer_address == "某某市高新区政务大道88号"
    assert notice.buyer_contact == "0571-88886666"
    assert notice.agency == "某某联合招标咨询有限公司"
    assert notice.agency_contact == "0571-87776655"


def test_tender_budget_in_wan_yuan_from_the_label_with_full_width_digits() -> None:
    notice = parse(TENDER_IN_WAN_YUAN)
    assert notice.budget is not None
    assert notice.budget.yuan == Decimal("1285000.00")
    assert notice.budget.raw == "１２８．５"


def test_max_price_written_as_none_is_absent() -> None:
    assert parse(TENDER_IN_WAN_YUAN).max_price is None


def test_full_width_punctuation_and_spaced_labels_are_read() -> None:
    notice = parse(TENDER_IN_WAN_YUAN)
    assert notice.project_number == "LQ-CS-2024-006"
    assert notice.project_name == "某某区区块链产业园公共服务平台（二期）"
    assert notice.buyer == "某某区工业和信息化局"
    assert notice.buyer_address == "某某区创业路１８号"
    assert notice.buyer_contact == "021-66667777"
    assert notice.agency == "某某建设咨询有限公司"
    assert notice.agency_contact == "陈工 021-55554444"


def test_tender_without_marked_lots_has_no_lots() -> None:
    assert parse(TENDER_IN_WAN_YUAN).lots == []


def test_tender_lots_from_a_requirements_table_in_wan_yuan() -> None:
    notice = parse(TENDER_LOT_TABLE)
    assert notice.budget is not None and notice.budget.yuan == Decimal("2800000.00")
    assert [(lot.lot, lot.lot_name) for lot in notice.lots] == [
        ("1", "区块链节点服务器"),
        ("2", "密码服务设备"),
    ]
    assert [lot.amount.yuan for lot in notice.lots if lot.amount] == [
        Decimal("1800000.00"),
        Decimal("1000000.00"),
    ]


def test_tender_lots_as_paragraphs_with_chinese_lot_numbers() -> None:
    lots = parse(TENDER_LOT_PARAGRAPHS).lots
    assert [(lot.lot, lot.lot_name) for lot in lots] == [
        ("第一包", "试点应用软件"),
        ("第二包", "运营服务"),
    ]
    assert [lot.amount.yuan for lot in lots if lot.amount] == [
        Decimal("3000000.00"),
        Decimal("2000000.00"),
    ]


def test_lot_budgets_are_not_taken_for_the_project_budget() -> None:
    assert parse(TENDER_LOT_PARAGRAPHS).budget is None


def test_engineering_tender_with_buyer_fields_on_one_line_and_spaced_labels() -> None:
    notice = parse(ENGINEERING_TENDER)
    assert notice.notice_type == "tender"
    assert notice.buyer == "某某新区管理委员会"
    assert notice.buyer_address == "某某新区金融大道9号"
    assert notice.buyer_contact == "孙工 010-60001111"
    assert notice.agency == "某某工程咨询有限公司"
    assert notice.agency_contact == "钱工 010-60002222"
    assert notice.project_number == "XQ-ZB-2024-12"
    assert notice.max_price is not None and notice.max_price.yuan == Decimal("12500000.00")


# --- award notices ------------------------------------------------------------------------------


def test_single_lot_award_gives_one_lot_without_a_lot_number() -> None:
    notice = parse(AWARD_SINGLE)
    assert notice.notice_type == "award"
    assert len(notice.lots) == 1
    lot = notice.lots[0]
    assert lot.lot == ""
    assert lot.supplier == "南京链证科技有限公司"
    assert lot.supplier_address == "南京市建邺区江东中路100号"
    assert lot.amount is not None and lot.amount.yuan == Decimal("1280000.00")
    assert not lot.failed


def test_single_lot_award_total_is_its_amount() -> None:
    notice = parse(AWARD_SINGLE)
    assert notice.total_award is not None
    assert notice.total_award.yuan == Decimal("1280000.00")


def test_award_main_items_expert_and_fee_sections_are_not_lots_or_amounts() -> None:
    notice = parse(AWARD_SINGLE)
    assert len(notice.lots) == 1
    assert notice.budget is None
    assert notice.lots[0].lot_name is None


def test_award_reads_numbered_headings_contacts_and_signature_date() -> None:
    notice = parse(AWARD_SINGLE)
    assert notice.project_number == "XY-2024-033"
    assert notice.project_name == "某某县区块链存证平台采购项目"
    assert notice.buyer == "某某县司法局"
    assert notice.buyer_contact == "张女士 0551-6666888"
    assert notice.agency == "某某项目管理有限公司"
    assert notice.agency_contact == "0551-6555777"
    assert notice.announced_on == date(2024, 5, 20)


def test_award_notice_with_three_lots_gives_one_record_per_lot() -> None:
    lots = parse(AWARD_THREE_LOTS_TABLE).lots
    assert [lot.lot for lot in lots] == ["1", "2", "3"]
    assert [lot.supplier for lot in lots] == [
        "北京链谷科技有限公司",
        "杭州数链信息技术有限公司",
        None,
    ]
    assert lots[0].supplier_address == "北京市海淀区中关村大街1号"
    assert lots[0].amount is not None and lots[0].amount.yuan == Decimal("1280000.00")
    assert lots[1].amount is not None and lots[1].amount.yuan == Decimal("960500.00")


def test_failed_lot_in_an_award_table_has_no_supplier_and_no_amount() -> None:
    failed = parse(AWARD_THREE_LOTS_TABLE).lots[2]
    assert failed == Lot(lot="3", failed=True)


def test_award_total_of_several_lots_is_their_sum_noted_as_such() -> None:
    total = parse(AWARD_THREE_LOTS_TABLE).total_award
    assert total is not None
    assert total.yuan == Decimal("2240500.00")
    assert total.note == "sum of 2 lots"


def test_award_contact_block_written_on_one_line_per_party() -> None:
    notice = parse(AWARD_THREE_LOTS_TABLE)
    assert notice.buyer == "某某省数据局"
    assert notice.buyer_address == "某某市滨江区创新路1号"
    assert notice.buyer_contact == "0571-81234567"
    assert notice.agency == "某某招标有限公司"
    assert notice.agency_contact == "0571-87654321"


def test_award_table_from_html_with_unit_caption_and_merged_failed_row() -> None:
    notice = parse_notice("某某省区块链+政务服务平台二期中标公告", "", AWARD_HTML)
    assert notice is not None
    assert notice.project_number == "GZCG-2024-088"
    assert notice.buyer == "某某省大数据发展管理局"
    assert [(lot.lot, lot.supplier) for lot in notice.lots] == [
        ("包1", "贵阳链创科技有限公司"),
        ("包2", "某某数智科技有限公司"),
        ("包3", None),
    ]
    assert notice.lots[0].amount is not None
    assert notice.lots[0].amount.yuan == Decimal("2568000.00")
    assert notice.lots[1].supplier_address == "贵阳市 南明区 花果园 A座"
    assert notice.lots[2].failed and notice.lots[2].amount is None


def test_html_lot_table_is_preferred_to_the_text_rendering_of_it() -> None:
    text = "三、中标（成交）信息\n序号 包号 供应商名称 供应商地址 中标（成交）金额\n1 包1 贵阳链创科技有限公司"
    notice = parse_notice("某某项目中标公告", text, AWARD_HTML)
    assert notice is not None
    assert len(notice.lots) == 3


def test_award_table_with_space_separated_cells_and_an_address_with_spaces() -> None:
    lots = parse(AWARD_SPACE_TABLE).lots
    assert [(lot.lot, lot.supplier) for lot in lots] == [
        ("1", "上海链医科技有限公司"),
        ("2", "某某软件股份有限公司"),
    ]
    assert lots[0].supplier_address == "上海市徐汇区漕河泾开发区 3号楼"
    assert [lot.amount.yuan for lot in lots if lot.amount] == [
        Decimal("1562000.00"),
        Decimal("880000.00"),
    ]


def test_multi_lot_award_as_paragraphs_gives_one_record_per_lot() -> None:
    lots = parse(AWARD_LOT_PARAGRAPHS).lots
    assert [(lot.lot, lot.lot_name) for lot in lots] == [
        ("包1", "区块链数据共享节点"),
        ("包2", "数据安全审计系统"),
        ("第三包", "运维服务"),
    ]
    assert [lot.supplier for lot in lots] == [
        "深圳前海链融科技有限公司",
        "某某信安技术股份有限公司",
        "某某云服务有限公司",
    ]
    assert lots[2].supplier_address == "某某市经开区云谷路7号"


def test_award_paragraph_with_capital_amount_and_its_figure() -> None:
    amount = parse(AWARD_LOT_PARAGRAPHS).lots[0].amount
    assert amount is not None
    assert amount.yuan == Decimal("1234567.89")
    assert amount.raw == "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分（¥1,234,567.89）"


def test_award_lot_with_a_discount_rate_keeps_it_as_a_rate() -> None:
    amount = parse(AWARD_LOT_PARAGRAPHS).lots[1].amount
    assert amount is not None
    assert amount.kind == "rate"
    assert amount.rate == Decimal("0.05")


def test_award_lot_amount_in_attachment_is_unknown() -> None:
    amount = parse(AWARD_LOT_PARAGRAPHS).lots[2].amount
    assert amount is not None
    assert (amount.kind, amount.raw) == ("unknown", "详见附件")


def test_award_with_rate_or_unknown_lots_has_no_computed_total() -> None:
    assert parse(AWARD_LOT_PARAGRAPHS).total_award is None


def test_award_with_capital_amount_reads_it_in_yuan() -> None:
    lot = parse(AWARD_CAPITALS).lots[0]
    assert lot.supplier == "某某链安科技有限公司"
    assert lot.amount is not None
    assert lot.amount.yuan == Decimal("2053000.00")
    assert lot.amount.note is None


def test_award_with_a_discount_rate_instead_of_an_amount() -> None:
    notice = parse(AWARD_RATE)
    lot = notice.lots[0]
    assert lot.amount is not None
    assert (lot.amount.kind, lot.amount.rate, lot.amount.yuan) == ("rate", Decimal("0.08"), None)
    assert notice.total_award is None


def test_award_amount_given_in_an_attachment_is_unknown_with_raw_kept() -> None:
    lot = parse(AWARD_IN_ATTACHMENT).lots[0]
    assert lot.supplier == "某某安链信息技术有限公司"
    assert lot.amount is not None
    assert lot.amount.kind == "unknown"
    assert lot.amount.raw == "详见附件"


def test_address_alone_is_not_taken_for_a_supplier() -> None:
    text = "某某项目中标结果公告\n三、中标（成交）信息\n地址：某某市某某区某某路1号\n中标（成交）金额：详见附件"
    lot = parse(text).lots[0]
    assert lot.supplier is None
    assert lot.supplier_address == "某某市某某区某某路1号"


def test_several_lots_on_one_line_are_separate_lots() -> None:
    text = (
        "某某项目成交结果公告\n三、中标（成交）信息\n"
        "包1：成交供应商：北京链谷科技有限公司，成交金额：96万元；包2：成交供应商：某某数据有限公司，成交金额：45万元"
    )
    lots = parse(text).lots
    assert [(lot.lot, lot.supplier) for lot in lots] == [
        ("包1", "北京链谷科技有限公司"),
        ("包2", "某某数据有限公司"),
    ]
    assert [lot.amount.yuan for lot in lots if lot.amount] == [
        Decimal("960000.00"),
        Decimal("450000.00"),
    ]


def test_lot_marker_followed_by_winner_and_amount_without_labels() -> None:
    text = (
        "某某项目中标公告\n三、中标信息\n标段一 北京链谷科技有限公司 1,280,000.00元\n标段二：废标"
    )
    lots = parse(text).lots
    assert lots[0] == Lot(lot="标段一", supplier="北京链谷科技有限公司", amount=lots[0].amount)
    assert lots[0].amount is not None and lots[0].amount.yuan == Decimal("1280000.00")
    assert lots[1] == Lot(lot="标段二", failed=True)


def test_project_number_on_the_line_after_its_heading() -> None:
    text = "某某项目中标公告\n一、项目编号\nＨＺ－２０２４－０９\n二、项目名称\n某某区块链平台\n三、中标信息\n中标人：某某公司"
    notice = parse(text)
    assert notice.project_number == "HZ-2024-09"
    assert notice.project_name == "某某区块链平台"
    assert notice.lots[0].supplier == "某某公司"


def test_ccgp_summary_gives_total_award_for_an_award_notice() -> None:
    html = '<table><tr><td class="title">总中标金额</td><td>￥96.500000 万元（人民币）</td></tr></table>'
    notice = parse_notice(
        "某某项目中标公告", "三、中标信息\n供应商名称：某某公司\n中标金额：详见附件", html
    )
    assert notice is not None
    assert notice.total_award is not None
    assert notice.total_award.yuan == Decimal("965000.00")


# --- change and termination notices -------------------------------------------------------------


def test_change_notice_reads_the_original_project_and_what_changed() -> None:
    notice = parse(CHANGE)
    assert notice.notice_type == "change"
    assert notice.project_number == "SZCG-2024-0158"
    assert notice.project_name == "某某市政务区块链服务平台建设项目"
    assert notice.reason == (
        "更正事项：采购文件\n更正内容：投标截止时间及开标时间由2024年06月03日09:30变更为2024年06月10日09:30。"
    )
    assert notice.lots == []


def test_change_notice_is_dated_by_its_correction_date_not_the_first_notice() -> None:
    assert parse(CHANGE).announced_on == date(2024, 5, 27)


def test_termination_notice_gives_the_reason() -> None:
    notice = parse(TERMINATION)
    assert notice.notice_type == "termination"
    assert notice.project_number == "BDC-2024-009"
    assert notice.project_name == "某某市不动产登记区块链应用项目"
    assert notice.reason == "因采购需求发生重大变化，经采购人研究决定，终止本项目采购活动。"
    assert notice.buyer == "某某市自然资源和规划局"


def test_failed_bid_notice_is_a_termination_with_its_stated_reason() -> None:
    text = (
        "某某区块链平台项目废标公告\n项目编号：FB-2024-1\n废标理由：提交投标文件的供应商不足三家。"
    )
    notice = parse(text)
    assert notice.notice_type == "termination"
    assert notice.reason == "提交投标文件的供应商不足三家。"


# --- ccgp.gov.cn 公告概要 -------------------------------------------------------------------------


def test_ccgp_summary_table_fills_buyer_agency_region_date_and_budget() -> None:
    notice = parse_notice("某某大学区块链实验教学平台采购项目公开招标公告", "", CCGP_SUMMARY_HTML)
    assert notice is not None
    assert notice.notice_type == "tender"
    assert notice.project_name == "某某大学区块链实验教学平台采购项目"
    assert notice.project_number == "HBZC-2024-0412"
    assert notice.buyer == "某某大学"
    assert notice.buyer_address == "武汉市洪山区珞喻路1号"
    assert notice.buyer_contact == "027-88009900"
    assert notice.agency == "湖北某某项目管理有限公司"
    assert notice.agency_contact == "刘工 027-88001122"
    assert notice.region == "武汉市"
    assert notice.announced_on == date(2024, 4, 18)


def test_ccgp_summary_budget_in_wan_yuan_with_six_decimals() -> None:
    notice = parse_notice("某某大学区块链实验教学平台采购项目公开招标公告", "", CCGP_SUMMARY_HTML)
    assert notice is not None and notice.budget is not None
    assert notice.budget.yuan == Decimal("1280000.00")
    assert notice.budget.raw == "￥128.000000 万元（人民币）"


def test_ccgp_summary_date_wins_over_the_crawl_date() -> None:
    notice = parse_notice(
        "某某大学区块链实验教学平台采购项目公开招标公告",
        "",
        CCGP_SUMMARY_HTML,
        published_at=datetime(2024, 4, 19, 8, 0),
    )
    assert notice is not None
    assert notice.announced_on == date(2024, 4, 18)


def test_summary_rows_rendered_as_text_cells_are_read() -> None:
    text = "采购项目名称\t某某区块链平台采购项目\t品目\t服务/信息技术服务\n采购单位\t某某市数据局\t行政区域\t成都市"
    notice = parse_notice("某某区块链平台采购项目公开招标公告", text)
    assert notice is not None
    assert notice.project_name == "某某区块链平台采购项目"
    assert notice.buyer == "某某市数据局"
    assert notice.region == "成都市"


def test_published_at_dates_a_notice_that_states_no_date() -> None:
    notice = parse(TENDER, published_at=datetime(2024, 5, 13, 10, 30))
    assert notice.announced_on == date(2024, 5, 13)


# --- robustness and output ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x01\x02",
        "一、" * 500,
        ":" * 200,
        "包1" * 300,
        "三、中标信息\n序号\t供应商名称\n\t\t\t\t",
    ],
)
def test_odd_input_never_raises(text: str) -> None:
    notice = parse_notice("某某项目中标公告", text, html=f"<table><tr><td rowspan=x>{text}")
    assert notice is not None
    assert notice.notice_type == "award"


def test_missing_title_and_text_is_not_a_notice() -> None:
    assert parse_notice("", "") is None


def test_to_dict_is_json_friendly() -> None:
    data = parse(AWARD_THREE_LOTS_TABLE).to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert data["lots"][0] == {
        "lot": "1",
        "lot_name": None,
        "supplier": "北京链谷科技有限公司",
        "supplier_address": "北京市海淀区中关村大街1号",
        "amount": {
            "raw": "1,280,000.00",
            "yuan": "1280000.00",
            "kind": "amount",
            "rate": None,
            "note": None,
        },
        "failed": False,
        "basis": None,
    }
    assert data["total_award"]["yuan"] == "2240500.00"


def test_to_dict_writes_dates_in_iso_format() -> None:
    assert parse(CHANGE).to_dict()["announced_on"] == "2024-05-27"


# --- names are names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("某某经济开发区管理委员会 2017年1月9日（单位公章）", "某某经济开发区管理委员会"),
        ("某某县人民医院（盖章）", "某某县人民医院"),
        ("某某信息技术有限 公司 | | | |", "某某信息技术有限公司"),
        ("| 某某科技有限公司 |", "某某科技有限公司"),
        ("某某（北京） 有限公司", "某某（北京）有限公司"),
        ("某某建设有限公司 地址：某市某路1号", "某某建设有限公司"),
        ("某某集团有限公司 统一社会信用代码：91110000", "某某集团有限公司"),
        ("上海市大数据中心", "上海市大数据中心"),
        ("工商注册号", None),
        ("第二中标候选人", None),
        ("拟中标人", None),
        ("中标供应商名称", None),
        ("2017年1月9日", None),
        ("二〇一七年一月九日", None),
        ("91110000", None),
        ("/", None),
    ],
)
def test_a_party_name_is_never_a_signature_date_seal_separator_or_header(
    written: str, name: str | None
) -> None:
    assert party_name(written) == name


def test_a_candidates_notice_ranks_candidates_and_names_no_winner() -> None:
    text = """一、项目编号：ZB2024-17
二、项目名称：区块链存证平台
三、中标候选人
排名\t中标候选人名称\t投标报价（元）
第一\t甲链科技有限公司\t1,200,000.00
第二\t乙数据有限公司\t1,250,000.00
四、采购人信息
名称：某某市公证处
"""
    notice = parse_notice("区块链存证平台中标候选人公示", text)

    assert notice is not None and notice.notice_type == "candidates"
    assert notice.lots == [] and notice.total_award is None
    assert [(c.supplier, c.amount and c.amount.yuan) for c in notice.candidates] == [
        ("甲链科技有限公司", Decimal("1200000.00")),
        ("乙数据有限公司", Decimal("1250000.00")),
    ]
    assert notice.buyer == "某某市公证处"


# --- layouts seen on real notices (tests/fixtures/notices has the notices themselves) -------


def lots_of(notice: Notice | None) -> list[tuple[str | None, Decimal | None, Decimal | None]]:
    assert notice is not None
    return [
        (lot.supplier, lot.amount and lot.amount.yuan, lot.amount and lot.amount.rate)
        for lot in notice.lots
    ]


def test_a_prose_award_with_its_price_in_capitals_and_digits() -> None:
    text = (
        "某某招标代理有限公司受某某县人民医院的委托，就医疗设备采购项目（项目编号：ZB-2017-031）"
        "进行竞争性谈判采购，现将成交结果公告如下：\n"
        "一、成交供应商：某某医疗器械有限公司，中标价格为：人民币玖万玖仟伍佰伍拾元整，￥:99，550.00元。\n"
        "某某招标代理有限公司\n2017年1月9日"
    )
    notice = parse_notice("某某县人民医院医疗设备采购项目成交公告", text)

    assert notice is not None
    assert (notice.buyer, notice.agency, notice.project_number) == (
        "某某县人民医院",
        "某某招标代理有限公司",
        "ZB-2017-031",
    )
    assert lots_of(notice) == [("某某医疗器械有限公司", Decimal("99550.00"), None)]


def test_a_result_table_flattened_onto_one_line_under_each_lot() -> None:
    text = """三、采购结果
合同包1(试剂（第1包）):
 供应商名称 供应商地址 评审方法 是否价格扣除 中标（成交）金额 评审总得分 甲科技有限公司 某市某区某路1号 4楼 综合评分法 否 332,200.00元 98.58
合同包2(试剂（第2包）):
 供应商名称 供应商地址 中标（成交）金额 乙贸易有限公司 某市某路2号 179,500.00元
"""
    notice = parse_notice("某某中心试剂中标（成交）结果公告", text)

    assert lots_of(notice) == [
        ("甲科技有限公司", Decimal("332200.00"), None),
        ("乙贸易有限公司", Decimal("179500.00"), None),
    ]
    assert notice is not None and [lot.lot for lot in notice.lots] == ["合同包1", "合同包2"]


def test_a_result_table_whose_cells_ran_together() -> None:
    text = """三、中标（成交）信息
1.中标结果：
序号供应商名称供应商地址中标（成交）金额评审总得分1甲科技有限公司某市某路1号报价：2345643（元）94.412乙研究院有限公司某市某路2号报价：591800（元）89.5
序号中标（成交）金额(元)中标供应商名称中标供应商地址1报价：24.3（%）丙餐饮有限公司某县某镇
"""
    notice = parse_notice("某某项目中标(成交)结果公告", text)

    assert lots_of(notice) == [
        ("甲科技有限公司", Decimal("2345643.00"), None),
        ("乙研究院有限公司", Decimal("591800.00"), None),
        ("丙餐饮有限公司", None, Decimal("0.243")),
    ]


def test_repeated_supplier_blocks_are_lots_and_the_award_basis_decides_a_rate() -> None:
    text = """三、中标（成交）信息
供应商名称：甲农业有限公司
包组或产品名称：01包
中标类型：折扣率中标
中标（成交）金额（元）\\（%）：85.0
供应商名称：乙农业有限公司
包组或产品名称：02包
中标类型：总价中标
中标（成交）金额（元）\\（%）：332000.00
"""
    notice = parse_notice("某某项目中标（成交）结果公告", text)

    assert lots_of(notice) == [
        ("甲农业有限公司", None, Decimal("0.85")),
        ("乙农业有限公司", Decimal("332000.00"), None),
    ]
    assert notice is not None and [lot.lot for lot in notice.lots] == ["01", "02"]


def test_a_run_together_summary_gives_the_buyer_and_the_total_of_a_single_lot() -> None:
    text = """采购单位某某市商务局行政区域某某市公告时间2026年08月05日 12:32总中标金额￥395.000000 万元（人民币）联系人及联系方式：
一、项目编号：N5101
三、采购结果
供应商名称：甲传媒有限公司
"""
    notice = parse_notice("某某项目中标（成交）结果公告", text)

    assert notice is not None and notice.buyer == "某某市商务局"
    assert lots_of(notice) == [("甲传媒有限公司", Decimal("3950000.00"), None)]


def test_a_correction_section_makes_a_correction_whatever_the_title_says() -> None:
    text = "二、更正信息\n更正事项：B包中标结果公告\n更正内容：得分及未中标原因。\n更正日期：2026年8月5日"

    notice = parse_notice("某某服务项目中标结果公告", text)

    assert notice is not None and notice.notice_type == "change" and notice.lots == []


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("某某消防救援大队食堂服务外包项目竞争性磋商", "tender"),
        ("某某项目采购的延期公告", "change"),
        ("某某土地承包到期后再延长30年试点技术服务项目公开招标公告", "tender"),
    ],
)
def test_titles_seen_on_real_notices(title: str, kind: str) -> None:
    assert notice_type_of(title) == kind


def test_a_label_cell_of_a_markdown_table_ends_its_value() -> None:
    text = "| 招标人: | 兴山某水务有限公司 | 建设地点 | 某镇 |\n| 中标人: | 湖北某建设工程有限公司 | | |\n| 中标价(元): | 20797381.58 | 履约期限(天): | 730 |"

    notice = parse_notice("某某工程中标结果公告", text)

    assert notice is not None and notice.buyer == "兴山某水务有限公司"
    assert lots_of(notice) == [("湖北某建设工程有限公司", Decimal("20797381.58"), None)]
