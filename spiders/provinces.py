"""The 31 provincial-level divisions of mainland China, and how users may name them.

A province is named by pinyin (``gansu``), Chinese short or full name (``甘肃`` / ``甘肃省``)
or its GB/T 2260 code (``620000``). ``national`` (``全国``, ``000000``) names the central sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from spiders.errors import UserError


@dataclass(frozen=True)
class Province:
    """One provincial-level division (or the national level)."""

    code: str
    pinyin: str
    short_name: str
    full_name: str

    @property
    def is_national(self) -> bool:
        return self.code == NATIONAL.code


NATIONAL = Province("000000", "national", "全国", "中央")

PROVINCES: tuple[Province, ...] = (
    Province("110000", "beijing", "北京", "北京市"),
    Province("120000", "tianjin", "天津", "天津市"),
    Province("130000", "hebei", "河北", "河北省"),
    Province("140000", "shanxi", "山西", "山西省"),
    Province("150000", "neimenggu", "内蒙古", "内蒙古自治区"),
    Province("210000", "liaoning", "辽宁", "辽宁省"),
    Province("220000", "jilin", "吉林", "吉林省"),
    Province("230000", "heilongjiang", "黑龙江", "黑龙江省"),
    Province("310000", "shanghai", "上海", "上海市"),
    Province("320000", "jiangsu", "江苏", "江苏省"),
    Province("330000", "zhejiang", "浙江", "浙江省"),
    Province("340000", "anhui", "安徽", "安徽省"),
    Province("350000", "fujian", "福建", "福建省"),
    Province("360000", "jiangxi", "江西", "江西省"),
    Province("370000", "shandong", "山东", "山东省"),
    Province("410000", "henan", "河南", "河南省"),
    Province("420000", "hubei", "湖北", "湖北省"),
    Province("430000", "hunan", "湖南", "湖南省"),
    Province("440000", "guangdong", "广东", "广东省"),
    Province("450000", "guangxi", "广西", "广西壮族自治区"),
    Province("460000", "hainan", "海南", "海南省"),
    Province("500000", "chongqing", "重庆", "重庆市"),
    Province("510000", "sichuan", "四川", "四川省"),
    Province("520000", "guizhou", "贵州", "贵州省"),
    Province("530000", "yunnan", "云南", "云南省"),
    Province("540000", "xizang", "西藏", "西藏自治区"),
    Province("610000", "shaanxi", "陕西", "陕西省"),
    Province("620000", "gansu", "甘肃", "甘肃省"),
    Province("630000", "qinghai", "青海", "青海省"),
    Province("640000", "ningxia", "宁夏", "宁夏回族自治区"),
    Province("650000", "xinjiang", "新疆", "新疆维吾尔自治区"),
)

# Spellings people use besides the canonical ones.
_ALIASES = {
    "innermongolia": "150000",
    "nei menggu": "150000",
    "tibet": "540000",
    "xizang zizhiqu": "540000",
    "全国": "000000",
    "中央": "000000",
    "国家": "000000",
    "central": "000000",
}


class UnknownProvinceError(UserError):
    """A province name that matches none of the 31 provinces nor the national level."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"unknown province {name!r}: use pinyin (gansu), Chinese (甘肃 / 甘肃省) "
            "or the GB/T 2260 code (620000)"
        )
        self.name = name


def _build_index() -> dict[str, Province]:
    index: dict[str, Province] = {}
    for province in (*PROVINCES, NATIONAL):
        for key in (province.code, province.pinyin, province.short_name, province.full_name):
            index[key.lower()] = province
    for alias, code in _ALIASES.items():
        index[alias] = by_code_unchecked(code)
    return index


def by_code_unchecked(code: str) -> Province:
    for province in (*PROVINCES, NATIONAL):
        if province.code == code:
            return province
    raise UnknownProvinceError(code)


_INDEX: dict[str, Province] = {}


def resolve_province(name: str) -> Province:
    """Return the province a user means by ``name`` or raise :class:`UnknownProvinceError`."""
    if not _INDEX:
        _INDEX.update(_build_index())
    key = name.strip().lower().replace("-", " ").replace("_", " ")
    found = _INDEX.get(key) or _INDEX.get(key.replace(" ", ""))
    if found is None:
        raise UnknownProvinceError(name)
    return found


def find_province_in_text(text: str) -> Province | None:
    """The province whose full or short name appears first in ``text`` (e.g. a site name)."""
    best: tuple[int, Province] | None = None
    for province in PROVINCES:
        for name in (province.full_name, province.short_name):
            pos = text.find(name)
            if pos >= 0 and (best is None or pos < best[0]):
                best = (pos, province)
    return best[1] if best else None
