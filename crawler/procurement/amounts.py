"""Money and rates as Chinese procurement notices write them.

A notice writes the same kind of figure in many ways: ``1234567.89元``,
``￥1,234,567.89``, ``123.4567万元``, ``人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分``,
full-width ``１２３，４５６．００元``, ``大写：…（小写：￥…）`` pairs, a bare number under a
``（万元）`` column header, or no money at all: a rate (``下浮率：5%``, ``费率：0.6‰``)
or ``详见附件``. :func:`parse_amount` reads one such field; :func:`find_amounts` finds every
figure in free text. Arithmetic is Decimal throughout: with floats ``12.3456万元`` comes out
as ``123455.99999999999``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

import cn2an

AmountKind = Literal["amount", "rate", "unknown"]

# Full-width forms → ASCII, one character for one, so that positions in the narrowed text are
# positions in the original (find_amounts cuts ``raw`` out of the original with them).
_NARROW = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_NARROW.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0xFFE5: ord("¥")})

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_THOUSAND = Decimal(1000)

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# Multipliers before the currency: 128万元, 1.5亿, 12万美元. Longest first (千万 before 万).
_MULTIPLIERS = {
    "千万": Decimal(10_000_000),
    "百万": Decimal(1_000_000),
    "亿": Decimal(100_000_000),
    "万": Decimal(10_000),
    "千": Decimal(1000),
}
_FOREIGN = ("美元", "欧元", "港元", "港币", "日元", "英镑")
_CURRENCIES = (*_FOREIGN, "元", "圆")
_ARABIC = re.compile(
    # Not from the middle of a number (1,2|80,000), but after a comma of prose (金额，128万元).
    r"(?P<cur>¥|RMB|CNY)?\s*(?<![\d.])(?<!\d,)(?P<num>" + _NUMBER + r")(?![\d])"
    r"(?:\s*\(?\s*(?P<unit>(?P<mult>千万|百万|亿|万|千)?(?P<money>"
    + "|".join(_CURRENCIES)
    + r")|千万|百万|亿|万))?"
    r"(?P<pct>\s*\(?\s*[%‰]\s*\)?)?"
)
_PER = re.compile(r"\s*/\s*(年|月|日|天|人次|人|次|平方米|㎡|台|套|件|个|吨|项|户)")

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "壹": 1,
    "一": 1,
    "贰": 2,
    "二": 2,
    "两": 2,
    "叁": 3,
    "三": 3,
    "肆": 4,
    "四": 4,
    "伍": 5,
    "五": 5,
    "陆": 6,
    "六": 6,
    "柒": 7,
    "七": 7,
    "捌": 8,
    "八": 8,
    "玖": 9,
    "九": 9,
}
_CN_UNITS = "拾佰仟万亿萬億十百千"
_CN_ALL = "".join(_CN_DIGITS) + _CN_UNITS
_DIGIT_CLASS = "".join(_CN_DIGITS)
# A Chinese amount ends in 元/圆; 元数据, 元器件 and 元宇宙 are words, not money.
_CHINESE = re.compile(
    rf"(?<![{_CN_ALL}])(?P<int>[{_DIGIT_CLASS}拾十][{_CN_ALL}]*)(?P<yuan>[元圆])"
    r"(?!数据|器件|宇宙|素|件|器)"
    rf"(?:[零〇]?(?P<jiao>[{_DIGIT_CLASS}])角)?"
    rf"(?:[零〇]?(?P<fen>[{_DIGIT_CLASS}])分)?"
    r"(?P<zheng>[整正])?"
)
_FORMAL_DIGITS = set("壹贰叁肆伍陆柒捌玖拾佰仟")

# A rate as free text labels it: 下浮率：5%, 折扣率95%, 中标费率为服务费的80%.
_LABELLED_RATE = re.compile(
    r"(?P<label>[\u4e00-\u9fff]{0,4}率)\s*(?:为|是)?\s*:?\s*(?:[\u4e00-\u9fff]{0,8}的)?\s*"
    r"(?P<num>\d+(?:\.\d+)?)\s*(?P<sign>[%‰])"
)
_DISCOUNT = re.compile(r"(?<![\d.])(?P<num>\d+(?:\.\d+)?)\s*折(?!旧|算|合|扣)")
# A rate named without its % sign: 下浮率：5.
_RATE_WITHOUT_SIGN = re.compile(r"率\s*(?:为|是)?\s*:?\s*(?P<num>\d+(?:\.\d+)?)(?![\d%‰])")

_PLACEHOLDER = re.compile(r"[-—–_/\\、.·…~]*|无|暂无|不详|空|null|none|n/?a", re.IGNORECASE)
_SEE_ELSEWHERE = re.compile(r"详见|见附件|见公告|见招标文件|见采购文件|附件|另行公布|以.*为准")
# A field holding nothing but one number, perhaps after a label and with 人民币/含税 around it.
_BARE = re.compile(
    r"(?:[^:\d]{0,20}:)?\s*(?:人民币|RMB|CNY)?\s*(?P<num>" + _NUMBER + r")\s*"
    r"(?:\(?\s*(?:人民币|含税|不含税|含增值税)\s*\)?)?\s*"
)
_PAIR_GAP = re.compile(r"[\s(:,;]*(?:小写|大写)?[\s(:,;]*(?:人民币)?[\s(:,;]*")


@dataclass(frozen=True)
class Amount:
    """One money figure or rate as a notice gives it.

    ``yuan`` is the amount in 元 (``None`` when unknown or in a foreign currency); ``rate`` the
    fraction a rate stands for (``下浮率 5%`` → ``0.05``); ``note`` says what a reader should know
    (a 大写/小写 disagreement, an assumed unit, a per-year price).
    """

    raw: str
    yuan: Decimal | None
    kind: AmountKind
    rate: Decimal | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        """JSON-friendly form: Decimals as strings, so no precision is lost."""
        return {
            "raw": self.raw,
            "yuan": None if self.yuan is None else str(self.yuan),
            "kind": self.kind,
            "rate": None if self.rate is None else str(self.rate),
            "note": self.note,
        }


@dataclass(frozen=True)
class _Figure:
    """A figure found at ``start:end`` of a narrowed text."""

    start: int
    end: int
    kind: Literal["arabic", "chinese", "rate"]
    value: Decimal | None
    note: str | None = None


def narrow(text: str) -> str:
    """Full-width digits, letters and punctuation as ASCII, one for one (``１，２`` → ``1,2``)."""
    return text.translate(_NARROW)


def unit_multiplier(unit: str | None) -> Decimal | None:
    """Yuan per unit named by a unit or a header (``万元``, ``（单位：万元）``), else ``None``."""
    if not unit:
        return None
    unit = narrow(unit)
    if any(name in unit for name in _FOREIGN):
        return None
    for name, factor in _MULTIPLIERS.items():
        if name in unit:
            return factor
    return Decimal(1) if "元" in unit or "圆" in unit else None


def _exact(value: Decimal) -> Decimal:
    """``value`` to the cent when that loses nothing, so 128.000000万元 reads 1280000.00."""
    try:
        rounded = value.quantize(_CENT)
    except InvalidOperation:  # more digits than the context holds: keep it as it is
        return value
    return rounded if rounded == value else value


def _decimal(number: str) -> Decimal | None:
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None


def _chinese_integer(text: str) -> Decimal | None:
    """Value of a Chinese integer (``壹佰贰拾叁万肆仟`` → 1234000) through cn2an."""
    text = text.replace("萬", "万").replace("億", "亿")
    if not text:
        return Decimal(0)
    try:
        value = cn2an.cn2an(text, "normal")
    except (ValueError, KeyError, IndexError, TypeError):  # cn2an rejects odd input loosely
        return None
    # cn2an answers int for integers; go through str so a float never reaches Decimal directly.
    return Decimal(str(value))


def _chinese_value(match: re.Match[str]) -> Decimal | None:
    whole = _chinese_integer(match["int"].rstrip("零〇"))
    if whole is None:
        return None
    jiao = Decimal(_CN_DIGITS[match["jiao"]]) / 10 if match["jiao"] else Decimal(0)
    fen = Decimal(_CN_DIGITS[match["fen"]]) / 100 if match["fen"] else Decimal(0)
    return _exact(whole + jiao + fen)


def _chinese_figures(text: str, formal_only: bool) -> list[_Figure]:
    figures = []
    for match in _CHINESE.finditer(text):
        numeral = match["int"]
        # In free text 一元 is rarely money; a figure needs a formal digit or a unit.
        if formal_only and not (set(numeral) & (_FORMAL_DIGITS | set(_CN_UNITS))):
            continue
        figures.append(_Figure(match.start(), match.end(), "chinese", _chinese_value(match)))
    return figures


def _arabic_figures(text: str, unit_hint: str | None, free_text: bool) -> list[_Figure]:
    """Money written in digits; in free text only with ¥ or a currency, elsewhere any unit."""
    hint = unit_multiplier(unit_hint)
    figures = []
    for match in _ARABIC.finditer(text):
        if match["pct"]:
            continue
        if not match["cur"] and not match["unit"]:
            continue
        if free_text and not match["cur"] and not match["money"]:
            continue  # 128万 in prose may be people or square metres
        start = match.start("cur") if match["cur"] else match.start("num")
        figures.append(_arabic_figure(match, start, text, hint))
    return figures


def _arabic_figure(match: re.Match[str], start: int, text: str, hint: Decimal | None) -> _Figure:
    number = _decimal(match["num"])
    money = match["money"]
    multiplier = match["mult"] or (None if money else match["unit"])
    end = match.end()
    if money in _FOREIGN:
        return _Figure(start, end, "arabic", None, f"in {match['unit']}; not converted to 元")
    # A unit written beside the number beats the column's; a bare number takes the column's.
    factor = _MULTIPLIERS[multiplier] if multiplier else (hint if not money else None)
    factor = factor or Decimal(1)
    note = None
    per = _PER.match(text, end)
    if per:
        note = f"per {per.group(1)}"
        end = per.end()
    value = None if number is None else _exact(number * factor)
    return _Figure(start, end, "arabic", value, note)


def _rate_value(number: str, sign: str) -> Decimal | None:
    value = _decimal(number)
    if value is None:
        return None
    return value / (_THOUSAND if sign == "‰" else _HUNDRED)


def _rate_figures(text: str, free_text: bool) -> list[_Figure]:
    """Rates: labelled ones everywhere; in a field any ``5%`` or ``95折`` too."""
    figures = [
        _Figure(m.start(), m.end(), "rate", _rate_value(m["num"], m["sign"]))
        for m in _LABELLED_RATE.finditer(text)
    ]
    if free_text:
        return figures
    taken = {(f.start, f.end) for f in figures}
    for match in _ARABIC.finditer(text):
        span = (match.start("num"), match.end())
        if match["pct"] and not any(s <= span[0] < e for s, e in taken):
            sign = match["pct"].strip(" ()")
            figures.append(_Figure(*span, "rate", _rate_value(match["num"], sign)))
    for match in _DISCOUNT.finditer(text):
        value = _decimal(match["num"])
        if value is not None and 0 < value < 100:
            # 9.5折 and 95折 both mean 95 % of the price.
            fraction = value / 10 if value < 10 else value / _HUNDRED
            figures.append(_Figure(match.start(), match.end(), "rate", fraction))
    return sorted(figures, key=lambda f: f.start)


def _without_overlaps(figures: list[_Figure]) -> list[_Figure]:
    kept: list[_Figure] = []
    for figure in sorted(figures, key=lambda f: (f.start, -(f.end - f.start))):
        if not kept or figure.start >= kept[-1].end:
            kept.append(figure)
    return kept


def _money(figures: list[_Figure]) -> list[_Figure]:
    return [f for f in figures if f.kind != "rate"]


def _disagreement(arabic: _Figure, chinese: _Figure) -> str | None:
    if chinese.value is None:
        return "大写 amount could not be read"
    if arabic.value is not None and arabic.value != chinese.value:
        return f"大写 says {chinese.value} but 小写 says {arabic.value}; 小写 taken"
    return None


def _from_money(raw: str, money: list[_Figure], rates: list[_Figure]) -> Amount:
    """One Amount from the money figures of a field: 小写 preferred, checked against 大写."""
    arabic = [f for f in money if f.kind == "arabic"]
    chinese = [f for f in money if f.kind == "chinese"]
    chosen = arabic[0] if arabic else chinese[0]
    notes = [chosen.note] if chosen.note else []
    if arabic and chinese:
        mismatch = _disagreement(arabic[0], chinese[0])
        if mismatch:
            notes.append(mismatch)
    distinct = {f.value for f in (arabic or chinese)}
    if len(distinct) > 1:
        notes.append(f"{len(distinct)} different amounts given; the first is taken")
    if chosen.value is None and not chosen.note:
        notes.append("amount could not be read")
    rate = rates[0].value if rates else None
    return Amount(raw, chosen.value, "amount", rate, "; ".join(notes) or None)


def _bare_number(raw: str, text: str, unit_hint: str | None) -> Amount | None:
    """A field that is only a number: a rate under a 率 label, else money in the hinted unit."""
    if "率" in text:
        match = _RATE_WITHOUT_SIGN.search(text)
        value = _decimal(match["num"]) if match else None
        if value is None:
            return None
        # 0.95 already is a fraction; 5 can only be a percentage.
        fraction = value if value <= 1 else value / _HUNDRED
        return Amount(raw, None, "rate", fraction, "no % sign given; read as a rate")
    match = _BARE.fullmatch(text)
    if not match:
        return None
    number = _decimal(match["num"])
    if number is None:
        return None
    factor = unit_multiplier(unit_hint)
    note = None if factor else "no unit given; read as 元"
    return Amount(raw, _exact(number * (factor or Decimal(1))), "amount", None, note)


def parse_amount(text: str, unit_hint: str | None = None) -> Amount:
    """Read one amount field (``中标金额`` cell, ``预算金额：`` value) into an :class:`Amount`.

    ``unit_hint`` is the unit a column header or caption gives (``万元``, ``单位：万元``); it
    applies to numbers written without a unit of their own. Never raises.
    """
    raw = (text or "").strip()
    narrowed = narrow(raw).strip()
    squashed = re.sub(r"\s+", "", narrowed)
    if not squashed or _PLACEHOLDER.fullmatch(squashed):
        return Amount(raw, None, "unknown", None, "no amount given" if squashed else None)
    figures = (
        _arabic_figures(narrowed, unit_hint, free_text=False)
        + _chinese_figures(narrowed, formal_only=False)
        + _rate_figures(narrowed, free_text=False)
    )
    figures = _without_overlaps(figures)
    money = _money(figures)
    rates = [f for f in figures if f.kind == "rate"]
    if money:
        return _from_money(raw, money, rates)
    if rates:
        return Amount(raw, None, "rate", rates[0].value, None)
    if _SEE_ELSEWHERE.search(narrowed):
        return Amount(raw, None, "unknown", None, "given elsewhere (attachment or other notice)")
    bare = _bare_number(raw, narrowed, unit_hint)
    if bare:
        return bare
    return Amount(raw, None, "unknown", None, "no amount recognised")


def _pairs_merged(text: str, figures: list[_Figure]) -> list[tuple[int, int]]:
    """Spans of figures, a 大写 and its 小写 beside it (``大写…（小写：￥…）``) joined into one."""
    spans: list[tuple[int, int]] = []
    previous: _Figure | None = None
    for figure in figures:
        joinable = (
            previous is not None
            and {previous.kind, figure.kind} == {"arabic", "chinese"}
            and _PAIR_GAP.fullmatch(text, previous.end, figure.start) is not None
        )
        if joinable:
            spans[-1] = (spans[-1][0], figure.end)
            previous = None
            continue
        spans.append((figure.start, figure.end))
        previous = figure
    return spans


def _close_bracket(text: str, start: int, end: int) -> int:
    """Take in the closing bracket of a span that opened one (``…（小写：￥1.00）``)."""
    inside = text[start:end]
    if inside.count("(") > inside.count(")"):
        closing = re.match(r"\s*\)", text[end:])
        if closing:
            return end + closing.end()
    return end


def find_amounts(text: str) -> list[Amount]:
    """Every money figure and labelled rate in free text, in order of appearance.

    Needs a currency sign or a 元 unit (``1,280,000.00元``, ``￥128万``, ``壹佰万元整``) or a rate
    label (``下浮率5%``), so dates, counts and 128万平方米 are not taken for money.
    """
    if not text:
        return []
    narrowed = narrow(text)
    figures = _without_overlaps(
        _arabic_figures(narrowed, None, free_text=True)
        + _chinese_figures(narrowed, formal_only=True)
        + _rate_figures(narrowed, free_text=True)
    )
    amounts = []
    for start, end in _pairs_merged(narrowed, figures):
        end = _close_bracket(narrowed, start, end)
        amounts.append(parse_amount(text[start:end]))
    return amounts
