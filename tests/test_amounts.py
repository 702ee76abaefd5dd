"""Money and rates as procurement notices write them: crawler.procurement.amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crawler.procurement.amounts import Amount, find_amounts, narrow, parse_amount

# --- amounts in digits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("1234567.89元", "1234567.89"),
        ("￥1,234,567.89", "1234567.89"),
        ("¥1,234,567.89元", "1234567.89"),
        ("人民币1,280,000.00元", "1280000.00"),
        ("RMB 35,000", "35000.00"),
        ("128万元", "1280000.00"),
        ("128万", "1280000.00"),
        ("1.5亿元", "150000000.00"),
        ("3千万元", "30000000.00"),
        ("5千元", "5000.00"),
        ("128.5（万元）", "1285000.00"),
    ],
)
def test_amount_in_digits_is_read_in_yuan(text: str, yuan: str) -> None:
    amount = parse_amount(text)
    assert amount == Amount(raw=text, yuan=Decimal(yuan), kind="amount")


def test_wan_yuan_is_multiplied_exactly_in_decimal() -> None:
    amount = parse_amount("123.4567万元")
    assert amount.yuan == Decimal("1234567")
    assert str(amount.yuan) == "1234567.00"


def test_wan_yuan_that_floats_would_round_wrongly_stays_exact() -> None:
    # 12.3456 * 10000 is 123455.99999999999 in floating point.
    assert parse_amount("12.3456万元").yuan == Decimal("123456.00")


def test_sub_cent_amount_keeps_all_its_digits() -> None:
    assert parse_amount("0.123456万元").yuan == Decimal("1234.56")
    assert parse_amount("1.23456元").yuan == Decimal("1.23456")


def test_ccgp_summary_amount_with_six_decimals_and_renminbi_suffix() -> None:
    amount = parse_amount("￥128.000000 万元（人民币）")
    assert amount.yuan == Decimal("1280000.00")
    assert amount.kind == "amount"
    assert amount.raw == "￥128.000000 万元（人民币）"


def test_raw_is_the_text_as_found_stripped() -> None:
    assert parse_amount("  ￥1,000.00元 \n").raw == "￥1,000.00元"


# --- full-width digits and punctuation --------------------------------------------------------


def test_full_width_digits_and_separators_are_read() -> None:
    amount = parse_amount("１２３，４５６．００元")
    assert amount.yuan == Decimal("123456.00")
    assert amount.raw == "１２３，４５６．００元"


def test_full_width_colon_after_a_label_is_read() -> None:
    assert parse_amount("中标金额：１，２８０，０００．００元").yuan == Decimal("1280000.00")


def test_full_width_yen_sign_is_read() -> None:
    assert parse_amount("￥２５０，０００").yuan == Decimal("250000.00")


def test_narrow_keeps_every_position() -> None:
    text = "名　　称：１２３，４５６．００元（人民币）"
    assert len(narrow(text)) == len(text)
    assert narrow(text) == "名  称:123,456.00元(人民币)"


# --- amounts in Chinese capitals (大写) ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "yuan"),
    [
        ("人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分", "1234567.89"),
        ("壹佰贰拾捌万元整", "1280000.00"),
        ("伍拾万元正", "500000.00"),
        ("壹拾万零伍佰元整", "100500.00"),
        ("贰仟零伍元", "2005.00"),
        ("壹亿零伍拾万元整", "100500000.00"),
        ("贰亿叁仟肆佰万圆整", "234000000.00"),
        ("壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元", "123456789.00"),
        ("玖佰元零伍分", "900.05"),
        ("叁拾元伍角", "30.50"),
        ("一百二十八万元", "1280000.00"),
    ],
)
def test_amount_in_chinese_capitals_is_read_in_yuan(text: str, yuan: str) -> None:
    amount = parse_amount(text)
    assert amount.kind == "amount"
    assert amount.yuan == Decimal(yuan)
    assert amount.note is None


def test_capital_and_figure_pair_prefers_the_figure_when_they_agree() -> None:
    amount = parse_amount("大写：壹佰贰拾叁万元整（小写：￥1,230,000.00）")
    assert amount.yuan == Decimal("1230000.00")
    assert amount.note is None


def test_capital_and_figure_pair_that_disagree_takes_the_figure_and_says_so() -> None:
    amount = parse_amount("大写：壹佰贰拾叁万元整（小写：￥1,230,500.00）")
    assert amount.yuan == Decimal("1230500.00")
    assert amount.note is not None
    assert "1230000.00" in amount.note and "小写" in amount.note


def test_figure_followed_by_its_capital_in_brackets() -> None:
    amount = parse_amount("¥2,053,000.00（人民币贰佰零伍万叁仟元整）")
    assert amount.yuan == Decimal("2053000.00")
    assert amount.note is None


# --- the unit of a column ----------------------------------------------------------------------


@pytest.mark.parametrize("hint", ["万元", "（万元）", "单位：万元", "金额单位：万元"])
def test_bare_number_under_a_wan_yuan_header_is_multiplied(hint: str) -> None:
    assert parse_amount("128.5", unit_hint=hint).yuan == Decimal("1285000.00")


def test_unit_written_beside_the_number_beats_the_column_unit() -> None:
    assert parse_amount("1,285,000.00元", unit_hint="万元").yuan == Decimal("1285000.00")


def test_bare_number_without_any_unit_is_read_as_yuan_with_a_note() -> None:
    amount = parse_amount("98000")
    assert amount.yuan == Decimal("98000.00")
    assert amount.note == "no unit given; read as 元"


def test_price_per_year_keeps_the_amount_and_notes_the_period() -> None:
    amount = parse_amount("120,000元/年")
    assert amount.yuan == Decimal("120000.00")
    assert amount.note == "per 年"


def test_foreign_currency_is_an_amount_not_converted_to_yuan() -> None:
    amount = parse_amount("12万美元")
    assert amount.kind == "amount"
    assert amount.yuan is None
    assert amount.note is not None and "美元" in amount.note


# --- rates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("下浮率：5%", "0.05"),
        ("下浮率:5.5%", "0.055"),
        ("折扣率95%", "0.95"),
        ("优惠率：3%", "0.03"),
        ("费率：0.6‰", "0.0006"),
        ("中标费率为服务费的80%", "0.8"),
        ("下浮率：５％", "0.05"),
        ("95折", "0.95"),
        ("9.5折", "0.95"),
    ],
)
def test_rate_is_kept_as_a_rate_not_an_amount(text: str, rate: str) -> None:
    amount = parse_amount(text)
    assert amount.kind == "rate"
    assert amount.rate == Decimal(rate)
    assert amount.yuan is None
    assert amount.raw == text


def test_rate_without_percent_sign_under_a_rate_label_is_read_as_percent() -> None:
    amount = parse_amount("下浮率：5")
    assert amount.kind == "rate"
    assert amount.rate == Decimal("0.05")
    assert amount.note is not None


def test_amount_with_its_discount_rate_keeps_both() -> None:
    amount = parse_amount("1,280,000.00元（下浮率5%）")
    assert amount.kind == "amount"
    assert amount.yuan == Decimal("1280000.00")
    assert amount.rate == Decimal("0.05")


# --- no amount ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["详见附件", "见附件", "详见中标公告附件", "详见附件1", "/", "—", "-", "无", "  "]
)
def test_placeholder_is_unknown_and_keeps_its_raw_text(text: str) -> None:
    amount = parse_amount(text)
    assert amount.kind == "unknown"
    assert amount.yuan is None
    assert amount.rate is None
    assert amount.raw == text.strip()


def test_empty_text_is_unknown_with_empty_raw() -> None:
    assert parse_amount("") == Amount(raw="", yuan=None, kind="unknown")


def test_attachment_reference_says_where_the_amount_is() -> None:
    assert parse_amount("详见附件").note == "given elsewhere (attachment or other notice)"


def test_lot_number_is_not_read_as_money() -> None:
    assert parse_amount("第1包").kind == "unknown"


def test_odd_text_never_raises() -> None:
    for text in ["元", "万元", "壹", "整", "9" * 60 + "元", "1,2,3元", "%", "率", "¥", "捌角"]:
        assert isinstance(parse_amount(text), Amount)


# --- free text ----------------------------------------------------------------------------------


def test_find_amounts_in_an_award_sentence() -> None:
    amounts = find_amounts("经评审，确定中标金额：1,280,000.00元，服务期一年。")
    assert [a.yuan for a in amounts] == [Decimal("1280000.00")]
    assert amounts[0].raw == "1,280,000.00元"


def test_find_amounts_joins_a_capital_with_its_figure() -> None:
    amounts = find_amounts("成交金额为人民币伍拾万元整（小写：￥500,000.00），下浮率：5%。")
    assert len(amounts) == 2
    assert amounts[0].yuan == Decimal("500000.00")
    assert amounts[0].raw == "伍拾万元整（小写：￥500,000.00）"
    assert amounts[1].kind == "rate"
    assert amounts[1].rate == Decimal("0.05")


def test_find_amounts_ignores_dates_counts_and_areas() -> None:
    text = "2024年5月10日，采购区块链节点服务器20台，园区面积128万平方米，共3个包。"
    assert find_amounts(text) == []


def test_find_amounts_does_not_read_metadata_as_one_yuan() -> None:
    assert find_amounts("建设统一元数据管理平台，支持区块链存证。") == []


def test_find_amounts_in_order_with_full_width_figures() -> None:
    amounts = find_amounts("包1：１２８万元；包2：￥96,000.00；预算金额：壹佰万元整")
    assert [a.yuan for a in amounts] == [
        Decimal("1280000.00"),
        Decimal("96000.00"),
        Decimal("1000000.00"),
    ]


def test_to_dict_writes_decimals_as_strings() -> None:
    assert parse_amount("123.4567万元").to_dict() == {
        "raw": "123.4567万元",
        "yuan": "1234567.00",
        "kind": "amount",
        "rate": None,
        "note": None,
    }


def test_amount_after_a_full_width_comma_of_prose_is_found() -> None:
    amounts = find_amounts("经评审，中标金额，1,280,000元。")
    assert [a.yuan for a in amounts] == [Decimal("1280000.00")]
