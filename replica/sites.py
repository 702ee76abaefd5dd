"""The portals and columns the replica serves, as plain data.

Everything a crawler could notice about a site (host, charset, body container, date spelling,
pager function, column paths) lives here, so the rest of the replica stays site-agnostic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DocumentKind(StrEnum):
    """What a column publishes; the crawler treats the kinds differently."""

    WORK_REPORT = "work_report"
    POLICY = "policy"


@dataclass(frozen=True)
class ReportSpec:
    """One real work report served from a bundled text file."""

    year: int
    fixture: str  # file name inside replica/content/
    published: date


@dataclass(frozen=True)
class ColumnSpec:
    """A TRS column: a directory with paginated list pages and article pages below it."""

    path: str  # path of the first list page, without the host prefix
    name: str
    kind: DocumentKind
    policy_count: int = 0  # generated documents per unit of Replica scale
    reports: tuple[ReportSpec, ...] = ()
    report_title: str = ""  # format string with {year}
    report_publisher: str = ""
    # Newest-first position of the document whose Content-Type header lies about its charset.
    lying_charset_rank: int | None = None

    @property
    def directory(self) -> str:
        """The column directory that relative article links resolve against, e.g. "/nw39220/"."""
        return self.path.rsplit("/", 1)[0] + "/"


@dataclass(frozen=True)
class SiteSpec:
    """A government portal as served by a TRS WCM static CMS."""

    host: str
    name: str  # SiteName meta, e.g. 上海市人民政府
    region: str  # 省全称 used in generated titles, e.g. 上海市
    region_code: str  # administrative division code, e.g. 310000
    scheme: str  # scheme of the real site, used for real_url
    encoding: str  # Python codec for the page bytes
    charset_label: str  # what the meta tag and the Content-Type header declare
    body_container: str  # opening tag of the article body container
    date_format: str  # visible 发布时间 spelling, str.format with y, m, d
    pager_function: str  # TRS pager call emitted on list pages
    site_id_code: str  # SiteIDCode meta (网站标识码)
    icp: str
    org_code: str  # prefix of the 索引号 in the 信息公开 table
    doc_number_prefix: str  # 发文字号 prefix, e.g. 沪府办发
    columns: tuple[ColumnSpec, ...]

    @property
    def prefix(self) -> str:
        """Path prefix under which the replica serves this site."""
        return f"/{self.host}"

    @property
    def home_path(self) -> str:
        return f"/{self.host}/index.html"

    @property
    def policy_publisher(self) -> str:
        return f"{self.region}人民政府办公厅"

    @property
    def meta_charset_tag(self) -> str:
        """The charset declaration in <head>; GB sites still use the HTML4 http-equiv form."""
        if self.charset_label == "utf-8":
            return '<meta charset="utf-8">'
        return f'<meta http-equiv="Content-Type" content="text/html; charset={self.charset_label}">'

    def spell_date(self, day: date) -> str:
        """The date as this site prints it next to 发布时间."""
        return self.date_format.format(y=day.year, m=day.month, d=day.day)

    def column(self, path: str) -> ColumnSpec:
        """The column whose first list page (or directory) is `path`; KeyError if none."""
        for column in self.columns:
            if path in (column.path, column.directory, column.directory.rstrip("/")):
                return column
        raise KeyError(f"{self.host} has no column {path!r}")


def _shanghai_reports() -> tuple[ReportSpec, ...]:
    published = {
        2020: date(2020, 1, 20),
        2021: date(2021, 1, 27),
        2022: date(2022, 1, 24),
        2023: date(2023, 1, 16),
        2024: date(2024, 1, 23),
    }
    return tuple(ReportSpec(y, f"{y}_shanghai.txt", d) for y, d in published.items())


def _national_reports() -> tuple[ReportSpec, ...]:
    # 2020 is missing on purpose: the fixture for that year is a GBK transcript, not the report.
    years = (2016, 2017, 2018, 2019, 2021, 2022, 2023, 2024, 2025)
    return tuple(ReportSpec(y, f"{y}_national.txt", date(y, 3, 5)) for y in years)


SHANGHAI = SiteSpec(
    host="www.shanghai.gov.cn",
    name="上海市人民政府",
    region="上海市",
    region_code="310000",
    scheme="https",
    encoding="utf-8",
    charset_label="utf-8",
    body_container='<div class="TRS_Editor">',
    date_format="{y}年{m}月{d}日",
    pager_function="createPageHTML",
    site_id_code="3100000071",
    icp="沪ICP备12000071号",
    org_code="SH0100000000",
    doc_number_prefix="沪府办发",
    columns=(
        ColumnSpec(
            path="/nw12336/index.html",
            name="政府工作报告",
            kind=DocumentKind.WORK_REPORT,
            reports=_shanghai_reports(),
            report_title="{year}年上海市政府工作报告",
            report_publisher="上海市人民政府",
        ),
        ColumnSpec(
            path="/nw39220/index.html",
            name="政策文件",
            kind=DocumentKind.POLICY,
            policy_count=60,
        ),
    ),
)

CHONGQING = SiteSpec(
    host="www.cq.gov.cn",
    name="重庆市人民政府",
    region="重庆市",
    region_code="500000",
    scheme="https",
    encoding="utf-8",
    charset_label="utf-8",
    body_container='<div class="trs_editor_view">',
    date_format="{y}-{m:02d}-{d:02d}",
    pager_function="createPage",
    site_id_code="5000000052",
    icp="渝ICP备12000052号",
    org_code="11500000009275780L",
    doc_number_prefix="渝府办发",
    columns=(
        ColumnSpec(
            path="/zwgk/zfxxgkml/szfwj/xzgfxwj/szf/index.html",
            name="行政规范性文件",
            kind=DocumentKind.POLICY,
            policy_count=90,
        ),
    ),
)

GANSU = SiteSpec(
    host="www.gansu.gov.cn",
    name="甘肃省人民政府",
    region="甘肃省",
    region_code="620000",
    scheme="http",
    encoding="gbk",
    charset_label="gb2312",
    body_container='<div id="zoom">',
    date_format="{y}.{m:02d}.{d:02d}",
    pager_function="createPageHTML",
    site_id_code="6200000001",
    icp="陇ICP备12000001号",
    org_code="620000000/GS",
    doc_number_prefix="甘政办发",
    columns=(
        ColumnSpec(
            path="/gsszf/zcwj/index.html",
            name="政策文件",
            kind=DocumentKind.POLICY,
            policy_count=45,
            lying_charset_rank=2,
        ),
    ),
)

NATIONAL = SiteSpec(
    host="www.gov.cn",
    name="中国政府网",
    region="全国",
    region_code="000000",
    scheme="http",
    encoding="utf-8",
    charset_label="utf-8",
    body_container='<div class="pages_content">',
    date_format="{y}年{m:02d}月{d:02d}日",
    pager_function="createPageHTML",
    site_id_code="bm01000001",
    icp="京ICP备12000001号",
    org_code="000014349",
    doc_number_prefix="国办发",
    columns=(
        ColumnSpec(
            path="/zhengce/zfgzbg/index.html",
            name="政府工作报告",
            kind=DocumentKind.WORK_REPORT,
            reports=_national_reports(),
            report_title="{year}年国务院政府工作报告",
            report_publisher="国务院",
        ),
    ),
)

SITES: tuple[SiteSpec, ...] = (SHANGHAI, CHONGQING, GANSU, NATIONAL)


def site_for_host(host: str) -> SiteSpec:
    """The site served under `/host/`; KeyError if the replica does not serve it."""
    for site in SITES:
        if site.host == host:
            return site
    raise KeyError(f"the replica does not serve {host!r}")
