"""The 政府信息公开 metadata table (索引号, 发文机关, 发文字号, 成文日期 …).

Sites spell its labels with full-width spaces and entities (``标　　题：``, ``索&ensp;引&ensp;号``),
put label and value in one cell or in neighbouring cells, and wrap both in stray tags. That
markup is what selectors get wrong, so the table's fragment is re-read with BeautifulSoup,
walking cells in document order.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from crawler.extract.soup import read_markup

# Canonical field → labels sites use for it (after removing all spacing).
LABELS: dict[str, tuple[str, ...]] = {
    "index_number": ("索引号",),
    "subject": ("主题分类", "分类", "主题词"),
    "publisher": ("发文机关", "发布机构", "发文单位", "发布单位", "发文机构"),
    "written_date": ("成文日期", "发文日期", "印发日期"),
    "title": ("标题", "文件名称", "名称"),
    "doc_number": ("发文字号", "文号", "发文号"),
    "published_date": ("发布日期", "公开日期", "发布时间"),
    "validity": ("有效性", "时效性"),
}
_LABEL_TO_FIELD = {label: field for field, labels in LABELS.items() for label in labels}
_SPACING = re.compile(r"[\s\u3000\u2002\u2003\u00a0]+")
# Table-like layouts put each label and value in a cell; div layouts in spans and paragraphs.
_STRUCTURAL_CELLS = ("td", "th", "dt", "dd", "li")
_INLINE_CELLS = ("span", "div", "p", "b", "strong", "label", "em")
# The label part of "label：value" within one cell.
_INLINE = re.compile(r"^([^：:]{2,12})[：:](.*)$", re.S)

_GAP = r"(?:[\s\u3000\u2002\u2003\u00a0]|&[a-z]+;|<[^>]{0,300}>)*"
# A label as it stands at the start of a text node, spaced out or not (索　引　号, 文&ensp;号).
LABEL_AT_START = re.compile(
    r"^[\s\u3000\u2002\u2003\u00a0]*(?:"
    + "|".join(
        r"[\s\u3000\u2002\u2003\u00a0]*".join(label)
        for labels in LABELS.values()
        for label in labels
        if len(label) >= 3
    )
    + ")"
)
# The same labels anywhere in raw HTML: whether a page has such a table at all.
LABEL_IN_HTML = re.compile(
    "|".join(_GAP.join(label) for label in ("索引号", "发文字号", "发文机关", "成文日期", "文号"))
)


def _squash(text: str) -> str:
    return _SPACING.sub("", text)


def _leaf_cells(soup: BeautifulSoup, names: tuple[str, ...]) -> list[Tag]:
    """Elements named ``names`` that hold no other such element, in document order."""
    cells = soup.find_all(names)
    holders: set[int] = set()
    members = {id(cell) for cell in cells}
    for cell in cells:
        for parent in cell.parents:
            if id(parent) in members:
                holders.add(id(parent))
    return [cell for cell in cells if id(cell) not in holders]


def read_info_table(fragment_html: str) -> dict[str, str]:
    """Canonical field → value read from the HTML of a metadata table (or its container)."""
    soup = read_markup(fragment_html)
    cells = _leaf_cells(soup, _STRUCTURAL_CELLS)
    if len(cells) < 2:
        cells = _leaf_cells(soup, _INLINE_CELLS)
    found: dict[str, str] = {}
    for index, cell in enumerate(cells):
        raw = cell.get_text(" ", strip=True)
        squashed = _squash(raw)
        inline = _INLINE.match(squashed)
        if inline and inline.group(1) in _LABEL_TO_FIELD:
            field, value = _LABEL_TO_FIELD[inline.group(1)], inline.group(2)
            if not value and index + 1 < len(cells):
                value = cells[index + 1].get_text(" ", strip=True)
        elif squashed.rstrip("：:") in _LABEL_TO_FIELD:
            field = _LABEL_TO_FIELD[squashed.rstrip("：:")]
            value = cells[index + 1].get_text(" ", strip=True) if index + 1 < len(cells) else ""
        else:
            continue
        value = value.strip().strip("：:").strip()
        if value and field not in found and _squash(value).rstrip("：:") not in _LABEL_TO_FIELD:
            found[field] = value
    return found
