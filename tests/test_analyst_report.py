"""``govwatch report --year Y``: the 31 provinces' table, computed from storage.

The material is the real Shanghai work reports 2020–2024, imported as a user would. What they
say about 区块链 was counted by hand (see also tests/test_matcher_on_real_reports.py).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

import pytest

from spiders.provinces import PROVINCES
from storage.repository import AttachmentRecord, DocumentRecord, DocumentStore
from tests.analyst_cli import Govwatch
from tests.conftest import REPORTS, report_text

SENTENCE_2020 = "加快物联网、大数据、人工智能、区块链等信息技术推广应用，实施智慧城市场景开放计划。"
SENTENCE_2022 = (
    "推动重点领域数字产业发展，提升基础软件、工业软件、安全软件等供给能力，建设一批大数据、"
    "区块链等开放服务平台，加快培育一批在线新经济龙头企业，启动建设虹桥在线新经济生态园。"
)
SENTENCES_2024 = [
    "国际科创中心策源功能加快凸显，上海光源二期、活细胞成像线站建成运行，磁-惯性约束聚变能源项目"
    "开工建设，在沪国家实验室及基地服务保障机制进一步完善，数学与交叉学科研究院、科学智能研究院等"
    "高水平研究机构落户，元宇宙、区块链、高温超导等领域关键技术攻关行动启动实施，7家高质量孵化器"
    "挂牌运行，知识产权质押融资机制优化完善，技术合同成交额达到4850.2亿元，高新技术企业超过2.4万家。",
    "数据上链和政务区块链、“图网码”、一体化办公等攻坚行动取得积极成果。",
    "加快引进一批标志性重大产业项目，推进智能算力集群、浦江数链城市区块链、数据交易链等新型基础设施"
    "建设，实施新一轮高水平企业技术改造，打造100个技术改造示范项目。",
]


@pytest.fixture
def govwatch(database_url: str) -> Govwatch:
    gw = Govwatch(database_url)
    gw.import_shanghai()
    return gw


def report(govwatch: Govwatch, *args: str) -> dict[str, Any]:
    run = govwatch("report", *args, "--format", "json")
    assert run.exit_code == 0, run.stderr
    data: dict[str, Any] = json.loads(run.stdout)
    return data


def province(data: dict[str, Any], code: str) -> dict[str, Any]:
    [row] = [p for p in data["provinces"] if p["code"] == code]
    return row


def shanghai(data: dict[str, Any]) -> dict[str, Any]:
    return province(data, "310000")


def test_the_table_has_all_31_provinces_in_code_order_marked_when_they_have_no_document(
    govwatch: Govwatch,
) -> None:
    data = report(govwatch, "--year", "2020")

    assert [p["code"] for p in data["provinces"]] == [p.code for p in PROVINCES]
    others = [p for p in data["provinces"] if p["code"] != "310000"]
    assert len(others) == 30
    assert all(p["status"] == "no document" and p["documents"] == 0 for p in others)
    assert data["totals"] == {
        "provinces": 31,
        "provinces_with_documents": 1,
        "provinces_mentioning": 1,
        "mentions": 1,
    }


def test_shanghai_2020_mentions_blockchain_once_in_this_exact_sentence(
    govwatch: Govwatch,
) -> None:
    row = shanghai(report(govwatch, "--year", "2020", "--topic", "blockchain"))

    assert (row["status"], row["mentioned"], row["mentions"]) == ("mentioned", True, 1)
    assert row["keywords"] == {"区块链": 1}
    assert row["sentences"] == [SENTENCE_2020]
    assert row["technologies"] == ["物联网", "大数据", "人工智能"]


def test_shanghai_2022_mentions_it_once_and_2021_and_2023_not_at_all(govwatch: Govwatch) -> None:
    row_2022 = shanghai(report(govwatch, "--year", "2022", "--topic", "区块链"))
    assert (row_2022["mentions"], row_2022["sentences"]) == (1, [SENTENCE_2022])
    for year in ("2021", "2023"):
        row = shanghai(report(govwatch, "--year", year))
        assert (row["status"], row["mentioned"], row["mentions"], row["sentences"]) == (
            "not mentioned",
            False,
            0,
            [],
        ), year


def test_shanghai_2024_holds_qukuailian_three_times_in_three_sentences(govwatch: Govwatch) -> None:
    # PROVENANCE.md and the issue say "once"; the text says 区块链 three times, and 数据上链
    # is a fourth mention of the topic (上链 beside 数据). The report tells the truth.
    assert report_text("2024_shanghai.txt").count("区块链") == 3
    row = shanghai(report(govwatch, "--year", "2024"))

    assert row["keywords"] == {"区块链": 3, "上链": 1}
    assert row["mentions"] == 4
    assert row["sentences"] == SENTENCES_2024  # whole sentences, however long
    assert "政务服务" in row["scenarios"]


def test_compare_2022_with_2021_says_shanghai_newly_mentions_it(govwatch: Govwatch) -> None:
    data = report(govwatch, "--year", "2022", "--compare", "2021")

    assert shanghai(data)["compare"]["change"] == "newly mentioning"
    assert shanghai(data)["compare"]["delta"] == 1
    assert data["totals"]["compare"] == {
        "year": 2021,
        "provinces_with_documents": 1,
        "provinces_mentioning": 0,
        "mentions": 0,
        "change_in_provinces_mentioning": 1,
        "change_in_mentions": 1,
        "newly_mentioning": ["上海"],
        "no_longer_mentioning": [],
    }
    # Provinces with no document in either year are neither new nor gone.
    beijing = data["provinces"][0]
    assert (beijing["compare"]["change"], beijing["compare"]["delta"]) == (None, None)


def test_compare_gives_no_longer_and_still_mentioning_and_the_change_in_count(
    govwatch: Govwatch,
) -> None:
    gone = report(govwatch, "--year", "2023", "--compare", "2022")
    still = report(govwatch, "--year", "2024", "--compare", "2022")

    assert shanghai(gone)["compare"]["change"] == "no longer mentioning"
    assert gone["totals"]["compare"]["no_longer_mentioning"] == ["上海"]
    assert shanghai(still)["compare"]["change"] == "still mentioning"
    assert shanghai(still)["compare"]["delta"] == 3
    assert still["totals"]["compare"]["change_in_mentions"] == 3


def test_the_table_shows_the_change_the_totals_and_each_whole_sentence(
    govwatch: Govwatch,
) -> None:
    run = govwatch("report", "--year", "2022", "--compare", "2021")

    assert run.exit_code == 0
    [line] = [line for line in run.stdout.splitlines() if line.startswith("│ 上海")]
    assert "newly mentioning" in line and "+1" in line
    assert "│ 北京   │              0 │ no document" in run.stdout
    assert "2022: 1 of 31 provinces mention 区块链, 1 mentions in all" in run.stdout
    assert "newly mentioning: 上海; no longer mentioning: none" in run.stdout
    assert f"  · {SENTENCE_2022}" in run.stdout.splitlines()
    long_one = govwatch("report", "--year", "2024").stdout.splitlines()
    assert f"  · {SENTENCES_2024[0]}" in long_one  # one line, never cut or wrapped


def test_csv_and_markdown_carry_the_same_table(govwatch: Govwatch) -> None:
    rows = list(csv.DictReader(io.StringIO(govwatch("report", "-y", "2020", "-f", "csv").stdout)))
    markdown = govwatch("report", "-y", "2020", "-f", "md").stdout

    assert len(rows) == 31
    [row] = [r for r in rows if r["province"] == "上海"]
    assert (row["mentioned"], row["mentions"], row["sentences"]) == ("yes", "1", SENTENCE_2020)
    assert "| 上海 | 1 | yes | 1 | 区块链×1 | 物联网、大数据、人工智能 |  |" in markdown
    assert f"- {SENTENCE_2020}" in markdown


def test_a_crawled_and_an_imported_copy_of_one_report_count_once(
    govwatch: Govwatch, store: DocumentStore
) -> None:
    # The crawl's copy: same words, laid out by the page extractor in lines, with a title.
    crawled = report_text("2020_shanghai.txt").replace("\u3000\u3000", "\n")
    store.save(
        DocumentRecord(
            doc_key="https://www.shanghai.gov.cn/nw12344/20200120/report.html",
            source_id="shanghai-work-report",
            province_code="310000",
            kind="work_report",
            url="https://www.shanghai.gov.cn/nw12344/20200120/report.html",
            title="2020年上海市政府工作报告",
            published_at=datetime(2020, 1, 20),
            body_text=crawled,
        )
    )
    row = shanghai(report(govwatch, "--year", "2020"))

    assert row["documents"] == 2
    assert (row["mentions"], row["sentences"]) == (1, [SENTENCE_2020])


def test_different_documents_of_one_province_and_year_add_up(
    govwatch: Govwatch, store: DocumentStore
) -> None:
    bodies = ["推进区块链政务服务应用。", "建设区块链溯源平台。推进区块链政务服务应用。"]
    for number, body in enumerate(bodies):
        store.save(
            DocumentRecord(
                doc_key=f"gansu-policy-{number}",
                source_id="gansu-policy",
                province_code="620000",
                kind="policy",
                url=f"https://www.gansu.gov.cn/policy/{number}.html",
                title=None,
                published_at=datetime(2023, 3, number + 1),
                body_text=body,
            )
        )
    gansu = province(report(govwatch, "-y", "2023", "-k", "policy"), "620000")

    assert gansu["documents"] == 2
    assert gansu["mentions"] == 2  # the sentence both documents share counts once
    assert gansu["sentences"] == ["建设区块链溯源平台。", "推进区块链政务服务应用。"]


def test_what_a_reports_attachments_say_counts_in_the_order_they_are_linked(
    govwatch: Govwatch, store: DocumentStore
) -> None:
    """A report published as a page that links its text as files (附件): the files' texts
    are read with the page's, in the order the page links them; a file that could not be read
    adds nothing."""
    store.save(
        DocumentRecord(
            doc_key="gansu-report-2023",
            source_id="gansu-work-report",
            province_code="620000",
            kind="work_report",
            url="https://www.gansu.gov.cn/report/2023.html",
            title="2023年甘肃省政府工作报告",
            published_at=datetime(2023, 1, 20),
            body_text="政府工作报告全文见附件。",
            attachments=[
                AttachmentRecord(
                    url="https://www.gansu.gov.cn/report/2023-1.docx",
                    name="报告（一）.docx",
                    kind="docx",
                    text="建设区块链溯源平台。",
                ),
                AttachmentRecord(
                    url="https://www.gansu.gov.cn/report/2023-2.pdf",
                    name="报告（二）.pdf",
                    kind="pdf",
                    error="encrypted PDF",
                ),
                AttachmentRecord(
                    url="https://www.gansu.gov.cn/report/2023-3.docx",
                    name="报告（三）.docx",
                    kind="docx",
                    text="推进区块链政务服务应用。",
                ),
            ],
        )
    )
    gansu = province(report(govwatch, "-y", "2023"), "620000")

    assert gansu["documents"] == 1
    assert gansu["mentions"] == 2
    assert gansu["sentences"] == ["建设区块链溯源平台。", "推进区块链政务服务应用。"]


def test_national_documents_stay_out_of_the_31_rows(govwatch: Govwatch) -> None:
    govwatch("import", REPORTS / "2024_national.txt", "-y", "2024", "-p", "national")
    data = report(govwatch, "--year", "2024")

    assert len(data["provinces"]) == 31
    assert "000000" not in {p["code"] for p in data["provinces"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2019"], "no work_report documents of the 31 provinces published in 2019"),
        (["--year", "2022", "--compare", "2018"], "published in 2018 are stored"),
        (["--year", "2020", "--kind", "policy"], "no policy documents"),
        (["--year", "2020", "--topic", "quantum"], "--topic 'quantum': not in the topics file"),
        (["--year", "2020", "--format", "pdf"], "--format 'pdf': use table, json, csv, md"),
        (["--compare", "2021"], "report: give --year Y"),
    ],
)
def test_mistakes_and_years_without_documents_are_one_line_errors(
    govwatch: Govwatch, args: list[str], message: str
) -> None:
    run = govwatch("report", *args)

    assert run.exit_code == 2
    assert message in run.stderr
    assert "\n" not in run.stderr.strip()


def test_the_error_for_an_empty_year_names_the_years_that_have_documents(
    govwatch: Govwatch,
) -> None:
    run = govwatch("report", "--year", "2019")

    assert "(years with work_report documents: 2020, 2021, 2022, 2023, 2024)" in run.stderr
