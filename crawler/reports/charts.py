"""``--chart``: provinces by mentions as a horizontal bar chart, one year beside another.

Rendered with matplotlib's object API (``Figure``, no pyplot), so no GUI backend or global
state is involved. Chinese labels need a CJK font: the first installed of the families below
is used. Without one the chart still renders (province names as boxes) and a warning says
which package to install, once per process.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

from loguru import logger

from crawler.reports.analyst_table import ProvinceYear, YearReport
from spiders.errors import UserError

CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
)
CHART_SUFFIXES = (".png", ".svg")
KIND_LABELS = {
    "work_report": "政府工作报告",
    "policy": "政策文件",
    "procurement": "采购公告",
    "trading": "交易公告",
    "industry_dept": "工信部门文件",
    "national": "国家文件",
}
_CURRENT_COLOUR, _PREVIOUS_COLOUR = "#c0392b", "#95a5a6"


def check_chart_path(path: Path) -> None:
    """Refuse a chart file name we cannot render before any work is done."""
    if path.suffix.lower() not in CHART_SUFFIXES:
        raise UserError(f"--chart {path}: give a .png or .svg file name")
    if not path.parent.is_dir():
        raise UserError(f"--chart {path}: folder {path.parent} does not exist")


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None (warned about once)."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family
    logger.warning(
        "no CJK font found for chart labels (tried {}); Chinese text will show as boxes. "
        "Install one, e.g. `apt-get install fonts-wqy-microhei`, then delete matplotlib's "
        "font cache (~/.cache/matplotlib)",
        ", ".join(CJK_FAMILIES[:4]),
    )
    return None


def render_chart(report: YearReport, previous: YearReport | None, path: Path) -> None:
    """Draw mentions per province for ``report``'s year (beside ``previous``'s) to ``path``.

    Only provinces that mention the topic in either year get a bar, sorted by this year's
    count; the title says how many of the 31 mention it, so the absent ones are not lost.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    check_chart_path(path)
    by_code = {row.province.code: row for row in report.rows}
    before = {row.province.code: row for row in previous.rows} if previous else {}
    shown = [
        code
        for code in by_code
        if by_code[code].mentions or (code in before and before[code].mentions)
    ]
    # barh draws the first bar at the bottom: ascending order puts the most mentions on top,
    # and ties read in code order from the top.
    shown.sort(key=lambda c: (by_code[c].mentions, before[c].mentions if before else 0, -int(c)))

    font = cjk_font()
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    label, kind = report.topic.label, KIND_LABELS.get(report.kind, report.kind)
    height = max(3.0, 0.38 * len(shown) + 1.8)
    with warnings.catch_warnings():
        # Missing-glyph warnings repeat per character; the font warning above said it once.
        warnings.filterwarnings("ignore", message="Glyph .* missing from")
        import matplotlib

        with matplotlib.rc_context({"font.family": families}):
            figure = Figure(figsize=(8.5, height), layout="constrained")
            axes = figure.add_subplot()
            positions = list(range(len(shown)))
            names = [by_code[c].province.short_name for c in shown]
            current_counts = [by_code[c].mentions for c in shown]
            bar = 0.4 if previous else 0.6
            bars = axes.barh(
                [p + (bar / 2 if previous else 0) for p in positions],
                current_counts,
                height=bar,
                color=_CURRENT_COLOUR,
                label=str(report.year),
            )
            axes.bar_label(bars, [_bar_label(by_code[c]) for c in shown], padding=3, fontsize=9)
            if previous:
                bars = axes.barh(
                    [p - bar / 2 for p in positions],
                    [before[c].mentions for c in shown],
                    height=bar,
                    color=_PREVIOUS_COLOUR,
                    label=str(previous.year),
                )
                labels = [_bar_label(before[c]) for c in shown]
                axes.bar_label(bars, labels, padding=3, fontsize=9, color="#555555")
                # Outside the axes: inside, it would hide the end of some bar sooner or later.
                figure.legend(loc="outside lower center", ncols=2, frameon=False)
            axes.set_yticks(positions, names)
            axes.set_xlabel(f"提及「{label}」的次数 (mentions)")
            axes.set_ylabel("省份 (province)")
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.margins(x=0.12)
            axes.spines[["top", "right"]].set_visible(False)
            years = f"{report.year} 年与 {previous.year} 年" if previous else f"{report.year} 年"
            subtitle = f"{report.provinces_mentioning}/31 个省份提及"
            if previous:
                subtitle += f"（{previous.year} 年 {previous.provinces_mentioning}/31）"
            axes.set_title(f"各省{kind}提及「{label}」：{years}\n{subtitle}")
            if not shown:
                axes.text(
                    0.5,
                    0.5,
                    f"没有省份提及「{label}」",
                    transform=axes.transAxes,
                    ha="center",
                    va="center",
                )
            figure.savefig(path, dpi=150)


def _bar_label(row: ProvinceYear) -> str:
    # A zero bar is invisible: say whether the report was silent or missing.
    return str(row.mentions) if row.documents else "无文件"
