"""Names for generated documents: issuing offices, buyers, agencies, invented companies.

Companies and agencies are made up in the usual 地名 + 字号 + 行业 + 有限公司 pattern; none is
meant to be a real firm. Everything is drawn from the caller's random.Random.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from replica.families.model import Party
from spiders.provinces import NATIONAL, PROVINCES, Province, by_code_unchecked

# 简称 used as the first character of 文号 (苏政发, 粤府办 …).
_ABBREVIATIONS = {
    "110000": "京",
    "120000": "津",
    "130000": "冀",
    "140000": "晋",
    "150000": "内",
    "210000": "辽",
    "220000": "吉",
    "230000": "黑",
    "310000": "沪",
    "320000": "苏",
    "330000": "浙",
    "340000": "皖",
    "350000": "闽",
    "360000": "赣",
    "370000": "鲁",
    "410000": "豫",
    "420000": "鄂",
    "430000": "湘",
    "440000": "粤",
    "450000": "桂",
    "460000": "琼",
    "500000": "渝",
    "510000": "川",
    "520000": "黔",
    "530000": "云",
    "540000": "藏",
    "610000": "陕",
    "620000": "甘",
    "630000": "青",
    "640000": "宁",
    "650000": "新",
    "000000": "国",
}
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})

# Provincial departments as buyers; municipalities call a 厅 a 局.
_DEPARTMENTS = (
    "大数据管理局",
    "教育厅",
    "公安厅",
    "财政厅",
    "自然资源厅",
    "交通运输厅",
    "农业农村厅",
    "商务厅",
    "卫生健康委员会",
    "市场监督管理局",
    "医疗保障局",
    "机关事务管理局",
    "人力资源和社会保障厅",
    "政务服务管理办公室",
    "人民医院",
    "档案馆",
)
_TRADE_NAMES = (
    "恒信",
    "华创",
    "智联",
    "博远",
    "中科",
    "瑞达",
    "天成",
    "新元",
    "宏图",
    "金桥",
    "汇通",
    "云帆",
    "数源",
    "启明",
    "正泰",
    "安和",
    "明德",
    "众诚",
    "远景",
    "嘉禾",
)
_AGENCY_KINDS = (
    "招标有限公司",
    "项目管理有限公司",
    "工程咨询有限公司",
    "招标代理有限公司",
    "采购咨询有限公司",
)
_ROADS = ("建设路", "人民路", "解放路", "中山路", "科技园路", "创新大道", "长江路", "新华路")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"


@dataclass(frozen=True)
class Region:
    """Where a source's documents come from."""

    province: Province

    @property
    def is_national(self) -> bool:
        return self.province.code == NATIONAL.code

    @property
    def full_name(self) -> str:
        return self.province.full_name

    @property
    def short_name(self) -> str:
        return self.province.short_name

    @property
    def abbreviation(self) -> str:
        return _ABBREVIATIONS.get(self.province.code, "政")


def region_for(code: str) -> Region:
    return Region(by_code_unchecked(code))


def region_named(full_name: str) -> Region | None:
    """The province whose full name is given, if any."""
    for province in PROVINCES:
        if province.full_name == full_name:
            return Region(province)
    return None


def local_region(rng: random.Random, region: Region) -> Region:
    """The region of one notice: the source's, or any province for national platforms."""
    return Region(rng.choice(PROVINCES)) if region.is_national else region


def department(rng: random.Random, region: Region) -> str:
    name = rng.choice(_DEPARTMENTS)
    if region.province.code in MUNICIPALITIES:
        name = name.replace("教育厅", "教育委员会").replace("厅", "局")
    return region.full_name + name


def company(rng: random.Random, region: Region, trade: str) -> str:
    """An invented supplier such as 江苏恒信信息技术有限公司."""
    return f"{region.short_name}{rng.choice(_TRADE_NAMES)}{trade}有限公司"


def agency_name(rng: random.Random, region: Region) -> str:
    return f"{region.short_name}{rng.choice(_TRADE_NAMES)}{rng.choice(_AGENCY_KINDS)}"


def address(rng: random.Random, region: Region) -> str:
    return f"{region.full_name}{rng.choice(_ROADS)}{rng.randint(1, 399)}号"


def phone(rng: random.Random) -> str:
    return f"0{rng.randint(10, 999)}-{rng.randint(50_000_000, 89_999_999)}"


def person(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + rng.choice(("工", "女士", "先生"))


def party(rng: random.Random, region: Region, name: str) -> Party:
    return Party(name, address(rng, region), phone(rng))


def stable_number(text: str, modulus: int) -> int:
    """A number derived from a string, equal in every process (unlike hash())."""
    return zlib.crc32(text.encode("utf-8")) % modulus


def site_code(host: str, region: Region) -> str:
    """A SiteIDCode (网站标识码) for a generated host: province prefix and ten digits."""
    return f"{region.province.code[:4]}{stable_number(host, 1_000_000):06d}"
