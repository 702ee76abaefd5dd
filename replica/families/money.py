"""Amounts the way procurement notices print them: 元, 万元, grouped digits and 大写."""

from __future__ import annotations

from decimal import Decimal

CENT = Decimal("0.01")
TEN_THOUSAND = Decimal(10_000)
_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_GROUP_UNITS = ("", "万", "亿", "万亿")


def yuan(amount: Decimal) -> str:
    """1285000 → "1285000.00"."""
    return f"{amount.quantize(CENT)}"


def grouped(amount: Decimal) -> str:
    """1285000 → "1,285,000.00"."""
    return f"{amount.quantize(CENT):,}"


def wan(amount: Decimal, places: int = 6) -> str:
    """1285000 → "128.500000" (ccgp prints six decimals); places=0 trims to "128.5"."""
    value = amount / TEN_THOUSAND
    if places:
        return f"{value.quantize(Decimal(1).scaleb(-places))}"
    return f"{value.normalize():f}"


def capital(amount: Decimal) -> str:
    """The amount in 大写 as on invoices and award notices: 壹佰贰拾捌万伍仟元整."""
    cents = int((amount * 100).quantize(Decimal(1)))
    integer, fraction = divmod(cents, 100)
    jiao, fen = divmod(fraction, 10)
    words = _integer_capital(integer) + "元" if integer else ""
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif integer:
        words += "零"  # 壹元零伍分
    if fen:
        words += _DIGITS[fen] + "分"
    else:
        words += "整"
    return words


def _integer_capital(number: int) -> str:
    groups = []
    while number:
        number, group = divmod(number, 10_000)
        groups.append(group)
    words = ""
    pending_zero = False
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            pending_zero = bool(words)
            continue
        # A gap inside the number is read as one 零: 壹佰万零伍佰.
        if words and (pending_zero or group < 1000):
            words += "零"
        words += _group_capital(group) + _GROUP_UNITS[index]
        pending_zero = False
    return words


def _group_capital(group: int) -> str:
    words = ""
    pending_zero = False
    for position in (3, 2, 1, 0):
        digit = group // 10**position % 10
        if digit == 0:
            pending_zero = bool(words)
            continue
        if pending_zero:
            words += "零"
            pending_zero = False
        words += _DIGITS[digit] + _SMALL_UNITS[position]
    return words
