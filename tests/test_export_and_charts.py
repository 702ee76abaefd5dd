"""``govwatch export`` (CSV, XLSX, JSON that parse back) and ``report --chart`` (PNG, SVG)."""

from __future__ import annotations

import csv
import io
import json
import struct
import xml.etree.ElementTree as ET
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from loguru import logger

from crawler.match.topics import load_topics
from crawler.reports import charts
from crawler.reports.analyst_table import ProvinceYear, YearReport
from spiders.provinces import PROVINCES
from storage.repository import DocumentRecord, DocumentStore, LotRecord, NoticeRecord
from tests.analyst_cli import Govwatch
from tests.conftest import REPORTS

SENTENCE_2022 = "建设一批大数据、【区块链】等开放服务平台"


@pytest.fixture
def govwatch(database_url: str, store: DocumentStore) -> Govwatch:
    """The Shanghai reports of 2021 and 2022 (only 2022 mentions 区块链) and a Gansu policy."""
    gw = Govwatch(database_url)
    gw.import_shanghai(2021, 2022)
    store.save(
        DocumentRecord(
            doc_key="gansu-policy-1",
            source_id="gansu-policy",
            province_code="620000",
            kind="policy",
            url="https://www.gansu.gov.cn/policy/1.html",
            title="甘肃省数字政府建设方案",
            published_at=datetime(2023, 4, 2, 10, 0),
            body_text="推进数字政府建设。",
        )
    )
    return gw


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_csv_export_has_one_row_per_document_and_hit_and_parses_back(govwatch: Govwatch) -> None:
    run = govwatch("export", "--format", "csv")

    assert run.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert [(r["province"], r["kind"], r["topic"], r["mentions"]) for r in rows] == [
        ("甘肃", "policy", "", "0"),  # newest first; no hit, still one row
        ("上海", "work_report", "blockchain", "1"),
        ("上海", "work_report", "", "0"),
    ]
    shanghai_2022 = rows[1]
    assert json.loads(shanghai_2022["keywords"]) == {"区块链": 1}
    assert SENTENCE_2022 in shanghai_2022["snippets"]
    assert shanghai_2022["published_at"] == "2022-01-01T00:00:00"
    assert shanghai_2022["url"] == (REPORTS / "2022_shanghai.txt").resolve().as_uri()


@pytest.mark.parametrize(
    ("filters", "titles"),
    [
        (["--topic", "blockchain"], ["2022_shanghai"]),
        (["--topic", "区块链", "--province", "上海"], ["2022_shanghai"]),
        (["--province", "gansu"], ["甘肃省数字政府建设方案"]),
        (["--kind", "work_report"], ["2022_shanghai", "2021_shanghai"]),
        (["--since", "2022-01-01", "--kind", "work_report"], ["2022_shanghai"]),
        (["--since", "2024-01-01"], []),
    ],
)
def test_export_filters_by_topic_province_kind_and_date(
    govwatch: Govwatch, filters: list[str], titles: list[str]
) -> None:
    run = govwatch("export", "--format", "json", *filters)

    assert run.exit_code == 0, run.stderr
    assert [d["title"] for d in json.loads(run.stdout)] == titles


def test_json_export_keeps_hits_as_lists(govwatch: Govwatch, tmp_path: Path) -> None:
    output = tmp_path / "documents.json"
    run = govwatch("export", "-f", "json", "--topic", "blockchain", "--output", output)

    assert run.exit_code == 0
    [document] = json.loads(output.read_text(encoding="utf-8"))
    [hit] = document["hits"]
    assert (document["province"], document["province_code"]) == ("上海", "310000")
    assert hit["keywords"] == {"区块链": 1}
    assert hit["technologies"] == ["大数据"]
    assert any(SENTENCE_2022 in snippet for snippet in hit["snippets"])


def test_xlsx_export_opens_in_openpyxl_with_the_same_rows(
    govwatch: Govwatch, tmp_path: Path
) -> None:
    output = tmp_path / "documents.xlsx"
    run = govwatch("export", "--format", "xlsx", "--output", output)

    assert run.exit_code == 0, run.stderr
    sheet = openpyxl.load_workbook(output).active
    assert sheet is not None and sheet.title == "documents"
    values = list(sheet.iter_rows(values_only=True))
    header, rows = values[0], [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    assert header[:3] == ("doc_key", "province_code", "province")
    assert len(rows) == 3
    assert rows[0]["published_at"] == datetime(2023, 4, 2, 10, 0)  # a real date cell
    assert rows[1]["mentions"] == 1 and rows[1]["topic"] == "blockchain"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xlsx"], "--format xlsx: give --output FILE.xlsx"),
        (["--format", "pdf"], "--format 'pdf': use csv, xlsx, json"),
        (["--province", "narnia"], "unknown province 'narnia'"),
        (["--since", "2024/01/01"], "--since '2024/01/01': use a date like 2024-01-31"),
        (["--output", "/no/such/folder/x.csv"], "folder /no/such/folder does not exist"),
    ],
)
def test_export_mistakes_are_one_line_errors(
    govwatch: Govwatch, args: list[str], message: str
) -> None:
    run = govwatch("export", *args)

    assert run.exit_code == 2
    assert message in run.stderr


def test_a_chart_renders_to_png_and_svg_beside_the_compared_year(
    govwatch: Govwatch, tmp_path: Path
) -> None:
    png, svg = tmp_path / "chart.png", tmp_path / "chart.svg"
    for chart in (png, svg):
        run = govwatch("report", "--year", "2022", "--compare", "2021", "--chart", chart)
        assert run.exit_code == 0, run.stderr
        assert f"chart written to {chart}" in run.stderr

    width, height = png_size(png)
    assert width >= 1000 and height >= 400
    assert png.stat().st_size > 10_000
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_charts_use_an_installed_cjk_font() -> None:
    # deploy/ensure-system-packages.sh installs fonts-wqy-microhei (run by `make test`).
    assert charts.cjk_font() in charts.CJK_FAMILIES


def test_without_a_cjk_font_the_chart_still_renders_and_says_so_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    warnings: list[str] = []
    sink = logger.add(lambda message: warnings.append(str(message)), level="WARNING")
    monkeypatch.setattr(charts, "CJK_FAMILIES", ("No Such CJK Font",))
    charts.cjk_font.cache_clear()
    try:
        report = YearReport(
            load_topics()[0],
            "work_report",
            2020,
            [ProvinceYear(p, documents=1, mentions=i % 3) for i, p in enumerate(PROVINCES)],
        )
        charts.render_chart(report, None, tmp_path / "a.png")
        charts.render_chart(report, None, tmp_path / "b.png")
    finally:
        logger.remove(sink)
        charts.cjk_font.cache_clear()

    assert png_size(tmp_path / "b.png")[1] > 1000  # 21 provinces with mentions: a tall chart
    assert len([w for w in warnings if "no CJK font" in w]) == 1


def test_a_chart_file_name_that_is_not_png_or_svg_is_refused_before_any_work(
    govwatch: Govwatch, tmp_path: Path
) -> None:
    run = govwatch("report", "--year", "2022", "--chart", tmp_path / "chart.jpg")

    assert run.exit_code == 2
    assert "give a .png or .svg file name" in run.stderr


def test_export_carries_a_notices_buyer_agency_suppliers_and_amounts(
    govwatch: Govwatch, store: DocumentStore, tmp_path: Path
) -> None:
    store.save(
        DocumentRecord(
            doc_key="gansu-award-1",
            source_id="gansu-procurement",
            province_code="620000",
            kind="procurement",
            url="https://www.ccgp-gansu.gov.cn/award/1.html",
            title="甘肃省区块链平台项目中标公告",
            published_at=datetime(2024, 5, 6, 9, 0),
            body_text="区块链平台。",
            notice=NoticeRecord(
                notice_type="award",
                project_number="GS2024-7",
                buyer="甘肃省大数据中心",
                agency="甘肃某招标有限公司",
                announced_on=date(2024, 5, 6),
                budget_yuan=Decimal("2000000.00"),
                lots=[
                    LotRecord(lot="1", supplier="兰州链科技有限公司", amount_yuan=Decimal("1.50")),
                    LotRecord(lot="2", supplier="天水数据有限公司", amount_yuan=Decimal("2")),
                ],
            ),
        )
    )
    rows = list(csv.DictReader(io.StringIO(govwatch("export", "-f", "csv").stdout)))
    output = tmp_path / "documents.json"
    govwatch("export", "-f", "json", "--output", output)
    documents = json.loads(output.read_text(encoding="utf-8"))

    [award] = [r for r in rows if r["doc_key"] == "gansu-award-1"]
    assert {k: award[k] for k in ("notice_type", "buyer", "agency", "awarded_yuan")} == {
        "notice_type": "award",
        "buyer": "甘肃省大数据中心",
        "agency": "甘肃某招标有限公司",
        "awarded_yuan": "3.50",
    }
    assert award["suppliers"] == "1: 兰州链科技有限公司 1.50; 2: 天水数据有限公司 2.00"
    assert all(r["notice_type"] == "" for r in rows if r["doc_key"] != "gansu-award-1")
    [notice] = [d["notice"] for d in documents if d["doc_key"] == "gansu-award-1"]
    assert notice["budget_yuan"] == "2000000.00"
    assert [(lot["supplier"], lot["amount_yuan"]) for lot in notice["lots"]] == [
        ("兰州链科技有限公司", "1.50"),
        ("天水数据有限公司", "2.00"),
    ]
    assert all(d["notice"] is None for d in documents if d["doc_key"] != "gansu-award-1")
