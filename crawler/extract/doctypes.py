"""The type of a government document, read from its title (公文 types and notice types)."""

from __future__ import annotations

import re

# Most specific first: a title is typed by the first entry whose pattern it matches.
_TYPES: tuple[tuple[str, str], ...] = (
    ("政府工作报告", r"政府工作报告"),
    ("中标公告", r"(?:中标|成交)(?:结果)?(?:公告|公示)|中标候选人公示|结果公告"),
    ("更正公告", r"(?:更正|变更|澄清)(?:公告|公示)?$"),
    ("终止公告", r"(?:终止|废标|流标)(?:公告|公示)?$"),
    ("招标公告", r"(?:招标|采购|磋商|谈判|询价|比选|遴选)(?:公告|公示)|补充公告|资格预审"),
    ("采购意向", r"采购意向"),
    ("政策解读", r"解读"),
    ("实施意见", r"实施意见$"),
    ("意见", r"意见$"),
    ("通知", r"通知$"),
    ("办法", r"办法(?:（试行）|\(试行\))?$"),
    ("规定", r"规定(?:（试行）|\(试行\))?$"),
    ("决定", r"决定$"),
    ("通告", r"通告(?:（.*）)?$"),
    ("公告", r"公告$"),
    ("批复", r"批复$"),
    ("函", r"函$"),
    ("方案", r"方案$"),
    ("规划", r"规划$"),
    ("报告", r"报告$"),
    ("公示", r"公示$"),
    ("通报", r"通报$"),
    ("细则", r"细则$"),
    ("条例", r"条例$"),
    ("纲要", r"纲要$"),
)
_COMPILED = tuple((name, re.compile(pattern)) for name, pattern in _TYPES)
_TRAILING = re.compile(r"[\s（(【\[][^）)】\]]*[）)】\]]\s*$")


def doc_type_of(title: str | None) -> str | None:
    """The document type a title names (``通知``, ``招标公告`` …) or ``None``."""
    if not title:
        return None
    title = title.strip()
    for candidate in (title, _TRAILING.sub("", title)):
        for name, pattern in _COMPILED:
            if pattern.search(candidate):
                return name
    return None


def looks_like_title(line: str) -> bool:
    """Whether a short line (a body's first line) reads like a document title."""
    return 4 <= len(line) <= 80 and doc_type_of(line) is not None and "。" not in line
