"""``govwatch import``: documents a user already has become stored documents like crawled ones."""

from __future__ import annotations

import hashlib
import random
import re
import shutil
from datetime import datetime
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select

from storage.models import Alert, Document
from storage.repository import DocumentStore
from tests.analyst_cli import Govwatch
from tests.conftest import REPORTS, report_text
from tests.test_attachments import cid_pdf


@pytest.fixture
def govwatch(database_url: str) -> Govwatch:
    return Govwatch(database_url)


def stored(store: DocumentStore) -> list[Document]:
    with store.db.session() as session:
        return list(session.scalars(select(Document).order_by(Document.id)))


def blockchain_hit(document: Document) -> dict[str, object] | None:
    hit = next((h for h in document.hits if h.topic == "blockchain"), None)
    return None if hit is None else {"count": hit.count, "keywords": hit.keywords}


def test_a_shanghai_report_is_stored_like_a_crawled_document_with_its_hits(
    govwatch: Govwatch, store: DocumentStore
) -> None:
    path = REPORTS / "2020_shanghai.txt"
    run = govwatch("import", path, "--year", "2020", "--province", "shanghai")

    assert run.exit_code == 0, run.stdout
    assert run.stdout.splitlines() == [
        f"imported       {path}: 上海 (from --province), 2020, work_report, 区块链 ×1",
        "1 file: 1 imported",
    ]
    [document] = stored(store)
    text = report_text("2020_shanghai.txt").strip()
    fingerprint = hashlib.sha1(re.sub(r"\s+", "", text).encode()).hexdigest()[:16]
    assert document.doc_key == f"import:310000:work_report:2020:{fingerprint}"
    assert document.source_id == "import"
    assert document.url == path.resolve().as_uri()
    assert (document.province_code, document.kind) == ("310000", "work_report")
    # The report states no date in its opening: filed under January 1 of its year.
    assert document.published_at == datetime(2020, 1, 1)
    assert document.body_text == text
    assert blockchain_hit(document) == {"count": 1, "keywords": {"区块链": 1}}


def test_imports_never_raise_alerts(govwatch: Govwatch, store: DocumentStore) -> None:
    govwatch.import_shanghai(2020, 2022, 2024)
    with store.db.session() as session:
        assert session.scalar(select(func.count(Alert.id))) == 0


def test_importing_the_same_report_again_says_already_known_and_stores_nothing_new(
    govwatch: Govwatch, store: DocumentStore
) -> None:
    path = REPORTS / "2022_shanghai.txt"
    govwatch("import", path, "--year", "2022", "-p", "上海")
    again = govwatch("import", path, "--year", "2022", "-p", "310000")

    assert again.exit_code == 0
    assert again.stdout.startswith(f"already known  {path}: 上海")
    assert len(stored(store)) == 1


def test_province_and_year_are_read_from_the_file_name_when_not_given(
    govwatch: Govwatch, store: DocumentStore
) -> None:
    run = govwatch("import", REPORTS / "2022_shanghai.txt")

    assert run.exit_code == 0
    assert "上海 (from file name), 2022, work_report, 区块链 ×1" in run.stdout
    [document] = stored(store)
    assert (document.province_code, document.published_at) == ("310000", datetime(2022, 1, 1))


def test_province_is_read_from_the_opening_lines_when_the_file_name_says_nothing(
    govwatch: Govwatch, store: DocumentStore, tmp_path: Path
) -> None:
    # "我代表上海市人民政府，向大会报告工作" stands in the report's first lines.
    path = tmp_path / "report.txt"
    shutil.copy(REPORTS / "2024_shanghai.txt", path)
    run = govwatch("import", path, "--year", "2024")

    assert run.exit_code == 0
    assert f"imported       {path}: 上海 (from content), 2024" in run.stdout


def test_a_gbk_file_imports_as_the_same_text_and_national_documents_are_allowed(
    govwatch: Govwatch, store: DocumentStore
) -> None:
    path = REPORTS / "2020_national_transcript.gbk.txt"
    assert b"\xd5\xfe\xb8\xae" in path.read_bytes()  # 政府 in GBK: really not UTF-8
    run = govwatch("import", path, "--year", "2020", "--province", "national")

    assert run.exit_code == 0, run.stdout
    assert "全国 (from --province), 2020, work_report, no topic mentioned" in run.stdout
    [document] = stored(store)
    assert document.province_code == "000000"
    assert document.encoding == "gb18030"
    assert document.body_text == report_text("2020_national_transcript.gbk.txt").strip()
    assert "我代表国务院，向大会报告政府工作" in document.body_text
    # "——2020年5月22日在第十三届全国人民代表大会第三次会议上" under the title.
    assert document.published_at == datetime(2020, 5, 22)


def test_a_folder_is_walked_and_each_unreadable_file_is_reported_with_its_reason(
    govwatch: Govwatch, store: DocumentStore, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(REPORTS / "2020_shanghai.txt", folder / "2020_shanghai.txt")
    (folder / "garbage.txt").write_bytes(random.Random(7).randbytes(4000))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "minutes.txt").write_text("会议纪要\n会议研究了年度工作安排。", encoding="utf-8")
    (folder / ".hidden.txt").write_text("编辑器的临时文件", encoding="utf-8")

    run = govwatch("import", folder, "--year", "2020")

    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert lines[0].startswith(f"imported       {folder / '2020_shanghai.txt'}: 上海")
    assert lines[1] == f"unreadable     {folder / 'empty.txt'}: empty file"
    assert lines[2].startswith(f"unreadable     {folder / 'garbage.txt'}: binary data, not text")
    assert lines[3] == (
        f"unreadable     {folder / 'minutes.txt'}: province unknown: name it in the file name "
        "(e.g. 2020_shanghai.txt) or give --province"
    )
    assert lines[4] == "4 files: 1 imported, 3 unreadable"
    assert len(stored(store)) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--province", "narnia"], "unknown province 'narnia'"),
        (["--kind", "novel"], "--kind 'novel': use one of work_report, policy"),
        (["/no/such/report.txt"], "/no/such/report.txt: no such file or folder"),
    ],
)
def test_usage_mistakes_exit_2_with_one_line_before_anything_is_stored(
    govwatch: Govwatch, store: DocumentStore, args: list[str], message: str
) -> None:
    run = govwatch("import", REPORTS / "2020_shanghai.txt", *args)

    assert run.exit_code == 2
    assert message in run.stderr and "\n" not in run.stderr.strip()
    assert stored(store) == []


def test_a_csv_holds_one_document_per_row_and_bad_rows_are_reported(
    govwatch: Govwatch, store: DocumentStore, tmp_path: Path
) -> None:
    path = tmp_path / "reports.csv"
    path.write_text(
        "province,title,text,year,published,url\n"
        "guangdong,广东省政府工作报告,推进区块链技术在政务服务中的应用。,2021,2021-01-24,"
        "http://www.gd.gov.cn/r2021\n"
        '浙江,浙江省政府工作报告,"深化数字化改革。\n建设区块链可信数据平台。",2021,,\n'
        "narnia,某报告,区块链。,2021,,\n"
        "gansu,甘肃省政府工作报告,,2021,,\n",
        encoding="utf-8",
    )
    run = govwatch("import", path)

    assert run.exit_code == 1
    assert run.stdout.splitlines() == [
        f"imported       {path} row 2: 广东 (from province column), 2021, work_report, 区块链 ×1",
        f"imported       {path} row 3: 浙江 (from province column), 2021, work_report, 区块链 ×1",
        f"unreadable     {path} row 4: unknown province 'narnia'",
        f"unreadable     {path} row 5: the text cell is empty",
        "1 file: 2 imported, 2 unreadable",
    ]
    guangdong, zhejiang = stored(store)
    assert (guangdong.title, guangdong.url) == ("广东省政府工作报告", "http://www.gd.gov.cn/r2021")
    assert guangdong.published_at == datetime(2021, 1, 24)
    assert zhejiang.url == f"{path.resolve().as_uri()}#row=3"
    assert zhejiang.body_text == "深化数字化改革。\n建设区块链可信数据平台。"
    assert zhejiang.published_at == datetime(2021, 1, 1)


def test_a_gbk_csv_with_chinese_column_names_imports(
    govwatch: Govwatch, store: DocumentStore, tmp_path: Path
) -> None:
    path = tmp_path / "政策.csv"
    rows = "省份,标题,正文\n四川,四川省区块链通知,推动区块链赋能实体经济。\n"
    path.write_bytes(rows.encode("gbk"))
    run = govwatch("import", path, "--year", "2023", "--kind", "policy")

    assert run.exit_code == 0, run.stdout
    [document] = stored(store)
    assert (document.province_code, document.kind, document.title) == (
        "510000",
        "policy",
        "四川省区块链通知",
    )


def test_html_docx_and_pdf_files_are_read_by_the_crawls_extractors(
    govwatch: Govwatch, store: DocumentStore, tmp_path: Path
) -> None:
    html = tmp_path / "notice.html"
    html.write_text(
        '<html><head><meta charset="utf-8">'
        '<meta name="ArticleTitle" content="上海市关于推进区块链应用的通知">'
        '<meta name="PubDate" content="2023-05-06"></head><body>'
        '<div class="TRS_Editor"><p>各区人民政府：</p>'
        "<p>推进区块链技术在一网通办政务服务中的应用，提升数据共享水平。</p></div>"
        "</body></html>",
        encoding="utf-8",
    )
    word = docx.Document()
    word.add_paragraph("浙江省人民政府工作报告")
    word.add_paragraph("加快区块链、人工智能等技术在农产品溯源中的应用。")
    word.save(str(tmp_path / "report.docx"))
    (tmp_path / "2023_jiangsu.pdf").write_bytes(
        cid_pdf(["江苏省政府工作报告", "建设区块链服务网络节点。"])
    )

    html_run = govwatch("import", html, "--year", "2023", "--kind", "policy")
    files_run = govwatch(
        "import", tmp_path / "report.docx", tmp_path / "2023_jiangsu.pdf", "--year", "2023"
    )

    assert html_run.exit_code == 0, html_run.stdout
    assert files_run.exit_code == 0, files_run.stdout
    by_province = {d.province_code: d for d in stored(store)}
    shanghai, zhejiang, jiangsu = (by_province[code] for code in ("310000", "330000", "320000"))
    assert shanghai.title == "上海市关于推进区块链应用的通知"
    assert shanghai.published_at == datetime(2023, 5, 6)
    assert (zhejiang.title, zhejiang.encoding) == ("浙江省人民政府工作报告", "docx")
    assert jiangsu.encoding == "pdf"
    for document in (shanghai, zhejiang, jiangsu):
        assert blockchain_hit(document) is not None, document.title
    docx_line, pdf_line = files_run.stdout.splitlines()[:2]
    assert "浙江 (from content)" in docx_line  # its first line: 浙江省人民政府工作报告
    assert "江苏 (from file name)" in pdf_line
