"""Chinese dates in every spelling government pages use.

``2025年3月15日``, ``2025年03月15日 10:30``, ``二〇二五年三月十五日``, ``２０２５年３月１５日``,
``2025-03-15 10:30:00``, ``2025/3/15``, ``2025.03.15``, and the ``t20250315_`` stamp of TRS URLs.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta, timezone

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_NUM = "〇零○一二三四五六七八九十"

_NUMERIC = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:年|[-/.])\s*(?P<m>\d{1,2})\s*(?:月|[-/.])\s*(?P<d>\d{1,2})"
    r"(?!\d)\s*日?"
    r"(?:\s*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_CHINESE = re.compile(
    rf"(?P<y>[{_CN_NUM}]{{4}})年(?P<m>[{_CN_NUM}]{{1,2}})月(?P<d>[{_CN_NUM}]{{1,3}})日"
)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")


def cn_number(text: str) -> int:
    """Value of a Chinese numeral up to 99 (十, 十五, 二十, 三十一); digits read one by one."""
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _build(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime | None:
    try:
        return datetime(y, m, d, hh, mm, ss)
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[int, datetime]]:
    """Every date in ``text`` with its position, in order of appearance."""
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, datetime]] = []
    for match in _NUMERIC.finditer(text):
        g = match.groupdict()
        value = _build(
            int(g["y"]),
            int(g["m"]),
            int(g["d"]),
            int(g["H"] or 0),
            int(g["M"] or 0),
            int(g["S"] or 0),
        )
        if value:
            found.append((match.start(), value))
    for match in _CHINESE.finditer(text):
        try:
            year = int("".join(str(_CN_DIGITS[c]) for c in match["y"]))
            value = _build(year, cn_number(match["m"]), cn_number(match["d"]))
        except (KeyError, ValueError):
            continue
        if value:
            found.append((match.start(), value))
    found.sort(key=lambda item: item[0])
    return found


def parse_date(text: str | None) -> datetime | None:
    """The first date in ``text``, or ``None``."""
    if not text:
        return None
    dates = find_dates(text)
    return dates[0][1] if dates else None


def date_from_url(url: str) -> datetime | None:
    """The date TRS-like CMSs stamp into article URLs (``t20250315_…``, ``/art/2025/3/15/``)."""
    stamp = re.search(r"/t((?:19|20)\d{6})_", url) or re.search(r"/((?:19|20)\d{6})/", url)
    if stamp:
        match = _COMPACT.search(stamp.group(1))
        if match:
            return _build(int(match["y"]), int(match["m"]), int(match["d"]))
    art = re.search(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/", url)
    if art:
        return _build(int(art.group(1)), int(art.group(2)), int(art.group(3)))
    return None


# -- the sites' calendar and date windows ------------------------------------------------------

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def beijing_today() -> date:
    """The sites' calendar day: their dates are Beijing time, wherever govwatch runs."""
    return datetime.now(BEIJING).date()


def newer_half(begin: date, end: date) -> tuple[date, date]:
    """The newer half of a window of two days or more; a sweep reaches the older half next."""
    middle = begin + (end - begin) // 2
    return middle + timedelta(days=1), end


def older_window(
    begin: date, end: date, since: date, *, quiet: bool, longest: int
) -> tuple[date, date]:
    """The window just before ``begin``…``end`` in a backward sweep: as long as it, twice as
    long after a quiet one, at most ``longest`` days, and never reaching before ``since``."""
    days = (end - begin).days + 1
    length = min(days * 2 if quiet else days, longest)
    older_end = begin - timedelta(days=1)
    return max(older_end - timedelta(days=length - 1), since), older_end
