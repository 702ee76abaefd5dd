"""The command line: help, one-line errors with exit code 2, and extract on real pages."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crawler.cli.main import app
from tests.conftest import PAGES, REPO


def govwatch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")}
    return subprocess.run(
        [sys.executable, "-m", "crawler", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["crawl"],
        ["extract"],
        ["demo"],
        ["db"],
        ["db", "upgrade"],
        ["sources"],
        ["sources", "list"],
    ],
)
def test_every_command_has_complete_help(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 4


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["crawl", "--province", "narnia"], {}, "unknown province 'narnia'"),
        (["crawl"], {}, "give exactly one of --province or --source"),
        (["crawl", "--source", "nope"], {}, "unknown source 'nope'"),
        (["extract", "/no/such/page.html"], {}, "/no/such/page.html: no such file"),
        (["sources", "list"], {"GOVWATCH_CRAWL__POLITE": "perhaps"}, "crawl.polite"),
        (["sources", "list"], {"GOVWATCH_CONFIG": "/no/govwatch.toml"}, "config file not found"),
        (
            ["sources", "list"],
            {"GOVWATCH_REGISTRY_DIR": "/no/registry"},
            "registry directory not found",
        ),
        (["sources", "list", "--kind", "nonsense"], {}, "unknown kind 'nonsense': use one of"),
        (["sources", "list", "--confidence", "sure"], {}, "--confidence 'sure': use one of"),
        (
            ["sources", "list"],
            {
                "GOVWATCH_CHANNELS": '[{"name": "a", "type": "webhook", "url": "http://h/", '
                '"route": {"provinces": ["narnia"]}}]'
            },
            "channels.0.route.provinces (or GOVWATCH_CHANNELS__0__ROUTE__PROVINCES): "
            "unknown province 'narnia'",
        ),
    ],
)
def test_user_mistakes_give_one_clear_line_and_exit_code_2(
    args: list[str], env: dict[str, str], message: str
) -> None:
    result = govwatch(*args, env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("govwatch: error:") and message in lines[0]
    assert "Traceback" not in result.stderr


def test_a_broken_topics_file_is_named(tmp_path: Path) -> None:
    topics = tmp_path / "topics.toml"
    topics.write_text('[topics.x]\nlabel = "X"\nkeywords = []\n')
    page = next(PAGES.glob("*/200_detail*.html"))
    result = govwatch("extract", str(page), env={"GOVWATCH_TOPICS_FILE": str(topics)})
    assert result.returncode == 2
    assert f"{topics}: topics.x.keywords" in result.stderr


@pytest.mark.parametrize(
    "page", sorted(p.relative_to(PAGES).as_posix() for p in PAGES.glob("*/*.html"))
)
def test_extract_prints_something_true_for_every_real_page(page: str) -> None:
    result = CliRunner().invoke(app, ["extract", str(PAGES / page), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {
        "title",
        "published_at",
        "doc_number",
        "publisher",
        "doc_type",
        "body_length",
        "encoding",
        "hits",
        "kind",
    } <= set(data)
    if page.split("/")[-1].startswith("412_"):
        assert data["kind"] == "challenge" and data["title"] is None and data["hits"] == []
    else:
        assert data["kind"] in ("document", "listing", "json")
        assert data["kind"] != "document" or (data["title"] and data["body_length"] > 100)


def test_extract_reports_topic_hits_with_context(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(
        '<html><head><meta charset="gbk"><meta name="ArticleTitle" content="关于区块链的通知">'
        '<meta name="PubDate" content="2024-03-05 09:00"></head><body><div class="TRS_Editor">'
        "<p>探索区块链与人工智能、大数据融合应用，建设社会信用信息共享平台。</p>"
        "<p>完善产业链供应链协同机制。</p></div></body></html>".encode("gbk")
    )
    result = CliRunner().invoke(
        app, ["extract", str(page), "--json", "--url", "http://x.gov.cn/a.html"]
    )
    data = json.loads(result.output)
    assert data["encoding"] == "gb18030" and data["published_at"] == "2024-03-05T09:00:00"
    [hit] = data["hits"]
    assert hit["keywords"] == {"区块链": 2}
    assert hit["technologies"] == ["人工智能", "大数据"] and hit["scenarios"] == ["社会信用"]


def test_db_upgrade_migrates_a_postgresql_database() -> None:
    from storage.database import Database
    from tests.conftest import PostgresSchema

    schema = PostgresSchema()
    try:
        result = govwatch("db", "upgrade", env={"GOVWATCH_DATABASE_URL": schema.url})
        assert result.returncode == 0, result.stderr
        assert "database schema is current" in result.stdout
        database = Database(schema.url)
        assert database.is_current()
        database.dispose()
    finally:
        schema.drop()


@pytest.mark.e2e
def test_the_demo_on_a_fresh_data_folder_is_clean(tmp_path: Path) -> None:
    """A newcomer's first command: the whole pipeline offline, no traceback, no error line,
    ending with the dashboard's address; the page there shows the demo's documents."""
    demo = subprocess.Popen(
        [sys.executable, "-m", "crawler", "demo", "--port", "0"],
        cwd=tmp_path,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("GOVWATCH_")},
            "GOVWATCH_DATA_DIR": str(tmp_path / "data"),
            "PYTHONUNBUFFERED": "1",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    printed: list[str] = []
    try:
        assert demo.stdout is not None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = demo.stdout.readline()
            if not line:
                break
            printed.append(line)
            if line.startswith("dashboard: "):
                break
        address = re.match(r"dashboard: (http://127\.0\.0\.1:\d+/) ", printed[-1])
        assert address is not None, "".join(printed)[-3000:]
        with urllib.request.urlopen(address.group(1), timeout=30) as page:
            html = page.read().decode()
        first_title = re.search(r'<a class="title" href="/documents/\d+">([^<]+)</a>', html)
        assert first_title is not None, html[:3000]
        assert first_title.group(1).strip()[:8] in "".join(printed)  # a document the demo listed
        assert "<mark>区块链</mark>" in html
    finally:
        demo.send_signal(signal.SIGINT)
        _, stderr = demo.communicate(timeout=60)
    assert demo.returncode in (0, 130), stderr[-3000:]
    output = "".join(printed)
    for noise in ("Traceback", "CRITICAL", "ERROR", "AlreadyCalledError"):
        assert noise not in stderr + output, stderr[-3000:]
    assert "【区块链】" in output and "database: sqlite:///" in output


def test_alerts_retry_says_whether_the_delivery_exists(tmp_path: Path) -> None:
    result = govwatch("alerts", "retry", "42", env={"GOVWATCH_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert result.stderr.strip() == "govwatch: error: no delivery 42 (see `govwatch alerts list`)"


def test_filters_and_defaults_are_explained_in_help() -> None:
    listing = CliRunner().invoke(app, ["sources", "list", "--help"]).output
    assert "Only this province" in listing and "work_report, policy" in listing
    run = CliRunner().invoke(app, ["run", "--help"]).output
    assert "[default: service.workers, 1]" in " ".join(run.split())


def test_extract_shows_keyword_counts_as_words_not_a_python_dict(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        '<html><head><meta charset="utf-8"><meta name="ArticleTitle" content="关于区块链的通知">'
        '</head><body><div class="TRS_Editor"><p>推进区块链技术在政务服务中的应用，'
        "建设区块链基础设施。</p></div></body></html>",
        encoding="utf-8",
    )
    output = CliRunner().invoke(app, ["extract", str(page)]).output
    assert "区块链 ×3  (区块链 ×3)" in output and "{" not in output


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (bytes(range(256)) * 4096, "binary data"),
        (b"\x7fELF\x02\x01\x01" + bytes(5000), "an ELF program, not a page"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj" + bytes(100), "a PDF file, not a page"),
    ],
)
def test_extract_says_a_file_is_not_a_page(tmp_path: Path, content: bytes, reason: str) -> None:
    page = tmp_path / "not-a-page.html"
    page.write_bytes(content)
    result = govwatch("extract", str(page))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{page}: binary — ") and reason in first, first
    assert "区块链" not in result.stdout


def test_extract_refuses_a_page_over_the_size_cap_naming_the_setting(tmp_path: Path) -> None:
    page = tmp_path / "huge.html"
    page.write_bytes(b"<html><body>" + b"<p>x</p>" * (1024 * 1024 // 8 + 10) + b"</body></html>")
    result = govwatch("extract", str(page), env={"GOVWATCH_CRAWL__MAX_DOWNLOAD_MB": "1"})
    assert result.returncode == 2
    assert result.stderr.startswith(f"govwatch: error: {page}: 1.0 MB, more than ")
    assert "crawl.max_download_mb (1 MB)" in result.stderr


AWARD_PAGE = """<html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="某某县区块链存证平台采购项目中标（成交）结果公告">
<meta name="PubDate" content="2025-06-12 09:30"></head><body><div class="vF_detail_content">
<p>一、项目编号：SZCG2025-017</p><p>二、项目名称：某某县区块链存证平台采购项目</p>
<p>三、中标（成交）信息</p>
<p>供应商名称：兰州链谷科技有限公司</p><p>中标（成交）金额：1,280,000.00元</p>
<p>四、采购人信息</p><p>名称：某某县大数据管理局</p>
<p>五、采购代理机构信息</p><p>名称：甘肃某某招标代理有限公司</p>
</div></body></html>"""


def test_extract_shows_the_notice_of_a_procurement_page(tmp_path: Path) -> None:
    page = tmp_path / "award.html"
    page.write_text(AWARD_PAGE, encoding="utf-8")
    data = json.loads(CliRunner().invoke(app, ["extract", str(page), "--json"]).output)
    notice = data["notice"]
    assert notice["notice_type"] == "award"
    assert notice["project_number"] == "SZCG2025-017"
    assert notice["buyer"] == "某某县大数据管理局"
    assert notice["agency"] == "甘肃某某招标代理有限公司"
    [lot] = notice["lots"]
    assert lot["supplier"] == "兰州链谷科技有限公司"
    assert lot["amount"]["yuan"] == "1280000.00"  # an exact decimal, as a string
    text = CliRunner().invoke(app, ["extract", str(page)]).output
    assert "notice        award" in text and "兰州链谷科技有限公司  1280000.00 元" in text
    never = CliRunner().invoke(app, ["extract", str(page), "--json", "--kind", "document"])
    assert json.loads(never.output)["notice"] is None


def test_extract_reads_a_notice_only_where_the_page_is_one_unless_told(tmp_path: Path) -> None:
    page = tmp_path / "untitled.html"  # a title that names no notice type
    page.write_text(AWARD_PAGE.replace("采购项目中标（成交）结果公告", "采购项目"), "utf-8")
    auto = json.loads(CliRunner().invoke(app, ["extract", str(page), "--json"]).output)
    assert auto["notice"] is None  # read as a notice only when told (as a procurement source)
    forced = CliRunner().invoke(app, ["extract", str(page), "--json", "--kind", "procurement"])
    assert json.loads(forced.output)["notice"]["lots"][0]["supplier"] == "兰州链谷科技有限公司"
    wrong = govwatch("extract", str(page), "--kind", "bids")
    assert wrong.returncode == 2 and "--kind 'bids'" in wrong.stderr


def test_sources_list_filters_by_confidence_and_says_the_counts(tmp_path: Path) -> None:
    env = {"GOVWATCH_DATA_DIR": str(tmp_path)}
    guesses = CliRunner().invoke(
        app, ["sources", "list", "--confidence", "guess", "--json"], env=env
    )
    table = CliRunner().invoke(app, ["sources", "list", "--kind", "procurement"], env=env)

    assert guesses.exit_code == 0, guesses.output
    listed = json.loads(guesses.stdout)
    assert listed and all(s["confidence"] == "guess" for s in listed)
    # A guess: no evidence confirms the entry, or it needs a family govwatch cannot read yet.
    assert all(s["needs"] or not any(e["confirms"] for e in s["evidence"]) for s in listed), [
        s["id"] for s in listed
    ]
    assert "never checked" in table.output and "times are Beijing time" in table.output
