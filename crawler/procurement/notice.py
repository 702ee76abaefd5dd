"""Structured fields of government procurement notices (政府采购公告).

Notices follow, more or less, the formats of 财办库〔2020〕50号 (政府采购公告和公示信息格式规范):
numbered sections (``一、项目基本情况``, ``三、中标（成交）信息`` …) holding ``label：value``
lines, lot tables or per-lot paragraphs, and a contact block (``1.采购人信息 名 称：…``). Sites
vary the labels (采购人/采购单位/招标人, 中标/成交), pad them with spaces (``名　　称``), write
full-width punctuation and render tables as lines of cells. ccgp.gov.cn adds a 公告概要 table
in the page HTML, read from ``html`` when given, as are lot tables (cells are exact there).

:func:`parse_notice` reads what it finds and leaves the rest ``None``: a value is only ever
taken from a line whose label names it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise
from typing import Any, Literal

from bs4 import BeautifulSoup, Tag
from loguru import logger

from crawler.extract.soup import read_markup
from crawler.procurement.amounts import Amount, narrow, parse_amount, unit_multiplier
from spiders.dates import cn_number, parse_date

NoticeType = Literal["tender", "award", "candidates", "change", "termination", "intention", "other"]


@dataclass
class Lot:
    """One 标包 of a notice: its winner and amount (award) or its budget (tender).

    ``lot`` is the lot as written (``1``, ``包1``, ``第一包``, ``标段二``), ``""`` for a notice
    without lots. ``failed`` marks a lot the notice declares 废标/流标.
    """

    lot: str
    lot_name: str | None = None
    supplier: str | None = None
    supplier_address: str | None = None
    amount: Amount | None = None
    failed: bool = False
    basis: str | None = None  # 中标类型 as stated: 总价中标, 折扣率中标, 费率中标 …

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (Decimals as strings)."""
        return _jsonable(self)


@dataclass
class Notice:
    """The structured fields of one procurement notice; ``None`` where the notice is silent."""

    notice_type: NoticeType
    project_number: str | None = None
    project_name: str | None = None
    buyer: str | None = None
    buyer_address: str | None = None
    buyer_contact: str | None = None
    agency: str | None = None
    agency_contact: str | None = None
    region: str | None = None
    announced_on: date | None = None
    budget: Amount | None = None
    max_price: Amount | None = None
    total_award: Amount | None = None
    lots: list[Lot] = field(default_factory=list)
    # A 中标候选人公示 ranks candidates; none of them has won: they are never lots.
    candidates: list[Lot] = field(default_factory=list)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form: Decimals as strings, dates in ISO format."""
        return _jsonable(self)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Amount):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


# --- what a notice is --------------------------------------------------------------------------

# Most decisive first: a 中标结果更正公告 is a correction, a 采购项目废标公告 a termination.
_TYPES: tuple[tuple[NoticeType, re.Pattern[str]], ...] = (
    ("change", re.compile(r"更正|变更|澄清|补遗|答疑|延期")),
    ("termination", re.compile(r"终止|废标|流标|采购失败|取消")),
    # Ranked candidates, published before the award: 中标候选人公示, 评标结果公示, 拟中标公示.
    ("candidates", re.compile(r"候选人|评标结果公示|评审结果公示|预中标|拟中标|预成交")),
    ("award", re.compile(r"中标|成交|结果|中选")),
    ("intention", re.compile(r"采购意向")),
    (
        "tender",
        re.compile(
            r"(?:招标|采购|磋商|谈判|询价|比选|单一来源|遴选|竞价|征集)\S*?(?:公告|公示)"
            r"|资格预审|邀请书|邀请函"
            # A title that ends with the method: …食堂服务外包项目竞争性磋商.
            r"|(?:竞争性磋商|竞争性谈判|公开招标|邀请招标|询价|单一来源采购)$"
        ),
    ),
)
_PROCUREMENT_WORD = re.compile(
    r"招标|采购|磋商|谈判|询价|比选|单一来源|中标|成交|标段|标包|投标|遴选|竞价|中选|项目"
)
# A 公文 title (…的通知, …办法) is a policy document even when it talks about 采购公告.
_OFFICIAL_DOC = re.compile(
    r"(?<!邀请)(?:通知|意见|办法|规定|决定|规范|批复|函|方案|细则|条例|纲要|规划|报告|解读|指南"
    r"|制度|通报|讲话)$"
)
_TRAILING_BRACKETS = re.compile(r"\s*[(\[【][^()\[\]【】]*[)\]】]\s*$")
# Phrases only procurement notices use; two of them make an untitled text a notice.
_SIGNALS = re.compile(
    r"项目编号|采购项目编号|招标编号|预算金额|最高限价|采购需求|中标金额|成交金额|中标\(成交\)金额"
    r"|供应商名称|采购人信息|采购代理机构信息|项目联系方式|获取招标文件|获取采购文件|公告概要"
    r"|更正事项|首次公告日期|项目终止的原因|投标截止时间"
    r"|采购编号|采购预算|采购方式|招标条件|谈判条件|供应商资格要求|投标供应商资格|购买招标文件"
    r"|中标范围|中标价|中标人|开标日期|招标方式|代理机构"
)


def notice_type_of(title: str) -> NoticeType | None:
    """The notice type a title names (``…中标（成交）结果公告`` → ``award``), else ``None``."""
    title = _TRAILING_BRACKETS.sub("", narrow(title or "").strip())
    if not title or _OFFICIAL_DOC.search(title):
        return None
    for kind, pattern in _TYPES:
        if pattern.search(title):
            return kind
    return None


def _classify(title: str, lines: list[str], html: str | None) -> NoticeType | None:
    """The notice type, from the title or else the first lines; ``None`` for other documents.

    A title without a procurement word (某某档案馆名称变更公告) needs the body's labels too.
    """
    signals = len(set(_SIGNALS.findall(narrow("\n".join(lines)))))
    if html and "公告概要" in html:
        signals += 2
    heading = title.strip() or (lines[0] if lines else "")
    if _OFFICIAL_DOC.search(_TRAILING_BRACKETS.sub("", narrow(heading).strip())):
        return None
    # The first lines can stand for a title only when they are as short as one.
    for candidate in (heading, *(line for line in lines[:3] if len(line) <= 80)):
        kind = notice_type_of(candidate)
        if kind:
            return kind if _PROCUREMENT_WORD.search(candidate) or signals >= 2 else None
    if signals >= 2:
        return _kind_from_body(lines)
    return None


# A notice without a title that names its kind: what its body asks of or tells suppliers.
_BODY_KINDS: tuple[tuple[NoticeType, re.Pattern[str]], ...] = (
    (
        "award",
        re.compile(
            r"(?:中标|成交)(?:供应商|人|单位)(?:名称)?\s*[:\t]|(?:中标|成交)\(?成交?\)?金额\s*[:\t]"
        ),
    ),
    (
        "tender",
        re.compile(
            r"获取(?:招标|采购|磋商|谈判|询价|比选)?文件|投标截止时间|提交投标文件截止时间"
            r"|响应文件提交截止|递交投标文件|购买招标文件|获取谈判|招标条件|谈判条件"
            r"|(?:竞争性谈判|竞争性磋商|公开招标|询价)方式(?:采购|进行)"
        ),
    ),
)


def _kind_from_body(lines: list[str]) -> NoticeType:
    text = narrow("\n".join(lines[:200]))
    for kind, pattern in _BODY_KINDS:
        if pattern.search(text):
            return kind
    return "other"


# A correction's own section (二、更正信息 / 更正事项：…), whatever its title says (…中标结果公告).
_CORRECTION_SECTION = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}\s*[、.]\s*)?更正(?:信息|事项|内容)\s*:?"
)


_CANDIDATE_RANK = re.compile(r"第[一1]\s*(?:名\s*)?(?:中标|成交|中选)?候选人")


def _ranks_candidates(title: str, lines: list[str]) -> bool:
    """A 中标公示 (not a 结果公示) that ranks 第一中标候选人, 第二… publishes candidates."""
    squashed = _squash(narrow(title))
    if "公示" not in squashed or "结果" in squashed:
        return False
    return bool(_CANDIDATE_RANK.search(narrow("\n".join(lines[:80]))))


def _is_correction(lines: list[str]) -> bool:
    return any(_CORRECTION_SECTION.match(narrow(line)) for line in lines[:300])


# --- lines, labels and sections ----------------------------------------------------------------

_PARENS = re.compile(r"\([^()]*\)")

# Labels this module maps, each to the Notice field it fills. Keys are labels with their
# spacing and parentheses removed: 中标（成交）金额 → 中标金额, 最高限价（如有） → 最高限价.
_FIELD_LABELS: dict[str, str] = {
    **dict.fromkeys(
        (
            "项目编号",
            "采购项目编号",
            "招标编号",
            "项目代码",
            "采购编号",
            "招标项目编号",
            "原公告的采购项目编号",
            "招标文件编号",
            "采购文件编号",
        ),
        "project_number",
    ),
    **dict.fromkeys(
        ("项目名称", "采购项目名称", "招标项目名称", "原公告的采购项目名称", "工程名称"),
        "project_name",
    ),
    **dict.fromkeys(
        (
            "采购人",
            "采购单位",
            "采购人名称",
            "采购单位名称",
            "招标人",
            "招标人名称",
            "招标单位",
            "建设单位",
            "项目业主",
        ),
        "buyer",
    ),
    **dict.fromkeys(("采购人地址", "采购单位地址", "招标人地址", "招标单位地址"), "buyer_address"),
    **dict.fromkeys(
        (
            "采购人联系方式",
            "采购单位联系方式",
            "采购人联系电话",
            "采购单位联系电话",
            "采购人电话",
            "招标人联系方式",
            "招标人电话",
            "采购人联系人",
            "采购单位联系人",
        ),
        "buyer_contact",
    ),
    **dict.fromkeys(
        (
            "采购代理机构",
            "代理机构",
            "招标代理",
            "招标代理机构",
            "代理机构名称",
            "采购代理机构名称",
            "招标代理机构名称",
            "集中采购机构",
        ),
        "agency",
    ),
    **dict.fromkeys(
        (
            "代理机构联系方式",
            "采购代理机构联系方式",
            "招标代理机构联系方式",
            "代理机构联系电话",
            "代理机构电话",
            "代理机构联系人",
            "招标代理联系方式",
        ),
        "agency_contact",
    ),
    **dict.fromkeys(
        (
            "预算金额",
            "采购预算",
            "项目预算",
            "采购预算金额",
            "项目预算金额",
            "预算总金额",
            "预算总额",
            "预算",
        ),
        "budget",
    ),
    **dict.fromkeys(
        ("最高限价", "采购最高限价", "最高投标限价", "招标控制价", "控制价", "最高控制价"),
        "max_price",
    ),
    **dict.fromkeys(
        ("总中标金额", "中标总金额", "成交总金额", "总成交金额", "中标总额", "成交总额"),
        "total_award",
    ),
    **dict.fromkeys(("行政区域", "行政区划", "所属地区", "所属区域"), "region"),
    **dict.fromkeys(
        ("公告时间", "公告日期", "发布时间", "发布日期", "更正日期", "公告发布日期"),
        "announced_on",
    ),
    **dict.fromkeys(
        (
            "终止原因",
            "终止理由",
            "废标原因",
            "废标理由",
            "流标原因",
            "项目终止的原因",
            "更正原因",
            "变更原因",
            "失败原因",
            "采购失败原因",
        ),
        "reason",
    ),
}
_AMOUNT_FIELDS = frozenset({"budget", "max_price", "total_award"})
_PARTIES = frozenset({"buyer", "agency"})
_CONTACT_FIELDS = frozenset({"buyer_contact", "agency_contact"})

# Whose block a label opens: later 名称/地址/联系方式 lines belong to that party.
_BUYER_LABELS = ("采购人", "采购单位", "采购人名称", "采购单位名称", "招标人", "招标人名称")
_AGENCY_LABELS = ("采购代理机构", "代理机构", "招标代理", "招标代理机构", "代理机构名称")
_SUPPLIER_LABELS = frozenset(
    {
        "供应商名称",
        "供应商",
        "中标供应商",
        "成交供应商",
        "中标供应商名称",
        "成交供应商名称",
        "中标人",
        "中标人名称",
        "成交人",
        "中标单位",
        "成交单位",
        "中标方",
        "成交方",
        "中选供应商",
        "中选人",
        "中选单位",
    }
)
_PARTY_OF_LABEL: dict[str, str] = {
    **dict.fromkeys(_BUYER_LABELS, "buyer"),
    **dict.fromkeys(_AGENCY_LABELS, "agency"),
    **dict.fromkeys(_SUPPLIER_LABELS, "supplier"),
    "项目联系人": "project",
}
_PARTY_FIELDS: dict[str, dict[str, str]] = {
    "buyer": {
        "名称": "buyer",
        "单位名称": "buyer",
        "地址": "buyer_address",
        "联系方式": "buyer_contact",
        "联系电话": "buyer_contact",
        "电话": "buyer_contact",
        "联系人": "buyer_contact",
    },
    "agency": {
        "名称": "agency",
        "单位名称": "agency",
        "联系方式": "agency_contact",
        "联系电话": "agency_contact",
        "电话": "agency_contact",
        "联系人": "agency_contact",
    },
}
# Lines that open a party's block in the contact section: 1.采购人信息, 2.采购代理机构信息（如有）.
_PARTY_MARKER = re.compile(
    r"^(?:\d+\s*[.、]|\(\s*[一二三四五六\d]+\s*\))?\s*"
    r"(?:(?P<buyer>采购人|采购单位|招标人)信息|(?P<agency>(?:采购|招标)?代理机构|集中采购机构)信息"
    r"|(?P<project>项目联系方式))"
    r"(?:\(如有\))?\s*:?\s*"
)

_LOT_SUPPLIER_ADDRESS = frozenset(
    {"供应商地址", "中标供应商地址", "成交供应商地址", "中标人地址", "中标单位地址", "地址"}
)
_LOT_AMOUNT_LABELS = frozenset(
    {
        "中标金额",
        "成交金额",
        "中标价",
        "成交价",
        "中标价格",
        "成交价格",
        "中标报价",
        "成交报价",
        "投标报价",
        "合同金额",
        "中标总价",
        "成交总价",
        "中选金额",
        "下浮率",
        "折扣率",
        "优惠率",
        "费率",
        "中标费率",
        "成交费率",
        "中标下浮率",
        "成交下浮率",
        "中标折扣率",
        "成交折扣率",
        "中标优惠率",
        "报价下浮率",
    }
)
_LOT_ID_LABELS = frozenset({"包组或产品名称", "包号", "包组", "标包", "采购包", "合同包", "标段号"})
_AWARD_BASIS_LABELS = frozenset({"中标类型", "成交类型", "报价方式", "报价类型"})
_LOT_NAME_LABELS = frozenset(
    {
        "包名称",
        "标的名称",
        "采购包名称",
        "标项名称",
        "标段名称",
        "分包名称",
        "合同包名称",
        "包组名称",
        "采购内容",
        "采购标的",
    }
)
_LOT_BUDGET_LABELS = frozenset(
    {"预算金额", "预算", "包预算", "采购预算", "包预算金额", "合同包预算金额", "预算总金额"}
)
# Labels that continue the previous value rather than start a field (金额：大写：…（小写：…）).
_CONTINUATIONS = frozenset({"大写", "小写", "人民币"})
# Every label worth recognising when padded with spaces (名　　称：, 联 系 人：).
_VOCABULARY = frozenset(
    set(_FIELD_LABELS)
    | set(_PARTY_OF_LABEL)
    | {label for fields in _PARTY_FIELDS.values() for label in fields}
    | _LOT_SUPPLIER_ADDRESS
    | _LOT_AMOUNT_LABELS
    | _AWARD_BASIS_LABELS
    | _LOT_ID_LABELS
    | _LOT_NAME_LABELS
    | _LOT_BUDGET_LABELS
    | {
        "品目",
        "开标时间",
        "开标地点",
        "项目联系电话",
        "代理机构地址",
        "时间",
        "地点",
        "方式",
        "售价",
    }
)


def _spaced(label: str) -> str:
    return r"[ \t]*".join(re.escape(char) for char in label)


_KNOWN_SPACED = re.compile(
    "("
    + "|".join(_spaced(label) for label in sorted(_VOCABULARY, key=len, reverse=True))
    + r")(?=[ \t]*(?:\([^()]*\))?[ \t]*:)"
)
# Any label padded out at the start of a line (开 标 时 间：): nothing before it to run into.
_SPACED_AT_START = re.compile(r"^((?:[\u4e00-\u9fff][ \t]+)+[\u4e00-\u9fff])(?=[ \t]*:)")
_LABEL = re.compile(
    r"(?:^|(?<=[\s,;。、.()\d]))"  # after a number too: …电话：0310-8017176采购人：…
    r"(?P<label>[\u4e00-\u9fff]+(?:[\\/]?\([^()]{0,60}\)[\u4e00-\u9fff]*){0,3})\s*:"
)
# The label a 一、项目编号 / 二、项目名称 heading starts with, the value after it.
_HEADING_LABEL = re.compile(r"^\s*(?:采购项目|项目|招标)(?:编号|名称)\s*(?:\([^()]*\))?\s*:?")
_HEADING = re.compile(r"^(?P<number>[一二三四五六七八九十]{1,3})\s*[、.]\s*(?P<rest>.*)$")
_NONE_VALUE = re.compile(r"[/\\\-—–_*.…]+|无|暂无|不详|空|null", re.IGNORECASE)


@dataclass(frozen=True)
class _Pair:
    """One ``label：value`` of a line; ``label`` squashed but with its parentheses."""

    label: str
    value: str

    @property
    def key(self) -> str:
        """The label without its parenthesised parts: 预算金额（万元） → 预算金额."""
        key = re.sub(r"[\\/]", "", _PARENS.sub("", self.label))
        return key[:-1] if key.endswith(("为", "是")) and len(key) > 3 else key  # 中标价格为：

    @property
    def hint(self) -> str | None:
        """A unit the label's parentheses name (预算金额（万元） → 万元)."""
        inside = " ".join(_PARENS.findall(self.label))
        return inside if unit_multiplier(inside) else None


@dataclass
class _Section:
    """A numbered section (``三、中标（成交）信息``): its kind and lines, heading text first."""

    kind: str
    lines: list[str]


@dataclass
class _Doc:
    """One notice being read: its lines, its sections and its HTML (parsed once, if needed)."""

    lines: list[str]
    sections: list[_Section]
    html: str | None
    published_at: datetime | None
    _soup: BeautifulSoup | None = None

    @property
    def soup(self) -> BeautifulSoup | None:
        if self.html and self._soup is None:
            self._soup = read_markup(self.html)
        return self._soup


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _despace(line: str) -> str:
    """Close up padded labels (``名　　称：`` → ``名称：``) so one label pattern fits all."""
    narrowed = narrow(line)
    spans = [m.span(1) for m in _SPACED_AT_START.finditer(narrowed)]
    spans += [m.span(1) for m in _KNOWN_SPACED.finditer(narrowed)]
    gaps = {i for start, end in spans for i in range(start, end) if narrowed[i] in " \t"}
    return "".join(char for i, char in enumerate(line) if i not in gaps) if gaps else line


_MARKDOWN_LEAD = re.compile(r"^(?:#{1,6}|[-*+])\s+")
_MARKDOWN_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?$")


def _table_row(line: str) -> str:
    """A markdown table row (``| 招标人: | 某某公司 |``, as page-to-text tools write tables)
    as tab-separated cells, the form the rest of this module reads; a ``|---|`` rule as
    nothing."""
    if not (line.startswith("|") and line.endswith("|") and len(line) > 2):
        return line
    if _MARKDOWN_RULE.match(line):
        return ""
    cells = [cell.strip() for cell in line[1:-1].split("|")]
    return "\t".join(cells).strip("\t")


_RUN_ON_HEADING = re.compile(r"(?<![一二三四五六七八九十])([一二三四五六七八九十]{1,3})[、．]")


def _split_run_on(line: str) -> list[str]:
    """A notice whose line breaks were lost (…公告一、采购人：…二、采购项目名称：…) back into
    its numbered sections: cut before 一、 二、 三、 … where they follow in order."""
    if len(line) < 200:
        return [line]
    cuts: list[int] = []
    last = 0
    for match in _RUN_ON_HEADING.finditer(line):
        number = cn_number(match[1])
        if last < number <= last + 2:  # in order; a section may be missing (三、 then 五、)
            cuts.append(match.start())
            last = number
    if len(cuts) < 3:
        return [line]
    pieces = [line[a:b] for a, b in pairwise([0, *cuts, len(line)])]
    return [piece.strip() for piece in pieces if piece.strip()]


def _prepare_lines(text: str) -> list[str]:
    """Label-despaced, non-empty lines as written; tabs kept, they separate table cells.

    Patterns match the lines narrowed (``：`` → ``:``); narrowing keeps every position, so
    values are cut from the line as written and keep their ``（）`` and ``，``.
    """
    lines = []
    for raw in (piece for whole in text.splitlines() for piece in _split_run_on(whole)):
        # Markdown headings and bullets (## 1.采购人信息, - 名称：…) of text converted from pages.
        line = _despace(_MARKDOWN_LEAD.sub("", _table_row(raw.strip())))
        if line:
            lines.append(line)
    return lines


def _clean(value: str | None) -> str | None:
    """A value without padding and trailing punctuation; ``None`` for ``无``, ``/`` and blanks."""
    if value is None:
        return None
    value = re.sub(r"\s+", " ", value).strip(" ,;。、:，；：|")
    if not value or _NONE_VALUE.fullmatch(narrow(value)):
        return None
    return value


# Where a party's name stops: a date or a seal note after a signature, the next field run on
# into the same cell, a table's separator (…管理委员会 2017年1月9日（单位公章）).
_NAME_END = re.compile(
    r"\s*(?:(?:19|20)\d{2}\s*[年./-]\s*\d|[〇零○O一二三四五六七八九]{4}\s*年"
    r"|[(\[]?\s*(?:单位|法人)?(?:公章|盖章|签章|印章|签字|电子章)"
    r"|\|"
    r"|(?:采购人|采购单位|招标人|代理机构)?"
    r"(?:地址|联系人|联系方式|联系电话|电话|邮编|邮政编码|统一社会信用代码|传真)\s*:)"
)
_CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff)])[ \t]+(?=[\u4e00-\u9fff(])")
# Column headers and labels that a table's layout can put where a name belongs.
_NOT_A_NAME = re.compile(
    r"(?:第[一二三四五六七八九十\d]+)?(?:中标|成交|中选)?(?:候选人|候选供应商)(?:名称)?"
    r"|拟?(?:中标|成交|中选)(?:人|供应商|单位)(?:名称)?|(?:供应商|投标人|单位|企业)?名称"
    r"|工商注册号|统一社会信用代码|注册号|排名|排序|序号|名次|投标人|供应商|报价|地址|联系人"
    r"|采购人|采购单位|招标人|代理机构|采购代理机构|招标代理机构"
)


# The next field's label run on after a name without a break: 某某公司招标代理：…
_GLUED_NEXT_LABEL = re.compile(
    r"(?<=公司)(?:[\u4e00-\u9fff]{2,12}:|(?:招标|采购)?代理(?:机构)?$|中标通知书)"
)
_LEAD_LABEL = re.compile(r"^(?:联合体)?牵头(?:供应商|人|方|单位)?\s*:\s*")


def party_name(value: str | None) -> str | None:
    """A buyer's, agency's or supplier's name, or ``None`` where the text is not a name.

    Stops at a signature's date or seal note, at a field run on into the cell and at a table
    separator; closes up spaces a layout put inside a name (``有限 公司``); refuses column
    headers (``第二中标候选人``, ``工商注册号``), dates and bare numbers.
    """
    value = _clean((value or "").strip(" |\t"))
    if value is None:
        return None
    lead = _LEAD_LABEL.match(narrow(value))  # 牵头供应商：… of a consortium
    value = value[lead.end() :] if lead else value
    parts = {part.strip() for part in re.split(r"[,，]", value)}
    if len(parts) == 1 and "," in narrow(value):
        value = parts.pop()  # the same name once per lot: 某某院,某某院,某某院
    value = re.split(r"[\ue000-\uf8ff]", value)[0]  # private-use glyphs of a copied page end it
    value = re.sub(r"\s+\d{1,2}\s*[.、]?$", "", value)  # the next item's number: …公司 2.
    glued = _GLUED_NEXT_LABEL.search(narrow(value))
    if glued:
        value = value[: glued.start()]  # 某某有限公司中标通知书发出日期：… ran together
    end = _NAME_END.search(narrow(value))
    if end:
        value = value[: end.start()]
    value = _CJK_GAP.sub("", narrow_parens(value)).strip(" ,;。、:，；：|")
    squashed = _squash(narrow(value))
    if len(squashed) < 2 or _NOT_A_NAME.fullmatch(squashed) or not re.search(r"[^\W\d_]", squashed):
        return None
    return _clean(value)


def narrow_parens(value: str) -> str:
    """Spaces around brackets closed up: ``某某（北京） 有限公司`` reads as one name."""
    return re.sub(r"\s*([（(）)])\s*", r"\1", value)


def _is_label(label: str) -> bool:
    return 2 <= len(_PARENS.sub("", label)) <= 16


def _cells(line: str) -> list[str]:
    """A table row's cells: tab-separated, else separated by wide gaps, else by any space."""
    line = re.sub(r"[ \t\u3000]+(?=[(（])", "", line.strip())  # 中标金额 （万元） is one cell
    if "\t" in line:
        return [cell.strip() for cell in line.split("\t")]
    if re.search(r"[ \u3000\xa0]{2,}", line):
        return re.split(r"[ \u3000\xa0]{2,}", line)
    return line.split()


_UNKNOWN_LABEL = re.compile(r"[\u4e00-\u9fff]{2,12}(?:\([^()]{0,8}\))?")


def _cell_pairs(line: str) -> list[_Pair]:
    """``label value label value`` cells (公告概要 rows as text), when the labels are known."""
    cells = [cell for cell in _cells(line) if cell]
    if cells:  # 1：中标供应商名称  某某公司  法人代表  …: the row's number is no part of the label
        cells[0] = re.sub(r"^\d{1,2}\s*[:：、.]\s*", "", cells[0])
    labels = [_squash(narrow(cell)) for cell in cells]
    if len(cells) < 2 or labels[0] not in _VOCABULARY:
        return []
    if labels[1] in _VOCABULARY:
        return []  # a header row: label after label
    pairs: list[_Pair] = []
    index = 0
    while index + 1 < len(cells):
        if labels[index] in _VOCABULARY:
            pairs.append(_Pair(labels[index], cells[index + 1]))
        elif not _UNKNOWN_LABEL.fullmatch(labels[index]):
            break
        index += 2  # 中标通知书发出日期 2021/5/8: a label of no interest and its value
    if index < len(cells) and pairs:  # stray cells belong to the last value
        last = pairs[-1]
        pairs[-1] = _Pair(last.label, " ".join([last.value, *cells[index:]]))
    return pairs


def _read(line: str) -> tuple[str, list[_Pair]]:
    """The unlabelled text before the first label, and the ``label：value`` pairs of a line."""
    if "\t" in line:
        labelled = _labelled_cells(line)
        if labelled is not None:
            return labelled
    return _read_text(line)


def _read_text(line: str) -> tuple[str, list[_Pair]]:
    """:func:`_read` of text without cells, or of one cell."""
    narrowed = narrow(line)
    matches = [
        m
        for m in _LABEL.finditer(narrowed)
        if _is_label(m["label"]) and (not _bracketed(narrowed, m) or _known(m["label"]))
    ]
    # 金额：大写：…（小写：…） is one value, not three fields.
    matches = [
        m for i, m in enumerate(matches) if not i or _squash(m["label"]) not in _CONTINUATIONS
    ]
    if not matches:
        cell_pairs = _cell_pairs(line)
        return ("", cell_pairs) if cell_pairs else (line.strip(), [])
    pairs: list[_Pair] = []
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(line)
        if _bracketed(narrowed, match):  # （项目编号：ZB-1）进行…: the value ends with its bracket
            closing = narrowed.find(")", match.end(), end)
            end = closing if closing >= 0 else end
        pairs.append(_Pair(_squash(match["label"]), line[match.end() : end].strip()))
    return line[: matches[0].start()].strip(), pairs


def _bracketed(narrowed: str, match: re.Match[str]) -> bool:
    return match.start() > 0 and narrowed[match.start() - 1] == "("


def _known(label: str) -> bool:
    return _PARENS.sub("", _squash(label)) in _VOCABULARY


def _labelled_cells(line: str) -> tuple[str, list[_Pair]] | None:
    """A row of tab-separated cells holding ``label：value`` (a value ends at its cell), or a
    ``label：`` cell followed by its value's cell (``招标人：\t某某公司\t中标价(元)：\t2079``).
    None when no cell holds a label."""
    cells = [cell.strip() for cell in line.split("\t") if cell.strip()]
    pairs: list[_Pair] = []
    prefix: list[str] = []
    index = 0
    while index < len(cells):
        before, found = _read_text(cells[index])
        if found:
            following = cells[index + 1] if index + 1 < len(cells) else None
            if not found[-1].value and following is not None and not _read_text(following)[1]:
                found[-1] = _Pair(found[-1].label, following)
                index += 1
            pairs.extend(found)
        elif not pairs:
            prefix.append(before)
        index += 1
    return (" ".join(prefix), pairs) if pairs else None


_SECTION_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("basic", r"^(?:项目基本情况|项目概况|基本情况)"),
        ("number", r"^(?:采购项目编号|项目编号|招标编号)"),
        ("name", r"^(?:采购项目名称|项目名称)"),
        # Who scored whom (采购小组成员评审结果) before who won: its names are no winners.
        ("experts", r"评审专家|评标委员会|单一来源采购人员|谈判小组|磋商小组|小组成员|委员会成员"),
        ("award", r"(?:中标|成交|中选).{0,8}(?:信息|结果|情况|供应商|人)|评审结果|采购结果"),
        ("items", r"主要标的|标的信息"),
        ("fee", r"代理服务(?:费|收费)|服务收费"),
        ("change", r"更正信息|变更信息|更正内容|更正事项|澄清内容|变更内容"),
        ("reason", r"原因|理由"),
        ("period", r"公告期限"),
        ("contact", r"联系"),
        ("supplement", r"补充事宜"),
        ("qualification", r"资格要求"),
        ("documents", r"获取.{0,6}文件"),
        ("deadline", r"截止时间|开标"),
        ("attachments", r"^附件"),
    )
)
_NOT_FIELDS = frozenset({"items", "experts", "fee", "period", "attachments"})
_LOT_FALLBACK = frozenset({"preamble", "unknown", "basic", "number", "name"})


def _section_kind(heading: str) -> str:
    heading = _squash(heading)
    for kind, pattern in _SECTION_KINDS:
        if pattern.search(heading):
            return kind
    return "unknown"


def _sections(lines: list[str]) -> list[_Section]:
    sections = [_Section("preamble", [])]
    for line in lines:
        heading = _HEADING.match(narrow(line))
        if heading and heading["rest"]:
            rest = line[heading.start("rest") :]
            sections.append(_Section(_section_kind(heading["rest"]), [rest]))
        else:
            sections[-1].lines.append(line)
    return [section for section in sections if section.lines]


# --- lots --------------------------------------------------------------------------------------

_NUMERAL = r"[0-9一二三四五六七八九十]+"
_LOT_CORE = (
    rf"第\s*{_NUMERAL}\s*(?:包|标段|标包|分包|合同包|采购包|标项|子包)"
    rf"|(?:合同包|采购包|分包|标包|标段|标项|子包|包组|包件|包)\s*{_NUMERAL}"
    r"|(?:合同包|采购包|标包|标段|包)\s*[A-Z](?![A-Za-z])"
    r"|(?<![A-Za-z0-9])[A-Z]包"
)
_LOT_MARKER = re.compile(rf"^\s*\(?(?P<lot>{_LOT_CORE})\)?(?![\dA-Za-z])\s*[:、.]?\s*")
# A second lot on the same line (…；包2：…) starts a line of its own.
_LOT_SPLIT = re.compile(rf"(?<=[;。,:\s])(?=(?:{_LOT_CORE})\s*[:(])")
_FAILED = re.compile(r"废标|流标|终止|未成交|无成交|采购失败|无中标|未中标|失败")
_ORGANISATION = re.compile(
    r"(?:公司|集团|研究院|研究所|设计院|中心|事务所|大学|学院|医院|厂|合作社|联合体|院|所|社|店)"
    r"(?:[(（][^()（）]*[)）])?$"
)
_MONEY_LIKE = re.compile(r"(?=.*(?:\d|[壹贰叁肆伍陆柒捌玖拾佰仟]))(?=.*(?:[元圆¥%‰]|万|亿)).*")
_BARE_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_TOTAL_ROW = re.compile(r"^(?:合计|总计|总价|总金额|小计)")
_UNIT_CELL = re.compile(r"^\(?(?:[千百]?万|亿)?元\)?(?:\(人民币\))?$|^\(人民币\)$|^[%‰]$")
_UNIT_CAPTION = re.compile(r"单位\s*:?\s*((?:[千百]?万|亿)?元)")
_REQUIREMENTS = re.compile(r"^(?:\d+\s*[.、])?\s*采购需求(?:\([^()]*\))?\s*:?\s*")
_REQUIREMENTS_END = re.compile(
    r"^(?:\d+\s*[.、])?\s*(?:合同履行期限|履约期限|本项目.{0,6}(?:接受|联合体)|是否接受联合体)"
)


def _column_kind(cell: str) -> tuple[str, str | None]:
    """What a header cell holds (supplier, amount …) and the unit its parentheses name."""
    squashed = _squash(narrow(cell))
    key = _PARENS.sub("", squashed)
    inside = " ".join(_PARENS.findall(squashed))
    hint = inside if unit_multiplier(inside) else None
    rules = (
        ("other", r"^是否|方法$|得分"),  # 是否价格扣除 and 评审方法 are not the price
        ("index", r"^(?:序号|编号|排名)$"),
        ("lot_name", r"(?:包|标段|标项).*(?:名称|内容)"),
        ("lot", r"^(?:(?:采购|合同|分)?包(?:号|组|件|别|编号)?|标(?:包|段|项)(?:号|编号)?|包段)$"),
        ("address", r"地址"),
        ("supplier", r"供应商|中标人|成交人|中标单位|成交单位|候选人|中标方|成交方|中选"),
        ("budget", r"预算"),
        ("max", r"限价|控制价"),
        ("other", r"单价"),
        ("amount", r"金额|价格|报价|总价|中标价|成交价|率|^(?:中标|成交)结果$"),
        ("lot_name", r"标的名称|项目名称|采购内容|采购标的"),
    )
    for kind, pattern in rules:
        if re.search(pattern, key):
            return kind, hint
    return "other", hint


def _table_header(cells: list[str], mode: str) -> list[tuple[str, str | None]] | None:
    """Column kinds when ``cells`` are a lot table's header row, else ``None``."""
    if len(cells) < 2 or any(len(_squash(cell)) > 24 for cell in cells):
        return None
    if any(":" in _PARENS.sub("", narrow(cell)) for cell in cells):
        return None
    columns = [_column_kind(cell) for cell in cells]
    if any(
        kind == "other" and (re.search(r"\d", cell) or _ORGANISATION.search(cell))
        for (kind, _), cell in zip(columns, cells, strict=True)
    ):
        return None  # a header with its row run on after it (…金额 某某有限公司 128万元)
    kinds = {kind for kind, _ in columns} - {"other"}
    if mode == "award":
        return columns if "supplier" in kinds and len(kinds) >= 2 else None
    has_lot = bool(kinds & {"lot", "lot_name"})
    return columns if has_lot and kinds & {"budget", "amount"} else None


# Header cells a lot table has beside the ones read (评审总得分, 供应商联系电话 …).
_HEADER_WORD = re.compile(
    r"得分|电话|序号|数量|单位|规格|型号|品牌|备注|排名|名次|服务|名称|地址|金额|报价|方法|是否|扣除"
    r"|类型|编码|代码|包|标段|结果"
)


def _inline_table(
    cells: list[str], mode: str
) -> tuple[list[tuple[str, str | None]], list[list[str]]] | None:
    """A table flattened onto one line, header then row(s): ``供应商名称 供应商地址 中标金额(元)
    某某有限公司 某市某路1号 7997000.00``, as page-to-text converters write small tables."""
    for split in range(len(cells) - 1, 1, -1):
        header, rest = cells[:split], cells[split:]
        if any(not _HEADER_WORD.search(_column_kind(c)[0] + c) for c in header):
            continue
        if _HEADER_WORD.search(rest[0]) and _column_kind(rest[0])[0] != "other":
            continue
        columns = _table_header(header, mode)
        if not columns:
            continue
        rest = _merge_units(rest)
        width = len(columns)
        if len(rest) % width == 0 and len(rest) > width:
            rows = [rest[i : i + width] for i in range(0, len(rest), width)]
        elif columns[-1][0] == "amount" and sum(map(_is_money, rest)) > 1:
            rows = _rows_ending_with_money(rest)  # rows of uneven width, each ends with its price
        else:
            rows = [rest]
        return columns, rows
    return None


# A header whose cells lost their separators (序号供应商名称供应商地址中标（成交）金额评审总得分),
# as text taken from a page without spacing has it; the one row follows on the same line.
_GLUED_COLUMN = (
    r"(?:序号|(?:中标|成交)?供应商(?:名称|地址|联系电话)|中标\(成交\)金额(?:\([^()]{0,4}\))?"
    r"|(?:中标|成交)金额(?:\([^()]{0,4}\))?|中标\(成交金额\)|评审总得分|得分|(?:评审|投标)?报价"
    r"|标项名称|备注)"
)
_GLUED_HEADER = re.compile(rf"^\s*(?:{_GLUED_COLUMN}\s*){{3,}}")
_COMPANY_END = re.compile(
    r"(?:有限责任公司|股份有限公司|有限公司|公司|事务所|研究院|设计院|研究所|中心|医院|大学|学院|合作社)"
    r"(?:[(（][^()（）]{1,12}[)）])?"
)
_GLUED_AMOUNT = re.compile(
    r"(?:报价|总价|单价|金额|下浮率|折扣率|费率)[^:]{0,12}:\s*[^:]{0,40}?(?:\([元%‰]\)|元|%|‰)"
)


_GLUED_PRICE = re.compile(r"(?:\d{1,3}\.\d{2})?(?P<yuan>\d[\d,]*\.\d{2})元")


def _is_glued(line: str) -> bool:
    """Whether a line starts with a header whose column names ran together (at most one gap)."""
    header = _GLUED_HEADER.match(narrow(line))
    return header is not None and len(header.group().split()) <= 2


def _glued_rows(
    lines: list[str], index: int, known_names: tuple[str, ...] = ()
) -> tuple[list[Lot], int]:
    """The rows after a glued header: each its index, the supplier up to its company ending
    and its price (``报价：595000（元）``, ``投标下浮率：36（%）``, a bare ``1512750.00元``),
    the first row's price perhaps on the next line. ``known_names`` (the project's name) are
    lot names a 标项名称 column may put before the supplier. Returns the lots and how many
    lines they took."""
    header = _GLUED_HEADER.match(narrow(lines[index]))
    if not header:
        return [], 0
    used = 1
    line = lines[index]
    if not _GLUED_AMOUNT.search(narrow(line)) and index + 1 < len(lines):
        following = lines[index + 1]
        if not _HEADING.match(narrow(following)) and _GLUED_AMOUNT.search(narrow(following)):
            line, used = f"{line} {following}", 2
    narrowed = narrow(line)
    columns = header.group()
    lots: list[Lot] = []
    position = header.end()
    while len(lots) < 50:
        lot, position = _glued_row(line, narrowed, position, columns, known_names, not lots)
        if lot is None:
            break
        lots.append(lot)
    return (lots, used) if lots else ([], 0)


def _glued_row(
    line: str,
    narrowed: str,
    position: int,
    columns: str,
    known_names: tuple[str, ...],
    first: bool,
) -> tuple[Lot | None, int]:
    """One glued row from ``position``: the lot and where the next row starts."""
    rest = narrowed[position:]
    amount_first = "金额" in columns and columns.find("金额") < columns.find("供应商")
    score_after_price = "得分" in columns and columns.find("得分") > columns.find("金额")
    if not first and score_after_price:
        score = re.match(r"\s*\d{1,3}\.\d{1,2}(?=\d)", rest)  # the last row's 评审总得分
        if score:
            position, rest = position + score.end(), rest[score.end() :]
    # The first row's 序号 is 1; glued to a bare amount (12717418) only that tells them apart.
    index_pattern = (
        r"\s*(?:1(?=\d)|\d{1,3}(?=\D))" if amount_first and first else r"\s*\d{1,3}(?=\D)"
    )
    number = re.match(index_pattern, rest) if "序号" in columns else None
    if "序号" in columns and not number:
        return None, position
    start = position + (number.end() if number else 0)
    body = narrowed[start:]
    if "标项名称" in columns or "包名称" in columns:
        for name in known_names:
            squashed = narrow(name).strip()
            if squashed and body.startswith(squashed):
                start, body = start + len(squashed), body[len(squashed) :]
                break
    amount = _GLUED_AMOUNT.search(body)
    bare = re.match(r"\s*\d[\d,]*(?:\.\d+)?", body) if amount_first else None
    if bare and not (amount and amount.start() < 4):
        amount = bare  # 金额 column first, written without a label
    name_from = amount.end() if amount and amount.start() < 4 else 0
    name_end = _company_end(body, name_from)
    if name_end is None:
        return None, position
    lot = Lot(lot="", supplier=party_name(line[start + name_from : start + name_end]))
    next_row = start + name_end
    if amount is not None and amount.start() >= 4:
        following = _company_end(body, name_end)
        if following is not None and amount.start() > following:
            amount = None  # that price is the next row's
    if amount is bare and bare is not None:
        lot.amount = parse_amount(bare.group().strip(), columns)
    elif amount:
        label, _, value = body[amount.start() : amount.end()].partition(":")
        value = re.sub(r"\(\s*([元%‰])\s*\)", r"\1", value)
        lot.amount = parse_amount(f"{label}:{value}" if "率" in label else value)
        next_row = max(next_row, start + amount.end())
    else:
        # Unlabelled: a score glued before the price (88.671512750.00元) is cut off first.
        price = _GLUED_PRICE.search(body, name_end)
        if price:
            lot.amount = parse_amount(price["yuan"] + "元")
            next_row = start + price.end()
    return (lot, next_row) if lot.supplier else (None, position)


def _company_end(text: str, start: int) -> int | None:
    """Where a supplier's name ends in glued text: its 公司, else another organisation word."""
    company = re.compile(r"公司(?:[(（][^()（）]{1,12}[)）])?").search(text, start)
    found = company or _COMPANY_END.search(text, start)
    return found.end() if found else None


_COLUMN_TOKEN = re.compile(
    r"序号|标包|包号|分包|(?:货物|服务|货物服务|标的|项目)名称|(?:中标|成交)?供应商(?:名称|地址)|地址"
    r"|(?:中标|成交)结果|(?:中标|成交)金额(?:\([^()]{0,4}\))?|(?:中标|成交)?价格|评审总得分|得分|备注"
)


def _unglued_header(line: str) -> list[str] | None:
    """Cells of a row whose header ran together with its first cell (中标情况：标包货物服务名称
    供应商名称地址中标结果A道路工程 某某有限公司 …): the header's column names, then the row."""
    narrowed = narrow(line)
    label = re.match(r"^[^:\s]{0,12}:\s*", narrowed)
    position = label.end() if label else 0
    tokens: list[str] = []
    while True:
        token = _COLUMN_TOKEN.match(narrowed, position)
        if not token:
            break
        tokens.append(line[token.start() : token.end()])
        position = token.end()
    if len(tokens) < 3:
        return None
    return tokens + _cells(line[position:])


def _rows_ending_with_money(cells: list[str]) -> list[list[str]]:
    rows: list[list[str]] = [[]]
    for cell in cells:
        rows[-1].append(cell)
        if _is_money(cell):
            rows.append([])
    return [row for row in rows if row]


def _merge_units(cells: list[str]) -> list[str]:
    """Put a unit that landed in a cell of its own (``128.5 万元``) back with its number."""
    merged: list[str] = []
    for cell in cells:
        if merged and _UNIT_CELL.match(narrow(_squash(cell))):
            merged[-1] = f"{merged[-1]}{cell}"
        else:
            merged.append(cell)
    return merged


def _text_rows(lines: list[str], start: int, mode: str) -> tuple[list[list[str]], int]:
    """The rows after a text table's header, up to the first line that is not a row."""
    rows: list[list[str]] = []
    index = start
    while index < len(lines):
        line = lines[index]
        if _HEADING.match(narrow(line)) or _read(line)[1]:
            break
        cells = _merge_units(_cells(line))
        if len(cells) < 2 or _table_header(cells, mode):
            break
        rows.append(cells)
        index += 1
    return rows, index


def _is_money(cell: str) -> bool:
    """Whether a cell states money or a rate (``128万元``, ``下浮率5%``), not 万达大厦3号."""
    return bool(_MONEY_LIKE.match(narrow(cell))) and parse_amount(cell).kind != "unknown"


def _money_cell(cell: str) -> bool:
    """A cell an amount column could hold: money, a bare number (the header has the unit), /."""
    cell = narrow(cell).strip()
    return bool(
        _MONEY_LIKE.match(cell) or _BARE_NUMBER.fullmatch(cell) or _NONE_VALUE.fullmatch(cell)
    )


def _looks_like_id(cell: str) -> bool:
    return bool(cell) and len(cell) <= 8 and not _ORGANISATION.search(cell)


def _assign_cells(kinds: list[str], cells: list[str]) -> dict[str, str]:
    """Cells to column kinds; when counts differ, numbers go left, money right, text between."""
    if len(cells) == len(kinds):
        pairs = list(zip(kinds, cells, strict=True))
    else:
        pairs = _assign_uneven(kinds, cells)
    record: dict[str, str] = {}
    for kind, cell in pairs:
        record.setdefault(kind, cell)
    return record


def _assign_uneven(kinds: list[str], cells: list[str]) -> list[tuple[str, str]]:
    left, right = 0, len(cells)
    head, tail = 0, len(kinds)
    pairs: list[tuple[str, str]] = []
    while head < tail and kinds[head] in ("index", "lot") and left < right:
        if not _looks_like_id(cells[left]):
            break
        pairs.append((kinds[head], cells[left]))
        head, left = head + 1, left + 1
    while tail > head and kinds[tail - 1] == "other" and right > left:
        if not _BARE_NUMBER.fullmatch(narrow(cells[right - 1]).strip()):
            break  # a score (评审总得分 100.00) after the price
        pairs.append((kinds[tail - 1], cells[right - 1]))
        tail, right = tail - 1, right - 1
    while tail > head and kinds[tail - 1] in ("amount", "budget", "max") and right > left:
        if not _money_cell(cells[right - 1]):
            break
        cell = cells[right - 1]
        pairs.append((kinds[tail - 1], cell))
        tail, right = tail - 1, right - 1
    middle_kinds, middle = kinds[head:tail], cells[left:right]
    if not middle_kinds:
        return pairs
    if len(middle) < len(middle_kinds) and "supplier" in middle_kinds:
        # A cell short (a lot and its name in one cell): the company name is the supplier's.
        company = next((i for i, cell in enumerate(middle) if _ORGANISATION.search(cell)), None)
        at = middle_kinds.index("supplier")
        if company is not None and company < at:
            pairs.append(("supplier", middle[company]))
            pairs += list(zip(middle_kinds[:at], middle[:company], strict=False))
            pairs += list(zip(middle_kinds[at + 1 :], middle[company + 1 :], strict=False))
            return pairs
    # Spaces inside a name or an address split it; the last text column takes the overflow.
    for offset, kind in enumerate(middle_kinds[:-1]):
        if offset < len(middle):
            pairs.append((kind, middle[offset]))
    rest = middle[len(middle_kinds) - 1 :]
    if rest:
        pairs.append((middle_kinds[-1], " ".join(rest)))
    return pairs


def _set_amount(lot: Lot, amount: Amount) -> None:
    """Keep the first amount a lot states, unless it was only ``详见附件``."""
    if lot.amount is None or (lot.amount.kind == "unknown" and amount.kind != "unknown"):
        lot.amount = amount


def _lot_from_record(
    record: dict[str, str], hints: dict[str, str | None], mode: str, label: str
) -> Lot:
    lot = Lot(lot=label, lot_name=_clean(record.get("lot_name")))
    money_kind = "amount" if mode == "award" else ("budget" if "budget" in record else "amount")
    money = _clean(record.get(money_kind))
    if money:
        lot.amount = parse_amount(money, hints.get(money_kind))
    if mode != "award":
        return lot
    supplier = party_name(record.get("supplier"))
    lot.failed = bool(_FAILED.search(" ".join(record.values())))
    lot.supplier = None if lot.failed else supplier
    lot.supplier_address = None if lot.failed else _clean(record.get("address"))
    if lot.failed and lot.amount and lot.amount.kind != "amount":
        lot.amount = None
    return lot


def _table_lots(
    columns: list[tuple[str, str | None]], rows: list[list[str]], mode: str, caption: str | None
) -> tuple[list[Lot], Amount | None]:
    """One Lot per row of a lot table, and the table's 合计 row as a total."""
    kinds = [kind for kind, _ in columns]
    hints: dict[str, str | None] = {}
    for kind, hint in columns:
        hints.setdefault(kind, hint or caption)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    totals = [row for row in rows if _TOTAL_ROW.match(_squash(row[0]) or _squash("".join(row)))]
    body = [row for row in rows if row not in totals]
    total = None
    for row in totals:
        money = [cell for cell in row if _is_money(cell)]
        if money:
            total = parse_amount(money[-1], hints.get("amount"))
    lots = []
    for row in body:
        record = _assign_cells(kinds, row)
        label = record.get("lot") or ("" if len(body) == 1 else record.get("index", ""))
        lots.append(_lot_from_record(record, hints, mode, _squash(label)))
    return lots, total


def _split_lots(lines: Iterable[str]) -> list[str]:
    pieces = []
    for line in lines:
        cuts = [0, *(m.start() for m in _LOT_SPLIT.finditer(narrow(line))), len(line)]
        pieces += [line[a:b].strip() for a, b in pairwise(cuts) if line[a:b].strip()]
    return pieces


def _lot_amount(pair: _Pair, basis: str | None = None) -> Amount:
    value = pair.value
    # 下浮率：5 has no % sign: the label is what says it is a rate. A label that allows both
    # (中标金额（元）\（%）) leaves it to the notice's 中标类型 (折扣率中标 or 总价中标).
    either = "%" in pair.label and pair.hint is not None
    rate_basis = basis is not None and "率" in basis
    if ("率" in pair.key or (either and rate_basis)) and not re.search(r"[%‰％]", value):
        value = f"{pair.key}率:{value}" if "率" not in pair.key else f"{pair.key}:{value}"
    return parse_amount(value, None if either and rate_basis else pair.hint)


def _fill_from_pair(lot: Lot, pair: _Pair, mode: str) -> None:
    key, value = pair.key, _clean(pair.value)
    if value is None:
        return
    if key in _LOT_NAME_LABELS or (mode == "tender" and key == "名称"):
        lot.lot_name = lot.lot_name or value
    elif mode == "tender":
        if key in _LOT_BUDGET_LABELS:
            _set_amount(lot, parse_amount(value, pair.hint))
    elif key in _SUPPLIER_LABELS:
        if _FAILED.search(value):
            lot.failed = True
        else:
            lot.supplier = lot.supplier or party_name(value)
    elif key in _LOT_SUPPLIER_ADDRESS:
        lot.supplier_address = lot.supplier_address or value
    elif key in _LOT_AMOUNT_LABELS:
        _set_amount(lot, _lot_amount(pair, lot.basis))
    elif key in _AWARD_BASIS_LABELS:
        lot.basis = value
    elif key in _LOT_ID_LABELS and not lot.lot:
        number = re.search(r"[0-9A-Z]+|[一二三四五六七八九十]+", narrow(value))
        lot.lot = number.group() if number else value


def _fill_from_prefix(lot: Lot, prefix: str, mode: str) -> None:
    """Unlabelled text right after a lot marker: a name, a winner, an amount, or 废标."""
    text = prefix.strip(" ,;。、:，；：\u3000")
    if not text:
        return
    if mode == "award" and _FAILED.search(text):
        lot.failed = True
        return
    bracketed = re.fullmatch(r"[(（](.+)[)）]", text)
    if bracketed:
        lot.lot_name = lot.lot_name or _clean(bracketed[1])
        return
    names = []
    for cell in _cells(text):
        if _is_money(cell):
            _set_amount(lot, parse_amount(cell))
        elif mode == "award" and _ORGANISATION.search(cell) and not lot.supplier:
            lot.supplier = party_name(cell)
        else:
            names.append(cell)
    if names:
        lot.lot_name = lot.lot_name or _clean(" ".join(names).strip("()（）"))


# 成交供应商名称、地址及成交金额： with the winner on the next line, its parts between 、.
_NAME_ADDRESS_AMOUNT = re.compile(
    r"^(?:中标|成交)供应商名称、(?:联系)?地址(?:及|、)(?:中标|成交)金额\s*:\s*$"
)


def _name_address_amount(line: str) -> Lot | None:
    if _read(line)[1]:
        return None  # labelled lines follow (成交供应商名称：…): read as such
    parts = [part.strip() for part in re.split(r"[、\t]|\s{2,}", line) if part.strip()]
    if not parts or not _ORGANISATION.search(parts[0]):
        return None
    lot = Lot(lot="", supplier=party_name(parts[0]))
    money = [part for part in parts[1:] if _is_money(part)]
    if money:
        lot.amount = parse_amount(money[0])
    return lot if lot.supplier else None


def _has_content(lot: Lot) -> bool:
    return bool(lot.supplier or lot.amount or lot.failed or lot.lot_name)


def _lots_from_lines(
    lines: list[str], mode: str, names: tuple[str, ...] = ()
) -> tuple[list[Lot], Amount | None]:
    """Lots written as tables or as paragraphs led by 包1 / 第一包 / 标段二 markers."""
    lines = _split_lots(lines)
    lots: list[Lot] = []
    loose = Lot(lot="")  # what is said before any marker: a notice without lots
    current: Lot | None = None
    total: Amount | None = None
    index = 0
    while index < len(lines):
        cells = _cells(lines[index])
        columns = _table_header(cells, mode)
        if not columns and mode == "award" and _is_glued(lines[index]):
            glued, used = _glued_rows(lines, index, names)
            if glued:
                lots.extend(glued)
                current = None
                index += used
                continue
        if not columns:
            cells = _unglued_header(lines[index]) or cells
        inline = None if columns else _inline_table([c for c in cells if c.strip()], mode)
        if inline:
            columns, rows = inline
            table_lots, table_total = _table_lots(columns, rows, mode, None)
            if not _fold_into_marker(current, table_lots):
                lots.extend(table_lots)
            total = total or table_total
            current = None
            index += 1
            continue
        glued, used = ([], 0) if columns or mode != "award" else _glued_rows(lines, index, names)
        if glued:
            lots.extend(glued)
            current = None
            index += used
            continue
        if columns:
            caption = _unit_caption(lines[max(0, index - 2) : index + 1])
            rows, index = _text_rows(lines, index + 1, mode)
            table_lots, table_total = _table_lots(columns, rows, mode, caption)
            if not _fold_into_marker(current, table_lots):
                lots.extend(table_lots)
            total = total or table_total
            current = None
            continue
        line = lines[index]
        index += 1
        if mode == "award" and _NAME_ADDRESS_AMOUNT.match(narrow(line)) and index < len(lines):
            listed = _name_address_amount(lines[index])
            if listed is not None:
                lots.append(listed)
                index += 1
                continue
        marker = _LOT_MARKER.match(narrow(line))
        if marker:
            current = Lot(lot=_squash(marker["lot"]))
            lots.append(current)
            line = line[marker.end() :]
        prefix, pairs = _read(line)
        if current is not None and prefix:
            _fill_from_prefix(current, prefix, mode)
        for pair in pairs:
            target = current or loose
            if mode == "award" and pair.key in _SUPPLIER_LABELS and target.supplier:
                # 供应商名称 again, no marker between: the next lot's result begins.
                if target is loose:
                    lots.append(loose)
                current = Lot(lot="")
                lots.append(current)
                target = current
            _fill_from_pair(target, pair, mode)
    lots = [lot for lot in lots if _has_content(lot)]
    if mode == "award" and loose.supplier and not any(lot.supplier for lot in lots):
        # A winner stated before one lot marker (名称：包7（…） in the items after it) is that
        # lot's winner; before several markers, the notice's.
        if len(lots) == 1 and not lots[0].failed:
            only = lots[0]
            loose.lot, loose.lot_name = only.lot, loose.lot_name or only.lot_name
            loose.amount = loose.amount or only.amount
        lots = [loose]
    elif not lots and mode == "award" and _has_content(loose):
        lots = [loose]
    return [_settled(lot) for lot in lots], total


def _fold_into_marker(marker: Lot | None, table_lots: list[Lot]) -> bool:
    """A one-row table right under a lot's marker (合同包1(…): then 供应商名称 … 金额 and its
    row) is that lot's result: its winner and amount go to the marked lot."""
    if marker is None or marker.supplier or marker.amount or len(table_lots) != 1:
        return False
    row = table_lots[0]
    marker.supplier, marker.supplier_address = row.supplier, row.supplier_address
    marker.amount, marker.failed = row.amount, row.failed or marker.failed
    marker.lot_name = marker.lot_name or row.lot_name
    return True


def _settled(lot: Lot) -> Lot:
    """A failed lot has no winner, and no amount unless one is actually stated."""
    if lot.failed:
        lot.supplier = None
        lot.supplier_address = None
        if lot.amount and lot.amount.kind == "unknown":
            lot.amount = None
    return lot


def _unit_caption(lines: list[str]) -> str | None:
    for line in lines:
        caption = _UNIT_CAPTION.search(narrow(_squash(line)))
        if caption:
            return caption[1]
    return None


# --- HTML: lot tables and the ccgp 公告概要 ----------------------------------------------------


def _cell_text(cell: Tag) -> str:
    return re.sub(r"\s+", " ", cell.get_text(" ", strip=True)).strip()


def _grid(table: Tag) -> list[list[str]]:
    """A table's rows as lists of cell texts, rowspan and colspan filled in."""
    grid: list[list[str]] = []
    pending: dict[int, tuple[int, str]] = {}  # column → (rows still spanned, text)
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue  # a nested table's row
        cells = list(row.find_all(["td", "th"], recursive=False))
        texts: list[str] = []
        column = 0
        while cells or column in pending:
            if column in pending:
                left, text = pending.pop(column)
                if left > 1:
                    pending[column] = (left - 1, text)
                texts.append(text)
                column += 1
                continue
            cell = cells.pop(0)
            text = _cell_text(cell)
            span_rows = _span(cell.get("rowspan"))
            for _ in range(_span(cell.get("colspan"))):
                if span_rows > 1:
                    pending[column] = (span_rows - 1, text)
                texts.append(text)
                column += 1
        grid.append(texts)
    return grid


def _span(value: object) -> int:
    try:
        return max(1, min(int(str(value)), 50)) if value else 1
    except ValueError:
        return 1


def _html_lots(doc: _Doc, mode: str) -> tuple[list[Lot], Amount | None]:
    """Lots from the first HTML table with a lot header (rowspans and colspans resolved)."""
    soup = doc.soup
    if soup is None:
        return [], None
    for table in soup.find_all("table"):
        grid = _grid(table)
        for index, row in enumerate(grid):
            columns = _table_header(row, mode)
            if columns:
                caption = _unit_caption([" ".join(r) for r in grid[: index + 1]])
                lots, total = _table_lots(columns, grid[index + 1 :], mode, caption)
                if lots:
                    return [_settled(lot) for lot in lots], total
                break
    return [], None


def _summary_pairs(doc: _Doc) -> list[_Pair]:
    """The ccgp 公告概要 rows: ``<td class="title">采购单位</td><td>…</td>``."""
    soup = doc.soup
    if soup is None:
        return []
    pairs = []
    for cell in soup.find_all("td", class_="title"):
        label = _squash(narrow(_cell_text(cell))).rstrip(":")
        value = cell.find_next_sibling("td")
        if label in _VOCABULARY and isinstance(value, Tag):
            pairs.append(_Pair(label, _cell_text(value)))
    return pairs


def _html_text(html: str) -> str:
    """Plain text of a page, one line per block and table row, cells separated by tabs."""
    soup = read_markup(html)
    for tag in soup(["script", "style"]):
        tag.decompose()
    for cell in soup.find_all(["td", "th"]):
        cell.append("\t")
    for block in soup.find_all(["p", "div", "li", "tr", "br", "h1", "h2", "h3", "h4", "table"]):
        block.append("\n")
    return soup.get_text()


# --- reading the fields ------------------------------------------------------------------------


def _assign(notice: Notice, name: str, pair: _Pair) -> None:
    """Fill ``name`` from ``pair`` unless already filled (the first statement wins)."""
    value = _clean(pair.value)
    if value is None:
        return
    if name in _CONTACT_FIELDS:
        current = getattr(notice, name)
        value = narrow(value)  # telephone numbers, compared and dialled in ASCII
        if current is None:
            setattr(notice, name, value)
        elif value not in current:
            setattr(notice, name, f"{current} {value}")
        return
    if getattr(notice, name) is not None:
        return
    if name in _PARTIES:
        named = party_name(value)
        if named is not None:
            setattr(notice, name, named)
    elif name in _AMOUNT_FIELDS:
        setattr(notice, name, parse_amount(value, pair.hint))
    elif name == "project_number":
        notice.project_number = narrow(value)  # an identifier: ＺＢ２０２４ is ZB2024
    elif name == "announced_on":
        moment = parse_date(value)
        notice.announced_on = moment.date() if moment else None
    elif name == "reason":
        notice.reason = pair.value.strip()  # a sentence: its full stop stays
    else:
        setattr(notice, name, value)


def _apply(notice: Notice, pair: _Pair, party: str | None) -> str | None:
    """Fill the field a pair names; returns whose block (buyer, agency …) the line is in."""
    key = pair.key
    name = _FIELD_LABELS.get(key)
    if name is None and party in _PARTY_FIELDS:
        name = _PARTY_FIELDS[party].get(key)
    if name:
        _assign(notice, name, pair)
    owner = name.split("_")[0] if name else None
    return _PARTY_OF_LABEL.get(key) or (owner if owner in _PARTY_FIELDS else party)


def _requirement_lines(lines: list[str]) -> tuple[int, int] | None:
    """Where the 采购需求 block (the lots of a tender) starts and ends in ``lines``."""
    for start, line in enumerate(lines):
        if _REQUIREMENTS.match(narrow(line)):
            end = start + 1
            while end < len(lines) and not _REQUIREMENTS_END.match(narrow(lines[end])):
                end += 1
            return start, end
    return None


def _read_summary(notice: Notice, doc: _Doc) -> None:
    """The ccgp 公告概要 first: its cells are exact, so its values win over the body's."""
    for pair in _summary_pairs(doc):
        _apply(notice, pair, None)


def _read_published(notice: Notice, doc: _Doc) -> None:
    """The page's publication date, when the 公告概要 gave none."""
    if notice.announced_on is None and doc.published_at is not None:
        notice.announced_on = doc.published_at.date()


def _read_fields(notice: Notice, doc: _Doc) -> None:
    """Every labelled field of the body, section by section, following whose block it is."""
    for section in doc.sections:
        if section.kind in _NOT_FIELDS:
            continue
        block = _requirement_lines(section.lines)
        party: str | None = "supplier" if section.kind == "award" else None
        for index, line in enumerate(section.lines):
            if block and block[0] <= index < block[1]:
                continue  # a lot's 预算金额 is not the project's
            marker = _PARTY_MARKER.match(narrow(line))
            if marker:
                party = next(name for name, value in marker.groupdict().items() if value)
                line = line[marker.end() :]
            for pair in _read(line)[1]:
                party = _apply(notice, pair, party)
        _heading_value(notice, section)


def _heading_value(notice: Notice, section: _Section) -> None:
    """``一、项目编号`` with the value on the next line, as award notices often write it."""
    field_name = {"number": "project_number", "name": "project_name"}.get(section.kind)
    if not field_name or getattr(notice, field_name) is not None:
        return
    heading = section.lines[0]
    label = _HEADING_LABEL.match(narrow(heading))
    rest = heading[label.end() :] if label else ""
    if not rest.strip() and len(section.lines) > 1 and not _read(section.lines[1])[1]:
        rest = section.lines[1]
    value = _clean(rest)
    if value and field_name == "project_number":
        value = narrow(value)
    if value:
        setattr(notice, field_name, value)


def _section_text(section: _Section, skip: Callable[[str], bool]) -> str | None:
    """A section's text without its heading words (``项目终止的原因：`` or ``更正信息 ``)."""
    heading = section.lines[0]
    title = re.match(r"\S+?(?:\s+|:)|\S+$", narrow(heading))
    lines = [heading[title.end() :]] if title else []
    lines += section.lines[1:]
    text = "\n".join(line.strip() for line in lines if line.strip() and not skip(line))
    return text or None


def _read_reason(notice: Notice, doc: _Doc) -> None:
    """Why a project was terminated or what a correction changes, from its own section."""
    if notice.notice_type not in ("termination", "change"):
        return
    wanted = ("reason",) if notice.notice_type == "termination" else ("change", "reason")
    for section in doc.sections:
        if section.kind in wanted:
            # The 更正日期 line dates the notice; it is not part of what changed.
            text = _section_text(section, lambda line: line.startswith("更正日期"))
            if text:
                notice.reason = text
                return


def _read_lots(notice: Notice, doc: _Doc) -> None:
    """An award's lots with winners and amounts, a tender's lots with budgets; the ranked
    candidates of a 候选人公示, read as an award's lots are, kept apart: none has won."""
    if notice.notice_type in ("award", "candidates"):
        lots, total = _html_lots(doc, "award")
        if not lots:
            # Section by section: a table never runs on into the next section.
            for lines in _award_blocks(doc):
                names = (notice.project_name,) if notice.project_name else ()
                block_lots, block_total = _lots_from_lines(lines, "award", names)
                lots += block_lots
                total = total or block_total
        if notice.notice_type == "candidates":
            notice.candidates = lots
            return
        notice.lots = lots
        notice.total_award = notice.total_award or total
    elif notice.notice_type == "tender":
        lots, _ = _html_lots(doc, "tender")
        if not lots:
            lots, _ = _lots_from_lines(_tender_lines(doc), "tender")
        notice.lots = lots


def _award_blocks(doc: _Doc) -> list[list[str]]:
    """The lines of each 中标（成交）信息 section; without one, of the sections that may say it."""
    chosen = [s for s in doc.sections if s.kind == "award"]
    if chosen:
        # The heading itself (中标（成交）信息) is no lot; a label on it (中标人：…) may be.
        return [s.lines if _read(s.lines[0])[1] else s.lines[1:] for s in chosen]
    return [s.lines for s in doc.sections if s.kind in _LOT_FALLBACK]


def _tender_lines(doc: _Doc) -> list[str]:
    """The 采购需求 block of a tender, its label taken off the first line."""
    for section in doc.sections:
        block = _requirement_lines(section.lines)
        if block:
            start, end = block
            label = _REQUIREMENTS.match(narrow(section.lines[start]))
            first = section.lines[start][label.end() if label else 0 :]
            return [first, *section.lines[start + 1 : end]]
    return []


_DATE_LINE = re.compile(
    r"(?:19|20)\d{2}\s*[年./-]\s*\d{1,2}\s*[月./-]\s*\d{1,2}\s*日?"
    r"|[〇零○O一二三四五六七八九]{4}年[〇零一二三四五六七八九十]{1,2}月[〇零一二三四五六七八九十]{1,3}日"
)


def _read_signature_date(notice: Notice, doc: _Doc) -> None:
    """The date a notice is signed with: a line holding only a date, among the last three."""
    if notice.announced_on is not None:
        return
    for line in reversed(doc.lines[-3:]):
        if _DATE_LINE.fullmatch(narrow(line).strip()):
            moment = parse_date(line)
            notice.announced_on = moment.date() if moment else None
            return


# The ccgp 公告概要 as text without cell breaks: 总中标金额￥65.900000 万元（人民币）.
_GLUED_TOTAL = re.compile(
    r"(?:总中标金额|中标总金额|成交总金额|总成交金额)\s*:?\s*(?P<value>¥\s*[\d,]+(?:\.\d+)?\s*(?:万元|元)?)"
)


def _read_glued_total(notice: Notice, doc: _Doc) -> None:
    """An award's total from a summary whose cells ran together (no label's colon to find)."""
    if notice.notice_type != "award" or notice.total_award is not None:
        return
    for line in doc.lines:
        match = _GLUED_TOTAL.search(narrow(line))
        if match:
            notice.total_award = parse_amount(line[match.start("value") : match.end("value")])
            return


# A ccgp 公告概要 whose cells ran together: 采购单位某某中心行政区域宝安区公告时间2026年….
_GLUED_BUYER = re.compile(r"^采购单位(?P<buyer>\S{2,60}?)(?:行政区域|公告时间|采购单位地址)")
# The buyer named in prose: 受某某局委托, …; 某某监狱 的 某某项目 进行采购.
_ORGANISATION_WORD = (
    r"(?:局|厅|委|委员会|办公室|政府|院|中心|学校|中学|小学|大学|学院|医院|监狱|公司|所|馆|站|队|处|会|部"
    r"|街道办事处|办事处|幼儿园)"
)
_PROSE_BUYER = (
    re.compile(rf"受(?P<buyer>[^，,。:：;；\s]{{2,40}}?{_ORGANISATION_WORD})(?:的)?委托"),
    re.compile(
        rf"(?:^|[。:：\s]|(?<=\d)日)(?P<buyer>[^\d，,。:：;；\s][^，,。:：;；\s]{{1,39}}?{_ORGANISATION_WORD})"
        r"\s*的\s*"
        r"[^，,。]{2,80}?\s*(?:进行|实行|开展)[^，,。]{0,12}(?:采购|招标|磋商|谈判|询价)"
    ),
)


_PROSE_AGENCY = re.compile(
    r"(?:^|[。:\s])(?P<agency>[^\d，,。:;\s][^，,。:;\s]{1,39}?(?:公司|中心|事务所|研究院))\s*受"
    r"[^，,。]{2,40}?委托"
)


def _read_buyer_elsewhere(notice: Notice, doc: _Doc) -> None:
    """The buyer (and agency), where no label gave them: from a run-together 公告概要, else
    from prose (某某代理公司受某某医院委托)."""
    if notice.agency is None:
        text = narrow("\n".join(doc.lines[:60]))
        match = _PROSE_AGENCY.search(text)
        if match:
            notice.agency = party_name(match["agency"])
    if notice.buyer is not None:
        return
    for line in doc.lines[:120]:
        glued = _GLUED_BUYER.match(narrow(line))
        if glued:
            notice.buyer = party_name(line[glued.start("buyer") : glued.end("buyer")])
            if notice.buyer:
                return
    text = "\n".join(doc.lines[:60])
    for pattern in _PROSE_BUYER:
        match = pattern.search(narrow(text))
        if match:
            notice.buyer = party_name(text[match.start("buyer") : match.end("buyer")])
            if notice.buyer:
                return


def _lot_amount_from_total(notice: Notice, doc: _Doc) -> None:
    """One awarded lot whose row states no amount: the notice's total (above zero) is it."""
    awarded = [lot for lot in notice.lots if not lot.failed]
    total = notice.total_award
    if notice.notice_type != "award" or len(awarded) != 1 or awarded[0].amount is not None:
        return
    if total is not None and total.kind == "amount" and total.yuan:
        awarded[0].amount = dataclasses.replace(total, note="the notice's total (its only lot)")


# Where else a single award's price stands: in prose (本项目中标金额为人民币1,387,000.00元) or
# under a 中标、成交金额（元） column of the items' table, one cell per line or run together.
_PROSE_PRICE = re.compile(
    r"(?:中标|成交)(?:总)?(?:金额|价格?)(?:为|是)\s*:?\s*(?P<value>(?:人民币)?\s*"
    r"(?:[\d,]+(?:\.\d+)?\s*(?:万元|元)|[壹贰叁肆伍陆柒捌玖拾佰仟万亿零]+元[零壹贰叁肆伍陆柒捌玖角分整]*))"
)
_PRICE_COLUMN = re.compile(r"(?:中标|成交)[、,]?(?:中标|成交)?(?:金额|价格)\((?P<unit>(?:万)?元)\)")


def _price_under_column(lines: list[str]) -> Amount | None:
    for index, line in enumerate(lines):
        squashed = _squash(narrow(line))
        column = _PRICE_COLUMN.search(squashed)
        if not column:
            continue
        cells = [cell for cell in line.split("\t") if cell.strip()]
        if len(cells) > 3:  # a header and its row as cells of one line
            price = _price_in_cells(cells, column["unit"])
            if price is not None:
                return price
            continue
        rest = squashed[column.end() :]
        if rest:  # a header and its row run together: the price is the row's last number
            if _TRAILING_COLUMN.match(rest):
                return None  # more columns follow the price's: no telling which number is it
            numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", rest)
            return parse_amount(numbers[-1], column["unit"]) if numbers else None
        price = _price_in_cells(lines, column["unit"], index)
        if price is not None:
            return price
    return None


_TRAILING_COLUMN = re.compile(r"单位|交货|售后|备注|数量|规格|品牌|型号|其他|地点|日期|要求")


def _price_in_cells(cells: list[str], unit: str, at: int | None = None) -> Amount | None:
    """The price in a header of cells (one per line, or tab-separated) and the row after it:
    as many cells below the price's column as the header has cells."""
    if at is None:
        at = next((i for i, c in enumerate(cells) if _PRICE_COLUMN.search(_squash(narrow(c)))), -1)
        if at < 0:
            return None
    start = at
    while start > 0 and _header_cell_line(cells[start - 1]):
        start -= 1
    end = at
    while end + 1 < len(cells) and len(cells[end + 1].strip()) <= 6:
        if not _TRAILING_COLUMN.search(cells[end + 1]):
            break
        end += 1
    below = at + (end - start) + 1
    if below < len(cells) and _BARE_NUMBER.fullmatch(narrow(cells[below]).strip()):
        return parse_amount(cells[below].strip(), unit)
    # A row a cell short: its one figure written as money (79,800.00) is the price.
    row = cells[end + 1 : end + 2 + (end - start)]
    money = [
        c for c in row if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d{2})?|\d+\.\d{2}", c.strip())
    ]
    return parse_amount(money[0].strip(), unit) if len(money) == 1 else None


def _header_cell_line(line: str) -> bool:
    narrowed = narrow(line)
    return len(line) <= 14 and not re.search(r"\d|:", narrowed) and not _HEADING.match(narrowed)


def _lot_amount_elsewhere(notice: Notice, doc: _Doc) -> None:
    """One awarded lot whose result states no price: the price the notice gives in prose or
    in its items' table (the notice has one winner, so it is that winner's)."""
    awarded = [lot for lot in notice.lots if not lot.failed]
    if notice.notice_type != "award" or len(awarded) != 1 or awarded[0].amount is not None:
        return
    text = "\n".join(doc.lines)
    prose = _PROSE_PRICE.search(narrow(text))
    if prose:
        awarded[0].amount = parse_amount(text[prose.start("value") : prose.end("value")])
        return
    awarded[0].amount = _price_under_column(doc.lines)


def _read_total(notice: Notice, doc: _Doc) -> None:
    """Without a stated total, an award's total is its one lot's amount or the lots' sum."""
    if notice.notice_type != "award" or notice.total_award is not None:
        return
    awarded = [lot for lot in notice.lots if not lot.failed]
    amounts = [lot.amount for lot in awarded if lot.amount and lot.amount.kind == "amount"]
    if not awarded or len(amounts) != len(awarded) or any(a.yuan is None for a in amounts):
        return
    if len(amounts) == 1:
        notice.total_award = amounts[0]
        return
    total = sum((a.yuan for a in amounts if a.yuan is not None), Decimal(0))
    raw = " + ".join(a.raw for a in amounts)
    notice.total_award = Amount(raw, total, "amount", None, f"sum of {len(amounts)} lots")


_STAGES: tuple[Callable[[Notice, _Doc], None], ...] = (
    _read_summary,
    _read_published,
    _read_reason,
    _read_fields,
    _read_buyer_elsewhere,
    _read_lots,
    _read_signature_date,
    _read_glued_total,
    _lot_amount_from_total,
    _lot_amount_elsewhere,
    _read_total,
)


def parse_notice(
    title: str, text: str, html: str | None = None, published_at: datetime | None = None
) -> Notice | None:
    """The structured fields of a procurement notice, or ``None`` when it is not one.

    ``text`` is the body as plain text, one line per paragraph or table row (cells separated by
    tabs or spaces); ``html``, when given, is read for the ccgp 公告概要 table and lot tables.
    ``published_at`` dates the notice when the page does not. Never raises: a part that cannot
    be read is left empty and the rest is returned.
    """
    try:
        if not (text or "").strip() and html:
            text = _html_text(html)
        lines = _prepare_lines(text or "")
        kind = _classify(title or "", lines, html)
    except Exception:  # odd input must not stop a crawl; the document is just not a notice
        logger.opt(exception=True).warning("could not classify procurement notice {!r}", title)
        return None
    if kind is None:
        return None
    if kind in ("award", "candidates", "tender", "other") and _is_correction(lines):
        kind = "change"
    elif kind == "award" and _ranks_candidates(title or "", lines):
        kind = "candidates"
    notice = Notice(notice_type=kind)
    doc = _Doc(lines, _sections(lines), html, published_at)
    for stage in _STAGES:
        try:
            stage(notice, doc)
        except Exception:  # one unreadable part must not lose what the others read
            logger.opt(exception=True).warning("{} failed on {!r}", stage.__name__, title)
    return notice
